import Foundation

/// A diffusers model's tensors (its safetensors file, or seeded random ones), read by diffusers' tensor names
/// and uploaded in the engine's precision.
struct DiffusersWeights {
    let engine: TensorEngine
    let source: any WeightTensorSource
    /// Whether 1×1 projections are stored as linear weights [out, in] rather than conv weights [out, in, 1, 1].
    var linearProjections = false

    /// `diffusion_pytorch_model.safetensors` in `directory`, or its fp16 variant when only that exists.
    static func modelFile(in directory: String) throws -> SafeTensorsFile {
        let base = URL(fileURLWithPath: directory)
        let candidates = ["diffusion_pytorch_model.safetensors", "diffusion_pytorch_model.fp16.safetensors"]
            .map { base.appendingPathComponent($0).path }
        let path = candidates.first { FileManager.default.fileExists(atPath: $0) } ?? candidates[0]
        return try SafeTensorsFile(path: path)
    }

    func convolution(_ prefix: String, _ shape: ConvolutionShape, bias: Bool = true, activation: Activation = .none) throws -> ConvolutionLayer {
        try ConvolutionLayer(
            engine: engine, shape: shape,
            weights: source.floats("\(prefix).weight", shape: [shape.outChannels, shape.groupInChannels, shape.kernelHeight, shape.kernelWidth]),
            bias: bias ? try source.floats("\(prefix).bias", shape: [shape.outChannels]) : nil, activation: activation)
    }

    func linear(_ prefix: String, inputs: Int, outputs: Int, bias: Bool = true, activation: Activation = .none) throws -> LinearLayer {
        try linear(prefix, inputs: inputs, outputs: outputs, rows: 0..<outputs, bias: bias, activation: activation, asConvolution: false)
    }

    /// A 1×1 projection, stored as a linear or a 1×1 conv (`proj_in`/`proj_out` of a transformer), applied to tokens.
    func projection(_ prefix: String, inputs: Int, outputs: Int) throws -> LinearLayer {
        try linear(prefix, inputs: inputs, outputs: outputs, rows: 0..<outputs, bias: true, activation: .none, asConvolution: !linearProjections)
    }

    /// The output rows `rows` of the linear layer `prefix` whose weight is [total, inputs] (half of a GEGLU projection).
    func linear(
        _ prefix: String, inputs: Int, outputs total: Int, rows: Range<Int>, bias: Bool = true, activation: Activation = .none,
        asConvolution: Bool = false
    ) throws -> LinearLayer {
        let weight = try source.floats("\(prefix).weight", shape: asConvolution ? [total, inputs, 1, 1] : [total, inputs])
        let biasValues = bias ? try source.floats("\(prefix).bias", shape: [total]) : nil
        return LinearLayer(
            inputs: inputs, outputs: rows.count,
            weight: try engine.makeTensor(shape: [rows.count, inputs], values: Array(weight[(rows.lowerBound * inputs)..<(rows.upperBound * inputs)])),
            bias: try biasValues.map { try engine.makeTensor(shape: [rows.count], values: Array($0[rows])) },
            activation: activation)
    }

    func norm(_ prefix: String, channels: Int, epsilon: Float) throws -> NormParameters {
        NormParameters(
            gamma: try engine.makeTensor(shape: [channels], values: source.floats("\(prefix).weight", shape: [channels])),
            beta: try engine.makeTensor(shape: [channels], values: source.floats("\(prefix).bias", shape: [channels])),
            epsilon: epsilon)
    }
}
