import Foundation

/// Collects durations (nanoseconds) of one pipeline stage and reports percentiles.
/// Keeps the most recent samples only, so a long run uses bounded memory.
final class LatencyRecorder: @unchecked Sendable {
    // @unchecked: samples are guarded by `lock`.
    private let lock = NSLock()
    private var samples: [UInt64] = []
    private var next = 0
    private var total = 0
    private let limit: Int

    init(limit: Int = 10_000) { self.limit = limit }

    func record(_ nanoseconds: UInt64) {
        lock.lock()
        defer { lock.unlock() }
        total += 1
        if samples.count < limit {
            samples.append(nanoseconds)
        } else {
            samples[next] = nanoseconds
            next = (next + 1) % limit
        }
    }

    func snapshot() -> LatencySummary {
        lock.lock()
        let sorted = samples.sorted()
        let count = total
        lock.unlock()
        func percentile(_ p: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = min(sorted.count - 1, Int((p * Double(sorted.count - 1)).rounded()))
            return Double(sorted[index]) / 1e6
        }
        return LatencySummary(count: count, p50: percentile(0.5), p95: percentile(0.95), max: percentile(1))
    }
}

/// Percentiles of one stage's latency, in milliseconds.
public struct LatencySummary: Sendable, Codable, Equatable {
    public var count: Int
    public var p50: Double
    public var p95: Double
    public var max: Double
}
