/// One UNet pass's view of its self-attention layers, which run in a fixed order: it collects each layer's
/// keys/values (for a reference capture or the temporal window) and hands each layer its extras.
final class SelfAttentionHook {
    let extensions: AttentionExtensions?
    private(set) var captured: [AttentionKeysValues] = []

    init(extensions: AttentionExtensions?) {
        self.extensions = extensions
    }

    /// Records the layer's keys/values and returns its extras and their weight (nil: attend plainly).
    func next(keys: Tensor, values: Tensor) -> (extras: [AttentionKeysValues], weight: Float)? {
        let layer = captured.count
        captured.append(AttentionKeysValues(keys: keys, values: values))
        guard let extensions else { return nil }
        let extras = extensions.extras(layer: layer)
        return extras.isEmpty ? nil : (extras, extensions.weight)
    }
}
