import RecastMedia

/// Measures a swapped clip against its source, one frame pair at a time, with the bundled face
/// models: each frame's largest face is detected afresh (no tracking, so both clips are read
/// the same way), with its identity embedding and its mesh.
public final class SwapEvaluator {
    private let analyzer: FaceAnalyzer
    private var previous: (source: RGBImage, output: RGBImage, sourceFace: AnalyzedFace?)?
    public private(set) var measurements: [FrameMeasurement] = []

    public init(analyzer: FaceAnalyzer) {
        analyzer.measuresMesh = true
        analyzer.embedsIdentity = true
        self.analyzer = analyzer
    }

    /// Measures the next frame of the source and the same frame of the output (same size).
    public func add(source: RGBImage, output: RGBImage) throws {
        let sourceFace = try analyzer.analyze(source).max { $0.area < $1.area }
        analyzer.measuresMesh = false
        defer { analyzer.measuresMesh = true }
        var outputFace = try analyzer.analyze(output).max { $0.area < $1.area }
        if let found = outputFace {
            // The output's mesh is read through the source face's crop (its own where the source has no face):
            // the detector's box jitters from frame to frame, and through one crop that jitter is the same on
            // both sides instead of adding noise to every comparison.
            let face = sourceFace ?? found
            let crop = FaceCrop(box: face.box, rightEye: face.keypoints[0], leftEye: face.keypoints[1])
            outputFace?.mesh = try analyzer.measureMesh(output, crop: crop).0
        }
        var change: (source: Double, output: Double)?
        if let previous, let before = previous.sourceFace, let now = sourceFace,
           let region = PixelRect(covering: [before.box, now.box], width: source.width, height: source.height)
        {
            change = (FrameChange.meanAbsolute(from: previous.source, to: source, in: region),
                      FrameChange.meanAbsolute(from: previous.output, to: output, in: region))
        }
        measurements.append(FrameMeasurement(source: sourceFace.map(FaceReading.init), output: outputFace.map(FaceReading.init), change: change))
        previous = (source, output, sourceFace)
    }
}
