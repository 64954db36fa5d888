extension CPUReference {
    /// Direct convolution of NHWC `input` [batch, height, width, in] with PyTorch-layout weights.
    public static func convolution(
        _ input: [Float], batch: Int, height: Int, width: Int, shape s: ConvolutionShape, weights: [Float],
        bias: [Float]? = nil, residual: [Float]? = nil, activation: Activation = .none, slopes: [Float]? = nil
    ) -> [Float] {
        let (outHeight, outWidth) = s.outputSize(height: height, width: width)
        let gi = s.groupInChannels, go = s.groupOutChannels
        var output = [Float](repeating: 0, count: batch * outHeight * outWidth * s.outChannels)
        for b in 0..<batch {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    for o in 0..<s.outChannels {
                        let g = o / go
                        var sum: Double = 0
                        for ky in 0..<s.kernelHeight {
                            let iy = oy * s.strideY - s.padY + ky * s.dilationY
                            guard iy >= 0 && iy < height else { continue }
                            for kx in 0..<s.kernelWidth {
                                let ix = ox * s.strideX - s.padX + kx * s.dilationX
                                guard ix >= 0 && ix < width else { continue }
                                for i in 0..<gi {
                                    let x = input[((b * height + iy) * width + ix) * s.inChannels + g * gi + i]
                                    let w = weights[((o * gi + i) * s.kernelHeight + ky) * s.kernelWidth + kx]
                                    sum += Double(x) * Double(w)
                                }
                            }
                        }
                        let index = ((b * outHeight + oy) * outWidth + ox) * s.outChannels + o
                        let value = Float(sum) + (bias?[o] ?? 0) + (residual?[index] ?? 0)
                        output[index] = activate(value, activation, slope: slopes?[o] ?? 0)
                    }
                }
            }
        }
        return output
    }
}
