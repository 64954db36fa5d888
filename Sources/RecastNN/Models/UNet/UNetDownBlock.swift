/// diffusers' `DownBlock2D` / `CrossAttnDownBlock2D`: ResNets (each followed by a transformer in the
/// cross-attention variant), then a stride-2 conv unless it is the last block. Every ResNet/transformer output
/// and the downsampled map are kept as skip connections, as diffusers keeps them.
struct UNetDownBlock: Sendable {
    let resnets: [ResnetBlock2D]
    let attentions: [Transformer2DModel]
    let downsampler: ConvolutionLayer?

    init(
        weights: DiffusersWeights, index: Int, type: UNetBlockType, inputs: Int, outputs: Int, layers: Int,
        transformerLayers: Int, heads: Int, downsample: Bool, settings s: UNetLayerSettings
    ) throws {
        let prefix = "down_blocks.\(index)"
        resnets = try (0..<layers).map {
            try ResnetBlock2D(
                weights: weights, prefix: "\(prefix).resnets.\($0)", inputs: $0 == 0 ? inputs : outputs, outputs: outputs,
                embedding: s.embedding, groups: s.groups, epsilon: s.epsilon)
        }
        attentions = type.hasCrossAttention
            ? try (0..<layers).map {
                try Transformer2DModel(
                    weights: weights, prefix: "\(prefix).attentions.\($0)", channels: outputs, heads: heads,
                    layers: transformerLayers, contextDimension: s.contextDimension, groups: s.groups)
            }
            : []
        downsampler = downsample
            ? try weights.convolution(
                "\(prefix).downsamplers.0.conv", ConvolutionShape(inChannels: outputs, outChannels: outputs, kernel: 3, stride: 2))
            : nil
    }

    func record(_ input: Tensor, embedding: Tensor, context: Tensor, skips: inout [Tensor], _ r: UNetRecording) throws -> Tensor {
        var x = input
        for (index, resnet) in resnets.enumerated() {
            x = try resnet.record(x, embedding: embedding, r)
            if !attentions.isEmpty {
                x = try attentions[index].record(x, context: context, r)
            }
            skips.append(x)
        }
        if let downsampler {
            x = try r.convolve(downsampler, x)
            skips.append(x)
        }
        return x
    }
}
