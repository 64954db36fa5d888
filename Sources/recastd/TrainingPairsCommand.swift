import ArgumentParser
import Foundation
import RecastGPU
import RecastMedia
import RecastNN
import RecastSwap

/// `recastd training-pairs`: the refiner's training samples from one person's clip, made by the warp path
/// (`RefinerTrainingPairs`), written as one safetensors file for tools/refiner/data.py.
struct TrainingPairsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "training-pairs",
        abstract: "Write the refiner's self-supervised training samples from a clip of one person.",
        discussion: """
        For each frame t with a face: the swap of another frame's face (--gap to --max-gap frames away, colour- and \
        light-shifted) onto frame t, the real crop of frame t, the swap's mask, and a third frame's MobileFace \
        embedding. Tensors: composite, target [N, side, side, 3] U8; mask [N, side, side] U8; embedding [N, 256] \
        F32; frames [N, 3] (t, s, u).
        """
    )

    @Option(help: "A clip showing one person.")
    var clip: String

    @Option(help: "The safetensors file to write.")
    var output: String

    @Option(help: "Samples per usable frame.")
    var perFrame = 2

    @Option(help: "Least distance in frames between the target frame and the frame warped onto it.")
    var gap = 8

    @Option(help: "Greatest distance in frames between the target frame and the frame warped onto it (default: any).")
    var maxGap: Int?

    @Option(help: "Seed of the frame choice and the colour shifts.")
    var seed: UInt64 = 1

    @Option(help: "Side of the square crops, as the refiner sees them.")
    var side = 256

    @Option(help: "Directory of the converted models (default: the bundled Models/).")
    var models: String?

    func validate() throws {
        if let maxGap, maxGap < gap { throw ValidationError("--max-gap \(maxGap) is below --gap \(gap)") }
    }

    func run() throws {
        bootstrapQuietLogging()
        do {
            let modelsURL = try ModelDirectory.locate(explicit: models)
            let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
            // The bundled identity only starts the swap; every sample sets its own.
            let swap = try WarpSwap(engine: engine, models: modelsURL, identityImage: modelsURL.appendingPathComponent("identity/obama.jpg").path)
            let pairs = RefinerTrainingPairs(swap: swap, analyzer: try FaceAnalyzer(engine: engine, models: modelsURL), side: side)
            let frames = try ClipFrames(clip)
            let converter = FrameConverter()
            while let frame = try frames.next() {
                pairs.add(frame: RGBImage(width: frame.width, height: frame.height, pixels: try converter.rgb(frame)))
            }
            var generator = SplitMix(seed: seed)
            let samples = try pairs.samples(perFrame: perFrame, gaps: gap...(maxGap ?? Int.max), using: &generator)
            guard let first = samples.first else { throw ValidationError("\(clip): no frame pair with a face to make samples from") }
            let count = samples.count
            try SafeTensorsWriter.write([
                (name: "composite", shape: [count, side, side, 3], values: .u8(samples.flatMap(\.composite))),
                (name: "target", shape: [count, side, side, 3], values: .u8(samples.flatMap(\.target))),
                (name: "mask", shape: [count, side, side], values: .u8(samples.flatMap(\.mask))),
                (name: "embedding", shape: [count, first.embedding.count], values: .f32(samples.flatMap(\.embedding))),
                (name: "frames", shape: [count, 3], values: .f32(samples.flatMap { [Float($0.frames.x), Float($0.frames.y), Float($0.frames.z)] })),
            ], metadata: ["clip": (clip as NSString).lastPathComponent, "seed": "\(seed)"], to: output)
            print("\(clip): \(count) samples from \(pairs.usableFrames) frames with a face → \(output)")
        } catch let error as ValidationError {
            throw error
        } catch {
            FileHandle.standardError.write(Data("recastd: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
