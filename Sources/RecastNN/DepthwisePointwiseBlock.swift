import RecastGPU

/// A depthwise convolution followed by a 1×1 one with the block's shortcut, recorded as one dispatch on CPU devices
/// where the map is small (Shaders/depthwise_pointwise.comp): `pointwise.activation(pointwise(depthwise(x)) + shortcut)`,
/// the shortcut being x, 2×2 max-pooled where the depthwise convolution strides, with zero channels appended where
/// the block widens. Lavapipe spends about 20 µs handing each dispatch to its threads, a third of a layer's time on a
/// 3×3 map (the face mesh's six blocks there: 60–100 µs each as two dispatches, 35–77 µs fused); elsewhere the two
/// layers run as their own dispatches.
public struct DepthwisePointwiseBlock: Sendable {
    public let depthwise: DepthwiseConvolutionLayer
    public let pointwise: ConvolutionLayer
    /// Output pixels up to which the block is fused: each invocation holds the whole map's sums in registers.
    public static let maxFusedPixels = 9

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

    /// Whether `encode` fuses the block for `input`: on CPU devices, for maps of at most `maxFusedPixels` output
    /// pixels, channels in whole texel chunks and biases on both layers.
    public func fuses(_ input: Tensor, engine: TensorEngine) -> Bool {
        guard input.rank == 4 else { return false }
        let output = outputShape(for: input.shape)
        let chunk = engine.precision.elementsPerTexel
        return engine.gpu.capabilities.type == .cpu && output[1] * output[2] <= Self.maxFusedPixels
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
        guard fuses(input, engine: engine), let depthwiseBias = depthwise.bias, let pointwiseBias = pointwise.bias else {
            let spatial = try engine.makeTensor(shape: depthwise.outputShape(for: input.shape))
            try depthwise.encode(engine: engine, input: input, output: spatial, into: recorder)
            return try pointwise.encode(
                engine: engine, input: spatial, residual: residual ? input : nil, poolResidual: residual && stride == 2,
                output: output, into: recorder)
        }
        let s = depthwise.shape
        let chunk = engine.precision.elementsPerTexel
        let columns = 2 * chunk
        let threadN = pointwise.shape.outChannels % columns == 0 ? columns : chunk
        let invocations = pointwise.shape.outChannels / threadN
        let workgroup = 8
        let kernel = try engine.kernel(
            "depthwise_pointwise", bindings: [.texels, .texels, .texels, .texels, .texels, .texels, .writeTexels],
            pushConstantBytes: 0,
            specialization: [
                0: UInt32(workgroup), 1: UInt32(input.shape[1]), 2: UInt32(input.shape[2]), 3: UInt32(output.shape[1]),
                4: UInt32(output.shape[2]), 5: UInt32(s.kernel), 6: UInt32(stride), 7: UInt32(s.padTop), 8: UInt32(s.padLeft),
                9: UInt32(s.channels), 10: UInt32(pointwise.shape.outChannels), 11: UInt32(threadN),
                12: UInt32(pointwise.activation.rawValue), 13: residual ? 1 : 0, 14: residual && stride == 2 ? 1 : 0,
            ])
        try recorder.dispatch(
            kernel,
            buffers: [input.buffer, depthwise.weights.buffer, depthwiseBias.buffer, pointwise.weights.buffer, pointwiseBias.buffer,
                      (pointwise.slopes ?? pointwiseBias).buffer, output.buffer],
            groups: ((invocations + workgroup - 1) / workgroup, input.shape[0], 1),
            label: "dwconv\(s.kernel)x\(s.kernel)+conv1x1 \(s.channels)→\(pointwise.shape.outChannels) @\(input.shape[1])x\(input.shape[2])")
    }
}
