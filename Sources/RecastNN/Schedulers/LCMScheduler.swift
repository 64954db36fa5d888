import Foundation

/// diffusers' `LCMScheduler` (ε prediction, σ_data 0.5): timesteps evenly chosen from the distillation schedule
/// of `originalSteps` steps, limited to its first `strength` fraction for img2img (as
/// LatentConsistencyModelImg2ImgPipeline asks for them), consistency boundary scalings, and fresh noise
/// between steps.
public struct LCMScheduler: FewStepScheduler {
    public let timesteps: [Float]
    let timestepIndices: [Int]
    let alphasCumulative: [Float]
    let timestepScaling: Float
    static let sigmaData: Float = 0.5

    public init(schedule: NoiseSchedule = NoiseSchedule(), steps: Int, strength: Float = 1, originalSteps: Int = 50, timestepScaling: Float = 10) {
        let k = schedule.trainTimesteps / originalSteps
        let origin = (1...max(Int(Float(originalSteps) * strength), 1)).map { $0 * k - 1 }
        precondition(steps > 0 && origin.count / steps >= 1, "\(steps) steps from \(origin.count) distillation timesteps")
        let descending = Array(origin.reversed())
        // np.floor(np.linspace(0, len, steps, endpoint=False))
        timestepIndices = (0..<steps).map { descending[Int((Double($0) * Double(descending.count) / Double(steps)).rounded(.down))] }
        timesteps = timestepIndices.map(Float.init)
        alphasCumulative = schedule.alphasCumulative
        self.timestepScaling = timestepScaling
    }

    public func drawsNoise(atStep index: Int) -> Bool { index < timesteps.count - 1 }

    /// √ᾱ·x + √(1 − ᾱ)·noise at the first timestep.
    public func addNoise(to latent: [Float], noise: [Float]) -> [Float] {
        let alpha = alphasCumulative[timestepIndices[0]]
        return zip(latent, noise).map { alpha.squareRoot() * $0 + (1 - alpha).squareRoot() * $1 }
    }

    public func modelInput(_ sample: [Float], step index: Int) -> [Float] { sample }

    /// c_out·x̂₀ + c_skip·x, re-noised to the next timestep unless this is the last step.
    public func step(_ sample: [Float], prediction: [Float], step index: Int, noise: [Float]?) -> [Float] {
        let timestep = timestepIndices[index]
        let alpha = alphasCumulative[timestep]
        let scaled = Float(timestep) * timestepScaling
        let sigmaData2 = Self.sigmaData * Self.sigmaData
        let cSkip = sigmaData2 / (scaled * scaled + sigmaData2)
        let cOut = scaled / (scaled * scaled + sigmaData2).squareRoot()
        let denoised = zip(sample, prediction).map { x, epsilon in
            cOut * ((x - (1 - alpha).squareRoot() * epsilon) / alpha.squareRoot()) + cSkip * x
        }
        guard drawsNoise(atStep: index), let noise else { return denoised }
        let next = alphasCumulative[timestepIndices[index + 1]]
        return zip(denoised, noise).map { next.squareRoot() * $0 + (1 - next).squareRoot() * $1 }
    }

    /// The LCM pipelines' guidance-scale embedding (the UNet's timestep condition for LCM-distilled models):
    /// sinusoidal features of w = (guidanceScale − 1)·1000, [sin | cos], zero-padded to `dimension`.
    public static func guidanceScaleEmbedding(guidanceScale: Float, dimension: Int) -> [Float] {
        let half = dimension / 2
        let w = (guidanceScale - 1) * 1000
        let step = Float(log(10000.0)) / Float(half - 1)
        let angles = (0..<half).map { w * exp(Float($0) * -step) }
        return angles.map(sin) + angles.map(cos) + [Float](repeating: 0, count: dimension - 2 * half)
    }
}
