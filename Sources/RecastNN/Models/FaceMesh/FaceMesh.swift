/// MediaPipe face mesh landmarks of one face crop.
public struct FaceMesh: Sendable, Equatable {
    /// 468 points in MediaPipe's canonical order (see Models/face_mesh/face_mesh_connections.json for the
    /// mesh edges and contours). x and y are pixels of the 192×192 input crop (origin top-left, y down);
    /// z is depth on the same pixel scale, relative to the face's center, negative towards the camera.
    public var points: [SIMD3<Float>]
    /// Probability in [0, 1] that the crop holds a face: the sigmoid of the model's face-flag logit, as MediaPipe
    /// computes it. MediaPipe drops the face below 0.5 and re-runs detection.
    public var presence: Float

    public init(points: [SIMD3<Float>], presence: Float) {
        self.points = points
        self.presence = presence
    }
}
