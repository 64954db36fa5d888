import Foundation
import RecastGPU
import RecastNN

/// One `bench unet` size: a UNet step, an autoencoder encode and a decode, each recorded once into a GPU-resident
/// command sequence and replayed, so the timed runs neither record nor upload anything.
struct UNetStepBenchmark {
    let models: BenchUNetModels
    let engine: TensorEngine
    let tokens: Int
    let iterations: Int

    /// Latent side = image side / 8, as in Stable Diffusion pipelines.
    static let latentScale = 8
    /// SD-Turbo's single step runs at the last training timestep.
    static let timestep: Float = 999

    /// The image sides must be multiples of this: every UNet level halves the latent, and the encoder halves the image.
    var sizeMultiple: Int {
        let unetMultiple = Self.latentScale << (models.unet.configuration.blockOutChannels.count - 1)
        return max(unetMultiple, models.autoencoder.configuration.downscaleFactor)
    }

    /// Checks every size before any is measured: a large UNet takes minutes per size.
    func requireAligned(_ sides: [Int]) throws {
        if let side = sides.first(where: { $0 % sizeMultiple != 0 }) {
            throw BenchUNetError.sizeNotAligned(side: side, multiple: sizeMultiple)
        }
    }

    func measure(side: Int) throws -> UNetStepMeasurement {
        let unet = models.unet.configuration, autoencoder = models.autoencoder.configuration
        let latentSide = side / Self.latentScale
        var random = SplitMix(seed: UInt64(side))
        func randomTensor(_ shape: [Int]) throws -> Tensor {
            try engine.makeTensor(shape: shape, values: (0..<shape.reduce(1, *)).map { _ in random.nextUnit() * 2 - 1 })
        }
        let flops = FlopCounter()
        let step = engine.gpu.makeRecorder()
        _ = try models.unet.record(
            sample: randomTensor([1, latentSide, latentSide, unet.inChannels]),
            timestepFeatures: engine.makeTensor(shape: [1, unet.blockOutChannels[0]], values: models.unet.timestepFeatures(Self.timestep)),
            encoderHiddenStates: randomTensor([1, tokens, unet.crossAttentionDimension]),
            timestepCondition: try unet.timeConditionDimension.map { try randomTensor([1, $0]) },
            countingInto: flops, into: step)
        let encode = engine.gpu.makeRecorder()
        let latent = try models.autoencoder.recordEncode(randomTensor([1, side, side, autoencoder.inChannels]), into: encode)
        let decode = engine.gpu.makeRecorder()
        _ = try models.autoencoder.recordDecode(latent, into: decode)

        let profiling = engine.gpu.capabilities.computeQueueTimestamps
        let sequences = try [step, encode, decode].map { try $0.finish(profiling: profiling) }
        // The sequences hold every tensor they touch: this is the weights plus this size's activations.
        let bytesInUse = engine.gpu.deviceMemory.bytesInUse
        let times = try sequences.map(time)
        return UNetStepMeasurement(
            pixels: side, latentSide: latentSide, unetStep: times[0], imageEncode: times[1], latentDecode: times[2], flops: flops,
            gpuMemoryBytes: bytesInUse)
    }

    /// Median GPU time (timestamps, when the device has them) and wall time of `iterations` replays after a warm-up.
    private func time(_ sequence: CommandSequence) throws -> UNetStepMeasurement.Milliseconds {
        try sequence.run()
        var gpu: [Double] = [], wall: [Double] = []
        for _ in 0..<iterations {
            let start = DispatchTime.now().uptimeNanoseconds
            try sequence.run()
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            if sequence.isProfiling {
                gpu.append(try sequence.elapsedNanoseconds() / 1e6)
            }
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        return .init(gpu: gpu.isEmpty ? nil : median(gpu), wall: median(wall))
    }
}

/// What one size measured; the `--json` output's rows.
struct UNetStepMeasurement: Encodable {
    struct Milliseconds: Encodable {
        /// From GPU timestamps; nil on a device without them.
        let gpu: Double?
        let wall: Double

        /// GPU time where there is one: it leaves out submission and waiting.
        var best: Double { gpu ?? wall }
    }

    let pixels: Int
    let latentSide: Int
    let unetStep: Milliseconds
    let imageEncode: Milliseconds
    let latentDecode: Milliseconds
    let convolutionAndLinearFlops: Int
    let attentionFlops: Int
    let flops: Int
    let gflopsPerSecond: Double
    let gpuMemoryBytes: Int

    init(
        pixels: Int, latentSide: Int, unetStep: Milliseconds, imageEncode: Milliseconds, latentDecode: Milliseconds, flops: FlopCounter,
        gpuMemoryBytes: Int
    ) {
        self.pixels = pixels
        self.latentSide = latentSide
        self.unetStep = unetStep
        self.imageEncode = imageEncode
        self.latentDecode = latentDecode
        convolutionAndLinearFlops = flops.convolutionAndLinear
        attentionFlops = flops.attention
        self.flops = flops.total
        gflopsPerSecond = Double(flops.total) / unetStep.best / 1e6
        self.gpuMemoryBytes = gpuMemoryBytes
    }
}
