import Foundation
import Testing
@testable import RecastSwap

@Suite("Giving the live face the identity's proportions")
struct ShapeTransferTests {
    /// MediaPipe's meshes of two real faces (Tests/Fixtures/face_mesh, made by tools/fixtures_face_mesh.py).
    static let meshes: [String: [SIMD3<Float>]] = {
        struct Fixture: Decodable {
            struct Case: Decodable { var image: String, points: [Float] }
            var cases: [Case]
        }
        let url = IdentityTests.root.appendingPathComponent("Tests/Fixtures/face_mesh/landmarks.json")
        guard let data = try? Data(contentsOf: url), let fixture = try? JSONDecoder().decode(Fixture.self, from: data) else { return [:] }
        return Dictionary(uniqueKeysWithValues: fixture.cases.map { face in
            (face.image, (0..<468).map { SIMD3(face.points[3 * $0], face.points[3 * $0 + 1], face.points[3 * $0 + 2]) })
        })
    }()

    static func mesh(_ name: String) throws -> [SIMD3<Float>] {
        try #require(meshes["face_mesh/\(name)_192.rgb"], "Tests/Fixtures/face_mesh/landmarks.json lacks \(name)")
    }

    /// A head pose: turned by `degrees` about `axis`, scaled, moved.
    static func pose(degrees: Float, axis: SIMD3<Float>, scale: Float, shift: SIMD3<Float>) -> SimilarityTransform3D {
        let unit = SIMD3<Double>(axis) / (SIMD3<Double>(axis) * SIMD3<Double>(axis)).sum().squareRoot()
        let half = Double(degrees) * .pi / 360
        let rows = SimilarityTransform3D.rotation(quaternion: (cos(half), unit.x * sin(half), unit.y * sin(half), unit.z * sin(half)))
        return SimilarityTransform3D(
            rotation: (SIMD3<Float>(rows[0]), SIMD3<Float>(rows[1]), SIMD3<Float>(rows[2])), scale: scale, translation: shift)
    }

    /// The largest distance between `points` and `reference` after the best similarity takes `reference` onto them.
    static func shapeResidual(_ points: [SIMD3<Float>], from reference: [SIMD3<Float>]) -> Float {
        let fit = SimilarityTransform3D.fitting(from: reference, to: points)
        return zip(reference, points).map { reference, point in
            let offset = fit.apply(reference) - point
            return (offset * offset).sum().squareRoot()
        }.max()!
    }

    @Test("the fitted similarity is the one that posed the points, turned half way round included", arguments: [
        (Float(0), SIMD3<Float>(0, 1, 0)), (25, SIMD3(0, 1, 0)), (-40, SIMD3(0.3, 1, 0.2)), (170, SIMD3(1, -0.5, 0.7)),
    ])
    func fitsKnownPose(_ degrees: Float, _ axis: SIMD3<Float>) throws {
        let face = try Self.mesh("astronaut")
        let posed = Self.pose(degrees: degrees, axis: axis, scale: 1.7, shift: SIMD3(40, -12, 7))
        let fit = SimilarityTransform3D.fitting(from: face, to: face.map(posed.apply))
        #expect(abs(fit.scale - 1.7) < 1e-4)
        for point in face {
            #expect(((fit.apply(point) - posed.apply(point)) * (fit.apply(point) - posed.apply(point))).sum() < 1e-4)
            #expect(((fit.invert(posed.apply(point)) - point) * (fit.invert(posed.apply(point)) - point)).sum() < 1e-4)
        }
    }

    @Test("a still face takes the identity's shape in its own pose; outline and inner lips stay", arguments: [Float(0), 30, -20])
    func takesTheIdentityShape(yaw: Float) throws {
        let identity = try Self.mesh("obama"), person = try Self.mesh("astronaut")
        let transfer = ShapeTransfer(identity: identity)
        let live = person.map(Self.pose(degrees: yaw, axis: SIMD3(0.1, 1, 0), scale: 2.5, shift: SIMD3(300, 200, 0)).apply)
        var neutral = NeutralShape()
        let full = transfer.apply(live, strength: 1, neutral: &neutral, at: nil)
        let eyelids = Set(MeshLandmarks.eyelids.map(\.point))
        let moved = live.indices.filter { transfer.weights[$0] == 1 && !eyelids.contains($0) }
        #expect(moved.count > 150, "most of the inner face takes the whole shape: \(moved.count) points")
        let before = Self.shapeResidual(moved.map { live[$0] }, from: moved.map { identity[$0] })
        let after = Self.shapeResidual(moved.map { full[$0] }, from: moved.map { identity[$0] })
        #expect(before > 5, "the two people's features differ by \(before) px")
        #expect(after < 0.05, "the moved features are the identity's, posed: \(after) px from its shape")
        for index in MeshLandmarks.faceOval + ShapeTransfer.innerLips {
            #expect(full[index] == live[index], "point \(index) of the outline or the inner lips moved")
        }
        let half = transfer.apply(live, strength: 0.5, neutral: &neutral, at: nil)
        for index in live.indices {
            let expected = (live[index] + full[index]) / 2
            #expect(((half[index] - expected) * (half[index] - expected)).sum() < 1e-4, "strength 0.5 moves point \(index) half way")
        }
        #expect(transfer.apply(live, strength: 0, neutral: &neutral, at: nil) == live)
    }

    @Test("the identity's own face in any pose does not move")
    func identityStays() throws {
        let identity = try Self.mesh("obama")
        let transfer = ShapeTransfer(identity: identity)
        let live = identity.map(Self.pose(degrees: 35, axis: SIMD3(0.2, 1, 0.1), scale: 0.8, shift: SIMD3(-5, 60, 3)).apply)
        var neutral = NeutralShape()
        let output = transfer.apply(live, strength: 1, neutral: &neutral, at: nil)
        #expect(zip(live, output).allSatisfy { (($0 - $1) * ($0 - $1)).sum() < 1e-4 })
    }

    /// The person's brows (MediaPipe's eyebrow contours).
    static let brows = [70, 63, 105, 66, 107, 55, 65, 52, 53, 46, 300, 293, 334, 296, 336, 285, 295, 282, 283, 276]

    @Test("a video keeps the person's expression: head motion is not shape, a raised brow stays raised")
    func keepsTheExpression() throws {
        let identity = try Self.mesh("obama"), person = try Self.mesh("astronaut")
        let transfer = ShapeTransfer(identity: identity)
        var neutral = NeutralShape()
        func posed(_ frame: Int) -> SimilarityTransform3D {
            Self.pose(degrees: 20 * sin(Float(frame) / 9), axis: SIMD3(0.2, 1, 0), scale: 2, shift: SIMD3(200 + Float(frame), 150, 0))
        }
        var frame = 0
        for _ in 0..<90 {
            _ = transfer.apply(person.map(posed(frame).apply), strength: 0.5, neutral: &neutral, at: Double(frame) / 30)
            frame += 1
        }
        var raised = person
        for index in Self.brows { raised[index].y -= 6 }
        let pose = posed(frame)
        var probe = neutral
        let still = transfer.apply(person.map(pose.apply), strength: 0.5, neutral: &probe, at: Double(frame) / 30)
        probe = neutral
        let whole = transfer.apply(person.map(pose.apply), strength: 1, neutral: &probe, at: Double(frame) / 30)
        let eyelids = Set(MeshLandmarks.eyelids.map(\.point))
        let moved = person.indices.filter { transfer.weights[$0] == 1 && !eyelids.contains($0) }
        let residual = Self.shapeResidual(moved.map { whole[$0] }, from: moved.map { identity[$0] })
        #expect(residual < 0.05, "the turning head was taken as the person's shape: \(residual) px from the identity's")
        for held in 0..<30 {
            var state = neutral
            let output = transfer.apply(raised.map(pose.apply), strength: 0.5, neutral: &state, at: Double(frame) / 30)
            neutral = state
            let lift = Self.brows.map { index in
                let offset = output[index] - still[index], expected = pose.transformVector(SIMD3(0, -6, 0))
                return (offset * expected).sum() / (expected * expected).sum()
            }
            // The neutral shape takes in a held expression slowly: all of the raise shows at first, most after a second.
            let least: Float = held == 0 ? 0.98 : 0.85
            #expect(lift.allSatisfy { $0 > least && $0 < 1.05 }, "after \(held) frames held the brows rise by \(lift) of the person's raise")
            frame += 1
        }
    }

    @Test("a new identity starts the neutral shape again")
    func newIdentityRestarts() throws {
        let obama = try Self.mesh("obama"), astronaut = try Self.mesh("astronaut")
        var neutral = NeutralShape()
        for frame in 0..<10 { _ = neutral.update(obama, against: astronaut, at: Double(frame) / 30) }
        #expect(neutral.update(astronaut, against: astronaut, at: 10.0 / 30) != astronaut, "the same identity averages")
        #expect(neutral.update(astronaut, against: obama, at: 11.0 / 30) == astronaut, "a new identity starts from this frame")
    }
}
