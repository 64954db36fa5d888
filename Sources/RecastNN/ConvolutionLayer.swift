import RecastGPU

/// A convolution with its weights repacked and uploaded once, and its fused epilogue:
/// `activation(conv(x) + bias + residual)`.
public final class ConvolutionLayer: Sendable {
    public let shape: ConvolutionShape
    public let activation: Activation
    /// On CPU devices, an input with fewer channels than a texel chunk (an RGB image) is unfolded and the
    /// convolution runs as a 1×1 one over the unfolded input (see `ConvolutionUnfolding`); nil elsewhere.
    public let unfolding: ConvolutionUnfolding?
    /// The shape the GEMM runs: `shape`, or the 1×1 convolution over the unfolded input.
    let gemmShape: ConvolutionShape
    let weights: Tensor
    let bias: Tensor?
    let slopes: Tensor?

    /// - Parameters:
    ///   - weights: PyTorch layout [out, in/groups, kh, kw].
    ///   - bias: [out], or nil.
    ///   - preluSlopes: [out] when `activation` is `.prelu`.
    public init(
        engine: TensorEngine, shape: ConvolutionShape, weights: [Float], bias: [Float]? = nil,
        activation: Activation = .none, preluSlopes: [Float]? = nil
    ) throws {
        try shape.validate()
        guard weights.count == shape.weightCount, bias.map({ $0.count == shape.outChannels }) ?? true,
              preluSlopes.map({ $0.count == shape.outChannels }) ?? (activation != .prelu)
        else {
            throw NNError.shapeMismatch(
                op: "convolution", detail: "\(weights.count) weights, \(bias?.count ?? 0) biases, \(preluSlopes?.count ?? 0) slopes for \(shape)")
        }
        self.shape = shape
        self.activation = activation
        let chunk = engine.precision.elementsPerTexel
        if engine.gpu.capabilities.type == .cpu && shape.groups == 1 && shape.inChannels < chunk {
            let unfolding = ConvolutionUnfolding(convolution: shape, chunk: chunk)
            self.unfolding = unfolding
            gemmShape = unfolding.pointwise
            // A 1×1 convolution's GEMM layout is PyTorch's.
            self.weights = try engine.makeTensor(shape: [gemmShape.weightCount], values: unfolding.pointwiseWeights(weights))
        } else {
            unfolding = nil
            gemmShape = shape
            self.weights = try engine.makeTensor(shape: [weights.count], values: shape.repackWeights(weights))
        }
        self.bias = try bias.map { try engine.makeTensor(shape: [$0.count], values: $0) }
        slopes = try preluSlopes.map { try engine.makeTensor(shape: [$0.count], values: $0) }
    }

    /// Records the convolution of NHWC `input` into NHWC `output`, optionally adding `residual`: a map of the output's
    /// size or, with `poolResidual`, one twice its size (rounded up) that is 2×2 max-pooled. The residual may have fewer
    /// channels than the output; the output's other channels get none added. This is a residual block's shortcut
    /// (pooled where the block strides, zero channels appended where it widens) without a pass of its own.
    public func encode(
        engine: TensorEngine, input: Tensor, residual: Tensor? = nil, poolResidual: Bool = false, output: Tensor,
        tiling: GemmTiling? = nil, into recorder: CommandRecorder
    ) throws {
        let unfolded = unfolding != nil && input.shape.last == gemmShape.inChannels
        guard input.rank == 4, input.shape[3] == shape.inChannels || unfolded else {
            throw NNError.shapeMismatch(op: "convolution", detail: "input \(input.shape) for \(shape.inChannels) channels")
        }
        let (batch, height, width) = (input.shape[0], input.shape[1], input.shape[2])
        // An unfolded input has the output's size.
        let (outHeight, outWidth) = unfolded ? (height, width) : shape.outputSize(height: height, width: width)
        let scale = poolResidual ? 2 : 1
        guard outHeight > 0, outWidth > 0, output.shape == [batch, outHeight, outWidth, shape.outChannels],
              residual.map({ $0.rank == 4 && $0.shape[0] == batch && ($0.shape[1] + scale - 1) / scale == outHeight
                  && ($0.shape[2] + scale - 1) / scale == outWidth && $0.shape[3] <= shape.outChannels }) ?? !poolResidual
        else {
            throw NNError.shapeMismatch(op: "convolution", detail: "input \(input.shape), output \(output.shape), residual \(residual?.shape ?? [])")
        }
        var input = input
        if let unfolding, !unfolded {
            let unfoldedInput = try engine.makeTensor(shape: unfolding.unfoldedShape(batch: batch, height: height, width: width))
            try engine.encodeUnfold(input, unfolding, output: unfoldedInput, into: recorder)
            input = unfoldedInput
        }
        let s = gemmShape
        let m = batch * outHeight * outWidth
        let n = s.groupOutChannels
        let k = s.kernelHeight * s.kernelWidth * s.groupInChannels
        let chunk = engine.precision.elementsPerTexel
        let dispatch = GemmDispatch(
            mode: .convolution, tiling: tiling ?? .forShape(m: m, n: n, device: engine.gpu.capabilities.type), activation: activation,
            m: m, n: n, k: k, layers: s.groups,
            parameters: [m, n, k, 0, 0, 0, input.shape[1], input.shape[2], s.inChannels, outHeight, outWidth, s.outChannels, s.groupInChannels,
                         s.kernelHeight, s.kernelWidth, s.strideY, s.strideX, s.padY, s.padX, s.dilationY, s.dilationX,
                         residual?.shape[1] ?? outHeight, residual?.shape[2] ?? outWidth, residual?.shape[3] ?? s.outChannels].map(Int32.init),
            chunkAligned: s.inChannels % chunk == 0 && s.groupInChannels % chunk == 0, pooledResidual: poolResidual)
        try dispatch.encode(
            engine: engine, a: input, b: weights, bias: bias, residual: residual, slopes: slopes, output: output,
            into: recorder,
            label: "conv\(shape.kernelHeight)x\(shape.kernelWidth) \(shape.inChannels)→\(shape.outChannels)"
                + (unfolding == nil ? " @\(height)x\(width)" : " unfolded @\(outHeight)x\(outWidth)"))
    }

    /// The output's shape for an input of shape `input`: an image, or an image unfolded by the host (`hostInput`).
    public func outputShape(for input: [Int]) -> [Int] {
        if unfolding != nil && input.last == gemmShape.inChannels { return [input[0], input[1], input[2], shape.outChannels] }
        let (h, w) = shape.outputSize(height: input[1], width: input[2])
        return [input[0], h, w, shape.outChannels]
    }

    /// The shape of the tensor a model uploading its image from the host writes for this layer (`hostInput`), so
    /// that `encode` needs no pass of its own before the convolution: the unfolded image where the layer unfolds
    /// its input, else the image's own.
    public func hostInputShape(batch: Int = 1, height: Int, width: Int) -> [Int] {
        unfolding?.unfoldedShape(batch: batch, height: height, width: width) ?? [batch, height, width, shape.inChannels]
    }

    /// NHWC image `values` as the layer takes them from the host (see `hostInputShape`): `mapHeight` × `mapWidth`,
    /// the image at the top left and zero elsewhere.
    public func hostInput(_ values: [Float], batch: Int = 1, height: Int, width: Int, mapHeight: Int? = nil, mapWidth: Int? = nil) -> [Float] {
        if let unfolding {
            return unfolding.unfold(values, batch: batch, height: height, width: width, mapHeight: mapHeight, mapWidth: mapWidth)
        }
        let (rows, columns, channels) = (mapHeight ?? height, mapWidth ?? width, shape.inChannels)
        if rows == height && columns == width { return values }
        var map = [Float](repeating: 0, count: batch * rows * columns * channels)
        for n in 0..<batch {
            for y in 0..<height {
                let source = ((n * height + y) * width) * channels
                map.replaceSubrange(((n * rows + y) * columns) * channels..<((n * rows + y) * columns + width) * channels,
                                    with: values[source..<source + width * channels])
            }
        }
        return map
    }

    /// Runs the convolution and returns the output.
    public func callAsFunction(_ engine: TensorEngine, _ input: Tensor, residual: Tensor? = nil) throws -> Tensor {
        let output = try engine.makeTensor(shape: outputShape(for: input.shape))
        try engine.run { try encode(engine: engine, input: input, residual: residual, output: output, into: $0) }
        return output
    }
}
