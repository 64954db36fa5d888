import RecastGPU

/// The face mesh's residual block (BlazeFace style): PReLU(pointwise(depthwise3×3(x)) + shortcut(x)).
/// With stride 2 the depthwise convolution pads only the bottom and right (TFLite's SAME padding on an
/// even size) and the shortcut is a 2×2 max pool; the shortcut gets zero channels appended when the
/// block widens.
struct FaceMeshBlock {
    let depthwise: ConvolutionLayer
    let pointwise: ConvolutionLayer
    let stride: Int

    init(weights: FaceMeshWeights, prefix: String, stride: Int = 1) throws {
        depthwise = try weights.convolution("\(prefix).depthwise", stride: stride, padding: stride == 2 ? 0 : 1, depthwise: true)
        pointwise = try weights.convolution("\(prefix).pointwise", padding: 0, prelu: "\(prefix).prelu")
        self.stride = stride
    }

    func encode(_ input: Tensor, in graph: ModelGraphRecorder) throws -> Tensor {
        let spatial: Tensor
        var shortcut: Tensor
        if stride == 2 {
            spatial = try graph.convolve(depthwise, graph.padBottomRight(input, by: 1))
            shortcut = try graph.maxPool2x2(input)
        } else {
            spatial = try graph.convolve(depthwise, input)
            shortcut = input
        }
        if pointwise.shape.outChannels > shortcut.shape[3] {
            shortcut = try graph.padChannels(shortcut, to: pointwise.shape.outChannels)
        }
        return try graph.convolve(pointwise, spatial, residual: shortcut)
    }
}
