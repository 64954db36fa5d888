import Foundation

extension CPUReference {
    /// Triangle-mesh warp of one NHWC texture, as Shaders/mesh_warp.comp defines it, drawn the
    /// textbook way: each triangle over the pixels of its bounding box, with a depth test (smaller
    /// z is nearer; equal depth keeps the lower triangle index). Returns the image and the mask.
    public static func meshWarp(
        _ texture: [Float], height: Int, width: Int, channels: Int, mesh: TriangleMesh,
        sourcePoints: [SIMD2<Float>], destinationPoints: [SIMD3<Float>], outHeight: Int, outWidth: Int,
        options: MeshWarpOptions
    ) -> (image: [Float], mask: [Float]) {
        struct Fragment { var triangle: Int, depth: Float, weights: SIMD3<Float> }
        var fragments = [Fragment?](repeating: nil, count: outHeight * outWidth)
        for (index, triangle) in mesh.triangles.enumerated() {
            let corners = [triangle.x, triangle.y, triangle.z].map { destinationPoints[Int($0)] }
            let (a, b, c) = (SIMD2(corners[0].x, corners[0].y), SIMD2(corners[1].x, corners[1].y), SIMD2(corners[2].x, corners[2].y))
            let depths = SIMD3(corners[0].z, corners[1].z, corners[2].z)
            let area = edgeFunction(a, b, c)
            guard corners.allSatisfy({ $0.x.isFinite && $0.y.isFinite && $0.z.isFinite }), area != 0 else { continue }
            let lo = pointwiseMin(a, pointwiseMin(b, c)), hi = pointwiseMax(a, pointwiseMax(b, c))
            let x0 = max(0, lo.x.rounded(.up)), x1 = min(Float(outWidth - 1), hi.x.rounded(.down))
            let y0 = max(0, lo.y.rounded(.up)), y1 = min(Float(outHeight - 1), hi.y.rounded(.down))
            guard x0 <= x1, y0 <= y1 else { continue }
            for y in Int(y0)...Int(y1) {
                for x in Int(x0)...Int(x1) {
                    let pixel = SIMD2(Float(x), Float(y))
                    let w = SIMD3(edgeFunction(b, c, pixel), edgeFunction(c, a, pixel), edgeFunction(a, b, pixel))
                    let inside = area > 0 ? w.min() >= 0 : w.max() <= 0
                    guard inside else { continue }
                    let weights = w / area
                    let depth = weights.x * depths.x + weights.y * depths.y + weights.z * depths.z
                    if let held = fragments[y * outWidth + x], held.depth < depth || (held.depth == depth && held.triangle < index) {
                        continue
                    }
                    fragments[y * outWidth + x] = Fragment(triangle: index, depth: depth, weights: weights)
                }
            }
        }

        let boundary = mesh.boundaryEdges.map { edge in
            (SIMD2(destinationPoints[Int(edge.x)].x, destinationPoints[Int(edge.x)].y),
             SIMD2(destinationPoints[Int(edge.y)].x, destinationPoints[Int(edge.y)].y))
        }
        var image = [Float](repeating: 0, count: outHeight * outWidth * channels)
        var mask = [Float](repeating: 0, count: outHeight * outWidth)
        for y in 0..<outHeight {
            for x in 0..<outWidth {
                guard let fragment = fragments[y * outWidth + x] else { continue }
                let pixel = SIMD2(Float(x), Float(y))
                if options.featherWidth > 0 {
                    let nearest = boundary.map { segmentDistance(pixel, $0.0, $0.1) }.min() ?? .infinity
                    mask[y * outWidth + x] = min(nearest, options.featherWidth) / options.featherWidth
                } else {
                    mask[y * outWidth + x] = 1
                }
                let triangle = mesh.triangles[fragment.triangle]
                let s = fragment.weights.x * sourcePoints[Int(triangle.x)] + fragment.weights.y * sourcePoints[Int(triangle.y)]
                    + fragment.weights.z * sourcePoints[Int(triangle.z)]
                let sample = bilinear(texture, height: height, width: width, channels: channels, at: s, border: options.border)
                for c in 0..<channels { image[(y * outWidth + x) * channels + c] = sample[c] }
            }
        }
        return (image, mask)
    }

    /// Twice the signed area of (a, b, p), evaluated in the shader's order (no fused multiply-add).
    static func edgeFunction(_ a: SIMD2<Float>, _ b: SIMD2<Float>, _ p: SIMD2<Float>) -> Float {
        (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x)
    }

    static func segmentDistance(_ p: SIMD2<Float>, _ a: SIMD2<Float>, _ b: SIMD2<Float>) -> Float {
        let ab = b - a, ap = p - a
        let length2 = (ab * ab).sum()
        let t = length2 > 0 ? min(max((ap * ab).sum() / length2, 0), 1) : 0
        let d = ap - t * ab
        return (d * d).sum().squareRoot()
    }

    /// The bilinear sample of all channels at `point` (pixel centres at integer coordinates).
    static func bilinear(
        _ texture: [Float], height: Int, width: Int, channels: Int, at point: SIMD2<Float>, border: WarpBorder
    ) -> [Float] {
        let matrix = AffineMatrix(0, 0, point.x, 0, 0, point.y)
        return affineWarp(
            texture, batch: 1, height: height, width: width, channels: channels, outHeight: 1, outWidth: 1,
            matrices: [matrix], border: border)
    }
}
