/// Temporal attention's sliding window: the self-attention keys and values of the last `capacity` frames,
/// per layer, kept on the GPU (the tensors the frames' passes computed; the oldest frame is dropped).
/// `@unchecked Sendable`: a window belongs to one stream and is used by one caller at a time.
public final class TemporalAttentionWindow: @unchecked Sendable {
    public let capacity: Int
    /// Oldest first; each entry holds one frame's keys/values per self-attention layer.
    public private(set) var frames: [[AttentionKeysValues]] = []

    public init(capacity: Int) {
        precondition(capacity > 0, "a window holds at least one frame")
        self.capacity = capacity
    }

    func append(_ frame: [AttentionKeysValues]) {
        frames = Array((frames + [frame]).suffix(capacity))
    }

    public func removeAll() {
        frames.removeAll()
    }
}
