import RecastMedia

/// Follows the largest face through a video, as MediaPipe tracks: the face
/// mesh is measured on the crop its previous position gives. YuNet runs every
/// `detectionInterval` frames to notice a new, larger face (then tracking moves
/// to it) and whenever the mesh no longer sees a face (presence under 0.5).
public final class FaceTracker: @unchecked Sendable {
    // @unchecked: one pipeline thread calls `track`.
    public let analyzer: FaceAnalyzer
    /// Detect on every Nth frame (1: every frame).
    public var detectionInterval: Int
    public private(set) var detections = 0
    private var previous: AnalyzedFace?
    private var framesSinceDetection = 0

    public init(analyzer: FaceAnalyzer, detectionInterval: Int = 5) {
        self.analyzer = analyzer
        self.detectionInterval = max(1, detectionInterval)
    }

    /// The tracked face in this frame, or nil when there is none.
    public func track(_ image: RGBImage) throws -> AnalyzedFace? {
        framesSinceDetection += 1
        if let previous {
            // A periodic detection that finds the same face changes nothing: re-cropping from the
            // detector's box would make the mesh jump, so the tracked crop is kept.
            if framesSinceDetection >= detectionInterval {
                framesSinceDetection = 0
                detections += 1
                let largest = try largestFace(in: image, measuringMesh: false)
                if let largest, !Self.isSame(largest, as: previous) {
                    return adopt(try analyzer.analyze(image).max { $0.area < $1.area })
                }
            }
            if let face = try follow(previous, in: image) { return face }
        }
        framesSinceDetection = 0
        detections += 1
        return adopt(try largestFace(in: image, measuringMesh: true))
    }

    /// Forgets the face (a cut or a new input).
    public func reset() {
        previous = nil
        framesSinceDetection = 0
    }

    private func follow(_ face: AnalyzedFace, in image: RGBImage) throws -> AnalyzedFace? {
        let (points, presence) = try analyzer.measureMesh(image, crop: FaceCrop(mesh: face.mesh))
        guard presence >= 0.5 else { return nil }
        let xs = points.map(\.x), ys = points.map(\.y)
        return adopt(AnalyzedFace(box: (xs.min()!, ys.min()!, xs.max()! - xs.min()!, ys.max()! - ys.min()!),
                                      score: face.score, keypoints: MeshLandmarks.keypoints(points), mesh: points,
                                      meshPresence: presence, embedding: []))
    }

    private func adopt(_ face: AnalyzedFace?) -> AnalyzedFace? {
        previous = face
        return face
    }

    private func largestFace(in image: RGBImage, measuringMesh: Bool) throws -> AnalyzedFace? {
        let measures = analyzer.measuresMesh
        analyzer.measuresMesh = measuringMesh
        defer { analyzer.measuresMesh = measures }
        return try analyzer.analyze(image).max { $0.area < $1.area }
    }

    /// Whether a detection is the tracked face: its center lies within a third of the face's width.
    private static func isSame(_ detected: AnalyzedFace, as tracked: AnalyzedFace) -> Bool {
        let a = SIMD2(detected.box.x + detected.box.width / 2, detected.box.y + detected.box.height / 2)
        let b = SIMD2(tracked.box.x + tracked.box.width / 2, tracked.box.y + tracked.box.height / 2)
        let offset = a - b
        return (offset * offset).sum().squareRoot() < tracked.box.width / 3
    }
}
