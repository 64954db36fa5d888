/// diffusers' `FeedForward` with GEGLU: net.2(h · GELU(g)), where [h | g] = net.0.proj(x) is split in half.
/// The two halves are loaded as separate linears so no split pass is needed; GELU (exact) runs in the gate's epilogue.
struct GEGLUFeedForward: Sendable {
    let hidden: LinearLayer
    let gate: LinearLayer
    let output: LinearLayer

    init(weights: DiffusersWeights, prefix: String, dimension: Int) throws {
        let inner = dimension * 4
        hidden = try weights.linear("\(prefix).net.0.proj", inputs: dimension, outputs: 2 * inner, rows: 0..<inner)
        gate = try weights.linear("\(prefix).net.0.proj", inputs: dimension, outputs: 2 * inner, rows: inner..<(2 * inner), activation: .gelu)
        output = try weights.linear("\(prefix).net.2", inputs: inner, outputs: dimension)
    }

    /// Returns residual + FF(x).
    func record(_ x: Tensor, residual: Tensor, _ r: UNetRecording) throws -> Tensor {
        let product = try r.elementwise(.multiply, try r.linear(hidden, x), try r.linear(gate, x))
        return try r.linear(output, product, residual: residual)
    }
}
