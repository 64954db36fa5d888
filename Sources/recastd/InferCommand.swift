import ArgumentParser
import Foundation
import RecastGPU
import RecastNN
import RecastSwap

/// `recastd infer`: one bundled network on tensors from a safetensors file, so
/// anyone can compare it with their own framework.
struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Run a bundled network on the tensors of a safetensors file and write its outputs to another.",
        discussion: (BundledNetwork.allCases.map { "\($0.rawValue): \($0.inputDescription)" } + [
            "a diffusers UNet2DConditionModel directory: sample [1, C, H, W], timestep [1], encoder_hidden_states [1, T, D] → sample",
            "a diffusers AutoencoderTiny directory: sample [1, 3, H, W] in [-1, 1] → latents, or latents → sample",
        ]).joined(separator: "\n")
    )

    @Option(help: "The network: \(BundledNetwork.allCases.map(\.rawValue).joined(separator: ", ")), or a diffusers model directory.")
    var model: String

    @Option(help: "Input safetensors file (F32, F16 or BF16).")
    var input: String

    @Option(help: "Output safetensors file (F32).")
    var output: String

    @Option(help: "Directory of the converted models (default: the bundled Models/).")
    var models: String?

    @Option(name: .customLong("score-threshold"), help: "yunet: lowest score of the faces returned.")
    var scoreThreshold: Float = 0.6

    func run() throws {
        bootstrapQuietLogging()
        do {
            let network = BundledNetwork(rawValue: model)
            guard network != nil || DiffusersDirectory.isModelDirectory(model) else {
                throw BundledNetwork.InputError(description:
                    "unknown model '\(model)': use one of \(BundledNetwork.allCases.map(\.rawValue).joined(separator: ", ")) or a diffusers model directory")
            }
            let file = try SafeTensorsFile(path: input)
            var inputs: [String: BundledNetwork.NamedTensor] = [:]
            for name in file.names {
                inputs[name] = .init(shape: try file.info(name).shape, values: try file.floats(name))
            }
            let engine = try TensorEngine(gpu: GPUContext(options: GPUContextOptions()))
            let outputs = if let network {
                try network.load(engine: engine, models: ModelDirectory.locate(explicit: models), scoreThreshold: scoreThreshold).run(inputs)
            } else {
                try DiffusersDirectory.run(directory: model, inputs: inputs, engine: engine)
            }
            try SafeTensorsWriter.write(outputs.sorted { $0.key < $1.key }.map { ($0.key, $0.value.shape, $0.value.values) },
                                        metadata: ["model": model], to: output)
        } catch {
            FileHandle.standardError.write(Data("recastd: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
