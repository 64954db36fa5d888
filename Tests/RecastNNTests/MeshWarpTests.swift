import Foundation
import RecastGPU
import RecastNN
import Testing

@Suite("Triangle-mesh warp")
struct MeshWarpTests {
    struct WarpCase: Sendable, CustomTestStringConvertible {
        var textureShape: [Int], outHeight: Int, outWidth: Int
        var mesh: TriangleMesh, source: [SIMD2<Float>], destination: [SIMD3<Float>]
        var name: String
        var testDescription: String { "\(name): \(textureShape)→\(outHeight)x\(outWidth), \(mesh.triangles.count) triangles" }
    }

    /// `count` triangles over fresh vertices scattered over `lo...hi` (destination) and over the texture
    /// and a pixel past it (source); `depth` gives each vertex's z from its triangle and corner.
    static func scattered(
        count: Int, lo: Float, hi: Float, texture: (height: Int, width: Int), seed: UInt64, depth: (Int, Int) -> Float
    ) throws -> (TriangleMesh, [SIMD2<Float>], [SIMD3<Float>]) {
        let d = randomValues(count * 6, seed: seed), s = randomValues(count * 6, seed: seed + 1)
        let span = hi - lo
        let sourceSpan = SIMD2(Float(texture.width + 1), Float(texture.height + 1))
        var source: [SIMD2<Float>] = [], destination: [SIMD3<Float>] = []
        for t in 0..<count {
            for corner in 0..<3 {
                let i = (t * 3 + corner) * 2
                let unitDestination = (SIMD2(d[i], d[i + 1]) + 1) / 2
                let unitSource = (SIMD2(s[i], s[i + 1]) + 1) / 2
                destination.append(SIMD3(lo + unitDestination * span, depth(t, corner)))
                source.append(unitSource * sourceSpan - 1)
            }
        }
        let triangles: [SIMD3<UInt32>] = (0..<UInt32(count)).map { t in SIMD3<UInt32>(0, 1, 2) &+ 3 &* t }
        return (try TriangleMesh(vertexCount: 3 * count, triangles: triangles), source, destination)
    }

    /// A jittered grid of (columns+1)×(rows+1) vertices over the output and past its border, two
    /// triangles per cell (alternating diagonals), plus degenerate triangles (a repeated vertex;
    /// three collinear vertices) and one triangle folded over the others in front.
    static func grid(columns: Int, rows: Int, height: Int, width: Int, texture: (height: Int, width: Int), seed: UInt64) throws
        -> (TriangleMesh, [SIMD2<Float>], [SIMD3<Float>])
    {
        let jitter = randomValues((columns + 1) * (rows + 1) * 3, seed: seed)
        var source: [SIMD2<Float>] = [], destination: [SIMD3<Float>] = []
        for r in 0...rows {
            for c in 0...columns {
                let j = (r * (columns + 1) + c) * 3
                let unit = SIMD2(Float(c) / Float(columns), Float(r) / Float(rows))
                let shake = SIMD2(jitter[j], jitter[j + 1])
                let outSpan = SIMD2(Float(width) + 2, Float(height) + 2)
                let textureSpan = SIMD2(Float(texture.width), Float(texture.height))
                destination.append(SIMD3(unit * outSpan - 1.5 + 0.3 * shake, jitter[j + 2]))
                source.append(unit * textureSpan - 0.5 + 0.2 * SIMD2(shake.y, shake.x))
            }
        }
        func vertex(_ r: Int, _ c: Int) -> UInt32 { UInt32(r * (columns + 1) + c) }
        var triangles: [SIMD3<UInt32>] = []
        for r in 0..<rows {
            for c in 0..<columns where (r + c) % 2 == 0 {
                triangles += [SIMD3(vertex(r, c), vertex(r, c + 1), vertex(r + 1, c + 1)), SIMD3(vertex(r, c), vertex(r + 1, c + 1), vertex(r + 1, c))]
            }
            for c in 0..<columns where (r + c) % 2 == 1 {
                triangles += [SIMD3(vertex(r, c), vertex(r, c + 1), vertex(r + 1, c)), SIMD3(vertex(r, c + 1), vertex(r + 1, c + 1), vertex(r + 1, c))]
            }
        }
        let base = UInt32(destination.count)
        destination += [SIMD3(1, 1, -5), SIMD3(3, 2, -5), SIMD3(5, 3, -5), SIMD3(Float(width) - 1, 0.5, -3), SIMD3(0.5, Float(height) - 1, -4)]
        source += [SIMD2(0, 0), SIMD2(1, 1), SIMD2(2, 2), SIMD2(Float(texture.width), 0), SIMD2(0, Float(texture.height))]
        triangles += [SIMD3(base, base, base + 1), SIMD3(base, base + 1, base + 2), SIMD3(base, base + 3, base + 4)]
        return (try TriangleMesh(vertexCount: destination.count, triangles: triangles), source, destination)
    }

    static func cases() throws -> [WarpCase] {
        let single = try TriangleMesh(vertexCount: 3, triangles: [SIMD3(0, 1, 2)])
        let grid = try grid(columns: 5, rows: 4, height: 9, width: 6, texture: (7, 5), seed: 80)
        let crossing = try scattered(count: 7, lo: -2, hi: 5, texture: (2, 3), seed: 81) { t, corner in Float(t) * 0.1 + Float(corner) * 0.01 }
        let many = try scattered(count: 300, lo: -6, hi: 42, texture: (13, 11), seed: 82) { t, _ in Float((t * 37) % 300) }
        let far = try scattered(count: 4, lo: -1e6, hi: 1e6, texture: (4, 6), seed: 83) { t, _ in Float(t) }
        return [
            WarpCase(textureShape: [1, 1, 1, 3], outHeight: 1, outWidth: 1, mesh: single,
                     source: [SIMD2(0.3, -0.2), SIMD2(0.9, 0.1), SIMD2(-0.4, 0.7)],
                     destination: [SIMD3(-0.5, -0.5, 0), SIMD3(2, -0.5, 0), SIMD3(-0.5, 2, 0)], name: "1x1 covered"),
            WarpCase(textureShape: [1, 1, 1, 1], outHeight: 1, outWidth: 1, mesh: single,
                     source: [SIMD2(0, 0), SIMD2(1, 0), SIMD2(0, 1)],
                     destination: [SIMD3(0.1, 0.1, 0), SIMD3(2, 0.1, 0), SIMD3(0.1, 2, 0)], name: "1x1 missed"),
            WarpCase(textureShape: [1, 2, 3, 5], outHeight: 3, outWidth: 2, mesh: crossing.0, source: crossing.1,
                     destination: crossing.2, name: "crossing the border"),
            WarpCase(textureShape: [1, 7, 5, 17], outHeight: 9, outWidth: 6, mesh: grid.0, source: grid.1,
                     destination: grid.2, name: "grid with degenerate and folded triangles"),
            WarpCase(textureShape: [1, 13, 11, 3], outHeight: 29, outWidth: 37, mesh: many.0, source: many.1,
                     destination: many.2, name: "300 overlapping triangles"),
            WarpCase(textureShape: [1, 4, 6, 2], outHeight: 5, outWidth: 33, mesh: far.0, source: far.1,
                     destination: far.2, name: "vertices a million pixels out"),
            WarpCase(textureShape: [1, 3, 3, 3], outHeight: 5, outWidth: 4, mesh: try TriangleMesh(vertexCount: 0, triangles: []),
                     source: [], destination: [], name: "empty mesh"),
        ]
    }

    static func reference(_ c: WarpCase, texture: [Float], options: MeshWarpOptions) -> (image: [Float], mask: [Float]) {
        CPUReference.meshWarp(
            texture, height: c.textureShape[1], width: c.textureShape[2], channels: c.textureShape[3], mesh: c.mesh,
            sourcePoints: c.source, destinationPoints: c.destination, outHeight: c.outHeight, outWidth: c.outWidth, options: options)
    }

    @Test(arguments: StoragePrecision.allCases, [
        MeshWarpOptions(border: .clamp), MeshWarpOptions(border: .constant(0.25)),
        MeshWarpOptions(border: .clamp, featherWidth: 2.5), MeshWarpOptions(border: .constant(-0.5), featherWidth: 0.75),
    ])
    func matchesReference(precision: StoragePrecision, options: MeshWarpOptions) throws {
        let engine = try engine(precision)
        for c in try Self.cases() {
            let values = stored(randomValues(c.textureShape.reduce(1, *), seed: 84), precision)
            let texture = try engine.makeTensor(shape: c.textureShape, values: values)
            let (image, mask) = try engine.meshWarp(
                texture, mesh: c.mesh, sourcePoints: c.source, destinationPoints: c.destination,
                height: c.outHeight, width: c.outWidth, options: options)
            let reference = Self.reference(c, texture: values, options: options)
            try expectClose(try engine.read(image), reference.image, precision, "image \(c.testDescription) \(options)")
            try expectClose(try engine.read(mask), reference.mask, precision, "mask \(c.testDescription) \(options)")
        }
    }

    @Test(arguments: StoragePrecision.allCases)
    func coversPixelsOnAndInsideTheEdges(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let values = stored(randomValues(6 * 6 * 3, seed: 85), precision)
        let corners: [SIMD2<Float>] = [SIMD2(0, 0), SIMD2(4, 0), SIMD2(0, 4)]
        var expectedImage = [Float](repeating: 0, count: values.count), expectedMask = [Float](repeating: 0, count: 36)
        for y in 0..<6 {
            for x in 0..<6 where x + y <= 4 {
                expectedMask[y * 6 + x] = 1
                for c in 0..<3 { expectedImage[(y * 6 + x) * 3 + c] = values[(y * 6 + x) * 3 + c] }
            }
        }
        for winding in [SIMD3<UInt32>(0, 1, 2), SIMD3(0, 2, 1)] {
            let (image, mask) = try engine.meshWarp(
                try engine.makeTensor(shape: [1, 6, 6, 3], values: values), mesh: try TriangleMesh(vertexCount: 3, triangles: [winding]),
                sourcePoints: corners, destinationPoints: corners.map { SIMD3($0, 0) }, height: 6, width: 6)
            #expect(try engine.read(mask) == expectedMask, "winding \(winding)")
            try expectClose(try engine.read(image), expectedImage, precision, "identity warp of one triangle \(winding)")
        }
    }

    @Test(arguments: StoragePrecision.allCases)
    func nearestTriangleWins(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        // Texture pixel 0 is 1, pixel 1 is 2; triangle 0 samples pixel 0, triangle 1 pixel 1, both over the whole 8×8 output.
        let texture = try engine.makeTensor(shape: [1, 1, 2, 1], values: [1, 2])
        let mesh = try TriangleMesh(vertexCount: 6, triangles: [SIMD3(0, 1, 2), SIMD3(3, 4, 5)])
        let source: [SIMD2<Float>] = Array(repeating: SIMD2(0, 0), count: 3) + Array(repeating: SIMD2(1, 0), count: 3)
        let cover: [SIMD2<Float>] = [SIMD2(-1, -1), SIMD2(20, -1), SIMD2(-1, 20)]
        func warp(_ depths: [Float]) throws -> [Float] {
            let destination = (0..<6).map { SIMD3(cover[$0 % 3], depths[$0]) }
            return try engine.read(engine.meshWarp(texture, mesh: mesh, sourcePoints: source, destinationPoints: destination, height: 8, width: 8).image)
        }
        #expect(try warp([1, 1, 1, 2, 2, 2]) == Array(repeating: 1, count: 64))
        #expect(try warp([3, 3, 3, 2, 2, 2]) == Array(repeating: 2, count: 64))
        #expect(try warp([2, 2, 2, 2, 2, 2]) == Array(repeating: 1, count: 64), "equal depth: the lower index")
        // Triangle 0's depth rises from 0 at x = −1 to 21 at x = 20; it is nearer than triangle 1 (z = 2) left of x ≈ 1.
        let sloped = try warp([0, 21, 0, 2, 2, 2])
        #expect((0..<8).allSatisfy { y in sloped[y * 8] == 1 && sloped[y * 8 + 7] == 2 })
    }

    @Test(arguments: StoragePrecision.allCases)
    func featherRampsFromTheBoundary(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        // A 20×20 square of two triangles: the shared diagonal is inside, only the outline feathers.
        let corners: [SIMD2<Float>] = [SIMD2(0, 0), SIMD2(20, 0), SIMD2(20, 20), SIMD2(0, 20)]
        let (_, mask) = try engine.meshWarp(
            try engine.makeTensor(shape: [1, 2, 2, 1], values: [0, 1, 2, 3]),
            mesh: try TriangleMesh(vertexCount: 4, triangles: [SIMD3(0, 1, 2), SIMD3(0, 2, 3)]),
            sourcePoints: corners.map { $0 / 20 }, destinationPoints: corners.map { SIMD3($0, 0) }, height: 24, width: 24,
            options: MeshWarpOptions(featherWidth: 4))
        let values = try engine.read(mask)
        func at(_ x: Int, _ y: Int) -> Float { values[y * 24 + x] }
        // GLSL's sqrt and division need not be exact (NVIDIA's are not): a pixel on the outline may keep a
        // coverage of 1e-7, a ramp value may be an ulp off.
        for (x, y, coverage) in [(10, 10, 1), (5, 5, 1), (2, 10, 0.5), (10, 1, 0.25), (0, 7, 0), (21, 10, 0), (18, 19, 0.25)] as [(Int, Int, Float)] {
            #expect(abs(at(x, y) - coverage) <= 1e-3, "mask at (\(x), \(y)): \(at(x, y)), not \(coverage)")
        }
    }

    @Test(arguments: StoragePrecision.allCases)
    func pointsCanChangeBetweenReplays(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let c = try Self.cases()[3]
        let values = stored(randomValues(c.textureShape.reduce(1, *), seed: 86), precision)
        let texture = try engine.makeTensor(shape: c.textureShape, values: values)
        let geometry = try engine.makeMeshWarpGeometry(mesh: c.mesh, sourcePoints: c.source, destinationPoints: c.destination)
        let image = try engine.makeTensor(shape: [1, c.outHeight, c.outWidth, c.textureShape[3]])
        let mask = try engine.makeTensor(shape: [1, c.outHeight, c.outWidth, 1])
        let options = MeshWarpOptions(featherWidth: 1.5)
        let recorder = engine.gpu.makeRecorder()
        try engine.encodeMeshWarp(texture, geometry: geometry, options: options, output: image, mask: mask, into: recorder)
        let sequence = try recorder.finish()
        for shift in [SIMD3<Float>(0, 0, 0), SIMD3(1.25, -0.5, 0.1), SIMD3(-3, 2, 0)] {
            var moved = c
            moved.destination = c.destination.map { $0 + shift }
            try engine.updateMeshWarpPoints(geometry, destination: moved.destination)
            try sequence.run()
            let reference = Self.reference(moved, texture: values, options: options)
            try expectClose(try engine.read(image), reference.image, precision, "replayed image shifted by \(shift)")
            try expectClose(try engine.read(mask), reference.mask, precision, "replayed mask shifted by \(shift)")
        }
    }

    @Test func badInputsAreRefused() throws {
        let engine = try engine(.float32)
        #expect(throws: NNError.self) { try TriangleMesh(vertexCount: 3, triangles: [SIMD3(0, 1, 3)]) }
        let mesh = try TriangleMesh(vertexCount: 3, triangles: [SIMD3(0, 1, 2)])
        let points: [SIMD2<Float>] = [SIMD2(0, 0), SIMD2(1, 0), SIMD2(0, 1)]
        #expect(throws: NNError.self) { try engine.makeMeshWarpGeometry(mesh: mesh, sourcePoints: points, destinationPoints: []) }
        let geometry = try engine.makeMeshWarpGeometry(mesh: mesh, sourcePoints: points, destinationPoints: points.map { SIMD3($0, 0) })
        let texture = try engine.makeTensor(shape: [1, 2, 2, 3], values: randomValues(12, seed: 87))
        let recorder = engine.gpu.makeRecorder()
        #expect(throws: NNError.self) {
            try engine.encodeMeshWarp(texture, geometry: geometry, output: try engine.makeTensor(shape: [1, 4, 4, 2]),
                                      mask: try engine.makeTensor(shape: [1, 4, 4, 1]), into: recorder)
        }
        #expect(throws: NNError.self) {
            try engine.encodeMeshWarp(texture, geometry: geometry, output: try engine.makeTensor(shape: [1, 4, 4, 3]),
                                      mask: try engine.makeTensor(shape: [1, 4, 4, 3]), into: recorder)
        }
        #expect(throws: NNError.self) {
            try engine.encodeMeshWarp(texture, geometry: geometry, options: MeshWarpOptions(featherWidth: -1),
                                      output: try engine.makeTensor(shape: [1, 4, 4, 3]), mask: try engine.makeTensor(shape: [1, 4, 4, 1]), into: recorder)
        }
    }
}
