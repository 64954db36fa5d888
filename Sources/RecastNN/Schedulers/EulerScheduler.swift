import Foundation

/// diffusers' `EulerDiscreteScheduler` (no churn) with "trailing" timestep spacing, as SD-Turbo
/// ships it, or with `ancestral` its `EulerAncestralDiscreteScheduler` (each step lands at σ_down and adds fresh
/// noise of σ_up), over the img2img part of the schedule that `strength` selects (StableDiffusionImg2ImgPipeline's
/// `get_timesteps`).
public struct EulerScheduler: FewStepScheduler {
    public let timesteps: [Float]
    /// σ at each timestep, then 0 after the last.
    public let sigmas: [Float]
    public let ancestral: Bool
    public let prediction: Prediction

    /// What the UNet predicts (diffusers' `prediction_type`).
    public enum Prediction: String, Sendable {
        /// The noise ε.
        case epsilon
        /// The clean sample x̂₀.
        case sample
    }

    /// - steps: the full schedule's length; strength in (0, 1]: the fraction of it that runs (at least one step).
    public init(
        schedule: NoiseSchedule = NoiseSchedule(), steps: Int, strength: Float = 1, ancestral: Bool = false, prediction: Prediction = .epsilon
    ) {
        self.ancestral = ancestral
        self.prediction = prediction
        precondition(steps > 0 && strength > 0 && strength <= 1, "steps \(steps), strength \(strength)")
        let train = schedule.trainTimesteps
        // np.round(np.arange(train, 0, -train / steps)) - 1
        let spacing = Double(train) / Double(steps)
        let full = (0..<steps).map { Int((Double(train) - Double($0) * spacing).rounded(.toNearestOrEven)) - 1 }
        let kept = min(Int(Float(steps) * strength), steps)
        let start = max(steps - max(kept, 1), 0)
        let selected = Array(full[start...])
        timesteps = selected.map(Float.init)
        sigmas = selected.map(schedule.sigma) + [0]
    }

    /// The ancestral sampler draws at every step, as diffusers does (the last step's σ_up is 0).
    public func drawsNoise(atStep index: Int) -> Bool { ancestral }

    public func addNoise(to latent: [Float], noise: [Float]) -> [Float] {
        zip(latent, noise).map { $0 + $1 * sigmas[0] }
    }

    public func modelInput(_ sample: [Float], step index: Int) -> [Float] {
        let scale = (sigmas[index] * sigmas[index] + 1).squareRoot()
        return sample.map { $0 / scale }
    }

    /// x + (x − x̂₀)/σ · (σ_target − σ), x̂₀ = x − σ·ε (or the prediction itself when it is the clean sample), as
    /// diffusers evaluates it; the target is σ_next, or for the ancestral sampler σ_down, with noise·σ_up added.
    public func step(_ sample: [Float], prediction: [Float], step index: Int, noise: [Float]?) -> [Float] {
        let sigma = sigmas[index], next = sigmas[index + 1]
        let up = ancestral ? (next * next * (sigma * sigma - next * next) / (sigma * sigma)).squareRoot() : 0
        let target = ancestral ? (next * next - up * up).squareRoot() : next
        let predictsSample = self.prediction == .sample
        let stepped = zip(sample, prediction).map { x, predicted in
            let original = predictsSample ? predicted : x - sigma * predicted
            return x + (x - original) / sigma * (target - sigma)
        }
        guard ancestral, let noise else { return stepped }
        return zip(stepped, noise).map { $0 + $1 * up }
    }
}
