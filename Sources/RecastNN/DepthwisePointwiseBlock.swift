import RecastGPU

/// A depthwise convolution followed by a 1×1 one with the block's shortcut (a BlazeFace or MobileNet residual block):
/// `pointwise.activation(pointwise(depthwise(x)) + shortcut)`, the shortcut being x, 2×2 max-pooled where the depthwise
/// convolution strides, with zero channels appended where the block widens. On CPU devices it is one dispatch
/// (Shaders/depthwise_pointwise.comp) that never stores the depthwise output: lavapipe's time goes to texel fetches and
/// stores and to about 20 µs of thread hand-off a dispatch, and fused the face mesh takes 3.8–4.8 ms instead of
/// 5.1–6.2. GPUs run the two layers as their own dispatches.
public struct DepthwisePointwiseBlock: Sendable {
    public let depthwise: DepthwiseConvolutionLayer
    public let pointwise: ConvolutionLayer

    public init(depthwise: DepthwiseConvolutionLayer, pointwise: ConvolutionLayer) throws {
        let p = pointwise.shape
        guard p.kernelHeight == 1, p.kernelWidth == 1, p.strideY == 1, p.strideX == 1, p.groups == 1,
              p.inChannels == depthwise.shape.channels, depthwise.activation == .none
        else {
            throw NNError.shapeMismatch(
                op: "depthwise-pointwise block", detail: "\(depthwise.shape) with activation \(depthwise.activation) before \(p)")
        }
        self.depthwise = depthwise
        self.pointwise = pointwise
    }

    public func outputShape(for input: [Int]) -> [Int] {
        let (h, w) = depthwise.shape.outputSize(height: input[1], width: input[2])
        return [input[0], h, w, pointwise.shape.outChannels]
    }

    /// Whether `encode` fuses the block for `input`: on CPU devices, for channels in whole texel chunks and biases on
    /// both layers.
    public func fuses(_ input: Tensor, engine: TensorEngine) -> Bool {
        guard input.rank == 4 else { return false }
        let chunk = engine.precision.elementsPerTexel
        return engine.gpu.capabilities.type == .cpu
            && depthwise.shape.channels % chunk == 0 && pointwise.shape.outChannels % chunk == 0
            && depthwise.bias != nil && pointwise.bias != nil && pointwise.unfolding == nil
            && engine.fitTexelViews([input, depthwise.weights, pointwise.weights])
    }

    /// Records the block on NHWC `input` into `output` (`outputShape`), with the shortcut when `residual` is true.
    public func encode(engine: TensorEngine, input: Tensor, residual: Bool, output: Tensor, into recorder: CommandRecorder) throws {
        let stride = depthwise.shape.stride
        // The shortcut is the input itself, or pooled 2×2 where the block strides by 2 (an odd size rounding up).
        let scale = stride == 2 ? 2 : 1
        guard input.rank == 4, input.shape[3] == depthwise.shape.channels, output.shape == outputShape(for: input.shape),
              !residual || (stride <= 2 && (input.shape[1] + scale - 1) / scale == output.shape[1]
                  && (input.shape[2] + scale - 1) / scale == output.shape[2] && depthwise.shape.channels <= pointwise.shape.outChannels)
        else {
            throw NNError.shapeMismatch(
                op: "depthwise-pointwise block", detail: "input \(input.shape), output \(output.shape)\(residual ? " with its shortcut" : "")")
        }
        guard fuses(input, engine: engine), engine.fitTexelViews([output]), let depthwiseBias = depthwise.bias, let pointwiseBias = pointwise.bias else {
            let spatial = try engine.makeTensor(shape: depthwise.outputShape(for: input.shape))
            try depthwise.encode(engine: engine, input: input, output: spatial, into: recorder)
            return try pointwise.encode(
                engine: engine, input: spatial, residual: residual ? input : nil, poolResidual: residual && stride == 2,
                output: output, into: recorder)
        }
        let s = depthwise.shape
        let chunk = engine.precision.elementsPerTexel
        let (outHeight, outWidth) = (output.shape[1], output.shape[2])
        let (tile, threadN) = Self.tiling(outHeight: outHeight, outWidth: outWidth, inChannels: s.channels, outChannels: pointwise.shape.outChannels, chunk: chunk)
        let tiles = ((outHeight + tile.0 - 1) / tile.0) * ((outWidth + tile.1 - 1) / tile.1)
        let invocations = tiles * pointwise.shape.outChannels / threadN
        let workgroup = 8
        let kernel = try engine.kernel(
            "depthwise_pointwise", bindings: [.texels, .texels, .texels, .texels, .texels, .texels, .writeTexels],
            pushConstantBytes: 24,
            specialization: [
                0: UInt32(workgroup), 1: UInt32(tile.0), 2: UInt32(tile.1), 3: UInt32(s.kernel), 4: UInt32(stride),
                5: UInt32(s.channels), 6: UInt32(pointwise.shape.outChannels), 7: UInt32(threadN),
                8: UInt32(pointwise.activation.rawValue), 9: residual ? 1 : 0, 10: residual && stride == 2 ? 1 : 0,
            ])
        try recorder.dispatch(
            kernel,
            buffers: [input.buffer, depthwise.weights.buffer, depthwiseBias.buffer, pointwise.weights.buffer, pointwiseBias.buffer,
                      (pointwise.slopes ?? pointwiseBias).buffer, output.buffer],
            pushConstants: [input.shape[1], input.shape[2], outHeight, outWidth, s.padTop, s.padLeft].map { UInt32($0) },
            groups: ((invocations + workgroup - 1) / workgroup, input.shape[0], 1),
            label: "dwconv\(s.kernel)x\(s.kernel)+conv1x1 \(s.channels)→\(pointwise.shape.outChannels) @\(input.shape[1])x\(input.shape[2])")
    }

    /// Output pixels (rows, columns) and channels an invocation computes. Measured on the face mesh (lavapipe): 2×8 pixels
    /// for 16 channels, 1×8 for 32, 1×4 for more, at most 32 channels an invocation (its sums stay at most 256), a map of
    /// up to 9 pixels whole with 2 chunks of channels (each invocation repeats the depthwise sums of its tile, so more
    /// invocations over the channels cost that again).
    static func tiling(outHeight: Int, outWidth: Int, inChannels: Int, outChannels: Int, chunk: Int) -> (tile: (Int, Int), threadN: Int) {
        var threadN = outHeight * outWidth <= 9 ? 2 * chunk : 32
        // Ends at the chunk at the latest: `fuses` asks for whole chunks of channels.
        while outChannels % threadN != 0 { threadN -= chunk }
        if outHeight * outWidth <= 9 { return ((outHeight, outWidth), threadN) }
        let pixels = min(256 / threadN, inChannels <= 16 ? 16 : inChannels <= 32 ? 8 : 4)
        let rows = pixels > 8 ? pixels / 8 : 1
        return ((rows, min(pixels / rows, outWidth)), threadN)
    }
}
