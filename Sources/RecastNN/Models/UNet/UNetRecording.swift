import RecastGPU

/// The engine and the command recorder a UNet forward is recorded into, with the allocate-and-record helpers its layers share.
struct UNetRecording {
    let engine: TensorEngine
    let recorder: CommandRecorder
    /// The UNet pass's self-attention layers' hook (identity/temporal attention), if any.
    let selfAttention: SelfAttentionHook?
    let flops: FlopCounter?

    init(engine: TensorEngine, recorder: CommandRecorder, selfAttention: SelfAttentionHook? = nil, flops: FlopCounter? = nil) {
        self.engine = engine
        self.recorder = recorder
        self.selfAttention = selfAttention
        self.flops = flops
    }

    func groupNorm(_ input: Tensor, _ norm: NormParameters, groups: Int, silu: Bool) throws -> Tensor {
        let output = try engine.makeTensor(shape: input.shape)
        try engine.encodeGroupNorm(
            input, groups: groups, gamma: norm.gamma, beta: norm.beta, epsilon: norm.epsilon, fuseSiLU: silu, output: output,
            into: recorder)
        return output
    }

    func layerNorm(_ input: Tensor, _ norm: NormParameters) throws -> Tensor {
        let output = try engine.makeTensor(shape: input.shape)
        try engine.encodeLayerNorm(input, gamma: norm.gamma, beta: norm.beta, epsilon: norm.epsilon, output: output, into: recorder)
        return output
    }

    func convolve(_ layer: ConvolutionLayer, _ input: Tensor, residual: Tensor? = nil) throws -> Tensor {
        let output = try engine.makeTensor(shape: layer.outputShape(for: input.shape))
        try layer.encode(engine: engine, input: input, residual: residual, output: output, into: recorder)
        flops?.addConvolution(layer.shape, output: output.shape)
        return output
    }

    func linear(_ layer: LinearLayer, _ input: Tensor, residual: Tensor? = nil) throws -> Tensor {
        flops?.addLinear(rows: input.elementCount / layer.inputs, inputs: layer.inputs, outputs: layer.outputs)
        return try layer.record(input, residual: residual, engine: engine, into: recorder)
    }

    /// Multi-head attention of `q` over `k`/`v` and then `extraKeys`/`extraValues`, all [1, tokens, width].
    func attention(q: Tensor, k: Tensor, v: Tensor, extraKeys: Tensor? = nil, extraValues: Tensor? = nil, heads: Int) throws -> Tensor {
        let output = try engine.makeTensor(shape: q.shape)
        try engine.encodeAttention(q: q, k: k, v: v, extraKeys: extraKeys, extraValues: extraValues, heads: heads, output: output, into: recorder)
        flops?.addAttention(batch: q.shape[0], queries: q.shape[1], keys: k.shape[1] + (extraKeys?.shape[1] ?? 0), width: q.shape[2])
        return output
    }

    func elementwise(_ op: ElementwiseOp, _ a: Tensor, _ b: Tensor? = nil) throws -> Tensor {
        let output = try engine.makeTensor(shape: a.shape)
        try engine.encodeElementwise(op, a, b, output: output, into: recorder)
        return output
    }

    /// Nearest-neighbour resize of NHWC `input` to `height`×`width` (PyTorch's `interpolate(mode="nearest")`).
    func resizeNearest(_ input: Tensor, height: Int, width: Int) throws -> Tensor {
        let output = try engine.makeTensor(shape: [input.shape[0], height, width, input.shape[3]])
        try engine.encodeResize(input, mode: .nearest, output: output, into: recorder)
        return output
    }

    func concatChannels(_ inputs: [Tensor]) throws -> Tensor {
        let output = try engine.makeTensor(shape: Array(inputs[0].shape.dropLast()) + [inputs.reduce(0) { $0 + $1.shape.last! }])
        try engine.encodeConcatChannels(inputs, output: output, into: recorder)
        return output
    }

    /// Token tensors [1, Tᵢ, C] one after another as [1, ΣTᵢ, C] (a buffer concatenation, through 1-row views).
    func concatTokens(_ inputs: [Tensor]) throws -> Tensor {
        if inputs.count == 1 {
            return inputs[0]
        }
        let width = inputs[0].shape[2]
        let tokens = inputs.reduce(0) { $0 + $1.shape[1] }
        let output = try engine.makeTensor(shape: [1, tokens * width])
        try engine.encodeConcatChannels(inputs.map { $0.reshaped([1, $0.elementCount]) }, output: output, into: recorder)
        return output.reshaped([1, tokens, width])
    }
}
