import Foundation
import RecastNN
import Testing

/// `recastd bench unet` on the tiny diffusers fixtures: its counts agree with PyTorch's and with arithmetic done here,
/// its times and memory are positive and parse.
@Suite("recastd bench unet")
struct BenchUNetCommandTests {
    static let unet = InferCommandTests.fixture("unet/sd2_like")
    static let autoencoder = InferCommandTests.fixture("unet/taesd")

    /// A diffusers pipeline layout over the fixtures: unet/ and vae/.
    static func pipeline() throws -> String {
        let directory = try TestTools.temporaryDirectory("bench-unet")
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("unet").path, withDestinationPath: unet)
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("vae").path, withDestinationPath: autoencoder)
        return directory.path
    }

    /// q·kᵀ and the weighted sum of values, 2 FLOPs per multiply-add, in every transformer block of a UNet whose
    /// blocks all have cross-attention: self-attention over the level's pixels, cross-attention over the prompt.
    static func attentionFlops(_ c: UNetConfiguration, latentSide: Int, tokens: Int) -> Int {
        func block(level: Int) -> Int {
            let queries = (latentSide >> level) * (latentSide >> level), width = c.blockOutChannels[level]
            return 4 * queries * (queries + tokens) * width
        }
        let levels = c.blockOutChannels.indices
        let down = levels.map { c.layersPerBlock[$0] * c.transformerLayersPerBlock[$0] * block(level: $0) }
        let up = levels.map { (c.layersPerBlock[$0] + 1) * c.transformerLayersPerBlock[$0] * block(level: $0) }
        let mid = c.transformerLayersPerBlock[levels.last!] * block(level: levels.last!)
        return down.reduce(0, +) + mid + up.reduce(0, +)
    }

    /// Parameters and tensors of a model directory's safetensors file.
    static func parameters(_ directory: String) throws -> (count: Int, tensors: Int) {
        let file = try SafeTensorsFile(path: "\(directory)/diffusion_pytorch_model.safetensors")
        let shapes = try file.names.map { try file.info($0).shape }
        return (shapes.reduce(0) { $0 + $1.reduce(1, *) }, shapes.count)
    }

    @Test("--json: FLOPs equal PyTorch's count and the attention arithmetic; weights, memory and times add up")
    func json() throws {
        let pipeline = try Self.pipeline()
        let result = try runTool(TestTools.recastdPath, [
            "bench", "unet", "--model", pipeline, "--sizes", "128", "--tokens", "7", "--iterations", "2", "--precision", "f32", "--json",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout)")
        #expect(report["unet"] as? String == "\(pipeline)/unet")
        #expect(report["autoencoder"] as? String == "\(pipeline)/vae")
        #expect(report["precision"] as? String == "float32")
        let row = try #require((report["sizes"] as? [[String: Any]])?.first)
        #expect(row["pixels"] as? Int == 128)
        #expect(row["latent_side"] as? Int == 16)

        // The fixture's reference was counted by PyTorch at 16×16 with 7 tokens.
        let pyTorchCount = try SafeTensorsFile(path: "\(Self.unet)/reference.safetensors").floats("conv_linear_flops")[0]
        let convolutionAndLinear = try #require(row["convolution_and_linear_flops"] as? Int)
        let attention = try #require(row["attention_flops"] as? Int)
        #expect(Double(convolutionAndLinear) == Double(pyTorchCount))
        let configuration = try UNetConfiguration(contentsOf: "\(Self.unet)/config.json")
        #expect(attention == Self.attentionFlops(configuration, latentSide: 16, tokens: 7))
        #expect(row["flops"] as? Int == convolutionAndLinear + attention)

        for name in ["unet_step", "image_encode", "latent_decode"] {
            let times = try #require(row[name] as? [String: Double], "\(name) in \(row)")
            #expect((times["gpu"] ?? 0) > 0 && (times["wall"] ?? 0) > 0, "\(name): \(times)")
        }
        let unetMilliseconds = try #require((row["unet_step"] as? [String: Double])?["gpu"])
        let rate = try #require(row["gflops_per_second"] as? Double)
        #expect(abs(rate - Double(convolutionAndLinear + attention) / unetMilliseconds / 1e6) <= 1e-9 * rate)

        // fp32 weights take 4 bytes a parameter, plus at most one alignment (≤ 256 bytes) a tensor.
        let unetWeights = try #require(report["unet_weight_bytes"] as? Int)
        let autoencoderWeights = try #require(report["autoencoder_weight_bytes"] as? Int)
        for (bytes, directory) in [(unetWeights, Self.unet), (autoencoderWeights, Self.autoencoder)] {
            let parameters = try Self.parameters(directory)
            #expect(bytes >= 4 * parameters.count && bytes <= 4 * parameters.count + 2 * 256 * parameters.tensors, "\(directory): \(bytes) bytes")
        }
        // Activations: at least the 128×128 RGB input and the 16×16×4 latent, in fp32.
        let memory = try #require(row["gpu_memory_bytes"] as? Int)
        #expect(memory >= unetWeights + autoencoderWeights + 4 * (128 * 128 * 3 + 16 * 16 * 4))
    }

    @Test("the table: device first, one row per size with positive numbers; a pipeline whose vae/ is no AutoencoderTiny gets a random TAESD")
    func table() throws {
        // SD-Turbo's own pipeline has an AutoencoderKL there.
        let pipeline = try TestTools.temporaryDirectory("bench-unet-kl")
        try FileManager.default.createSymbolicLink(atPath: pipeline.appendingPathComponent("unet").path, withDestinationPath: Self.unet)
        let vae = pipeline.appendingPathComponent("vae")
        try FileManager.default.createDirectory(at: vae, withIntermediateDirectories: true)
        try Data(#"{"_class_name": "AutoencoderKL"}"#.utf8).write(to: vae.appendingPathComponent("config.json"))
        let result = try runTool(TestTools.recastdPath, ["bench", "unet", "--model", pipeline.path, "--sizes", "64,128", "--iterations", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("device: ") == true, "\(result.stdout)")
        let note = "autoencoder: random weights of TAESD's shape (\(vae.path)/config.json describes class AutoencoderKL, not AutoencoderTiny)"
        #expect(lines.contains { $0.hasPrefix(note) }, "\(result.stdout)")
        for (side, latent) in [(64, 8), (128, 16)] {
            let row = try #require(lines.first { $0.hasPrefix("\(side)x\(side) ") }, "no \(side)x\(side) row in\n\(result.stdout)")
            let fields = row.split(separator: " ")
            #expect(fields[1] == "\(latent)x\(latent)")
            let numbers = fields.dropFirst(2).compactMap { Double($0) }
            #expect(numbers.count == 7 && numbers.allSatisfy { $0 > 0 }, "\(row)")
        }
    }

    @Test("refusals name what to give instead")
    func refusals() throws {
        let misaligned = try runTool(TestTools.recastdPath, ["bench", "unet", "--model", Self.unet, "--sizes", "100"])
        #expect(misaligned.status == 1)
        #expect(misaligned.stderr.hasPrefix("recastd: size 100 is not a multiple of 16"), "\(misaligned.stderr)")
        let notUNet = try runTool(TestTools.recastdPath, ["bench", "unet", "--model", Self.autoencoder])
        #expect(notUNet.status == 1)
        #expect(notUNet.stderr.contains("taesd/config.json describes class AutoencoderTiny, not UNet2DConditionModel"), "\(notUNet.stderr)")
        let notAutoencoder = try runTool(TestTools.recastdPath, ["bench", "unet", "--model", Self.unet, "--autoencoder", Self.unet])
        #expect(notAutoencoder.status == 1)
        #expect(notAutoencoder.stderr.contains("describes class UNet2DConditionModel, not AutoencoderTiny"), "\(notAutoencoder.stderr)")
    }
}
