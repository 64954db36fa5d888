import Foundation
import RecastGPU

/// A diffusers `UNet2DConditionModel` (SD 1.x/2.x family) on the Vulkan ops, loaded from a diffusers model
/// directory with diffusers' tensor names. One image per call (batch 1): Recast denoises one frame at a time.
/// Inside it works on NHWC tensors; `predict` takes and returns NCHW arrays as diffusers does.
/// `@unchecked Sendable`: it holds only immutable layers; calls are serialized by `TensorEngine.run`.
public final class UNet2DConditionModel: @unchecked Sendable {
    public let engine: TensorEngine
    public let configuration: UNetConfiguration
    let timeEmbedding: TimestepEmbedding
    let convIn: ConvolutionLayer
    let downBlocks: [UNetDownBlock]
    let midBlock: UNetMidBlock?
    let upBlocks: [UNetUpBlock]
    let normOut: NormParameters
    let convOut: ConvolutionLayer

    /// Loads `config.json` and `diffusion_pytorch_model.safetensors` (or its `.fp16` variant) from `directory`.
    public convenience init(engine: TensorEngine, directory: String) throws {
        try self.init(
            engine: engine,
            configuration: UNetConfiguration(contentsOf: URL(fileURLWithPath: directory).appendingPathComponent("config.json").path),
            weights: DiffusersWeights.modelFile(in: directory))
    }

    public convenience init(engine: TensorEngine, configuration: UNetConfiguration, weights file: SafeTensorsFile) throws {
        try self.init(engine: engine, configuration: configuration, source: file)
    }

    /// A UNet of this configuration's exact shape with seeded random weights (for benchmarks without a model).
    public convenience init(engine: TensorEngine, configuration: UNetConfiguration, randomSeed: UInt64) throws {
        try self.init(engine: engine, configuration: configuration, source: SeededRandomWeights(seed: randomSeed))
    }

    init(engine: TensorEngine, configuration c: UNetConfiguration, source: any WeightTensorSource) throws {
        self.engine = engine
        configuration = c
        let weights = DiffusersWeights(engine: engine, source: source, linearProjections: c.useLinearProjection)
        let channels = c.blockOutChannels
        let embedding = channels[0] * 4
        let settings = UNetLayerSettings(
            groups: c.normGroups, epsilon: Float(c.normEpsilon), embedding: embedding, contextDimension: c.crossAttentionDimension)
        timeEmbedding = try TimestepEmbedding(
            weights: weights, featureCount: channels[0], embeddingCount: embedding, flipSinToCos: c.flipSinToCos,
            frequencyShift: Float(c.frequencyShift), conditionDimension: c.timeConditionDimension)
        convIn = try weights.convolution("conv_in", ConvolutionShape(inChannels: c.inChannels, outChannels: channels[0], kernel: 3))

        let levels = channels.count
        var skipChannels = [channels[0]]
        downBlocks = try c.downBlockTypes.enumerated().map { index, type in
            let isLast = index == levels - 1
            skipChannels += Array(repeating: channels[index], count: c.layersPerBlock[index] + (isLast ? 0 : 1))
            return try UNetDownBlock(
                weights: weights, index: index, type: type, inputs: index == 0 ? channels[0] : channels[index - 1],
                outputs: channels[index], layers: c.layersPerBlock[index], transformerLayers: c.transformerLayersPerBlock[index],
                heads: c.attentionHeads[index], downsample: !isLast, settings: settings)
        }
        midBlock = c.hasMidBlock
            ? try UNetMidBlock(
                weights: weights, channels: channels[levels - 1], transformerLayers: c.transformerLayersPerBlock[levels - 1],
                heads: c.attentionHeads[levels - 1], settings: settings)
            : nil
        var previousOutputs = channels[levels - 1]
        upBlocks = try c.upBlockTypes.enumerated().map { index, type in
            let level = levels - 1 - index
            let taken = c.layersPerBlock[level] + 1
            let skips = Array(skipChannels.suffix(taken).reversed())
            skipChannels.removeLast(taken)
            defer { previousOutputs = channels[level] }
            return try UNetUpBlock(
                weights: weights, index: index, type: type, previousOutputs: previousOutputs, skipChannels: skips,
                outputs: channels[level], transformerLayers: c.transformerLayersPerBlock[level], heads: c.attentionHeads[level],
                upsample: index < levels - 1, settings: settings)
        }
        normOut = try weights.norm("conv_norm_out", channels: channels[0], epsilon: Float(c.normEpsilon))
        convOut = try weights.convolution("conv_out", ConvolutionShape(inChannels: channels[0], outChannels: c.outChannels, kernel: 3))
    }

    /// How many self-attention layers a pass runs (each transformer block has one).
    public var selfAttentionLayerCount: Int {
        let transformers = downBlocks.flatMap(\.attentions) + (midBlock.map { [$0.attention] } ?? []) + upBlocks.flatMap(\.attentions)
        return transformers.reduce(0) { $0 + $1.blocks.count }
    }

    /// The sinusoidal timestep features [block_out_channels[0]] that `record` takes (as a [1, n] tensor).
    public func timestepFeatures(_ timestep: Float) -> [Float] {
        timeEmbedding.features(timestep: timestep)
    }

    /// Records one forward pass and returns the tensor the output will hold.
    /// - sample: [1, H, W, in_channels] NHWC.
    /// - timestepFeatures: [1, block_out_channels[0]], from `timestepFeatures(_:)`.
    /// - encoderHiddenStates: [1, tokens, cross_attention_dim].
    /// - timestepCondition: [1, time_cond_proj_dim] (LCM's guidance-scale embedding), only for models with one;
    ///   nil skips it, as diffusers does.
    /// - Returns: [1, H, W, out_channels] NHWC.
    public func record(
        sample: Tensor, timestepFeatures: Tensor, encoderHiddenStates: Tensor, timestepCondition: Tensor? = nil,
        into recorder: CommandRecorder
    ) throws -> Tensor {
        try record(
            sample: sample, timestepFeatures: timestepFeatures, encoderHiddenStates: encoderHiddenStates,
            timestepCondition: timestepCondition, hook: nil, into: recorder)
    }

    /// Records one forward pass like `record`, counting its FLOPs into `flops` (for benchmarks: GFLOP/s).
    public func record(
        sample: Tensor, timestepFeatures: Tensor, encoderHiddenStates: Tensor, timestepCondition: Tensor? = nil, countingInto flops: FlopCounter,
        into recorder: CommandRecorder
    ) throws -> Tensor {
        try record(
            sample: sample, timestepFeatures: timestepFeatures, encoderHiddenStates: encoderHiddenStates,
            timestepCondition: timestepCondition, hook: nil, flops: flops, into: recorder)
    }

    func record(
        sample: Tensor, timestepFeatures: Tensor, encoderHiddenStates: Tensor, timestepCondition: Tensor?, hook: SelfAttentionHook?,
        flops: FlopCounter? = nil, into recorder: CommandRecorder
    ) throws -> Tensor {
        let c = configuration
        guard sample.rank == 4, sample.shape[0] == 1, sample.shape[3] == c.inChannels,
              timestepFeatures.shape == [1, c.blockOutChannels[0]],
              encoderHiddenStates.rank == 3, encoderHiddenStates.shape[0] == 1, encoderHiddenStates.shape[2] == c.crossAttentionDimension
        else {
            throw NNError.shapeMismatch(
                op: "UNet2DConditionModel",
                detail: "sample \(sample.shape), timestep features \(timestepFeatures.shape), encoder hidden states \(encoderHiddenStates.shape): "
                    + "need [1, H, W, \(c.inChannels)], [1, \(c.blockOutChannels[0])], [1, tokens, \(c.crossAttentionDimension)]")
        }
        if let timestepCondition {
            guard let width = c.timeConditionDimension, timestepCondition.shape == [1, width] else {
                throw NNError.shapeMismatch(
                    op: "UNet2DConditionModel",
                    detail: "timestep condition \(timestepCondition.shape) for time_cond_proj_dim \(c.timeConditionDimension.map(String.init) ?? "null")")
            }
        }
        let r = UNetRecording(engine: engine, recorder: recorder, selfAttention: hook, flops: flops)
        let embedding = try timeEmbedding.record(features: timestepFeatures, condition: timestepCondition, r)
        let input = c.centerInputSample ? try r.elementwise(.scale(2, offset: -1), sample) : sample
        var x = try r.convolve(convIn, input)
        var skips = [x]
        for block in downBlocks {
            x = try block.record(x, embedding: embedding, context: encoderHiddenStates, skips: &skips, r)
        }
        if let midBlock {
            x = try midBlock.record(x, embedding: embedding, context: encoderHiddenStates, r)
        }
        for block in upBlocks {
            x = try block.record(x, embedding: embedding, context: encoderHiddenStates, skips: &skips, r)
        }
        return try r.convolve(convOut, try r.groupNorm(x, normOut, groups: c.normGroups, silu: true))
    }

    /// One forward pass on diffusers-layout arrays, with identity/temporal attention when `extensions` has them;
    /// a temporal window then takes this pass's self-attention keys/values.
    /// - sample: NCHW [1, in_channels, height, width]; encoderHiddenStates: [1, tokens, cross_attention_dim].
    /// - Returns: the output sample, NCHW [1, out_channels, height, width].
    /// - timestepCondition: [1, time_cond_proj_dim] for models with one (see `record`).
    public func predict(
        sample: [Float], height: Int, width: Int, timestep: Float, encoderHiddenStates: [Float], timestepCondition: [Float]? = nil,
        extensions: AttentionExtensions? = nil
    ) throws -> [Float] {
        let layers = selfAttentionLayerCount
        let counts = (extensions?.reference.map { [$0.layers.count] } ?? []) + (extensions?.temporal?.frames.map(\.count) ?? [])
        guard counts.allSatisfy({ $0 == layers }) else {
            throw NNError.shapeMismatch(op: "UNet2DConditionModel", detail: "attention extras for \(counts) layers; this UNet has \(layers)")
        }
        let hook = extensions.map { SelfAttentionHook(extensions: $0) }
        let output = try run(
            sample: sample, height: height, width: width, timestep: timestep, encoderHiddenStates: encoderHiddenStates,
            timestepCondition: timestepCondition, hook: hook)
        if let hook, let window = extensions?.temporal {
            window.append(hook.captured)
        }
        return output
    }

    /// Identity attention's keys/values: a plain pass over the reference latent (NCHW, like `predict`'s sample).
    public func captureReference(
        sample: [Float], height: Int, width: Int, timestep: Float, encoderHiddenStates: [Float], timestepCondition: [Float]? = nil
    ) throws -> ReferenceAttention {
        let hook = SelfAttentionHook(extensions: nil)
        _ = try run(
            sample: sample, height: height, width: width, timestep: timestep, encoderHiddenStates: encoderHiddenStates,
            timestepCondition: timestepCondition, hook: hook)
        return ReferenceAttention(layers: hook.captured)
    }

    private func run(
        sample: [Float], height: Int, width: Int, timestep: Float, encoderHiddenStates: [Float], timestepCondition: [Float]?,
        hook: SelfAttentionHook?
    ) throws -> [Float] {
        let c = configuration
        guard height > 0, width > 0, sample.count == c.inChannels * height * width,
              encoderHiddenStates.count % c.crossAttentionDimension == 0, !encoderHiddenStates.isEmpty
        else {
            throw NNError.shapeMismatch(
                op: "UNet2DConditionModel",
                detail: "\(sample.count) sample values for \(c.inChannels)×\(height)×\(width), "
                    + "\(encoderHiddenStates.count) encoder values for width \(c.crossAttentionDimension)")
        }
        let sampleTensor = try engine.makeTensor(
            shape: [1, height, width, c.inChannels],
            values: ChannelLayout.nhwc(fromNCHW: sample, channels: c.inChannels, height: height, width: width))
        let features = try engine.makeTensor(shape: [1, c.blockOutChannels[0]], values: timestepFeatures(timestep))
        let context = try engine.makeTensor(
            shape: [1, encoderHiddenStates.count / c.crossAttentionDimension, c.crossAttentionDimension], values: encoderHiddenStates)
        let condition = try timestepCondition.map { try engine.makeTensor(shape: [1, $0.count], values: $0) }
        var output: Tensor?
        try engine.run {
            output = try record(
                sample: sampleTensor, timestepFeatures: features, encoderHiddenStates: context, timestepCondition: condition, hook: hook,
                into: $0)
        }
        return ChannelLayout.nchw(fromNHWC: try engine.read(output!), channels: c.outChannels, height: height, width: width)
    }
}
