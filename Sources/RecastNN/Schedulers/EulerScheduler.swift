import Foundation

/// diffusers' `EulerDiscreteScheduler` (ε prediction, no churn) with "trailing" timestep spacing, as SD-Turbo
/// ships it, over the img2img part of the schedule that `strength` selects (StableDiffusionImg2ImgPipeline's
/// `get_timesteps`).
public struct EulerScheduler: FewStepScheduler {
    public let timesteps: [Float]
    /// σ at each timestep, then 0 after the last.
    public let sigmas: [Float]

    /// - steps: the full schedule's length; strength in (0, 1]: the fraction of it that runs (at least one step).
    public init(schedule: NoiseSchedule = NoiseSchedule(), steps: Int, strength: Float = 1) {
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

    public func drawsNoise(atStep index: Int) -> Bool { false }

    public func addNoise(to latent: [Float], noise: [Float]) -> [Float] {
        zip(latent, noise).map { $0 + $1 * sigmas[0] }
    }

    public func modelInput(_ sample: [Float], step index: Int) -> [Float] {
        let scale = (sigmas[index] * sigmas[index] + 1).squareRoot()
        return sample.map { $0 / scale }
    }

    /// x + (x − x̂₀)/σ · (σ_next − σ), x̂₀ = x − σ·ε, as diffusers evaluates it.
    public func step(_ sample: [Float], prediction: [Float], step index: Int, noise: [Float]?) -> [Float] {
        let sigma = sigmas[index], delta = sigmas[index + 1] - sigmas[index]
        return zip(sample, prediction).map { x, epsilon in
            let original = x - sigma * epsilon
            return x + (x - original) / sigma * delta
        }
    }
}
