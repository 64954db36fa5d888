import CRecastShims
import CV4L2
import Glibc
import Logging

/// An open, configured and started v4l2loopback output node.
final class LoopbackOutput {
    let device: V4L2DeviceHandle
    /// The size and pixel format the driver accepted; every write must match it.
    let format: PixelFormat
    let width: Int
    let height: Int
    private let logger: Logger

    init(path: String, format requestedFormat: PixelFormat, video: VideoStreamFormat, logger: Logger) throws(V4L2Error) {
        self.logger = logger
        device = try V4L2DeviceHandle(path: path, access: .direct, flags: O_RDWR)
        let capabilities = try device.capabilities()
        guard capabilities.isLoopback else {
            throw .notLoopbackOutput(path: path, driver: capabilities.driver)
        }
        // With exclusive_caps=1 a loopback stops announcing OUTPUT once a writer has started.
        guard capabilities.canOutput else { throw .loopbackHasWriter(path: path) }

        var pixFormat = v4l2_format()
        pixFormat.type = V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue
        pixFormat.fmt.pix.width = UInt32(video.width)
        pixFormat.fmt.pix.height = UInt32(video.height)
        pixFormat.fmt.pix.pixelformat = V4L2FourCC(requestedFormat).rawValue
        pixFormat.fmt.pix.field = V4L2_FIELD_NONE.rawValue
        pixFormat.fmt.pix.bytesperline = UInt32(requestedFormat.planeLayout(width: video.width, height: video.height)[0].rowBytes)
        pixFormat.fmt.pix.sizeimage = UInt32(requestedFormat.byteCount(width: video.width, height: video.height))
        pixFormat.fmt.pix.colorspace = V4L2_COLORSPACE_SRGB.rawValue
        try device.require(RECAST_VIDIOC_S_FMT, "VIDIOC_S_FMT", &pixFormat)

        // The driver keeps the format of a writer that came before while readers
        // still hold the node; Recast then writes in that format.
        let answered = V4L2FourCC(rawValue: pixFormat.fmt.pix.pixelformat)
        guard let format = answered.pixelFormat else {
            throw .unsupportedFormat(path: path, detail: "the loopback is set to pixel format \(answered), which Recast cannot write; close the programs reading it and try again")
        }
        self.format = format
        width = Int(pixFormat.fmt.pix.width)
        height = Int(pixFormat.fmt.pix.height)
        if format != requestedFormat || width != video.width || height != video.height {
            logger.notice("\(path): asked for \(requestedFormat) \(video.width)x\(video.height), the loopback answered \(format) \(width)x\(height)")
        }
        setFrameRate(video.framesPerSecond)
        var type = Int32(V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue)
        try device.require(RECAST_VIDIOC_STREAMON, "VIDIOC_STREAMON", &type)
        logger.info("\(path): writing \(format) \(width)x\(height) to \(capabilities.card)")
    }

    deinit {
        var type = Int32(V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue)
        do {
            try device.control(RECAST_VIDIOC_STREAMOFF, "VIDIOC_STREAMOFF", &type)
        } catch {
            logger.warning("\(device.path): stopping the output failed: \(error)")
        }
    }

    /// Writes one whole picture; v4l2loopback takes a frame per write().
    func write(_ frame: VideoFrame) throws(V4L2Error) {
        let bytes = frame.contiguousBytes
        let fd = device.fd
        let written: Int
        do {
            written = try systemCall("write") { Glibc.write(fd, bytes.baseAddress, bytes.count) }
        } catch {
            throw V4L2Error.from(error, path: device.path)
        }
        guard written == bytes.count else {
            throw .unsupportedFormat(path: device.path, detail: "the loopback took \(written) of a \(bytes.count)-byte frame")
        }
    }

    /// Readers see this rate in VIDIOC_G_PARM; a driver that refuses it still works.
    private func setFrameRate(_ framesPerSecond: Double) {
        guard framesPerSecond > 0 else { return }
        var parameters = v4l2_streamparm()
        parameters.type = V4L2_BUF_TYPE_VIDEO_OUTPUT.rawValue
        parameters.parm.output.timeperframe = V4L2CaptureStream.frameInterval(forFPS: framesPerSecond)
        do {
            try device.control(RECAST_VIDIOC_S_PARM, "VIDIOC_S_PARM", &parameters)
        } catch {
            logger.notice("\(device.path): the loopback did not take the frame rate: \(error)")
        }
    }
}
