import RecastGPU

/// A PyTorch `nn.Linear` over the last dimension: `activation(x · Wᵀ + bias (+ residual))`.
struct LinearLayer: Sendable {
    let inputs: Int
    let outputs: Int
    /// [outputs, inputs], PyTorch's layout (read transposed by the GEMM).
    let weight: Tensor
    let bias: Tensor?
    let activation: Activation

    /// Allocates the output ([..., outputs]) and records the layer, adding `residual` (the output's shape) before the activation.
    func record(_ input: Tensor, residual: Tensor? = nil, engine: TensorEngine, into recorder: CommandRecorder) throws -> Tensor {
        guard input.shape.last == inputs else {
            throw NNError.shapeMismatch(op: "linear", detail: "input \(input.shape) for \(inputs) inputs")
        }
        let output = try engine.makeTensor(shape: Array(input.shape.dropLast()) + [outputs])
        try engine.encodeMatmul(
            input.flattenedRows(), weight, transposeB: true, bias: bias, residual: residual, activation: activation,
            output: output.flattenedRows(), into: recorder)
        return output
    }
}

/// Per-channel scale and shift of a GroupNorm or LayerNorm.
struct NormParameters: Sendable {
    let gamma: Tensor
    let beta: Tensor
    let epsilon: Float
}

extension Tensor {
    /// The same buffer seen with another shape of the same element count (NHWC [N, H, W, C] is [N, H·W, C] as tokens).
    func reshaped(_ shape: [Int]) -> Tensor {
        precondition(shape.reduce(1, *) == elementCount, "reshape \(self.shape) to \(shape)")
        return Tensor(buffer: buffer, shape: shape, precision: precision)
    }

    /// [rows, last dimension].
    func flattenedRows() -> Tensor {
        reshaped([elementCount / shape.last!, shape.last!])
    }
}
