import Foundation

/// A diffusers `AutoencoderTiny` (TAESD family) config.json. Absent fields take diffusers' defaults (TAESD's
/// shape); a field or value Recast does not implement is refused by name.
public struct AutoencoderTinyConfiguration: Decodable, Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    public var latentChannels: Int
    public var encoderBlockOutChannels: [Int]
    public var decoderBlockOutChannels: [Int]
    /// Per encoder stage: the blocks after its input conv (stride 2 from the second stage on).
    public var encoderBlocks: [Int]
    /// Per decoder stage: the blocks before its upsample and conv.
    public var decoderBlocks: [Int]
    public var upsamplingFactor: Int
    /// What pipelines multiply latents by before the UNet (not applied by encode/decode themselves).
    public var scalingFactor: Double

    static let readFields: Set<String> = [
        "in_channels", "out_channels", "latent_channels", "encoder_block_out_channels", "decoder_block_out_channels",
        "num_encoder_blocks", "num_decoder_blocks", "upsampling_scaling_factor", "scaling_factor",
    ]
    static let ignoredFields: Set<String> = [
        "_class_name", "_diffusers_version", "_name_or_path", "force_upcast",
        // A deprecated alias diffusers registers but does not use to build the model.
        "block_out_channels",
        // Used only by diffusers' uint8 round trip in forward(), not by encode/decode.
        "latent_magnitude", "latent_shift",
    ]
    static let fixedFields: [String: [JSONValue]] = [
        "act_fn": [.string("relu")],
        "upsample_fn": [.string("nearest")],
        "shift_factor": [.null, .number(0)],
    ]

    public init(contentsOf path: String) throws {
        self = try JSONDecoder().decode(Self.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    public init(from decoder: any Decoder) throws {
        try self.init(fields: decoder.singleValueContainer().decode([String: JSONValue].self))
    }

    init(fields: [String: JSONValue]) throws {
        let reader = ConfigFieldReader(fields: fields)
        try reader.refuseUnsupported(className: "AutoencoderTiny", read: Self.readFields, ignored: Self.ignoredFields, fixed: Self.fixedFields)
        inChannels = try reader.int("in_channels", default: 3)
        outChannels = try reader.int("out_channels", default: 3)
        latentChannels = try reader.int("latent_channels", default: 4)
        encoderBlockOutChannels = try reader.ints("encoder_block_out_channels", default: [64, 64, 64, 64])
        decoderBlockOutChannels = try reader.ints("decoder_block_out_channels", default: [64, 64, 64, 64])
        encoderBlocks = try reader.ints("num_encoder_blocks", default: [1, 3, 3, 3])
        decoderBlocks = try reader.ints("num_decoder_blocks", default: [3, 3, 3, 1])
        upsamplingFactor = try reader.int("upsampling_scaling_factor", default: 2)
        scalingFactor = try reader.number("scaling_factor", default: 1)
        guard encoderBlocks.count == encoderBlockOutChannels.count, !encoderBlocks.isEmpty else {
            throw DiffusersConfigurationError.invalidField(
                name: "num_encoder_blocks", detail: "\(encoderBlocks.count) stages for \(encoderBlockOutChannels.count) channel counts")
        }
        guard decoderBlocks.count == decoderBlockOutChannels.count, !decoderBlocks.isEmpty else {
            throw DiffusersConfigurationError.invalidField(
                name: "num_decoder_blocks", detail: "\(decoderBlocks.count) stages for \(decoderBlockOutChannels.count) channel counts")
        }
        guard upsamplingFactor >= 1 else {
            throw DiffusersConfigurationError.invalidField(name: "upsampling_scaling_factor", detail: "\(upsamplingFactor) is below 1")
        }
    }

    /// How many times smaller the latent is than the image on each side.
    public var downscaleFactor: Int { 1 << (encoderBlocks.count - 1) }
}

extension AutoencoderTinyConfiguration {
    /// TAESD's shape (madebyollin/taesd, the SD 1.x/2.x tiny autoencoder): diffusers' defaults, 4 latent channels.
    public static func taesd() throws -> AutoencoderTinyConfiguration {
        try AutoencoderTinyConfiguration(fields: [:])
    }
}
