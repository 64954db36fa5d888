import RecastGPU

/// YuNet's building block ("ConvDPUnit"): a 1×1 convolution, then a 3×3 depthwise convolution,
/// with ReLU after it everywhere except in the detection heads. BatchNorm is already folded in.
struct YuNetUnit {
    let pointwise: ConvolutionLayer
    let depthwise: DepthwiseConvolutionLayer

    init(engine: TensorEngine, pointwise: YuNetWeights.Convolution, depthwise: YuNetWeights.Convolution, relu: Bool) throws {
        let channels = depthwise.outChannels
        self.pointwise = try ConvolutionLayer(
            engine: engine, shape: ConvolutionShape(inChannels: pointwise.inChannels, outChannels: channels, kernel: 1),
            weights: pointwise.weight, bias: pointwise.bias)
        self.depthwise = try DepthwiseConvolutionLayer(
            engine: engine, shape: DepthwiseConvolutionShape(channels: channels, kernel: 3),
            weights: depthwise.weight, bias: depthwise.bias, activation: relu ? .relu : .none)
    }

    init(engine: TensorEngine, weights: YuNetWeights, prefix: String, relu: Bool = true) throws {
        try self.init(
            engine: engine, pointwise: weights.convolution("\(prefix).pointwise"), depthwise: weights.convolution("\(prefix).depthwise"),
            relu: relu)
    }

    /// The unit on `input`; `poolOutput`: 2×2 max-pooled, as the next backbone stage takes it.
    func encode(_ input: Tensor, in graph: ModelGraphRecorder, poolOutput: Bool = false) throws -> Tensor {
        try graph.convolve(depthwise, graph.convolve(pointwise, input), poolOutput: poolOutput)
    }
}
