/// Identity attention's keys and values: those of every self-attention layer in a plain UNet pass over the
/// reference face's latent, computed once and appended to the live passes' self-attention.
public final class ReferenceAttention: @unchecked Sendable {
    /// Per self-attention layer, in the order the layers run.
    public let layers: [AttentionKeysValues]

    init(layers: [AttentionKeysValues]) {
        self.layers = layers
    }
}
