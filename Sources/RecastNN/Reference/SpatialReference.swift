extension CPUReference {
    /// NHWC resize with PyTorch's align_corners = false coordinates.
    public static func resize(_ x: [Float], batch: Int, height: Int, width: Int, channels: Int, outHeight: Int, outWidth: Int, mode: ResizeMode) -> [Float] {
        func at(_ n: Int, _ y: Int, _ x0: Int, _ c: Int) -> Float { x[((n * height + y) * width + x0) * channels + c] }
        let scaleY = Float(height) / Float(outHeight), scaleX = Float(width) / Float(outWidth)
        var output: [Float] = []
        for n in 0..<batch {
            for oy in 0..<outHeight {
                for ox in 0..<outWidth {
                    for c in 0..<channels {
                        switch mode {
                        case .nearest:
                            output.append(at(n, min(Int(Float(oy) * scaleY), height - 1), min(Int(Float(ox) * scaleX), width - 1), c))
                        case .bilinear:
                            let sy = max((Float(oy) + 0.5) * scaleY - 0.5, 0), sx = max((Float(ox) + 0.5) * scaleX - 0.5, 0)
                            let y0 = min(Int(sy), height - 1), x0 = min(Int(sx), width - 1)
                            let y1 = min(y0 + 1, height - 1), x1 = min(x0 + 1, width - 1)
                            let fy = sy - Float(y0), fx = sx - Float(x0)
                            let top = at(n, y0, x0, c) * (1 - fx) + at(n, y0, x1, c) * fx
                            let bottom = at(n, y1, x0, c) * (1 - fx) + at(n, y1, x1, c) * fx
                            output.append(top * (1 - fy) + bottom * fy)
                        }
                    }
                }
            }
        }
        return output
    }

    public static func pool(_ x: [Float], batch: Int, height: Int, width: Int, channels: Int, mode: PoolMode, kernel: Int, stride: Int, padding: Int) -> [Float] {
        let outH = (height + 2 * padding - kernel) / stride + 1, outW = (width + 2 * padding - kernel) / stride + 1
        var output: [Float] = []
        for n in 0..<batch {
            for oy in 0..<outH {
                for ox in 0..<outW {
                    for c in 0..<channels {
                        var values: [Float] = []
                        for ky in 0..<kernel {
                            for kx in 0..<kernel {
                                let iy = oy * stride - padding + ky, ix = ox * stride - padding + kx
                                if iy >= 0 && iy < height && ix >= 0 && ix < width {
                                    values.append(x[((n * height + iy) * width + ix) * channels + c])
                                }
                            }
                        }
                        output.append(mode == .max ? values.max()! : values.reduce(0, +) / Float(kernel * kernel))
                    }
                }
            }
        }
        return output
    }

    public static func pad(_ x: [Float], batch: Int, height: Int, width: Int, channels: Int, top: Int, bottom: Int, left: Int, right: Int, mode: PadMode) -> [Float] {
        func source(_ o: Int, _ size: Int) -> Int? {
            switch mode {
            case .constant: return o >= 0 && o < size ? o : nil
            case .replicate: return min(max(o, 0), size - 1)
            case .reflect:
                var r = o
                while r < 0 || r >= size { r = r < 0 ? -r : 2 * (size - 1) - r }
                return r
            }
        }
        var output: [Float] = []
        for n in 0..<batch {
            for oy in 0..<(height + top + bottom) {
                for ox in 0..<(width + left + right) {
                    for c in 0..<channels {
                        if let iy = source(oy - top, height), let ix = source(ox - left, width) {
                            output.append(x[((n * height + iy) * width + ix) * channels + c])
                        } else if case let .constant(value) = mode {
                            output.append(value)
                        }
                    }
                }
            }
        }
        return output
    }
}
