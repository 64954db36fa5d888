import ArgumentParser
import Foundation
import Logging
import RecastGPU
import RecastMedia
import RecastNN
import RecastSwap

/// `recastd bench swap`: frames per second and per-stage milliseconds of the
/// swap on a real talking-head clip, at 640×480 and 1280×720, with the refiner when one is given.
struct BenchSwapCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swap",
        abstract: "Time the swap path (tracking, mesh, warp, compositing, refinement) on a real clip."
    )

    @Option(help: "Frames timed per size.")
    var frames = 30

    @Option(help: "Directory of the converted models (default: the bundled Models/).")
    var models: String?

    @Option(help: "A talking-head clip (default: the test clip in Tests/Fixtures/video).")
    var clip: String?

    @Option(help: "Identity image (default: the portrait in Tests/Fixtures/images).")
    var identity: String?

    @Option(name: .customLong("detect-every"), help: "Run face detection on every Nth frame; track in between.")
    var detectEvery = 5

    @Option(help: "A diffusers pipeline directory (unet/, vae/) to refine with, as `recastd run --model`.")
    var model: String?

    @Option(help: "Refinement mode with --model: sync (every frame) or async (newest frame when free).")
    var refine = "sync"

    @Option(help: "Refinement UNet calls per frame.")
    var steps = 1

    func run() throws {
        bootstrapQuietLogging()
        let modelDirectory = try ModelDirectory.locate(explicit: models)
        let root = modelDirectory.deletingLastPathComponent()
        let clipPath = clip ?? root.appendingPathComponent("Tests/Fixtures/video/talking_head_d18.mp4").path
        let identityPath = identity ?? root.appendingPathComponent("Tests/Fixtures/images/obama_456x568.jpg").path
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        print("device: \(engine.gpu.capabilities.name), \(ProcessInfo.processInfo.activeProcessorCount) CPUs, detection every \(detectEvery) frames")
        let source = try Self.readFrames(clipPath, count: frames)
        guard let mode = RefineMode(rawValue: refine), mode == .sync || mode == .async else {
            throw ValidationError("--refine is sync or async, not '\(refine)'")
        }
        var settings = RefinerSettings()
        settings.steps = steps
        let refiner = try model.map { try FaceRefiner(engine: engine, directory: $0, models: modelDirectory, settings: settings) }
        if let model { print("refiner: \(model), \(mode.rawValue), \(settings.steps) step(s), \(settings.side)×\(settings.side) crop") }
        print("size        fps   total ms   face ms   warp ms   composite ms   refine ms   conversion ms")
        for (width, height) in [(640, 480), (1280, 720)] {
            let swap = try WarpSwap(engine: engine, models: modelDirectory, identityImage: identityPath)
            swap.tracker.detectionInterval = detectEvery
            let refinement = refiner.map { LiveRefinement(refiner: $0, mode: mode, frameBudget: 1.0 / 30) }
            try refinement?.setIdentity(swap.identity)
            var refining = 0.0
            let converter = FrameConverter()
            var totals = SwapTimings(), conversion = 0.0
            let start = DispatchTime.now().uptimeNanoseconds
            for (index, original) in source.enumerated() {
                let frame = try converter.convert(original, to: .i420, width: width, height: height)
                let before = DispatchTime.now().uptimeNanoseconds
                let image = RGBImage(width: width, height: height, pixels: try converter.rgb(frame))
                let converted = DispatchTime.now().uptimeNanoseconds
                let drawn = try swap.swapFaces(image, at: Double(index) / 30)
                let warpedAt = DispatchTime.now().uptimeNanoseconds
                let swapped = try drawn.map { try refinement?.apply(to: $0) ?? $0.image } ?? image
                let swappedAt = DispatchTime.now().uptimeNanoseconds
                refining += Double(swappedAt - warpedAt) / 1e6
                _ = try converter.frame(fromRGB: swapped, format: .i420, timestamp: 0, capturedAt: 0)
                conversion += Double(converted - before + DispatchTime.now().uptimeNanoseconds - swappedAt) / 1e6
                totals.face += swap.lastTimings.face
                totals.warp += swap.lastTimings.warp
                totals.composite += swap.lastTimings.composite
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let n = Double(source.count)
            print("\(width)x\(height)".padding(toLength: 10, withPad: " ", startingAt: 0)
                + String(format: "%6.2f %10.1f %9.1f %9.1f %14.1f %11.1f %15.1f", n / seconds, seconds * 1000 / n,
                         totals.face / n, totals.warp / n, totals.composite / n, refining / n, conversion / n))
        }
    }

    static func readFrames(_ path: String, count: Int) throws -> [VideoFrame] {
        let source = StreamSource(url: path, options: .init(includesAudio: false), logger: Logger(label: "recast.bench"))
        defer { source.close() }
        _ = try source.open()
        var frames: [VideoFrame] = []
        while frames.count < count, let item = try source.read() {
            if case .video(let frame) = item { frames.append(frame) }
        }
        return frames
    }
}
