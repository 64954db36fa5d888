import RecastGPU

extension ConvolutionLayer {
    /// Allocates the output for `input` and records this convolution into it.
    func record(_ input: Tensor, engine: TensorEngine, into recorder: CommandRecorder) throws -> Tensor {
        let output = try engine.makeTensor(shape: outputShape(for: input.shape))
        try encode(engine: engine, input: input, output: output, into: recorder)
        return output
    }
}
