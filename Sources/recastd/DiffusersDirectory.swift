import Foundation
import RecastNN

/// A diffusers model directory (`config.json` + `diffusion_pytorch_model.safetensors`)
/// run on tensors named and laid out as diffusers names them (NCHW).
enum DiffusersDirectory {
    typealias NamedTensor = BundledNetwork.NamedTensor

    static func isModelDirectory(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: "\(path)/config.json")
    }

    /// The `_class_name` in `directory/config.json`, or nil when that file has none.
    static func className(of directory: String) throws -> String? {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/config.json"))
        return (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["_class_name"] as? String
    }

    static func run(directory: String, inputs: [String: NamedTensor], engine: TensorEngine) throws -> [String: NamedTensor] {
        let className = try className(of: directory)
        switch className {
        case "UNet2DConditionModel": return try runUNet(directory: directory, inputs: inputs, engine: engine)
        case "AutoencoderTiny": return try runAutoencoder(directory: directory, inputs: inputs, engine: engine)
        default:
            throw BundledNetwork.InputError(description:
                "\(directory)/config.json describes a \(className ?? "model without _class_name"); recastd runs UNet2DConditionModel and AutoencoderTiny")
        }
    }

    private static func require(_ inputs: [String: NamedTensor], _ name: String, rank: Int, for model: String) throws -> NamedTensor {
        guard let tensor = inputs[name], tensor.shape.count == rank, tensor.shape.first == 1 else {
            throw BundledNetwork.InputError(description: "\(model) needs '\(name)' with \(rank) dimensions, batch 1; got \(inputs.mapValues(\.shape))")
        }
        return tensor
    }

    /// Inputs `sample` [1, C, H, W], `timestep` [1], `encoder_hidden_states` [1, T, D]; output `sample` [1, C', H, W].
    private static func runUNet(directory: String, inputs: [String: NamedTensor], engine: TensorEngine) throws -> [String: NamedTensor] {
        let model = "UNet2DConditionModel"
        let sample = try require(inputs, "sample", rank: 4, for: model)
        let context = try require(inputs, "encoder_hidden_states", rank: 3, for: model)
        guard let timestep = inputs["timestep"]?.values.first, inputs["timestep"]?.values.count == 1 else {
            throw BundledNetwork.InputError(description: "\(model) needs 'timestep' holding one value")
        }
        let unet = try UNet2DConditionModel(engine: engine, directory: directory)
        let (height, width) = (sample.shape[2], sample.shape[3])
        let output = try unet.predict(sample: sample.values, height: height, width: width, timestep: timestep,
                                      encoderHiddenStates: context.values)
        return ["sample": NamedTensor(shape: [1, unet.configuration.outChannels, height, width], values: output)]
    }

    /// `sample` [1, 3, H, W] in [-1, 1] as diffusers' AutoencoderTiny takes it → `latents` [1, C, H/8, W/8];
    /// or `latents` → `sample`.
    private static func runAutoencoder(directory: String, inputs: [String: NamedTensor], engine: TensorEngine) throws -> [String: NamedTensor] {
        let autoencoder = try AutoencoderTiny(engine: engine, directory: directory)
        let latentChannels = autoencoder.configuration.latentChannels
        if inputs["latents"] != nil {
            let latents = try require(inputs, "latents", rank: 4, for: "AutoencoderTiny")
            let (height, width) = (latents.shape[2], latents.shape[3])
            let image = try autoencoder.decode(latent: latents.values, height: height, width: width)
            let shape = [1, autoencoder.configuration.outChannels, height * 8, width * 8]
            guard image.count == shape.reduce(1, *) else {
                throw BundledNetwork.InputError(description: "AutoencoderTiny decoded \(image.count) values, expected shape \(shape)")
            }
            return ["sample": NamedTensor(shape: shape, values: image)]
        }
        let sample = try require(inputs, "sample", rank: 4, for: "AutoencoderTiny")
        let (height, width) = (sample.shape[2], sample.shape[3])
        let latents = try autoencoder.encode(image: sample.values, height: height, width: width)
        return ["latents": NamedTensor(shape: [1, latentChannels, height / 8, width / 8], values: latents)]
    }
}
