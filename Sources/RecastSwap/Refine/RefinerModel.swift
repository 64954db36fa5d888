import Foundation
import RecastNN

/// A refiner loaded from a diffusers-style pipeline directory:
/// `unet/` (UNet2DConditionModel with either its `prompt_embedding.safetensors`, made by tools/unet_prompt_embedding.py,
/// or an `identity_projection.safetensors` that makes its cross-attention tokens from the reference's MobileFace
/// embedding), `vae/` (an AutoencoderTiny such as TAESD; without it a UNet on 32-channel latents uses the bundled
/// TAEF2), and optionally `scheduler/scheduler_config.json` (EulerDiscreteScheduler, the default,
/// EulerAncestralDiscreteScheduler or LCMScheduler).
/// A UNet taking twice the autoencoder's channels is image-conditioned: the composite's latent is appended to its
/// input at every step (as the bundled refiner, tools/refiner, is trained).
struct RefinerModel: Sendable {
    let unet: UNet2DConditionModel
    let codec: any LatentCodec
    let condition: Condition
    let sampler: Sampler
    /// What the UNet predicts: noise (most checkpoints) or the clean latent; Euler samplers only.
    let prediction: EulerScheduler.Prediction
    let imageConditioned: Bool
    /// Whether the UNet's output is the clean latent's change from the composite's latent (scheduler
    /// `prediction_type` "condition_residual", Recast's own, as the bundled refiner is trained); image-conditioned
    /// UNets only.
    let predictsConditionResidual: Bool

    /// What the cross-attention attends to.
    enum Condition: Sendable {
        case prompt(PromptEmbedding)
        case identity(IdentityProjection)
    }

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
        if FileManager.default.fileExists(atPath: "\(unetPath)/\(IdentityProjection.fileName)") {
            condition = .identity(try IdentityProjection(unetDirectory: unetPath, width: unet.configuration.crossAttentionDimension))
        } else if FileManager.default.fileExists(atPath: "\(unetPath)/\(PromptEmbedding.fileName)") {
            condition = .prompt(try PromptEmbedding(unetDirectory: unetPath))
        } else {
            throw RefinerError.unusableModel(
                directory, reason: "no unet/\(PromptEmbedding.fileName) (make it with tools/unet_prompt_embedding.py) "
                    + "and no unet/\(IdentityProjection.fileName)")
        }
        let vaePath = root.appendingPathComponent("vae").path
        let latentChannels = unet.configuration.outChannels
        imageConditioned = unet.configuration.inChannels == 2 * latentChannels
        if FileManager.default.fileExists(atPath: "\(vaePath)/config.json") {
            codec = AutoencoderTinyCodec(autoencoder: try AutoencoderTiny(engine: engine, directory: vaePath))
        } else if latentChannels == TAEF2Encoder.latentChannels {
            codec = try TAEF2Codec(engine: engine, models: models)
        } else {
            throw RefinerError.unusableModel(
                directory, reason: "no vae/ (an AutoencoderTiny such as TAESD) for the UNet's \(latentChannels)-channel latents")
        }
        guard codec.latentChannels == latentChannels, unet.configuration.inChannels == latentChannels || imageConditioned else {
            throw RefinerError.unusableModel(
                directory, reason: "the UNet takes \(unet.configuration.inChannels) and returns \(latentChannels) latent channels; "
                    + "the autoencoder makes \(codec.latentChannels)")
        }
        (sampler, prediction, predictsConditionResidual) = try Self.sampler(
            in: root.appendingPathComponent("scheduler/scheduler_config.json"), directory: directory, imageConditioned: imageConditioned)
    }

    private static func sampler(
        in configuration: URL, directory: String, imageConditioned: Bool
    ) throws -> (Sampler, EulerScheduler.Prediction, residual: Bool) {
        guard let data = FileManager.default.contents(atPath: configuration.path) else { return (.euler, .epsilon, false) }
        let fields = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        let name = fields?["_class_name"] as? String
        guard let name, let sampler = Sampler(rawValue: name) else {
            throw RefinerError.unusableModel(
                directory, reason: "scheduler \(name ?? "without _class_name") is not one of EulerDiscreteScheduler, "
                    + "EulerAncestralDiscreteScheduler, LCMScheduler")
        }
        let type = fields?["prediction_type"] as? String ?? "epsilon"
        let residual = type == conditionResidual
        if residual && !imageConditioned {
            throw RefinerError.unusableModel(
                directory, reason: "prediction_type \(type) needs a UNet that takes the composite's latent (twice the latent channels)")
        }
        guard let prediction = residual ? .sample : EulerScheduler.Prediction(rawValue: type), prediction == .epsilon || sampler != .lcm else {
            throw RefinerError.unusableModel(
                directory, reason: "prediction_type \(type) with \(name): Recast runs epsilon, and sample or \(conditionResidual) "
                    + "with the Euler schedulers")
        }
        return (sampler, prediction, residual)
    }

    /// The scheduler's `prediction_type` of a UNet that predicts the clean latent minus the composite's.
    static let conditionResidual = "condition_residual"

    /// The schedule for `steps` steps over the fraction `strength` of it.
    func scheduler(steps: Int, strength: Float) -> any FewStepScheduler {
        switch sampler {
        case .euler: EulerScheduler(steps: steps, strength: strength, prediction: prediction)
        case .eulerAncestral: EulerScheduler(steps: steps, strength: strength, ancestral: true, prediction: prediction)
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
