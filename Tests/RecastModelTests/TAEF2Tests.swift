import Foundation
import RecastGPU
import RecastNN
import Testing

/// This suite's validated context (created once, on first use): validation errors fail the tests.
private let taef2TestContext: Result<GPUContext, any Error> = Result {
    var options = GPUContextOptions()
    options.validation = .required
    options.pipelineCacheDirectory = nil
    return try GPUContext(options: options)
}

/// TAEF2 on the Vulkan ops against PyTorch (Tests/Fixtures/taef2, made by tools/fixtures_taef2.py):
/// a 96×96 face photo, its PyTorch latent, and PyTorch's decoding of that latent.
@Suite("TAEF2 vs PyTorch", .serialized)
struct TAEF2Tests {
    let weights: SafeTensorsFile
    let reference: SafeTensorsFile

    init() throws {
        weights = try SafeTensorsFile(path: ModelFixtures.model("taef2/taef2.safetensors"))
        reference = try SafeTensorsFile(path: ModelFixtures.fixture("taef2/taef2_reference.safetensors"))
    }

    /// An engine storing tensors in `precision`: the daemon takes fp32 on lavapipe and fp16 on GPUs.
    func makeEngine(_ precision: StoragePrecision) throws -> TensorEngine {
        try TensorEngine(gpu: taef2TestContext.get(), precision: precision)
    }

    func tensor(_ name: String, on engine: TensorEngine) throws -> Tensor {
        let info = try reference.info(name)
        return try engine.makeTensor(shape: info.shape, values: reference.floats(name))
    }

    @Test("decoder output matches PyTorch (NMSE ≤ 1e-3)", arguments: StoragePrecision.allCases)
    func decoderMatchesPyTorch(precision: StoragePrecision) throws {
        let engine = try makeEngine(precision)
        let decoder = try TAEF2Decoder(engine: engine, weights: weights)
        let latent = try tensor("latent", on: engine)
        let start = Date()
        let image = try decoder.decode(latent)
        let milliseconds = Date().timeIntervalSince(start) * 1000
        #expect(image.shape == [1, 96, 96, 3])
        let nmse = ErrorMetric.nmse(reference: try reference.floats("decoded"), actual: try engine.read(image))
        print("TAEF2 decoder 12×12→96×96 [\(engine.precision)]: NMSE \(nmse), \(Int(milliseconds)) ms")
        #expect(nmse <= 1e-3, "decoder NMSE \(nmse)")
        expectNoValidationErrors(engine)
    }

    @Test("encoder matches PyTorch and the round trip's PSNR is within 0.3 dB of PyTorch's", arguments: StoragePrecision.allCases)
    func roundTripMatchesPyTorch(precision: StoragePrecision) throws {
        let engine = try makeEngine(precision)
        let encoder = try TAEF2Encoder(engine: engine, weights: weights)
        let decoder = try TAEF2Decoder(engine: engine, weights: weights)
        let image = try tensor("image", on: engine)
        let start = Date()
        let latent = try encoder.encode(image)
        let encoded = Date()
        let decoded = try decoder.decode(latent)
        let encodeMilliseconds = encoded.timeIntervalSince(start) * 1000
        #expect(latent.shape == [1, 12, 12, 32])
        let latentNMSE = ErrorMetric.nmse(reference: try reference.floats("latent"), actual: try engine.read(latent))
        let psnr = peakSignalToNoise(try engine.read(decoded), try reference.floats("image"))
        let pytorchPSNR = Double(try reference.floats("round_trip_psnr")[0])
        print("TAEF2 encoder 96×96→12×12 [\(engine.precision)]: latent NMSE \(latentNMSE), \(Int(encodeMilliseconds)) ms; "
            + "round-trip PSNR \(psnr) dB (PyTorch \(pytorchPSNR) dB)")
        #expect(latentNMSE <= 1e-3, "encoder NMSE \(latentNMSE)")
        #expect(abs(psnr - pytorchPSNR) <= 0.3, "round-trip PSNR \(psnr) dB, PyTorch \(pytorchPSNR) dB")
        expectNoValidationErrors(engine)
    }

    @Test("sides that are not multiples of 8 are refused")
    func refusesUnalignedImage() throws {
        let engine = try makeEngine(.float32)
        let encoder = try TAEF2Encoder(engine: engine, weights: weights)
        let image = try engine.makeTensor(shape: [1, 20, 24, 3])
        #expect(throws: NNError.self) { try encoder.encode(image) }
    }

    func expectNoValidationErrors(_ engine: TensorEngine, sourceLocation: SourceLocation = #_sourceLocation) {
        let errors = engine.gpu.instance.messages.drain().filter { $0.severity == .error }
        #expect(errors.isEmpty, "validation errors: \(errors)", sourceLocation: sourceLocation)
    }

    /// PSNR in dB for images with peak 1.
    func peakSignalToNoise(_ actual: [Float], _ reference: [Float]) -> Double {
        let squaredError = zip(actual, reference).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
        return 10 * log10(Double(reference.count) / squaredError)
    }
}
