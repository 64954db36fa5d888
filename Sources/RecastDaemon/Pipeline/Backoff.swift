/// Delays between reconnection attempts: 2 s, then ×1.5 each time, with
/// ±20 % jitter so many instances do not retry in lockstep, capped at 60 s.
struct Backoff {
    var initial: Double = 2
    var factor: Double = 1.5
    var cap: Double = 60
    var jitter: Double = 0.2
    private(set) var attempt = 0

    /// The delay before the next attempt, in seconds.
    mutating func nextDelay<Generator: RandomNumberGenerator>(using generator: inout Generator) -> Double {
        var base = initial
        for _ in 0..<attempt { base = min(cap, base * factor) }
        attempt += 1
        let jittered = base * (1 + Double.random(in: -jitter...jitter, using: &generator))
        return min(cap, jittered)
    }

    mutating func nextDelay() -> Double {
        var generator = SystemRandomNumberGenerator()
        return nextDelay(using: &generator)
    }

    mutating func reset() { attempt = 0 }
}
