import RecastMedia

/// Maps a source's own timestamps onto the pipeline's output timeline (µs
/// since the pipeline started). Each time the source (re)opens, a new offset
/// is chosen from its first item, so timestamps stay increasing across
/// reconnects while audio and video of one session keep their relation.
struct Timeline {
    private var offset: Int64?
    private var last: Int64 = -1

    mutating func beginSession() { offset = nil }

    mutating func map(_ timestamp: Int64, capturedAt: UInt64, live: Bool, since start: UInt64) -> Int64 {
        if offset == nil {
            // Live: anchor at the wall clock. File: continue right after what came before.
            let anchor = live ? Int64(capturedAt &- start) / 1_000 : last + 1
            offset = max(anchor, last + 1) - timestamp
        }
        let mapped = timestamp + offset!
        last = max(last, mapped)
        return mapped
    }
}
