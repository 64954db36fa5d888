import Foundation
import RecastNN

/// The identity condition of an identity-conditioned refiner (such as the bundled one): a linear map from a
/// MobileFace embedding to the UNet's cross-attention tokens, read from `unet/identity_projection.safetensors`
/// (`weight` [tokens·width, embedding], `bias` [tokens·width]; metadata `tokens`).
struct IdentityProjection: Sendable {
    static let fileName = "identity_projection.safetensors"
    let weight: [Float]
    let bias: [Float]
    let embeddingSize: Int
    let tokens: Int

    init(unetDirectory: String, width: Int) throws {
        let path = URL(fileURLWithPath: unetDirectory).appendingPathComponent(Self.fileName).path
        let file = try SafeTensorsFile(path: path)
        let shape = try file.info("weight").shape
        guard shape.count == 2, let tokens = file.metadata["tokens"].flatMap(Int.init), tokens > 0, shape[0] == tokens * width else {
            throw NNError.shapeMismatch(
                op: "identity projection", detail: "weight \(shape) in \(path): need [tokens·\(width), embedding] and a 'tokens' metadata entry")
        }
        weight = try file.floats("weight", shape: shape)
        bias = try file.floats("bias", shape: [shape[0]])
        embeddingSize = shape[1]
        self.tokens = tokens
    }

    /// [1, tokens, width] cross-attention tokens of an embedding.
    func tokens(for embedding: [Float]) throws -> [Float] {
        guard embedding.count == embeddingSize else {
            throw NNError.shapeMismatch(op: "identity projection", detail: "a \(embedding.count)-value embedding; it takes \(embeddingSize)")
        }
        return bias.indices.map { row in
            var sum = bias[row]
            for column in 0..<embeddingSize { sum += weight[row * embeddingSize + column] * embedding[column] }
            return sum
        }
    }
}
