import RecastGPU

/// A convolution with its weights repacked and uploaded once, and its fused epilogue:
/// `activation(conv(x) + bias + residual)`.
public final class ConvolutionLayer: Sendable {
    public let shape: ConvolutionShape
    public let activation: Activation
    /// The shape the GEMM runs: on CPU devices an input with fewer channels than a texel chunk
    /// (an RGB image) is first padded with zero channels to one chunk, so that the convolution
    /// takes the chunked path instead of loading values one by one (11.5 → 2 ms for YuNet's first
    /// layer at 320×240 on lavapipe).
    let gemmShape: ConvolutionShape
    let weights: Tensor
    let bias: Tensor?
    let slopes: Tensor?

    /// The input channels the convolution runs on: `shape.inChannels`, or one texel chunk for an
    /// RGB input on CPU devices. An input given with these channels, the extra ones zero, skips
    /// the padding pass: a model uploading its image from the host writes them for free.
    public var paddedInputChannels: Int { gemmShape.inChannels }

    /// - Parameters:
    ///   - weights: PyTorch layout [out, in/groups, kh, kw].
    ///   - bias: [out], or nil.
    ///   - preluSlopes: [out] when `activation` is `.prelu`.
    public init(
        engine: TensorEngine, shape: ConvolutionShape, weights: [Float], bias: [Float]? = nil,
        activation: Activation = .none, preluSlopes: [Float]? = nil
    ) throws {
        try shape.validate()
        guard weights.count == shape.weightCount, bias.map({ $0.count == shape.outChannels }) ?? true,
              preluSlopes.map({ $0.count == shape.outChannels }) ?? (activation != .prelu)
        else {
            throw NNError.shapeMismatch(
                op: "convolution", detail: "\(weights.count) weights, \(bias?.count ?? 0) biases, \(preluSlopes?.count ?? 0) slopes for \(shape)")
        }
        self.shape = shape
        self.activation = activation
        let chunk = engine.precision.elementsPerTexel
        if engine.gpu.capabilities.type == .cpu && shape.groups == 1 && shape.inChannels < chunk {
            var widened = shape
            widened.inChannels = chunk
            let taps = shape.kernelHeight * shape.kernelWidth
            // PyTorch layout [out, in, kh, kw]: each output's taps for the new channels are zero.
            var padded = [Float](repeating: 0, count: shape.outChannels * chunk * taps)
            let run = shape.inChannels * taps
            for o in 0..<shape.outChannels {
                padded.replaceSubrange(o * chunk * taps..<o * chunk * taps + run, with: weights[o * run..<(o + 1) * run])
            }
            gemmShape = widened
            self.weights = try engine.makeTensor(shape: [padded.count], values: widened.repackWeights(padded))
        } else {
            gemmShape = shape
            self.weights = try engine.makeTensor(shape: [weights.count], values: shape.repackWeights(weights))
        }
        self.bias = try bias.map { try engine.makeTensor(shape: [$0.count], values: $0) }
        slopes = try preluSlopes.map { try engine.makeTensor(shape: [$0.count], values: $0) }
    }

    /// Records the convolution of NHWC `input` into NHWC `output`, optionally adding `residual`: a map of the output's
    /// size or, with `poolResidual`, one twice its size (rounded up) that is 2×2 max-pooled. The residual may have fewer
    /// channels than the output; the output's other channels get none added. This is a residual block's shortcut
    /// (pooled where the block strides, zero channels appended where it widens) without a pass of its own.
    public func encode(
        engine: TensorEngine, input: Tensor, residual: Tensor? = nil, poolResidual: Bool = false, output: Tensor,
        tiling: GemmTiling? = nil, into recorder: CommandRecorder
    ) throws {
        guard input.rank == 4, input.shape[3] == shape.inChannels || input.shape[3] == gemmShape.inChannels else {
            throw NNError.shapeMismatch(op: "convolution", detail: "input \(input.shape) for \(shape.inChannels) channels")
        }
        let (batch, height, width) = (input.shape[0], input.shape[1], input.shape[2])
        let (outHeight, outWidth) = shape.outputSize(height: height, width: width)
        let scale = poolResidual ? 2 : 1
        guard outHeight > 0, outWidth > 0, output.shape == [batch, outHeight, outWidth, shape.outChannels],
              residual.map({ $0.rank == 4 && $0.shape[0] == batch && ($0.shape[1] + scale - 1) / scale == outHeight
                  && ($0.shape[2] + scale - 1) / scale == outWidth && $0.shape[3] <= shape.outChannels }) ?? !poolResidual
        else {
            throw NNError.shapeMismatch(op: "convolution", detail: "input \(input.shape), output \(output.shape), residual \(residual?.shape ?? [])")
        }
        var input = input
        if input.shape[3] != gemmShape.inChannels {
            let widened = try engine.makeTensor(shape: [batch, height, width, gemmShape.inChannels])
            try engine.encodePadChannels(input, output: widened, into: recorder)
            input = widened
        }
        let s = gemmShape
        let m = batch * outHeight * outWidth
        let n = s.groupOutChannels
        let k = s.kernelHeight * s.kernelWidth * s.groupInChannels
        let chunk = engine.precision.elementsPerTexel
        let dispatch = GemmDispatch(
            mode: .convolution, tiling: tiling ?? .forShape(m: m, n: n, device: engine.gpu.capabilities.type), activation: activation,
            m: m, n: n, k: k, layers: s.groups,
            parameters: [m, n, k, 0, 0, 0, height, width, s.inChannels, outHeight, outWidth, s.outChannels, s.groupInChannels,
                         s.kernelHeight, s.kernelWidth, s.strideY, s.strideX, s.padY, s.padX, s.dilationY, s.dilationX,
                         residual?.shape[1] ?? outHeight, residual?.shape[2] ?? outWidth, residual?.shape[3] ?? s.outChannels].map(Int32.init),
            chunkAligned: s.inChannels % chunk == 0 && s.groupInChannels % chunk == 0, pooledResidual: poolResidual)
        try dispatch.encode(
            engine: engine, a: input, b: weights, bias: bias, residual: residual, slopes: slopes, output: output,
            into: recorder, label: "conv\(s.kernelHeight)x\(s.kernelWidth) \(shape.inChannels)→\(s.outChannels) @\(height)x\(width)")
    }

    public func outputShape(for input: [Int]) -> [Int] {
        let (h, w) = shape.outputSize(height: input[1], width: input[2])
        return [input[0], h, w, shape.outChannels]
    }

    /// Runs the convolution and returns the output.
    public func callAsFunction(_ engine: TensorEngine, _ input: Tensor, residual: Tensor? = nil) throws -> Tensor {
        let output = try engine.makeTensor(shape: outputShape(for: input.shape))
        try engine.run { try encode(engine: engine, input: input, residual: residual, output: output, into: $0) }
        return output
    }
}
