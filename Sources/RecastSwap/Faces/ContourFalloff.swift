/// A weight around a closed contour (an eye's, the lips'): 1 inside it and up to `margin` beyond it, falling
/// linearly to 0 over the next `feather`, both as fractions of the contour's width: contours start at one end (an
/// eye's corner, a mouth corner), and the width is how far the farthest of the other points lies from it.
struct ContourFalloff {
    var margin: Float
    var feather: Float

    /// Calls `body` with each pixel (x, y) of a `width` × `height` grid whose centre lies within reach of `contour`
    /// (points in the grid's pixels), and its weight there (above 0).
    func forEachWeight(around contour: [SIMD2<Float>], width: Int, height: Int, _ body: (Int, Int, Float) -> Void) {
        let xs = contour.map(\.x), ys = contour.map(\.y)
        let contourWidth = contour.map { (($0 - contour[0]) * ($0 - contour[0])).sum() }.max()!.squareRoot()
        guard contourWidth > 1 else { return }
        let inner = margin * contourWidth, outer = inner + feather * contourWidth
        let left = max(0, Int((xs.min()! - outer).rounded(.down))), right = min(width - 1, Int((xs.max()! + outer).rounded(.up)))
        let top = max(0, Int((ys.min()! - outer).rounded(.down))), bottom = min(height - 1, Int((ys.max()! + outer).rounded(.up)))
        guard left <= right, top <= bottom else { return }
        for y in top...bottom {
            for x in left...right {
                let distance = Self.distanceOutside(SIMD2(Float(x) + 0.5, Float(y) + 0.5), contour)
                guard distance < outer else { continue }
                body(x, y, distance <= inner ? 1 : (outer - distance) / (outer - inner))
            }
        }
    }

    /// Lowers `values` (row-major over `region`) around the contour through `points` of `mesh` (image pixels): each
    /// by `strength` times its weight, so at strength 1 to nothing within the margin.
    func lower(_ values: inout [Float], around points: [Int], of mesh: [SIMD3<Float>], in region: FaceRegion, by strength: Float = 1) {
        let contour = points.map { SIMD2(mesh[$0].x - Float(region.left), mesh[$0].y - Float(region.top)) }
        forEachWeight(around: contour, width: region.width, height: region.height) { x, y, weight in
            values[y * region.width + x] *= 1 - strength * weight
        }
    }

    /// Distance from `point` to the closed polygon `contour`; 0 inside it.
    static func distanceOutside(_ point: SIMD2<Float>, _ contour: [SIMD2<Float>]) -> Float {
        var inside = false
        var nearest = Float.infinity
        var previous = contour[contour.count - 1]
        for vertex in contour {
            if (vertex.y > point.y) != (previous.y > point.y),
                point.x < previous.x + (point.y - previous.y) / (vertex.y - previous.y) * (vertex.x - previous.x)
            {
                inside.toggle()
            }
            let edge = vertex - previous
            let length = (edge * edge).sum()
            let along = length > 0 ? min(1, max(0, ((point - previous) * edge).sum() / length)) : 0
            let offset = point - (previous + along * edge)
            nearest = min(nearest, (offset * offset).sum())
            previous = vertex
        }
        return inside ? 0 : nearest.squareRoot()
    }
}
