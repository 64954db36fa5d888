/// Rounds a change to whole 8-bit levels over consecutive frames, keeping each pixel's last offset while the
/// change stays within `tolerance` of it. Plain rounding flips a pixel by one level whenever a slowly drifting
/// change crosses a half level, and a still talking head changes by well under one level a frame: such flips
/// were most of the flicker the refinement added (see `LiveRefinement.changeTolerance`).
struct SteadyRounding {
    /// Levels the change may stray from a pixel's last offset before the offset follows it.
    let tolerance: Float
    private var region: FaceRegion?
    private var offsets: [Int16] = []

    init(tolerance: Float) {
        precondition(tolerance >= 0.5, "a tolerance under half a level would round away from the change")
        self.tolerance = tolerance
    }

    /// Forgets the last offsets (another face, or none).
    mutating func reset() {
        region = nil
        offsets = []
    }

    /// Whole-level offsets for `targets` (three channels a pixel of `region`, row-major). A pixel outside the
    /// last frame's region starts from offset 0.
    mutating func offsets(for targets: [Float], in region: FaceRegion) -> [Int16] {
        precondition(targets.count == region.width * region.height * 3, "three targets a pixel of the region")
        var result = [Int16](repeating: 0, count: targets.count)
        let last = self.region
        for y in 0..<region.height {
            let frameY = region.top + y
            for x in 0..<region.width {
                let index = (y * region.width + x) * 3
                var lastIndex: Int?
                if let last {
                    let lastX = region.left + x - last.left, lastY = frameY - last.top
                    if lastX >= 0, lastY >= 0, lastX < last.width, lastY < last.height { lastIndex = (lastY * last.width + lastX) * 3 }
                }
                for channel in 0..<3 {
                    // A change beyond ±255 saturates any pixel anyway; a non-finite one (an overflowing
                    // checkpoint) adds nothing rather than trapping in the conversion.
                    let target = targets[index + channel].isFinite ? min(255, max(-255, targets[index + channel])) : 0
                    let kept = lastIndex.map { offsets[$0 + channel] } ?? 0
                    result[index + channel] = abs(target - Float(kept)) < tolerance ? kept : Int16(target.rounded())
                }
            }
        }
        self.region = region
        offsets = result
        return result
    }
}
