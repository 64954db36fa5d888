import ArgumentParser
import Foundation
import RecastGPU
import RecastNN

/// `recastd bench unet`: milliseconds per UNet step and per autoencoder call at the diffusion core's crop sizes,
/// the FLOPs of a step, the GFLOP/s reached and the GPU memory used. Without a model it times random weights of
/// SD-Turbo's and TAESD's exact shapes, so the figure exists on every machine.
struct BenchUNetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "unet",
        abstract: "Time a UNet step and the tiny autoencoder (random SD-Turbo and TAESD shapes without --model)."
    )

    @Option(help: "A diffusers pipeline directory (unet/, and vae/ when it is an AutoencoderTiny) or a UNet2DConditionModel directory (default: random weights of SD-Turbo's shape).")
    var model: String?

    @Option(help: "An AutoencoderTiny directory (default: the pipeline's vae/ when it is one, else random weights of TAESD's shape).")
    var autoencoder: String?

    @Option(help: "Image sides in pixels, comma-separated; the latent is 1/8 of each.")
    var sizes = ImageSides(sides: [256, 512])

    @Option(help: "Prompt tokens the cross-attention reads (CLIP's 77).")
    var tokens = 77

    @Option(help: "Timed runs per case after a warm-up (the median is reported).")
    var iterations = 5

    @Option(help: BenchPrecision.help)
    var precision: BenchPrecision?

    @Flag(help: "Print JSON with exact FLOP and byte counts instead of the table.")
    var json = false

    func validate() throws {
        guard tokens > 0 else { throw ValidationError("--tokens must be at least 1") }
        guard iterations > 0 else { throw ValidationError("--iterations must be at least 1") }
    }

    func run() throws {
        bootstrapQuietLogging()
        do {
            try benchmark()
        } catch {
            FileHandle.standardError.write(Data("recastd: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private func benchmark() throws {
        let gpu = try GPUContext()
        let engine = try BenchPrecision.engine(gpu: gpu, precision)
        let device = "\(gpu.capabilities.name) (\(gpu.capabilities.driverName))"
        if !json {
            Self.emit("device: \(device), storage \(engine.precision.rawValue)")
        }
        let models = try BenchUNetModels(model: model, autoencoderDirectory: autoencoder, engine: engine)
        let benchmark = UNetStepBenchmark(models: models, engine: engine, tokens: tokens, iterations: iterations)
        try benchmark.requireAligned(sizes.sides)
        if json {
            let report = BenchUNetReport(
                device: device, precision: engine.precision.rawValue, unet: models.unetSource, unetWeightBytes: models.unetWeightBytes,
                autoencoder: models.autoencoderSource, autoencoderWeightBytes: models.autoencoderWeightBytes, tokens: tokens,
                iterations: iterations, sizes: try sizes.sides.map(benchmark.measure))
            let encoder = JSONEncoder()
            encoder.keyEncodingStrategy = .convertToSnakeCase
            encoder.outputFormatting = [.sortedKeys]
            Self.emit(String(decoding: try encoder.encode(report), as: UTF8.self))
            return
        }
        Self.emit("UNet: \(models.unetSource), weights " + String(format: "%.1f MiB", Double(models.unetWeightBytes) / Self.mebibyte))
        Self.emit("autoencoder: \(models.autoencoderSource), weights " + String(format: "%.1f MiB", Double(models.autoencoderWeightBytes) / Self.mebibyte))
        Self.emit("\(tokens) prompt tokens; median of \(iterations) after a warm-up; "
            + (gpu.capabilities.computeQueueTimestamps ? "GPU timestamps" : "wall clock (the device has no timestamps)"))
        Self.emit("size        latent    UNet ms  UNet wall ms  encode ms  decode ms  GFLOP/step    GFLOP/s   GPU MiB")
        for side in sizes.sides {
            let row = try benchmark.measure(side: side)
            Self.emit("\(side)x\(side)".padding(toLength: 12, withPad: " ", startingAt: 0)
                + "\(row.latentSide)x\(row.latentSide)".padding(toLength: 8, withPad: " ", startingAt: 0)
                + String(
                    format: "%9.1f %13.1f %10.1f %10.1f %11.3f %10.2f %9.1f", row.unetStep.best, row.unetStep.wall, row.imageEncode.best,
                    row.latentDecode.best, Double(row.flops) / 1e9, row.gflopsPerSecond, Double(row.gpuMemoryBytes) / Self.mebibyte))
        }
    }

    /// Writes a line unbuffered: a large UNet takes minutes per size, so each row shows as soon as it is known,
    /// into a pipe or a file too.
    static func emit(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    static let mebibyte = Double(1 << 20)
}

/// The whole `--json` output.
struct BenchUNetReport: Encodable {
    let device: String
    let precision: String
    let unet: String
    let unetWeightBytes: Int
    let autoencoder: String
    let autoencoderWeightBytes: Int
    let tokens: Int
    let iterations: Int
    let sizes: [UNetStepMeasurement]
}

/// `--precision`: the storage precision by its short name.
enum BenchPrecision: String, ExpressibleByArgument {
    case f16, f32

    static let help: ArgumentHelp = "Storage precision: f16 or f32 (default: the daemon's, f16 on GPUs with 16-bit storage, f32 on CPU devices)."

    var storage: StoragePrecision { self == .f16 ? .float16 : .float32 }

    /// An engine on `gpu` storing tensors in `precision`, or in the daemon's precision without one.
    static func engine(gpu: GPUContext, _ precision: BenchPrecision?) throws -> TensorEngine {
        try precision.map { try TensorEngine(gpu: gpu, precision: $0.storage) } ?? TensorEngine(gpu: gpu)
    }
}

/// `--sizes 256,512`: square image sides in pixels.
struct ImageSides: ExpressibleByArgument {
    let sides: [Int]

    init(sides: [Int]) {
        self.sides = sides
    }

    init?(argument: String) {
        let sides = argument.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard !sides.isEmpty, sides.allSatisfy({ ($0 ?? 0) > 0 }) else { return nil }
        self.sides = sides.compactMap { $0 }
    }

    var defaultValueDescription: String { sides.map(String.init).joined(separator: ",") }
}
