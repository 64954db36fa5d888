import RecastNN
import Testing

struct DepthwiseCase: Sendable, CustomTestStringConvertible {
    var batch = 1, height: Int, width: Int
    var shape: DepthwiseConvolutionShape
    var bias = true, residual = false, activation = Activation.none
    var testDescription: String {
        let s = shape
        return "\(batch)x\(height)x\(width)x\(s.channels) k\(s.kernel) s\(s.stride) pad \(s.padTop),\(s.padLeft),\(s.padBottom),\(s.padRight) \(activation) res \(residual)"
    }
}

@Suite("Depthwise convolution")
struct DepthwiseConvolutionTests {
    static let cases: [DepthwiseCase] = [
        DepthwiseCase(height: 1, width: 1, shape: DepthwiseConvolutionShape(channels: 3, kernel: 3)),
        DepthwiseCase(batch: 2, height: 13, width: 11, shape: DepthwiseConvolutionShape(channels: 17, kernel: 3), activation: .relu),
        DepthwiseCase(height: 12, width: 10, shape: DepthwiseConvolutionShape(channels: 33, kernel: 3, stride: 2, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1),
                      residual: true, activation: .prelu),
        DepthwiseCase(height: 9, width: 14, shape: DepthwiseConvolutionShape(channels: 5, kernel: 5, stride: 2), bias: false),
        DepthwiseCase(height: 7, width: 6, shape: DepthwiseConvolutionShape(channels: 16, kernel: 3, padTop: 0, padLeft: 0, padBottom: 0, padRight: 0),
                      residual: true, activation: .sigmoid),
        // On CPU devices, channel counts that are whole texel chunks take the texel path (8 fp16 or 4 fp32 values a
        // texel): widths that are not multiples of its 4 or (rows of 8 and more) 8 outputs an invocation, both strides, 1×1.
        DepthwiseCase(height: 1, width: 1, shape: DepthwiseConvolutionShape(channels: 8, kernel: 3)),
        DepthwiseCase(batch: 2, height: 11, width: 13, shape: DepthwiseConvolutionShape(channels: 24, kernel: 3), residual: true, activation: .prelu),
        DepthwiseCase(height: 12, width: 10, shape: DepthwiseConvolutionShape(channels: 40, kernel: 3, stride: 2, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1),
                      activation: .relu),
        DepthwiseCase(height: 9, width: 7, shape: DepthwiseConvolutionShape(channels: 32, kernel: 5, stride: 2), bias: false, residual: false),
        DepthwiseCase(height: 3, width: 17, shape: DepthwiseConvolutionShape(channels: 8, kernel: 3, padTop: 2, padLeft: 2, padBottom: 2, padRight: 2)),
        DepthwiseCase(height: 5, width: 23, shape: DepthwiseConvolutionShape(channels: 16, kernel: 3, stride: 2), residual: true, activation: .relu),
    ]

    @Test(arguments: StoragePrecision.allCases, cases)
    func depthwiseConvolution(precision: StoragePrecision, c: DepthwiseCase) throws {
        let engine = try engine(precision)
        let s = c.shape
        let (outHeight, outWidth) = s.outputSize(height: c.height, width: c.width)
        let outputCount = c.batch * outHeight * outWidth * s.channels
        let inputValues = stored(randomValues(c.batch * c.height * c.width * s.channels, seed: 17), precision)
        let weights = stored(randomValues(s.weightCount, seed: 18), precision)
        let bias = c.bias ? stored(randomValues(s.channels, seed: 19), precision) : nil
        let slopes = c.activation == .prelu ? stored(randomValues(s.channels, seed: 20), precision) : nil
        let residualValues = c.residual ? stored(randomValues(outputCount, seed: 21), precision) : nil
        let layer = try DepthwiseConvolutionLayer(
            engine: engine, shape: s, weights: weights, bias: bias, activation: c.activation, preluSlopes: slopes)
        let input = try engine.makeTensor(shape: [c.batch, c.height, c.width, s.channels], values: inputValues)
        let residual = try residualValues.map { try engine.makeTensor(shape: [c.batch, outHeight, outWidth, s.channels], values: $0) }
        let reference = CPUReference.depthwiseConvolution(
            inputValues, batch: c.batch, height: c.height, width: c.width, shape: s, weights: weights, bias: bias,
            residual: residualValues, activation: c.activation, slopes: slopes)
        let output = try layer(engine, input, residual: residual)
        #expect(output.shape == [c.batch, outHeight, outWidth, s.channels])
        try expectClose(try engine.read(output), reference, precision, c.testDescription)
    }

    /// Pooled output: the convolution, its activation, then a 2×2 max pool; odd output sizes drop their last row or
    /// column. Texel channel counts (pooled in the convolution) with 4 and 8 outputs an invocation and both strides,
    /// and one that is not (a separate pooling pass).
    @Test(arguments: StoragePrecision.allCases)
    func pooledOutput(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let cases: [(batch: Int, height: Int, width: Int, shape: DepthwiseConvolutionShape, activation: Activation)] = [
            (2, 9, 13, DepthwiseConvolutionShape(channels: 16, kernel: 3), .relu),
            (1, 6, 7, DepthwiseConvolutionShape(channels: 8, kernel: 3), .prelu),
            (1, 11, 23, DepthwiseConvolutionShape(channels: 24, kernel: 3, stride: 2), .none),
            (1, 8, 10, DepthwiseConvolutionShape(channels: 5, kernel: 3), .relu),
        ]
        for c in cases {
            let s = c.shape
            let inputValues = stored(randomValues(c.batch * c.height * c.width * s.channels, seed: 22), precision)
            let weights = stored(randomValues(s.weightCount, seed: 23), precision)
            let bias = stored(randomValues(s.channels, seed: 24), precision)
            let slopes = c.activation == .prelu ? stored(randomValues(s.channels, seed: 25), precision) : nil
            let layer = try DepthwiseConvolutionLayer(engine: engine, shape: s, weights: weights, bias: bias, activation: c.activation, preluSlopes: slopes)
            let (outHeight, outWidth) = s.outputSize(height: c.height, width: c.width)
            let full = CPUReference.depthwiseConvolution(
                inputValues, batch: c.batch, height: c.height, width: c.width, shape: s, weights: weights, bias: bias,
                residual: nil, activation: c.activation, slopes: slopes)
            let reference = CPUReference.pool(
                full, batch: c.batch, height: outHeight, width: outWidth, channels: s.channels, mode: .max, kernel: 2, stride: 2, padding: 0)
            let input = try engine.makeTensor(shape: [c.batch, c.height, c.width, s.channels], values: inputValues)
            let output = try engine.makeTensor(shape: layer.outputShape(for: input.shape, pooled: true))
            #expect(output.shape == [c.batch, outHeight / 2, outWidth / 2, s.channels])
            try engine.run { try layer.encode(engine: engine, input: input, poolOutput: true, output: output, into: $0) }
            try expectClose(try engine.read(output), reference, precision, "\(c.batch)x\(c.height)x\(c.width) \(s) pooled")
        }
    }

    /// With symmetric padding it computes what the grouped convolution computes.
    @Test func matchesGroupedConvolutionReference() {
        let shape = ConvolutionShape(inChannels: 6, outChannels: 6, kernel: 3, stride: 2, groups: 6)
        let input = randomValues(2 * 7 * 9 * 6, seed: 22)
        let weights = randomValues(shape.weightCount, seed: 23)
        let grouped = CPUReference.convolution(input, batch: 2, height: 7, width: 9, shape: shape, weights: weights)
        let depthwise = CPUReference.depthwiseConvolution(
            input, batch: 2, height: 7, width: 9, shape: DepthwiseConvolutionShape(channels: 6, kernel: 3, stride: 2), weights: weights)
        #expect(grouped == depthwise)
    }

    @Test func refusesMismatchedShapes() throws {
        let engine = try engine(.float32)
        let shape = DepthwiseConvolutionShape(channels: 4, kernel: 3)
        #expect(throws: NNError.self) { try DepthwiseConvolutionLayer(engine: engine, shape: shape, weights: randomValues(35, seed: 1)) }
        let layer = try DepthwiseConvolutionLayer(engine: engine, shape: shape, weights: randomValues(36, seed: 1))
        let input = try engine.makeTensor(shape: [1, 5, 5, 3], values: randomValues(75, seed: 2))
        #expect(throws: NNError.self) { try layer(engine, input) }
    }
}
