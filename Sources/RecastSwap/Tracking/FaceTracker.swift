import RecastMedia

/// A face followed from frame to frame; `id` stays the same while it is followed.
public struct TrackedFace: Sendable {
    public let id: Int
    public var face: AnalyzedFace
}

/// Follows the chosen faces through a video, as MediaPipe tracks: each face's mesh is measured on the crop its
/// previous position gives. YuNet runs every `detectionInterval` frames, to notice faces that appeared or a
/// better choice, and whenever a followed face's mesh no longer sees a face (presence under 0.5).
public final class FaceTracker: @unchecked Sendable {
    // @unchecked: one pipeline thread calls `track`.
    public let analyzer: FaceAnalyzer
    /// Detect on every Nth frame (1: every frame).
    public var detectionInterval: Int
    /// Which faces to follow; `matching` needs the person's embedding (see `Choice`).
    public var choice: Choice
    public private(set) var detections = 0
    private var tracked: [TrackedFace] = []
    private var nextID = 0
    private var framesSinceDetection = 0

    /// Which of the detected faces are followed.
    public enum Choice: Sendable, Equatable {
        case largest
        case all
        /// The face whose MobileFace embedding is closest to this one, if its cosine similarity reaches `minimumSimilarity`.
        case matching(embedding: [Float])
    }

    /// Cosine similarity at which a face counts as the person `matching` looks for (MobileFace: different people
    /// rarely reach 0.3, the same person rarely falls below it).
    public static let minimumSimilarity: Float = 0.3

    public init(analyzer: FaceAnalyzer, detectionInterval: Int = 5, choice: Choice = .largest) {
        self.analyzer = analyzer
        self.detectionInterval = max(1, detectionInterval)
        self.choice = choice
    }

    /// The followed face in this frame (the first, for `all`), or nil when there is none.
    public func track(_ image: RGBImage) throws -> AnalyzedFace? {
        try trackFaces(image).first?.face
    }

    /// The followed faces in this frame; empty when there are none.
    public func trackFaces(_ image: RGBImage) throws -> [TrackedFace] {
        framesSinceDetection += 1
        var followed = try tracked.compactMap { try follow($0, in: image) }
        if tracked.isEmpty || followed.count < tracked.count || framesSinceDetection >= detectionInterval {
            framesSinceDetection = 0
            detections += 1
            followed = try reconcile(followed, with: chosen(from: detect(image, following: followed)), in: image)
        }
        tracked = followed
        return followed
    }

    /// The chosen faces of a still picture, measured as they are (nothing is followed or remembered).
    public func findFaces(_ image: RGBImage) throws -> [TrackedFace] {
        try reconcile([], with: chosen(from: detect(image)), in: image)
    }

    /// Forgets the faces (a cut or a new input).
    public func reset() {
        tracked = []
        framesSinceDetection = 0
    }

    /// The chosen detections, each kept as the followed face it is (re-cropping from the detector's box would make
    /// the mesh jump) or measured anew; for `all`, followed faces the detector missed stay while their mesh sees them.
    /// A detection that finds none of the chosen faces keeps those still followed (the detector may miss a face the
    /// mesh still sees).
    private func reconcile(_ followed: [TrackedFace], with chosen: [AnalyzedFace], in image: RGBImage) throws -> [TrackedFace] {
        guard !chosen.isEmpty else { return followed }
        var result: [TrackedFace] = []
        for detection in chosen {
            if let same = followed.first(where: { Self.isSame(detection, as: $0.face) }) {
                result.append(same)
                continue
            }
            let (points, presence) = try analyzer.measureMesh(
                image, crop: FaceCrop(box: detection.box, rightEye: detection.keypoints[0], leftEye: detection.keypoints[1]), placingEyes: true)
            guard presence >= 0.5 else { continue }
            var face = detection
            face.mesh = points
            face.meshPresence = presence
            result.append(TrackedFace(id: nextID, face: face))
            nextID += 1
        }
        if choice == .all {
            result += followed.filter { kept in !result.contains { $0.id == kept.id } && !result.contains { Self.isSame(kept.face, as: $0.face) } }
        }
        return result
    }

    private func chosen(from detections: [AnalyzedFace]) -> [AnalyzedFace] {
        switch choice {
        case .largest:
            return detections.max { $0.area < $1.area }.map { [$0] } ?? []
        case .all:
            return detections
        case .matching(let embedding):
            let scored = detections.map { (face: $0, similarity: zip($0.embedding, embedding).map(*).reduce(0, +)) }
            return scored.filter { $0.similarity >= Self.minimumSimilarity }.max { $0.similarity < $1.similarity }.map { [$0.face] } ?? []
        }
    }

    /// Width in pixels the smallest followed face keeps in the image a detection runs on, when one
    /// face is followed (YuNet finds faces 40–250 px across best).
    public static let followedFaceDetectionWidth: Float = 96

    /// Boxes and keypoints only (and embeddings when matching): meshes are measured for the faces kept.
    /// While following one face (not `all`), the image is scaled down as far as the face stays
    /// `followedFaceDetectionWidth` px across, to no less than 320 px on its long side: a 200 px face
    /// in a 640×480 frame is then found at 320×240, in a quarter of the time. Without a followed
    /// face the analyzer's full `detectionSize` looks for small ones.
    private func detect(_ image: RGBImage, following followed: [TrackedFace] = []) throws -> [AnalyzedFace] {
        let (measures, embeds, size) = (analyzer.measuresMesh, analyzer.embedsIdentity, analyzer.detectionSize)
        analyzer.measuresMesh = false
        if case .matching = choice { analyzer.embedsIdentity = true } else { analyzer.embedsIdentity = false }
        if choice != .all, let smallest = followed.map(\.face.box.width).min(), smallest > 0 {
            let longSide = Float(max(image.width, image.height))
            analyzer.detectionSize = min(size, max(320, Int(longSide * Self.followedFaceDetectionWidth / smallest)))
        }
        defer { (analyzer.measuresMesh, analyzer.embedsIdentity, analyzer.detectionSize) = (measures, embeds, size) }
        return try analyzer.analyze(image)
    }

    private func follow(_ tracked: TrackedFace, in image: RGBImage) throws -> TrackedFace? {
        let face = tracked.face
        let (points, presence) = try analyzer.measureMesh(image, crop: FaceCrop(mesh: face.mesh), placingEyes: true)
        guard presence >= 0.5 else { return nil }
        let xs = points.map(\.x), ys = points.map(\.y)
        return TrackedFace(id: tracked.id, face: AnalyzedFace(
            box: (xs.min()!, ys.min()!, xs.max()! - xs.min()!, ys.max()! - ys.min()!), score: face.score,
            keypoints: MeshLandmarks.keypoints(points), mesh: points, meshPresence: presence, embedding: []))
    }

    /// Whether a detection is the tracked face: its center lies within a third of the face's width.
    private static func isSame(_ detected: AnalyzedFace, as tracked: AnalyzedFace) -> Bool {
        let a = SIMD2(detected.box.x + detected.box.width / 2, detected.box.y + detected.box.height / 2)
        let b = SIMD2(tracked.box.x + tracked.box.width / 2, tracked.box.y + tracked.box.height / 2)
        let offset = a - b
        return (offset * offset).sum().squareRoot() < tracked.box.width / 3
    }
}
