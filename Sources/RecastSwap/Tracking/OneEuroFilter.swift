import Foundation

/// The One-Euro filter (Casiez, Roussel and Vogel, CHI 2012): a low-pass
/// filter whose cutoff rises with speed, so a still face does not jitter and
/// a moving one does not lag. Works on any SIMD value (a box, a landmark).
public struct OneEuroFilter<Value: SIMD>: Sendable where Value.Scalar == Float, Value: Sendable {
    /// Cutoff (Hz) when the value is still: lower removes more jitter.
    public var minimumCutoff: Float
    /// How fast the cutoff rises with speed: higher lags less.
    public var beta: Float
    /// Cutoff (Hz) for the speed estimate itself.
    public var derivativeCutoff: Float
    private var previous: Value?
    private var previousDerivative = Value()
    private var previousTime: Double?

    public init(minimumCutoff: Float = 1.0, beta: Float = 0.05, derivativeCutoff: Float = 1.0) {
        self.minimumCutoff = minimumCutoff
        self.beta = beta
        self.derivativeCutoff = derivativeCutoff
    }

    /// Filters `value` observed at `time` (seconds).
    public mutating func filter(_ value: Value, at time: Double) -> Value {
        guard let previous, let previousTime, time > previousTime else {
            self.previous = value
            self.previousTime = time
            return value
        }
        let elapsed = Float(time - previousTime)
        let derivative = (value - previous) / elapsed
        let smoothedDerivative = Self.blend(previousDerivative, derivative, alpha: Self.alpha(cutoff: derivativeCutoff, elapsed: elapsed))
        var speed: Float = 0
        for index in smoothedDerivative.indices { speed = max(speed, abs(smoothedDerivative[index])) }
        let cutoff = minimumCutoff + beta * speed
        let result = Self.blend(previous, value, alpha: Self.alpha(cutoff: cutoff, elapsed: elapsed))
        self.previous = result
        self.previousDerivative = smoothedDerivative
        self.previousTime = time
        return result
    }

    /// Forgets the history (a new face, or a cut).
    public mutating func reset() {
        previous = nil
        previousTime = nil
        previousDerivative = Value()
    }

    private static func alpha(cutoff: Float, elapsed: Float) -> Float {
        let tau = 1 / (2 * Float.pi * cutoff)
        return 1 / (1 + tau / elapsed)
    }

    private static func blend(_ old: Value, _ new: Value, alpha: Float) -> Value {
        old + (new - old) * alpha
    }
}
