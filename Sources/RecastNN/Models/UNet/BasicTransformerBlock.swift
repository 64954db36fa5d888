/// diffusers' `BasicTransformerBlock` (layer_norm type): pre-LayerNorm self-attention, cross-attention to the
/// encoder hidden states, and GEGLU feed-forward, each added to the tokens.
struct BasicTransformerBlock: Sendable {
    static let epsilon: Float = 1e-5
    let norm1: NormParameters
    let selfAttention: AttentionLayer
    let norm2: NormParameters
    let crossAttention: AttentionLayer
    let norm3: NormParameters
    let feedForward: GEGLUFeedForward

    init(weights: DiffusersWeights, prefix: String, dimension: Int, contextDimension: Int, heads: Int) throws {
        norm1 = try weights.norm("\(prefix).norm1", channels: dimension, epsilon: Self.epsilon)
        selfAttention = try AttentionLayer(weights: weights, prefix: "\(prefix).attn1", dimension: dimension, contextDimension: dimension, heads: heads)
        norm2 = try weights.norm("\(prefix).norm2", channels: dimension, epsilon: Self.epsilon)
        crossAttention = try AttentionLayer(
            weights: weights, prefix: "\(prefix).attn2", dimension: dimension, contextDimension: contextDimension, heads: heads)
        norm3 = try weights.norm("\(prefix).norm3", channels: dimension, epsilon: Self.epsilon)
        feedForward = try GEGLUFeedForward(weights: weights, prefix: "\(prefix).ff", dimension: dimension)
    }

    /// `tokens`: [1, T, dimension]; `context`: [1, S, contextDimension].
    func record(_ tokens: Tensor, context: Tensor, _ r: UNetRecording) throws -> Tensor {
        let normalized1 = try r.layerNorm(tokens, norm1)
        let afterSelf = try selfAttention.recordSelf(normalized1, residual: tokens, r)
        let normalized2 = try r.layerNorm(afterSelf, norm2)
        let afterCross = try crossAttention.record(normalized2, context: context, residual: afterSelf, r)
        return try feedForward.record(try r.layerNorm(afterCross, norm3), residual: afterCross, r)
    }
}
