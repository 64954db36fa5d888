extension CPUReference {
    /// Direct depthwise convolution of NHWC `input` [batch, height, width, channels] with PyTorch-layout weights
    /// [channels, 1, k, k] and per-side padding.
    public static func depthwiseConvolution(
        _ input: [Float], batch: Int, height: Int, width: Int, shape s: DepthwiseConvolutionShape, weights: [Float],
        bias: [Float]? = nil, residual: [Float]? = nil, activation: Activation = .none, slopes: [Float]? = nil
    ) -> [Float] {
        let (outHeight, outWidth) = s.outputSize(height: height, width: width)
        var output = [Float](repeating: 0, count: batch * outHeight * outWidth * s.channels)
        for b in 0..<batch {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    for c in 0..<s.channels {
                        var sum: Double = 0
                        for ky in 0..<s.kernel {
                            let iy = oy * s.stride - s.padTop + ky
                            guard iy >= 0 && iy < height else { continue }
                            for kx in 0..<s.kernel {
                                let ix = ox * s.stride - s.padLeft + kx
                                guard ix >= 0 && ix < width else { continue }
                                let x = input[((b * height + iy) * width + ix) * s.channels + c]
                                sum += Double(x) * Double(weights[(c * s.kernel + ky) * s.kernel + kx])
                            }
                        }
                        let index = ((b * outHeight + oy) * outWidth + ox) * s.channels + c
                        let value = Float(sum) + (bias?[c] ?? 0) + (residual?[index] ?? 0)
                        output[index] = activate(value, activation, slope: slopes?[c] ?? 0)
                    }
                }
            }
        }
        return output
    }
}
