/// During a blink the person's own closed eyelids show through the swapped face. The identity's eye closed by
/// moving its lids (`EyeClosure.close`) stretches the skin around the portrait's open eye over the opening, which
/// in a dark-socketed portrait is itself dark: Newton's closed eyes were drawn as dark smears that the face mesh
/// read as open (0.26–0.28 through d0's blink against 0.30 open, where the person's own shut eyes read 0.17).
/// The person's lids close as a real eye does, and the swap's colour match keeps them in the face's colour.
/// Only blinks: eyes narrowed for longer (a look down, a frown: d3's run up to 1.3 s) keep the identity's eyes,
/// closed as far, since eyes carry much of its likeness (showing the person's own through those took d3 with
/// Biden from 100 to 94.4 % of frames closer to the reference).
struct LiveEyelids {
    /// Reach of the live face around each eye: the closed eye's lid line and lashes, fading into the identity's lids
    /// around them. Reaching 15 % of the eye's width further (the person's whole lids) read the blink better (d0 with
    /// Newton: eye-opening correlation 0.863 against 0.803) but took 1–3 of d0's 78 frames from closer to the
    /// reference to closer to the source.
    var reach = ContourFalloff(margin: 0, feather: 0.2)
    /// How long a closing counts as a blink (blinks last 0.1–0.4 s; the eval clips' 0.13–0.23 s), and how long the
    /// person's lids then take to give way to the identity's.
    var blinkTime = 0.3
    var fadeTime = 0.2

    /// How far the person's lids show: as far as the eyes are closed (`closure`, 0–1), during a blink (the eyes
    /// closing or closed for `closedFor` seconds).
    func shown(closure: Float, closedFor: Double) -> Float {
        closure * Float(min(1, max(0, 1 - (closedFor - blinkTime) / fadeTime)))
    }

    /// Each eye's contour, corner to corner along the upper lid and back along the lower.
    static let contours: [[Int]] = EyeClosure.eyes.map { eye in
        [eye.corners.0] + eye.pairs.map(\.upper) + [eye.corners.1] + eye.pairs.reversed().map(\.lower)
    }

    /// Lowers `mask` (row-major over `region`, blend weights of the identity's face) around each eye of `mesh`
    /// (the live face's points, in image pixels) by `shown` (`shown(closure:closedFor:)`): at 1 the person's own
    /// lids show there.
    func reveal(_ shown: Float, mesh: [SIMD3<Float>], in mask: inout [Float], region: FaceRegion) {
        guard shown > 0 else { return }
        for contour in Self.contours {
            reach.lower(&mask, around: contour, of: mesh, in: region, by: shown)
        }
    }
}
