import CRecastShims
import CV4L2
import Glibc

extension V4L2DeviceHandle {
    /// The capture formats the device offers, with sizes and, when asked
    /// (each takes a call per size), frame rates. Formats libv4l2 only
    /// emulates are left out: these are what the hardware sends.
    func captureFormats(withFrameRates: Bool) throws(V4L2Error) -> [V4L2FormatDescription] {
        var formats: [V4L2FormatDescription] = []
        for index in 0... {
            var description = v4l2_fmtdesc()
            description.index = UInt32(index)
            description.type = V4L2_BUF_TYPE_VIDEO_CAPTURE.rawValue
            guard try enumerate(RECAST_VIDIOC_ENUM_FMT, "VIDIOC_ENUM_FMT", &description) else { break }
            if description.flags & UInt32(V4L2_FMT_FLAG_EMULATED) != 0 { continue }
            let fourCC = V4L2FourCC(rawValue: description.pixelformat)
            formats.append(V4L2FormatDescription(
                fourCC: fourCC,
                name: String(fixedCString: description.description),
                isCompressed: description.flags & UInt32(V4L2_FMT_FLAG_COMPRESSED) != 0,
                sizes: try frameSizes(of: fourCC, withFrameRates: withFrameRates)
            ))
        }
        return formats
    }

    private func frameSizes(of fourCC: V4L2FourCC, withFrameRates: Bool) throws(V4L2Error) -> V4L2FrameSizes {
        var sizes: [V4L2DiscreteSize] = []
        for index in 0... {
            var size = v4l2_frmsizeenum()
            size.index = UInt32(index)
            size.pixel_format = fourCC.rawValue
            guard try enumerate(RECAST_VIDIOC_ENUM_FRAMESIZES, "VIDIOC_ENUM_FRAMESIZES", &size) else { break }
            if size.type != V4L2_FRMSIZE_TYPE_DISCRETE.rawValue {
                let steps = size.stepwise
                return .range(V4L2SizeRange(
                    minWidth: Int(steps.min_width), maxWidth: Int(steps.max_width), widthStep: Int(steps.step_width),
                    minHeight: Int(steps.min_height), maxHeight: Int(steps.max_height), heightStep: Int(steps.step_height)))
            }
            let width = Int(size.discrete.width), height = Int(size.discrete.height)
            sizes.append(V4L2DiscreteSize(
                width: width, height: height,
                framesPerSecond: withFrameRates ? try frameRates(of: fourCC, width: width, height: height) : []))
        }
        return sizes.isEmpty ? .unlisted : .discrete(sizes)
    }

    /// Discrete frame rates only; a stepwise interval range is reported as its fastest rate.
    private func frameRates(of fourCC: V4L2FourCC, width: Int, height: Int) throws(V4L2Error) -> [Double] {
        var rates: [Double] = []
        for index in 0... {
            var interval = v4l2_frmivalenum()
            interval.index = UInt32(index)
            interval.pixel_format = fourCC.rawValue
            interval.width = UInt32(width)
            interval.height = UInt32(height)
            guard try enumerate(RECAST_VIDIOC_ENUM_FRAMEINTERVALS, "VIDIOC_ENUM_FRAMEINTERVALS", &interval) else { break }
            let fraction = interval.type == V4L2_FRMIVAL_TYPE_DISCRETE.rawValue ? interval.discrete : interval.stepwise.min
            if fraction.numerator > 0 { rates.append(Double(fraction.denominator) / Double(fraction.numerator)) }
            if interval.type != V4L2_FRMIVAL_TYPE_DISCRETE.rawValue { break }
        }
        return rates
    }

    /// One step of a VIDIOC_ENUM_* walk: false once the index is past the end (EINVAL).
    private func enumerate<Argument>(_ request: UInt, _ name: String, _ argument: inout Argument) throws(V4L2Error) -> Bool {
        do {
            try control(request, name, &argument)
            return true
        } catch where error.errno == EINVAL || error.errno == ENOTTY {
            return false
        } catch {
            throw V4L2Error.from(error, path: path)
        }
    }
}
