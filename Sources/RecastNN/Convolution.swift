/// Shape of a 2-D convolution over NHWC tensors (PyTorch Conv2d semantics).
public struct ConvolutionShape: Sendable, Hashable {
    public var inChannels: Int
    public var outChannels: Int
    public var kernelHeight: Int
    public var kernelWidth: Int
    public var strideY: Int
    public var strideX: Int
    /// Zeros before the first row and column.
    public var padY: Int
    public var padX: Int
    /// Zeros after the last row and column: `padY` and `padX` unless set, as TFLite's SAME
    /// padding at stride 2 on even sizes needs (bottom and right only).
    public var padBottom: Int
    public var padRight: Int
    public var dilationY: Int
    public var dilationX: Int
    public var groups: Int

    public init(
        inChannels: Int, outChannels: Int, kernel: Int, stride: Int = 1, padding: Int? = nil,
        dilation: Int = 1, groups: Int = 1
    ) {
        self.inChannels = inChannels
        self.outChannels = outChannels
        kernelHeight = kernel
        kernelWidth = kernel
        strideY = stride
        strideX = stride
        padY = padding ?? (kernel - 1) / 2 * dilation
        padX = padY
        padBottom = padY
        padRight = padX
        dilationY = dilation
        dilationX = dilation
        self.groups = groups
    }

    public var groupInChannels: Int { inChannels / groups }
    public var groupOutChannels: Int { outChannels / groups }
    /// Elements of the PyTorch weight tensor [out, in/groups, kh, kw].
    public var weightCount: Int { outChannels * groupInChannels * kernelHeight * kernelWidth }

    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        ((height + padY + padBottom - dilationY * (kernelHeight - 1) - 1) / strideY + 1,
         (width + padX + padRight - dilationX * (kernelWidth - 1) - 1) / strideX + 1)
    }

    func validate() throws {
        guard groups > 0, inChannels % groups == 0, outChannels % groups == 0, min(padY, padX, padBottom, padRight) >= 0,
              kernelHeight > 0, kernelWidth > 0, strideY > 0, strideX > 0, dilationY > 0, dilationX > 0
        else {
            throw NNError.shapeMismatch(op: "convolution", detail: "invalid shape \(self)")
        }
    }

    /// PyTorch [out][in/g][kh][kw] → the GEMM's B layout [g][out/g][kh][kw][in/g]: each output
    /// channel's reduction (taps, then input channels, as NHWC input is read) is contiguous.
    public func repackWeights(_ pytorch: [Float]) -> [Float] {
        let gi = groupInChannels, go = groupOutChannels
        var packed = [Float](repeating: 0, count: pytorch.count)
        for g in 0..<groups {
            for o in 0..<go {
                for i in 0..<gi {
                    for ky in 0..<kernelHeight {
                        for kx in 0..<kernelWidth {
                            let source = (((g * go + o) * gi + i) * kernelHeight + ky) * kernelWidth + kx
                            let k = (ky * kernelWidth + kx) * gi + i
                            packed[((g * go + o) * kernelHeight * kernelWidth) * gi + k] = pytorch[source]
                        }
                    }
                }
            }
        }
        return packed
    }
}
