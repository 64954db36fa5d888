import CRecastShims

/// A V4L2 pixel format code (four ASCII characters packed little-endian).
public struct V4L2FourCC: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32

    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let yuyv = V4L2FourCC(rawValue: RECAST_PIX_FMT_YUYV)
    public static let nv12 = V4L2FourCC(rawValue: RECAST_PIX_FMT_NV12)
    public static let yu12 = V4L2FourCC(rawValue: RECAST_PIX_FMT_YUV420)
    public static let mjpeg = V4L2FourCC(rawValue: RECAST_PIX_FMT_MJPEG)
    public static let jpeg = V4L2FourCC(rawValue: RECAST_PIX_FMT_JPEG)

    public init(_ format: PixelFormat) {
        switch format {
        case .yuyv: self = .yuyv
        case .nv12: self = .nv12
        case .i420: self = .yu12
        }
    }

    /// The frame layout this code stands for, when Recast carries it as is.
    public var pixelFormat: PixelFormat? {
        switch self {
        case .yuyv: return .yuyv
        case .nv12: return .nv12
        case .yu12: return .i420
        default: return nil
        }
    }

    /// Bit 31 marks the big-endian variant of a format (v4l2_fourcc_be).
    private static let bigEndianFlag: UInt32 = 1 << 31

    public var description: String {
        let code = rawValue & ~Self.bigEndianFlag
        let bytes = (0..<4).map { UInt8(truncatingIfNeeded: code >> ($0 * 8)) }
        let name = String(decoding: bytes, as: UTF8.self).trimmingTrailingSpaces
        return rawValue & Self.bigEndianFlag != 0 ? name + "-BE" : name
    }
}

extension String {
    fileprivate var trimmingTrailingSpaces: String {
        var result = self
        while result.last == " " { result.removeLast() }
        return result
    }
}
