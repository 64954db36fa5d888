import CV4L2

/// Maps full-range Y'CbCr (0–255, what JPEG and so MJPEG cameras carry) to the
/// limited range (Y' 16–235, Cb/Cr 16–240) that frames travel in through
/// Recast and that v4l2loopback readers assume for YUYV and I420.
enum FullRangeCompression {
    static let luma: [UInt8] = (0...255).map { UInt8((16 + Double($0) * 219 / 255).rounded()) }
    static let chroma: [UInt8] = (0...255).map { UInt8((128 + (Double($0) - 128) * 224 / 255).rounded()) }

    /// Whether a captured format holds full-range samples: JPEG-coded video
    /// always does (libv4lconvert keeps its range when it decodes), others
    /// when the driver says so (V4L2's default for Y'CbCr is limited range,
    /// except in the JPEG colorspace).
    static func isFullRange(decodedFromJPEG: Bool, quantization: UInt32, colorspace: UInt32) -> Bool {
        if decodedFromJPEG { return true }
        switch quantization {
        case V4L2_QUANTIZATION_FULL_RANGE.rawValue: return true
        case V4L2_QUANTIZATION_DEFAULT.rawValue: return colorspace == V4L2_COLORSPACE_JPEG.rawValue
        default: return false
        }
    }

    /// Rewrites a frame's samples in place.
    static func apply(to frame: VideoFrame) {
        for index in frame.planes.indices {
            let plane = frame.plane(index).bindMemory(to: UInt8.self)
            switch (frame.format, index) {
            case (.yuyv, _):
                // Y0 Cb Y1 Cr: luma on even bytes, chroma on odd ones.
                luma.withUnsafeBufferPointer { luma in
                    chroma.withUnsafeBufferPointer { chroma in
                        var offset = 0
                        while offset + 1 < plane.count {
                            plane[offset] = luma[Int(plane[offset])]
                            plane[offset + 1] = chroma[Int(plane[offset + 1])]
                            offset += 2
                        }
                    }
                }
            case (_, 0):
                remap(plane, with: luma)
            default:
                remap(plane, with: chroma)
            }
        }
    }

    private static func remap(_ samples: UnsafeMutableBufferPointer<UInt8>, with table: [UInt8]) {
        table.withUnsafeBufferPointer { table in
            for offset in samples.indices { samples[offset] = table[Int(samples[offset])] }
        }
    }
}
