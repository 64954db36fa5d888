/// diffusers' `UNetMidBlock2DCrossAttn` (one layer): ResNet, transformer, ResNet at the lowest resolution.
struct UNetMidBlock: Sendable {
    let first: ResnetBlock2D
    let attention: Transformer2DModel
    let second: ResnetBlock2D

    init(weights: DiffusersWeights, channels: Int, transformerLayers: Int, heads: Int, settings s: UNetLayerSettings) throws {
        first = try ResnetBlock2D(
            weights: weights, prefix: "mid_block.resnets.0", inputs: channels, outputs: channels, embedding: s.embedding,
            groups: s.groups, epsilon: s.epsilon)
        attention = try Transformer2DModel(
            weights: weights, prefix: "mid_block.attentions.0", channels: channels, heads: heads, layers: transformerLayers,
            contextDimension: s.contextDimension, groups: s.groups)
        second = try ResnetBlock2D(
            weights: weights, prefix: "mid_block.resnets.1", inputs: channels, outputs: channels, embedding: s.embedding,
            groups: s.groups, epsilon: s.epsilon)
    }

    func record(_ x: Tensor, embedding: Tensor, context: Tensor, _ r: UNetRecording) throws -> Tensor {
        let first = try first.record(x, embedding: embedding, r)
        return try second.record(try attention.record(first, context: context, r), embedding: embedding, r)
    }
}
