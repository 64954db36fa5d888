import Testing
@testable import RecastSwap

/// The whole-level rounding of the refinement's change over consecutive frames.
@Suite("Steady rounding")
struct SteadyRoundingTests {
    static func uniform(_ value: Float, _ region: FaceRegion) -> [Float] {
        [Float](repeating: value, count: region.width * region.height * 3)
    }

    @Test("a change drifting across a half level keeps its offset; one that moves a level on is followed")
    func drift() {
        let region = FaceRegion(left: 3, top: 2, width: 5, height: 3)
        var rounding = SteadyRounding(tolerance: 1)
        for target: Float in [0.3, 0.45, 0.55, 0.7, 0.9, 0.6] {
            #expect(rounding.offsets(for: Self.uniform(target, region), in: region).allSatisfy { $0 == 0 }, "at \(target)")
        }
        #expect(rounding.offsets(for: Self.uniform(1.2, region), in: region).allSatisfy { $0 == 1 })
        #expect(rounding.offsets(for: Self.uniform(0.4, region), in: region).allSatisfy { $0 == 1 })
        #expect(rounding.offsets(for: Self.uniform(-0.2, region), in: region).allSatisfy { $0 == 0 })
        #expect(rounding.offsets(for: Self.uniform(-7.6, region), in: region).allSatisfy { $0 == -8 })
    }

    @Test("a change beyond ±255 saturates; a non-finite one adds nothing")
    func outOfRange() {
        let region = FaceRegion(left: 0, top: 0, width: 2, height: 1)
        var rounding = SteadyRounding(tolerance: 1)
        let offsets = rounding.offsets(for: [1e9, -1e9, .nan, .infinity, -.infinity, 300.4], in: region)
        #expect(offsets == [255, -255, 0, 0, 0, 255])
    }

    @Test("at a tolerance of half a level it is plain rounding")
    func halfLevel() {
        let region = FaceRegion(left: 0, top: 0, width: 2, height: 1)
        var rounding = SteadyRounding(tolerance: 0.5)
        for target: Float in [0.3, 0.7, 0.4, 1.6, -2.2] {
            #expect(rounding.offsets(for: Self.uniform(target, region), in: region).allSatisfy { $0 == Int16(target.rounded()) })
        }
    }

    @Test("offsets belong to frame pixels: a moved region keeps them where they overlap, starts from 0 elsewhere")
    func movedRegion() {
        let first = FaceRegion(left: 10, top: 20, width: 4, height: 3)
        var rounding = SteadyRounding(tolerance: 1)
        _ = rounding.offsets(for: Self.uniform(2, first), in: first)
        let moved = FaceRegion(left: 12, top: 21, width: 3, height: 4)
        let offsets = rounding.offsets(for: Self.uniform(1.4, moved), in: moved)
        for y in 0..<moved.height {
            for x in 0..<moved.width {
                let overlapping = moved.left + x < first.left + first.width && moved.top + y < first.top + first.height
                #expect(offsets[(y * moved.width + x) * 3] == (overlapping ? 2 : 1), "pixel \(x), \(y)")
            }
        }
        rounding.reset()
        #expect(rounding.offsets(for: Self.uniform(0.9, moved), in: moved).allSatisfy { $0 == 0 })
    }

    @Test("every offset stays within the tolerance of its target, on an odd region with random drift")
    func withinTolerance() {
        let region = FaceRegion(left: 1, top: 1, width: 7, height: 5)
        var generator = SystemRandomNumberGenerator()
        for tolerance: Float in [0.5, 0.75, 1] {
            var rounding = SteadyRounding(tolerance: tolerance)
            var targets = (0..<(region.width * region.height * 3)).map { _ in Float.random(in: -6...6, using: &generator) }
            for _ in 0..<20 {
                targets = targets.map { $0 + Float.random(in: -0.8...0.8, using: &generator) }
                let offsets = rounding.offsets(for: targets, in: region)
                #expect(zip(offsets, targets).allSatisfy { abs(Float($0) - $1) <= tolerance }, "tolerance \(tolerance)")
            }
        }
    }
}
