import Foundation

/// The identity's face proportions given to the live face: how far apart its eyes are, how long and wide its nose,
/// where its brows sit. The warp alone draws the identity's texture into the person's own proportions, and those
/// carry much of a face's identity: on d3 with Obama, moving the features halfway to his took the share of frames
/// closer to him from 85.0 % to 99.2 % (`recastd eval`, whole clip).
///
/// Each live point is moved by the identity's shape less the person's own neutral shape (`NeutralShape`), turned
/// into the live head's pose: the person's expression (the live mesh's change from their neutral) is kept. The
/// outline and the inner lips do not move (`weights`), so the face still fills the person's head and the live mouth
/// interior shows where the person's mouth is. The eyelids move as their eye's corners do: the eye takes the
/// identity's place and width but opens as far as the person's (on d18, whose blinks the mesh barely reads, moving
/// the lids too took the eye-opening correlation with the astronaut from 0.49 to 0.44).
struct ShapeTransfer {
    /// The identity's mesh (its crop's pixels, z on the same scale).
    let identity: [SIMD3<Float>]
    /// How far each point takes the identity's shape, 0–1: 0 on the outline and the inner lips, rising to 1 over
    /// `outlineRamp` and `lipRamp` face widths.
    let weights: [Float]

    static let outlineRamp: Float = 0.12
    static let lipRamp: Float = 0.1
    /// The inner lips' contour (MediaPipe's lipsUpperInner and lipsLowerInner).
    static let innerLips = [78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308, 95, 88, 178, 87, 14, 317, 402, 318, 324]

    init(identity: [SIMD3<Float>]) {
        self.identity = identity
        let planar = identity.map { SIMD2($0.x, $0.y) }
        let xs = planar.map(\.x)
        let width = max(1e-3, xs.max()! - xs.min()!)
        let outline = MeshLandmarks.faceOval.map { planar[$0] }
        let lips = Self.innerLips.map { planar[$0] }
        weights = planar.map { point in
            let toOutline = outline.indices.map { Self.distance(point, toSegment: outline[$0], outline[($0 + 1) % outline.count]) }.min()!
            let toLips = lips.map { (($0 - point) * ($0 - point)).sum().squareRoot() }.min()!
            return Self.smoothstep(toOutline / (Self.outlineRamp * width)) * Self.smoothstep(toLips / (Self.lipRamp * width))
        }
    }

    /// `live` with its features moved `strength` (0–1) of the way to the identity's proportions, `neutral` updated
    /// with the live shape (`time` nil: a still picture, its own neutral).
    func apply(_ live: [SIMD3<Float>], strength: Float, neutral: inout NeutralShape, at time: Double?) -> [SIMD3<Float>] {
        guard strength > 0 else { return live }
        let pose = SimilarityTransform3D.fitting(from: identity, to: live)
        let own = neutral.update(live.map(pose.invert), against: identity, at: time)
        var offsets = live.indices.map { (strength * weights[$0]) * pose.transformVector(identity[$0] - own[$0]) }
        for eyelid in MeshLandmarks.eyelids {
            offsets[eyelid.point] = (offsets[eyelid.corners.0] + offsets[eyelid.corners.1]) / 2
        }
        return live.indices.map { live[$0] + offsets[$0] }
    }

    private static func distance(_ point: SIMD2<Float>, toSegment a: SIMD2<Float>, _ b: SIMD2<Float>) -> Float {
        let along = b - a
        let t = min(1, max(0, ((point - a) * along).sum() / max(1e-9, (along * along).sum())))
        let offset = a + t * along - point
        return (offset * offset).sum().squareRoot()
    }

    private static func smoothstep(_ x: Float) -> Float {
        let t = min(1, max(0, x))
        return t * t * (3 - 2 * t)
    }
}

/// The person's own face shape without expression, for the shape transfer: the live meshes, posed as the identity's
/// (so head motion is not shape), averaged over time: an expression passes, the shape stays. Kept in the temporal
/// buffer per followed face; a new identity starts it again.
struct NeutralShape {
    /// The average's time constant (seconds). Until as many frames as it spans have been seen, all frames so far
    /// count alike instead, so the first frames' expression does not linger.
    var averagingTime = 10.0
    private var points: [SIMD3<Float>] = []
    private var identity: [SIMD3<Float>] = []
    private var frames = 0
    private var lastTime: Double?

    /// The neutral shape after adding `aligned` (a live mesh in the identity's pose) seen at `time`.
    mutating func update(_ aligned: [SIMD3<Float>], against identity: [SIMD3<Float>], at time: Double?) -> [SIMD3<Float>] {
        guard let time, identity == self.identity, points.count == aligned.count else {
            self.identity = identity
            points = aligned
            frames = 1
            lastTime = time
            return points
        }
        let elapsed = lastTime.map { max(0, time - $0) } ?? 0
        lastTime = time
        frames += 1
        let weight = Float(max(1 / Double(frames), 1 - exp(-elapsed / averagingTime)))
        points = zip(points, aligned).map { $0 + ($1 - $0) * weight }
        return points
    }
}
