import CFFmpeg
import CRecastShims

/// Failures of media inputs and outputs, phrased for the person running recastd.
public enum MediaError: Error, CustomStringConvertible, Equatable {
    /// An FFmpeg call failed; `what` says what Recast was doing.
    case ffmpeg(what: String, code: Int32)
    case cannotOpenInput(String, reason: String)
    case notMedia(String)
    case noVideoStream(String)
    case cannotOpenOutput(String, reason: String)
    case unsupported(String)
    case interrupted

    public var description: String {
        switch self {
        case .ffmpeg(let what, let code): return "\(what): \(ffmpegErrorString(code))"
        case .cannotOpenInput(let url, let reason): return "cannot open input \(url): \(reason)"
        case .notMedia(let url): return "\(url) is not a media file or stream FFmpeg can read"
        case .noVideoStream(let url): return "\(url) has no video stream"
        case .cannotOpenOutput(let url, let reason): return "cannot open output \(url): \(reason)"
        case .unsupported(let message): return message
        case .interrupted: return "interrupted"
        }
    }
}

public func ffmpegErrorString(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 256)
    av_strerror(code, &buffer, buffer.count)
    return buffer.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
}

/// Checks an FFmpeg return code: negative values become `MediaError.ffmpeg`.
@discardableResult
func check(_ code: Int32, _ what: @autoclosure () -> String) throws(MediaError) -> Int32 {
    if code == RECAST_AVERROR_EXIT { throw .interrupted }
    if code < 0 { throw .ffmpeg(what: what(), code: code) }
    return code
}
