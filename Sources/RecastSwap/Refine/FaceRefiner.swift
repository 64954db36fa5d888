import Foundation
import RecastNN

/// How the diffusion refinement runs on each face crop.
public struct RefinerSettings: Sendable, Equatable {
    /// UNet calls per refined frame.
    public var steps = 1
    /// How far into the noise schedule img2img starts from the composite (0 < strength ≤ 1).
    public var strength: Float = 0.5
    /// Frames of temporal attention (the sliding window); 0 turns it off.
    public var window = 4
    /// Weight of the extra keys/values (reference face and window) in self-attention; 0 turns both off.
    public var attentionWeight: Float = 0.5
    /// Standard deviation, in pixels of the `side` crop, of the Gaussian blur applied to the change a refinement
    /// makes before it is added to the frame; 0 adds it as made. Keeping the change to its coarse part keeps what
    /// the bundled refiner measurably corrects (colour, light, seams) and leaves the face's fine detail, the
    /// identity's likeness, to the warp (Models/refiner/README.md).
    public var changeBlur: Float = 16
    /// Side of the square face crop the model sees, in pixels (a multiple of 8 · 2^(UNet levels − 1)).
    public var side = 256
    /// The same noise every frame, so that consecutive frames are refined alike.
    public var seed: UInt64 = 0

    public init() {}
}

/// img2img of a face crop through a few-step UNet, with identity attention from the reference face's latent
/// and temporal attention over the last `window` frames (one window per step: frame t's step i attends to the
/// previous frames' step i).
/// `@unchecked Sendable`: one caller refines at a time (the live path's refinement worker); the identity,
/// which a reload replaces from another thread, is guarded by `lock`.
public final class FaceRefiner: @unchecked Sendable {
    public let settings: RefinerSettings
    let model: RefinerModel
    private let scheduler: any FewStepScheduler
    private let windows: [TemporalAttentionWindow]
    private let blur: GaussianBlur?
    private let lock = NSLock()
    private var references: [ReferenceAttention] = []
    /// The cross-attention tokens: the model's prompt, or its projection of the identity's embedding.
    private var encoderStates: [Float]

    public init(engine: TensorEngine, directory: String, models: URL, settings: RefinerSettings) throws {
        guard settings.steps > 0 else { throw RefinerError.invalidSetting("steps", value: "\(settings.steps)", expected: "at least 1") }
        guard settings.strength > 0, settings.strength <= 1 else {
            throw RefinerError.invalidSetting("strength", value: "\(settings.strength)", expected: "a number in (0, 1]")
        }
        guard settings.changeBlur >= 0 else {
            throw RefinerError.invalidSetting("change blur", value: "\(settings.changeBlur)", expected: "0 or more pixels")
        }
        guard settings.window >= 0 else { throw RefinerError.invalidSetting("window", value: "\(settings.window)", expected: "0 or more frames") }
        model = try RefinerModel(engine: engine, directory: directory, models: models)
        let alignment = 8 << (model.unet.configuration.blockOutChannels.count - 1)
        guard settings.side >= alignment, settings.side % alignment == 0 else {
            throw RefinerError.invalidSetting("crop side", value: "\(settings.side)", expected: "a multiple of \(alignment) for this UNet")
        }
        self.settings = settings
        blur = settings.changeBlur > 0 ? GaussianBlur(sigma: settings.changeBlur) : nil
        // `steps` calls over the fraction `strength` of a longer schedule, as diffusers' img2img counts them.
        let length = max(settings.steps, Int((Float(settings.steps) / settings.strength).rounded(.up)))
        scheduler = model.scheduler(steps: length, strength: Float(settings.steps) / Float(length))
        windows = settings.window > 0 ? scheduler.timesteps.map { _ in TemporalAttentionWindow(capacity: settings.window) } : []
        encoderStates = switch model.condition {
        case .prompt(let prompt): prompt.values
        // Until an identity is set: the projection of no embedding.
        case .identity(let projection): projection.bias
        }
    }

    /// UNet calls per refined frame.
    public var stepCount: Int { scheduler.timesteps.count }

    /// Frames currently held in the sliding window (of the first step).
    public var framesInWindow: Int { windows.first?.frames.count ?? 0 }

    /// Takes the reference face (a `side`×`side` RGB crop and its MobileFace embedding): for an identity-conditioned
    /// model the cross-attention tokens of the embedding; with attention extensions on, the crop's keys/values at
    /// every step's timestep, from its clean latent, as reference-only attention conditions on an image.
    public func setIdentity(crop: [UInt8], embedding: [Float]) throws {
        let states = switch model.condition {
        case .prompt(let prompt): prompt.values
        case .identity(let projection): try projection.tokens(for: embedding)
        }
        guard settings.attentionWeight > 0 else {
            lock.withLock { encoderStates = states }
            return
        }
        let latent = try model.codec.encode(rgb: crop, side: settings.side)
        let latentSide = settings.side / 8
        let captured = try scheduler.timesteps.indices.map { step in
            try model.unet.captureReference(
                sample: scheduler.modelInput(latent, step: step) + condition(latent), height: latentSide, width: latentSide,
                timestep: scheduler.timesteps[step], encoderHiddenStates: states, timestepCondition: model.timestepCondition)
        }
        lock.withLock { (references, encoderStates) = (captured, states) }
    }

    /// What an image-conditioned model's input gets appended at every step: the crop's own latent.
    private func condition(_ latent: [Float]) -> [Float] {
        model.imageConditioned ? latent : []
    }

    /// Forgets the sliding window (the face was lost or the stream cut).
    public func resetWindow() {
        windows.forEach { $0.removeAll() }
    }

    /// The crop (`side`×`side` RGB) refined: RGB 0–255 floats of the same size.
    public func refine(crop: [UInt8]) throws -> [Float] {
        try model.codec.decode(latent: refinedLatent(crop: crop).refined, latentSide: settings.side / 8)
    }

    /// What the refinement changes in the crop (RGB 0–255 floats): the refined latent decoded, less the crop's own
    /// latent decoded, then blurred by `changeBlur`. Refined − crop would also hold the autoencoder's round-trip
    /// loss, the fine detail a 1/8-size latent cannot keep: a refiner that changed nothing would still replace
    /// the face with its autoencoded copy.
    /// - skin: where in the crop (`side` × `side` weights, 0–1) the change is taken from: blurred over these pixels
    ///   alone (`GaussianBlur.apply(_:width:height:over:)`), so what the refiner does to the hair, the background
    ///   or the person's own open mouth and eyes is not spread onto the face around them. nil: the whole crop.
    public func change(crop: [UInt8], skin: [Float]? = nil) throws -> [Float] {
        let latentSide = settings.side / 8
        let (latent, refined) = try refinedLatent(crop: crop)
        let after = try model.codec.decode(latent: refined, latentSide: latentSide)
        let before = try model.codec.decode(latent: latent, latentSide: latentSide)
        let change = zip(after, before).map { $0 - $1 }
        guard let blur else { return change }
        guard let skin else { return blur.apply(change, width: settings.side, height: settings.side) }
        return blur.apply(change, width: settings.side, height: settings.side, over: skin)
    }

    /// The crop's latent and its refinement.
    private func refinedLatent(crop: [UInt8]) throws -> (latent: [Float], refined: [Float]) {
        let latentSide = settings.side / 8
        let latent = try model.codec.encode(rgb: crop, side: settings.side)
        let (references, states) = lock.withLock { (self.references, encoderStates) }
        let loop = Img2ImgLoop(
            unet: model.unet, scheduler: scheduler, timestepCondition: model.timestepCondition,
            predictsConditionResidual: model.predictsConditionResidual)
        let weight = settings.attentionWeight
        let refined = try loop.run(
            latent: latent, height: latentSide, width: latentSide, encoderHiddenStates: states, condition: condition(latent),
            extensions: { step in
                guard weight > 0 else { return nil }
                return AttentionExtensions(
                    reference: references.isEmpty ? nil : references[step], temporal: self.windows.isEmpty ? nil : self.windows[step], weight: weight)
            },
            seed: settings.seed)
        return (latent, refined)
    }
}
