/// diffusers' `AutoencoderTinyBlock` with equal channels in and out (as the encoder and decoder build it):
/// ReLU(conv(ReLU(conv(ReLU(conv(x))))) + x), the sum and its ReLU fused into the last conv.
struct AutoencoderTinyBlock: Sendable {
    let convolutions: [ConvolutionLayer]

    init(weights: DiffusersWeights, prefix: String, channels: Int) throws {
        let shape = ConvolutionShape(inChannels: channels, outChannels: channels, kernel: 3)
        convolutions = try [0, 2, 4].map { try weights.convolution("\(prefix).conv.\($0)", shape, activation: .relu) }
    }

    func record(_ x: Tensor, _ r: UNetRecording) throws -> Tensor {
        let first = try r.convolve(convolutions[0], x)
        let second = try r.convolve(convolutions[1], first)
        return try r.convolve(convolutions[2], second, residual: x)
    }
}
