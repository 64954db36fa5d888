import CRecastShims
import CV4L2
import Glibc
import Logging

/// Format and frame-rate negotiation: Recast asks, the driver answers, and
/// the answer is what Recast uses (and logs when it differs).
extension V4L2CaptureStream {
    static func setFormat(_ plan: V4L2FormatPlan, size requestedSize: (width: Int, height: Int)?,
                          on device: V4L2DeviceHandle, logger: Logger) throws(V4L2Error) -> (layout: V4L2FrameLayout, fullRange: Bool) {
        var format = v4l2_format()
        format.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        try device.require(RECAST_VIDIOC_G_FMT, "VIDIOC_G_FMT", &format)
        let asked = requestedSize ?? (Int(format.fmt.pix.width), Int(format.fmt.pix.height))
        format.fmt.pix.width = UInt32(asked.width)
        format.fmt.pix.height = UInt32(asked.height)
        format.fmt.pix.pixelformat = plan.request.rawValue
        format.fmt.pix.field = V4L2_FIELD_NONE.rawValue
        format.fmt.pix.bytesperline = 0
        format.fmt.pix.sizeimage = 0
        try device.require(RECAST_VIDIOC_S_FMT, "VIDIOC_S_FMT", &format)

        let answered = V4L2FourCC(rawValue: format.fmt.pix.pixelformat)
        guard let pixelFormat = answered.pixelFormat else {
            throw .unsupportedFormat(path: device.path, detail: "the driver answered pixel format \(answered) to a request for \(plan.request), and libv4l cannot convert it")
        }
        let layout = V4L2FrameLayout(format: pixelFormat, width: Int(format.fmt.pix.width), height: Int(format.fmt.pix.height),
                                     bytesPerLine: Int(format.fmt.pix.bytesperline))
        guard layout.isValid else {
            throw .unsupportedFormat(path: device.path, detail: "the driver answered \(layout.bytesPerLine) bytes per line for \(layout.width) pixels of \(answered)")
        }
        if plan.isConverted {
            logger.info("\(device.path) sends \(plan.source); libv4lconvert converts it to \(answered)")
        }
        if layout.width != asked.width || layout.height != asked.height {
            logger.notice("\(device.path): asked for \(asked.width)x\(asked.height), the driver answered \(layout.width)x\(layout.height)")
        }
        logger.info("\(device.path) capture format: \(answered) \(layout.width)x\(layout.height), \(layout.bytesPerLine) bytes per line")
        let fullRange = FullRangeCompression.isFullRange(
            decodedFromJPEG: V4L2FormatNegotiation.decoded.contains(plan.source),
            quantization: format.fmt.pix.quantization, colorspace: format.fmt.pix.colorspace)
        if fullRange {
            logger.info("\(device.path) sends full-range video; Recast scales it to the limited range readers expect")
        }
        return (layout, fullRange)
    }

    /// Returns the frame rate the driver settled on.
    static func setFrameRate(_ requestedFPS: Double?, on device: V4L2DeviceHandle, logger: Logger) throws(V4L2Error) -> Double {
        var parameters = v4l2_streamparm()
        parameters.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
        let hasParameters = (try? device.control(RECAST_VIDIOC_G_PARM, "VIDIOC_G_PARM", &parameters)) != nil
        let settable = hasParameters && parameters.parm.capture.capability & UInt32(V4L2_CAP_TIMEPERFRAME) != 0
        if let requestedFPS {
            if settable {
                parameters.parm.capture.timeperframe = frameInterval(forFPS: requestedFPS)
                try device.require(RECAST_VIDIOC_S_PARM, "VIDIOC_S_PARM", &parameters)
            } else {
                logger.notice("\(device.path): the driver does not let applications choose the frame rate; --fps \(requestedFPS.formatted(maxFractionDigits: 3)) is ignored")
            }
        }
        let interval = parameters.parm.capture.timeperframe
        guard hasParameters, interval.numerator > 0, interval.denominator > 0 else {
            let assumed = requestedFPS ?? 30
            logger.notice("\(device.path): the driver does not report its frame rate; assuming \(assumed.formatted(maxFractionDigits: 3)) fps")
            return assumed
        }
        let answered = Double(interval.denominator) / Double(interval.numerator)
        if let requestedFPS, settable, abs(answered - requestedFPS) > 0.01 {
            logger.notice("\(device.path): asked for \(requestedFPS.formatted(maxFractionDigits: 3)) fps, the driver answered \(answered.formatted(maxFractionDigits: 3)) fps")
        }
        return answered
    }

    /// 1/fps as a fraction in thousandths, reduced (29.97 → 100/2997).
    static func frameInterval(forFPS fps: Double) -> v4l2_fract {
        let numerator = 1000
        let denominator = max(Int((fps * 1000).rounded()), 1)
        let divisor = greatestCommonDivisor(numerator, denominator)
        return v4l2_fract(numerator: UInt32(numerator / divisor), denominator: UInt32(denominator / divisor))
    }

    private static func greatestCommonDivisor(_ a: Int, _ b: Int) -> Int { b == 0 ? a : greatestCommonDivisor(b, a % b) }
}
