import Foundation

/// Plain Swift implementations of every op, written for clarity, used to check the GPU.
public enum CPUReference {
    /// The activations with their textbook definitions (GELU with the exact erf).
    public static func activate(_ x: Float, _ activation: Activation, slope: Float = 0) -> Float {
        switch activation {
        case .none: x
        case .relu: max(x, 0)
        case .prelu: x >= 0 ? x : x * slope
        case .silu: x / (1 + exp(-x))
        case .gelu: 0.5 * x * (1 + erf(x / Float(2).squareRoot()))
        case .tanh: Foundation.tanh(x)
        case .sigmoid: 1 / (1 + exp(-x))
        case .relu6: min(max(x, 0), 6)
        }
    }
}
