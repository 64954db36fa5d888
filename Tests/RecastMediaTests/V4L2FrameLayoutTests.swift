import Testing
@testable import RecastMedia

@Suite struct V4L2FrameLayoutTests {
    /// A buffer whose every byte encodes its row and column within its plane, so misplaced copies show.
    private func buffer(_ layout: V4L2FrameLayout) -> [UInt8] {
        var bytes = [UInt8](repeating: 0xEE, count: layout.minimumBytes)
        let rows = layout.format.planeLayout(width: layout.width, height: layout.height)
        for (index, plane) in layout.planes.enumerated() {
            for row in 0..<rows[index].rows {
                for column in 0..<rows[index].rowBytes {
                    bytes[plane.offset + row * plane.stride + column] = UInt8(truncatingIfNeeded: index * 64 + row * 7 + column)
                }
            }
        }
        return bytes
    }

    private func expectPacked(_ frame: VideoFrame) {
        for index in frame.planes.indices {
            let plane = frame.plane(index)
            let stride = frame.planes[index].stride
            for row in 0..<frame.planes[index].rows {
                for column in 0..<stride where plane[row * stride + column] != UInt8(truncatingIfNeeded: index * 64 + row * 7 + column) {
                    Issue.record("plane \(index) row \(row) column \(column) holds \(plane[row * stride + column])")
                    return
                }
            }
        }
    }

    @Test(arguments: [PixelFormat.yuyv, .nv12, .i420])
    func paddedRowsArePackedTightly(format: PixelFormat) throws {
        let tight = format.planeLayout(width: 64, height: 6)[0].rowBytes
        let layout = V4L2FrameLayout(format: format, width: 64, height: 6, bytesPerLine: tight + 32)
        let bytes = buffer(layout)
        let frame = try #require(bytes.withUnsafeBytes { layout.frame(from: $0, timestamp: 40_000, capturedAt: 7) })
        #expect(frame.format == format && frame.width == 64 && frame.height == 6)
        #expect(frame.timestamp == 40_000 && frame.capturedAt == 7)
        expectPacked(frame)
    }

    @Test func yu12ChromaPlanesUseHalfTheLineLength() {
        let layout = V4L2FrameLayout(format: .i420, width: 64, height: 6, bytesPerLine: 128)
        #expect(layout.planes.map(\.offset) == [0, 768, 768 + 64 * 3])
        #expect(layout.planes.map(\.stride) == [128, 64, 64])
    }

    @Test func unsetLineLengthMeansTightRows() {
        let layout = V4L2FrameLayout(format: .yuyv, width: 640, height: 480, bytesPerLine: 0)
        #expect(layout.bytesPerLine == 1280)
        #expect(layout.minimumBytes == 640 * 480 * 2)
        #expect(layout.isValid)
        #expect(!V4L2FrameLayout(format: .yuyv, width: 640, height: 480, bytesPerLine: 640).isValid)
    }

    @Test func shortBufferGivesNoFrame() {
        let layout = V4L2FrameLayout(format: .yuyv, width: 64, height: 4, bytesPerLine: 128)
        let bytes = [UInt8](repeating: 0, count: layout.minimumBytes - 1)
        #expect(bytes.withUnsafeBytes { layout.frame(from: $0, timestamp: 0, capturedAt: 0) } == nil)
    }
}
