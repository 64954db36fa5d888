import Foundation
import RecastGPU
import RecastNN
import Testing

/// This suite's validated context (created once, on first use): validation errors fail the tests.
private let unetTestContext: Result<GPUContext, any Error> = Result {
    var options = GPUContextOptions()
    options.validation = .required
    options.pipelineCacheDirectory = nil
    return try GPUContext(options: options)
}

/// The UNet forward on the Vulkan ops against diffusers, for the tiny random configs of Tests/Fixtures/unet
/// (made by tools/fixtures_unet.py): 16×16 latents, 7 context tokens.
@Suite("UNet2DConditionModel vs diffusers", .serialized)
struct UNetTests {
    /// sd1_like_fp16 holds only the fp16 variant file (its reference was computed from those fp16 weights).
    static let configs = ["sd1_like", "sd2_like", "mixed", "sd1_like_fp16"]
    static let fp32Tolerance = 1e-6
    static let fp16Tolerance = 5e-4

    @Test("forward matches diffusers with fp32 storage (NMSE ≤ 1e-6)", arguments: configs)
    func forwardFloat32(config: String) throws {
        try expectForwardMatches(config: config, precision: .float32, tolerance: Self.fp32Tolerance)
    }

    @Test("forward matches diffusers with fp16 storage (NMSE ≤ 5e-4)", arguments: configs)
    func forwardFloat16(config: String) throws {
        try expectForwardMatches(config: config, precision: .float16, tolerance: Self.fp16Tolerance)
    }

    @Test("LCM-distilled forward with the guidance-scale embedding matches diffusers", arguments: [
        (StoragePrecision.float32, fp32Tolerance), (.float16, fp16Tolerance),
    ])
    func forwardWithGuidanceEmbedding(precision: StoragePrecision, tolerance: Double) throws {
        let reference = try SafeTensorsFile(path: ModelFixtures.fixture("unet/lcm_like/reference.safetensors"))
        let embedding = LCMScheduler.guidanceScaleEmbedding(guidanceScale: try reference.floats("guidance_scale")[0], dimension: 8)
        let embeddingNMSE = ErrorMetric.nmse(reference: try reference.floats("timestep_cond"), actual: embedding)
        #expect(embeddingNMSE <= 1e-10, "guidance-scale embedding NMSE \(embeddingNMSE)")
        try expectForwardMatches(config: "lcm_like", precision: precision, tolerance: tolerance, timestepCondition: embedding)
    }

    @Test("FLOPs of the convolutions and linear layers equal PyTorch's count", arguments: configs)
    func flopsMatchPyTorch(config: String) throws {
        let engine = try TensorEngine(gpu: try unetTestContext.get(), precision: .float32)
        let unet = try UNet2DConditionModel(engine: engine, directory: ModelFixtures.fixture("unet/\(config)"))
        let reference = try SafeTensorsFile(path: ModelFixtures.fixture("unet/\(config)/reference.safetensors"))
        let c = unet.configuration
        let flops = FlopCounter()
        let recorder = engine.gpu.makeRecorder()
        _ = try unet.record(
            sample: engine.makeTensor(shape: [1, 16, 16, c.inChannels]),
            timestepFeatures: engine.makeTensor(shape: [1, c.blockOutChannels[0]]),
            encoderHiddenStates: engine.makeTensor(shape: [1, 7, c.crossAttentionDimension]), countingInto: flops, into: recorder)
        #expect(Double(flops.convolutionAndLinear) == Double(try reference.floats("conv_linear_flops")[0]))
        #expect(flops.attention > 0)
    }

    @Test("seeded random weights: a seed gives the same UNet, another seed a different one")
    func randomWeightsAreSeeded() throws {
        let engine = try TensorEngine(gpu: try unetTestContext.get(), precision: .float32)
        let directory = ModelFixtures.fixture("unet/sd2_like")
        let configuration = try UNetConfiguration(contentsOf: "\(directory)/config.json")
        let reference = try SafeTensorsFile(path: "\(directory)/reference.safetensors")
        func output(seed: UInt64) throws -> [Float] {
            try UNet2DConditionModel(engine: engine, configuration: configuration, randomSeed: seed).predict(
                sample: reference.floats("sample"), height: 16, width: 16, timestep: 643,
                encoderHiddenStates: reference.floats("encoder_hidden_states"))
        }
        let first = try output(seed: 1)
        #expect(first.allSatisfy { $0.isFinite })
        let again = try output(seed: 1), other = try output(seed: 2)
        #expect(again == first)
        #expect(ErrorMetric.nmse(reference: first, actual: other) > 0.1)
    }

    func expectForwardMatches(config: String, precision: StoragePrecision, tolerance: Double, timestepCondition: [Float]? = nil) throws {
        let gpu = try unetTestContext.get()
        let engine = try TensorEngine(gpu: gpu, precision: precision)
        let directory = ModelFixtures.fixture("unet/\(config)")
        let unet = try UNet2DConditionModel(engine: engine, directory: directory)
        let reference = try SafeTensorsFile(path: "\(directory)/reference.safetensors")
        let sampleShape = try reference.info("sample").shape
        let start = Date()
        let output = try unet.predict(
            sample: try reference.floats("sample"), height: sampleShape[2], width: sampleShape[3],
            timestep: try reference.floats("timestep")[0], encoderHiddenStates: try reference.floats("encoder_hidden_states"),
            timestepCondition: timestepCondition)
        let milliseconds = Date().timeIntervalSince(start) * 1000
        let nmse = ErrorMetric.nmse(reference: try reference.floats("output"), actual: output)
        print("UNet \(config) \(sampleShape[2])×\(sampleShape[3]) [\(precision)]: NMSE \(nmse), \(Int(milliseconds)) ms")
        #expect(nmse <= tolerance, "\(config) [\(precision)] NMSE \(nmse)")
        let errors = gpu.instance.messages.drain().filter { $0.severity == .error }
        #expect(errors.isEmpty, "validation errors: \(errors)")
    }
}

/// config.json reading: diffusers' head-count quirk and defaults, and refusal of what Recast does not implement.
@Suite("UNet configuration")
struct UNetConfigurationTests {
    func configuration(_ json: String) throws -> UNetConfiguration {
        try JSONDecoder().decode(UNetConfiguration.self, from: Data(json.utf8))
    }

    func fixtureFields(_ config: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: ModelFixtures.fixture("unet/\(config)/config.json")))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func configuration(_ fields: [String: Any]) throws -> UNetConfiguration {
        try JSONDecoder().decode(UNetConfiguration.self, from: JSONSerialization.data(withJSONObject: fields))
    }

    @Test("attention_head_dim is the head count, one per block when a single number")
    func headCountQuirk() throws {
        let sd1 = try configuration(try fixtureFields("sd1_like"))
        #expect(sd1.attentionHeads == [2, 2])
        let sd2 = try configuration(try fixtureFields("sd2_like"))
        #expect(sd2.attentionHeads == [1, 4])
        #expect(sd2.useLinearProjection)
    }

    @Test("SD-Turbo's published config is accepted: 4 levels, heads [5, 10, 20, 20] (head size 64), linear projection")
    func acceptsSDTurboConfig() throws {
        let c = try configuration(#"""
            {"_class_name": "UNet2DConditionModel", "_diffusers_version": "0.24.0.dev0", "act_fn": "silu",
             "addition_embed_type": null, "addition_embed_type_num_heads": 64, "addition_time_embed_dim": null,
             "attention_head_dim": [5, 10, 20, 20], "attention_type": "default", "block_out_channels": [320, 640, 1280, 1280],
             "center_input_sample": false, "class_embed_type": null, "class_embeddings_concat": false, "conv_in_kernel": 3,
             "conv_out_kernel": 3, "cross_attention_dim": 1024, "cross_attention_norm": null,
             "down_block_types": ["CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D", "DownBlock2D"],
             "downsample_padding": 1, "dropout": 0.0, "dual_cross_attention": false, "encoder_hid_dim": null,
             "encoder_hid_dim_type": null, "flip_sin_to_cos": true, "freq_shift": 0, "in_channels": 4, "layers_per_block": 2,
             "mid_block_only_cross_attention": null, "mid_block_scale_factor": 1, "mid_block_type": "UNetMidBlock2DCrossAttn",
             "norm_eps": 1e-05, "norm_num_groups": 32, "num_attention_heads": null, "num_class_embeds": null,
             "only_cross_attention": false, "out_channels": 4, "projection_class_embeddings_input_dim": null,
             "resnet_out_scale_factor": 1.0, "resnet_skip_time_act": false, "resnet_time_scale_shift": "default",
             "reverse_transformer_layers_per_block": null, "sample_size": 64, "time_cond_proj_dim": null,
             "time_embedding_act_fn": null, "time_embedding_dim": null, "time_embedding_type": "positional",
             "timestep_post_act": null, "transformer_layers_per_block": 1,
             "up_block_types": ["UpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "CrossAttnUpBlock2D"],
             "upcast_attention": null, "use_linear_projection": true}
            """#)
        #expect(c.attentionHeads == [5, 10, 20, 20])
        #expect(zip(c.blockOutChannels, c.attentionHeads).allSatisfy { $0 / $1 == 64 })
        #expect(c.useLinearProjection && c.crossAttentionDimension == 1024 && c.timeConditionDimension == nil)
    }

    @Test("the SD-Turbo preset has SD-Turbo's shape")
    func sdTurboPreset() throws {
        let c = try UNetConfiguration.sdTurbo()
        #expect(c.blockOutChannels == [320, 640, 1280, 1280] && c.layersPerBlock == [2, 2, 2, 2])
        #expect(c.attentionHeads == [5, 10, 20, 20] && c.crossAttentionDimension == 1024 && c.useLinearProjection)
        #expect(c.normGroups == 32 && c.hasMidBlock && c.flipSinToCos && c.frequencyShift == 0)
    }

    @Test("LCM-distilled UNets' time_cond_proj_dim is read")
    func readsTimeCondition() throws {
        #expect(try configuration(try fixtureFields("lcm_like")).timeConditionDimension == 8)
    }

    @Test("absent fields take diffusers' defaults (SD 1.5's shape)")
    func defaults() throws {
        let c = try configuration("{}")
        #expect(c.blockOutChannels == [320, 640, 1280, 1280])
        #expect(c.layersPerBlock == [2, 2, 2, 2])
        #expect(c.attentionHeads == [8, 8, 8, 8])
        #expect(c.downBlockTypes == [.crossAttentionDown, .crossAttentionDown, .crossAttentionDown, .down])
        #expect(c.hasMidBlock && c.flipSinToCos && !c.useLinearProjection)
    }

    /// Field name and the refused value as JSON text.
    @Test("an unsupported field value is refused by name", arguments: [
        ("class_embed_type", "\"timestep\""),
        ("timestep_post_act", "\"silu\""),
        ("num_attention_heads", "8"),
        ("resnet_time_scale_shift", "\"scale_shift\""),
        ("mid_block_type", "\"UNetMidBlock2DSimpleCrossAttn\""),
        ("only_cross_attention", "true"),
        ("some_future_field", "1"),
    ])
    func refusesUnsupportedField(name: String, value: String) throws {
        var fields = try fixtureFields("sd1_like")
        fields[name] = try JSONSerialization.jsonObject(with: Data(value.utf8), options: .fragmentsAllowed)
        do {
            _ = try configuration(fields)
            Issue.record("config with \(name) = \(value) was accepted")
        } catch let error as DiffusersConfigurationError {
            guard case let .unsupportedField(refused, _, _) = error else {
                Issue.record("\(error)")
                return
            }
            #expect(refused == name)
            #expect(error.description.contains(name))
        }
    }

    @Test("an unsupported block type is refused by name")
    func refusesBlockType() throws {
        var fields = try fixtureFields("sd1_like")
        fields["down_block_types"] = ["CrossAttnDownBlock2D", "AttnDownBlock2D"]
        #expect(throws: DiffusersConfigurationError.unsupportedField(
            name: "down_block_types", value: "\"AttnDownBlock2D\"", supported: "CrossAttnDownBlock2D, DownBlock2D")) {
            try configuration(fields)
        }
    }
}
