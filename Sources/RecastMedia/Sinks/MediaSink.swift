/// Where frames go. A sink is driven by one thread: `open`, any number of
/// writes, then `close` (which finishes the output, e.g. writes a trailer).
public protocol MediaSink: AnyObject, Sendable {
    var name: String { get }
    /// Network sinks are reopened with backoff after a failure; others end the run.
    var reconnects: Bool { get }
    /// Whether the sink wants an audio track (and in which form it was given).
    func open(video: VideoStreamFormat, audio: AudioStreamFormat?) throws
    func write(_ frame: VideoFrame) throws
    func write(_ packet: AudioPacket) throws
    func close() throws
    /// Aborts a blocking open or write from another thread.
    func interrupt()
}
