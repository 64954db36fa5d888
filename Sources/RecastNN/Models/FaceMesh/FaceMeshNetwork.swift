import RecastGPU

/// MediaPipe's face landmark network (face_landmark.tflite): a stride-2 stem and 14 residual blocks down to
/// 6×6, then two branches: landmarks (3 blocks to 3×3, a 1×1 reduction to 32 channels, a block, and a 3×3
/// convolution to 468 × (x, y, z)) and face presence (the same shape of branch, ending in one logit).
/// Input: NHWC [1, 192, 192, 3] RGB in [0, 1].
struct FaceMeshNetwork {
    static let trunkStrides = (1...14).map { [3, 6, 9, 12].contains($0) ? 2 : 1 }

    let stem: ConvolutionLayer
    let trunk: [DepthwisePointwiseBlock]
    let landmarkBlocks: [DepthwisePointwiseBlock]
    let landmarkReduction: ConvolutionLayer
    let landmarkTail: DepthwisePointwiseBlock
    let landmarkOutput: ConvolutionLayer
    let presenceBlock: DepthwisePointwiseBlock
    let presenceReduction: ConvolutionLayer
    let presenceTail: DepthwisePointwiseBlock
    let presenceOutput: ConvolutionLayer

    init(engine: TensorEngine, file: SafeTensorsFile) throws {
        let weights = FaceMeshWeights(engine: engine, file: file)
        // Like the strided blocks, the stem pads only the bottom and right (TFLite SAME on an even size).
        stem = try weights.convolution("stem.conv", stride: 2, padding: 0, padBottomRight: 1, prelu: "stem.prelu")
        trunk = try Self.trunkStrides.enumerated().map { index, stride in
            try weights.block("trunk.block\(index + 1)", stride: stride)
        }
        landmarkBlocks = try [2, 1, 1].enumerated().map { index, stride in
            try weights.block("landmarks.block\(index + 1)", stride: stride)
        }
        landmarkReduction = try weights.convolution("landmarks.reduce.conv", padding: 0, prelu: "landmarks.reduce.prelu")
        landmarkTail = try weights.block("landmarks.block4")
        landmarkOutput = try weights.convolution("landmarks.output", padding: 0)
        presenceBlock = try weights.block("presence.block1", stride: 2)
        presenceReduction = try weights.convolution("presence.reduce.conv", padding: 0, prelu: "presence.reduce.prelu")
        presenceTail = try weights.block("presence.block2")
        presenceOutput = try weights.convolution("presence.output", padding: 0)
    }

    /// Records the network on `input`; returns the landmarks ([1, 1, 1, 1404]) and the presence logit ([1, 1, 1, 1]).
    func encode(_ input: Tensor, in graph: ModelGraphRecorder) throws -> (landmarks: Tensor, presenceLogit: Tensor) {
        var x = try graph.convolve(stem, input)
        for block in trunk { x = try graph.convolve(block, x) }

        var landmarks = x
        for block in landmarkBlocks { landmarks = try graph.convolve(block, landmarks) }
        landmarks = try graph.convolve(landmarkTail, graph.convolve(landmarkReduction, landmarks))
        landmarks = try graph.convolve(landmarkOutput, landmarks)

        var presence = try graph.convolve(presenceBlock, x)
        presence = try graph.convolve(presenceTail, graph.convolve(presenceReduction, presence))
        presence = try graph.convolve(presenceOutput, presence)
        return (landmarks, presence)
    }
}
