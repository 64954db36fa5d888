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
