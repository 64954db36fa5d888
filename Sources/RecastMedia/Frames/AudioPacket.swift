/// A compressed audio packet carried through the pipeline unchanged.
public struct AudioPacket: Sendable {
    public let data: [UInt8]
    /// Presentation time on the pipeline's output timeline, microseconds.
    public var timestamp: Int64
    /// Duration in microseconds.
    public var duration: Int64

    public init(data: [UInt8], timestamp: Int64, duration: Int64) {
        self.data = data
        self.timestamp = timestamp
        self.duration = duration
    }
}

/// What a sink needs to create an audio stream for packets it will receive.
public struct AudioStreamFormat: Sendable, Equatable {
    /// FFmpeg codec id (AVCodecID raw value).
    public var codecID: UInt32
    public var sampleRate: Int
    public var channels: Int
    public var frameSize: Int
    /// Codec configuration (AudioSpecificConfig for AAC).
    public var extradata: [UInt8]

    public init(codecID: UInt32, sampleRate: Int, channels: Int, frameSize: Int, extradata: [UInt8]) {
        self.codecID = codecID
        self.sampleRate = sampleRate
        self.channels = channels
        self.frameSize = frameSize
        self.extradata = extradata
    }
}

/// Size and rate of the video a source delivers.
public struct VideoStreamFormat: Sendable, Equatable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    public var framesPerSecond: Double

    public init(width: Int, height: Int, framesPerSecond: Double) {
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond
    }

    public var description: String {
        "\(width)x\(height)@\(framesPerSecond.formatted(maxFractionDigits: 2))fps"
    }
}

extension Double {
    /// The number with at most `maxFractionDigits` decimals and none when it is whole ("30", "29.97").
    public func formatted(maxFractionDigits: Int) -> String {
        let scale = (0..<maxFractionDigits).reduce(1.0) { value, _ in value * 10 }
        let rounded = (self * scale).rounded() / scale
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }
}
