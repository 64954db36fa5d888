import Testing
@testable import RecastSwap

extension EyeClosure {
    /// The live mesh closed as the swap closes it.
    mutating func close(_ mesh: [SIMD3<Float>], at time: Double) -> [SIMD3<Float>] {
        Self.close(mesh, by: closure(mesh, at: time))
    }
}

@Suite("Closing the identity's eyes as far as the live eyes close")
struct EyeClosureTests {
    /// Both eyes 40 px wide with their lids `gap` px apart at every facing pair.
    func face(gap: Float) -> [SIMD3<Float>] {
        var mesh = (0..<468).map { SIMD3(Float($0 % 22) * 20, Float($0 / 22) * 20, 0) }
        for (eye, centreX) in zip(EyeClosure.eyes, [Float(100), 200]) {
            mesh[eye.corners.0] = SIMD3(centreX - 20, 100, 0)
            mesh[eye.corners.1] = SIMD3(centreX + 20, 100, 0)
            for (index, pair) in eye.pairs.enumerated() {
                let x = centreX - 15 + Float(index) * 5
                mesh[pair.upper] = SIMD3(x, 100 - gap / 2, 0)
                mesh[pair.lower] = SIMD3(x, 100 + gap / 2, 0)
            }
        }
        return mesh
    }

    func gaps(_ mesh: [SIMD3<Float>]) -> [Float] {
        EyeClosure.eyes.flatMap { eye in eye.pairs.map { mesh[$0.lower].y - mesh[$0.upper].y } }
    }

    @Test("an eye the mesh reads 30 % narrower than usual is drawn shut, and opens again after")
    func blink() {
        var closure = EyeClosure()
        let open: Float = 12
        var frame = 0
        func next(_ gap: Float) -> [Float] {
            defer { frame += 1 }
            return gaps(closure.close(face(gap: gap), at: Double(frame) / 30))
        }
        for _ in 0..<30 { #expect(next(open).allSatisfy { abs($0 - open) < 1e-4 }) }
        #expect(next(open * 0.93).allSatisfy { abs($0 - open * 0.93) < 1e-4 }, "within the mesh's noise nothing changes")
        let half = next(open * 0.8)
        #expect(half.allSatisfy { $0 > 0.3 * open && $0 < 0.5 * open }, "20 % narrower: half shut, got \(half)")
        #expect(next(open * 0.69).allSatisfy { abs($0) < 1e-3 }, "30 % narrower: shut")
        for _ in 0..<6 { _ = next(open) }
        #expect(next(open).allSatisfy { abs($0 - open) < 1e-4 }, "open again after the blink")
    }

    @Test("the lids meet near the lower lid, as in a blink; points off the eyelids never move")
    func meetingPoint() {
        var closure = EyeClosure()
        let usual = face(gap: 12)
        for frame in 0..<30 { _ = closure.close(usual, at: Double(frame) / 30) }
        let shut = closure.close(face(gap: 7.5), at: 1)
        for eye in EyeClosure.eyes {
            for pair in eye.pairs {
                #expect(abs(shut[pair.upper].y - shut[pair.lower].y) < 1e-3)
                #expect(abs(shut[pair.upper].y - (103.75 - 0.25 * 7.5)) < 1e-3, "upper lid came down to \(shut[pair.upper].y)")
            }
        }
        let lids = Set(EyeClosure.eyes.flatMap { $0.pairs.flatMap { [$0.upper, $0.lower] } })
        let narrowed = face(gap: 7.5)
        #expect(narrowed.indices.filter { !lids.contains($0) }.allSatisfy { shut[$0] == narrowed[$0] })
    }

    @Test("one eye narrower than usual, the other not (a lowered or turned head), is not drawn as a wink")
    func oneEye() {
        var closure = EyeClosure()
        for frame in 0..<30 { _ = closure.closure(face(gap: 12), at: Double(frame) / 30) }
        var oneNarrow = face(gap: 12)
        for pair in EyeClosure.eyes[1].pairs {
            oneNarrow[pair.upper].y = 100 - 3.6
            oneNarrow[pair.lower].y = 100 + 3.6
        }
        #expect(closure.closure(oneNarrow, at: 1) == 0)
        #expect(closure.closure(face(gap: 12 * 0.8), at: 1.04) > 0.4, "both eyes narrower: closing")
    }

    @Test("closing moves every lid pair the same share of its own gap, so an eye of any size closes in proportion")
    func proportional() {
        let live = face(gap: 12), identity = face(gap: 20).map { $0 * 1.5 }
        let (closedLive, closedIdentity) = (EyeClosure.close(live, by: 0.6), EyeClosure.close(identity, by: 0.6))
        let ratios = zip(gaps(closedLive), gaps(live)).map { $0 / $1 } + zip(gaps(closedIdentity), gaps(identity)).map { $0 / $1 }
        #expect(ratios.allSatisfy { abs($0 - (1 - 0.6)) < 1e-4 }, "\(ratios)")
        #expect(EyeClosure.close(identity, by: 0) == identity)
    }

    @Test("a face that settles into a narrower look is slowly taken as its usual one")
    func squint() {
        var closure = EyeClosure()
        for frame in 0..<30 { _ = closure.close(face(gap: 12), at: Double(frame) / 30) }
        var gap: Float = 0
        for frame in 30..<(30 + 30 * 20) { gap = gaps(closure.close(face(gap: 8.4), at: Double(frame) / 30))[3] }
        #expect(abs(gap - 8.4) < 0.05, "after 20 s narrower, drawn as measured: \(gap)")
    }
}
