import ArgumentParser
import COpenBLAS
import Foundation
import RecastGPU
import RecastNN

/// `recastd bench …`: performance measurements.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure performance.",
        subcommands: [BenchOpsCommand.self, BenchModelsCommand.self, BenchSwapCommand.self, BenchUNetCommand.self]
    )
}

/// `recastd bench ops`: GPU time and GFLOP/s of the model-shaped ops, next to OpenBLAS sgemm
/// on the same machine in the same run.
struct BenchOpsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops",
        abstract: "Time the core ops on the GPU and compare with OpenBLAS sgemm."
    )

    @Option(help: BenchPrecision.help)
    var precision: BenchPrecision?

    @Option(help: "Timed repetitions per op (the median is reported).")
    var iterations = 5

    @Option(help: "GEMM tiling override, as BMxBNxBK/TMxTN, with /direct or /chunked for the paths without shared memory.")
    var tiling: String?

    @Option(help: "Only run the ops whose name contains this text.")
    var only: String?

    func run() throws {
        let gpu = try GPUContext()
        let engine = try BenchPrecision.engine(gpu: gpu, precision)
        let gemmTiling = try tiling.map(Self.parseTiling)
        print("device: \(gpu.capabilities.name) (\(gpu.capabilities.driverName)), storage \(engine.precision.rawValue), tiling \(gemmTiling?.description ?? "auto")")
        print("op                                   GPU ms    GFLOP/s   sgemm GFLOP/s   GPU/sgemm")
        for benchmark in try Self.benchmarks(engine: engine, tiling: gemmTiling) where only.map(benchmark.name.contains) ?? true {
            let recorder = gpu.makeRecorder()
            try benchmark.encode(recorder)
            let sequence = try recorder.finish(profiling: true)
            try sequence.run()
            benchmark.sgemm()
            // The two sides alternate, so that load from other work on a shared machine falls on both alike.
            var times: [Double] = [], blasTimes: [Double] = []
            for _ in 0..<max(iterations, 1) {
                try sequence.run()
                times.append(try sequence.timings().reduce(0) { $0 + $1.nanoseconds })
                let start = DispatchTime.now().uptimeNanoseconds
                benchmark.sgemm()
                blasTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start))
            }
            let gpuSeconds = times.sorted()[times.count / 2] / 1e9
            let gpuRate = benchmark.flops / gpuSeconds / 1e9
            let blasRate = benchmark.flops / (blasTimes.sorted()[blasTimes.count / 2] / 1e9) / 1e9
            print(benchmark.name.padding(toLength: 36, withPad: " ", startingAt: 0)
                + String(format: " %8.2f  %9.2f  %14.2f  %9.1f%%", gpuSeconds * 1e3, gpuRate, blasRate, 100 * gpuRate / blasRate))
        }
    }

    struct Benchmark {
        let name: String
        let flops: Double
        let encode: (CommandRecorder) throws -> Void
        /// The same arithmetic as sgemm calls on the CPU.
        let sgemm: () -> Void
    }

    static func benchmarks(engine: TensorEngine, tiling: GemmTiling?) throws -> [Benchmark] {
        var result: [Benchmark] = []
        for (size, channels, kernel) in [(128, 64, 3), (256, 64, 3), (64, 320, 1)] {
            let shape = ConvolutionShape(inChannels: channels, outChannels: channels, kernel: kernel)
            let layer = try ConvolutionLayer(engine: engine, shape: shape, weights: random(shape.weightCount), bias: random(channels))
            let input = try engine.makeTensor(shape: [1, size, size, channels], values: random(size * size * channels))
            let output = try engine.makeTensor(shape: [1, size, size, channels])
            let (m, n, k) = (size * size, channels, kernel * kernel * channels)
            result.append(Benchmark(
                name: "conv\(kernel)x\(kernel) \(channels)→\(channels) @\(size)²",
                flops: 2 * Double(m * n * k),
                encode: { try layer.encode(engine: engine, input: input, output: output, tiling: tiling, into: $0) },
                sgemm: sgemmRunner(m: m, n: n, k: k)))
        }
        let (m, n, k) = (4096, 320, 320)
        let a = try engine.makeTensor(shape: [m, k], values: random(m * k))
        let b = try engine.makeTensor(shape: [k, n], values: random(k * n))
        let c = try engine.makeTensor(shape: [m, n])
        result.append(Benchmark(
            name: "matmul \(m)x\(n)x\(k)", flops: 2 * Double(m * n * k),
            encode: { try engine.encodeMatmul(a, b, output: c, tiling: tiling, into: $0) },
            sgemm: sgemmRunner(m: m, n: n, k: k)))
        // A linear layer's weights as PyTorch stores them, [N][K], against sgemm with B transposed.
        let weights = try engine.makeTensor(shape: [n, k], values: random(n * k))
        result.append(Benchmark(
            name: "linear \(m)x\(n)x\(k)", flops: 2 * Double(m * n * k),
            encode: { try engine.encodeMatmul(a, weights, transposeB: true, output: c, tiling: tiling, into: $0) },
            sgemm: sgemmRunner(m: m, n: n, k: k, transposeB: true)))

        let (tokens, heads, headDim) = (1024, 5, 64)
        let q = try engine.makeTensor(shape: [1, tokens, heads * headDim], values: random(tokens * heads * headDim))
        let kv = try engine.makeTensor(shape: [1, tokens, heads * headDim], values: random(tokens * heads * headDim))
        let o = try engine.makeTensor(shape: [1, tokens, heads * headDim])
        let scores = sgemmRunner(m: tokens, n: tokens, k: headDim)
        let weighted = sgemmRunner(m: tokens, n: headDim, k: tokens)
        result.append(Benchmark(
            name: "attention \(tokens) tok \(heads)x\(headDim)", flops: 4 * Double(tokens * tokens * headDim * heads),
            encode: { try engine.encodeAttention(q: q, k: kv, v: kv, heads: heads, output: o, into: $0) },
            sgemm: { for _ in 0..<heads { scores(); weighted() } }))
        return result
    }

    /// A closure running row-major C[m×n] = A[m×k]·B[k×n] (B stored [n][k] when transposed) with
    /// OpenBLAS on preallocated arrays.
    static func sgemmRunner(m: Int, n: Int, k: Int, transposeB: Bool = false) -> () -> Void {
        let a = random(m * k), b = random(k * n)
        let c = UnsafeMutableBufferPointer<Float>.allocate(capacity: m * n)
        return {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, a, Int32(k), b,
                Int32(transposeB ? k : n), 0, c.baseAddress, Int32(n))
        }
    }

    /// Seeded, so every run times the same values, and fast: the system generator asks the
    /// kernel for every value, which took longer than the timed ops themselves.
    static func random(_ count: Int) -> [Float] {
        var generator = SplitMix(seed: UInt64(count))
        return (0..<count).map { _ in 2 * generator.nextUnit() - 1 }
    }

    static func parseTiling(_ text: String) throws -> GemmTiling {
        let numbers = text.split(whereSeparator: { $0 == "x" || $0 == "/" }).compactMap { Int($0) }
        guard numbers.count == 5 else { throw ValidationError("tiling '\(text)' is not BMxBNxBK/TMxTN") }
        return GemmTiling(
            blockM: numbers[0], blockN: numbers[1], blockK: numbers[2], threadM: numbers[3], threadN: numbers[4],
            sharedTiles: !text.hasSuffix("/direct") && !text.hasSuffix("/chunked"), chunkedLoads: text.hasSuffix("/chunked"))
    }
}
