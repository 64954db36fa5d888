/// The connectivity of a triangle mesh for `encodeMeshWarp`: triangles as vertex indices, and the
/// boundary edges (used by one triangle only: the outline and the edges of holes) that the
/// feathered mask measures its distance to.
public struct TriangleMesh: Sendable, Equatable {
    public let vertexCount: Int
    public let triangles: [SIMD3<UInt32>]
    /// Each boundary edge once, in the direction its triangle traverses it, in triangle order.
    public let boundaryEdges: [SIMD2<UInt32>]
    /// The last `copiedVertices.count` vertices are copies of these: they sit where their originals do (the
    /// triangles on either side are joined, with no boundary between them) but may take other source points.
    public let copiedVertices: [UInt32]

    /// Refuses indices outside `0..<vertexCount`, which the GPU would read out of bounds, and copies of vertices
    /// that are not there.
    public init(vertexCount: Int, triangles: [SIMD3<UInt32>], copiedVertices: [UInt32] = []) throws {
        guard vertexCount >= 0, vertexCount <= Int(UInt32.max), triangles.allSatisfy({ $0.max() < UInt32(vertexCount) }),
              copiedVertices.count <= vertexCount, copiedVertices.allSatisfy({ $0 < UInt32(vertexCount - copiedVertices.count) })
        else {
            throw NNError.shapeMismatch(op: "TriangleMesh", detail: "a triangle or copy indexes past \(vertexCount) vertices")
        }
        self.vertexCount = vertexCount
        self.triangles = triangles
        self.copiedVertices = copiedVertices
        let firstCopy = vertexCount - copiedVertices.count
        boundaryEdges = Self.boundaryEdges(of: triangles) { $0 < firstCopy ? UInt32($0) : copiedVertices[$0 - firstCopy] }
    }

    /// `points` (one per original vertex) with a point for each copy appended, as the mesh's vertices need: its
    /// original's in `copying` (by default `points` itself).
    public func withCopies<Point>(_ points: [Point], copying copied: [Point]? = nil) -> [Point] {
        let copied = copied ?? points
        return points + copiedVertices.map { copied[Int($0)] }
    }

    /// The mesh with some of its holes closed: each boundary loop (other than the outline, the longest) that passes
    /// through one of `vertices` is filled by a fan of triangles from its first vertex. For the face mesh the holes
    /// are the eyes and the mouth. With `onCopies`, the fans are drawn between copies of the loops' vertices
    /// (`copiedVertices`), so that what fills a hole can be sampled apart from what surrounds it.
    public func fillingHoles(through vertices: Set<UInt32>, onCopies: Bool = false) throws -> TriangleMesh {
        var next: [UInt32: UInt32] = [:]
        for edge in boundaryEdges { next[edge.x] = edge.y }
        var loops: [[UInt32]] = []
        var visited = Set<UInt32>()
        for edge in boundaryEdges where !visited.contains(edge.x) {
            var loop: [UInt32] = []
            var vertex = edge.x
            while !visited.contains(vertex), let following = next[vertex] {
                visited.insert(vertex)
                loop.append(vertex)
                vertex = following
            }
            loops.append(loop)
        }
        guard let outline = loops.indices.max(by: { loops[$0].count < loops[$1].count }) else { return self }
        let filled = loops.indices.filter { $0 != outline && loops[$0].count >= 3 && loops[$0].contains(where: vertices.contains) }
        var copies: [UInt32] = []
        let fans = filled.flatMap { index in
            var loop = loops[index]
            if onCopies {
                let first = vertexCount + copies.count
                copies += loop
                loop = loop.indices.map { UInt32(first + $0) }
            }
            // Reversed against the loop's direction, so the fan winds as the triangles around the hole do.
            return (1..<(loop.count - 1)).map { SIMD3(loop[0], loop[$0 + 1], loop[$0]) }
        }
        return try TriangleMesh(vertexCount: vertexCount + copies.count, triangles: triangles + fans, copiedVertices: copiedVertices + copies)
    }

    /// The edges used by one triangle only; `original` names the vertex a copy stands for.
    static func boundaryEdges(of triangles: [SIMD3<UInt32>], original: (Int) -> UInt32 = { UInt32($0) }) -> [SIMD2<UInt32>] {
        func key(_ a: UInt32, _ b: UInt32) -> SIMD2<UInt32> {
            let (a, b) = (original(Int(a)), original(Int(b)))
            return SIMD2(min(a, b), max(a, b))
        }
        let directed = triangles.flatMap { [SIMD2($0.x, $0.y), SIMD2($0.y, $0.z), SIMD2($0.z, $0.x)] }
        var uses: [SIMD2<UInt32>: Int] = [:]
        for edge in directed { uses[key(edge.x, edge.y), default: 0] += 1 }
        return directed.filter { uses[key($0.x, $0.y)] == 1 }
    }
}
