/// Which pixel format to ask a camera for, and why.
struct V4L2FormatPlan: Equatable {
    /// The format the camera sends.
    var source: V4L2FourCC
    /// The format asked for through libv4l2; differs from `source` when libv4lconvert converts.
    var request: V4L2FourCC

    var isConverted: Bool { source != request }
}

enum V4L2FormatNegotiation {
    /// Formats Recast carries as is, best first.
    static let carried: [V4L2FourCC] = [.yuyv, .nv12, .yu12]
    /// Compressed formats libv4lconvert decodes.
    static let decoded: [V4L2FourCC] = [.mjpeg, .jpeg]

    /// Picks the first format in order of preference (YUYV, NV12, YU12, MJPEG
    /// decoded to YU12, then anything else converted to YU12) that offers the
    /// requested size; when none does, the first in that order, and the driver
    /// will answer with its nearest size. Nil when the device lists no format.
    static func plan(offered: [V4L2FormatDescription], requestedSize: (width: Int, height: Int)?) -> V4L2FormatPlan? {
        let ranked = offered.sorted { rank($0.fourCC) < rank($1.fourCC) }
        let fitting = requestedSize.flatMap { size in
            ranked.first { $0.sizes.contains(width: size.width, height: size.height) }
        }
        guard let chosen = fitting ?? ranked.first else { return nil }
        let request = carried.contains(chosen.fourCC) ? chosen.fourCC : .yu12
        return V4L2FormatPlan(source: chosen.fourCC, request: request)
    }

    private static func rank(_ fourCC: V4L2FourCC) -> Int {
        if let index = carried.firstIndex(of: fourCC) { return index }
        if let index = decoded.firstIndex(of: fourCC) { return carried.count + index }
        return carried.count + decoded.count
    }
}
