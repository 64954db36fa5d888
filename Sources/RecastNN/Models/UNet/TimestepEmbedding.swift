import Foundation

/// diffusers' `Timesteps` (sinusoidal features, computed on the CPU as diffusers computes them in fp32) and
/// `TimestepEmbedding` (linear_1, SiLU, linear_2). The UNet's ResNet blocks all take SiLU of the embedding,
/// so linear_2 carries that SiLU in its epilogue. With `cond_proj` (LCM-distilled UNets), a projected
/// condition is added to the features first.
struct TimestepEmbedding: Sendable {
    let featureCount: Int
    let flipSinToCos: Bool
    let frequencyShift: Float
    let linear1: LinearLayer
    let linear2: LinearLayer
    let conditionProjection: LinearLayer?

    init(
        weights: DiffusersWeights, featureCount: Int, embeddingCount: Int, flipSinToCos: Bool, frequencyShift: Float,
        conditionDimension: Int?
    ) throws {
        self.featureCount = featureCount
        self.flipSinToCos = flipSinToCos
        self.frequencyShift = frequencyShift
        linear1 = try weights.linear("time_embedding.linear_1", inputs: featureCount, outputs: embeddingCount, activation: .silu)
        linear2 = try weights.linear("time_embedding.linear_2", inputs: embeddingCount, outputs: embeddingCount, activation: .silu)
        conditionProjection = try conditionDimension.map {
            try weights.linear("time_embedding.cond_proj", inputs: $0, outputs: featureCount, bias: false)
        }
    }

    /// diffusers' `get_timestep_embedding` for one timestep: [sin | cos] (or [cos | sin]) of t·exp(−ln(10⁴)·i/(half − shift)).
    func features(timestep: Float) -> [Float] {
        let half = featureCount / 2
        let logPeriod = Float(log(10000.0))
        var sines = [Float](), cosines = [Float]()
        for index in 0..<half {
            let frequency = exp(-logPeriod * Float(index) / (Float(half) - frequencyShift))
            let angle = timestep * frequency
            sines.append(sin(angle))
            cosines.append(cos(angle))
        }
        let padding = [Float](repeating: 0, count: featureCount - 2 * half)
        return (flipSinToCos ? cosines + sines : sines + cosines) + padding
    }

    /// Records SiLU(embedding) of `features` ([1, featureCount]) plus the projected `condition` ([1, condition
    /// width], when the model has `cond_proj`) as [1, embeddingCount].
    func record(features: Tensor, condition: Tensor?, _ r: UNetRecording) throws -> Tensor {
        let input = try condition.map { try r.linear(conditionProjection!, $0, residual: features) } ?? features
        return try r.linear(linear2, try r.linear(linear1, input))
    }
}
