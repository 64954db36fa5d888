import RecastNN
import Testing

struct BlockCase: Sendable, CustomTestStringConvertible {
    var batch = 1, height: Int, width: Int
    var depthwise: DepthwiseConvolutionShape
    var outChannels: Int
    var residual = true, activation = Activation.prelu, biases = true
    var testDescription: String {
        let s = depthwise
        return "\(batch)x\(height)x\(width)x\(s.channels)→\(outChannels) k\(s.kernel) s\(s.stride) pad \(s.padTop),\(s.padLeft),\(s.padBottom),\(s.padRight) "
            + "\(activation) res \(residual) biases \(biases)"
    }
}

@Suite("Depthwise-pointwise residual block")
struct DepthwisePointwiseBlockTests {
    static let cases: [BlockCase] = [
        BlockCase(batch: 2, height: 3, width: 3, depthwise: DepthwiseConvolutionShape(channels: 16, kernel: 3), outChannels: 16),
        // Strided: the shortcut pooled 2×2 from an odd size (windows clipped at the edge) and widened with zero channels.
        BlockCase(height: 5, width: 5, depthwise: DepthwiseConvolutionShape(channels: 16, kernel: 3, stride: 2), outChannels: 32),
        // TFLite SAME at stride 2 (bottom and right padding only), as the face mesh's strided blocks.
        BlockCase(height: 6, width: 6, depthwise: DepthwiseConvolutionShape(channels: 8, kernel: 3, stride: 2, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1),
                  outChannels: 24, activation: .relu),
        BlockCase(height: 1, width: 2, depthwise: DepthwiseConvolutionShape(channels: 8, kernel: 3), outChannels: 8, residual: false, activation: .none),
        // Maps of several tiles, with partial tiles at the bottom and right edges.
        BlockCase(batch: 2, height: 5, width: 11, depthwise: DepthwiseConvolutionShape(channels: 16, kernel: 3), outChannels: 16),
        BlockCase(height: 9, width: 7, depthwise: DepthwiseConvolutionShape(channels: 16, kernel: 3, stride: 2), outChannels: 32),
        // More output channels than an invocation computes, and a 5×5 kernel.
        BlockCase(height: 7, width: 6, depthwise: DepthwiseConvolutionShape(channels: 64, kernel: 3), outChannels: 128, activation: .relu),
        BlockCase(height: 6, width: 9, depthwise: DepthwiseConvolutionShape(channels: 40, kernel: 5), outChannels: 40),
        // Without biases: the two layers' own dispatches.
        BlockCase(height: 4, width: 4, depthwise: DepthwiseConvolutionShape(channels: 16, kernel: 3), outChannels: 16, biases: false),
    ]

    @Test(arguments: StoragePrecision.allCases, cases)
    func blockMatchesItsLayers(precision: StoragePrecision, c: BlockCase) throws {
        let engine = try engine(precision)
        let s = c.depthwise
        let pointwiseShape = ConvolutionShape(inChannels: s.channels, outChannels: c.outChannels, kernel: 1)
        let (outHeight, outWidth) = s.outputSize(height: c.height, width: c.width)
        let inputValues = stored(randomValues(c.batch * c.height * c.width * s.channels, seed: 31), precision)
        let depthwiseWeights = stored(randomValues(s.weightCount, seed: 32), precision)
        let depthwiseBias = c.biases ? stored(randomValues(s.channels, seed: 33), precision) : nil
        let pointwiseWeights = stored(randomValues(pointwiseShape.weightCount, seed: 34), precision)
        let pointwiseBias = c.biases ? stored(randomValues(c.outChannels, seed: 35), precision) : nil
        let slopes = c.activation == .prelu ? stored(randomValues(c.outChannels, seed: 36), precision) : nil
        let block = try DepthwisePointwiseBlock(
            depthwise: DepthwiseConvolutionLayer(engine: engine, shape: s, weights: depthwiseWeights, bias: depthwiseBias),
            pointwise: ConvolutionLayer(
                engine: engine, shape: pointwiseShape, weights: pointwiseWeights, bias: pointwiseBias, activation: c.activation,
                preluSlopes: slopes))
        let input = try engine.makeTensor(shape: [c.batch, c.height, c.width, s.channels], values: inputValues)
        #expect(block.fuses(input, engine: engine) == (engine.gpu.capabilities.type == .cpu && c.biases))

        let spatial = CPUReference.depthwiseConvolution(
            inputValues, batch: c.batch, height: c.height, width: c.width, shape: s, weights: depthwiseWeights, bias: depthwiseBias)
        let residual = c.residual
            ? CPUReference.residualShortcut(
                inputValues, batch: c.batch, height: c.height, width: c.width, channels: s.channels, pooled: s.stride == 2,
                outChannels: c.outChannels)
            : nil
        let reference = CPUReference.convolution(
            spatial, batch: c.batch, height: outHeight, width: outWidth, shape: pointwiseShape, weights: pointwiseWeights,
            bias: pointwiseBias, residual: residual, activation: c.activation, slopes: slopes)
        let output = try engine.makeTensor(shape: block.outputShape(for: input.shape))
        #expect(output.shape == [c.batch, outHeight, outWidth, c.outChannels])
        try engine.run { try block.encode(engine: engine, input: input, residual: c.residual, output: output, into: $0) }
        try expectClose(try engine.read(output), reference, precision, c.testDescription)
    }

    @Test func refusesAShortcutThatDoesNotFit() throws {
        let engine = try engine(.float32)
        // Stride 2 with bottom and right padding on an odd size: a 2×2 output, but the pooled shortcut is 3×3.
        let s = DepthwiseConvolutionShape(channels: 8, kernel: 3, stride: 2, padTop: 0, padLeft: 0, padBottom: 1, padRight: 1)
        let block = try DepthwisePointwiseBlock(
            depthwise: DepthwiseConvolutionLayer(engine: engine, shape: s, weights: randomValues(s.weightCount, seed: 37), bias: randomValues(8, seed: 38)),
            pointwise: ConvolutionLayer(
                engine: engine, shape: ConvolutionShape(inChannels: 8, outChannels: 8, kernel: 1), weights: randomValues(64, seed: 39),
                bias: randomValues(8, seed: 40)))
        let input = try engine.makeTensor(shape: [1, 5, 5, 8])
        let output = try engine.makeTensor(shape: block.outputShape(for: input.shape))
        #expect(output.shape == [1, 2, 2, 8])
        #expect(throws: NNError.self) {
            try engine.run { try block.encode(engine: engine, input: input, residual: true, output: output, into: $0) }
        }
        let wrongOutput = try engine.makeTensor(shape: [1, 2, 2, 16])
        #expect(throws: NNError.self) {
            try engine.run { try block.encode(engine: engine, input: input, residual: false, output: wrongOutput, into: $0) }
        }
    }

    @Test func refusesLayersThatAreNotABlock() throws {
        let engine = try engine(.float32)
        let depthwise = try DepthwiseConvolutionLayer(
            engine: engine, shape: DepthwiseConvolutionShape(channels: 8, kernel: 3), weights: randomValues(72, seed: 41))
        let spatial = try ConvolutionLayer(
            engine: engine, shape: ConvolutionShape(inChannels: 8, outChannels: 8, kernel: 3, padding: 1), weights: randomValues(576, seed: 42))
        #expect(throws: NNError.self) { try DepthwisePointwiseBlock(depthwise: depthwise, pointwise: spatial) }
    }
}
