/// The training noise schedule of the SD 1.x/2.x family: "scaled_linear" betas (linear in √β), and the
/// cumulative products ᾱ_t of 1 − β, computed in fp32 in the order diffusers computes them.
public struct NoiseSchedule: Sendable, Equatable {
    public let trainTimesteps: Int
    /// ᾱ_t for t = 0 ..< trainTimesteps.
    public let alphasCumulative: [Float]

    public init(trainTimesteps: Int = 1000, betaStart: Float = 0.00085, betaEnd: Float = 0.012) {
        precondition(trainTimesteps > 1, "at least two training timesteps")
        self.trainTimesteps = trainTimesteps
        let first = betaStart.squareRoot(), last = betaEnd.squareRoot()
        var product: Float = 1
        alphasCumulative = (0..<trainTimesteps).map { index in
            let root = first + (last - first) * Float(index) / Float(trainTimesteps - 1)
            product *= 1 - root * root
            return product
        }
    }

    /// √((1 − ᾱ_t) / ᾱ_t): the Karras-style noise level of timestep t.
    public func sigma(_ timestep: Int) -> Float {
        let alpha = alphasCumulative[timestep]
        return ((1 - alpha) / alpha).squareRoot()
    }
}
