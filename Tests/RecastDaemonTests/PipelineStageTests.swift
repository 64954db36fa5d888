import Foundation
import RecastMedia
import Testing
@testable import RecastDaemon

@Suite("Pipeline stages")
struct PipelineStageTests {
    @Test("a live queue drops its oldest item when full and counts it")
    func dropOldest() {
        let queue = BoundedQueue<Int>(capacity: 3, policy: .dropOldest)
        for value in 1...5 { queue.push(value) }
        #expect(queue.droppedCount == 2)
        queue.close()
        var drained: [Int] = []
        while let value = queue.pop() { drained.append(value) }
        #expect(drained == [3, 4, 5])
    }

    @Test("a lossless queue makes the producer wait, losing nothing")
    func blocking() {
        let queue = BoundedQueue<Int>(capacity: 2, policy: .block)
        let producer = Thread {
            for value in 0..<100 { queue.push(value) }
            queue.close()
        }
        producer.start()
        var drained: [Int] = []
        while let value = queue.pop() {
            drained.append(value)
            if value % 10 == 0 { Thread.sleep(forTimeInterval: 0.001) }
        }
        #expect(drained == Array(0..<100))
        #expect(queue.droppedCount == 0)
    }

    @Test("backoff: 2 s, then ×1.5 with ±20 % jitter, capped at 60 s")
    func backoff() {
        var backoff = Backoff()
        var generator = SystemRandomNumberGenerator()
        var bases: [Double] = [2, 3, 4.5, 6.75]
        while bases.count < 14 { bases.append(min(60, bases.last! * 1.5)) }
        for base in bases {
            let delay = backoff.nextDelay(using: &generator)
            #expect(delay >= base * 0.8 - 1e-9 && delay <= min(60, base * 1.2) + 1e-9, "delay \(delay) for base \(base)")
        }
        backoff.reset()
        let first = backoff.nextDelay(using: &generator)
        #expect(first >= 1.6 && first <= 2.4)
    }

    @Test("timeline: file sessions continue where the last ended; live ones anchor at the wall clock")
    func timeline() {
        var file = Timeline()
        file.beginSession()
        #expect(file.map(5_000, capturedAt: 0, live: false, since: 0) == 0)
        #expect(file.map(38_333, capturedAt: 0, live: false, since: 0) == 33_333)
        file.beginSession()
        #expect(file.map(0, capturedAt: 0, live: false, since: 0) == 33_334)

        var live = Timeline()
        live.beginSession()
        let start: UInt64 = 1_000_000_000
        #expect(live.map(900_000, capturedAt: start + 2_000_000_000, live: true, since: start) == 2_000_000)
        #expect(live.map(933_333, capturedAt: start + 2_100_000_000, live: true, since: start) == 2_033_333)
        // A reconnect restarts the source's clock; the output timeline keeps going.
        live.beginSession()
        #expect(live.map(0, capturedAt: start + 9_000_000_000, live: true, since: start) == 9_000_000)
    }

    @Test("latency percentiles")
    func latency() {
        let recorder = LatencyRecorder()
        for value in 1...100 { recorder.record(UInt64(value) * 1_000_000) }
        let summary = recorder.snapshot()
        #expect(summary.count == 100)
        #expect(abs(summary.p50 - 50.5) <= 0.5)
        #expect(abs(summary.p95 - 95) <= 1)
        #expect(summary.max == 100)
    }

    @Test("a stop ends a sleep early")
    func stopSignal() {
        let stop = StopSignal()
        let started = Date()
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.1) { stop.raise() }
        #expect(stop.sleep(10) == false)
        #expect(Date().timeIntervalSince(started) < 5)
    }
}
