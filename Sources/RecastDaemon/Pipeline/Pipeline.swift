import Foundation
import Logging
import RecastMedia

/// Capture → processing → outputs, each on its own thread, joined by bounded
/// queues. A live input drops the oldest frame when a stage falls behind; a
/// file input is read only as fast as the slowest output, losing nothing.
/// Network inputs and outputs that drop are retried with backoff while the
/// rest keep going, and outputs show a "no signal" picture meanwhile.
public final class Pipeline: @unchecked Sendable {
    // @unchecked: shared state is guarded by `lock`; everything else is owned
    // by one stage thread.
    private let source: MediaSource
    private let processor: FrameProcessor
    private let outputs: [OutputRunner]
    private let options: PipelineOptions
    private let logger: Logger
    private let stop = StopSignal()
    private let processingQueue: BoundedQueue<VideoFrame>
    private let processingLatency = LatencyRecorder()
    private let lock = NSLock()
    private let startedAt = monotonicNanoseconds()
    private let maxAge: UInt64?

    // Guarded by `lock`.
    private var outputVideo: VideoStreamFormat?
    private var sourceAudio: AudioStreamFormat?
    private var extraAudio: AudioStreamFormat?
    private var firstError: Error?
    private var framesCaptured = 0
    private var framesProcessed = 0
    private var staleFrames = 0
    private var noSignalFrames = 0
    private var lastFrameToOutputs: UInt64 = 0
    private var inputOpenedAt: UInt64 = 0
    private var inputFinished = false
    private var firstWriteReported = false
    private var totalWritten = 0

    /// Called once, from an output thread, when the first frame has been written.
    public var onFirstFrameWritten: (@Sendable () -> Void)?

    public init(source: MediaSource, processor: FrameProcessor = PassThroughProcessor(), sinks: [MediaSink],
                options: PipelineOptions = PipelineOptions(), logger: Logger) {
        self.source = source
        self.processor = processor
        self.options = options
        self.logger = logger
        let policy: BoundedQueue<VideoFrame>.Policy = source.isLive ? .dropOldest : .block
        let capacity = source.isLive ? options.liveQueueCapacity : options.losslessQueueCapacity
        processingQueue = BoundedQueue(capacity: capacity, policy: policy)
        // Outputs hold audio too, so their queues are larger than the frame budget alone.
        outputs = sinks.map { sink in
            OutputRunner(sink: sink,
                         queue: BoundedQueue(capacity: capacity * 8, policy: source.isLive ? .dropOldest : .block),
                         logger: logger)
        }
        maxAge = source.isLive ? UInt64(options.maxFrameAge * 1e9) : nil
    }

    /// Frames written to all outputs so far (the watchdog's sign of progress).
    public var framesWritten: Int {
        lock.lock()
        defer { lock.unlock() }
        return totalWritten
    }

    /// Asks every stage to finish: outputs are closed properly (trailers written).
    public func requestStop() {
        guard !stop.isRaised else { return }
        logger.info("stopping")
        halt()
    }

    private func halt() {
        stop.raise()
        source.interrupt()
        processingQueue.close()
    }

    /// Runs until the input ends (files), a stop is requested, or a stage fails
    /// in a way that is not retried; the failure is rethrown.
    public func run() throws {
        let group = DispatchGroup()
        func spawn(_ name: String, _ body: @escaping @Sendable () throws -> Void) {
            group.enter()
            StageThread.start(name: name, { [self] in
                do { try body() } catch { fail(error) }
            }, then: { group.leave() })
        }
        let audioDevice = try openAudioDevice()
        let silence = try makeSilenceTrack()
        spawn("recast.capture") { [self] in try capture() }
        spawn("recast.process") { [self] in try process(silence: silence) }
        for (index, output) in outputs.enumerated() {
            spawn("recast.output\(index)") { [self] in
                try output.run(format: { outputFormat() }, maxAge: maxAge, stop: stop, onWrite: { frameWritten() })
            }
        }
        if source.isLive {
            spawn("recast.nosignal") { [self] in noSignalLoop() }
        }
        if let audioDevice {
            spawn("recast.audio") { [self] in try captureAudio(from: audioDevice) }
        }
        group.wait()
        lock.lock()
        let error = firstError
        lock.unlock()
        if let error { throw error }
    }

    public func statistics() -> PipelineStatistics {
        lock.lock()
        defer { lock.unlock() }
        return PipelineStatistics(
            framesCaptured: framesCaptured, framesProcessed: framesProcessed, noSignalFrames: noSignalFrames,
            captureDrops: processingQueue.droppedCount + staleFrames,
            processingLatency: processingLatency.snapshot(),
            outputs: outputs.map {
                .init(name: $0.sink.name, framesWritten: $0.framesWritten, framesDropped: $0.framesDropped, latency: $0.latency.snapshot())
            },
            elapsedSeconds: Double(monotonicNanoseconds() - startedAt) / 1e9)
    }

    private func fail(_ error: Error) {
        lock.lock()
        if firstError == nil && !(error as? MediaError == .interrupted && stop.isRaised) { firstError = error }
        lock.unlock()
        halt()
        for output in outputs {
            output.sink.interrupt()
            output.queue.close()
        }
    }

    private func elapsedMicroseconds(_ time: UInt64 = monotonicNanoseconds()) -> Int64 {
        Int64(time &- startedAt) / 1_000
    }

    // MARK: capture

    private func capture() throws {
        var backoff = Backoff()
        var everOpened = false
        var timeline = Timeline()
        defer { finishInput() }
        while !stop.isRaised {
            let format: SourceFormat
            do {
                format = try source.open()
            } catch {
                if stop.isRaised { return }
                guard (everOpened || source.waitsForPeer) && source.reconnects else { throw error }
                let delay = backoff.nextDelay()
                logger.warning("input is down; retrying", metadata: [
                    "input": "\(source.name)", "error": "\(error)", "retry_in_s": "\(String(format: "%.1f", delay))",
                ])
                guard stop.sleep(delay) else { return }
                continue
            }
            everOpened = true
            backoff.reset()
            adopt(format)
            timeline.beginSession()
            do {
                while let item = try source.read() {
                    if stop.isRaised { break }
                    route(item, timeline: &timeline)
                }
                source.close()
                if !source.reconnects { return }
                logger.warning("input ended; waiting for it to come back", metadata: ["input": "\(source.name)"])
            } catch {
                source.close()
                if stop.isRaised { return }
                guard source.reconnects else { throw error }
                logger.warning("input dropped", metadata: ["input": "\(source.name)", "error": "\(error)"])
            }
            guard stop.sleep(backoff.nextDelay()) else { return }
        }
    }

    private func adopt(_ format: SourceFormat) {
        lock.lock()
        defer { lock.unlock() }
        _ = settleOutputVideo(format.video)
        sourceAudio = format.audio
        inputOpenedAt = monotonicNanoseconds()
    }

    /// The output picture is fixed once, by the input's first format or, if the
    /// input is not up in time, by the fallback; outputs keep it across reconnects.
    /// Call with `lock` held.
    private func settleOutputVideo(_ candidate: VideoStreamFormat) -> VideoStreamFormat {
        if outputVideo == nil {
            var video = candidate
            if let size = options.outputSize {
                video.width = size.width
                video.height = size.height
            }
            outputVideo = video
        }
        return outputVideo!
    }

    private func route(_ item: MediaItem, timeline: inout Timeline) {
        switch item {
        case .video(var frame):
            frame.timestamp = timeline.map(frame.timestamp, capturedAt: frame.capturedAt, live: source.isLive, since: startedAt)
            lock.lock()
            framesCaptured += 1
            lock.unlock()
            processingQueue.push(frame)
        case .audio(var packet):
            guard usesSourceAudio else { return }
            packet.timestamp = timeline.map(packet.timestamp, capturedAt: monotonicNanoseconds(), live: source.isLive, since: startedAt)
            for output in outputs { output.queue.push(.audio(packet)) }
        }
    }

    private var usesSourceAudio: Bool {
        switch options.audio {
        case .auto, .silence: return true
        case .none, .device: return false
        }
    }

    private func finishInput() {
        lock.lock()
        inputFinished = true
        lock.unlock()
        processingQueue.close()
    }

    // MARK: processing

    private func process(silence: SilenceTrack?) throws {
        defer { for output in outputs { output.queue.close() } }
        while let frame = processingQueue.pop() {
            if let maxAge, monotonicNanoseconds() &- frame.capturedAt > maxAge {
                lock.lock()
                staleFrames += 1
                lock.unlock()
                continue
            }
            let processed = try processor.process(frame)
            processingLatency.record(monotonicNanoseconds() &- frame.capturedAt)
            lock.lock()
            framesProcessed += 1
            let needsSilence = sourceAudio == nil
            lock.unlock()
            if let silence, needsSilence {
                for packet in try silence.packets(until: processed.timestamp) {
                    for output in outputs { output.queue.push(.audio(packet)) }
                }
            }
            deliver(processed)
        }
    }

    private func deliver(_ frame: VideoFrame) {
        lock.lock()
        lastFrameToOutputs = monotonicNanoseconds()
        lock.unlock()
        for output in outputs { output.queue.push(.video(frame)) }
    }

    // MARK: outputs

    private func outputFormat() -> (VideoStreamFormat, AudioStreamFormat?) {
        lock.lock()
        defer { lock.unlock() }
        let video = outputVideo ?? options.fallbackVideo
        switch options.audio {
        case .none: return (video, nil)
        case .auto: return (video, sourceAudio)
        case .silence, .device: return (video, sourceAudio ?? extraAudio)
        }
    }

    private func frameWritten() {
        lock.lock()
        totalWritten += 1
        let report = !firstWriteReported
        firstWriteReported = true
        lock.unlock()
        if report { onFirstFrameWritten?() }
    }

    // MARK: no signal

    /// While a live input is down, feeds the outputs a "no signal" picture at
    /// the output frame rate so viewers and browsers keep the stream.
    private func noSignalLoop() {
        var picture: VideoFrame?
        while true {
            lock.lock()
            let video = outputVideo
            let finished = inputFinished
            let lastFrame = lastFrameToOutputs
            let openedAt = inputOpenedAt
            lock.unlock()
            if finished || stop.isRaised { return }
            let rate = (video ?? options.fallbackVideo).framesPerSecond
            guard stop.sleep(1 / max(rate, 1)) else { return }
            let now = monotonicNanoseconds()
            // Idle time counts from the last frame or the latest (re)open. Before the very first
            // frame it is longer: cameras and streams can take seconds to start, which is not a lost signal.
            let idleSince = max(lastFrame, openedAt, startedAt)
            let threshold = lastFrame == 0 ? max(5, options.noSignalAfter) : options.noSignalAfter
            guard Double(now - idleSince) / 1e9 >= threshold else { continue }
            let format = adoptFallbackIfNeeded()
            if picture == nil || picture!.width != format.width || picture!.height != format.height {
                picture = NoSignalPicture.make(width: format.width, height: format.height)
            }
            var frame = picture!
            frame.timestamp = elapsedMicroseconds(now)
            frame.capturedAt = now
            lock.lock()
            noSignalFrames += 1
            lock.unlock()
            for output in outputs { output.queue.push(.video(frame)) }
        }
    }

    private func adoptFallbackIfNeeded() -> VideoStreamFormat {
        lock.lock()
        defer { lock.unlock() }
        return settleOutputVideo(options.fallbackVideo)
    }

    // MARK: audio

    private func openAudioDevice() throws -> StreamSource? {
        guard case .device(let kind, let name) = options.audio else { return nil }
        let device = StreamSource(url: name, options: .init(formatName: kind, requiresVideo: false), logger: logger)
        let format = try device.open()
        guard let audio = format.audio else {
            throw MediaError.unsupported("audio device \(kind):\(name) delivers no audio")
        }
        lock.lock()
        extraAudio = audio
        lock.unlock()
        return device
    }

    private func makeSilenceTrack() throws -> SilenceTrack? {
        guard options.audio == .silence else { return nil }
        let track = try SilenceTrack()
        lock.lock()
        extraAudio = track.format
        lock.unlock()
        return track
    }

    private func captureAudio(from device: StreamSource) throws {
        defer { device.close() }
        var timeline = Timeline()
        timeline.beginSession()
        while !stop.isRaised, let item = try device.read() {
            guard case .audio(var packet) = item else { continue }
            packet.timestamp = timeline.map(packet.timestamp, capturedAt: monotonicNanoseconds(), live: true, since: startedAt)
            for output in outputs { output.queue.push(.audio(packet)) }
        }
    }
}
