import Foundation

/// Closes the mesh's eyes as far as the picture shows them closed. MediaPipe's mesh reads a shut eye
/// as only about a quarter narrower than the same eye open (d18's blinks: 0.77 of its usual opening;
/// d0's: 0.58), so the identity's eyes, drawn between the live eyelids, hardly blinked. Each eye's
/// narrowing below its usual opening is widened: within `deadZone` of usual nothing changes; at
/// `closedAt` of usual the lids meet. On the eval clips' meshes these settings single out d0's and
/// d18's blinks (no other frame of theirs is drawn more than a tenth closed) and d3's frowns.
struct EyeClosure {
    /// Narrowing (a fraction of the usual opening) that the mesh's own noise stays within.
    var deadZone: Float = 0.1
    /// Narrowing at which the eye is drawn shut.
    var closedAt: Float = 0.3
    /// How fast the usual opening follows a wider eye (after a blink, a first frame caught mid-blink)
    /// and a narrower one (a face that settles into a squint), in seconds. Following wider eyes fast
    /// would make the usual opening the top of the mesh's noise, and every other frame narrower.
    var wideningTime = 1.0
    var narrowingTime = 3.0

    /// Upper and lower eyelid points facing each other, corner to corner; their eye's corners.
    static let eyes: [(pairs: [(upper: Int, lower: Int)], corners: (Int, Int))] = [
        ([(246, 7), (161, 163), (160, 144), (159, 145), (158, 153), (157, 154), (173, 155)], MeshLandmarks.rightEyeCorners),
        ([(466, 249), (388, 390), (387, 373), (386, 374), (385, 380), (384, 381), (398, 382)], MeshLandmarks.leftEyeCorners),
    ]
    /// The pair whose gap measures an eye's opening (as `FaceOpenings.eyes` does).
    static let measuredPair = 3

    /// Each eye's usual opening (lid gap over eye width), and when it was last updated.
    private var usual: [Float?] = [nil, nil]
    private var lastTime: Double?
    /// When the eyes began to close, while they are closing or closed.
    private var closingSince: Double?

    /// Where the lids meet when an eye shuts, from the lower lid towards the upper: mostly the upper lid moves.
    private static let meeting: Float = 0.25

    /// How far to close the eyes of `mesh` (0 open as they are, 1 shut): by how much narrower than usual each eye
    /// is, both as far as the less closed one. A blink closes both; one eye reading narrower than the other was the
    /// mesh on a lowered or turned head (d3 looking down), and drawn as a wink it cost likeness (d3 with Obama:
    /// 83.9 → 86.2 % of frames closer to the reference). The usual openings are updated.
    mutating func closure(_ mesh: [SIMD3<Float>], at time: Double) -> Float {
        let elapsed = lastTime.map { max(0, time - $0) } ?? 0
        lastTime = time
        let closures = Self.eyes.enumerated().map { index, eye -> Float in
            let width = planarDistance(mesh[eye.corners.0], mesh[eye.corners.1])
            guard width > 1e-3 else { return 0 }
            let pair = eye.pairs[Self.measuredPair]
            let opening = planarDistance(mesh[pair.upper], mesh[pair.lower]) / width
            let previous = usual[index] ?? opening
            let timeConstant = opening > previous ? wideningTime : narrowingTime
            let current = previous + (opening - previous) * Float(1 - exp(-elapsed / timeConstant))
            usual[index] = current
            guard current > 1e-4 else { return 0 }
            let narrowing = 1 - opening / current
            return min(1, max(0, (narrowing - deadZone) / (closedAt - deadZone)))
        }
        let closure = closures.min() ?? 0
        closingSince = closure > 0 ? closingSince ?? time : nil
        return closure
    }

    /// Seconds the eyes have been closing or closed at `time` (as last given to `closure`); 0 when open.
    func closedFor(at time: Double) -> Double {
        closingSince.map { max(0, time - $0) } ?? 0
    }

    /// `points` (a mesh's, live or the identity's) with both eyes' lids moved `closure` of the way to where they meet.
    static func close<Point: SIMD>(_ points: [Point], by closure: Float) -> [Point] where Point.Scalar == Float {
        guard closure > 0 else { return points }
        var closed = points
        for eye in eyes {
            for (upper, lower) in eye.pairs {
                let meetingPoint = points[lower] + Self.meeting * (points[upper] - points[lower])
                closed[upper] = points[upper] + closure * (meetingPoint - points[upper])
                closed[lower] = points[lower] + closure * (meetingPoint - points[lower])
            }
        }
        return closed
    }

    private func planarDistance(_ a: SIMD3<Float>, _ b: SIMD3<Float>) -> Float {
        let offset = SIMD2(a.x - b.x, a.y - b.y)
        return (offset * offset).sum().squareRoot()
    }
}
