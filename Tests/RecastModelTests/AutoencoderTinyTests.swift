import Foundation
import RecastGPU
import RecastNN
import Testing

/// This suite's validated context (created once, on first use): validation errors fail the tests.
private let autoencoderTestContext: Result<GPUContext, any Error> = Result {
    var options = GPUContextOptions()
    options.validation = .required
    options.pipelineCacheDirectory = nil
    return try GPUContext(options: options)
}

/// AutoencoderTiny on the Vulkan ops against diffusers, for the tiny random TAESD-layout model of
/// Tests/Fixtures/unet/taesd (made by tools/fixtures_unet.py): a 32×32 image, its 4×4 latent, and the decoding.
@Suite("AutoencoderTiny vs diffusers", .serialized)
struct AutoencoderTinyTests {
    static let directory = ModelFixtures.fixture("unet/taesd")

    @Test("encode and decode match diffusers", arguments: [(StoragePrecision.float32, 1e-6), (.float16, 5e-4)])
    func matchesDiffusers(precision: StoragePrecision, tolerance: Double) throws {
        let gpu = try autoencoderTestContext.get()
        let engine = try TensorEngine(gpu: gpu, precision: precision)
        let autoencoder = try AutoencoderTiny(engine: engine, directory: Self.directory)
        let reference = try SafeTensorsFile(path: "\(Self.directory)/reference.safetensors")
        let latent = try autoencoder.encode(image: try reference.floats("image"), height: 32, width: 32)
        let latentNMSE = ErrorMetric.nmse(reference: try reference.floats("latent"), actual: latent)
        // Decoded from diffusers' latent, so the two checks are independent.
        let decoded = try autoencoder.decode(latent: try reference.floats("latent"), height: 4, width: 4)
        let decodedNMSE = ErrorMetric.nmse(reference: try reference.floats("decoded"), actual: decoded)
        print("AutoencoderTiny [\(precision)]: encode NMSE \(latentNMSE), decode NMSE \(decodedNMSE)")
        #expect(latent.count == 4 * 4 * 4)
        #expect(latentNMSE <= tolerance, "encode NMSE \(latentNMSE)")
        #expect(decodedNMSE <= tolerance, "decode NMSE \(decodedNMSE)")
        let errors = gpu.instance.messages.drain().filter { $0.severity == .error }
        #expect(errors.isEmpty, "validation errors: \(errors)")
    }

    @Test("an unsupported activation is refused by name")
    func refusesActivation() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/config.json"))
        var fields = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        fields["act_fn"] = "silu"
        #expect(throws: DiffusersConfigurationError.unsupportedField(name: "act_fn", value: "\"silu\"", supported: "\"relu\"")) {
            try JSONDecoder().decode(AutoencoderTinyConfiguration.self, from: JSONSerialization.data(withJSONObject: fields))
        }
    }
}
