import RecastGPU

/// MobileFace's inverted-residual bottleneck (as in MobileNetV2): 1×1 expand, ReLU6, 3×3 depthwise
/// (stride 2 where a stage starts), ReLU6, 1×1 project; the input is added back when shapes allow.
/// BatchNorm is already folded into each convolution's weights and bias.
struct MobileFaceBottleneck {
    let expand: ConvolutionLayer
    let depthwise: ConvolutionLayer
    let project: ConvolutionLayer
    let addsInput: Bool

    init(engine: TensorEngine, file: SafeTensorsFile, prefix: String, input: Int, expansion: Int, output: Int, stride: Int) throws {
        expand = try ConvolutionLayer(
            engine: engine, file: file, prefix: "\(prefix).expand",
            shape: ConvolutionShape(inChannels: input, outChannels: expansion, kernel: 1), hasBias: true)
        depthwise = try ConvolutionLayer(
            engine: engine, file: file, prefix: "\(prefix).depthwise",
            shape: ConvolutionShape(inChannels: expansion, outChannels: expansion, kernel: 3, stride: stride, groups: expansion),
            hasBias: true)
        project = try ConvolutionLayer(
            engine: engine, file: file, prefix: "\(prefix).project",
            shape: ConvolutionShape(inChannels: expansion, outChannels: output, kernel: 1), hasBias: true)
        addsInput = stride == 1 && input == output
    }

    func record(_ x: Tensor, engine: TensorEngine, into recorder: CommandRecorder) throws -> Tensor {
        let expanded = try engine.recordReLU6(expand.record(x, engine: engine, into: recorder), into: recorder)
        let filtered = try engine.recordReLU6(depthwise.record(expanded, engine: engine, into: recorder), into: recorder)
        let output = try engine.makeTensor(shape: project.outputShape(for: filtered.shape))
        try project.encode(engine: engine, input: filtered, residual: addsInput ? x : nil, output: output, into: recorder)
        return output
    }
}

extension TensorEngine {
    /// Records min(max(x, 0), 6) into a new tensor.
    func recordReLU6(_ x: Tensor, into recorder: CommandRecorder) throws -> Tensor {
        let output = try makeTensor(shape: x.shape)
        try encodeElementwise(.clamp(lower: 0, upper: 6), x, output: output, into: recorder)
        return output
    }
}
