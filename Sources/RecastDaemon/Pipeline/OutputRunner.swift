import Foundation
import Logging
import RecastMedia

/// Drives one output on its own thread: opens it on the first frame, writes
/// frames and audio (audio held back until the video of the same time has
/// been written, so it is delayed by exactly the video's latency), and
/// reopens a network output with backoff when it drops.
final class OutputRunner: @unchecked Sendable {
    // @unchecked: all mutable state is touched only by the runner's thread,
    // except `written`, which is atomic-by-lock through `statsLock`.
    let sink: MediaSink
    let queue: BoundedQueue<MediaItem>
    let latency = LatencyRecorder()
    private let statsLock = NSLock()
    private var written = 0
    private var stale = 0
    private var pendingAudio: [AudioPacket] = []
    private var lastVideoTimestamp = Int64.min
    private var opened = false
    private var everOpened = false
    private var backoff = Backoff()
    private var retryAt: UInt64?
    private let logger: Logger
    /// Most audio packets held while waiting for video (about 4 s of AAC).
    private let pendingAudioLimit = 200

    init(sink: MediaSink, queue: BoundedQueue<MediaItem>, logger: Logger) {
        self.sink = sink
        self.queue = queue
        self.logger = logger
    }

    var framesWritten: Int {
        statsLock.lock()
        defer { statsLock.unlock() }
        return written
    }

    /// Frames dropped because the queue was full or they had waited too long.
    var framesDropped: Int {
        statsLock.lock()
        defer { statsLock.unlock() }
        return stale + queue.droppedCount
    }

    /// Runs until the queue is closed and drained. Throws what ends the run:
    /// a failure of an output that is not retried, or a first open that fails.
    /// `maxAge` (nanoseconds), when given, drops frames that waited longer than that since capture.
    func run(format: () -> (VideoStreamFormat, AudioStreamFormat?), maxAge: UInt64?, stop: StopSignal, onWrite: () -> Void) throws {
        while let item = queue.pop() {
            if let maxAge, case .video(let frame) = item, monotonicNanoseconds() &- frame.capturedAt > maxAge {
                statsLock.lock()
                stale += 1
                statsLock.unlock()
                continue
            }
            if let retryAt {
                guard monotonicNanoseconds() >= retryAt else { continue }
                self.retryAt = nil
            }
            if !opened {
                guard case .video = item else {
                    if case .audio(let packet) = item { holdAudio(packet) }
                    continue
                }
                let (video, audio) = format()
                do {
                    try sink.open(video: video, audio: audio)
                    opened = true
                    everOpened = true
                    backoff.reset()
                } catch {
                    if stop.isRaised { return }
                    guard everOpened && sink.reconnects else { throw error }
                    scheduleRetry(after: error)
                    continue
                }
            }
            do {
                try write(item)
                if item.isVideo { onWrite() }
            } catch {
                if stop.isRaised { return }
                guard sink.reconnects else { throw error }
                // The connection is gone: abort its I/O rather than wait on a trailer that cannot arrive.
                sink.interrupt()
                try? sink.close()
                opened = false
                scheduleRetry(after: error)
            }
        }
        guard opened else { return }
        for packet in pendingAudio { try sink.write(packet) }
        pendingAudio.removeAll()
        try sink.close()
    }

    private func write(_ item: MediaItem) throws {
        switch item {
        case .video(let frame):
            try sink.write(frame)
            lastVideoTimestamp = frame.timestamp
            latency.record(monotonicNanoseconds() &- frame.capturedAt)
            statsLock.lock()
            written += 1
            statsLock.unlock()
            while let first = pendingAudio.first, first.timestamp <= lastVideoTimestamp {
                try sink.write(pendingAudio.removeFirst())
            }
        case .audio(let packet):
            if packet.timestamp <= lastVideoTimestamp && pendingAudio.isEmpty {
                try sink.write(packet)
            } else {
                holdAudio(packet)
                if pendingAudio.count > pendingAudioLimit, opened { try sink.write(pendingAudio.removeFirst()) }
            }
        }
    }

    private func holdAudio(_ packet: AudioPacket) {
        pendingAudio.append(packet)
        if !opened && pendingAudio.count > pendingAudioLimit { pendingAudio.removeFirst() }
    }

    private func scheduleRetry(after error: Error) {
        let delay = backoff.nextDelay()
        logger.warning("output is down; retrying", metadata: [
            "output": "\(sink.name)", "error": "\(error)", "retry_in_s": "\(String(format: "%.1f", delay))",
        ])
        pendingAudio.removeAll()
        lastVideoTimestamp = .min
        retryAt = monotonicNanoseconds() + UInt64(delay * 1e9)
    }
}

extension MediaItem {
    var isVideo: Bool {
        if case .video = self { return true }
        return false
    }
}
