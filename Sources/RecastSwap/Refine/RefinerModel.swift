import Foundation
import RecastNN

/// A refiner loaded from a diffusers-style pipeline directory:
/// `unet/` (UNet2DConditionModel with its `prompt_embedding.safetensors`, made by tools/unet_prompt_embedding.py),
/// `vae/` (an AutoencoderTiny such as TAESD; without it a UNet on 32-channel latents uses the bundled TAEF2), and
/// optionally `scheduler/scheduler_config.json` (EulerDiscreteScheduler, the default, EulerAncestralDiscreteScheduler
/// or LCMScheduler).
struct RefinerModel: Sendable {
    let unet: UNet2DConditionModel
    let codec: any LatentCodec
    let prompt: PromptEmbedding
    let sampler: Sampler

    enum Sampler: String, Sendable {
        case euler = "EulerDiscreteScheduler"
        case eulerAncestral = "EulerAncestralDiscreteScheduler"
        case lcm = "LCMScheduler"
    }

    init(engine: TensorEngine, directory: String, models: URL) throws {
        let root = URL(fileURLWithPath: directory)
        let unetPath = root.appendingPathComponent("unet").path
        guard FileManager.default.fileExists(atPath: "\(unetPath)/config.json") else {
            throw RefinerError.unusableModel(directory, reason: "no unet/config.json (give a diffusers pipeline directory with unet/ and vae/)")
        }
        unet = try UNet2DConditionModel(engine: engine, directory: unetPath)
        guard FileManager.default.fileExists(atPath: "\(unetPath)/\(PromptEmbedding.fileName)") else {
            throw RefinerError.unusableModel(
                directory, reason: "no unet/\(PromptEmbedding.fileName); make it with tools/unet_prompt_embedding.py")
        }
        prompt = try PromptEmbedding(unetDirectory: unetPath)
        let vaePath = root.appendingPathComponent("vae").path
        let latentChannels = unet.configuration.inChannels
        if FileManager.default.fileExists(atPath: "\(vaePath)/config.json") {
            codec = AutoencoderTinyCodec(autoencoder: try AutoencoderTiny(engine: engine, directory: vaePath))
        } else if latentChannels == TAEF2Encoder.latentChannels {
            codec = try TAEF2Codec(engine: engine, models: models)
        } else {
            throw RefinerError.unusableModel(
                directory, reason: "no vae/ (an AutoencoderTiny such as TAESD) for the UNet's \(latentChannels)-channel latents")
        }
        guard codec.latentChannels == latentChannels, unet.configuration.outChannels == latentChannels else {
            throw RefinerError.unusableModel(
                directory, reason: "the UNet takes \(latentChannels) and returns \(unet.configuration.outChannels) latent channels; "
                    + "the autoencoder makes \(codec.latentChannels)")
        }
        sampler = try Self.sampler(in: root.appendingPathComponent("scheduler/scheduler_config.json"), directory: directory)
    }

    private static func sampler(in configuration: URL, directory: String) throws -> Sampler {
        guard let data = FileManager.default.contents(atPath: configuration.path) else { return .euler }
        let name = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["_class_name"] as? String
        guard let name, let sampler = Sampler(rawValue: name) else {
            throw RefinerError.unusableModel(
                directory, reason: "scheduler \(name ?? "without _class_name") is not one of EulerDiscreteScheduler, "
                    + "EulerAncestralDiscreteScheduler, LCMScheduler")
        }
        return sampler
    }

    /// The schedule for `steps` steps over the fraction `strength` of it.
    func scheduler(steps: Int, strength: Float) -> any FewStepScheduler {
        switch sampler {
        case .euler: EulerScheduler(steps: steps, strength: strength)
        case .eulerAncestral: EulerScheduler(steps: steps, strength: strength, ancestral: true)
        case .lcm: LCMScheduler(steps: steps, strength: strength)
        }
    }

    /// LCM-distilled UNets take a guidance-scale embedding as their timestep condition.
    var timestepCondition: [Float]? {
        unet.configuration.timeConditionDimension.map { LCMScheduler.guidanceScaleEmbedding(guidanceScale: 8, dimension: $0) }
    }
}

/// Why a refiner cannot be used, in words a user can act on.
public enum RefinerError: Error, CustomStringConvertible, Equatable {
    case unusableModel(String, reason: String)
    case invalidSetting(String, value: String, expected: String)

    public var description: String {
        switch self {
        case .unusableModel(let directory, let reason): "cannot use \(directory) as a refiner: \(reason)"
        case .invalidSetting(let name, let value, let expected): "invalid \(name) '\(value)': expected \(expected)"
        }
    }
}
