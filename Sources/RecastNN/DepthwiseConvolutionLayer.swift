import RecastGPU

/// Shape of a depthwise (one filter per channel) 2-D convolution over NHWC tensors, with padding given
/// per side so that TFLite's SAME padding (only bottom and right at stride 2 on even sizes) is expressible.
public struct DepthwiseConvolutionShape: Sendable, Hashable {
    public var channels: Int
    public var kernel: Int
    public var stride: Int
    public var padTop: Int
    public var padLeft: Int
    public var padBottom: Int
    public var padRight: Int

    /// Symmetric padding `(kernel − 1) / 2` unless given per side.
    public init(
        channels: Int, kernel: Int, stride: Int = 1,
        padTop: Int? = nil, padLeft: Int? = nil, padBottom: Int? = nil, padRight: Int? = nil
    ) {
        self.channels = channels
        self.kernel = kernel
        self.stride = stride
        let half = (kernel - 1) / 2
        self.padTop = padTop ?? half
        self.padLeft = padLeft ?? half
        self.padBottom = padBottom ?? half
        self.padRight = padRight ?? half
    }

    /// Elements of the PyTorch weight tensor [channels, 1, kernel, kernel].
    public var weightCount: Int { channels * kernel * kernel }

    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + padTop + padBottom - kernel) / stride + 1, (width + padLeft + padRight - kernel) / stride + 1)
    }

    func validate() throws {
        guard channels > 0, kernel > 0, stride > 0, padTop >= 0, padLeft >= 0, padBottom >= 0, padRight >= 0 else {
            throw NNError.shapeMismatch(op: "depthwise convolution", detail: "invalid shape \(self)")
        }
    }
}

/// A depthwise convolution with its weights repacked and uploaded once, and its fused epilogue:
/// `activation(conv(x) + bias + residual)`. Same results as `ConvolutionLayer` with groups = channels,
/// without spending a GEMM tile on each channel's single output column (Shaders/depthwise_conv.comp).
public final class DepthwiseConvolutionLayer: Sendable {
    public let shape: DepthwiseConvolutionShape
    public let activation: Activation
    let weights: Tensor
    let bias: Tensor?
    let slopes: Tensor?

    /// - Parameters:
    ///   - weights: PyTorch layout [channels, 1, kernel, kernel].
    ///   - bias: [channels], or nil.
    ///   - preluSlopes: [channels] when `activation` is `.prelu`.
    public init(
        engine: TensorEngine, shape: DepthwiseConvolutionShape, weights: [Float], bias: [Float]? = nil,
        activation: Activation = .none, preluSlopes: [Float]? = nil
    ) throws {
        try shape.validate()
        guard weights.count == shape.weightCount, bias.map({ $0.count == shape.channels }) ?? true,
              preluSlopes.map({ $0.count == shape.channels }) ?? (activation != .prelu)
        else {
            throw NNError.shapeMismatch(
                op: "depthwise convolution",
                detail: "\(weights.count) weights, \(bias?.count ?? 0) biases, \(preluSlopes?.count ?? 0) slopes for \(shape)")
        }
        self.shape = shape
        self.activation = activation
        let taps = shape.kernel * shape.kernel
        // [channel][tap] → [tap][channel], so neighbouring invocations read neighbouring weights.
        let packed = (0..<weights.count).map { weights[($0 % shape.channels) * taps + $0 / shape.channels] }
        self.weights = try engine.makeTensor(shape: [packed.count], values: packed)
        self.bias = try bias.map { try engine.makeTensor(shape: [$0.count], values: $0) }
        slopes = try preluSlopes.map { try engine.makeTensor(shape: [$0.count], values: $0) }
    }

    public func outputShape(for input: [Int]) -> [Int] {
        let (h, w) = shape.outputSize(height: input[1], width: input[2])
        return [input[0], h, w, shape.channels]
    }

    /// The output's shape for an input of shape `input`; `pooled`: 2×2 max-pooled (stride 2, an odd last row or
    /// column dropped).
    public func outputShape(for input: [Int], pooled: Bool) -> [Int] {
        let full = outputShape(for: input)
        return pooled ? [full[0], full[1] / 2, full[2] / 2, full[3]] : full
    }

    /// Records the convolution of NHWC `input` into NHWC `output`, optionally adding `residual` (same shape as the
    /// output) or, with `poolOutput`, 2×2 max-pooling its output after the activation (`outputShape(for:pooled:)`):
    /// on CPU devices the full-size output is then never written.
    public func encode(
        engine: TensorEngine, input: Tensor, residual: Tensor? = nil, poolOutput: Bool = false, output: Tensor, into recorder: CommandRecorder
    ) throws {
        let expected = outputShape(for: input.shape)
        guard input.rank == 4, input.shape[3] == shape.channels, expected[1] > 0, expected[2] > 0,
              output.shape == outputShape(for: input.shape, pooled: poolOutput),
              residual.map({ $0.shape == expected && !poolOutput }) ?? true, !poolOutput || (expected[1] >= 2 && expected[2] >= 2)
        else {
            throw NNError.shapeMismatch(
                op: "depthwise convolution",
                detail: "input \(input.shape), output \(output.shape), residual \(residual?.shape ?? [])\(poolOutput ? ", pooled" : "") for \(shape)")
        }
        let s = shape
        let chunk = engine.precision.elementsPerTexel
        // GPUs keep one output element an invocation.
        let texels = engine.takesTexelPath(width: s.channels, [input, output])
        if poolOutput && !texels {
            let full = try engine.makeTensor(shape: expected)
            try encode(engine: engine, input: input, output: full, into: recorder)
            return try engine.encodePool(full, mode: .max, kernel: 2, stride: 2, output: output, into: recorder)
        }
        let rows = input.shape[0] * (poolOutput ? expected[1] / 2 : expected[1])
        // Texel path: outputs per invocation along a row; eight share more of their input fetches where a row has
        // them (YuNet's 64-channel layers: 10 % faster than four).
        let pixels = expected[2] >= 8 ? 8 : 4
        // Otherwise four channels per invocation where they divide evenly.
        let lanes = s.channels % 4 == 0 ? 4 : 1
        let workgroup = texels ? 64 : 256
        let kernel = try engine.kernel(
            "depthwise_conv", bindings: [.read, .read, .read, .read, .read, .write, .texels, .texels, .texels, .texels, .texels, .writeTexels],
            pushConstantBytes: 32,
            specialization: [
                0: UInt32(activation.rawValue), 1: bias == nil ? 0 : 1, 2: residual == nil ? 0 : 1, 3: UInt32(s.kernel),
                4: UInt32(s.channels), 5: UInt32(lanes), 6: texels ? 1 : 0, 7: UInt32(pixels), 8: UInt32(s.stride),
                9: UInt32(workgroup), 10: poolOutput ? 1 : 0,
            ])
        let groups: (Int, Int, Int)
        if texels {
            let invocations = rows * ((expected[2] + pixels - 1) / pixels) * (s.channels / chunk)
            groups = ((invocations + workgroup - 1) / workgroup, 1, 1)
        } else {
            groups = ((expected[2] * s.channels / lanes + workgroup - 1) / workgroup, rows, 1)
        }
        guard groups.0 <= 65535, groups.1 <= 65535 else {
            throw NNError.shapeMismatch(op: "depthwise convolution", detail: "\(output.shape) is too large for one dispatch")
        }
        let inputs = [input, weights, bias ?? weights, residual ?? input, slopes ?? weights]
        try recorder.dispatch(
            kernel,
            buffers: inputs.map(\.buffer) + [output.buffer] + inputs.map(\.buffer) + [output.buffer],
            pushConstants: [input.shape[1], input.shape[2], expected[1], expected[2], s.stride, s.padTop, s.padLeft, rows].map { UInt32($0) },
            groups: groups, label: "dwconv\(s.kernel)x\(s.kernel) \(s.channels) @\(input.shape[1])x\(input.shape[2])\(poolOutput ? " pooled" : "")")
    }

    /// Runs the convolution and returns the output.
    public func callAsFunction(_ engine: TensorEngine, _ input: Tensor, residual: Tensor? = nil) throws -> Tensor {
        let output = try engine.makeTensor(shape: outputShape(for: input.shape))
        try engine.run { try encode(engine: engine, input: input, residual: residual, output: output, into: $0) }
        return output
    }
}
