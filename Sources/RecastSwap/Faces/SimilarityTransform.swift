/// A 2-D similarity (rotation, uniform scale, translation):
/// x' = a·x − b·y + tx, y' = b·x + a·y + ty.
public struct SimilarityTransform: Sendable, Equatable {
    public var a: Float
    public var b: Float
    public var translation: SIMD2<Float>

    public init(a: Float, b: Float, translation: SIMD2<Float>) {
        self.a = a
        self.b = b
        self.translation = translation
    }

    public func apply(_ point: SIMD2<Float>) -> SIMD2<Float> {
        SIMD2(a * point.x - b * point.y, b * point.x + a * point.y) + translation
    }

    /// The least-squares similarity taking `source` points onto `destination` points.
    public static func fitting(from source: [SIMD2<Float>], to destination: [SIMD2<Float>]) -> SimilarityTransform {
        precondition(source.count == destination.count && source.count >= 2)
        let count = Float(source.count)
        let sourceMean = source.reduce(.zero, +) / count
        let destinationMean = destination.reduce(.zero, +) / count
        var dot: Float = 0, cross: Float = 0, norm: Float = 0
        for (s, d) in zip(source, destination) {
            let p = s - sourceMean, q = d - destinationMean
            dot += p.x * q.x + p.y * q.y
            cross += p.x * q.y - p.y * q.x
            norm += p.x * p.x + p.y * p.y
        }
        let a = dot / norm, b = cross / norm
        let rotated = SIMD2(a * sourceMean.x - b * sourceMean.y, b * sourceMean.x + a * sourceMean.y)
        return SimilarityTransform(a: a, b: b, translation: destinationMean - rotated)
    }
}
