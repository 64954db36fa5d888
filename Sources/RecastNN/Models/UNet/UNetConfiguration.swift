import Foundation

/// The blocks of a UNet2DConditionModel that Recast implements, by their diffusers names.
public enum UNetBlockType: String, Sendable, CaseIterable {
    case crossAttentionDown = "CrossAttnDownBlock2D"
    case down = "DownBlock2D"
    case crossAttentionUp = "CrossAttnUpBlock2D"
    case up = "UpBlock2D"

    var hasCrossAttention: Bool { self == .crossAttentionDown || self == .crossAttentionUp }
}

/// A diffusers `UNet2DConditionModel` config.json, read as diffusers reads it. Absent fields take
/// diffusers' defaults; a field Recast does not implement, or a value it does not implement, is refused by name.
public struct UNetConfiguration: Decodable, Sendable, Equatable {
    public var inChannels: Int
    public var outChannels: Int
    /// Maps the input sample from [0, 1] to [-1, 1] first.
    public var centerInputSample: Bool
    public var flipSinToCos: Bool
    public var frequencyShift: Double
    public var downBlockTypes: [UNetBlockType]
    public var upBlockTypes: [UNetBlockType]
    /// `UNetMidBlock2DCrossAttn` when true; no mid block when false.
    public var hasMidBlock: Bool
    public var blockOutChannels: [Int]
    /// Per down block (diffusers' order).
    public var layersPerBlock: [Int]
    /// Per down block (diffusers' order).
    public var transformerLayersPerBlock: [Int]
    /// Attention heads per down block. diffusers reads `attention_head_dim` as the head count when
    /// `num_attention_heads` is absent (it refuses the latter): the head size is channels / heads.
    public var attentionHeads: [Int]
    public var crossAttentionDimension: Int
    public var useLinearProjection: Bool
    public var normGroups: Int
    public var normEpsilon: Double
    /// The width of an extra timestep condition (LCM-distilled UNets: the guidance-scale embedding), or nil.
    public var timeConditionDimension: Int?

    /// Fields read only for their value's sake, or irrelevant to inference.
    static let ignoredFields: Set<String> = [
        "_class_name", "_diffusers_version", "_name_or_path", "sample_size", "dropout",
        // fp32 accumulation throughout, so attention is already "upcast".
        "upcast_attention",
        // Only used together with addition_embed_type, which must be null.
        "addition_embed_type_num_heads",
    ]

    /// Fields Recast accepts only at these values (diffusers' defaults for SD 1.x/2.x-family UNets).
    static let fixedFields: [String: [JSONValue]] = [
        "act_fn": [.string("silu")],
        "addition_embed_type": [.null],
        "addition_time_embed_dim": [.null],
        "attention_type": [.string("default")],
        "class_embed_type": [.null],
        "class_embeddings_concat": [.bool(false)],
        "conv_in_kernel": [.number(3)],
        "conv_out_kernel": [.number(3)],
        "cross_attention_norm": [.null],
        "downsample_padding": [.number(1)],
        "dual_cross_attention": [.bool(false)],
        "encoder_hid_dim": [.null],
        "encoder_hid_dim_type": [.null],
        "mid_block_only_cross_attention": [.null, .bool(false)],
        "mid_block_scale_factor": [.number(1)],
        "num_attention_heads": [.null],
        "num_class_embeds": [.null],
        "projection_class_embeddings_input_dim": [.null],
        "resnet_out_scale_factor": [.number(1)],
        "resnet_skip_time_act": [.bool(false)],
        "resnet_time_scale_shift": [.string("default")],
        "reverse_transformer_layers_per_block": [.null],
        "time_embedding_act_fn": [.null],
        "time_embedding_dim": [.null],
        "time_embedding_type": [.string("positional")],
        "timestep_post_act": [.null],
    ]

    /// Fields this loader interprets.
    static let readFields: Set<String> = [
        "in_channels", "out_channels", "center_input_sample", "flip_sin_to_cos", "freq_shift", "down_block_types",
        "up_block_types", "mid_block_type", "block_out_channels", "layers_per_block", "transformer_layers_per_block",
        "attention_head_dim", "cross_attention_dim", "use_linear_projection", "norm_num_groups", "norm_eps",
        "only_cross_attention", "time_cond_proj_dim",
    ]

    /// Reads `config.json` at `path`.
    public init(contentsOf path: String) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        self = try JSONDecoder().decode(Self.self, from: data)
    }

    public init(from decoder: any Decoder) throws {
        let fields = try decoder.singleValueContainer().decode([String: JSONValue].self)
        try self.init(fields: fields)
    }

    init(fields: [String: JSONValue]) throws {
        let reader = ConfigFieldReader(fields: fields)
        try reader.refuseUnsupported(className: "UNet2DConditionModel", read: Self.readFields, ignored: Self.ignoredFields, fixed: Self.fixedFields)
        inChannels = try reader.int("in_channels", default: 4)
        outChannels = try reader.int("out_channels", default: 4)
        centerInputSample = try reader.bool("center_input_sample", default: false)
        flipSinToCos = try reader.bool("flip_sin_to_cos", default: true)
        frequencyShift = try reader.number("freq_shift", default: 0)
        downBlockTypes = try reader.blockTypes(
            "down_block_types", default: ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
            allowed: [.crossAttentionDown, .down])
        upBlockTypes = try reader.blockTypes(
            "up_block_types", default: ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
            allowed: [.crossAttentionUp, .up])
        switch fields["mid_block_type"] ?? .string("UNetMidBlock2DCrossAttn") {
        case .string("UNetMidBlock2DCrossAttn"): hasMidBlock = true
        case .null: hasMidBlock = false
        case let other:
            throw DiffusersConfigurationError.unsupportedField(
                name: "mid_block_type", value: other.description, supported: "\"UNetMidBlock2DCrossAttn\" or null")
        }
        let levels = downBlockTypes.count
        blockOutChannels = try reader.ints("block_out_channels", default: [320, 640, 1280, 1280])
        layersPerBlock = try reader.perBlock("layers_per_block", default: 2, levels: levels)
        transformerLayersPerBlock = try reader.perBlock("transformer_layers_per_block", default: 1, levels: levels)
        attentionHeads = try reader.perBlock("attention_head_dim", default: 8, levels: levels)
        crossAttentionDimension = try reader.int("cross_attention_dim", default: 1280)
        useLinearProjection = try reader.bool("use_linear_projection", default: false)
        normGroups = try reader.int("norm_num_groups", default: 32)
        normEpsilon = try reader.number("norm_eps", default: 1e-5)
        timeConditionDimension = try reader.optionalInt("time_cond_proj_dim")
        switch fields["only_cross_attention"] ?? .bool(false) {
        case .bool(false): break
        case let .array(values) where values.allSatisfy({ $0 == .bool(false) }): break
        case let other:
            throw DiffusersConfigurationError.unsupportedField(name: "only_cross_attention", value: other.description, supported: "false")
        }
        try validate()
    }

    func validate() throws {
        let levels = downBlockTypes.count
        guard levels > 0, upBlockTypes.count == levels, blockOutChannels.count == levels else {
            throw DiffusersConfigurationError.invalidField(
                name: "block_out_channels",
                detail: "\(blockOutChannels.count) entries for \(levels) down and \(upBlockTypes.count) up blocks")
        }
        for (index, channels) in blockOutChannels.enumerated() {
            guard channels > 0, channels % normGroups == 0 else {
                throw DiffusersConfigurationError.invalidField(
                    name: "block_out_channels", detail: "\(channels) channels are not a multiple of norm_num_groups \(normGroups)")
            }
            guard channels % attentionHeads[index] == 0 else {
                throw DiffusersConfigurationError.invalidField(
                    name: "attention_head_dim", detail: "\(attentionHeads[index]) heads do not divide \(channels) channels")
            }
        }
        for (name, values) in [("layers_per_block", layersPerBlock), ("transformer_layers_per_block", transformerLayersPerBlock),
                               ("attention_head_dim", attentionHeads)] where values.contains(where: { $0 < 1 }) {
            throw DiffusersConfigurationError.invalidField(name: name, detail: "\(values): each must be at least 1")
        }
        if let width = timeConditionDimension, width < 1 {
            throw DiffusersConfigurationError.invalidField(name: "time_cond_proj_dim", detail: "\(width) is below 1")
        }
        guard inChannels > 0, outChannels > 0, crossAttentionDimension > 0, normGroups > 0 else {
            throw DiffusersConfigurationError.invalidField(name: "in_channels", detail: "channel counts must be positive")
        }
    }
}

extension UNetConfiguration {
    /// SD-Turbo's UNet (stabilityai/sd-turbo, SD 2.1's shape): 4 levels of 320/640/1280/1280 channels, heads of 64,
    /// linear projections, 1024-wide text conditioning.
    public static func sdTurbo() throws -> UNetConfiguration {
        try UNetConfiguration(fields: [
            "attention_head_dim": .array([5, 10, 20, 20].map { .number($0) }),
            "cross_attention_dim": .number(1024),
            "use_linear_projection": .bool(true),
        ])
    }
}
