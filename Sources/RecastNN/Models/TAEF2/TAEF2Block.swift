import RecastGPU

/// TAEF2's residual Block: ReLU(conv3(ReLU(conv2(ReLU(conv1(x))))) + x), 3×3 convolutions with bias,
/// preceded in the low-resolution Blocks by a channel MLP (x ← x + mlp(x)).
struct TAEF2Block {
    static let channels = 64
    let mlp: TAEF2ChannelMLP?
    let conv1: ConvolutionLayer
    let conv2: ConvolutionLayer
    let conv3: ConvolutionLayer

    init(engine: TensorEngine, file: SafeTensorsFile, prefix: String, hasMLP: Bool) throws {
        let shape = ConvolutionShape(inChannels: Self.channels, outChannels: Self.channels, kernel: 3)
        mlp = hasMLP ? try TAEF2ChannelMLP(engine: engine, file: file, prefix: "\(prefix).mlp", channels: Self.channels) : nil
        conv1 = try ConvolutionLayer(engine: engine, file: file, prefix: "\(prefix).conv1", shape: shape, hasBias: true, activation: .relu)
        conv2 = try ConvolutionLayer(engine: engine, file: file, prefix: "\(prefix).conv2", shape: shape, hasBias: true, activation: .relu)
        // Its epilogue adds the skip connection before the ReLU.
        conv3 = try ConvolutionLayer(engine: engine, file: file, prefix: "\(prefix).conv3", shape: shape, hasBias: true, activation: .relu)
    }

    func record(_ input: Tensor, engine: TensorEngine, into recorder: CommandRecorder) throws -> Tensor {
        let x = try mlp?.record(input, engine: engine, into: recorder) ?? input
        let h1 = try conv1.record(x, engine: engine, into: recorder)
        let h2 = try conv2.record(h1, engine: engine, into: recorder)
        let output = try engine.makeTensor(shape: x.shape)
        try conv3.encode(engine: engine, input: h2, residual: x, output: output, into: recorder)
        return output
    }
}
