import RecastGPU

/// The YuNet-s network (libfacedetection.train, 2023): a depthwise-separable backbone down to 1/32,
/// a top-down feature pyramid, and per-level heads at strides 8, 16 and 32.
/// Input: NHWC [1, H, W, 3] RGB 0–255 with H and W multiples of 32.
struct YuNetNetwork {
    /// Head output channels per anchor: cls, obj, box (4), keypoints (10).
    static let headChannels = 16
    /// Units per backbone stage; a 2×2 max pool precedes every stage after the stem.
    static let stageUnits = [("stem", 1), ("stage1", 4), ("stage2", 2), ("stage3", 2), ("stage4", 2)]
    /// The first stage whose output the feature pyramid reads (stride 8).
    static let firstFeatureStage = 2

    let stemConvolution: ConvolutionLayer
    let stages: [[YuNetUnit]]
    let neck32: YuNetUnit
    let neck16: YuNetUnit
    let neck8: YuNetUnit
    /// One per stride (8, 16, 32): the four heads (cls, obj, bbox, kps) run as one 16-channel unit.
    let heads: [YuNetUnit]

    init(engine: TensorEngine, file: SafeTensorsFile) throws {
        let weights = YuNetWeights(file: file)
        var stem = try weights.convolution("backbone.stem.conv")
        stem.weight = Self.swappingRedAndBlue(stem.weight, outChannels: stem.outChannels)
        stemConvolution = try ConvolutionLayer(
            engine: engine, shape: ConvolutionShape(inChannels: 3, outChannels: stem.outChannels, kernel: 3, stride: 2),
            weights: stem.weight, bias: stem.bias, activation: .relu)
        stages = try Self.stageUnits.map { stage, count in
            try (0..<count).map { try YuNetUnit(engine: engine, weights: weights, prefix: "backbone.\(stage).unit\($0)") }
        }
        neck32 = try YuNetUnit(engine: engine, weights: weights, prefix: "neck.level32")
        neck16 = try YuNetUnit(engine: engine, weights: weights, prefix: "neck.level16")
        neck8 = try YuNetUnit(engine: engine, weights: weights, prefix: "neck.level8")
        heads = try YuNetDecoding.strides.map { stride in
            let kinds = ["cls", "obj", "bbox", "kps"].map { "head.\(stride).\($0)" }
            return try YuNetUnit(
                engine: engine, pointwise: weights.stacked(kinds.map { "\($0).pointwise" }),
                depthwise: weights.stacked(kinds.map { "\($0).depthwise" }), relu: false)
        }
    }

    /// Records the network on `input`; returns the head outputs for strides 8, 16, 32
    /// (NHWC [1, H/s, W/s, 16], logits for cls and obj).
    func encode(_ input: Tensor, in graph: ModelGraphRecorder) throws -> [Tensor] {
        var x = try graph.convolve(stemConvolution, input)
        // The outputs of the stages at strides 8, 16 and 32.
        var features: [Tensor] = []
        for (index, units) in stages.enumerated() {
            let last = index == stages.count - 1
            // A stage whose output is no feature level passes it on only pooled: its last unit writes it pooled.
            let poolsOutput = !last && index < Self.firstFeatureStage
            for (position, unit) in units.enumerated() {
                x = try unit.encode(x, in: graph, poolOutput: poolsOutput && position == units.count - 1)
            }
            if index >= Self.firstFeatureStage { features.append(x) }
            if !last && !poolsOutput { x = try graph.maxPool2x2(x) }
        }
        let (p8, p16, p32) = (features[0], features[1], features[2])
        let n32 = try neck32.encode(p32, in: graph)
        let n16 = try neck16.encode(graph.addUpsampled(n32, to: p16), in: graph)
        let n8 = try neck8.encode(graph.addUpsampled(n16, to: p8), in: graph)
        return try zip(heads, [n8, n16, n32]).map { head, level in try head.encode(level, in: graph) }
    }

    /// The original was trained on OpenCV's BGR order; swapping the first layer's input channels lets it take RGB.
    private static func swappingRedAndBlue(_ weight: [Float], outChannels: Int) -> [Float] {
        var swapped = weight
        let perChannel = weight.count / (outChannels * 3)
        for o in 0..<outChannels {
            for i in 0..<perChannel {
                swapped[(o * 3 + 0) * perChannel + i] = weight[(o * 3 + 2) * perChannel + i]
                swapped[(o * 3 + 2) * perChannel + i] = weight[(o * 3 + 0) * perChannel + i]
            }
        }
        return swapped
    }
}
