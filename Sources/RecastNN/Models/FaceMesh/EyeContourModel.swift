import Foundation
import RecastGPU

/// Where one eye's head of `EyeContourModel` looks and what it places, as MediaPipe's custom ops around it
/// (Landmarks2TransformMatrix, TransformTensorBilinear, TransformLandmarks) are set in the model file.
public struct EyeCrop: Sendable, Decodable {
    /// The face mesh points the head places, in its output's order; the first `EyeContourModel.contourCount` are
    /// the eye's contour (its corners and both lids), the rest the skin and brow around it.
    public let points: [Int]
    /// Strides of the head's blocks (`EyeContourNetwork`).
    let strides: [Int]
    /// The two mesh points whose line the crop is levelled by.
    let levelledBy: [Int]
    /// The crop's size over the box of `points` (levelled), and its size in feature pixels.
    let cropScale: [Double]
    let cropSize: [Int]
    /// Feature-map pixels per crop pixel (the trunk's stride).
    let featureScale: Double
    /// Factors on the crop's 4×4 matrix that make it place the head's points in crop pixels.
    let outputScale: [[Double]]

    /// Whether the settings have the shapes the computations below index.
    var isWellFormed: Bool {
        points.count >= EyeContourModel.contourCount && points.allSatisfy { (0..<FaceMeshModel.pointCount).contains($0) }
            && levelledBy.count == 2 && levelledBy.allSatisfy { (0..<FaceMeshModel.pointCount).contains($0) }
            && cropScale.count == 2 && cropSize.count == 2 && cropSize.allSatisfy { $0 > 0 } && !strides.isEmpty
            && outputScale.count == 4 && outputScale.allSatisfy { $0.count == 4 }
    }

    /// A crop as a map from crop pixel to feature-map point: `linear` (2×2, row-major) · p + `offset`.
    struct Placement {
        let linear: [Double]
        let offset: [Double]
    }

    /// The crop made from `mesh` (crop pixels): levelled by the line through `levelledBy`, centred on the box of
    /// `points`, `cropScale` times its size.
    func placement(of mesh: [SIMD3<Float>]) -> Placement {
        let scaled = points.map { (Double(mesh[$0].x) * featureScale, Double(mesh[$0].y) * featureScale) }
        let a = mesh[levelledBy[0]], b = mesh[levelledBy[1]]
        let rotation = -atan2(Double(b.y - a.y), Double(b.x - a.x))
        let (c, s) = (cos(rotation), sin(rotation))
        let levelled = scaled.map { (c * $0.0 - s * $0.1, s * $0.0 + c * $0.1) }
        let (lowX, highX) = (levelled.map(\.0).min()!, levelled.map(\.0).max()!)
        let (lowY, highY) = (levelled.map(\.1).min()!, levelled.map(\.1).max()!)
        let (middleX, middleY) = ((lowX + highX) / 2, (lowY + highY) / 2)
        let centre = (c * middleX + s * middleY, -s * middleX + c * middleY)
        let scaleX = cropScale[0] * (highX - lowX) / Double(cropSize[0])
        let scaleY = cropScale[1] * (highY - lowY) / Double(cropSize[1])
        let linear = [c * scaleX, s * scaleY, -s * scaleX, c * scaleY]
        let half = (Double(cropSize[0]) / 2, Double(cropSize[1]) / 2)
        let offset = [
            centre.0 - linear[0] * half.0 - linear[1] * half.1,
            centre.1 - linear[2] * half.0 - linear[3] * half.1,
        ]
        return Placement(linear: linear, offset: offset)
    }

    /// The crop's sampling matrix: MediaPipe samples at pixel centres of the crop (x + 0.5) and of the map (− 0.5).
    func sampling(_ placement: Placement) -> AffineMatrix {
        let (l, t) = (placement.linear, placement.offset)
        return AffineMatrix(
            Float(l[0]), Float(l[1]), Float(t[0] + 0.5 * (l[0] + l[1]) - 0.5),
            Float(l[2]), Float(l[3]), Float(t[1] + 0.5 * (l[2] + l[3]) - 0.5))
    }

    /// The head's raw output (x, y pairs) placed in crop pixels.
    func place(_ raw: [Float], by placement: Placement) -> [SIMD2<Float>] {
        let (l, t) = (placement.linear, placement.offset)
        let s = outputScale
        return stride(from: 0, to: raw.count - 1, by: 2).map { index in
            let (x, y) = (Double(raw[index]), Double(raw[index + 1]))
            return SIMD2(
                Float(l[0] * s[0][0] * x + l[1] * s[0][1] * y + t[0] * s[0][3]),
                Float(l[2] * s[1][0] * x + l[3] * s[1][1] * y + t[1] * s[1][3]))
        }
    }
}

/// The eye contours of MediaPipe's attention face mesh on the Vulkan ops: for a 192×192 face crop and its face mesh
/// (`FaceMeshModel`), each eye's corners and lids placed by a network that sees a crop of early features around that
/// eye alone. The face mesh places the lids from the whole face's features at 6×6 and below; a narrowing of the
/// eyes by a pixel or less of the crop (a squint) moved its lids less than the crop's own jitter did.
/// The network is recorded once and replayed for every call, with each eye's crop matrix written before.
/// `@unchecked Sendable`: a call uploads, runs and reads back under `lock`.
public final class EyeContourModel: @unchecked Sendable {
    /// The contour points at the start of each eye's points: corner, lower lid, corner, upper lid.
    public static let contourCount = 16
    /// The heads' names in the file and its metadata, in `eyes`' order.
    static let headNames = ["rightEye", "leftEye"]

    public let engine: TensorEngine
    /// The person's right eye (on the picture's left, corners 33 and 133), then the left.
    public let eyes: [EyeCrop]
    private let stem: ConvolutionLayer
    private let input: Tensor
    private let matrices: [GPUBuffer]
    private let outputs: [Tensor]
    private let sequence: CommandSequence
    private let lock = NSLock()

    /// Loads `Models/face_mesh/eye_contours.safetensors` (written by tools/convert_eye_contours.py).
    public init(engine: TensorEngine, weightsPath: String) throws {
        self.engine = engine
        let file = try SafeTensorsFile(path: weightsPath)
        func setting<Value: Decodable>(_ key: String, as type: Value.Type) throws -> Value {
            guard let text = file.metadata[key], let value = try? JSONDecoder().decode(type, from: Data(text.utf8)) else {
                throw SafeTensorsError.badHeader(
                    path: weightsPath, detail: "metadata \"\(key)\" is missing or unreadable; write the file with tools/convert_eye_contours.py")
            }
            return value
        }
        let crops = try setting("eyes", as: [String: EyeCrop].self)
        eyes = try Self.headNames.map { name in
            guard let crop = crops[name] else {
                throw SafeTensorsError.badHeader(path: weightsPath, detail: "metadata \"eyes\" lacks \(name)")
            }
            guard crop.isWellFormed else {
                throw SafeTensorsError.badHeader(path: weightsPath, detail: "metadata \"eyes\" has an unusable \(name); write the file with tools/convert_eye_contours.py")
            }
            return crop
        }
        let network = try EyeContourNetwork(
            engine: engine, file: file, trunkStrides: try setting("trunkStrides", as: [Int].self),
            heads: zip(Self.headNames, eyes).map { ($0, $1.strides) })
        let graph = ModelGraphRecorder(engine: engine)
        stem = network.stem
        input = try engine.makeTensor(shape: stem.hostInputShape(height: FaceMeshModel.inputSize, width: FaceMeshModel.inputSize))
        let features = try network.encodeTrunk(input, in: graph)
        var matrices: [GPUBuffer] = [], outputs: [Tensor] = []
        for (head, eye) in zip(network.heads, eyes) {
            let buffer = try engine.makeAffineMatrixBuffer([.identity])
            let crop = try engine.makeTensor(shape: [1, eye.cropSize[1], eye.cropSize[0], features.shape[3]])
            try engine.encodeAffineWarp(features, matrices: buffer, border: .constant(0), output: crop, into: graph.recorder)
            outputs.append(try network.encode(head, crop: crop, in: graph))
            matrices.append(buffer)
        }
        (self.matrices, self.outputs) = (matrices, outputs)
        sequence = try graph.recorder.finish()
    }

    /// Each eye's points (`EyeCrop.points`' order) in the crop's pixels.
    /// - Parameters:
    ///   - rgb: the 192 × 192 crop the face mesh was measured on, 3 bytes per pixel in R, G, B order.
    ///   - mesh: its `FaceMeshModel` points, in the crop's pixels.
    public func contours(rgb: [UInt8], mesh: [SIMD3<Float>]) throws -> [[SIMD2<Float>]] {
        try contours(input: rgb.map { Float($0) / 255 }, mesh: mesh)
    }

    /// As `contours(rgb:mesh:)` for the network's own input: NHWC [1, 192, 192, 3] RGB floats in [0, 1].
    public func contours(input values: [Float], mesh: [SIMD3<Float>]) throws -> [[SIMD2<Float>]] {
        let side = FaceMeshModel.inputSize
        guard values.count == side * side * 3, mesh.count == FaceMeshModel.pointCount else {
            throw NNError.shapeMismatch(
                op: "eye contours", detail: "\(values.count) values for a \(side)×\(side) RGB crop, \(mesh.count) mesh points")
        }
        let placements = eyes.map { $0.placement(of: mesh) }
        let raw = try lock.withLock {
            for (eye, (buffer, placement)) in zip(eyes, zip(matrices, placements)) {
                try engine.updateAffineMatrices([eye.sampling(placement)], in: buffer)
            }
            try engine.write(stem.hostInput(values, height: side, width: side), to: input)
            try sequence.run()
            return try outputs.map { try engine.read($0) }
        }
        return zip(eyes, zip(raw, placements)).map { eye, output in eye.place(output.0, by: output.1) }
    }
}
