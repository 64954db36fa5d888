/// A silent AAC track that follows the video's timestamps, for outputs that
/// need audio (many RTMP ingests do) when the input has none.
public final class SilenceTrack: @unchecked Sendable {
    // @unchecked: used by the processing thread only.
    private let encoder: AACEncoder

    public init() throws {
        encoder = try AACEncoder()
    }

    public var format: AudioStreamFormat { encoder.format }

    /// AAC packets of silence that bring the track up to `timestamp` (µs).
    public func packets(until timestamp: Int64) throws -> [AudioPacket] {
        try encoder.encodeSilence(until: timestamp)
    }
}
