/// Discards everything (for benchmarks and dry runs).
public final class NullSink: MediaSink {
    public let name = "null"
    public let reconnects = false
    public init() {}
    public func open(video: VideoStreamFormat, audio: AudioStreamFormat?) throws {}
    public func write(_ frame: VideoFrame) throws {}
    public func write(_ packet: AudioPacket) throws {}
    public func close() throws {}
    public func interrupt() {}
}
