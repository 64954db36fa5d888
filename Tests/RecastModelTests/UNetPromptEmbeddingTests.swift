import Foundation
import RecastGPU
import RecastNN
import Testing

/// This suite's validated context (created once, on first use).
private let promptTestContext: Result<GPUContext, any Error> = Result {
    var options = GPUContextOptions()
    options.validation = .required
    options.pipelineCacheDirectory = nil
    return try GPUContext(options: options)
}

/// The precomputed prompt conditioning (tools/unet_prompt_embedding.py's file format) read back and fed to a UNet.
@Suite("UNet prompt embedding")
struct UNetPromptEmbeddingTests {
    func writeEmbedding(shape: [Int], prompt: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("recast-prompt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let values = (0..<shape.reduce(1, *)).map { Float($0 % 7) / 7 - 0.5 }
        try SafeTensorsWriter.write(
            [(name: "encoder_hidden_states", shape: shape, values: values)], metadata: ["prompt": prompt],
            to: directory.appendingPathComponent(PromptEmbedding.fileName).path)
        return directory.path
    }

    @Test("an embedding stored beside the UNet is read with its prompt and conditions the UNet")
    func readsAndConditions() throws {
        let directory = try writeEmbedding(shape: [1, 5, 10], prompt: "a face")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let embedding = try PromptEmbedding(unetDirectory: directory)
        #expect(embedding.tokens == 5 && embedding.width == 10 && embedding.prompt == "a face")
        #expect(embedding.values.count == 50 && embedding.values[8] == Float(1) / 7 - 0.5)
        let engine = try TensorEngine(gpu: try promptTestContext.get(), precision: .float32)
        let unet = try UNet2DConditionModel(engine: engine, directory: ModelFixtures.fixture("unet/sd2_like"))
        #expect(embedding.width == unet.configuration.crossAttentionDimension)
        let output = try unet.predict(
            sample: [Float](repeating: 0.1, count: 4 * 8 * 8), height: 8, width: 8, timestep: 999, encoderHiddenStates: embedding.values)
        #expect(output.count == 4 * 8 * 8 && output.allSatisfy { $0.isFinite })
    }

    @Test("a tensor that is not [1, tokens, width] is refused")
    func refusesWrongRank() throws {
        let directory = try writeEmbedding(shape: [5, 10], prompt: "a face")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect(throws: NNError.self) { try PromptEmbedding(unetDirectory: directory) }
    }
}
