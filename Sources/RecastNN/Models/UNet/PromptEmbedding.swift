import Foundation

/// A prompt's text conditioning, precomputed by tools/unet_prompt_embedding.py with the model's own text encoder
/// and stored beside the UNet, so the daemon needs no text encoder: the UNet's `encoder_hidden_states`.
public struct PromptEmbedding: Sendable, Equatable {
    public static let fileName = "prompt_embedding.safetensors"
    static let tensorName = "encoder_hidden_states"
    /// [1, tokens, width], row-major.
    public let values: [Float]
    public let tokens: Int
    public let width: Int
    /// The prompt it encodes, when the file records it.
    public let prompt: String?

    /// Reads `prompt_embedding.safetensors` from a UNet directory.
    public init(unetDirectory: String) throws {
        try self.init(contentsOf: URL(fileURLWithPath: unetDirectory).appendingPathComponent(Self.fileName).path)
    }

    public init(contentsOf path: String) throws {
        let file = try SafeTensorsFile(path: path)
        let shape = try file.info(Self.tensorName).shape
        guard shape.count == 3, shape[0] == 1, shape[1] > 0, shape[2] > 0 else {
            throw NNError.shapeMismatch(op: "prompt embedding", detail: "\(Self.tensorName) \(shape) in \(path): need [1, tokens, width]")
        }
        values = try file.floats(Self.tensorName, shape: shape)
        tokens = shape[1]
        width = shape[2]
        prompt = file.metadata["prompt"]
    }
}
