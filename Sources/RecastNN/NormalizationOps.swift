import RecastGPU

extension TensorEngine {
    /// Records GroupNorm over NHWC `input` [N, H, W, C] with per-channel `gamma`/`beta` [C],
    /// optionally followed by SiLU.
    public func encodeGroupNorm(
        _ input: Tensor, groups: Int, gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5, fuseSiLU: Bool = false,
        output: Tensor, into recorder: CommandRecorder
    ) throws {
        guard input.rank == 4, groups > 0, input.shape[3] % groups == 0 else {
            throw NNError.shapeMismatch(op: "groupNorm", detail: "input \(input.shape) with \(groups) groups")
        }
        try encodeNormalization(
            input, images: input.shape[0], pixels: input.shape[1] * input.shape[2], channels: input.shape[3], groups: groups,
            gamma: gamma, beta: beta, epsilon: epsilon, fuseSiLU: fuseSiLU, output: output, into: recorder, label: "groupNorm")
    }

    /// Records LayerNorm over the last dimension of `input` with `gamma`/`beta` of that size.
    public func encodeLayerNorm(
        _ input: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5, output: Tensor, into recorder: CommandRecorder
    ) throws {
        guard let width = input.shape.last, width > 0 else {
            throw NNError.shapeMismatch(op: "layerNorm", detail: "input \(input.shape)")
        }
        try encodeNormalization(
            input, images: input.elementCount / width, pixels: 1, channels: width, groups: 1,
            gamma: gamma, beta: beta, epsilon: epsilon, fuseSiLU: false, output: output, into: recorder, label: "layerNorm")
    }

    public func groupNorm(_ input: Tensor, groups: Int, gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5, fuseSiLU: Bool = false) throws -> Tensor {
        let output = try makeTensor(shape: input.shape)
        try run { try encodeGroupNorm(input, groups: groups, gamma: gamma, beta: beta, epsilon: epsilon, fuseSiLU: fuseSiLU, output: output, into: $0) }
        return output
    }

    public func layerNorm(_ input: Tensor, gamma: Tensor, beta: Tensor, epsilon: Float = 1e-5) throws -> Tensor {
        let output = try makeTensor(shape: input.shape)
        try run { try encodeLayerNorm(input, gamma: gamma, beta: beta, epsilon: epsilon, output: output, into: $0) }
        return output
    }

    private func encodeNormalization(
        _ input: Tensor, images: Int, pixels: Int, channels: Int, groups: Int, gamma: Tensor, beta: Tensor,
        epsilon: Float, fuseSiLU: Bool, output: Tensor, into recorder: CommandRecorder, label: String
    ) throws {
        guard gamma.elementCount == channels, beta.elementCount == channels, output.elementCount == input.elementCount else {
            throw NNError.shapeMismatch(op: label, detail: "input \(input.shape), gamma \(gamma.shape), beta \(beta.shape), output \(output.shape)")
        }
        let kernel = try kernel(
            "normalization", bindings: [.read, .read, .read, .write], pushConstantBytes: 28,
            specialization: [0: fuseSiLU ? 1 : 0])
        let instances = images * groups
        let grid = linearGroups(count: instances, perGroup: 1)
        try recorder.dispatch(
            kernel, buffers: [input.buffer, gamma.buffer, beta.buffer, output.buffer],
            pushConstants: [pixels, channels, channels / groups, groups, instances, grid.x].map { UInt32($0) } + [epsilon.word],
            groups: grid, label: label)
    }
}
