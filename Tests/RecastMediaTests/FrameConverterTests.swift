import Testing
@testable import RecastMedia

@Suite("Frames")
struct FrameConverterTests {
    /// A frame whose luma is a horizontal ramp and whose chroma is constant.
    func ramp(width: Int, height: Int, format: PixelFormat) throws -> VideoFrame {
        let i420 = VideoFrame(width: width, height: height, format: .i420)
        let luma = i420.plane(0)
        for y in 0..<height { for x in 0..<width { luma[y * width + x] = UInt8(16 + (x * 200) / max(1, width - 1)) } }
        i420.plane(1).initializeMemory(as: UInt8.self, repeating: 90)
        i420.plane(2).initializeMemory(as: UInt8.self, repeating: 170)
        return try FrameConverter().convert(i420, to: format, width: width, height: height)
    }

    @Test("plane layouts, odd sizes included", arguments: [(PixelFormat.yuyv, 5, 3, 36), (.nv12, 5, 3, 27), (.i420, 5, 3, 27), (.i420, 1, 1, 3)])
    func layouts(_ format: PixelFormat, _ width: Int, _ height: Int, _ bytes: Int) {
        #expect(format.byteCount(width: width, height: height) == bytes)
        #expect(VideoFrame(width: width, height: height, format: format).byteCount == bytes)
    }

    @Test("YUYV and NV12 round trips through I420 keep the picture", arguments: [PixelFormat.yuyv, .nv12])
    func roundTrip(_ format: PixelFormat) throws {
        let width = 64, height = 48
        let original = try ramp(width: width, height: height, format: .i420)
        let converter = FrameConverter()
        let converted = try converter.convert(original, to: format, width: width, height: height)
        #expect(converted.format == format)
        let back = try converter.convert(converted, to: .i420, width: width, height: height)
        let a = original.contiguousBytes, b = back.contiguousBytes
        let worst = zip(a, b).map { abs(Int($0) - Int($1)) }.max() ?? 0
        #expect(worst <= 2, "largest difference \(worst)")
    }

    @Test("scaling keeps the ramp")
    func scaling() throws {
        let original = try ramp(width: 64, height: 48, format: .i420)
        let half = try FrameConverter().convert(original, to: .i420, width: 32, height: 24)
        let luma = half.plane(0)
        #expect(luma[0] < 30 && luma[31] > 200)
        #expect(half.plane(1)[0] == 90 && half.plane(2)[0] == 170)
    }

    @Test("the no-signal picture has its text in the middle, any size", arguments: [(1280, 720), (321, 239), (16, 16)])
    func noSignal(_ width: Int, _ height: Int) {
        let frame = NoSignalPicture.make(width: width, height: height)
        let luma = frame.plane(0)
        let inked = (0..<(width * height)).filter { luma[$0] == NoSignalPicture.ink }.count
        #expect(inked > 0)
        #expect(luma[0] == NoSignalPicture.background)
        #expect(frame.plane(1).allSatisfy { $0 == 128 })
    }
}
