/// Activation applied in an op's epilogue. Raw values match Shaders/activation.glsl.
public enum Activation: Int32, Sendable, CaseIterable {
    case none = 0
    case relu = 1
    /// Per-channel negative slope, taken from a separate tensor.
    case prelu = 2
    case silu = 3
    /// Exact (erf) GELU.
    case gelu = 4
    case tanh = 5
    case sigmoid = 6
    /// min(max(x, 0), 6), as in MobileNetV2-style networks.
    case relu6 = 7
}
