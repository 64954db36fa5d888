import ArgumentParser
import Foundation
import Logging
import RecastDaemon
import RecastGPU
import RecastMedia
import RecastNN
import RecastSwap
import ServiceLifecycle

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Read an input, process every frame, and write it to one or more outputs.",
        discussion: """
        Inputs: /dev/videoN (V4L2 camera), a file or URL FFmpeg opens (rtmp://…, .mp4, .mkv, .flv), \
        rtmp://HOST:PORT/APP/KEY with --listen (OBS pushes to recastd), or testsrc.
        Outputs: /dev/videoN (v4l2loopback), rtmp://…, a .mp4/.mkv/.flv/.y4m file, or null.
        Every flag can also be given as a key of the --config file (flags win).
        """
    )

    @Option(help: "A TOML file with the same keys as these flags (e.g. /etc/recast/cam0.toml).")
    var config: String?

    @Option(help: "What to read: /dev/videoN, a file, a URL, or testsrc.")
    var input: String?

    @Option(help: "Where to write (repeat for several): /dev/videoN, rtmp://…, FILE.mp4|mkv|flv|y4m, null.")
    var output: [String] = []

    @Flag(help: "Wait for a publisher on the rtmp:// input URL instead of pulling from it.")
    var listen = false

    @Flag(help: "Read a file input at its own pace, like a live source (frames may then be dropped).")
    var realtime = false

    @Option(help: "Requested picture size, WIDTHxHEIGHT (cameras, testsrc; also the output size).")
    var size: String?

    @Option(help: "Requested frame rate (cameras, testsrc).")
    var fps: Double?

    @Option(name: .customLong("output-format"), help: "Pixel format for v4l2loopback outputs: yuyv (default) or i420.")
    var outputFormat: String?

    @Option(help: "H.264 bitrate for RTMP and file outputs, e.g. 2500k.")
    var bitrate: String?

    @Option(help: "x264 preset for RTMP and file outputs (default veryfast).")
    var preset: String?

    @Option(name: .customLong("keyframe-interval"), help: "Seconds between keyframes (default 2).")
    var keyframeInterval: Double?

    @Option(help: "Output audio: auto (the input's), none, silence, pulse:DEVICE or alsa:DEVICE.")
    var audio: String?

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String?

    @Option(help: "Write run statistics (frames, drops, latency percentiles) as JSON to this file at exit.")
    var stats: String?

    @Option(help: "Reference image: its face replaces the face in the stream.")
    var identity: String?

    @Option(help: "on (default when --identity is given) or off (pass frames through).")
    var swap: String?

    @Option(help: "Directory of the converted models (default: the bundled Models/).")
    var models: String?

    func run() async throws {
        do {
            try await runPipeline()
        } catch let error as ExitCode {
            throw error
        } catch {
            FileHandle.standardError.write(Data("recastd: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func runPipeline() async throws {
        let configuration = try resolvedConfiguration()
        let level = Logger.Level(rawValue: configuration.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        FFmpegLogging.install(level: level)
        let logger = Logger(label: "recastd")
        let source = try Endpoints.source(for: configuration, logger: logger)
        let sinks = try configuration.outputs.map { try Endpoints.sink(for: $0, configuration: configuration, logger: logger) }
        var options = PipelineOptions()
        options.audio = configuration.audio
        if let size = configuration.size { options.outputSize = (size.width, size.height) }
        if let fps = configuration.fps { options.fallbackVideo.framesPerSecond = fps }
        let processor = try makeProcessor(configuration, logger: logger)
        var reload: DispatchSourceSignal?
        if let swap = processor as? SwapProcessor, let identity = configuration.identity {
            reload = Self.reloadIdentityOnHangup(swap, image: identity, logger: logger)
        }
        defer { reload?.cancel() }
        let pipeline = Pipeline(source: source, processor: processor, sinks: sinks, options: options, logger: logger)
        let service = PipelineService(pipeline: pipeline, notifier: SystemdNotifier(environment: ProcessInfo.processInfo.environment), logger: logger)
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        do {
            try await group.run()
        } catch {
            writeStatistics(pipeline.statistics(), to: configuration.statsPath, summaryLevel: .debug, logger: logger)
            throw error
        }
        writeStatistics(pipeline.statistics(), to: configuration.statsPath, summaryLevel: .info, logger: logger)
    }

    /// SIGHUP (systemctl reload) prepares the identity image again; a refused image keeps the previous identity.
    private static func reloadIdentityOnHangup(_ processor: SwapProcessor, image: String, logger: Logger) -> DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "recast.reload"))
        source.setEventHandler {
            do {
                try processor.reloadIdentity(from: image)
                logger.info("identity reloaded", metadata: ["identity": "\(image)"])
            } catch {
                logger.error("cannot reload the identity; keeping the previous one", metadata: ["identity": "\(image)", "error": "\(error)"])
            }
        }
        source.resume()
        return source
    }

    /// The swap when an identity is configured, else the pass-through.
    private func makeProcessor(_ configuration: RunConfiguration, logger: Logger) throws -> FrameProcessor {
        guard let identity = configuration.identity, configuration.swap else { return PassThroughProcessor() }
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let swap = try WarpSwap(engine: engine, models: ModelDirectory.locate(explicit: configuration.modelsPath), identityImage: identity)
        logger.info("identity ready", metadata: ["identity": "\(identity)", "texture": "\(swap.identity.texture.width)x\(swap.identity.texture.height)"])
        return SwapProcessor(swap: swap)
    }

    private func resolvedConfiguration() throws -> RunConfiguration {
        var configuration = try config.map { try ConfigurationFile.load(path: $0) } ?? RunConfiguration()
        if let input { configuration.input = input }
        if !output.isEmpty { configuration.outputs = output }
        if listen { configuration.listen = true }
        if realtime { configuration.realtime = true }
        if let size { configuration.size = try ConfigurationValue.size(size) }
        if let fps { configuration.fps = try ConfigurationValue.fps(fps) }
        if let outputFormat { configuration.outputFormat = try ConfigurationValue.outputFormat(outputFormat) }
        if let bitrate { configuration.bitrate = try ConfigurationValue.bitrate(bitrate) }
        if let preset { configuration.preset = try ConfigurationValue.preset(preset) }
        if let keyframeInterval { configuration.keyframeInterval = try ConfigurationValue.keyframeInterval(keyframeInterval) }
        if let audio { configuration.audio = try ConfigurationValue.audio(audio) }
        if let logLevel { configuration.logLevel = try ConfigurationValue.logLevel(logLevel) }
        if let stats { configuration.statsPath = stats }
        if let identity { configuration.identity = identity }
        if let models { configuration.modelsPath = models }
        if let swap {
            guard ["on", "off"].contains(swap) else { throw ConfigurationError.invalid("swap", value: swap, expected: "on or off") }
            configuration.swap = swap == "on"
        }
        return try configuration.validated()
    }

    private func writeStatistics(_ statistics: PipelineStatistics, to path: String?, summaryLevel: Logger.Level, logger: Logger) {
        var summary: Logger.Metadata = [
            "frames_captured": "\(statistics.framesCaptured)",
            "capture_drops": "\(statistics.captureDrops)",
            "no_signal_frames": "\(statistics.noSignalFrames)",
        ]
        for output in statistics.outputs {
            summary["\(output.name)"] = "\(output.framesWritten) written, \(output.framesDropped) dropped, latency p50 \(output.latency.p50) ms p95 \(output.latency.p95) ms"
        }
        logger.log(level: summaryLevel, "run finished", metadata: summary)
        guard let path else { return }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        do {
            try encoder.encode(statistics).write(to: URL(fileURLWithPath: path))
        } catch {
            logger.error("cannot write statistics to \(path): \(error)")
        }
    }
}
