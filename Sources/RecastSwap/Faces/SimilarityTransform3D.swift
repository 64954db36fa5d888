/// A 3-D similarity (rotation, uniform scale, translation): x' = scale · R·x + translation.
struct SimilarityTransform3D {
    /// The rotation's rows.
    var rotation: (SIMD3<Float>, SIMD3<Float>, SIMD3<Float>)
    var scale: Float
    var translation: SIMD3<Float>

    func apply(_ point: SIMD3<Float>) -> SIMD3<Float> {
        transformVector(point) + translation
    }

    /// A direction or offset: rotated and scaled, not moved.
    func transformVector(_ vector: SIMD3<Float>) -> SIMD3<Float> {
        scale * SIMD3((rotation.0 * vector).sum(), (rotation.1 * vector).sum(), (rotation.2 * vector).sum())
    }

    /// The point that `apply` takes to `point`.
    func invert(_ point: SIMD3<Float>) -> SIMD3<Float> {
        let moved = (point - translation) / scale
        return rotation.0 * moved.x + rotation.1 * moved.y + rotation.2 * moved.z
    }

    /// The least-squares similarity taking `source` onto `destination` (Horn's closed form: the rotation is the
    /// unit quaternion of the largest eigenvalue of a 4×4 matrix of the points' cross-covariance; Umeyama's scale).
    static func fitting(from source: [SIMD3<Float>], to destination: [SIMD3<Float>]) -> SimilarityTransform3D {
        precondition(source.count == destination.count && source.count >= 3)
        let count = Double(source.count)
        let sourceMean = source.reduce(SIMD3<Double>.zero) { $0 + SIMD3<Double>($1) } / count
        let destinationMean = destination.reduce(SIMD3<Double>.zero) { $0 + SIMD3<Double>($1) } / count
        // s[a][b] = Σ source_a · destination_b over the centred points (rows as vectors: no allocation per point).
        var cross = (SIMD3<Double>.zero, SIMD3<Double>.zero, SIMD3<Double>.zero)
        var sourceNorm = 0.0
        for index in source.indices {
            let p = SIMD3<Double>(source[index]) - sourceMean, q = SIMD3<Double>(destination[index]) - destinationMean
            cross.0 += p.x * q
            cross.1 += p.y * q
            cross.2 += p.z * q
            sourceNorm += (p * p).sum()
        }
        let s = [cross.0, cross.1, cross.2]
        let n: [[Double]] = [
            [s[0][0] + s[1][1] + s[2][2], s[1][2] - s[2][1], s[2][0] - s[0][2], s[0][1] - s[1][0]],
            [s[1][2] - s[2][1], s[0][0] - s[1][1] - s[2][2], s[0][1] + s[1][0], s[2][0] + s[0][2]],
            [s[2][0] - s[0][2], s[0][1] + s[1][0], -s[0][0] + s[1][1] - s[2][2], s[1][2] + s[2][1]],
            [s[0][1] - s[1][0], s[2][0] + s[0][2], s[1][2] + s[2][1], -s[0][0] - s[1][1] + s[2][2]],
        ]
        let rotation = Self.rotation(quaternion: largestEigenvector(n))
        // Scale: Σ q · R p over Σ |p|², and R p · q summed is Σ_ab R[b][a] s[a][b].
        var projected = 0.0
        for a in 0..<3 { for b in 0..<3 { projected += rotation[b][a] * s[a][b] } }
        let scale = sourceNorm > 0 ? projected / sourceNorm : 1
        let rows = (SIMD3<Float>(rotation[0]), SIMD3<Float>(rotation[1]), SIMD3<Float>(rotation[2]))
        var transform = SimilarityTransform3D(rotation: rows, scale: Float(scale), translation: .zero)
        transform.translation = SIMD3<Float>(destinationMean) - transform.transformVector(SIMD3<Float>(sourceMean))
        return transform
    }

    /// The rows of the rotation a unit quaternion (w, x, y, z) stands for.
    static func rotation(quaternion: (Double, Double, Double, Double)) -> [SIMD3<Double>] {
        let (w, x, y, z) = quaternion
        return [
            SIMD3(w * w + x * x - y * y - z * z, 2 * (x * y - w * z), 2 * (x * z + w * y)),
            SIMD3(2 * (x * y + w * z), w * w - x * x + y * y - z * z, 2 * (y * z - w * x)),
            SIMD3(2 * (x * z - w * y), 2 * (y * z + w * x), w * w - x * x - y * y + z * z),
        ]
    }

    /// The unit eigenvector of the symmetric 4×4 `matrix`'s largest eigenvalue, by cyclic Jacobi rotations.
    private static func largestEigenvector(_ matrix: [[Double]]) -> (Double, Double, Double, Double) {
        var a = matrix
        var vectors = (0..<4).map { row in (0..<4).map { row == $0 ? 1.0 : 0.0 } }
        for _ in 0..<32 {
            var offDiagonal = 0.0
            for p in 0..<4 { for q in (p + 1)..<4 { offDiagonal += a[p][q] * a[p][q] } }
            if offDiagonal < 1e-22 * max(1, (0..<4).map { a[$0][$0] * a[$0][$0] }.reduce(0, +)) { break }
            for p in 0..<4 {
                for q in (p + 1)..<4 where a[p][q] != 0 {
                    let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                    let t = (theta >= 0 ? 1 : -1) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<4 {
                        let (kp, kq) = (a[k][p], a[k][q])
                        a[k][p] = c * kp - s * kq
                        a[k][q] = s * kp + c * kq
                    }
                    for k in 0..<4 {
                        let (pk, qk) = (a[p][k], a[q][k])
                        a[p][k] = c * pk - s * qk
                        a[q][k] = s * pk + c * qk
                    }
                    for k in 0..<4 {
                        let (kp, kq) = (vectors[k][p], vectors[k][q])
                        vectors[k][p] = c * kp - s * kq
                        vectors[k][q] = s * kp + c * kq
                    }
                }
            }
        }
        let largest = (0..<4).max { a[$0][$0] < a[$1][$1] }!
        let v = (0..<4).map { vectors[$0][largest] }
        let norm = (v.map { $0 * $0 }.reduce(0, +)).squareRoot()
        return (v[0] / norm, v[1] / norm, v[2] / norm, v[3] / norm)
    }
}
