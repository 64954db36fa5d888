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

    @Option(help: "Reference image: its face replaces the face in the stream (default: the bundled portrait, Models/identity/).")
    var identity: String?

    @Option(help: "on (default) or off (pass frames through unchanged).")
    var swap: String?

    @Option(help: "Which faces to replace: largest (default), all, or match:IMAGE (the face most like the person in IMAGE).")
    var faces: String?

    @Option(name: .customLong("live-eyes"), help: "on: the person's own eyes show through the swapped face; off (default): the identity's eyes, opening and closing with the person's.")
    var liveEyes: String?

    @Option(name: .customLong("live-mouth"), help: "on (default): the person's own mouth interior shows (speech); off: the identity's.")
    var liveMouth: String?

    @Option(name: .customLong("identity-shape"), help: "How far, in [0, 1], the face's features (eyes, brows, nose, lips) take the identity's proportions; 0 keeps the person's own (default 0.5).")
    var identityShape: Double?

    @Option(help: "Directory of the converted models (default: the bundled Models/).")
    var models: String?

    @Option(help: "A diffusers pipeline directory (unet/ with prompt_embedding.safetensors, vae/) that refines the swapped face (default: the bundled refiner, Models/refiner).")
    var model: String?

    @Option(help: "When to refine: auto (sync if a refinement fits in a frame interval, async if in 4, else off; measured at start; the default), sync, async, or off.")
    var refine: String?

    @Option(help: "Refinement UNet calls per frame (default 1).")
    var steps: Int?

    @Option(help: "Refinement img2img strength in (0, 1] (default 0.5).")
    var strength: Double?

    @Option(help: "Frames of the sliding window: colour statistics and, with the refiner, temporal attention (default 4).")
    var window: Int?

    @Option(name: .customLong("attention-weight"), help: "Weight of the refinement's identity and temporal attention in [0, 1]; 0 turns both off (default 0.5).")
    var attentionWeight: Double?

    @Option(name: .customLong("change-blur"), help: "Blur (Gaussian sigma, pixels of the 256² crop) of the change a refinement makes, taken over the face's skin alone (not its open mouth and eyes, hair or background), before it is added; 0 adds it as made (default 16).")
    var changeBlur: Double?

    @Option(name: .customLong("change-time"), help: "Time constant in seconds (0 to 10) with which a new refinement's change replaces the face's earlier ones; 0 keeps only the newest: longer is steadier between frames, slower to follow light (default 1).")
    var changeTime: Double?

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
        let processor: FrameProcessor
        var reload: DispatchSourceSignal?
        if configuration.swap {
            let (swap, identity) = try makeSwapProcessor(configuration, logger: logger)
            reload = Self.reloadIdentityOnHangup(swap, image: identity, logger: logger)
            processor = swap
        } else {
            processor = PassThroughProcessor()
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
        // Weak: the source releases its handler later, on its own queue, and the last reference to the GPU
        // objects must go before the process exits (NVIDIA's driver crashes on a device destroyed during exit).
        source.setEventHandler { [weak processor] in
            guard let processor else { return }
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

    /// The swap (with the refinement unless it is off: the configured model or the bundled refiner), and the identity
    /// image it uses: the configured one, or the bundled portrait.
    private func makeSwapProcessor(_ configuration: RunConfiguration, logger: Logger) throws -> (SwapProcessor, identity: String) {
        let models = try ModelDirectory.locate(explicit: configuration.modelsPath)
        let identity = configuration.identity ?? models.appendingPathComponent("identity/obama.jpg").path
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        let swap = try WarpSwap(engine: engine, models: models, identityImage: identity, faces: configuration.faces, live: configuration.live)
        swap.window = configuration.window
        swap.identityShape = Float(configuration.identityShape)
        logger.info("identity ready", metadata: ["identity": "\(identity)", "texture": "\(swap.identity.texture.width)x\(swap.identity.texture.height)"])
        guard configuration.refineMode != .off else { return (try SwapProcessor(swap: swap), identity) }
        let directory = configuration.refinerModel ?? models.appendingPathComponent("refiner").path
        var settings = RefinerSettings()
        settings.steps = configuration.steps
        settings.strength = Float(configuration.strength)
        settings.window = configuration.window
        settings.attentionWeight = Float(configuration.attentionWeight)
        settings.changeBlur = Float(configuration.changeBlur)
        let refiner = try FaceRefiner(engine: engine, directory: directory, models: models, settings: settings)
        let refinement = try LiveRefinement(
            refiner: refiner, models: models, mode: configuration.refineMode, frameBudget: 1 / (configuration.fps ?? 30), changeTime: configuration.changeTime)
        let processor = try SwapProcessor(swap: swap, refinement: refinement)
        var metadata: Logger.Metadata = ["model": "\(directory)", "mode": "\(refinement.mode.rawValue)", "steps": "\(refiner.stepCount)"]
        if configuration.refineMode == .auto {
            metadata["measured"] = "\(String(format: "%.0f", refinement.lastMilliseconds)) ms a refinement"
        }
        if refinement.mode == .off {
            logger.notice("refinement off: too slow on this device for live frames (--refine async forces it)", metadata: metadata)
        } else {
            logger.info("refiner ready", metadata: metadata)
        }
        return (processor, identity)
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
        if let faces { configuration.faces = try ConfigurationValue.faces(faces) }
        if let liveEyes { configuration.setLive(.eyes, try ConfigurationValue.onOff(liveEyes, key: "live-eyes")) }
        if let liveMouth { configuration.setLive(.mouth, try ConfigurationValue.onOff(liveMouth, key: "live-mouth")) }
        if let identityShape { configuration.identityShape = try ConfigurationValue.identityShape(identityShape) }
        if let model { configuration.refinerModel = model }
        if let refine { configuration.refine = try ConfigurationValue.refine(refine) }
        if let steps { configuration.steps = try ConfigurationValue.steps(steps) }
        if let strength { configuration.strength = try ConfigurationValue.strength(strength) }
        if let window { configuration.window = try ConfigurationValue.window(window) }
        if let attentionWeight { configuration.attentionWeight = try ConfigurationValue.attentionWeight(attentionWeight) }
        if let changeBlur { configuration.changeBlur = try ConfigurationValue.changeBlur(changeBlur) }
        if let changeTime { configuration.changeTime = try ConfigurationValue.changeTime(changeTime) }
        if let swap { configuration.swap = try ConfigurationValue.onOff(swap, key: "swap") }
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
