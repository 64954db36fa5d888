import Foundation

/// Reproducible standard-normal noise: a SplitMix64 stream through the Box–Muller transform, so a seed
/// gives the same latents on every machine.
public struct GaussianNoise: Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    private mutating func nextUniform() -> Double {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        // 53 random bits in (0, 1]: never 0, so the logarithm is finite.
        return Double((z >> 11) + 1) / Double(1 << 53)
    }

    public mutating func next(count: Int) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(count)
        while values.count < count {
            let radius = (-2 * log(nextUniform())).squareRoot()
            let angle = 2 * Double.pi * nextUniform()
            values.append(Float(radius * cos(angle)))
            if values.count < count {
                values.append(Float(radius * sin(angle)))
            }
        }
        return values
    }
}
