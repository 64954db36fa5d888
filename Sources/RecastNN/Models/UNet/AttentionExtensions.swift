/// Identity and temporal attention for a UNet pass. Each self-attention layer's output (before to_out) becomes
/// (1 − weight)·attention(q, k, v) + weight·attention(q, [k; extras], [v; extras]), the extras being the
/// reference's keys/values at that layer, then the window's frames' (oldest first). With neither, or no
/// extras yet, the pass is the plain UNet's.
public struct AttentionExtensions: Sendable {
    public var reference: ReferenceAttention?
    public var temporal: TemporalAttentionWindow?
    public var weight: Float

    public init(reference: ReferenceAttention? = nil, temporal: TemporalAttentionWindow? = nil, weight: Float) {
        self.reference = reference
        self.temporal = temporal
        self.weight = weight
    }

    /// The extras of layer `index`, in the order they are appended.
    func extras(layer index: Int) -> [AttentionKeysValues] {
        (reference.map { [$0.layers[index]] } ?? []) + (temporal?.frames.map { $0[index] } ?? [])
    }
}
