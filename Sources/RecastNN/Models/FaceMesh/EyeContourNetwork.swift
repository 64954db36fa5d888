import RecastGPU

/// The eye part of MediaPipe's attention face mesh (face_landmark_with_attention.tflite): its trunk down to a
/// 48×48×32 feature map (a stride-2 stem and three residual blocks, the face mesh's own first layers with other
/// weights), and for each eye a head that takes a 16×16 crop of that map around the eye (`EyeContourModel` cuts
/// it) through residual blocks down to 2×2, a 1×1 reduction to 32 channels, a block and a 2×2 convolution to
/// 71 × (x, y). Input: NHWC [1, 192, 192, 3] RGB in [0, 1].
struct EyeContourNetwork {
    struct Head {
        let blocks: [DepthwisePointwiseBlock]
        let reduction: ConvolutionLayer
        let tail: DepthwisePointwiseBlock
        let output: ConvolutionLayer
    }

    let stem: ConvolutionLayer
    let trunk: [DepthwisePointwiseBlock]
    let heads: [Head]

    /// - Parameters:
    ///   - trunkStrides: the stride of each trunk block.
    ///   - heads: each head's name in the file and the strides of its blocks, the last one after the reduction.
    init(engine: TensorEngine, file: SafeTensorsFile, trunkStrides: [Int], heads: [(name: String, strides: [Int])]) throws {
        let weights = FaceMeshWeights(engine: engine, file: file)
        stem = try weights.convolution("stem.conv", stride: 2, padding: 0, padBottomRight: 1, prelu: "stem.prelu")
        trunk = try trunkStrides.enumerated().map { index, stride in try weights.block("trunk.block\(index + 1)", stride: stride) }
        self.heads = try heads.map { name, strides in
            guard let last = strides.last else {
                throw SafeTensorsError.badTensor(path: file.path, tensor: name, detail: "has no blocks")
            }
            return Head(
                blocks: try strides.dropLast().enumerated().map { index, stride in try weights.block("\(name).block\(index + 1)", stride: stride) },
                reduction: try weights.convolution("\(name).reduce.conv", padding: 0, prelu: "\(name).reduce.prelu"),
                tail: try weights.block("\(name).block\(strides.count)", stride: last),
                output: try weights.convolution("\(name).output", padding: 0))
        }
    }

    /// Records the trunk on `input`; returns its feature map.
    func encodeTrunk(_ input: Tensor, in graph: ModelGraphRecorder) throws -> Tensor {
        var x = try graph.convolve(stem, input)
        for block in trunk { x = try graph.convolve(block, x) }
        return x
    }

    /// Records `head` on a crop of the trunk's features; returns its points ([1, 1, 1, 142]).
    func encode(_ head: Head, crop: Tensor, in graph: ModelGraphRecorder) throws -> Tensor {
        var x = crop
        for block in head.blocks { x = try graph.convolve(block, x) }
        x = try graph.convolve(head.tail, graph.convolve(head.reduction, x))
        return try graph.convolve(head.output, x)
    }
}
