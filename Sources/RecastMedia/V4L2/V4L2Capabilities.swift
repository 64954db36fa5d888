import CV4L2

/// What VIDIOC_QUERYCAP says a node is.
struct V4L2Capabilities: Equatable {
    /// The driver name v4l2loopback reports.
    static let loopbackDriver = "v4l2 loopback"

    let driver: String
    let card: String
    let busInfo: String
    /// The capabilities of this node (not of the whole physical device).
    let deviceCaps: UInt32

    init(_ capability: v4l2_capability) {
        driver = String(fixedCString: capability.driver)
        card = String(fixedCString: capability.card)
        busInfo = String(fixedCString: capability.bus_info)
        deviceCaps = capability.capabilities & UInt32(V4L2_CAP_DEVICE_CAPS) != 0
            ? capability.device_caps : capability.capabilities
    }

    var canCapture: Bool { deviceCaps & UInt32(V4L2_CAP_VIDEO_CAPTURE) != 0 }
    var canCaptureMultiplanar: Bool { deviceCaps & UInt32(V4L2_CAP_VIDEO_CAPTURE_MPLANE) != 0 }
    var canOutput: Bool { deviceCaps & UInt32(V4L2_CAP_VIDEO_OUTPUT) != 0 }
    var canStream: Bool { deviceCaps & UInt32(V4L2_CAP_STREAMING) != 0 }
    var isLoopback: Bool { driver == Self.loopbackDriver }
}

extension String {
    /// Reads a NUL-terminated string out of a fixed-size C char array (imported as a tuple).
    init<Tuple>(fixedCString tuple: Tuple) {
        self = withUnsafeBytes(of: tuple) { bytes in
            let length = bytes.firstIndex(of: 0) ?? bytes.count
            return String(decoding: bytes[..<length], as: UTF8.self)
        }
    }
}
