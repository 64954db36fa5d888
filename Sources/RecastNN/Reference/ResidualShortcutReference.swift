extension CPUReference {
    /// A residual block's shortcut as its convolution adds it (`ConvolutionLayer.encode(residual:poolResidual:)`,
    /// `DepthwisePointwiseBlock`): NHWC `input`, 2×2 max-pooled where `pooled` (an odd size rounds up, the window clipped
    /// at the edge), with zero channels appended up to `outChannels`.
    public static func residualShortcut(
        _ input: [Float], batch: Int, height: Int, width: Int, channels: Int, pooled: Bool, outChannels: Int
    ) -> [Float] {
        var narrow = input
        var (outHeight, outWidth) = (height, width)
        if pooled {
            // Replicating the last row and column clips the window at the edge for a max.
            let padded = pad(
                input, batch: batch, height: height, width: width, channels: channels,
                top: 0, bottom: height % 2, left: 0, right: width % 2, mode: .replicate)
            (outHeight, outWidth) = ((height + 1) / 2, (width + 1) / 2)
            narrow = pool(padded, batch: batch, height: 2 * outHeight, width: 2 * outWidth, channels: channels, mode: .max, kernel: 2, stride: 2, padding: 0)
        }
        return (0..<batch * outHeight * outWidth).flatMap { pixel in
            narrow[pixel * channels..<(pixel + 1) * channels] + Array(repeating: 0, count: outChannels - channels)
        }
    }
}
