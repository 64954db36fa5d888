/// diffusers' `Transformer2DModel` over a feature map: GroupNorm (ε 1e-6), proj_in (1×1 conv or linear: the same
/// product on NHWC tokens), BasicTransformerBlocks, proj_out, plus the input.
struct Transformer2DModel: Sendable {
    static let epsilon: Float = 1e-6
    let groups: Int
    let norm: NormParameters
    let projectionIn: LinearLayer
    let blocks: [BasicTransformerBlock]
    let projectionOut: LinearLayer

    init(weights: DiffusersWeights, prefix: String, channels: Int, heads: Int, layers: Int, contextDimension: Int, groups: Int) throws {
        self.groups = groups
        norm = try weights.norm("\(prefix).norm", channels: channels, epsilon: Self.epsilon)
        projectionIn = try weights.projection("\(prefix).proj_in", inputs: channels, outputs: channels)
        blocks = try (0..<layers).map {
            try BasicTransformerBlock(
                weights: weights, prefix: "\(prefix).transformer_blocks.\($0)", dimension: channels,
                contextDimension: contextDimension, heads: heads)
        }
        projectionOut = try weights.projection("\(prefix).proj_out", inputs: channels, outputs: channels)
    }

    /// `x`: [1, H, W, C]; `context`: [1, S, contextDimension].
    func record(_ x: Tensor, context: Tensor, _ r: UNetRecording) throws -> Tensor {
        let tokenShape = [x.shape[0], x.shape[1] * x.shape[2], x.shape[3]]
        let normalized = try r.groupNorm(x, norm, groups: groups, silu: false)
        var tokens = try r.linear(projectionIn, normalized.reshaped(tokenShape))
        for block in blocks {
            tokens = try block.record(tokens, context: context, r)
        }
        return try r.linear(projectionOut, tokens, residual: x.reshaped(tokenShape)).reshaped(x.shape)
    }
}
