import Foundation
import RecastGPU
import RecastNN
import Testing

/// The mesh warp on MediaPipe's real face mesh: the bundled triangle list, and a real portrait crop
/// warped onto a moved copy of its own landmarks.
@Suite("Triangle-mesh warp on the face mesh")
struct MeshWarpFaceMeshTests {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    static func faceMesh() throws -> TriangleMesh {
        try TriangleMesh.faceMesh(modelsDirectory: packageRoot.appendingPathComponent("Models"))
    }

    /// The obama crop (192×192 RGB in [0, 1]) and its 468 landmarks from the TFLite model
    /// (Tests/Fixtures/face_mesh, made by tools/fixtures_face_mesh.py).
    static func portrait() throws -> (pixels: [Float], points: [SIMD3<Float>]) {
        struct Fixture: Decodable {
            struct Case: Decodable { var image: String, points: [Float] }
            var cases: [Case]
        }
        let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures")
        let fixture = try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: fixtures.appendingPathComponent("face_mesh/landmarks.json")))
        let face = try #require(fixture.cases.first { $0.image == "face_mesh/obama_192.rgb" })
        let pixels = try Data(contentsOf: fixtures.appendingPathComponent(face.image)).map { Float($0) / 255 }
        let points = (0..<468).map { SIMD3(face.points[3 * $0], face.points[3 * $0 + 1], face.points[3 * $0 + 2]) }
        return (pixels, points)
    }

    /// Rotation by `angle` and scaling by `scale` about the origin, then a shift: source → destination.
    struct Similarity {
        var angle: Float, scale: Float, shift: SIMD2<Float>

        func apply(_ p: SIMD3<Float>) -> SIMD3<Float> {
            let (c, s) = (scale * cos(angle), scale * sin(angle))
            return SIMD3(c * p.x - s * p.y + shift.x, s * p.x + c * p.y + shift.y, scale * p.z)
        }

        /// The affine warp's inverse map: destination pixel → source point.
        var inverse: AffineMatrix {
            let (c, s) = (cos(angle) / scale, sin(angle) / scale)
            return AffineMatrix(c, s, -(c * shift.x + s * shift.y), -s, c, s * shift.x - c * shift.y)
        }
    }

    @Test func triangleListIsMediaPipesTessellation() throws {
        let mesh = try Self.faceMesh()
        #expect(mesh.vertexCount == 468 && mesh.triangles.count == 852)
        #expect(mesh.boundaryEdges.count == 88, "outline 36, eyes 16 + 16, mouth 20")
        struct Connections: Decodable { var tesselation_edges: [[UInt32]] }
        let connections = try JSONDecoder().decode(Connections.self, from: Data(contentsOf: Self.packageRoot.appendingPathComponent(
            "Models/face_mesh/face_mesh_connections.json")))
        func key(_ a: UInt32, _ b: UInt32) -> SIMD2<UInt32> { SIMD2(min(a, b), max(a, b)) }
        let listed = Set(connections.tesselation_edges.map { key($0[0], $0[1]) })
        let directed = mesh.triangles.flatMap { [SIMD2($0.x, $0.y), SIMD2($0.y, $0.z), SIMD2($0.z, $0.x)] }
        #expect(Set(directed.map { key($0.x, $0.y) }) == listed, "the triangles' edges are MediaPipe's edges")
        #expect(Set(directed).count == directed.count, "one winding: no edge is traversed twice in one direction")
    }

    @Test(arguments: StoragePrecision.allCases)
    func warpOntoMovedMeshIsTheAffineWarp(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let (pixels, points) = try Self.portrait()
        let stored = stored(pixels, precision)
        let move = Similarity(angle: 0.3, scale: 1.4, shift: SIMD2(40, -30))
        let (height, width) = (300, 280)
        let (image, mask) = try engine.meshWarp(
            try engine.makeTensor(shape: [1, 192, 192, 3], values: stored), mesh: try Self.faceMesh(),
            sourcePoints: points.map { SIMD2($0.x, $0.y) }, destinationPoints: points.map(move.apply), height: height, width: width)
        let maskValues = try engine.read(mask), imageValues = try engine.read(image)
        let expected = CPUReference.affineWarp(
            stored, batch: 1, height: 192, width: 192, channels: 3, outHeight: height, outWidth: width,
            matrices: [move.inverse], border: .clamp)
        let inside = maskValues.indices.filter { maskValues[$0] == 1 }
        #expect(maskValues.allSatisfy { $0 == 0 || $0 == 1 })
        let unmoved = try engine.meshWarp(
            try engine.makeTensor(shape: [1, 192, 192, 3], values: stored), mesh: try Self.faceMesh(),
            sourcePoints: points.map { SIMD2($0.x, $0.y) }, destinationPoints: points, height: 192, width: 192).mask
        let unmovedCount = try engine.read(unmoved).filter { $0 == 1 }.count
        let ratio = Float(inside.count) / Float(unmovedCount)
        #expect(unmovedCount > 5000 && abs(ratio - 1.96) < 0.05, "\(inside.count) pixels covered, \(unmovedCount) unmoved: area scales by 1.4²")
        #expect(maskValues[0] == 0 && maskValues[height * width - 1] == 0)
        let channels = inside.flatMap { p in (0..<3).map { p * 3 + $0 } }
        try expectClose(channels.map { imageValues[$0] }, channels.map { expected[$0] }, precision, "face warped inside the mask")
        #expect(imageValues.indices.allSatisfy { maskValues[$0 / 3] == 1 || imageValues[$0] == 0 }, "0 outside the mask")
    }

    @Test(arguments: StoragePrecision.allCases)
    func featheredFaceMatchesReference(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let (pixels, points) = try Self.portrait()
        let stored = stored(pixels, precision)
        let mesh = try Self.faceMesh()
        let source = points.map { SIMD2($0.x, $0.y) }
        let destination = points.map(Similarity(angle: -0.15, scale: 0.8, shift: SIMD2(-10, 25)).apply)
        let options = MeshWarpOptions(border: .clamp, featherWidth: 6)
        let (image, mask) = try engine.meshWarp(
            try engine.makeTensor(shape: [1, 192, 192, 3], values: stored), mesh: mesh, sourcePoints: source,
            destinationPoints: destination, height: 181, width: 167, options: options)
        let reference = CPUReference.meshWarp(
            stored, height: 192, width: 192, channels: 3, mesh: mesh, sourcePoints: source, destinationPoints: destination,
            outHeight: 181, outWidth: 167, options: options)
        try expectClose(try engine.read(image), reference.image, precision, "feathered face image")
        try expectClose(try engine.read(mask), reference.mask, precision, "feathered face mask")
    }

    /// GPU time of one 640×480 warp of a 256×256 texture with the 852-triangle mesh, feathered.
    @Test(arguments: StoragePrecision.allCases)
    func timeAt640x480(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let (pixels, points) = try Self.portrait()
        let texture = try engine.makeTensor(shape: [1, 256, 256, 3], values: (0..<(256 * 256 * 3)).map { pixels[$0 % pixels.count] })
        let geometry = try engine.makeMeshWarpGeometry(
            mesh: try Self.faceMesh(), sourcePoints: points.map { SIMD2($0.x, $0.y) * 4 / 3 },
            destinationPoints: points.map(Similarity(angle: 0.1, scale: 2, shift: SIMD2(130, 40)).apply))
        let image = try engine.makeTensor(shape: [1, 480, 640, 3]), mask = try engine.makeTensor(shape: [1, 480, 640, 1])
        let recorder = engine.gpu.makeRecorder()
        try engine.encodeMeshWarp(texture, geometry: geometry, options: MeshWarpOptions(featherWidth: 8), output: image, mask: mask, into: recorder)
        let sequence = try recorder.finish(profiling: engine.gpu.capabilities.computeQueueTimestamps)
        var best = Double.infinity
        for _ in 0..<5 {
            let start = Date()
            try sequence.run()
            let wall = Date().timeIntervalSince(start) * 1000
            let gpu = try sequence.isProfiling ? sequence.timings().map(\.nanoseconds).reduce(0, +) / 1e6 : wall
            best = min(best, gpu)
        }
        let covered = try engine.read(mask).filter { $0 > 0 }.count
        print("mesh warp 640x480 [\(precision)], 852 triangles, feathered: \(String(format: "%.2f", best)) ms GPU (best of 5), \(covered) pixels covered")
        #expect(covered > 30_000)
        expectNoValidationErrors(try testContext())
    }

    @Test("filling holes closes the loops through the given points: the eyes, the mouth, never the outline")
    func fillingHoles() throws {
        let mesh = try Self.faceMesh()
        func loopSizes(_ mesh: TriangleMesh) -> [Int] {
            var next: [UInt32: UInt32] = [:]
            for edge in mesh.boundaryEdges { next[edge.x] = edge.y }
            var seen = Set<UInt32>(), sizes: [Int] = []
            for edge in mesh.boundaryEdges where !seen.contains(edge.x) {
                var vertex = edge.x, size = 0
                while seen.insert(vertex).inserted, let following = next[vertex] { vertex = following; size += 1 }
                sizes.append(size)
            }
            return sizes.sorted()
        }
        // The outline and three openings: two eyes (16 points each) and the inner lips (20).
        let open = loopSizes(mesh)
        #expect(open.count == 4 && open.prefix(3) == [16, 16, 20], "\(open)")
        let eyesFilled = try mesh.fillingHoles(through: [159, 386])
        #expect(eyesFilled.triangles.count == mesh.triangles.count + 2 * 14)
        #expect(loopSizes(eyesFilled) == [20, open[3]])
        let allFilled = try mesh.fillingHoles(through: [159, 386, 13])
        #expect(loopSizes(allFilled) == [open[3]], "only the outline stays open")
        let outlinePoint = try #require(allFilled.boundaryEdges.first?.x)
        #expect(try mesh.fillingHoles(through: [outlinePoint]).triangles.count == mesh.triangles.count, "the outline is never filled")
        #expect(try mesh.fillingHoles(through: []) == mesh)

        // On copies: the same triangles around the same holes, the fans drawn between copies of the eye contours,
        // joined to the lids (no boundary between them), and their points appended after the mesh's own.
        let onCopies = try mesh.fillingHoles(through: [159, 386], onCopies: true)
        #expect(onCopies.vertexCount == mesh.vertexCount + 32 && onCopies.copiedVertices.count == 32)
        #expect(onCopies.triangles.prefix(mesh.triangles.count) == eyesFilled.triangles.prefix(mesh.triangles.count))
        let fans = onCopies.triangles.dropFirst(mesh.triangles.count)
        #expect(fans.count == 2 * 14 && fans.allSatisfy { $0.min() >= UInt32(mesh.vertexCount) }, "the fans use only copies")
        #expect(Set(onCopies.copiedVertices) == Set(eyesFilled.triangles.dropFirst(mesh.triangles.count).flatMap { [$0.x, $0.y, $0.z] }))
        #expect(loopSizes(onCopies) == [20, open[3]], "the copies close the eyes as the originals do")
        let points = (0..<mesh.vertexCount).map { Float($0) }
        let extended = onCopies.withCopies(points)
        #expect(extended.count == onCopies.vertexCount && extended.prefix(mesh.vertexCount).elementsEqual(points))
        #expect(zip(onCopies.copiedVertices, extended.suffix(32)).allSatisfy { Float($0.0) == $0.1 })
        let moved = onCopies.withCopies(points, copying: points.map { -$0 })
        #expect(moved.prefix(mesh.vertexCount).elementsEqual(points) && zip(onCopies.copiedVertices, moved.suffix(32)).allSatisfy { -Float($0.0) == $0.1 })
        #expect(throws: NNError.self) { try TriangleMesh(vertexCount: 3, triangles: [SIMD3(0, 1, 2)], copiedVertices: [2]) }
    }
}
