import Foundation

extension TriangleMesh {
    /// Where the face mesh's triangles live under the models directory (Models/ in the repository).
    public static let faceMeshTrianglesPath = "face_mesh/face_mesh_triangles.json"

    /// MediaPipe's 852 face-mesh triangles over its 468 points, from `Models/face_mesh/face_mesh_triangles.json`
    /// (derived from MediaPipe's tessellation edges by tools/derive_face_mesh_triangles.py; see that folder's README).
    public static func faceMesh(modelsDirectory: URL) throws -> TriangleMesh {
        try load(contentsOf: modelsDirectory.appendingPathComponent(faceMeshTrianglesPath))
    }

    /// Reads a file of the form `{"vertices": V, "triangles": [[a, b, c], …]}`.
    public static func load(contentsOf url: URL) throws -> TriangleMesh {
        struct File: Decodable {
            var vertices: Int
            var triangles: [[UInt32]]
        }
        let file = try JSONDecoder().decode(File.self, from: Data(contentsOf: url))
        guard file.triangles.allSatisfy({ $0.count == 3 }) else {
            throw NNError.shapeMismatch(op: "TriangleMesh", detail: "\(url.path): every triangle needs 3 vertex indices")
        }
        return try TriangleMesh(vertexCount: file.vertices, triangles: file.triangles.map { SIMD3($0[0], $0[1], $0[2]) })
    }
}
