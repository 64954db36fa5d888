import CRecastShims
import CV4L2
import Glibc

/// An open V4L2 node, closed when the handle goes away. Cameras are opened
/// through libv4l2 so libv4lconvert can decode MJPEG and exotic formats;
/// loopback outputs and device listing talk to the driver directly.
final class V4L2DeviceHandle {
    enum Access { case libv4l2, direct }

    let path: String
    let fd: Int32
    private let access: Access

    init(path: String, access: Access, flags: Int32) throws(V4L2Error) {
        self.path = path
        self.access = access
        do {
            fd = try systemCall("open") {
                switch access {
                case .libv4l2: recast_v4l2_open(path, flags)
                case .direct: Glibc.open(path, flags)
                }
            }
        } catch {
            throw V4L2Error.from(error, path: path)
        }
    }

    deinit {
        // close is deliberately not retried on EINTR: Linux has already freed
        // the descriptor, and a retry could close one another thread just got.
        switch access {
        case .libv4l2: _ = v4l2_close(fd)
        case .direct: _ = Glibc.close(fd)
        }
    }

    /// Issues one VIDIOC_* request; `name` is the request's name for error messages.
    func control<Argument>(_ request: UInt, _ name: String, _ argument: inout Argument) throws(SystemCallError) {
        let fd = self.fd
        let access = self.access
        _ = try withUnsafeMutablePointer(to: &argument) { pointer throws(SystemCallError) in
            try systemCall(name) {
                switch access {
                case .libv4l2: recast_v4l2_ioctl(fd, request, pointer)
                case .direct: recast_ioctl(fd, request, pointer)
                }
            }
        }
    }

    /// Like `control`, but failures become the user-facing error for this device.
    func require<Argument>(_ request: UInt, _ name: String, _ argument: inout Argument) throws(V4L2Error) {
        do {
            try control(request, name, &argument)
        } catch {
            throw V4L2Error.from(error, path: path)
        }
    }

    func capabilities() throws(V4L2Error) -> V4L2Capabilities {
        var capability = v4l2_capability()
        do {
            try control(RECAST_VIDIOC_QUERYCAP, "VIDIOC_QUERYCAP", &capability)
        } catch where error.errno == ENOTTY || error.errno == EINVAL {
            throw .notV4L2Device(path: path)
        } catch {
            throw V4L2Error.from(error, path: path)
        }
        return V4L2Capabilities(capability)
    }
}
