import CV4L2
import Testing
@testable import RecastMedia

@Suite struct V4L2FullRangeTests {
    @Test func endsOfTheFullRangeLandOnTheLimitedRange() {
        #expect(FullRangeCompression.luma[0] == 16 && FullRangeCompression.luma[255] == 235)
        #expect(FullRangeCompression.chroma[0] == 16 && FullRangeCompression.chroma[128] == 128 && FullRangeCompression.chroma[255] == 240)
    }

    @Test func yuyvLumaAndChromaBytesUseTheirOwnScale() {
        let frame = VideoFrame(width: 2, height: 1, format: .yuyv)
        frame.plane(0).copyBytes(from: [0, 0, 255, 255])
        FullRangeCompression.apply(to: frame)
        #expect(Array(frame.plane(0)) == [16, 16, 235, 240])
    }

    @Test func planarFramesScaleLumaAndChromaPlanes() {
        let frame = VideoFrame(width: 2, height: 2, format: .i420)
        frame.plane(0).copyBytes(from: [0, 255, 0, 255])
        frame.plane(1).copyBytes(from: [255])
        frame.plane(2).copyBytes(from: [0])
        FullRangeCompression.apply(to: frame)
        #expect(Array(frame.plane(0)) == [16, 235, 16, 235])
        #expect(Array(frame.plane(1)) == [240] && Array(frame.plane(2)) == [16])
    }

    @Test func jpegAndFullRangeFormatsAreFullRange() {
        let srgb = V4L2_COLORSPACE_SRGB.rawValue, jpeg = V4L2_COLORSPACE_JPEG.rawValue
        let byDefault = V4L2_QUANTIZATION_DEFAULT.rawValue
        #expect(FullRangeCompression.isFullRange(decodedFromJPEG: true, quantization: byDefault, colorspace: srgb))
        #expect(FullRangeCompression.isFullRange(decodedFromJPEG: false, quantization: V4L2_QUANTIZATION_FULL_RANGE.rawValue, colorspace: srgb))
        #expect(FullRangeCompression.isFullRange(decodedFromJPEG: false, quantization: byDefault, colorspace: jpeg))
        #expect(!FullRangeCompression.isFullRange(decodedFromJPEG: false, quantization: byDefault, colorspace: srgb))
        #expect(!FullRangeCompression.isFullRange(decodedFromJPEG: false, quantization: V4L2_QUANTIZATION_LIM_RANGE.rawValue, colorspace: jpeg))
    }
}
