/// diffusers' `DecoderTiny`: tanh(x/3)·3, 3×3 conv and ReLU, then per stage its blocks, a nearest upsample
/// (all but the last stage) and a 3×3 conv (no bias, except the last one, which maps to the image channels);
/// the result is mapped from [0, 1] to [-1, 1]. Keys `decoder.layers.<n>` count every module, ReLU and
/// upsample included.
struct AutoencoderTinyDecoder: Sendable {
    static let latentBound: Float = 3
    let input: ConvolutionLayer
    let stages: [(blocks: [AutoencoderTinyBlock], upsample: Bool, output: ConvolutionLayer)]
    let upsamplingFactor: Int

    init(weights: DiffusersWeights, configuration c: AutoencoderTinyConfiguration) throws {
        upsamplingFactor = c.upsamplingFactor
        input = try weights.convolution(
            "decoder.layers.0", ConvolutionShape(inChannels: c.latentChannels, outChannels: c.decoderBlockOutChannels[0], kernel: 3),
            activation: .relu)
        var index = 2
        func next() -> String {
            defer { index += 1 }
            return "decoder.layers.\(index)"
        }
        stages = try c.decoderBlocks.enumerated().map { stage, blockCount in
            let channels = c.decoderBlockOutChannels[stage]
            let isLast = stage == c.decoderBlocks.count - 1
            let blocks = try (0..<blockCount).map { _ in try AutoencoderTinyBlock(weights: weights, prefix: next(), channels: channels) }
            if !isLast {
                index += 1
            }
            let output = try weights.convolution(
                next(), ConvolutionShape(inChannels: channels, outChannels: isLast ? c.outChannels : channels, kernel: 3), bias: isLast)
            return (blocks, !isLast, output)
        }
    }

    /// `latent`: [1, h, w, latent channels] NHWC. Returns the image in [-1, 1] (not clamped).
    func record(_ latent: Tensor, _ r: UNetRecording) throws -> Tensor {
        let squashed = try r.engine.makeTensor(shape: latent.shape)
        try r.engine.encodeElementwise(.scale(1 / Self.latentBound), latent, activation: .tanh, output: squashed, into: r.recorder)
        var x = try r.convolve(input, try r.elementwise(.scale(Self.latentBound), squashed))
        for stage in stages {
            for block in stage.blocks {
                x = try block.record(x, r)
            }
            if stage.upsample {
                x = try r.resizeNearest(x, height: x.shape[1] * upsamplingFactor, width: x.shape[2] * upsamplingFactor)
            }
            x = try r.convolve(stage.output, x)
        }
        return try r.elementwise(.scale(2, offset: -1), x)
    }
}
