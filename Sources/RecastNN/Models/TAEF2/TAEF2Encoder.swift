import RecastGPU

/// TAEF2's encoder: image → latent with 32 channels at 1/8 the size.
/// conv3×3(3→64), Block, then three times [conv3×3 stride 2 (no bias), Block×3], conv3×3(64→32);
/// the Blocks of the last (1/8-size) stage have the channel-MLP pre-step.
/// `@unchecked Sendable`: it holds only immutable layers; calls are serialized by `TensorEngine.run`.
public final class TAEF2Encoder: @unchecked Sendable {
    public let engine: TensorEngine
    public static let latentChannels = 32
    /// Image sides must be multiples of this so that decode(encode(x)) has x's size.
    public static let downscale = 8
    let stem: ConvolutionLayer
    let stemBlock: TAEF2Block
    let stages: [(downsample: ConvolutionLayer, blocks: [TAEF2Block])]
    let output: ConvolutionLayer

    /// Loads the `encoder.*` tensors of Models/taef2/taef2.safetensors.
    public init(engine: TensorEngine, weights file: SafeTensorsFile) throws {
        self.engine = engine
        let width = TAEF2Block.channels
        stem = try ConvolutionLayer(
            engine: engine, file: file, prefix: "encoder.stem",
            shape: ConvolutionShape(inChannels: 3, outChannels: width, kernel: 3), hasBias: true)
        stemBlock = try TAEF2Block(engine: engine, file: file, prefix: "encoder.stem_block", hasMLP: false)
        stages = try (1...3).map { stage in
            let prefix = "encoder.stage\(stage)"
            let downsample = try ConvolutionLayer(
                engine: engine, file: file, prefix: "\(prefix).downsample",
                shape: ConvolutionShape(inChannels: width, outChannels: width, kernel: 3, stride: 2), hasBias: false)
            let blocks = try (1...3).map {
                try TAEF2Block(engine: engine, file: file, prefix: "\(prefix).block\($0)", hasMLP: stage == 3)
            }
            return (downsample, blocks)
        }
        output = try ConvolutionLayer(
            engine: engine, file: file, prefix: "encoder.output",
            shape: ConvolutionShape(inChannels: width, outChannels: Self.latentChannels, kernel: 3), hasBias: true)
    }

    /// Records the encoding of `image` ([N, H, W, 3] RGB in [0, 1], H and W multiples of 8) and returns
    /// the latent tensor it will hold: [N, H/8, W/8, 32], unscaled (as TAEF2 outputs it, roughly in [-5, 5]).
    public func record(_ image: Tensor, into recorder: CommandRecorder) throws -> Tensor {
        guard image.rank == 4, image.shape[3] == 3,
              image.shape[1] % Self.downscale == 0, image.shape[2] % Self.downscale == 0
        else {
            throw NNError.shapeMismatch(op: "TAEF2 encoder", detail: "image \(image.shape): need [N, H, W, 3] with H, W multiples of 8")
        }
        var x = try stem.record(image, engine: engine, into: recorder)
        x = try stemBlock.record(x, engine: engine, into: recorder)
        for stage in stages {
            x = try stage.downsample.record(x, engine: engine, into: recorder)
            for block in stage.blocks {
                x = try block.record(x, engine: engine, into: recorder)
            }
        }
        return try output.record(x, engine: engine, into: recorder)
    }

    /// Encodes `image` ([N, H, W, 3] RGB in [0, 1], H and W multiples of 8) into its latent [N, H/8, W/8, 32].
    public func encode(_ image: Tensor) throws -> Tensor {
        var latent: Tensor?
        try engine.run { latent = try record(image, into: $0) }
        return latent!
    }
}
