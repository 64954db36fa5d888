/// diffusers' `ResnetBlock2D` (default time-embedding shift, SiLU):
/// conv2(SiLU(norm2(conv1(SiLU(norm1(x))) + time_emb_proj(SiLU(temb))))) + shortcut(x),
/// the shortcut a 1×1 conv when the channel count changes.
struct ResnetBlock2D: Sendable {
    let groups: Int
    let norm1: NormParameters
    let conv1: ConvolutionLayer
    let timeProjection: LinearLayer
    let norm2: NormParameters
    let conv2: ConvolutionLayer
    let shortcut: ConvolutionLayer?

    init(weights: DiffusersWeights, prefix: String, inputs: Int, outputs: Int, embedding: Int, groups: Int, epsilon: Float) throws {
        self.groups = groups
        norm1 = try weights.norm("\(prefix).norm1", channels: inputs, epsilon: epsilon)
        conv1 = try weights.convolution("\(prefix).conv1", ConvolutionShape(inChannels: inputs, outChannels: outputs, kernel: 3))
        timeProjection = try weights.linear("\(prefix).time_emb_proj", inputs: embedding, outputs: outputs)
        norm2 = try weights.norm("\(prefix).norm2", channels: outputs, epsilon: epsilon)
        conv2 = try weights.convolution("\(prefix).conv2", ConvolutionShape(inChannels: outputs, outChannels: outputs, kernel: 3))
        shortcut = inputs == outputs ? nil
            : try weights.convolution("\(prefix).conv_shortcut", ConvolutionShape(inChannels: inputs, outChannels: outputs, kernel: 1))
    }

    /// `x`: [1, H, W, inputs]; `embedding`: SiLU(temb) [1, embedding].
    func record(_ x: Tensor, embedding: Tensor, _ r: UNetRecording) throws -> Tensor {
        let normalized = try r.groupNorm(x, norm1, groups: groups, silu: true)
        let hidden = try r.convolve(conv1, normalized)
        // One value per channel: the elementwise op repeats it over the pixels of the single image.
        let timeShift = try r.linear(timeProjection, embedding)
        let shifted = try r.elementwise(.add, hidden, timeShift)
        let normalized2 = try r.groupNorm(shifted, norm2, groups: groups, silu: true)
        let residual = try shortcut.map { try r.convolve($0, x) } ?? x
        return try r.convolve(conv2, normalized2, residual: residual)
    }
}
