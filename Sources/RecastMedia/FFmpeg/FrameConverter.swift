import CFFmpeg

extension PixelFormat {
    var avPixelFormat: AVPixelFormat {
        switch self {
        case .yuyv: return AV_PIX_FMT_YUYV422
        case .nv12: return AV_PIX_FMT_NV12
        case .i420: return AV_PIX_FMT_YUV420P
        }
    }

    init?(_ format: AVPixelFormat) {
        switch format {
        case AV_PIX_FMT_YUYV422: self = .yuyv
        case AV_PIX_FMT_NV12: self = .nv12
        // yuvj420p (JPEG, MJPEG) is full range: it goes through swscale, which scales it to the limited range frames carry.
        case AV_PIX_FMT_YUV420P: self = .i420
        default: return nil
        }
    }
}

/// Converts pictures between pixel formats and sizes with libswscale. Keeps
/// the scaling context between calls, since frames of one stream share a shape.
public final class FrameConverter {
    private var context: OpaquePointer?
    private var contextKey: [Int32] = []

    public init() {}

    deinit { sws_freeContext(context) }

    /// Returns `frame` in `format` at `width`×`height` (the frame itself when nothing changes).
    public func convert(_ frame: VideoFrame, to format: PixelFormat, width: Int, height: Int) throws(MediaError) -> VideoFrame {
        if frame.format == format && frame.width == width && frame.height == height { return frame }
        var pointers: [UnsafePointer<UInt8>?] = frame.planes.indices.map { index in
            UnsafePointer(frame.plane(index).baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        var strides: [Int32] = frame.planes.map { Int32($0.stride) }
        return try scale(planes: &pointers, strides: &strides, format: frame.format.avPixelFormat,
                         width: frame.width, height: frame.height,
                         to: format, outputWidth: width, outputHeight: height,
                         timestamp: frame.timestamp, capturedAt: frame.capturedAt)
    }

    /// The frame as packed 8-bit RGB (full range, BT.601), row-major, 3 bytes per pixel.
    public func rgb(_ frame: VideoFrame) throws(MediaError) -> [UInt8] {
        let key = [frame.format.avPixelFormat.rawValue, Int32(frame.width), Int32(frame.height), AV_PIX_FMT_RGB24.rawValue]
        if key != contextKey {
            sws_freeContext(context)
            context = sws_getContext(Int32(frame.width), Int32(frame.height), frame.format.avPixelFormat,
                                     Int32(frame.width), Int32(frame.height), AV_PIX_FMT_RGB24, SWS_BILINEAR, nil, nil, nil)
            contextKey = key
        }
        guard let context else {
            contextKey = []
            throw .unsupported("cannot convert \(frame.format) to RGB")
        }
        // Padded like FrameStorage: libswscale's SIMD stores may run past the last row.
        var pixels = [UInt8](repeating: 0, count: frame.width * frame.height * 3 + FrameStorage.padding)
        var planes: [UnsafePointer<UInt8>?] = frame.planes.indices.map {
            UnsafePointer(frame.plane($0).baseAddress!.assumingMemoryBound(to: UInt8.self))
        }
        var strides: [Int32] = frame.planes.map { Int32($0.stride) }
        while planes.count < 4 { planes.append(nil); strides.append(0) }
        let status = pixels.withUnsafeMutableBufferPointer { buffer in
            var outputPlanes: [UnsafeMutablePointer<UInt8>?] = [buffer.baseAddress, nil, nil, nil]
            var outputStrides: [Int32] = [Int32(frame.width * 3), 0, 0, 0]
            return sws_scale(context, planes, strides, 0, Int32(frame.height), &outputPlanes, &outputStrides)
        }
        try check(status, "converting \(frame.width)x\(frame.height) \(frame.format) to RGB")
        pixels.removeLast(FrameStorage.padding)
        return pixels
    }

    /// A frame in `format` made from packed RGB, with the given timing.
    public func frame(fromRGB image: RGBImage, format: PixelFormat, timestamp: Int64, capturedAt: UInt64) throws(MediaError) -> VideoFrame {
        var padded = image.pixels + [UInt8](repeating: 0, count: FrameStorage.padding)
        return try padded.withUnsafeMutableBufferPointer { buffer throws(MediaError) in
            var planes: [UnsafePointer<UInt8>?] = [UnsafePointer(buffer.baseAddress), nil, nil, nil]
            var strides: [Int32] = [Int32(image.width * 3), 0, 0, 0]
            return try scale(planes: &planes, strides: &strides, format: AV_PIX_FMT_RGB24, width: image.width, height: image.height,
                             to: format, outputWidth: image.width, outputHeight: image.height,
                             timestamp: timestamp, capturedAt: capturedAt)
        }
    }

    /// Converts a decoded AVFrame of any pixel format into a packed `VideoFrame`.
    func convert(_ picture: UnsafePointer<AVFrame>, to format: PixelFormat, timestamp: Int64, capturedAt: UInt64) throws(MediaError) -> VideoFrame {
        let width = Int(picture.pointee.width)
        let height = Int(picture.pointee.height)
        let sourceFormat = AVPixelFormat(picture.pointee.format)
        var pointers: [UnsafePointer<UInt8>?] = withUnsafeBytes(of: picture.pointee.data) { raw in
            raw.bindMemory(to: UnsafeMutablePointer<UInt8>?.self).map { $0.map { UnsafePointer($0) } }
        }
        var strides: [Int32] = withUnsafeBytes(of: picture.pointee.linesize) { Array($0.bindMemory(to: Int32.self)) }
        if PixelFormat(sourceFormat) == format {
            let frame = VideoFrame(width: width, height: height, format: format, timestamp: timestamp, capturedAt: capturedAt)
            for index in frame.planes.indices {
                frame.copyPlane(index, from: pointers[index]!, sourceStride: Int(strides[index]))
            }
            return frame
        }
        return try scale(planes: &pointers, strides: &strides, format: sourceFormat, width: width, height: height,
                         to: format, outputWidth: width, outputHeight: height,
                         timestamp: timestamp, capturedAt: capturedAt)
    }

    private func scale(
        planes: inout [UnsafePointer<UInt8>?], strides: inout [Int32], format: AVPixelFormat,
        width: Int, height: Int, to outputFormat: PixelFormat, outputWidth: Int, outputHeight: Int,
        timestamp: Int64, capturedAt: UInt64
    ) throws(MediaError) -> VideoFrame {
        let key = [format.rawValue, Int32(width), Int32(height), outputFormat.avPixelFormat.rawValue, Int32(outputWidth), Int32(outputHeight)]
        if key != contextKey {
            sws_freeContext(context)
            context = sws_getContext(Int32(width), Int32(height), format,
                                     Int32(outputWidth), Int32(outputHeight), outputFormat.avPixelFormat,
                                     SWS_BILINEAR, nil, nil, nil)
            contextKey = key
        }
        guard let context else {
            contextKey = []
            throw .unsupported("cannot convert \(width)x\(height) pixel format \(format.rawValue) to \(outputFormat) \(outputWidth)x\(outputHeight)")
        }
        let output = VideoFrame(width: outputWidth, height: outputHeight, format: outputFormat, timestamp: timestamp, capturedAt: capturedAt)
        var outputPlanes: [UnsafeMutablePointer<UInt8>?] = output.planes.indices.map {
            output.plane($0).baseAddress!.assumingMemoryBound(to: UInt8.self)
        }
        var outputStrides: [Int32] = output.planes.map { Int32($0.stride) }
        while planes.count < 4 { planes.append(nil); strides.append(0) }
        while outputPlanes.count < 4 { outputPlanes.append(nil); outputStrides.append(0) }
        try check(sws_scale(context, planes, strides, 0, Int32(height), outputPlanes, outputStrides),
                  "converting \(width)x\(height) to \(outputFormat)")
        return output
    }
}
