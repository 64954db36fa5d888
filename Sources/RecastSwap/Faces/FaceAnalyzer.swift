import Foundation
import RecastGPU
import RecastMedia
import RecastNN

/// One face found in a still image, in that image's pixel coordinates.
public struct AnalyzedFace: Sendable {
    public var box: (x: Float, y: Float, width: Float, height: Float)
    public var score: Float
    /// YuNet's five points: right eye, left eye, nose tip, right and left mouth corners.
    public var keypoints: [SIMD2<Float>]
    /// MediaPipe's 468 points; z on the same pixel scale as x and y, negative towards the camera.
    /// Empty when the analyzer was told not to measure the mesh.
    public var mesh: [SIMD3<Float>]
    /// The mesh model's face-presence probability.
    public var meshPresence: Float
    /// The box's area in square pixels: "the largest face" compares this.
    public var area: Float { box.width * box.height }
    /// MobileFace identity embedding of the aligned face, L2-normalised (so cosine similarity is a dot product);
    /// empty when the analyzer was told not to compute it.
    public var embedding: [Float]
}

/// Finds faces in a still image and measures them with the bundled models:
/// YuNet boxes and keypoints, then the face mesh on a crop levelled by the eyes,
/// and the MobileFace embedding of the face aligned by its keypoints.
public final class FaceAnalyzer: @unchecked Sendable {
    // @unchecked: the models serialise their own GPU use.
    public let detector: YuNetDetector
    public let mesh: FaceMeshModel
    /// Places the eyes' contours on a mesh's crop more closely than the mesh does (`measureMesh(_:crop:placingEyes:)`).
    public let eyes: EyeContourModel
    public let embedder: MobileFaceEmbedder
    /// Longest side the image is scaled down to for detection (YuNet finds faces 40–250 px across best).
    public var detectionSize = 640
    public var scoreThreshold: Float = 0.7
    /// Whether to run the face mesh (identity checks need only boxes, keypoints and embeddings).
    public var measuresMesh = true
    /// Whether to compute identity embeddings (tracking a live face needs only the mesh).
    public var embedsIdentity = true

    public init(engine: TensorEngine, models: URL) throws {
        detector = try YuNetDetector(engine: engine, weightsPath: models.appendingPathComponent("yunet/yunet_s.safetensors").path)
        mesh = try FaceMeshModel(engine: engine, weightsPath: models.appendingPathComponent("face_mesh/face_landmark.safetensors").path)
        eyes = try EyeContourModel(engine: engine, weightsPath: models.appendingPathComponent("face_mesh/eye_contours.safetensors").path)
        embedder = try MobileFaceEmbedder(engine: engine, weightsPath: models.appendingPathComponent("mobileface/mobileface.safetensors").path)
    }

    /// - Parameter placingEyes: whether each mesh's eye contours are placed by `eyes` (`measureMesh`).
    public func analyze(_ image: RGBImage, placingEyes: Bool = false) throws -> [AnalyzedFace] {
        let scale = min(1, Float(detectionSize) / Float(max(image.width, image.height)))
        let scaled = scale < 1
            ? image.resized(width: max(1, Int((Float(image.width) * scale).rounded())), height: max(1, Int((Float(image.height) * scale).rounded())))
            : image
        let factor = SIMD2(Float(image.width) / Float(scaled.width), Float(image.height) / Float(scaled.height))
        let detections = try detector.detect(rgb: scaled.pixels, width: scaled.width, height: scaled.height, scoreThreshold: scoreThreshold)
        return try detections.map { detection in
            let keypoints = detection.keypoints.map { $0 * factor }
            let box = (x: detection.x * factor.x, y: detection.y * factor.y, width: detection.width * factor.x, height: detection.height * factor.y)
            let (points, presence) = measuresMesh
                ? try measureMesh(image, crop: FaceCrop(box: box, rightEye: keypoints[0], leftEye: keypoints[1]), placingEyes: placingEyes)
                : ([], 0)
            let embedding = embedsIdentity ? try embedder.embed(alignedFace: FaceAligner.alignedBGR(image, keypoints: keypoints)) : []
            let length = max(1e-12, embedding.reduce(0) { $0 + $1 * $1 }.squareRoot())
            return AnalyzedFace(box: box, score: detection.score, keypoints: keypoints, mesh: points,
                                meshPresence: presence, embedding: embedding.map { $0 / length })
        }
    }

    /// The mesh measured on `crop` of `image`, in image pixels, with the model's face-presence probability.
    /// - Parameter placingEyes: whether each eye's contour (corners and lids) is placed by `eyes` on a face the mesh
    ///   finds (presence 0.5 or more). The live swap measures the identity and the faces it follows so, and draws the
    ///   identity's eyes between the live lids: the mesh's own hardly narrowed for a squint (d18's, which the mesh on
    ///   a detector's crop reads a tenth narrower). `recastd eval` and `recastd faces` use the mesh alone.
    public func measureMesh(_ image: RGBImage, crop: FaceCrop, placingEyes: Bool = false) throws -> ([SIMD3<Float>], Float) {
        // Both networks take the crop as RGB in [0, 1].
        let input = crop.extract(from: image, size: FaceMeshModel.inputSize).map { Float($0) / 255 }
        let landmarks = try mesh.landmarks(input: input)
        var cropPoints = landmarks.points
        if placingEyes, landmarks.presence >= 0.5 {
            for (eye, contour) in zip(eyes.eyes, try eyes.contours(input: input, mesh: cropPoints)) {
                for (index, point) in zip(eye.points.prefix(EyeContourModel.contourCount), contour) {
                    (cropPoints[index].x, cropPoints[index].y) = (point.x, point.y)
                }
            }
        }
        let depthScale = crop.side / Float(FaceMeshModel.inputSize)
        let points = cropPoints.map { point in
            let planar = crop.imagePoint(SIMD2(point.x, point.y), size: FaceMeshModel.inputSize)
            return SIMD3(planar.x, planar.y, point.z * depthScale)
        }
        return (points, landmarks.presence)
    }
}
