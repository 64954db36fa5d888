/// diffusers' `Attention` with its default processor: to_q/to_k/to_v (no bias), multi-head scaled dot-product
/// attention, to_out.0 (with bias). The transformer block's residual is added in to_out's epilogue.
struct AttentionLayer: Sendable {
    let heads: Int
    let query: LinearLayer
    let key: LinearLayer
    let value: LinearLayer
    let output: LinearLayer

    /// `contextDimension`: the width of the tokens keys and values come from (the query width for self-attention).
    init(weights: DiffusersWeights, prefix: String, dimension: Int, contextDimension: Int, heads: Int) throws {
        self.heads = heads
        query = try weights.linear("\(prefix).to_q", inputs: dimension, outputs: dimension, bias: false)
        key = try weights.linear("\(prefix).to_k", inputs: contextDimension, outputs: dimension, bias: false)
        value = try weights.linear("\(prefix).to_v", inputs: contextDimension, outputs: dimension, bias: false)
        output = try weights.linear("\(prefix).to_out.0", inputs: dimension, outputs: dimension)
    }

    /// `hidden`: [1, tokens, dimension]; `context`: [1, contextTokens, contextDimension]. Returns residual + attention.
    func record(_ hidden: Tensor, context: Tensor, residual: Tensor, _ r: UNetRecording) throws -> Tensor {
        let q = try r.linear(query, hidden)
        let k = try r.linear(key, context)
        let v = try r.linear(value, context)
        return try r.linear(output, try r.attention(q: q, k: k, v: v, heads: heads), residual: residual)
    }

    /// Self-attention over `hidden` ([1, T, dimension]); with extras from the pass's hook (identity/temporal
    /// attention), (1 − w)·attention(q, k, v) + w·attention(q, [k; extras], [v; extras]). Returns residual + that.
    func recordSelf(_ hidden: Tensor, residual: Tensor, _ r: UNetRecording) throws -> Tensor {
        guard let hook = r.selfAttention else {
            return try record(hidden, context: hidden, residual: residual, r)
        }
        let q = try r.linear(query, hidden)
        let k = try r.linear(key, hidden)
        let v = try r.linear(value, hidden)
        let plain = try r.attention(q: q, k: k, v: v, heads: heads)
        guard let (extras, weight) = hook.next(keys: k, values: v) else {
            return try r.linear(output, plain, residual: residual)
        }
        let extended = try r.attention(
            q: q, k: k, v: v, extraKeys: try r.concatTokens(extras.map(\.keys)), extraValues: try r.concatTokens(extras.map(\.values)),
            heads: heads)
        let blended = try r.elementwise(.add, try r.elementwise(.scale(1 - weight), plain), try r.elementwise(.scale(weight), extended))
        return try r.linear(output, blended, residual: residual)
    }
}
