import Logging

/// A v4l2loopback virtual camera as a sink: every frame is converted to the
/// loopback's pixel format and size, then written whole, and each program
/// reading the node (browsers, OBS, ffmpeg) receives it.
///
/// `@unchecked Sendable`: the output and the converter are touched only by
/// the one thread that drives the sink (the `MediaSink` contract).
public final class LoopbackSink: MediaSink, @unchecked Sendable {
    public let name: String
    public var reconnects: Bool { false }

    private let format: PixelFormat
    private let logger: Logger
    private let converter = FrameConverter()
    private var output: LoopbackOutput?

    /// `format` is what readers are offered: YUYV (what webcams send, and what
    /// browsers expect) by default, I420 on request.
    public init(path: String, format: PixelFormat = .yuyv, logger: Logger) {
        self.name = path
        self.format = format
        self.logger = logger
    }

    public func open(video: VideoStreamFormat, audio: AudioStreamFormat?) throws {
        output = try LoopbackOutput(path: name, format: format, video: video, logger: logger)
    }

    public func write(_ frame: VideoFrame) throws {
        guard let output else { throw MediaError.unsupported("\(name) was written before it was opened") }
        try output.write(converter.convert(frame, to: output.format, width: output.width, height: output.height))
    }

    /// Dropped: a virtual camera carries no audio.
    public func write(_ packet: AudioPacket) throws {}

    public func close() throws {
        output = nil
    }

    /// Nothing to abort: a write to a loopback copies into kernel memory and never blocks.
    public func interrupt() {}
}
