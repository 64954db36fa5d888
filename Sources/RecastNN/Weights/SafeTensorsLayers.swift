extension ConvolutionLayer {
    /// A convolution whose weights are `<prefix>.weight` (PyTorch layout [out, in/groups, kh, kw]) and, with
    /// `hasBias`, `<prefix>.bias` ([out]) in `file`; shapes are checked against `shape`.
    public convenience init(
        engine: TensorEngine, file: SafeTensorsFile, prefix: String, shape: ConvolutionShape, hasBias: Bool,
        activation: Activation = .none
    ) throws {
        let weights = try file.floats(
            "\(prefix).weight", shape: [shape.outChannels, shape.groupInChannels, shape.kernelHeight, shape.kernelWidth])
        let bias = hasBias ? try file.floats("\(prefix).bias", shape: [shape.outChannels]) : nil
        try self.init(engine: engine, shape: shape, weights: weights, bias: bias, activation: activation)
    }
}

extension TensorEngine {
    /// The 1-D tensor `name` of `count` values from `file`, uploaded in the engine's precision.
    public func makeVector(_ name: String, count: Int, from file: SafeTensorsFile) throws -> Tensor {
        try makeTensor(shape: [count], values: file.floats(name, shape: [count]))
    }
}
