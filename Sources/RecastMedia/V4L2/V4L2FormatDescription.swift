/// One pixel format a capture device offers, with the frame sizes it offers it in.
public struct V4L2FormatDescription: Sendable, Equatable {
    public var fourCC: V4L2FourCC
    /// The driver's own name for it ("YUYV 4:2:2", "Motion-JPEG").
    public var name: String
    public var isCompressed: Bool
    public var sizes: V4L2FrameSizes

    public init(fourCC: V4L2FourCC, name: String, isCompressed: Bool, sizes: V4L2FrameSizes) {
        self.fourCC = fourCC
        self.name = name
        self.isCompressed = isCompressed
        self.sizes = sizes
    }
}

/// A frame size with the frame rates the device offers at it.
public struct V4L2DiscreteSize: Sendable, Equatable, CustomStringConvertible {
    public var width: Int
    public var height: Int
    /// Empty when the driver does not enumerate frame intervals.
    public var framesPerSecond: [Double]

    public init(width: Int, height: Int, framesPerSecond: [Double]) {
        self.width = width
        self.height = height
        self.framesPerSecond = framesPerSecond
    }

    public var description: String { "\(width)x\(height)" }
}

/// The frame sizes of one format: a list, or a range with steps.
public enum V4L2FrameSizes: Sendable, Equatable {
    case discrete([V4L2DiscreteSize])
    case range(V4L2SizeRange)
    /// The driver does not enumerate sizes; any size may be asked for.
    case unlisted

    public func contains(width: Int, height: Int) -> Bool {
        switch self {
        case .discrete(let sizes):
            return sizes.contains { $0.width == width && $0.height == height }
        case .range(let range):
            return range.contains(width: width, height: height)
        case .unlisted:
            return true
        }
    }
}

/// Sizes from a minimum to a maximum in steps (V4L2_FRMSIZE_TYPE_STEPWISE / CONTINUOUS).
public struct V4L2SizeRange: Sendable, Equatable, CustomStringConvertible {
    public var minWidth: Int, maxWidth: Int, widthStep: Int
    public var minHeight: Int, maxHeight: Int, heightStep: Int

    public init(minWidth: Int, maxWidth: Int, widthStep: Int, minHeight: Int, maxHeight: Int, heightStep: Int) {
        self.minWidth = minWidth
        self.maxWidth = maxWidth
        self.widthStep = max(widthStep, 1)
        self.minHeight = minHeight
        self.maxHeight = maxHeight
        self.heightStep = max(heightStep, 1)
    }

    public func contains(width: Int, height: Int) -> Bool {
        (minWidth...maxWidth).contains(width) && (width - minWidth) % widthStep == 0
            && (minHeight...maxHeight).contains(height) && (height - minHeight) % heightStep == 0
    }

    public var description: String {
        "\(minWidth)x\(minHeight) to \(maxWidth)x\(maxHeight) in steps of \(widthStep)x\(heightStep)"
    }
}
