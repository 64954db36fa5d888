/// A face found by `YuNetDetector`, in the pixel coordinates of the image passed to `detect`
/// (origin at the top-left corner, x to the right, y down).
public struct DetectedFace: Sendable, Equatable {
    /// Top-left corner of the box.
    public var x: Float
    public var y: Float
    public var width: Float
    public var height: Float
    /// Confidence in [0, 1]: sqrt(classification · objectness), as OpenCV's FaceDetectorYN reports it.
    public var score: Float
    /// Five points in YuNet's order: right eye, left eye, nose tip, right mouth corner, left mouth corner
    /// ("right" is the person's right, which appears on the left of a frontal photo).
    public var keypoints: [SIMD2<Float>]

    public init(x: Float, y: Float, width: Float, height: Float, score: Float, keypoints: [SIMD2<Float>]) {
        self.x = x
        self.y = y
        self.width = width
        self.height = height
        self.score = score
        self.keypoints = keypoints
    }
}
