import RecastGPU

/// The unfolding (im2col) of a convolution's input: each output pixel gets the convolution's window at
/// that output, in (ky, kx, channel) order, zero-padded to `depth` values, so that the convolution runs as a
/// 1×1 one. Worth it for an image with fewer channels than a texel chunk: padded to a chunk, an RGB image
/// fills each tap's chunk a third full; unfolded, 27 values of a 3×3 window fill 4 chunks instead of 9
/// (face mesh and YuNet stems: about half the time on lavapipe).
public struct ConvolutionUnfolding: Sendable, Hashable {
    /// The convolution unfolded for.
    public let convolution: ConvolutionShape
    /// Values of one window, before the zeros up to `depth`.
    public let window: Int
    /// Values per unfolded pixel: the window's, rounded up to a multiple of `chunk`.
    public let depth: Int

    /// - Parameter chunk: `depth` is a multiple of it (the storage's elements per texel).
    public init(convolution: ConvolutionShape, chunk: Int) {
        self.convolution = convolution
        window = convolution.kernelHeight * convolution.kernelWidth * convolution.inChannels
        depth = (window + chunk - 1) / chunk * chunk
    }

    /// The 1×1 convolution over the unfolded input that computes `convolution`.
    var pointwise: ConvolutionShape {
        ConvolutionShape(inChannels: depth, outChannels: convolution.outChannels, kernel: 1, padding: 0)
    }

    /// `convolution`'s PyTorch weights [out, in, kh, kw] as the pointwise convolution's [out, depth, 1, 1].
    func pointwiseWeights(_ pytorch: [Float]) -> [Float] {
        let packed = convolution.repackWeights(pytorch)
        var weights = [Float](repeating: 0, count: convolution.outChannels * depth)
        for o in 0..<convolution.outChannels {
            weights.replaceSubrange(o * depth..<o * depth + window, with: packed[o * window..<(o + 1) * window])
        }
        return weights
    }

    /// The unfolded shape of an NHWC input `[batch, height, width, inChannels]`.
    public func unfoldedShape(batch: Int, height: Int, width: Int) -> [Int] {
        let (outHeight, outWidth) = convolution.outputSize(height: height, width: width)
        return [batch, outHeight, outWidth, depth]
    }

    /// Unfolds an NHWC image on the host: a model uploading its image writes this instead of the image,
    /// and its first convolution needs no unfolding pass. The image may be smaller than the map the convolution
    /// runs on (`mapHeight` × `mapWidth`, zero below and right of the image), as a detector padding its input
    /// to a multiple of its stride needs.
    public func unfold(_ values: [Float], batch: Int = 1, height: Int, width: Int, mapHeight: Int? = nil, mapWidth: Int? = nil) -> [Float] {
        let c = convolution
        let shape = unfoldedShape(batch: batch, height: mapHeight ?? height, width: mapWidth ?? width)
        let (outHeight, outWidth) = (shape[1], shape[2])
        var unfolded = [Float](repeating: 0, count: shape.reduce(1, *))
        let run = c.kernelWidth * c.inChannels
        values.withUnsafeBufferPointer { image in
            unfolded.withUnsafeMutableBufferPointer { output in
                for n in 0..<batch {
                    for oy in 0..<outHeight {
                        for ky in 0..<c.kernelHeight {
                            let iy = oy * c.strideY - c.padY + ky * c.dilationY
                            guard iy >= 0, iy < height else { continue }
                            let row = (n * height + iy) * width
                            for ox in 0..<outWidth {
                                let k = ((n * outHeight + oy) * outWidth + ox) * depth + ky * run
                                let ix0 = ox * c.strideX - c.padX
                                if c.dilationX == 1, ix0 >= 0, ix0 + c.kernelWidth <= width {
                                    // The window's row lies inside the image: one contiguous run.
                                    output.baseAddress!.advanced(by: k).update(from: image.baseAddress!.advanced(by: (row + ix0) * c.inChannels), count: run)
                                    continue
                                }
                                for kx in 0..<c.kernelWidth {
                                    let ix = ix0 + kx * c.dilationX
                                    guard ix >= 0, ix < width else { continue }
                                    for channel in 0..<c.inChannels {
                                        output[k + kx * c.inChannels + channel] = image[(row + ix) * c.inChannels + channel]
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        return unfolded
    }
}

extension TensorEngine {
    /// Records the unfolding of NHWC `input` for `unfolding`'s convolution into `output` (`unfoldedShape`).
    public func encodeUnfold(_ input: Tensor, _ unfolding: ConvolutionUnfolding, output: Tensor, into recorder: CommandRecorder) throws {
        let c = unfolding.convolution
        let chunk = precision.elementsPerTexel
        // An invocation writes one chunk.
        guard input.rank == 4, input.shape[3] == c.inChannels, c.groups == 1, unfolding.depth % chunk == 0,
              output.shape == unfolding.unfoldedShape(batch: input.shape[0], height: input.shape[1], width: input.shape[2]),
              output.elementCount > 0
        else {
            throw NNError.shapeMismatch(op: "unfold", detail: "input \(input.shape), output \(output.shape), depth \(unfolding.depth) for \(c)")
        }
        let count = output.elementCount / chunk
        let kernel = try kernel(
            "unfold", bindings: [.read, .write, .writeTexels], pushConstantBytes: 52,
            specialization: [0: UInt32(c.inChannels), 1: UInt32(c.kernelWidth), 2: UInt32(unfolding.depth),
                             3: takesTexelPath(width: unfolding.depth, [output]) ? 1 : 0])
        let grid = linearGroups(count: count, perGroup: 256)
        let parameters = [count, grid.x, input.shape[1], input.shape[2], output.shape[1], output.shape[2],
                          c.kernelHeight, c.strideY, c.strideX, c.padY, c.padX, c.dilationY, c.dilationX]
        try recorder.dispatch(
            kernel, buffers: [input.buffer, output.buffer, output.buffer],
            pushConstants: parameters.map { UInt32(bitPattern: Int32($0)) }, groups: grid, label: "unfold")
    }
}
