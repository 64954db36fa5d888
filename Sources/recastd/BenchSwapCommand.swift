import ArgumentParser
import Foundation
import Logging
import RecastGPU
import RecastMedia
import RecastNN
import RecastSwap

/// `recastd bench swap`: frames per second and per-stage milliseconds of the
/// swap on a real talking-head clip, at 640×480 and 1280×720: the warp path alone, and the default pipeline with
/// the refiner (the bundled one unless --model names another), with the refiner's own cost per 256×256 crop.
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

    @Option(help: "A diffusers pipeline directory (unet/, vae/) to refine with, as `recastd run --model` (default: the bundled refiner).")
    var model: String?

    @Option(help: "Refinement mode, as `recastd run --refine`: auto (default here), sync, async, or off (the warp path alone).")
    var refine = "auto"

    @Option(help: "Refinement UNet calls per frame.")
    var steps = 1

    @Option(name: .customLong("identity-shape"), help: "How far the face's features take the identity's proportions, as `recastd run --identity-shape`.")
    var identityShape: Float = 0.5

    func run() throws {
        bootstrapQuietLogging()
        let modelDirectory = try ModelDirectory.locate(explicit: models)
        let root = modelDirectory.deletingLastPathComponent()
        let clipPath = clip ?? root.appendingPathComponent("Tests/Fixtures/video/talking_head_d18.mp4").path
        let identityPath = identity ?? root.appendingPathComponent("Tests/Fixtures/images/obama_456x568.jpg").path
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        print("device: \(engine.gpu.capabilities.name), \(ProcessInfo.processInfo.activeProcessorCount) CPUs, detection every \(detectEvery) frames")
        let source = try Self.readFrames(clipPath, count: frames)
        guard let mode = RefineMode(rawValue: refine) else {
            throw ValidationError("--refine is one of \(RefineMode.allCases.map(\.rawValue).joined(separator: ", ")), not '\(refine)'")
        }
        var settings = RefinerSettings()
        settings.steps = steps
        let directory = model ?? modelDirectory.appendingPathComponent("refiner").path
        let refiner = mode == .off ? nil : try FaceRefiner(engine: engine, directory: directory, models: modelDirectory, settings: settings)
        if let refiner {
            let cost = try Self.refinementMilliseconds(refiner, frame: source[0], engine: engine, models: modelDirectory, identity: identityPath)
            print("refiner: \(directory), \(refiner.stepCount) step(s), \(settings.side)×\(settings.side) crop: "
                + String(format: "%.0f ms per refinement (median of 3: encode, UNet, two decodes, the face's skin, blur over it)", cost))
        }
        print("size        refine   fps   total ms   p95 ms   face ms   warp ms   composite ms   refine ms   conversion ms   refined")
        for (width, height) in [(640, 480), (1280, 720)] {
            for refiner in [nil] + (refiner.map { [$0] } ?? []) {
                try row(source, width: width, height: height, refiner: refiner, mode: mode, engine: engine, models: modelDirectory, identity: identityPath)
            }
        }
    }

    /// One size through the swap path, with `refiner` in `mode` or without one.
    private func row(
        _ source: [VideoFrame], width: Int, height: Int, refiner: FaceRefiner?, mode: RefineMode, engine: TensorEngine, models: URL, identity: String
    ) throws {
        let swap = try WarpSwap(engine: engine, models: models, identityImage: identity)
        swap.tracker.detectionInterval = detectEvery
        swap.identityShape = identityShape
        let refinement = try refiner.map { try LiveRefinement(refiner: $0, models: models, mode: mode, frameBudget: 1.0 / 30) }
        try refinement?.setIdentity(swap.identity)
        // The refiner is shared by the rows: start each with an empty sliding window.
        refinement?.faceLost()
        var refining = 0.0
        let converter = FrameConverter()
        var totals = SwapTimings(), conversion = 0.0
        // Each frame's time from its RGB conversion to its converted output: the latency the swap adds.
        var latencies: [Double] = []
        let start = DispatchTime.now().uptimeNanoseconds
        for (index, original) in source.enumerated() {
            let frame = try converter.convert(original, to: .i420, width: width, height: height)
            let before = DispatchTime.now().uptimeNanoseconds
            let image = RGBImage(width: width, height: height, pixels: try converter.rgb(frame))
            let converted = DispatchTime.now().uptimeNanoseconds
            let time = Double(index) / 30
            let drawn = try swap.swapFaces(image, at: time)
            let warpedAt = DispatchTime.now().uptimeNanoseconds
            let swapped = try drawn.map { try refinement?.apply(to: $0, at: time) ?? $0.image } ?? image
            let swappedAt = DispatchTime.now().uptimeNanoseconds
            refining += Double(swappedAt - warpedAt) / 1e6
            _ = try converter.frame(fromRGB: swapped, format: .i420, timestamp: 0, capturedAt: 0)
            let end = DispatchTime.now().uptimeNanoseconds
            conversion += Double(converted - before + end - swappedAt) / 1e6
            latencies.append(Double(end - before) / 1e6)
            totals.face += swap.lastTimings.face
            totals.warp += swap.lastTimings.warp
            totals.composite += swap.lastTimings.composite
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        // The refinement still in flight would overlap the next row, or outlive the process.
        refinement?.finish()
        let n = Double(source.count)
        let used = refinement.map { "\($0.mode.rawValue)" } ?? "off"
        print("\(width)x\(height)".padding(toLength: 12, withPad: " ", startingAt: 0) + used.padding(toLength: 6, withPad: " ", startingAt: 0)
            + String(format: "%6.2f %10.1f %8.1f %9.1f %9.1f %14.1f %11.1f %15.1f", n / seconds, seconds * 1000 / n,
                     latencies.sorted()[min(latencies.count - 1, latencies.count * 95 / 100)],
                     totals.face / n, totals.warp / n, totals.composite / n, refining / n, conversion / n)
            + "   \(refinement?.refinedFrames ?? 0)/\(source.count)")
        fflush(nil)
    }

    /// The refiner's median time for one face crop's change, as the live path makes it, of the clip's first frame (after one warm-up).
    static func refinementMilliseconds(_ refiner: FaceRefiner, frame: VideoFrame, engine: TensorEngine, models: URL, identity: String) throws -> Double {
        let swap = try WarpSwap(engine: engine, models: models, identityImage: identity)
        let image = RGBImage(width: frame.width, height: frame.height, pixels: try FrameConverter().rgb(frame))
        guard let swapped = try swap.swapFaces(image), let face = swapped.faces.first else {
            throw ValidationError("the clip's first frame shows no face to refine")
        }
        let crop = FaceCrop(mesh: face.mesh, scale: LiveRefinement.cropScale).extract(from: swapped.image, size: refiner.settings.side)
        try refiner.setIdentity(crop: crop, embedding: swap.identity.embedding)
        let live = try LiveRefinement(refiner: refiner, models: models, mode: .sync, frameBudget: 1)
        _ = try live.change(of: face, in: swapped.image)
        let times = try (0..<3).map { _ in
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try live.change(of: face, in: swapped.image)
            return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6
        }
        refiner.resetWindow()
        return times.sorted()[1]
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
