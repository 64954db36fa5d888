/// The connectivity of a triangle mesh for `encodeMeshWarp`: triangles as vertex indices, and the
/// boundary edges (used by one triangle only: the outline and the edges of holes) that the
/// feathered mask measures its distance to.
public struct TriangleMesh: Sendable, Equatable {
    public let vertexCount: Int
    public let triangles: [SIMD3<UInt32>]
    /// Each boundary edge once, in the direction its triangle traverses it, in triangle order.
    public let boundaryEdges: [SIMD2<UInt32>]

    /// Refuses indices outside `0..<vertexCount`, which the GPU would read out of bounds.
    public init(vertexCount: Int, triangles: [SIMD3<UInt32>]) throws {
        guard vertexCount >= 0, vertexCount <= Int(UInt32.max), triangles.allSatisfy({ $0.max() < UInt32(vertexCount) }) else {
            throw NNError.shapeMismatch(op: "TriangleMesh", detail: "a triangle indexes past \(vertexCount) vertices")
        }
        self.vertexCount = vertexCount
        self.triangles = triangles
        boundaryEdges = Self.boundaryEdges(of: triangles)
    }

    static func boundaryEdges(of triangles: [SIMD3<UInt32>]) -> [SIMD2<UInt32>] {
        func key(_ a: UInt32, _ b: UInt32) -> SIMD2<UInt32> { SIMD2(min(a, b), max(a, b)) }
        let directed = triangles.flatMap { [SIMD2($0.x, $0.y), SIMD2($0.y, $0.z), SIMD2($0.z, $0.x)] }
        var uses: [SIMD2<UInt32>: Int] = [:]
        for edge in directed { uses[key(edge.x, edge.y), default: 0] += 1 }
        return directed.filter { uses[key($0.x, $0.y)] == 1 }
    }
}
