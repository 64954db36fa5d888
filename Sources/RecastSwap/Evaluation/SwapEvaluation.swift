import RecastNN

/// What the evaluation reads off one face in one frame.
public struct FaceReading: Sendable {
    /// MobileFace embedding, L2-normalised.
    public var embedding: [Float]
    /// See `FaceOpenings.mouth` and `FaceOpenings.eyes`.
    public var mouth: Double
    public var eyes: Double
    /// Mesh centre and cheek-to-cheek width, in pixels.
    public var centre: SIMD2<Double>
    public var width: Double

    public init(embedding: [Float], mouth: Double, eyes: Double, centre: SIMD2<Double>, width: Double) {
        self.embedding = embedding
        self.mouth = mouth
        self.eyes = eyes
        self.centre = centre
        self.width = width
    }

    /// The reading of a face analysed with both the mesh and the embedding.
    public init(_ face: AnalyzedFace) {
        precondition(!face.mesh.isEmpty && !face.embedding.isEmpty, "evaluating a face analysed without its mesh or embedding")
        self.init(embedding: face.embedding, mouth: FaceOpenings.mouth(face.mesh), eyes: FaceOpenings.eyes(face.mesh),
                  centre: FaceOpenings.centre(face.mesh), width: FaceOpenings.faceWidth(face.mesh))
    }
}

/// One frame of a source clip and the same frame of its swapped output.
public struct FrameMeasurement: Sendable {
    /// The largest face of each frame; nil where none was found.
    public var source: FaceReading?
    public var output: FaceReading?
    /// Mean absolute change since the previous frame inside the source's face region (the union of the
    /// two frames' source face boxes), in the source and in the output; nil on the first frame and
    /// where the source shows no face in either frame.
    public var change: (source: Double, output: Double)?

    public init(source: FaceReading?, output: FaceReading?, change: (source: Double, output: Double)?) {
        self.source = source
        self.output = output
        self.change = change
    }
}

/// The figures of one evaluated clip. A figure is nil where it is undefined
/// (no frame with both faces, a series that never changes); a nil never meets its goal.
public struct ClipSummary: Sendable {
    public let frames: Int
    public let sourceWithoutFace: Int
    public let outputWithoutFace: Int
    /// Frames where both the source and the output show a face: what the face figures are measured on.
    public let measured: Int
    /// Mean cosine of the output face's embedding and the reference's.
    public let similarityToReference: Double?
    /// Mean cosine of the output face's embedding and the source face's in the same frame.
    public let similarityToSource: Double?
    /// Share of frames with a source face whose output face is closer to the reference than to the
    /// source face (cosine); an output frame without a face counts as not closer.
    public let closerToReference: Double?
    /// Pearson correlation of the source's and output's mouth opening, and of their eye opening.
    public let mouthCorrelation: Double?
    public let eyeCorrelation: Double?
    /// Mean distance between the source and output mesh centres, in source face widths.
    public let headPositionError: Double?
    /// Mean frame-to-frame change in the source face region, output over source (see `FrameChange.flickerRatio`).
    public let flickerRatio: Double?

    public init(frames measurements: [FrameMeasurement], reference: [Float]) {
        func similarity(_ a: [Float], _ b: [Float]) -> Double { Double(MobileFaceEmbedder.cosineSimilarity(a, b)) }
        let pairs = measurements.compactMap { frame in frame.source.flatMap { source in frame.output.map { (source, $0) } } }
        let withSourceFace = measurements.count { $0.source != nil }
        let closer = pairs.count { similarity($1.embedding, reference) > similarity($1.embedding, $0.embedding) }
        let changes = measurements.compactMap(\.change)
        frames = measurements.count
        sourceWithoutFace = measurements.count - withSourceFace
        outputWithoutFace = measurements.count { $0.output == nil }
        measured = pairs.count
        similarityToReference = SeriesStatistics.mean(pairs.map { similarity($1.embedding, reference) })
        similarityToSource = SeriesStatistics.mean(pairs.map { similarity($1.embedding, $0.embedding) })
        closerToReference = withSourceFace > 0 ? Double(closer) / Double(withSourceFace) : nil
        mouthCorrelation = SeriesStatistics.pearsonCorrelation(pairs.map(\.0.mouth), pairs.map(\.1.mouth))
        eyeCorrelation = SeriesStatistics.pearsonCorrelation(pairs.map(\.0.eyes), pairs.map(\.1.eyes))
        headPositionError = SeriesStatistics.mean(pairs.map { source, output in
            let offset = source.centre - output.centre
            return (offset * offset).sum().squareRoot() / max(1e-6, source.width)
        })
        flickerRatio = changes.isEmpty ? nil : FrameChange.flickerRatio(
            outputChange: SeriesStatistics.mean(changes.map(\.output))!, sourceChange: SeriesStatistics.mean(changes.map(\.source))!)
    }

    public func value(of metric: SwapMetric) -> Double? {
        switch metric {
        case .similarityToReference: similarityToReference
        case .similarityToSource: similarityToSource
        case .closerToReference: closerToReference
        case .mouthCorrelation: mouthCorrelation
        case .eyeCorrelation: eyeCorrelation
        case .headPositionError: headPositionError
        case .flickerRatio: flickerRatio
        }
    }
}
