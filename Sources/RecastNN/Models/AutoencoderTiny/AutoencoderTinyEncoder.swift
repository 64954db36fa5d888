/// diffusers' `EncoderTiny`: (x + 1) / 2, then per stage a 3×3 conv (stride 2 and no bias after the first)
/// and its blocks, then a 3×3 conv to the latent channels. Keys `encoder.layers.<n>` count the convs and
/// blocks in that order.
struct AutoencoderTinyEncoder: Sendable {
    let stages: [(input: ConvolutionLayer, blocks: [AutoencoderTinyBlock])]
    let output: ConvolutionLayer

    init(weights: DiffusersWeights, configuration c: AutoencoderTinyConfiguration) throws {
        var index = 0
        func next() -> String {
            defer { index += 1 }
            return "encoder.layers.\(index)"
        }
        stages = try c.encoderBlocks.enumerated().map { stage, blockCount in
            let channels = c.encoderBlockOutChannels[stage]
            let input = stage == 0
                ? try weights.convolution(next(), ConvolutionShape(inChannels: c.inChannels, outChannels: channels, kernel: 3))
                : try weights.convolution(next(), ConvolutionShape(inChannels: channels, outChannels: channels, kernel: 3, stride: 2), bias: false)
            let blocks = try (0..<blockCount).map { _ in try AutoencoderTinyBlock(weights: weights, prefix: next(), channels: channels) }
            return (input, blocks)
        }
        output = try weights.convolution(
            next(), ConvolutionShape(inChannels: c.encoderBlockOutChannels.last!, outChannels: c.latentChannels, kernel: 3))
    }

    /// `image`: [1, H, W, in] NHWC in diffusers' [-1, 1] convention.
    func record(_ image: Tensor, _ r: UNetRecording) throws -> Tensor {
        var x = try r.elementwise(.scale(0.5, offset: 0.5), image)
        for stage in stages {
            x = try r.convolve(stage.input, x)
            for block in stage.blocks {
                x = try block.record(x, r)
            }
        }
        return try r.convolve(output, x)
    }
}
