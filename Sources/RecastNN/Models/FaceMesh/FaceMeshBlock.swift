import RecastGPU

/// The face mesh's residual block (BlazeFace style): PReLU(pointwise(depthwise3×3(x)) + shortcut(x)).
/// With stride 2 the shortcut is a 2×2 max pool; it gets zero channels appended when the block widens.
struct FaceMeshBlock {
    let depthwise: DepthwiseConvolutionLayer
    let pointwise: ConvolutionLayer
    let stride: Int

    init(weights: FaceMeshWeights, prefix: String, stride: Int = 1) throws {
        depthwise = try weights.depthwise("\(prefix).depthwise", stride: stride)
        pointwise = try weights.convolution("\(prefix).pointwise", padding: 0, prelu: "\(prefix).prelu")
        self.stride = stride
    }

    func encode(_ input: Tensor, in graph: ModelGraphRecorder) throws -> Tensor {
        let spatial = try graph.convolve(depthwise, input)
        // The pointwise convolution reads the shortcut pooled and widened itself.
        return try graph.convolve(pointwise, spatial, residual: input, poolResidual: stride == 2)
    }
}
