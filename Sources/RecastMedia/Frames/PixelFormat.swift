/// The pixel layouts frames travel in. Planar sizes follow the usual
/// 4:2:0 / 4:2:2 rules with odd dimensions rounded up for chroma.
public enum PixelFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Packed Y0 U Y1 V, 4:2:2.
    case yuyv
    /// Y plane then interleaved UV plane, 4:2:0.
    case nv12
    /// Y, U, V planes, 4:2:0 (also called YU12 / yuv420p).
    case i420

    public var description: String { rawValue }

    /// Byte widths and row counts of each plane for a given frame size.
    public func planeLayout(width: Int, height: Int) -> [(rowBytes: Int, rows: Int)] {
        let chromaWidth = (width + 1) / 2
        let chromaHeight = (height + 1) / 2
        switch self {
        case .yuyv: return [(chromaWidth * 4, height)]
        case .nv12: return [(width, height), (chromaWidth * 2, chromaHeight)]
        case .i420: return [(width, height), (chromaWidth, chromaHeight), (chromaWidth, chromaHeight)]
        }
    }

    public func byteCount(width: Int, height: Int) -> Int {
        planeLayout(width: width, height: height).reduce(0) { $0 + $1.rowBytes * $1.rows }
    }
}
