import RecastMedia

/// Cuts the 112×112 face that identity embeddings expect: a similarity
/// transform takes the five detected keypoints onto the standard template
/// (eyes, nose tip, mouth corners of a 112×112 recognition crop).
public enum FaceAligner {
    public static let side = 112
    /// In picture order: the eye and mouth corner on the left of the image first (the person's right).
    static let template: [SIMD2<Float>] = [
        SIMD2(38.2946, 51.6963), SIMD2(73.5318, 51.5014), SIMD2(56.0252, 71.7366),
        SIMD2(41.5493, 92.3655), SIMD2(70.7299, 92.2041),
    ]

    /// The aligned face as row-major HWC BGR values 0…255 (MobileFace's input convention).
    /// - Parameter keypoints: YuNet's five points in image pixels (right eye, left eye, nose, right and left mouth corners).
    public static func alignedBGR(_ image: RGBImage, keypoints: [SIMD2<Float>]) -> [Float] {
        let toImage = SimilarityTransform.fitting(from: template, to: keypoints)
        var face = [Float](repeating: 0, count: side * side * 3)
        for v in 0..<side {
            for u in 0..<side {
                let point = toImage.apply(SIMD2(Float(u), Float(v)))
                let pixel = image.sample(x: point.x, y: point.y)
                let offset = (v * side + u) * 3
                face[offset] = Float(pixel.z)
                face[offset + 1] = Float(pixel.y)
                face[offset + 2] = Float(pixel.x)
            }
        }
        return face
    }
}
