import ArgumentParser
import Foundation
import RecastGPU
import RecastNN
import RecastSwap

/// `recastd bench models`: milliseconds per call of each bundled network at the
/// sizes the live pipeline uses, next to the original frameworks (onnxruntime,
/// TFLite, PyTorch) on the same CPU in the same run.
struct BenchModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "Time the bundled networks and compare with their original frameworks."
    )

    @Option(help: "Timed calls per case (the median is reported).")
    var iterations = 5

    @Option(help: "Only run the cases whose name contains this text.")
    var only: String?

    @Option(help: "Directory of the converted models (default: the bundled Models/).")
    var models: String?

    @Option(help: "Python with the tool requirements, for the reference timings (default: .venv/bin/python beside Models/).")
    var python: String?

    @Option(help: BenchPrecision.help)
    var precision: BenchPrecision?

    @Flag(help: "Also print each case's GPU time per dispatch (timestamps around every dispatch slow the calls a little).")
    var dispatches = false

    static let cases: [(network: BundledNetwork, width: Int, height: Int)] = [
        (.yunet, 320, 240), (.yunet, 640, 480), (.faceMesh, 192, 192), (.mobileface, 112, 112),
        (.taef2Encoder, 256, 256), (.taef2Decoder, 256, 256), (.taef2Encoder, 512, 512), (.taef2Decoder, 512, 512),
    ]

    func run() throws {
        bootstrapQuietLogging()
        let modelDirectory = try ModelDirectory.locate(explicit: models)
        var options = GPUContextOptions()
        options.profilesDispatches = dispatches
        let gpu = try GPUContext(options: options)
        let engine = try BenchPrecision.engine(gpu: gpu, precision)
        let selected = Self.cases.filter { only.map(Self.name(of: $0).contains) ?? true }
        guard !selected.isEmpty else {
            throw ValidationError("no case matches '\(only ?? "")'; the cases are: \(Self.cases.map(Self.name).joined(separator: ", "))")
        }
        print("device: \(gpu.capabilities.name) (\(gpu.capabilities.driverName)), storage \(engine.precision.rawValue), \(ProcessInfo.processInfo.activeProcessorCount) CPUs")
        var recast: [String: Double] = [:]
        var loaded: [BundledNetwork: BundledNetwork.Instance] = [:]
        for testCase in selected {
            let instance = try loaded[testCase.network] ?? testCase.network.load(engine: engine, models: modelDirectory)
            loaded[testCase.network] = instance
            let inputs = Self.inputs(for: testCase)
            _ = try instance.run(inputs)
            _ = gpu.takeDispatchTimings()
            var times: [Double] = []
            var profiles: [[DispatchTiming]] = []
            for _ in 0..<max(1, iterations) {
                let start = DispatchTime.now().uptimeNanoseconds
                _ = try instance.run(inputs)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
                profiles.append(gpu.takeDispatchTimings())
            }
            recast[Self.name(of: testCase)] = times.sorted()[times.count / 2]
            if dispatches { Self.printDispatches(of: Self.name(of: testCase), profiles) }
        }
        let reference = referenceTimings(cases: selected.map(Self.name), modelDirectory: modelDirectory)
        print("case                      recastd ms   reference ms   reference   recastd/reference")
        for testCase in selected {
            let name = Self.name(of: testCase)
            let ours = recast[name]!
            let theirs = reference.timings[name]
            print(name.padding(toLength: 24, withPad: " ", startingAt: 0)
                + String(format: "%12.1f", ours)
                + (theirs.map { String(format: "%15.1f", $0) } ?? "            n/a")
                + "   " + Self.framework(testCase.network).padding(toLength: 12, withPad: " ", startingAt: 0)
                + (theirs.map { String(format: "%10.2fx", ours / $0) } ?? ""))
        }
        if let note = reference.note { print(note) }
    }

    /// The median time of each dispatch of a call over the timed calls.
    static func printDispatches(of name: String, _ profiles: [[DispatchTiming]]) {
        guard let first = profiles.first, profiles.allSatisfy({ $0.count == first.count }) else { return }
        let medians = first.indices.map { index in
            let times = profiles.map { $0[index].nanoseconds / 1000 }.sorted()
            return times[times.count / 2]
        }
        print("\(name): \(first.count) dispatches, \(String(format: "%.2f", medians.reduce(0, +) / 1000)) ms of GPU time (medians)")
        for (timing, median) in zip(first, medians) {
            print(String(format: "%10.1f µs  ", median) + timing.label)
        }
    }

    static func name(of testCase: (network: BundledNetwork, width: Int, height: Int)) -> String {
        "\(testCase.network.rawValue) \(testCase.width)x\(testCase.height)"
    }

    static func framework(_ network: BundledNetwork) -> String {
        switch network {
        case .yunet: return "onnxruntime"
        case .faceMesh: return "TFLite"
        case .taef2Encoder, .taef2Decoder, .mobileface: return "PyTorch"
        }
    }

    /// Deterministic inputs of the network's own shape and value range.
    static func inputs(for testCase: (network: BundledNetwork, width: Int, height: Int)) -> [String: BundledNetwork.NamedTensor] {
        var generator = SplitMix(seed: 7)
        let (width, height) = (testCase.width, testCase.height)
        func values(_ count: Int, scale: Float) -> [Float] { (0..<count).map { _ in generator.nextUnit() * scale } }
        let shape: [Int], scale: Float
        switch testCase.network {
        case .yunet: (shape, scale) = ([1, height, width, 3], 255)
        case .faceMesh, .taef2Encoder: (shape, scale) = ([1, height, width, 3], 1)
        case .taef2Decoder: (shape, scale) = ([1, height / 8, width / 8, TAEF2Encoder.latentChannels], 2)
        case .mobileface: (shape, scale) = ([1, height, width, 3], 255)
        }
        return [testCase.network.inputName: .init(shape: shape, values: values(shape.reduce(1, *), scale: scale))]
    }

    /// Runs tools/bench_models_reference.py when a Python with the tool requirements is there.
    private func referenceTimings(cases: [String], modelDirectory: URL) -> (timings: [String: Double], note: String?) {
        let root = modelDirectory.deletingLastPathComponent()
        let interpreter = python ?? root.appendingPathComponent(".venv/bin/python").path
        let script = root.appendingPathComponent("tools/bench_models_reference.py").path
        guard FileManager.default.isExecutableFile(atPath: interpreter), FileManager.default.fileExists(atPath: script) else {
            return ([:], "reference timings skipped: no \(interpreter) (make one with tools/setup-python.sh) or no \(script)")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: interpreter)
        process.arguments = [script, "--iterations", String(iterations)] + cases
        let output = Pipe()
        process.standardOutput = output
        do {
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0, let timings = try JSONSerialization.jsonObject(with: data) as? [String: Double] else {
                return ([:], "reference timings failed (\(script) exited \(process.terminationStatus))")
            }
            return (timings, nil)
        } catch {
            return ([:], "reference timings failed: \(error)")
        }
    }
}

/// A tiny deterministic generator, so every run times the same inputs.
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func nextUnit() -> Float { Float(next() >> 40) / Float(1 << 24) }
}
