import RecastGPU
import RecastNN
import Testing

/// AutoencoderTiny of TAESD's shape with seeded random weights (benchmarks without a model).
@Suite("AutoencoderTiny with seeded random weights")
struct AutoencoderTinyRandomWeightsTests {
    @Test("TAESD's shape: diffusers' defaults")
    func taesdShape() throws {
        let c = try AutoencoderTinyConfiguration.taesd()
        #expect(c.latentChannels == 4 && c.inChannels == 3 && c.outChannels == 3)
        #expect(c.encoderBlockOutChannels == [64, 64, 64, 64] && c.decoderBlockOutChannels == [64, 64, 64, 64])
        #expect(c.encoderBlocks == [1, 3, 3, 3] && c.decoderBlocks == [3, 3, 3, 1])
        #expect(c.downscaleFactor == 8)
    }

    @Test("a seed gives the same autoencoder, another seed a different one")
    func seeded() throws {
        let engine = try TensorEngine(gpu: GPUContext(), precision: .float32)
        let image: [Float] = (0..<3072).map { index -> Float in Float(index % 97) / 48 - 1 }
        func latent(seed: UInt64) throws -> [Float] {
            try AutoencoderTiny(engine: engine, configuration: .taesd(), randomSeed: seed).encode(image: image, height: 32, width: 32)
        }
        let first = try latent(seed: 1)
        #expect(first.count == 4 * 4 * 4 && first.allSatisfy { $0.isFinite })
        #expect(try latent(seed: 1) == first)
        #expect(ErrorMetric.nmse(reference: first, actual: try latent(seed: 2)) > 0.1)
    }
}
