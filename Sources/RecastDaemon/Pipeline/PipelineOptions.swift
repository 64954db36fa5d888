import RecastMedia

/// Where an output's audio comes from.
public enum AudioMode: Sendable, Equatable, CustomStringConvertible {
    /// The input's audio when it has some, else none.
    case auto
    case none
    /// The input's audio when it has some, else a silent AAC track.
    case silence
    /// A local capture device through libavdevice, e.g. ("pulse", "default") or ("alsa", "hw:1").
    case device(kind: String, name: String)

    public var description: String {
        switch self {
        case .auto: return "auto"
        case .none: return "none"
        case .silence: return "silence"
        case .device(let kind, let name): return "\(kind):\(name)"
        }
    }
}

public struct PipelineOptions: Sendable {
    /// Output picture size when it must be chosen before the input is up (no-signal frames).
    public var fallbackVideo = VideoStreamFormat(width: 1280, height: 720, framesPerSecond: 30)
    /// Force the output size instead of following the input's first format.
    public var outputSize: (width: Int, height: Int)?
    public var audio: AudioMode = .auto
    /// Items a live queue holds before dropping the oldest (a hard cap; age is what normally drops).
    public var liveQueueCapacity = 16
    /// A live frame older than this (since capture) when a stage gets to it is dropped:
    /// this bounds latency while letting the burst a stream delivers on connect through.
    public var maxFrameAge = 0.5
    /// Frames a lossless (file input) queue holds before the producer waits.
    public var losslessQueueCapacity = 8
    /// Seconds without input frames before outputs get "no signal" frames.
    public var noSignalAfter = 1.0

    public init() {}
}

/// What happened in a run, for logs, metrics and benchmarks.
public struct PipelineStatistics: Sendable, Codable {
    public struct Output: Sendable, Codable {
        public var name: String
        public var framesWritten: Int
        public var framesDropped: Int
        /// Capture to written-to-this-output.
        public var latency: LatencySummary
    }

    public var framesCaptured: Int
    public var framesProcessed: Int
    public var noSignalFrames: Int
    public var captureDrops: Int
    /// Capture to processed.
    public var processingLatency: LatencySummary
    public var outputs: [Output]
    public var elapsedSeconds: Double
}
