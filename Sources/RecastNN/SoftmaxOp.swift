import RecastGPU

extension TensorEngine {
    /// Records softmax(scale · x) along the last dimension.
    public func encodeSoftmax(_ input: Tensor, scale: Float = 1, output: Tensor, into recorder: CommandRecorder) throws {
        guard let length = input.shape.last, length > 0, output.elementCount == input.elementCount else {
            throw NNError.shapeMismatch(op: "softmax", detail: "input \(input.shape), output \(output.shape)")
        }
        let kernel = try kernel("softmax", bindings: [.read, .write], pushConstantBytes: 16)
        let rows = input.elementCount / length
        let grid = linearGroups(count: rows, perGroup: 1)
        try recorder.dispatch(
            kernel, buffers: [input.buffer, output.buffer],
            pushConstants: [UInt32(rows), UInt32(length), UInt32(grid.x), scale.word], groups: grid, label: "softmax")
    }

    public func softmax(_ input: Tensor, scale: Float = 1) throws -> Tensor {
        let output = try makeTensor(shape: input.shape)
        try run { try encodeSoftmax(input, scale: scale, output: output, into: $0) }
        return output
    }
}
