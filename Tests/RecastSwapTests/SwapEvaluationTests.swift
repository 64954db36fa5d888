import RecastMedia
import Testing
@testable import RecastSwap

/// The arithmetic behind `recastd eval`, on made-up numbers, pictures and meshes.
@Suite("Swap evaluation")
struct SwapEvaluationTests {
    @Test("Pearson correlation: known values, sign, and series far from zero")
    func pearson() throws {
        #expect(try #require(SeriesStatistics.pearsonCorrelation([1, 2, 3, 4], [2, 4, 6, 8])) == 1)
        #expect(try #require(SeriesStatistics.pearsonCorrelation([1, 2, 3, 4], [8, 6, 4, 2])) == -1)
        #expect(abs(try #require(SeriesStatistics.pearsonCorrelation([1, 2, 3, 4], [1, 3, 2, 4])) - 0.8) < 1e-12)
        let offset = [1, 2, 3, 5].map { 1e9 + $0 }
        #expect(abs(try #require(SeriesStatistics.pearsonCorrelation(offset, [1, 2, 3, 5])) - 1) < 1e-9)
    }

    @Test("Pearson correlation is undefined for a constant series or fewer than two pairs")
    func pearsonUndefined() {
        #expect(SeriesStatistics.pearsonCorrelation([0.3, 0.3, 0.3], [1, 2, 3]) == nil)
        #expect(SeriesStatistics.pearsonCorrelation([0.3, 0.3], [0.3, 0.3]) == nil)
        #expect(SeriesStatistics.pearsonCorrelation([1], [1]) == nil)
        #expect(SeriesStatistics.pearsonCorrelation([], []) == nil)
        #expect(SeriesStatistics.mean([]) == nil)
    }

    @Test("frame change counts only the region; the flicker ratio of still clips is 1")
    func frameChange() {
        let before = RGBImage(width: 4, height: 2, pixels: [UInt8](repeating: 100, count: 24))
        var changed = before.pixels
        for index in 0..<6 { changed[index] = 130 }  // the first two pixels of the top row
        changed[23] = 0  // far corner, outside the region below
        let after = RGBImage(width: 4, height: 2, pixels: changed)
        let region = PixelRect(x: 0, y: 0, width: 2, height: 2)
        #expect(FrameChange.meanAbsolute(from: before, to: after, in: region) == 15)
        #expect(FrameChange.meanAbsolute(from: after, to: before, in: region) == 15)
        #expect(FrameChange.meanAbsolute(from: before, to: before, in: region) == 0)

        #expect(FrameChange.flickerRatio(outputChange: 3, sourceChange: 2) == 1.5)
        #expect(FrameChange.flickerRatio(outputChange: 0, sourceChange: 0) == 1)
        #expect(FrameChange.flickerRatio(outputChange: 1, sourceChange: 0) == nil)
    }

    @Test("the face region is the union of the boxes, clipped to the picture")
    func region() {
        let boxes: [(x: Float, y: Float, width: Float, height: Float)] = [(10.5, 20, 30, 40), (-5, 25, 20, 50)]
        #expect(PixelRect(covering: boxes, width: 64, height: 64) == PixelRect(x: 0, y: 20, width: 41, height: 44))
        #expect(PixelRect(covering: [(100, 100, 10, 10)], width: 64, height: 64) == nil)
        #expect(PixelRect(covering: [], width: 64, height: 64) == nil)
    }

    /// A mesh with only the points the openings read set: a face 100 px wide centred at the origin.
    static func mesh(lipGap: Float, lidGap: Float) -> [SIMD3<Float>] {
        var mesh = [SIMD3<Float>](repeating: .zero, count: 468)
        mesh[234] = SIMD3(-50, 0, 0)
        mesh[454] = SIMD3(50, 0, 0)
        mesh[13] = SIMD3(0, 30, 0)
        mesh[14] = SIMD3(0, 30 + lipGap, 0)
        for (corners, lids) in [((33, 133), (159, 145)), ((362, 263), (386, 374))] {
            let x: Float = corners.0 == 33 ? -30 : 10
            mesh[corners.0] = SIMD3(x, -20, 0)
            mesh[corners.1] = SIMD3(x + 20, -20, 0)
            mesh[lids.0] = SIMD3(x + 10, -20 - lidGap / 2, 0)
            mesh[lids.1] = SIMD3(x + 10, -20 + lidGap / 2, 0)
        }
        return mesh
    }

    @Test("mouth and eye openings are gaps over widths")
    func openings() {
        let mesh = Self.mesh(lipGap: 10, lidGap: 5)
        #expect(FaceOpenings.faceWidth(mesh) == 100)
        #expect(abs(FaceOpenings.mouth(mesh) - 0.1) < 1e-9)
        #expect(abs(FaceOpenings.eyes(mesh) - 0.25) < 1e-9)
        #expect(FaceOpenings.mouth(Self.mesh(lipGap: 0, lidGap: 5)) == 0)
    }

    static func reading(_ embedding: [Float], mouth: Double, eyes: Double, x: Double = 0) -> FaceReading {
        FaceReading(embedding: embedding, mouth: mouth, eyes: eyes, centre: SIMD2(x, 0), width: 100)
    }

    @Test("a clip against itself: correlations 1, no head error, flicker 1, similarity to the source 1")
    func identicalClips() throws {
        let faces = (0..<5).map { Self.reading([1, 0], mouth: Double($0 % 3) * 0.1, eyes: 0.3 - Double($0 % 2) * 0.1, x: Double($0)) }
        let frames = faces.indices.map { FrameMeasurement(source: faces[$0], output: faces[$0], change: $0 == 0 ? nil : (4, 4)) }
        let summary = ClipSummary(frames: frames, reference: [0, 1])
        #expect(summary.measured == 5)
        #expect(abs(try #require(summary.mouthCorrelation) - 1) < 1e-12)
        #expect(abs(try #require(summary.eyeCorrelation) - 1) < 1e-12)
        #expect(summary.headPositionError == 0)
        #expect(summary.flickerRatio == 1)
        #expect(summary.similarityToSource == 1)
        #expect(summary.similarityToReference == 0)
        #expect(summary.closerToReference == 0)
    }

    @Test("frames without a face are counted; an output without one is not closer to the reference")
    func missingFaces() {
        let source = Self.reading([1, 0], mouth: 0.1, eyes: 0.3)
        let swapped = Self.reading([0.6, 0.8], mouth: 0.1, eyes: 0.3, x: 5)
        let frames = [
            FrameMeasurement(source: source, output: swapped, change: nil),
            FrameMeasurement(source: source, output: nil, change: (2, 3)),
            FrameMeasurement(source: nil, output: swapped, change: nil),
            FrameMeasurement(source: source, output: swapped, change: (2, 1)),
        ]
        let summary = ClipSummary(frames: frames, reference: [0, 1])
        #expect(summary.frames == 4)
        #expect(summary.sourceWithoutFace == 1)
        #expect(summary.outputWithoutFace == 1)
        #expect(summary.measured == 2)
        #expect(summary.closerToReference == 2.0 / 3)
        #expect(abs(summary.similarityToReference! - 0.8) < 1e-6)
        #expect(abs(summary.similarityToSource! - 0.6) < 1e-6)
        #expect(summary.headPositionError == 0.05)
        #expect(summary.flickerRatio == 1)
        // The mouth never moves: its correlation is undefined, and so misses its goal.
        #expect(summary.mouthCorrelation == nil)
        #expect(SwapMetric.mouthCorrelation.meetsGoal(summary.mouthCorrelation) == false)
    }

    @Test("goals: bounds included, undefined figures miss, figures without goals have none")
    func goals() {
        #expect(SwapMetric.closerToReference.meetsGoal(0.9) == true)
        #expect(SwapMetric.closerToReference.meetsGoal(0.89) == false)
        #expect(SwapMetric.flickerRatio.meetsGoal(1.3) == true)
        #expect(SwapMetric.flickerRatio.meetsGoal(1.31) == false)
        #expect(SwapMetric.eyeCorrelation.meetsGoal(nil) == false)
        #expect(SwapMetric.headPositionError.meetsGoal(0.5) == nil)
    }

    @Test("clips of different sizes or frame counts are refused, naming both")
    func pairing() throws {
        let source = ClipShape(path: "in.mp4", width: 480, height: 480, frames: 216)
        try ClipShape.checkPaired(source: source, output: source)
        var output = source
        output.path = "out.mp4"
        output.frames = 200
        #expect(throws: EvaluationError.frameCountMismatch(source: source, output: output)) {
            try ClipShape.checkPaired(source: source, output: output)
        }
        #expect("\(EvaluationError.frameCountMismatch(source: source, output: output))".contains("in.mp4 has 216 frames but the output out.mp4 has 200"))
        output.width = 640
        #expect("\(EvaluationError.sizeMismatch(source: source, output: output))".contains("in.mp4 is 480x480 but the output out.mp4 is 640x480"))
        #expect(throws: EvaluationError.sizeMismatch(source: source, output: output)) {
            try ClipShape.checkPaired(source: source, output: output)
        }
        output.frames = 0
        #expect(throws: EvaluationError.noFrames("out.mp4")) { try ClipShape.checkPaired(source: source, output: output) }
    }
}
