import Logging
import Synchronization

/// A V4L2 camera (`/dev/videoN`) as a live source: opened through libv4l2,
/// mmap streaming, the best format the camera offers (see `V4L2FormatNegotiation`).
///
/// `@unchecked Sendable`: the stream is touched only by the one thread that
/// drives the source (the `MediaSource` contract); `interrupt()`, the only
/// call from other threads, touches only the atomic flag.
public final class V4L2Camera: MediaSource, @unchecked Sendable {
    public let name: String
    public var isLive: Bool { true }
    public var reconnects: Bool { false }

    private let requestedSize: (width: Int, height: Int)?
    private let requestedFPS: Double?
    private let logger: Logger
    private let interrupted = Atomic<Bool>(false)
    private var stream: V4L2CaptureStream?

    public init(path: String, requestedSize: (width: Int, height: Int)?, requestedFPS: Double?, logger: Logger) {
        self.name = path
        self.requestedSize = requestedSize
        self.requestedFPS = requestedFPS
        self.logger = logger
    }

    public func open() throws -> SourceFormat {
        let stream = try V4L2CaptureStream(path: name, requestedSize: requestedSize, requestedFPS: requestedFPS, logger: logger)
        self.stream = stream
        return SourceFormat(video: stream.format, audio: nil)
    }

    /// The next frame; throws `MediaError.interrupted` after `interrupt()`.
    public func read() throws -> MediaItem? {
        guard let stream else { throw MediaError.unsupported("\(name) was read before it was opened") }
        return .video(try stream.nextFrame { interrupted.load(ordering: .acquiring) })
    }

    public func close() {
        stream?.stop()
        stream = nil
    }

    public func interrupt() {
        interrupted.store(true, ordering: .releasing)
    }
}
