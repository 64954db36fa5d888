/// Expression and position measures read off MediaPipe's 468-point face mesh (image pixels),
/// each as a ratio of distances so that it does not depend on how large the face appears.
public enum FaceOpenings {
    /// Inner-lip midpoints, upper and lower.
    static let innerLips = (13, 14)
    /// The face's outline at the cheekbones, picture left and right: its width.
    static let cheeks = (234, 454)
    /// Eyelid midpoints, upper and lower: the person's right eye, then the left.
    static let rightEyelids = (159, 145)
    static let leftEyelids = (386, 374)

    private static func distance(_ mesh: [SIMD3<Float>], _ pair: (Int, Int)) -> Double {
        let offset = SIMD2(mesh[pair.0].x - mesh[pair.1].x, mesh[pair.0].y - mesh[pair.1].y)
        return Double((offset * offset).sum().squareRoot())
    }

    /// Cheek-to-cheek distance in pixels.
    public static func faceWidth(_ mesh: [SIMD3<Float>]) -> Double {
        distance(mesh, cheeks)
    }

    /// Inner-lip gap over face width: 0 with the lips closed.
    public static func mouth(_ mesh: [SIMD3<Float>]) -> Double {
        distance(mesh, innerLips) / max(1e-6, faceWidth(mesh))
    }

    /// The mean over both eyes of eyelid gap over eye width (corner to corner): near 0 when blinking.
    public static func eyes(_ mesh: [SIMD3<Float>]) -> Double {
        let right = distance(mesh, rightEyelids) / max(1e-6, distance(mesh, MeshLandmarks.rightEyeCorners))
        let left = distance(mesh, leftEyelids) / max(1e-6, distance(mesh, MeshLandmarks.leftEyeCorners))
        return (right + left) / 2
    }

    /// The mean of the mesh's points in the picture plane.
    public static func centre(_ mesh: [SIMD3<Float>]) -> SIMD2<Double> {
        let sum = mesh.reduce(SIMD2<Double>.zero) { $0 + SIMD2(Double($1.x), Double($1.y)) }
        return sum / Double(max(1, mesh.count))
    }
}
