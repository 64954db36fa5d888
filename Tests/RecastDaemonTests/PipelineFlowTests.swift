import Foundation
import Logging
import RecastMedia
import Synchronization
import Testing
@testable import RecastDaemon

/// The pipeline's flow rules, with a source and sinks that only count.
@Suite("Pipeline flow")
struct PipelineFlowTests {
    /// Delivers `count` small frames, paced like a camera when live.
    final class CountingSource: MediaSource, @unchecked Sendable {
        let name = "counting"
        let isLive: Bool
        let reconnects = false
        private let count: Int
        private let interval: Double
        private var produced = 0

        init(count: Int, live: Bool, fps: Double = 100) {
            self.count = count
            self.isLive = live
            self.interval = 1 / fps
        }

        func open() throws -> SourceFormat { SourceFormat(video: VideoStreamFormat(width: 16, height: 16, framesPerSecond: 1 / interval), audio: nil) }

        func read() throws -> MediaItem? {
            guard produced < count else { return nil }
            if isLive { Thread.sleep(forTimeInterval: interval) }
            defer { produced += 1 }
            return .video(VideoFrame(width: 16, height: 16, format: .i420, timestamp: Int64(Double(produced) * interval * 1e6)))
        }

        func close() {}
        func interrupt() {}
    }

    /// Records the timestamps it gets, taking `delay` seconds per frame.
    final class RecordingSink: MediaSink, Sendable {
        let name: String
        let reconnects = false
        let delay: Double
        let timestamps = Mutex<[Int64]>([])
        private let closedFlag = Atomic<Bool>(false)
        var closed: Bool { closedFlag.load(ordering: .relaxed) }

        init(name: String, delay: Double) {
            self.name = name
            self.delay = delay
        }

        func open(video: VideoStreamFormat, audio: AudioStreamFormat?) throws {}
        func write(_ frame: VideoFrame) throws {
            if delay > 0 { Thread.sleep(forTimeInterval: delay) }
            timestamps.withLock { $0.append(frame.timestamp) }
        }
        func write(_ packet: AudioPacket) throws {}
        func close() throws { closedFlag.store(true, ordering: .relaxed) }
        func interrupt() {}
    }

    @Test("a slow output does not hold back capture or the other outputs")
    func slowOutput() throws {
        let source = CountingSource(count: 150, live: true)
        let fast = RecordingSink(name: "fast", delay: 0)
        let slow = RecordingSink(name: "slow", delay: 0.05)
        let pipeline = Pipeline(source: source, sinks: [fast, slow], logger: Logger(label: "test"))
        let started = Date()
        try pipeline.run()
        let elapsed = Date().timeIntervalSince(started)
        let fastCount = fast.timestamps.withLock { $0.count }
        let slowCount = slow.timestamps.withLock { $0.count }
        #expect(fastCount >= 145, "the fast output got \(fastCount) of 150 frames")
        #expect(slowCount < 100, "the slow output (20 fps) cannot have taken \(slowCount) frames of a 100 fps source")
        #expect(elapsed < 4, "capture was held back: \(elapsed) s for 1.5 s of frames")
        let statistics = pipeline.statistics()
        #expect(statistics.outputs[1].framesDropped > 0)
        #expect(fast.closed && slow.closed)
        let slowStamps = slow.timestamps.withLock { $0 }
        #expect(slowStamps == slowStamps.sorted(), "frames out of order")
    }

    @Test("a file input loses nothing, even to a slow output")
    func fileIsLossless() throws {
        let source = CountingSource(count: 60, live: false)
        let slow = RecordingSink(name: "slow", delay: 0.005)
        let pipeline = Pipeline(source: source, sinks: [slow], logger: Logger(label: "test"))
        try pipeline.run()
        let stamps = slow.timestamps.withLock { $0 }
        #expect(stamps.count == 60)
        #expect(stamps == (0..<60).map { Int64(Double($0) * 0.01 * 1e6) })
    }

    @Test("a stop request ends a live run promptly and closes every output")
    func stop() throws {
        let source = CountingSource(count: 1_000_000, live: true)
        let sink = RecordingSink(name: "sink", delay: 0)
        let pipeline = Pipeline(source: source, sinks: [sink], logger: Logger(label: "test"))
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { pipeline.requestStop() }
        let started = Date()
        try pipeline.run()
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(sink.closed)
        #expect(sink.timestamps.withLock { $0.count } > 10)
    }

    /// Sets its flag when it is destroyed.
    final class Tracked: Sendable {
        let destroyed: Flag
        init(_ destroyed: Flag) { self.destroyed = destroyed }
        deinit { destroyed.value.withLock { $0 = true } }
    }

    final class Flag: Sendable {
        let value = Mutex(false)
    }

    /// Work that alone owns a `Tracked`, and outlasts the caller's hold on the closure.
    static func work(owning flag: Flag) -> @Sendable () -> Void {
        let tracked = Tracked(flag)
        return {
            Thread.sleep(forTimeInterval: 0.05)
            _ = tracked
        }
    }

    @Test("a stage thread lets go of its work before it reports done, so the joiner holds the last reference")
    func stageThreadReleasesWork() async {
        let flag = Flag()
        let releasedBeforeDone = await withCheckedContinuation { continuation in
            StageThread.start(name: "recast.test", Self.work(owning: flag), then: { continuation.resume(returning: flag.value.withLock { $0 }) })
        }
        #expect(releasedBeforeDone)
    }
}
