import CRecastShims
import CV4L2
import Glibc

/// The capture buffers a device shares with Recast through mmap, unmapped
/// when this goes away. Holds the device so it is closed only afterwards.
final class V4L2MappedBuffers {
    let device: V4L2DeviceHandle
    private(set) var regions: [UnsafeMutableRawBufferPointer] = []

    /// Asks for `count` buffers (the driver may grant fewer or more), maps them and queues them all.
    init(device: V4L2DeviceHandle, count: Int) throws(V4L2Error) {
        self.device = device
        var request = Self.request(count: count)
        try device.require(RECAST_VIDIOC_REQBUFS, "VIDIOC_REQBUFS", &request)
        guard request.count > 0 else {
            throw .unsupportedFormat(path: device.path, detail: "the driver granted no capture buffers")
        }
        for index in 0..<Int(request.count) {
            var buffer = Self.describe(index: index)
            try device.require(RECAST_VIDIOC_QUERYBUF, "VIDIOC_QUERYBUF", &buffer)
            let length = Int(buffer.length)
            let offset = Int64(buffer.m.offset)
            let fd = device.fd
            let address: Int
            do {
                address = try systemCall("mmap") {
                    Int(bitPattern: v4l2_mmap(nil, length, PROT_READ | PROT_WRITE, MAP_SHARED, fd, offset))
                }
            } catch {
                throw V4L2Error.from(error, path: device.path)
            }
            regions.append(UnsafeMutableRawBufferPointer(start: UnsafeMutableRawPointer(bitPattern: address), count: length))
            try queue(index: index)
        }
    }

    deinit {
        for region in regions {
            _ = try? systemCall("munmap") { v4l2_munmap(region.baseAddress, region.count) }
        }
    }

    func queue(index: Int) throws(V4L2Error) {
        var buffer = Self.describe(index: index)
        try device.require(RECAST_VIDIOC_QBUF, "VIDIOC_QBUF", &buffer)
    }

    static func request(count: Int) -> v4l2_requestbuffers {
        var request = v4l2_requestbuffers()
        request.count = UInt32(count)
        request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        request.memory = V4L2_MEMORY_MMAP.rawValue
        return request
    }

    static func describe(index: Int) -> v4l2_buffer {
        var buffer = v4l2_buffer()
        buffer.index = UInt32(index)
        buffer.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        buffer.memory = V4L2_MEMORY_MMAP.rawValue
        return buffer
    }
}
