import Glibc

/// Failures of V4L2 cameras and loopback outputs, each phrased as one line
/// that names the device and says what to do about it.
public enum V4L2Error: Error, CustomStringConvertible, Equatable {
    case notFound(path: String)
    case permissionDenied(path: String)
    case busy(path: String)
    case notV4L2Device(path: String)
    /// The node exists but cannot capture video (an output, a metadata node, an idle loopback).
    case notCaptureDevice(path: String, driver: String)
    case multiplanarOnly(path: String, driver: String)
    case notLoopbackOutput(path: String, driver: String)
    /// A v4l2loopback node with exclusive_caps=1 that another program already writes to.
    case loopbackHasWriter(path: String)
    /// The driver answered a format negotiation with something Recast cannot use.
    case unsupportedFormat(path: String, detail: String)
    /// The camera stopped delivering usable frames without reporting an error.
    case stalled(path: String, seconds: Int)
    case disconnected(path: String)
    /// Any other failed call on the device.
    case deviceFailed(path: String, SystemCallError)

    public var description: String {
        switch self {
        case .notFound(let path):
            return "\(path) does not exist: check the device path (`recastd devices` lists the V4L2 devices present)"
        case .permissionDenied(let path):
            return "\(path): permission denied: add the user running recastd to the 'video' group"
        case .busy(let path):
            return "\(path) is busy: another program is capturing from it; close that program or choose another device"
        case .notV4L2Device(let path):
            return "\(path) is not a V4L2 video device"
        case .notCaptureDevice(let path, let driver) where driver == V4L2Capabilities.loopbackDriver:
            return "\(path) is not a video capture device yet (driver: \(driver)): no program is writing to this loopback"
        case .notCaptureDevice(let path, let driver):
            return "\(path) is not a video capture device (driver: \(driver)); `recastd devices` lists the cameras"
        case .multiplanarOnly(let path, let driver):
            return "\(path) only offers multi-planar capture (driver: \(driver)), which Recast does not support"
        case .notLoopbackOutput(let path, let driver):
            return "\(path) is not a v4l2loopback output device (driver: \(driver)); load v4l2loopback and use one of its devices (`recastd devices`)"
        case .loopbackHasWriter(let path):
            return "\(path) already has a writer: another program is sending video to this loopback; stop it or use another loopback device"
        case .unsupportedFormat(let path, let detail):
            return "\(path): \(detail)"
        case .stalled(let path, let seconds):
            return "\(path) delivered no usable frame for \(seconds) s: check that the camera is connected and works in another program"
        case .disconnected(let path):
            return "\(path) was disconnected"
        case .deviceFailed(let path, let error):
            return "\(path): \(error)"
        }
    }

    /// Maps a failed call on the device to the error a user can act on.
    static func from(_ error: SystemCallError, path: String) -> V4L2Error {
        switch error.errno {
        case ENOENT: return .notFound(path: path)
        case EACCES, EPERM: return .permissionDenied(path: path)
        case EBUSY: return .busy(path: path)
        case ENODEV, ENXIO: return .disconnected(path: path)
        default: return .deviceFailed(path: path, error)
        }
    }
}
