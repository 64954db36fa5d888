import RecastNN

/// The UNet and autoencoder `recastd bench unet` times: from diffusers directories, or random weights of
/// SD-Turbo's and TAESD's exact shapes, which time the same as trained ones.
struct BenchUNetModels {
    let unet: UNet2DConditionModel
    let unetSource: String
    let unetWeightBytes: Int
    let autoencoder: AutoencoderTiny
    let autoencoderSource: String
    let autoencoderWeightBytes: Int

    static let randomSeed: UInt64 = 1

    /// `model`: a pipeline directory (unet/, vae/) or a UNet directory; `autoencoderDirectory` overrides the pipeline's vae/.
    init(model: String?, autoencoderDirectory: String?, engine: TensorEngine) throws {
        let directories = try model.map(Self.pipelineDirectories) ?? (unet: nil, vae: nil, vaeNote: nil)
        let memory = engine.gpu.deviceMemory
        var before = memory.bytesInUse
        if let directory = directories.unet {
            unet = try UNet2DConditionModel(engine: engine, directory: directory)
            unetSource = directory
        } else {
            unet = try UNet2DConditionModel(engine: engine, configuration: .sdTurbo(), randomSeed: Self.randomSeed)
            unetSource = "random weights of SD-Turbo's shape"
        }
        unetWeightBytes = memory.bytesInUse - before
        before = memory.bytesInUse
        if let directory = try autoencoderDirectory.map(Self.requireAutoencoderTiny) ?? directories.vae {
            autoencoder = try AutoencoderTiny(engine: engine, directory: directory)
            autoencoderSource = directory
        } else {
            autoencoder = try AutoencoderTiny(engine: engine, configuration: .taesd(), randomSeed: Self.randomSeed)
            autoencoderSource = "random weights of TAESD's shape" + (directories.vaeNote.map { " (\($0))" } ?? "")
        }
        autoencoderWeightBytes = memory.bytesInUse - before
    }

    /// The UNet directory `model` names and its pipeline's vae/ when that is an AutoencoderTiny (else why not).
    static func pipelineDirectories(_ model: String) throws -> (unet: String?, vae: String?, vaeNote: String?) {
        let unet = "\(model)/unet", vae = "\(model)/vae"
        guard DiffusersDirectory.isModelDirectory(unet) else {
            return (try requireClass("UNet2DConditionModel", in: model), nil, nil)
        }
        _ = try requireClass("UNet2DConditionModel", in: unet)
        guard DiffusersDirectory.isModelDirectory(vae) else {
            return (unet, nil, "\(model) has no vae/")
        }
        let className = try DiffusersDirectory.className(of: vae)
        guard className == "AutoencoderTiny" else {
            // SD-Turbo's own vae/ is an AutoencoderKL; Recast's core uses a TAESD-family autoencoder instead.
            return (unet, nil, BenchUNetError.classMismatch(path: vae, expected: "AutoencoderTiny", found: className))
        }
        return (unet, vae, nil)
    }

    static func requireAutoencoderTiny(_ directory: String) throws -> String {
        try requireClass("AutoencoderTiny", in: directory)
    }

    private static func requireClass(_ expected: String, in directory: String) throws -> String {
        guard DiffusersDirectory.isModelDirectory(directory) else {
            throw BenchUNetError.notAModelDirectory(path: directory, expected: expected)
        }
        let found = try DiffusersDirectory.className(of: directory)
        guard found == expected else {
            throw BenchUNetError.wrongModelClass(path: directory, expected: expected, found: found)
        }
        return directory
    }
}

/// Why `recastd bench unet` cannot run, with what to give it instead.
enum BenchUNetError: Error, CustomStringConvertible {
    case notAModelDirectory(path: String, expected: String)
    case wrongModelClass(path: String, expected: String, found: String?)
    case sizeNotAligned(side: Int, multiple: Int)

    var description: String {
        switch self {
        case let .notAModelDirectory(path, expected):
            "\(path) has no config.json, so it is no \(expected) directory: --model takes a UNet2DConditionModel directory or a "
                + "diffusers pipeline directory (unet/, vae/), --autoencoder an AutoencoderTiny directory"
        case let .wrongModelClass(path, expected, found):
            Self.classMismatch(path: path, expected: expected, found: found)
        case let .sizeNotAligned(side, multiple):
            "size \(side) is not a multiple of \(multiple): the UNet halves the 1/8-size latent at each level and the autoencoder "
                + "needs whole latent pixels; use e.g. \(max(multiple, side / multiple * multiple))"
        }
    }

    static func classMismatch(path: String, expected: String, found: String?) -> String {
        "\(path)/config.json describes \(found.map { "class \($0)" } ?? "no _class_name"), not \(expected)"
    }
}
