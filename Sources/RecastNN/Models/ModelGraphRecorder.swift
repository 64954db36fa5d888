import RecastGPU

/// Records a network's ops once for one input size, allocating each intermediate tensor as it goes;
/// the recorded sequence keeps those tensors alive and is replayed for every frame of that size.
final class ModelGraphRecorder {
    let engine: TensorEngine
    let recorder: CommandRecorder

    init(engine: TensorEngine) {
        self.engine = engine
        recorder = engine.gpu.makeRecorder()
    }

    /// `layer(input)`, with `residual` added before the layer's activation.
    func convolve(_ layer: ConvolutionLayer, _ input: Tensor, residual: Tensor? = nil, poolResidual: Bool = false) throws -> Tensor {
        let output = try engine.makeTensor(shape: layer.outputShape(for: input.shape))
        try layer.encode(engine: engine, input: input, residual: residual, poolResidual: poolResidual, output: output, into: recorder)
        return output
    }

    /// `layer(input)`, with `residual` added before the layer's activation, or 2×2 max-pooled after it (`poolOutput`).
    func convolve(_ layer: DepthwiseConvolutionLayer, _ input: Tensor, residual: Tensor? = nil, poolOutput: Bool = false) throws -> Tensor {
        let output = try engine.makeTensor(shape: layer.outputShape(for: input.shape, pooled: poolOutput))
        try layer.encode(engine: engine, input: input, residual: residual, poolOutput: poolOutput, output: output, into: recorder)
        return output
    }

    /// `block(input)`, with the block's shortcut.
    func convolve(_ block: DepthwisePointwiseBlock, _ input: Tensor) throws -> Tensor {
        let output = try engine.makeTensor(shape: block.outputShape(for: input.shape))
        try block.encode(engine: engine, input: input, residual: true, output: output, into: recorder)
        return output
    }

    func maxPool2x2(_ input: Tensor) throws -> Tensor {
        let output = try engine.makeTensor(shape: [input.shape[0], input.shape[1] / 2, input.shape[2] / 2, input.shape[3]])
        try engine.encodePool(input, mode: .max, kernel: 2, stride: 2, output: output, into: recorder)
        return output
    }

    /// `lateral + nearest2×(coarse)`: the feature pyramid's top-down merge.
    func addUpsampled(_ coarse: Tensor, to lateral: Tensor) throws -> Tensor {
        let upsampled = try engine.makeTensor(shape: lateral.shape)
        try engine.encodeResize(coarse, mode: .nearest, output: upsampled, into: recorder)
        let sum = try engine.makeTensor(shape: lateral.shape)
        try engine.encodeElementwise(.add, lateral, upsampled, output: sum, into: recorder)
        return sum
    }
}
