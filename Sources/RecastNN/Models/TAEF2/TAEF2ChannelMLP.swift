import RecastGPU

/// The pre-step of TAEF2's low-resolution Blocks:
/// x + project(ReLU(GroupNorm(4 groups)(expand(x)))), with 1×1 convolutions 64→256→64.
struct TAEF2ChannelMLP {
    static let groups = 4
    let expand: ConvolutionLayer
    let normScale: Tensor
    let normShift: Tensor
    let project: ConvolutionLayer

    init(engine: TensorEngine, file: SafeTensorsFile, prefix: String, channels: Int) throws {
        let wide = channels * 4
        expand = try ConvolutionLayer(
            engine: engine, file: file, prefix: "\(prefix).expand",
            shape: ConvolutionShape(inChannels: channels, outChannels: wide, kernel: 1), hasBias: false)
        normScale = try engine.makeVector("\(prefix).norm.weight", count: wide, from: file)
        normShift = try engine.makeVector("\(prefix).norm.bias", count: wide, from: file)
        project = try ConvolutionLayer(
            engine: engine, file: file, prefix: "\(prefix).project",
            shape: ConvolutionShape(inChannels: wide, outChannels: channels, kernel: 1), hasBias: false)
    }

    func record(_ x: Tensor, engine: TensorEngine, into recorder: CommandRecorder) throws -> Tensor {
        let expanded = try engine.makeTensor(shape: expand.outputShape(for: x.shape))
        try expand.encode(engine: engine, input: x, output: expanded, into: recorder)
        let normalized = try engine.makeTensor(shape: expanded.shape)
        try engine.encodeGroupNorm(
            expanded, groups: Self.groups, gamma: normScale, beta: normShift, output: normalized, into: recorder)
        let activated = try engine.makeTensor(shape: expanded.shape)
        try engine.encodeElementwise(.activation, normalized, activation: .relu, output: activated, into: recorder)
        let output = try engine.makeTensor(shape: x.shape)
        try project.encode(engine: engine, input: activated, residual: x, output: output, into: recorder)
        return output
    }
}
