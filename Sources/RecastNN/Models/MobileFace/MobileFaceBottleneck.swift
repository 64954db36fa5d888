import RecastGPU

/// MobileFace's inverted-residual bottleneck (as in MobileNetV2): 1×1 expand, ReLU6, 3×3 depthwise
/// (stride 2 where a stage starts), ReLU6, 1×1 project; the input is added back when shapes allow.
/// BatchNorm is already folded into each convolution's weights and bias.
struct MobileFaceBottleneck {
    let expand: ConvolutionLayer
    let depthwise: DepthwiseConvolutionLayer
    let project: ConvolutionLayer
    let addsInput: Bool

    init(engine: TensorEngine, file: SafeTensorsFile, prefix: String, input: Int, expansion: Int, output: Int, stride: Int) throws {
        expand = try ConvolutionLayer(
            engine: engine, file: file, prefix: "\(prefix).expand",
            shape: ConvolutionShape(inChannels: input, outChannels: expansion, kernel: 1), hasBias: true, activation: .relu6)
        depthwise = try DepthwiseConvolutionLayer(
            engine: engine, shape: DepthwiseConvolutionShape(channels: expansion, kernel: 3, stride: stride),
            weights: file.floats("\(prefix).depthwise.weight", shape: [expansion, 1, 3, 3]),
            bias: file.floats("\(prefix).depthwise.bias", shape: [expansion]), activation: .relu6)
        project = try ConvolutionLayer(
            engine: engine, file: file, prefix: "\(prefix).project",
            shape: ConvolutionShape(inChannels: expansion, outChannels: output, kernel: 1), hasBias: true)
        addsInput = stride == 1 && input == output
    }

    func record(_ x: Tensor, engine: TensorEngine, into recorder: CommandRecorder) throws -> Tensor {
        let expanded = try expand.record(x, engine: engine, into: recorder)
        let filtered = try engine.makeTensor(shape: depthwise.outputShape(for: expanded.shape))
        try depthwise.encode(engine: engine, input: expanded, output: filtered, into: recorder)
        let output = try engine.makeTensor(shape: project.outputShape(for: filtered.shape))
        try project.encode(engine: engine, input: filtered, residual: addsInput ? x : nil, output: output, into: recorder)
        return output
    }
}
