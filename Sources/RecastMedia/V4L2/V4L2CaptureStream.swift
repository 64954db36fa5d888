import CRecastShims
import CV4L2
import Glibc
import Logging

/// A camera streaming into mmap buffers: opened, negotiated and started by
/// `init`, stopped by `stop()` or when it goes away.
final class V4L2CaptureStream {
    static let bufferCount = 4
    /// How long one poll() waits before checking for an interruption, in milliseconds.
    static let pollMilliseconds: Int32 = 100
    /// A camera that sends nothing for this long is reported instead of waited for forever.
    static let stallSeconds = 10

    let format: VideoStreamFormat
    private let layout: V4L2FrameLayout
    /// The camera sends full-range samples, which are scaled to the limited range.
    private let fullRange: Bool
    private let buffers: V4L2MappedBuffers
    private let logger: Logger
    private var firstTimestamp: Int64?
    private var streaming = true
    private var device: V4L2DeviceHandle { buffers.device }

    init(path: String, requestedSize: (width: Int, height: Int)?, requestedFPS: Double?, logger: Logger) throws(V4L2Error) {
        self.logger = logger
        let capabilities = try Self.probe(path: path)
        let device = try V4L2DeviceHandle(path: path, access: .libv4l2, flags: O_RDWR | O_NONBLOCK)
        logger.info("opened camera \(path): \(capabilities.card) (driver \(capabilities.driver), \(capabilities.busInfo))")
        let offered = try device.captureFormats(withFrameRates: false)
        guard let plan = V4L2FormatNegotiation.plan(offered: offered, requestedSize: requestedSize) else {
            throw .unsupportedFormat(path: path, detail: "the device offers no capture format")
        }
        (layout, fullRange) = try Self.setFormat(plan, size: requestedSize, on: device, logger: logger)
        let framesPerSecond = try Self.setFrameRate(requestedFPS, on: device, logger: logger)
        format = VideoStreamFormat(width: layout.width, height: layout.height, framesPerSecond: framesPerSecond)
        buffers = try V4L2MappedBuffers(device: device, count: Self.bufferCount)
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        try device.require(RECAST_VIDIOC_STREAMON, "VIDIOC_STREAMON", &type)
        logger.info("\(path) streaming \(format) \(layout.format)")
    }

    deinit { stop() }

    /// Checks the node directly, before libv4l2 sees it: libv4l2 prints its own
    /// error lines to stderr for nodes that are not cameras or are busy, and
    /// the user should get one line that says what to do.
    private static func probe(path: String) throws(V4L2Error) -> V4L2Capabilities {
        let device = try V4L2DeviceHandle(path: path, access: .direct, flags: O_RDWR | O_NONBLOCK)
        let capabilities = try device.capabilities()
        guard capabilities.canCapture else {
            if capabilities.canCaptureMultiplanar { throw .multiplanarOnly(path: path, driver: capabilities.driver) }
            throw .notCaptureDevice(path: path, driver: capabilities.driver)
        }
        guard capabilities.canStream else {
            throw .unsupportedFormat(path: path, detail: "the driver (\(capabilities.driver)) does not support streaming capture")
        }
        // Asking for zero buffers changes nothing, but fails with EBUSY while
        // another program owns the capture queue.
        var request = V4L2MappedBuffers.request(count: 0)
        do {
            try device.control(RECAST_VIDIOC_REQBUFS, "VIDIOC_REQBUFS", &request)
        } catch where error.errno == EBUSY {
            throw .busy(path: path)
        } catch {
            // Older drivers refuse a count of 0; the real request later reports real problems.
        }
        return capabilities
    }

    /// Waits for the next picture; throws `MediaError.interrupted` once `isInterrupted` says so.
    func nextFrame(isInterrupted: () -> Bool) throws -> VideoFrame {
        let stallDeadline = monotonicNanoseconds() + UInt64(Self.stallSeconds) * 1_000_000_000
        while true {
            if isInterrupted() { throw MediaError.interrupted }
            if monotonicNanoseconds() > stallDeadline { throw V4L2Error.stalled(path: device.path, seconds: Self.stallSeconds) }
            guard try waitReadable() else { continue }
            var buffer = V4L2MappedBuffers.describe(index: 0)
            do {
                try device.control(RECAST_VIDIOC_DQBUF, "VIDIOC_DQBUF", &buffer)
            } catch where error.errno == EAGAIN {
                continue
            } catch {
                throw V4L2Error.from(error, path: device.path)
            }
            let capturedAt = monotonicNanoseconds()
            let frame = picture(in: buffer, capturedAt: capturedAt)
            try buffers.queue(index: Int(buffer.index))
            if let frame { return frame }
        }
    }

    func stop() {
        guard streaming else { return }
        streaming = false
        var type = Int32(V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue)
        do {
            try device.control(RECAST_VIDIOC_STREAMOFF, "VIDIOC_STREAMOFF", &type)
        } catch {
            logger.warning("\(device.path): stopping capture failed: \(error)")
        }
    }

    private func waitReadable() throws(V4L2Error) -> Bool {
        var descriptor = pollfd(fd: device.fd, events: Int16(POLLIN), revents: 0)
        do {
            return try systemCall("poll") { poll(&descriptor, 1, Self.pollMilliseconds) } > 0
        } catch {
            throw V4L2Error.from(error, path: device.path)
        }
    }

    /// Copies a dequeued buffer into a frame; nil for a buffer the driver marked bad or left short.
    private func picture(in buffer: v4l2_buffer, capturedAt: UInt64) -> VideoFrame? {
        if buffer.flags & UInt32(V4L2_BUF_FLAG_ERROR) != 0 {
            logger.debug("\(device.path): skipping a frame the driver marked as corrupted")
            return nil
        }
        let region = buffers.regions[Int(buffer.index)]
        let used = buffer.bytesused == 0 ? region.count : min(Int(buffer.bytesused), region.count)
        let frame = layout.frame(from: UnsafeRawBufferPointer(rebasing: region[0..<used]),
                                 timestamp: timelineMicroseconds(of: buffer, capturedAt: capturedAt),
                                 capturedAt: capturedAt)
        guard let frame else {
            logger.debug("\(device.path): skipping a short frame (\(used) of \(layout.minimumBytes) bytes)")
            return nil
        }
        if fullRange { FullRangeCompression.apply(to: frame) }
        return frame
    }

    /// Microseconds since the first frame, from the driver's monotonic stamp
    /// when it gives one (it is taken closer to the sensor), else from the dequeue time.
    private func timelineMicroseconds(of buffer: v4l2_buffer, capturedAt: UInt64) -> Int64 {
        let monotonic = buffer.flags & UInt32(V4L2_BUF_FLAG_TIMESTAMP_MASK) == UInt32(V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC)
        let driverStamp = Int64(buffer.timestamp.tv_sec) * 1_000_000 + Int64(buffer.timestamp.tv_usec)
        let stamp = monotonic && driverStamp > 0 ? driverStamp : Int64(capturedAt / 1000)
        let first = firstTimestamp ?? stamp
        firstTimestamp = first
        return stamp - first
    }
}
