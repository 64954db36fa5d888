import Foundation
import RecastGPU
import RecastNN
import Testing
@testable import RecastSwap

/// The bundled refiner (Models/refiner, trained by tools/refiner) on the Vulkan runtime against the PyTorch training
/// code's own output (Tests/Fixtures/refiner, written by tools/refiner/export.py from the same fp16 weights): a
/// validation composite and its identity embedding, refined with FaceRefiner's seeded noise in 1 and 2 steps.
@Suite("Bundled refiner", .serialized)
struct BundledRefinerTests {
    static let root = IdentityTests.root
    static let models = root.appendingPathComponent("Models")
    static let reference = root.appendingPathComponent("Tests/Fixtures/refiner/reference.safetensors").path

    static func refiner(steps: Int) throws -> FaceRefiner {
        var settings = RefinerSettings()
        settings.steps = steps
        // The plain model, as PyTorch runs it: no reference or temporal attention.
        settings.window = 0
        settings.attentionWeight = 0
        let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
        return try FaceRefiner(engine: engine, directory: models.appendingPathComponent("refiner").path, models: models, settings: settings)
    }

    @Test("the bundled model is an image- and identity-conditioned UNet on TAEF2 latents predicting the composite's correction, under 10 MB of fp16 weights")
    func shape() throws {
        let refiner = try Self.refiner(steps: 1)
        #expect(refiner.model.imageConditioned && refiner.model.predictsConditionResidual && refiner.model.codec is TAEF2Codec)
        guard case .identity(let projection) = refiner.model.condition else {
            Issue.record("the bundled refiner should take its tokens from the identity embedding")
            return
        }
        #expect(projection.embeddingSize == 256)
        let weights = try FileManager.default.subpathsOfDirectory(atPath: Self.models.appendingPathComponent("refiner").path)
            .filter { $0.hasSuffix(".safetensors") }
            .map { try FileManager.default.attributesOfItem(atPath: Self.models.appendingPathComponent("refiner/\($0)").path)[.size] as! Int }
        #expect(weights.reduce(0, +) <= 10_000_000, "\(weights.reduce(0, +)) bytes")
    }

    @Test("Vulkan output matches PyTorch (NMSE ≤ 5e-4) in 1 and 2 steps", arguments: [1, 2])
    func conformance(steps: Int) throws {
        let file = try SafeTensorsFile(path: Self.reference)
        let crop = try file.floats("composite", shape: [1, 256, 256, 3]).map { UInt8($0) }
        let embedding = try file.floats("embedding", shape: [1, 256])
        let refiner = try Self.refiner(steps: steps)
        #expect(refiner.stepCount == steps)
        let latent = try refiner.model.codec.encode(rgb: crop, side: 256)
        let latentError = ErrorMetric.nmse(reference: try file.floats("composite_latent", shape: [1, 32, 32, 32]), actual: latent)
        #expect(latentError <= 5e-4, "TAEF2 latent NMSE \(latentError)")
        try refiner.setIdentity(crop: crop, embedding: embedding)
        let refined = try refiner.refine(crop: crop)
        let expected = try file.floats("decoded_\(steps)", shape: [1, 256, 256, 3])
        let error = ErrorMetric.nmse(reference: expected, actual: refined)
        #expect(error <= 5e-4, "refined crop NMSE \(error)")
        // Not the identity map: the refinement changes the composite.
        let change = ErrorMetric.nmse(reference: crop.map(Float.init), actual: refined)
        #expect(change > 10 * error, "change from the composite \(change), error \(error)")
    }
}
