import Foundation

/// The pipeline's "stop now" state, with sleeps that end early when it is raised.
final class StopSignal: @unchecked Sendable {
    // @unchecked: `stopped` is guarded by `condition`.
    private let condition = NSCondition()
    private var stopped = false

    var isRaised: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    func raise() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Sleeps up to `seconds`; returns false if the stop came first.
    func sleep(_ seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        condition.lock()
        defer { condition.unlock() }
        while !stopped {
            if !condition.wait(until: deadline) { break }
        }
        return !stopped
    }
}
