import Foundation
import RecastNN
import Testing

/// `recastd infer` on the committed reference tensors: what it writes agrees with the original frameworks.
@Suite("recastd infer")
struct InferCommandTests {
    func infer(_ model: String, input: String) throws -> SafeTensorsFile {
        let output = try TestTools.temporaryDirectory("infer").appendingPathComponent("\(model).safetensors").path
        let result = try runTool(TestTools.recastdPath, ["infer", "--model", model, "--input", input, "--output", output])
        #expect(result.status == 0, "\(result.stderr)")
        return try SafeTensorsFile(path: output)
    }

    static func fixture(_ path: String) -> String {
        TestTools.packageRoot.appendingPathComponent("Tests/Fixtures/\(path)").path
    }

    @Test("mobileface: embeddings match the reference built from the MXNet symbol graph")
    func mobileface() throws {
        let reference = try SafeTensorsFile(path: Self.fixture("mobileface/mobileface_reference.safetensors"))
        let output = try infer("mobileface", input: Self.fixture("mobileface/mobileface_reference.safetensors"))
        let embeddings = try output.floats("embeddings", shape: [2, 256])
        let expected = try reference.floats("faces_embedding")
        for face in 0..<2 {
            let a = Array(embeddings[(face * 256)..<((face + 1) * 256)]), b = Array(expected[(face * 256)..<((face + 1) * 256)])
            #expect(MobileFaceEmbedder.cosineSimilarity(a, b) >= 0.999)
        }
    }

    @Test("taef2_encoder: the latent matches PyTorch's")
    func taef2Encoder() throws {
        let reference = try SafeTensorsFile(path: Self.fixture("taef2/taef2_reference.safetensors"))
        let output = try infer("taef2_encoder", input: Self.fixture("taef2/taef2_reference.safetensors"))
        let latent = try output.floats("latent", shape: [1, 12, 12, 32])
        let expected = try reference.floats("latent")
        let error = zip(latent, expected).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / max(1e-12, expected.map { $0 * $0 }.reduce(0, +))
        #expect(error <= 1e-3, "NMSE \(error)")
    }

    @Test("a wrong input is named with what the network takes")
    func wrongInput() throws {
        let output = try TestTools.temporaryDirectory("infer").appendingPathComponent("out.safetensors").path
        let result = try runTool(TestTools.recastdPath, ["infer", "--model", "face_mesh",
                                                         "--input", Self.fixture("taef2/taef2_reference.safetensors"), "--output", output])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("recastd: face_mesh takes image [1, 192, 192, 3]"), "\(result.stderr)")
        let unknown = try runTool(TestTools.recastdPath, ["infer", "--model", "resnet", "--input", "x", "--output", output])
        #expect(unknown.stderr.contains("unknown model 'resnet'"))
    }
}

/// `recastd infer` on diffusers model directories, against diffusers' own outputs.
@Suite("recastd infer, diffusers directories")
struct InferDiffusersTests {
    func normalizedError(_ actual: [Float], _ expected: [Float]) -> Float {
        zip(actual, expected).map { ($0 - $1) * ($0 - $1) }.reduce(0, +) / max(1e-12, expected.map { $0 * $0 }.reduce(0, +))
    }

    @Test("a UNet2DConditionModel directory, on diffusers' names and NCHW layout", arguments: ["sd1_like", "sd2_like", "mixed"])
    func unet(_ name: String) throws {
        let directory = InferCommandTests.fixture("unet/\(name)")
        let reference = try SafeTensorsFile(path: "\(directory)/reference.safetensors")
        let output = try TestTools.temporaryDirectory("infer").appendingPathComponent("unet.safetensors").path
        let result = try runTool(TestTools.recastdPath, ["infer", "--model", directory, "--input", "\(directory)/reference.safetensors", "--output", output])
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try reference.floats("output")
        let sample = try SafeTensorsFile(path: output).floats("sample", shape: reference.info("output").shape)
        // The bound for fp16 paths, which the daemon's fp32 storage on lavapipe meets with room.
        #expect(normalizedError(sample, expected) <= 5e-4)
    }

    @Test("an AutoencoderTiny directory: sample → latents → sample")
    func autoencoder() throws {
        let directory = InferCommandTests.fixture("unet/taesd")
        let reference = try SafeTensorsFile(path: "\(directory)/reference.safetensors")
        let work = try TestTools.temporaryDirectory("taesd")
        let input = work.appendingPathComponent("in.safetensors").path
        try SafeTensorsWriter.write([("sample", try reference.info("image").shape, try reference.floats("image"))], to: input)
        let encoded = work.appendingPathComponent("latents.safetensors").path
        let first = try runTool(TestTools.recastdPath, ["infer", "--model", directory, "--input", input, "--output", encoded])
        #expect(first.status == 0, "\(first.stderr)")
        let latents = try SafeTensorsFile(path: encoded).floats("latents", shape: reference.info("latent").shape)
        #expect(normalizedError(latents, try reference.floats("latent")) <= 5e-4)

        let decodedPath = work.appendingPathComponent("decoded.safetensors").path
        let second = try runTool(TestTools.recastdPath, ["infer", "--model", directory, "--input", encoded, "--output", decodedPath])
        #expect(second.status == 0, "\(second.stderr)")
        let decoded = try SafeTensorsFile(path: decodedPath).floats("sample", shape: reference.info("decoded").shape)
        #expect(normalizedError(decoded, try reference.floats("decoded")) <= 5e-4)
    }
}
