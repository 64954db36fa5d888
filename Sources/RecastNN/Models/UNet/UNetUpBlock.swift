/// diffusers' `UpBlock2D` / `CrossAttnUpBlock2D`: each ResNet takes the running map concatenated (along channels)
/// with the most recent skip connection, followed by a transformer in the cross-attention variant; then, unless it
/// is the last block, a nearest upsample to the next skip's size and a 3×3 conv.
struct UNetUpBlock: Sendable {
    let resnets: [ResnetBlock2D]
    let attentions: [Transformer2DModel]
    let upsampler: ConvolutionLayer?

    /// `skipChannels`: the channels of the skips each ResNet takes, in the order they are taken.
    init(
        weights: DiffusersWeights, index: Int, type: UNetBlockType, previousOutputs: Int, skipChannels: [Int], outputs: Int,
        transformerLayers: Int, heads: Int, upsample: Bool, settings s: UNetLayerSettings
    ) throws {
        let prefix = "up_blocks.\(index)"
        resnets = try skipChannels.enumerated().map { layer, skip in
            try ResnetBlock2D(
                weights: weights, prefix: "\(prefix).resnets.\(layer)", inputs: (layer == 0 ? previousOutputs : outputs) + skip,
                outputs: outputs, embedding: s.embedding, groups: s.groups, epsilon: s.epsilon)
        }
        attentions = type.hasCrossAttention
            ? try skipChannels.indices.map {
                try Transformer2DModel(
                    weights: weights, prefix: "\(prefix).attentions.\($0)", channels: outputs, heads: heads,
                    layers: transformerLayers, contextDimension: s.contextDimension, groups: s.groups)
            }
            : []
        upsampler = upsample
            ? try weights.convolution("\(prefix).upsamplers.0.conv", ConvolutionShape(inChannels: outputs, outChannels: outputs, kernel: 3))
            : nil
    }

    func record(_ input: Tensor, embedding: Tensor, context: Tensor, skips: inout [Tensor], _ r: UNetRecording) throws -> Tensor {
        var x = input
        for (index, resnet) in resnets.enumerated() {
            x = try resnet.record(try r.concatChannels([x, skips.removeLast()]), embedding: embedding, r)
            if !attentions.isEmpty {
                x = try attentions[index].record(x, context: context, r)
            }
        }
        if let upsampler, let next = skips.last {
            // The next skip's size, as diffusers passes `upsample_size` (2× unless a side was odd on the way down).
            x = try r.convolve(upsampler, try r.resizeNearest(x, height: next.shape[1], width: next.shape[2]))
        }
        return x
    }
}
