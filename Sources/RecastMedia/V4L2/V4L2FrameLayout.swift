/// How a picture lies in a V4L2 capture buffer: planes one after another,
/// each row padded to `bytesPerLine` (half of it for YU12's chroma planes).
struct V4L2FrameLayout: Equatable {
    let format: PixelFormat
    let width: Int
    let height: Int
    let bytesPerLine: Int

    /// A `bytesPerLine` of 0 (some drivers leave it unset) means tightly packed rows.
    init(format: PixelFormat, width: Int, height: Int, bytesPerLine: Int) {
        self.format = format
        self.width = width
        self.height = height
        let tight = format.planeLayout(width: width, height: height)[0].rowBytes
        self.bytesPerLine = bytesPerLine == 0 ? tight : bytesPerLine
    }

    /// Whether each row has room for the pixels it must hold.
    var isValid: Bool {
        bytesPerLine >= format.planeLayout(width: width, height: height)[0].rowBytes
    }

    /// Offset and stride of each plane inside the buffer.
    var planes: [(offset: Int, stride: Int)] {
        let chromaRows = (height + 1) / 2
        let lumaBytes = bytesPerLine * height
        switch format {
        case .yuyv: return [(0, bytesPerLine)]
        case .nv12: return [(0, bytesPerLine), (lumaBytes, bytesPerLine)]
        case .i420:
            let chromaStride = bytesPerLine / 2
            return [(0, bytesPerLine), (lumaBytes, chromaStride), (lumaBytes + chromaStride * chromaRows, chromaStride)]
        }
    }

    /// The smallest buffer that holds a whole picture.
    var minimumBytes: Int {
        let rows = format.planeLayout(width: width, height: height)
        return zip(planes, rows).map { plane, layout in plane.offset + plane.stride * (layout.rows - 1) + layout.rowBytes }.max() ?? 0
    }

    /// Copies a captured picture into a tightly packed frame; nil when the
    /// buffer is too short to hold one (a driver's partial or failed frame).
    func frame(from buffer: UnsafeRawBufferPointer, timestamp: Int64, capturedAt: UInt64) -> VideoFrame? {
        guard let base = buffer.baseAddress, buffer.count >= minimumBytes else { return nil }
        let frame = VideoFrame(width: width, height: height, format: format, timestamp: timestamp, capturedAt: capturedAt)
        for (index, plane) in planes.enumerated() {
            frame.copyPlane(index, from: base + plane.offset, sourceStride: plane.stride)
        }
        return frame
    }
}
