import RecastGPU

extension TensorEngine {
    /// Records `output = a·(1 − mask) + b·mask` for NHWC images `a` and `b` of one shape,
    /// with a single-channel `mask` [N, H, W, 1] shared by all channels of a pixel.
    public func encodeMaskedBlend(_ a: Tensor, _ b: Tensor, mask: Tensor, output: Tensor, into recorder: CommandRecorder) throws {
        guard a.rank == 4, a.shape == b.shape, a.shape == output.shape, mask.shape == Array(a.shape.dropLast()) + [1],
              a.elementCount > 0
        else {
            throw NNError.shapeMismatch(op: "maskedBlend", detail: "a \(a.shape), b \(b.shape), mask \(mask.shape), output \(output.shape)")
        }
        let kernel = try kernel("masked_blend", bindings: [.read, .read, .read, .write], pushConstantBytes: 12)
        let grid = linearGroups(count: a.elementCount, perGroup: 256)
        try recorder.dispatch(
            kernel, buffers: [a.buffer, b.buffer, mask.buffer, output.buffer],
            pushConstants: [UInt32(a.elementCount), UInt32(grid.x), UInt32(a.shape[3])], groups: grid, label: "maskedBlend")
    }

    /// Runs `encodeMaskedBlend` and returns the blend.
    public func maskedBlend(_ a: Tensor, _ b: Tensor, mask: Tensor) throws -> Tensor {
        let output = try makeTensor(shape: a.shape)
        try run { try encodeMaskedBlend(a, b, mask: mask, output: output, into: $0) }
        return output
    }
}
