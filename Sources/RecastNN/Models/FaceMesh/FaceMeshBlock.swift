import RecastGPU

/// The face mesh's residual block (BlazeFace style): PReLU(pointwise(depthwise3×3(x)) + shortcut(x)).
/// With stride 2 the shortcut is a 2×2 max pool; it gets zero channels appended when the block widens.
struct FaceMeshBlock {
    let layers: DepthwisePointwiseBlock

    init(weights: FaceMeshWeights, prefix: String, stride: Int = 1) throws {
        layers = try DepthwisePointwiseBlock(
            depthwise: weights.depthwise("\(prefix).depthwise", stride: stride),
            pointwise: weights.convolution("\(prefix).pointwise", padding: 0, prelu: "\(prefix).prelu"))
    }

    func encode(_ input: Tensor, in graph: ModelGraphRecorder) throws -> Tensor {
        try graph.convolve(layers, input)
    }
}
