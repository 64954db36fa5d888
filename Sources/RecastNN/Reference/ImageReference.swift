extension CPUReference {
    /// NHWC bilinear affine warp: output pixel (x, y) of image n samples the input at
    /// `matrices[n].source(x, y)`; neighbours outside the image follow `border`.
    public static func affineWarp(
        _ x: [Float], batch: Int, height: Int, width: Int, channels: Int, outHeight: Int, outWidth: Int,
        matrices: [AffineMatrix], border: WarpBorder
    ) -> [Float] {
        func at(_ n: Int, _ iy: Int, _ ix: Int, _ c: Int) -> Float {
            switch border {
            case let .constant(fill):
                guard iy >= 0, iy < height, ix >= 0, ix < width else { return fill }
                return x[((n * height + iy) * width + ix) * channels + c]
            case .clamp:
                return x[((n * height + min(max(iy, 0), height - 1)) * width + min(max(ix, 0), width - 1)) * channels + c]
            }
        }
        var output: [Float] = []
        for n in 0..<batch {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    let (sx, sy) = matrices[n].source(x: Float(ox), y: Float(oy))
                    let x0 = Int(sx.rounded(.down)), y0 = Int(sy.rounded(.down))
                    let fx = sx - Float(x0), fy = sy - Float(y0)
                    for c in 0..<channels {
                        let top = at(n, y0, x0, c) * (1 - fx) + at(n, y0, x0 + 1, c) * fx
                        let bottom = at(n, y0 + 1, x0, c) * (1 - fx) + at(n, y0 + 1, x0 + 1, c) * fx
                        output.append(top * (1 - fy) + bottom * fy)
                    }
                }
            }
        }
        return output
    }

    /// a·(1 − m) + b·m with one mask value per pixel (`channels` consecutive values).
    public static func maskedBlend(_ a: [Float], _ b: [Float], mask: [Float], channels: Int) -> [Float] {
        a.indices.map { i in a[i] * (1 - mask[i / channels]) + b[i] * mask[i / channels] }
    }
}
