import RecastGPU

extension TensorEngine {
    /// Head sizes the attention shader is built for (a specialization constant).
    public static let attentionHeadDimensions = 1...160
    /// Texel path: queries an invocation computes together, sharing each key and value it fetches
    /// (8 measured best on lavapipe: 2 took 98 ms, 8 52 ms, 16 62 ms in `bench ops`).
    static let queriesPerInvocation = 8

    /// Records multi-head attention softmax(q·kᵀ·scale)·v with online softmax.
    /// - q: [batch, queries, heads·headDim]; k, v: [batch, keys, heads·headDim].
    /// - extraKeys/extraValues: more tokens [batch, extra, heads·headDim], attended after k/v, read in place.
    /// - scale: defaults to 1/√headDim.
    public func encodeAttention(
        q: Tensor, k: Tensor, v: Tensor, extraKeys: Tensor? = nil, extraValues: Tensor? = nil,
        heads: Int, scale: Float? = nil, output: Tensor, into recorder: CommandRecorder
    ) throws {
        guard q.rank == 3, k.rank == 3, v.shape == k.shape, heads > 0, q.shape[2] % heads == 0,
              k.shape[0] == q.shape[0], k.shape[2] == q.shape[2], output.shape == q.shape,
              (extraKeys == nil) == (extraValues == nil), extraKeys.map({ $0.shape == extraValues!.shape && $0.rank == 3
                  && $0.shape[0] == q.shape[0] && $0.shape[2] == q.shape[2] }) ?? true
        else {
            throw NNError.shapeMismatch(
                op: "attention",
                detail: "q \(q.shape), k \(k.shape), v \(v.shape), extra \(extraKeys?.shape ?? []), output \(output.shape), \(heads) heads")
        }
        let headDim = q.shape[2] / heads
        guard Self.attentionHeadDimensions.contains(headDim) else {
            throw NNError.unsupported(op: "attention", detail: "head dimension \(headDim) (supported: \(Self.attentionHeadDimensions))")
        }
        guard k.shape[1] + (extraKeys?.shape[1] ?? 0) > 0 else {
            throw NNError.shapeMismatch(op: "attention", detail: "no keys")
        }
        // On CPU devices, head dimensions of whole texel chunks take the texel path (707 -> 52 ms for
        // 1024 tokens x 5 heads x 64 on lavapipe); GPUs keep shared-memory tiles.
        let texels = takesTexelPath(width: headDim, [q, k, v, output] + [extraKeys, extraValues].compactMap { $0 })
        let kernel = try kernel(
            "attention", bindings: [.read, .read, .read, .read, .read, .write, .texels, .texels, .texels, .texels, .texels, .writeTexels],
            pushConstantBytes: 20, specialization: [0: UInt32(headDim), 1: 16, 2: texels ? 1 : 0, 3: UInt32(Self.queriesPerInvocation)])
        let scaleValue = scale ?? 1 / Float(headDim).squareRoot()
        let inputs = [q, k, v, extraKeys ?? k, extraValues ?? v]
        let queriesPerGroup = texels ? Self.queriesPerInvocation : 1
        try recorder.dispatch(
            kernel,
            buffers: inputs.map(\.buffer) + [output.buffer] + inputs.map(\.buffer) + [output.buffer],
            pushConstants: [q.shape[1], k.shape[1], extraKeys?.shape[1] ?? 0, heads].map { UInt32($0) } + [scaleValue.word],
            groups: ((q.shape[1] + 64 * queriesPerGroup - 1) / (64 * queriesPerGroup), heads, q.shape[0]),
            label: "attention \(q.shape[1])x\(k.shape[1] + (extraKeys?.shape[1] ?? 0)) \(heads)x\(headDim)")
    }

    public func attention(
        q: Tensor, k: Tensor, v: Tensor, extraKeys: Tensor? = nil, extraValues: Tensor? = nil, heads: Int, scale: Float? = nil
    ) throws -> Tensor {
        let output = try makeTensor(shape: q.shape)
        try run {
            try encodeAttention(q: q, k: k, v: v, extraKeys: extraKeys, extraValues: extraValues, heads: heads, scale: scale, output: output, into: $0)
        }
        return output
    }
}
