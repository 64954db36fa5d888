import RecastGPU

/// TAEF2's decoder: latent (32 channels at 1/8 size) → image.
/// tanh(x/3)·3, conv3×3(32→64), ReLU, then three times [Block×3, nearest upsample ×2, conv3×3 (no bias)],
/// Block, conv3×3(64→3); the Blocks of the first (1/8-size) stage have the channel-MLP pre-step.
/// `@unchecked Sendable`: it holds only immutable layers; calls are serialized by `TensorEngine.run`.
public final class TAEF2Decoder: @unchecked Sendable {
    public let engine: TensorEngine
    /// The soft clamp's bound: latents are squashed into (-3, 3) before decoding.
    static let latentBound: Float = 3
    let input: ConvolutionLayer
    let stages: [(blocks: [TAEF2Block], upsampleConv: ConvolutionLayer)]
    let finalBlock: TAEF2Block
    let output: ConvolutionLayer

    /// Loads the `decoder.*` tensors of Models/taef2/taef2.safetensors.
    public init(engine: TensorEngine, weights file: SafeTensorsFile) throws {
        self.engine = engine
        let width = TAEF2Block.channels
        input = try ConvolutionLayer(
            engine: engine, file: file, prefix: "decoder.input",
            shape: ConvolutionShape(inChannels: TAEF2Encoder.latentChannels, outChannels: width, kernel: 3), hasBias: true,
            activation: .relu)
        stages = try (1...3).map { stage in
            let prefix = "decoder.stage\(stage)"
            let blocks = try (1...3).map {
                try TAEF2Block(engine: engine, file: file, prefix: "\(prefix).block\($0)", hasMLP: stage == 1)
            }
            let upsampleConv = try ConvolutionLayer(
                engine: engine, file: file, prefix: "\(prefix).upsample_conv",
                shape: ConvolutionShape(inChannels: width, outChannels: width, kernel: 3), hasBias: false)
            return (blocks, upsampleConv)
        }
        finalBlock = try TAEF2Block(engine: engine, file: file, prefix: "decoder.final_block", hasMLP: false)
        output = try ConvolutionLayer(
            engine: engine, file: file, prefix: "decoder.output",
            shape: ConvolutionShape(inChannels: width, outChannels: 3, kernel: 3), hasBias: true)
    }

    /// Records the decoding of `latent` ([N, h, w, 32], as the encoder makes it) and returns the image
    /// tensor it will hold: [N, 8h, 8w, 3] RGB, nominally in [0, 1] but not clamped.
    public func record(_ latent: Tensor, into recorder: CommandRecorder) throws -> Tensor {
        guard latent.rank == 4, latent.shape[3] == TAEF2Encoder.latentChannels else {
            throw NNError.shapeMismatch(op: "TAEF2 decoder", detail: "latent \(latent.shape): need [N, h, w, 32]")
        }
        let squashed = try engine.makeTensor(shape: latent.shape)
        try engine.encodeElementwise(.scale(1 / Self.latentBound), latent, activation: .tanh, output: squashed, into: recorder)
        let clamped = try engine.makeTensor(shape: latent.shape)
        try engine.encodeElementwise(.scale(Self.latentBound), squashed, output: clamped, into: recorder)
        var x = try input.record(clamped, engine: engine, into: recorder)
        for stage in stages {
            for block in stage.blocks {
                x = try block.record(x, engine: engine, into: recorder)
            }
            let upsampled = try engine.makeTensor(shape: [x.shape[0], x.shape[1] * 2, x.shape[2] * 2, x.shape[3]])
            try engine.encodeResize(x, mode: .nearest, output: upsampled, into: recorder)
            x = try stage.upsampleConv.record(upsampled, engine: engine, into: recorder)
        }
        x = try finalBlock.record(x, engine: engine, into: recorder)
        return try output.record(x, engine: engine, into: recorder)
    }

    /// Decodes `latent` ([N, h, w, 32]) into an image [N, 8h, 8w, 3], RGB nominally in [0, 1] (not clamped).
    public func decode(_ latent: Tensor) throws -> Tensor {
        var image: Tensor?
        try engine.run { image = try record(latent, into: $0) }
        return image!
    }
}
