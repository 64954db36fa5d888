import Foundation
import RecastGPU

/// MediaPipe's face landmark model on the Vulkan ops: 468 3-D points and a face-presence score for a
/// 192×192 face crop. The network is recorded once and replayed for every call.
/// `@unchecked Sendable`: a call uploads, runs and reads back under `lock`.
public final class FaceMeshModel: @unchecked Sendable {
    /// Side of the square input crop, in pixels.
    public static let inputSize = 192
    public static let pointCount = 468

    public let engine: TensorEngine
    private let stem: ConvolutionLayer
    private let input: Tensor
    private let landmarks: Tensor
    private let presenceLogit: Tensor
    private let sequence: CommandSequence
    private let lock = NSLock()

    /// Loads `Models/face_mesh/face_landmark.safetensors` (or another file written by tools/convert_face_mesh.py).
    public init(engine: TensorEngine, weightsPath: String) throws {
        self.engine = engine
        let network = try FaceMeshNetwork(engine: engine, file: SafeTensorsFile(path: weightsPath))
        let graph = ModelGraphRecorder(engine: engine)
        stem = network.stem
        // The crop as the stem convolution takes it from the host (unfolded on CPU devices).
        input = try engine.makeTensor(shape: stem.hostInputShape(height: Self.inputSize, width: Self.inputSize))
        (landmarks, presenceLogit) = try network.encode(input, in: graph)
        sequence = try graph.recorder.finish()
    }

    /// Landmarks of the face in a crop.
    /// - Parameter rgb: 192 × 192 pixels, row-major, 3 bytes per pixel in R, G, B order, 0–255; the model sees them
    ///   scaled to [0, 1] as MediaPipe feeds it. MediaPipe crops a square 1.5× the detected face box around its
    ///   center (rotated upright by the eye line) and resizes it to 192×192; map the points back with that transform.
    public func landmarks(rgb: [UInt8]) throws -> FaceMesh {
        try landmarks(input: rgb.map { Float($0) / 255 })
    }

    /// Landmarks for the network's own input: NHWC [1, 192, 192, 3] RGB floats in [0, 1], as the TFLite model takes.
    public func landmarks(input values: [Float]) throws -> FaceMesh {
        let side = Self.inputSize
        guard values.count == side * side * 3 else {
            throw NNError.shapeMismatch(op: "face mesh", detail: "\(values.count) values for a \(side)×\(side) RGB crop")
        }
        let (coordinates, logit) = try lock.withLock {
            try engine.write(stem.hostInput(values, height: side, width: side), to: input)
            try sequence.run()
            return (try engine.read(landmarks), try engine.read(presenceLogit)[0])
        }
        let points = (0..<Self.pointCount).map { SIMD3(coordinates[3 * $0], coordinates[3 * $0 + 1], coordinates[3 * $0 + 2]) }
        return FaceMesh(points: points, presence: 1 / (1 + exp(-logit)))
    }
}
