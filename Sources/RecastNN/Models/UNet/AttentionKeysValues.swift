/// One self-attention layer's keys and values for one pass, as tokens [1, T, C] on the GPU.
public struct AttentionKeysValues: Sendable {
    public let keys: Tensor
    public let values: Tensor
}
