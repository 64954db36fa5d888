import Foundation
import RecastGPU

/// A diffusers `AutoencoderTiny` (TAESD family) on the Vulkan ops, loaded from a diffusers model directory with
/// diffusers' key names. Images are in diffusers' [-1, 1] convention; one image per call.
/// `@unchecked Sendable`: it holds only immutable layers; calls are serialized by `TensorEngine.run`.
public final class AutoencoderTiny: @unchecked Sendable {
    public let engine: TensorEngine
    public let configuration: AutoencoderTinyConfiguration
    let encoder: AutoencoderTinyEncoder
    let decoder: AutoencoderTinyDecoder

    /// Loads `config.json` and `diffusion_pytorch_model.safetensors` (or its `.fp16` variant) from `directory`.
    public convenience init(engine: TensorEngine, directory: String) throws {
        try self.init(
            engine: engine,
            configuration: AutoencoderTinyConfiguration(
                contentsOf: URL(fileURLWithPath: directory).appendingPathComponent("config.json").path),
            weights: DiffusersWeights.modelFile(in: directory))
    }

    public convenience init(engine: TensorEngine, configuration: AutoencoderTinyConfiguration, weights file: SafeTensorsFile) throws {
        try self.init(engine: engine, configuration: configuration, source: file)
    }

    /// An autoencoder of this configuration's exact shape with seeded random weights (for benchmarks without a model).
    public convenience init(engine: TensorEngine, configuration: AutoencoderTinyConfiguration, randomSeed: UInt64) throws {
        try self.init(engine: engine, configuration: configuration, source: SeededRandomWeights(seed: randomSeed))
    }

    init(engine: TensorEngine, configuration: AutoencoderTinyConfiguration, source: any WeightTensorSource) throws {
        self.engine = engine
        self.configuration = configuration
        let weights = DiffusersWeights(engine: engine, source: source)
        encoder = try AutoencoderTinyEncoder(weights: weights, configuration: configuration)
        decoder = try AutoencoderTinyDecoder(weights: weights, configuration: configuration)
    }

    /// Records the encoding of `image` ([1, H, W, in] NHWC, sides multiples of the downscale factor) and
    /// returns the latent tensor [1, H/f, W/f, latent channels].
    public func recordEncode(_ image: Tensor, into recorder: CommandRecorder) throws -> Tensor {
        let f = configuration.downscaleFactor
        guard image.rank == 4, image.shape[0] == 1, image.shape[3] == configuration.inChannels,
              image.shape[1] % f == 0, image.shape[2] % f == 0, image.shape[1] > 0, image.shape[2] > 0
        else {
            throw NNError.shapeMismatch(
                op: "AutoencoderTiny encoder", detail: "image \(image.shape): need [1, H, W, \(configuration.inChannels)], sides multiples of \(f)")
        }
        return try encoder.record(image, UNetRecording(engine: engine, recorder: recorder))
    }

    /// Records the decoding of `latent` ([1, h, w, latent channels] NHWC) and returns the image tensor [1, H, W, out].
    public func recordDecode(_ latent: Tensor, into recorder: CommandRecorder) throws -> Tensor {
        guard latent.rank == 4, latent.shape[0] == 1, latent.shape[3] == configuration.latentChannels else {
            throw NNError.shapeMismatch(
                op: "AutoencoderTiny decoder", detail: "latent \(latent.shape): need [1, h, w, \(configuration.latentChannels)]")
        }
        return try decoder.record(latent, UNetRecording(engine: engine, recorder: recorder))
    }

    /// Encodes an NCHW image [1, in, height, width] into an NCHW latent.
    public func encode(image: [Float], height: Int, width: Int) throws -> [Float] {
        try runNCHW(image, channels: configuration.inChannels, height: height, width: width, record: recordEncode)
    }

    /// Decodes an NCHW latent [1, latent channels, height, width] into an NCHW image.
    public func decode(latent: [Float], height: Int, width: Int) throws -> [Float] {
        try runNCHW(latent, channels: configuration.latentChannels, height: height, width: width, record: recordDecode)
    }

    private func runNCHW(
        _ values: [Float], channels: Int, height: Int, width: Int, record: (Tensor, CommandRecorder) throws -> Tensor
    ) throws -> [Float] {
        guard height > 0, width > 0, values.count == channels * height * width else {
            throw NNError.shapeMismatch(op: "AutoencoderTiny", detail: "\(values.count) values for \(channels)×\(height)×\(width)")
        }
        let input = try engine.makeTensor(
            shape: [1, height, width, channels], values: ChannelLayout.nhwc(fromNCHW: values, channels: channels, height: height, width: width))
        var output: Tensor?
        try engine.run { output = try record(input, $0) }
        let shape = output!.shape
        return ChannelLayout.nchw(fromNHWC: try engine.read(output!), channels: shape[3], height: shape[1], width: shape[2])
    }
}
