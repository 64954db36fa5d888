import Testing
@testable import RecastMedia

@Suite struct V4L2FormatNegotiationTests {
    private func format(_ fourCC: V4L2FourCC, compressed: Bool = false, sizes: [(Int, Int)]) -> V4L2FormatDescription {
        V4L2FormatDescription(fourCC: fourCC, name: "\(fourCC)", isCompressed: compressed,
                              sizes: .discrete(sizes.map { V4L2DiscreteSize(width: $0.0, height: $0.1, framesPerSecond: [30]) }))
    }

    @Test func prefersYUYVThenNV12ThenYU12() {
        let offered = [format(.yu12, sizes: [(640, 480)]), format(.nv12, sizes: [(640, 480)]), format(.yuyv, sizes: [(640, 480)])]
        #expect(V4L2FormatNegotiation.plan(offered: offered, requestedSize: nil) == V4L2FormatPlan(source: .yuyv, request: .yuyv))
        #expect(V4L2FormatNegotiation.plan(offered: Array(offered.prefix(2)), requestedSize: nil) == V4L2FormatPlan(source: .nv12, request: .nv12))
    }

    @Test func decodesMJPEGToYU12WhenOnlyItOffersTheRequestedSize() {
        // A typical webcam: raw YUYV only at small sizes, 720p only as MJPEG.
        let offered = [format(.yuyv, sizes: [(640, 480)]), format(.mjpeg, compressed: true, sizes: [(640, 480), (1280, 720)])]
        let plan = V4L2FormatNegotiation.plan(offered: offered, requestedSize: (1280, 720))
        #expect(plan == V4L2FormatPlan(source: .mjpeg, request: .yu12))
        #expect(plan?.isConverted == true)
        #expect(V4L2FormatNegotiation.plan(offered: offered, requestedSize: (640, 480)) == V4L2FormatPlan(source: .yuyv, request: .yuyv))
    }

    @Test func fallsBackToThePreferredFormatWhenNoneOffersTheSize() {
        let offered = [format(.mjpeg, compressed: true, sizes: [(640, 480)]), format(.yuyv, sizes: [(320, 240)])]
        #expect(V4L2FormatNegotiation.plan(offered: offered, requestedSize: (1920, 1080)) == V4L2FormatPlan(source: .yuyv, request: .yuyv))
    }

    @Test func convertsAnythingElseToYU12() {
        let rgb = V4L2FourCC(rawValue: 0x3342_4752) // "RGB3"
        #expect(V4L2FormatNegotiation.plan(offered: [format(rgb, sizes: [(640, 480)])], requestedSize: nil) == V4L2FormatPlan(source: rgb, request: .yu12))
        #expect(V4L2FormatNegotiation.plan(offered: [], requestedSize: nil) == nil)
    }

    @Test func sizeRangesHonourTheirSteps() {
        let range = V4L2SizeRange(minWidth: 16, maxWidth: 1920, widthStep: 16, minHeight: 16, maxHeight: 1080, heightStep: 8)
        #expect(V4L2FrameSizes.range(range).contains(width: 640, height: 480))
        #expect(!V4L2FrameSizes.range(range).contains(width: 641, height: 480))
        #expect(!V4L2FrameSizes.range(range).contains(width: 3840, height: 2160))
    }

    @Test func frameIntervalIsTheReducedInverseOfTheRate() {
        let pal = V4L2CaptureStream.frameInterval(forFPS: 25)
        #expect(pal.numerator == 1 && pal.denominator == 25)
        let ntsc = V4L2CaptureStream.frameInterval(forFPS: 29.97)
        #expect(ntsc.numerator == 100 && ntsc.denominator == 2997)
    }
}
