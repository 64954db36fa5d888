import ArgumentParser
import Foundation
import Logging
import RecastGPU
import RecastMedia
import RecastNN
import RecastSwap

/// `recastd eval`: how well a swapped clip carries the reference identity while keeping
/// the source's expression, head position and steadiness (figures defined in `ClipSummary`).
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure swapped clips against their sources: identity, mouth and eye motion, head position, flicker.",
        discussion: """
        Frames are paired by index, so each output must have its source's size and frame count \
        (what `recastd run --input SOURCE --identity IMAGE --output OUTPUT` writes). \
        Goals: output closer to the reference than to the source on ≥ 90 % of frames, \
        mouth-opening correlation ≥ 0.8, eye-opening correlation ≥ 0.7, flicker ratio ≤ 1.3.
        """
    )

    @Option(help: "A source clip (repeat for several; paired in order with --output).")
    var source: [String] = []

    @Option(help: "The swapped clip made from the --source in the same position.")
    var output: [String] = []

    @Option(help: "The reference image the outputs were swapped to: once for all pairs, or once per pair.")
    var identity: [String] = []

    @Option(help: "Directory of the converted models (default: the bundled Models/).")
    var models: String?

    @Option(help: "Evaluate only the first N frames of each clip (the whole clips must still pair up).")
    var frames: Int?

    @Option(help: "Also write the figures as JSON to this file.")
    var json: String?

    @Option(help: "Also write what each frame measured (openings, similarities, change) as CSV to this file.")
    var series: String?

    func validate() throws {
        guard !source.isEmpty, source.count == output.count else {
            throw ValidationError("give one --output per --source (got \(source.count) --source, \(output.count) --output)")
        }
        guard identity.count == 1 || identity.count == source.count else {
            throw ValidationError("give --identity once, or once per --source (got \(identity.count) for \(source.count) pairs)")
        }
        if let frames, frames < 2 { throw ValidationError("--frames must be at least 2 (correlation and flicker need two frames)") }
    }

    func run() throws {
        bootstrapQuietLogging()
        do {
            // Pairs that cannot be compared are refused before minutes of model work.
            let shapes = try zip(source, output).map { sourcePath, outputPath in
                let shape = try ClipFrames.shape(sourcePath)
                try ClipShape.checkPaired(source: shape, output: ClipFrames.shape(outputPath))
                return shape
            }
            let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
            let analyzer = try FaceAnalyzer(engine: engine, models: ModelDirectory.locate(explicit: models))
            var references: [String: [Float]] = [:]
            var reports: [[String: Any]] = []
            var rows = ["output,frame,source_mouth,output_mouth,source_eyes,output_eyes,similarity_to_reference,similarity_to_source,source_change,output_change"]
            for (index, (sourcePath, outputPath)) in zip(source, output).enumerated() {
                let identityPath = identity.count == 1 ? identity[0] : identity[index]
                if references[identityPath] == nil {
                    references[identityPath] = try IdentityFace.prepare(imagePath: identityPath, analyzer: analyzer).embedding
                }
                let reference = references[identityPath]!
                let measurements = try measure(sourcePath, outputPath, analyzer: analyzer)
                let summary = ClipSummary(frames: measurements, reference: reference)
                if series != nil {
                    rows += measurements.enumerated().map { frame, measured in
                        Self.seriesRow(output: outputPath, frame: frame, measured, reference: reference)
                    }
                }
                let clipFrames = shapes[index].frames
                print(EvalReport.text(summary, source: sourcePath, output: outputPath, identity: identityPath, clipFrames: clipFrames))
                fflush(nil)  // each clip takes minutes: show it when it is done, also when stdout is a file
                reports.append(EvalReport.json(summary, source: sourcePath, output: outputPath, identity: identityPath, clipFrames: clipFrames))
            }
            if let json {
                let data = try JSONSerialization.data(withJSONObject: ["clips": reports], options: [.sortedKeys, .prettyPrinted])
                try data.write(to: URL(fileURLWithPath: json))
            }
            if let series {
                try Data((rows.joined(separator: "\n") + "\n").utf8).write(to: URL(fileURLWithPath: series))
            }
        } catch {
            FileHandle.standardError.write(Data("recastd: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// One CSV row of `--series`; a value the frame lacks (no face) is left empty.
    static func seriesRow(output: String, frame: Int, _ measured: FrameMeasurement, reference: [Float]) -> String {
        func text(_ value: Double?) -> String { value.map { String(format: "%.5f", $0) } ?? "" }
        let similarities = measured.output.map { output in
            (Double(MobileFaceEmbedder.cosineSimilarity(output.embedding, reference)),
             measured.source.map { Double(MobileFaceEmbedder.cosineSimilarity(output.embedding, $0.embedding)) })
        }
        let values: [Double?] = [
            measured.source?.mouth, measured.output?.mouth, measured.source?.eyes, measured.output?.eyes,
            similarities?.0, similarities?.1 ?? nil, measured.change?.source, measured.change?.output,
        ]
        return ([output, String(frame)] + values.map(text)).joined(separator: ",")
    }

    private func measure(_ sourcePath: String, _ outputPath: String, analyzer: FaceAnalyzer) throws -> [FrameMeasurement] {
        let sourceFrames = try ClipFrames(sourcePath), outputFrames = try ClipFrames(outputPath)
        let evaluator = SwapEvaluator(analyzer: analyzer)
        let converter = FrameConverter()
        func rgb(_ frame: VideoFrame) throws -> RGBImage {
            RGBImage(width: frame.width, height: frame.height, pixels: try converter.rgb(frame))
        }
        while evaluator.measurements.count < frames ?? .max, let sourceFrame = try sourceFrames.next(), let outputFrame = try outputFrames.next() {
            try evaluator.add(source: rgb(sourceFrame), output: rgb(outputFrame))
        }
        return evaluator.measurements
    }
}

/// A clip's video frames, decoded one at a time.
final class ClipFrames {
    private let source: StreamSource

    init(_ path: String) throws {
        source = StreamSource(url: path, options: .init(includesAudio: false), logger: Logger(label: "recast.eval"))
        _ = try source.open()
    }

    deinit { source.close() }

    func next() throws -> VideoFrame? {
        while let item = try source.read() {
            if case .video(let frame) = item { return frame }
        }
        return nil
    }

    /// The clip's picture size and frame count, by decoding it all: a container's own frame count
    /// is missing or wrong often enough not to be trusted.
    static func shape(_ path: String) throws -> ClipShape {
        let clip = try ClipFrames(path)
        var shape = ClipShape(path: path, width: 0, height: 0, frames: 0)
        while let frame = try clip.next() {
            (shape.width, shape.height) = (frame.width, frame.height)
            shape.frames += 1
        }
        return shape
    }
}

/// How `recastd eval` shows one clip's figures: a readable block, and a JSON object.
enum EvalReport {
    static func label(_ metric: SwapMetric) -> String {
        switch metric {
        case .similarityToReference: "similarity to reference"
        case .similarityToSource: "similarity to source"
        case .closerToReference: "closer to reference"
        case .mouthCorrelation: "mouth-opening correlation"
        case .eyeCorrelation: "eye-opening correlation"
        case .headPositionError: "head-position error"
        case .flickerRatio: "flicker ratio"
        }
    }

    /// The share of frames reads best as a percentage, the head error with its unit.
    static func formatted(_ value: Double?, _ metric: SwapMetric) -> String {
        guard let value else { return "undefined" }
        switch metric {
        case .closerToReference: return String(format: "%.1f %%", value * 100)
        case .headPositionError: return String(format: "%.3f face widths", value)
        default: return String(format: "%.3f", value)
        }
    }

    static func text(_ summary: ClipSummary, source: String, output: String, identity: String, clipFrames: Int) -> String {
        var lines = [
            "\(source) → \(output), identity \(identity)",
            "  frames: \(summary.frames) of \(clipFrames) evaluated, \(summary.measured) with both faces; "
                + "no face in the source \(summary.sourceWithoutFace), in the output \(summary.outputWithoutFace)",
        ]
        for metric in SwapMetric.allCases {
            let value = summary.value(of: metric)
            var line = "  " + label(metric).padding(toLength: 27, withPad: " ", startingAt: 0) + formatted(value, metric)
            if let goal = metric.goal, let met = metric.meetsGoal(value) {
                let (relation, threshold) = switch goal {
                case .atLeast(let threshold): ("≥", threshold)
                case .atMost(let threshold): ("≤", threshold)
                }
                let bound = metric == .closerToReference ? "\((threshold * 100).formatted(maxFractionDigits: 1)) %" : threshold.formatted(maxFractionDigits: 3)
                line = line.padding(toLength: 45, withPad: " ", startingAt: 0) + "goal \(relation) \(bound): " + (met ? "met" : "NOT met")
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }

    /// Undefined figures are JSON null.
    static func json(_ summary: ClipSummary, source: String, output: String, identity: String, clipFrames: Int) -> [String: Any] {
        var entry: [String: Any] = [
            "source": source, "output": output, "identity": identity, "clipFrames": clipFrames,
            "evaluatedFrames": summary.frames, "measuredFrames": summary.measured,
            "sourceWithoutFace": summary.sourceWithoutFace, "outputWithoutFace": summary.outputWithoutFace,
        ]
        var goalsMet: [String: Bool] = [:]
        for metric in SwapMetric.allCases {
            entry[metric.rawValue] = summary.value(of: metric) ?? NSNull()
            goalsMet[metric.rawValue] = metric.meetsGoal(summary.value(of: metric))
        }
        entry["goalsMet"] = goalsMet
        return entry
    }
}
