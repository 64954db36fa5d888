/// Smooths one face's mesh between frames. Every point has its own One-Euro filter; an eyelid point is
/// the smoothed centre of its eye plus its offset from that centre, filtered faster: a blink lasts only
/// a few frames, and the filter that keeps the face from jittering would otherwise flatten it away.
struct MeshSmoother {
    private var points: [OneEuroFilter<SIMD3<Float>>]
    private var eyelidOffsets: [OneEuroFilter<SIMD3<Float>>]

    init(points: OneEuroFilter<SIMD3<Float>>, eyelids: OneEuroFilter<SIMD3<Float>>, count: Int) {
        self.points = Array(repeating: points, count: count)
        eyelidOffsets = Array(repeating: eyelids, count: MeshLandmarks.eyelids.count)
    }

    mutating func smooth(_ mesh: [SIMD3<Float>], at time: Double) -> [SIMD3<Float>] {
        var smoothed = mesh.indices.map { points[$0].filter(mesh[$0], at: time) }
        for (index, eyelid) in MeshLandmarks.eyelids.enumerated() where eyelid.point < mesh.count {
            let centre = (mesh[eyelid.corners.0] + mesh[eyelid.corners.1]) / 2
            let smoothedCentre = (smoothed[eyelid.corners.0] + smoothed[eyelid.corners.1]) / 2
            smoothed[eyelid.point] = smoothedCentre + eyelidOffsets[index].filter(mesh[eyelid.point] - centre, at: time)
        }
        return smoothed
    }
}
