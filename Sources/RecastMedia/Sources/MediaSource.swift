/// One thing a source yields.
public enum MediaItem: Sendable {
    case video(VideoFrame)
    case audio(AudioPacket)
}

/// What a source found when it opened.
public struct SourceFormat: Sendable {
    public var video: VideoStreamFormat
    public var audio: AudioStreamFormat?

    public init(video: VideoStreamFormat, audio: AudioStreamFormat?) {
        self.video = video
        self.audio = audio
    }
}

/// Where frames come from. A source is driven by one thread: `open`, then
/// `read` until it returns nil (end of input) or throws, then `close`.
/// `interrupt` may be called from any thread to abort a blocking call.
public protocol MediaSource: AnyObject, Sendable {
    /// Human-readable name for logs ("/dev/video0", "rtmp://…").
    var name: String { get }
    /// Live sources produce frames in real time and can drop; others are read
    /// as fast as the pipeline goes and never drop.
    var isLive: Bool { get }
    /// Whether a failure should be retried (network streams) rather than end the run.
    var reconnects: Bool { get }
    /// Whether even the first open may fail and be retried: a source that waits
    /// for a peer to connect (RTMP listen) has nothing wrong with it until then.
    var waitsForPeer: Bool { get }
    func open() throws -> SourceFormat
    func read() throws -> MediaItem?
    func close()
    func interrupt()
}

extension MediaSource {
    public var waitsForPeer: Bool { false }
}
