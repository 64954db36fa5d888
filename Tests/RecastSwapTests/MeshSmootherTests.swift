import Testing
@testable import RecastSwap

@Suite("Mesh smoothing between frames")
struct MeshSmootherTests {
    let points = OneEuroFilter<SIMD3<Float>>(minimumCutoff: 1, beta: 0.05)
    let eyelids = OneEuroFilter<SIMD3<Float>>(minimumCutoff: 8, beta: 0.5, derivativeCutoff: 5)

    /// A still face on a 20-pixel grid.
    func face(offset: SIMD3<Float> = .zero) -> [SIMD3<Float>] {
        (0..<468).map { SIMD3(Float($0 % 22) * 20, Float($0 / 22) * 20, 0) + offset }
    }

    @Test("a three-frame blink keeps nearly all its depth, more than the face's own filter keeps")
    func blink() {
        var smoother = MeshSmoother(points: points, eyelids: eyelids, count: 468)
        var plain = Array(repeating: points, count: 468)
        let lid = 159, depth: Float = 8
        var kept: Float = 0, flattened: Float = 0
        for frame in 0..<40 {
            var mesh = face()
            if (20..<23).contains(frame) { mesh[lid].y += depth }
            let time = Double(frame) / 30
            let smoothed = smoother.smooth(mesh, at: time)
            kept = max(kept, smoothed[lid].y - face()[lid].y)
            flattened = max(flattened, plain[lid].filter(mesh[lid], at: time).y - face()[lid].y)
            // Points off the eyelids are smoothed exactly as before.
            #expect(smoothed[200] == plain[200].filter(mesh[200], at: time))
        }
        #expect(kept > 0.95 * depth && kept > flattened + 1, "blink depth kept: \(kept) of \(depth); the face's filter alone keeps \(flattened)")
    }

    @Test("while the head moves, the eyelids move with their eye's smoothed corners: no shear between them")
    func headMotion() {
        var smoother = MeshSmoother(points: points, eyelids: eyelids, count: 468)
        let (lid, corners) = (159, MeshLandmarks.rightEyeCorners)
        let rest = face()[lid] - (face()[corners.0] + face()[corners.1]) / 2
        for frame in 0..<60 {
            let smoothed = smoother.smooth(face(offset: SIMD3(Float(frame) * 6, 0, 0)), at: Double(frame) / 30)
            let offset = smoothed[lid] - (smoothed[corners.0] + smoothed[corners.1]) / 2
            #expect(abs(offset.x - rest.x) < 0.01 && abs(offset.y - rest.y) < 0.01, "frame \(frame): offset \(offset), at rest \(rest)")
        }
    }
}
