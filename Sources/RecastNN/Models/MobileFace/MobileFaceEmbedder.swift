import RecastGPU

/// MobileFace V2: a 256-D identity embedding of an aligned face.
/// conv3×3/2 (3→32), ReLU6, four stages of three bottlenecks (the first of each with stride 2),
/// then fc5 + BatchNorm over the final 128×4×4 map, held as a 4×4 convolution.
///
/// Input convention of the original (MobileFace's get_face_feature_v2_mxnet.py): aligned 112×112 faces,
/// BGR channel order (as OpenCV reads images), values 0…255; the network itself maps them to
/// (x − 127.5)/128. Output: fc5_bn as the original computes it, not L2-normalised; compare
/// embeddings by cosine similarity.
/// `@unchecked Sendable`: it holds only immutable layers; calls are serialized by `TensorEngine.run`.
public final class MobileFaceEmbedder: @unchecked Sendable {
    public static let faceSize = 112
    public static let embeddingSize = 256
    /// Per stage: the channels coming in, each block's expansion width, and the channels going out.
    static let stages: [(input: Int, expansions: [Int], output: Int)] = [
        (32, [96, 96, 96], 32),
        (32, [96, 96, 96], 32),
        (32, [96, 192, 192], 64),
        (64, [192, 384, 384], 128),
    ]
    static let stemChannels = 32
    /// Side of the last feature map for a 112×112 face (five stride-2 layers).
    static let finalSide = 4

    public let engine: TensorEngine
    let stem: ConvolutionLayer
    let blocks: [MobileFaceBottleneck]
    let embedding: ConvolutionLayer

    /// Loads Models/mobileface/mobileface.safetensors (made by tools/convert_mobileface.py).
    public convenience init(engine: TensorEngine, weightsPath: String) throws {
        try self.init(engine: engine, weights: SafeTensorsFile(path: weightsPath))
    }

    public init(engine: TensorEngine, weights file: SafeTensorsFile) throws {
        self.engine = engine
        stem = try ConvolutionLayer(
            engine: engine, file: file, prefix: "stem",
            shape: ConvolutionShape(inChannels: 3, outChannels: Self.stemChannels, kernel: 3, stride: 2), hasBias: true,
            activation: .relu6)
        var blocks: [MobileFaceBottleneck] = []
        for (stageIndex, stage) in Self.stages.enumerated() {
            for (blockIndex, expansion) in stage.expansions.enumerated() {
                blocks.append(try MobileFaceBottleneck(
                    engine: engine, file: file, prefix: "stage\(stageIndex + 1).block\(blockIndex + 1)",
                    input: blockIndex == 0 ? stage.input : stage.output, expansion: expansion, output: stage.output,
                    stride: blockIndex == 0 ? 2 : 1))
            }
        }
        self.blocks = blocks
        embedding = try ConvolutionLayer(
            engine: engine, file: file, prefix: "embedding",
            shape: ConvolutionShape(
                inChannels: Self.stages.last!.output, outChannels: Self.embeddingSize, kernel: Self.finalSide, padding: 0),
            hasBias: true)
    }

    /// Records the embedding of `faces` ([N, 112, 112, 3], BGR 0…255) and returns the tensor
    /// [N, 1, 1, 256] it will hold (not normalised).
    public func record(_ faces: Tensor, into recorder: CommandRecorder) throws -> Tensor {
        guard faces.rank == 4, faces.shape[1] == Self.faceSize, faces.shape[2] == Self.faceSize, faces.shape[3] == 3 else {
            throw NNError.shapeMismatch(op: "MobileFace", detail: "faces \(faces.shape): need [N, 112, 112, 3]")
        }
        let normalized = try engine.makeTensor(shape: faces.shape)
        try engine.encodeElementwise(.scale(1 / 128, offset: -127.5 / 128), faces, output: normalized, into: recorder)
        var x = try stem.record(normalized, engine: engine, into: recorder)
        for block in blocks {
            x = try block.record(x, engine: engine, into: recorder)
        }
        return try embedding.record(x, engine: engine, into: recorder)
    }

    /// Embeddings of `faces` ([N, 112, 112, 3] aligned faces, BGR 0…255): N arrays of 256 values, not normalised.
    public func embed(alignedFaces faces: Tensor) throws -> [[Float]] {
        var output: Tensor?
        try engine.run { output = try record(faces, into: $0) }
        let values = try engine.read(output!)
        return (0..<faces.shape[0]).map { Array(values[$0 * Self.embeddingSize..<($0 + 1) * Self.embeddingSize]) }
    }

    /// The embedding of one aligned face: 112×112×3 values, row-major HWC, BGR 0…255. 256 values, not normalised.
    public func embed(alignedFace face: [Float]) throws -> [Float] {
        let tensor = try engine.makeTensor(shape: [1, Self.faceSize, Self.faceSize, 3], values: face)
        return try embed(alignedFaces: tensor)[0]
    }

    /// Cosine similarity of two embeddings: 1 for the same direction; higher means more alike.
    public static func cosineSimilarity(_ a: [Float], _ b: [Float]) -> Float {
        var dot: Float = 0, normA: Float = 0, normB: Float = 0
        for (x, y) in zip(a, b) {
            dot += x * y
            normA += x * x
            normB += y * y
        }
        return dot / (normA.squareRoot() * normB.squareRoot())
    }
}
