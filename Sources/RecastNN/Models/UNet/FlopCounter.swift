/// Floating-point operations of a recorded pass, counted as layers are recorded (2 per multiply-add; bias,
/// normalization and elementwise work left out, as PyTorch's counter leaves them out).
public final class FlopCounter: @unchecked Sendable {
    /// Convolutions and linear layers.
    public private(set) var convolutionAndLinear = 0
    /// q·kᵀ and the attention-weighted sum of values.
    public private(set) var attention = 0

    public init() {}

    public var total: Int { convolutionAndLinear + attention }

    func addConvolution(_ shape: ConvolutionShape, output: [Int]) {
        let outputs = output.reduce(1, *)
        convolutionAndLinear += 2 * outputs * shape.groupInChannels * shape.kernelHeight * shape.kernelWidth
    }

    func addLinear(rows: Int, inputs: Int, outputs: Int) {
        convolutionAndLinear += 2 * rows * inputs * outputs
    }

    func addAttention(batch: Int, queries: Int, keys: Int, width: Int) {
        attention += 2 * 2 * batch * queries * keys * width
    }
}
