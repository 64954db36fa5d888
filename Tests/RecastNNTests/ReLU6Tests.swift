import RecastNN
import Testing

/// ReLU6 in the convolution epilogues, with inputs large enough that both bounds clip.
@Suite("ReLU6 epilogue")
struct ReLU6Tests {
    @Test(arguments: StoragePrecision.allCases)
    func convolutionClipsAtZeroAndSix(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let shape = ConvolutionShape(inChannels: 5, outChannels: 7, kernel: 3, stride: 2)
        let (height, width) = (9, 11)
        let input = stored(randomValues(2 * height * width * 5, seed: 3).map { $0 * 4 }, precision)
        let weights = stored(randomValues(shape.weightCount, seed: 4), precision)
        let bias = stored(randomValues(7, seed: 5), precision)
        let layer = try ConvolutionLayer(engine: engine, shape: shape, weights: weights, bias: bias, activation: .relu6)
        let output = try engine.read(layer(engine, engine.makeTensor(shape: [2, height, width, 5], values: input)))
        let reference = CPUReference.convolution(
            input, batch: 2, height: height, width: width, shape: shape, weights: weights, bias: bias, activation: .relu6)
        #expect(reference.contains(6) && reference.contains(0), "inputs must exercise both bounds")
        try expectClose(output, reference, precision, "conv relu6")
    }

    @Test(arguments: StoragePrecision.allCases)
    func depthwiseClipsAtZeroAndSix(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let shape = DepthwiseConvolutionShape(channels: 13, kernel: 3)
        let (height, width) = (7, 5)
        let input = stored(randomValues(height * width * 13, seed: 6).map { $0 * 5 }, precision)
        let weights = stored(randomValues(shape.weightCount, seed: 7).map { $0 * 2 }, precision)
        let layer = try DepthwiseConvolutionLayer(engine: engine, shape: shape, weights: weights, activation: .relu6)
        let output = try engine.read(layer(engine, engine.makeTensor(shape: [1, height, width, 13], values: input)))
        let reference = CPUReference.depthwiseConvolution(
            input, batch: 1, height: height, width: width, shape: shape, weights: weights, activation: .relu6)
        #expect(reference.contains(6) && reference.contains(0), "inputs must exercise both bounds")
        try expectClose(output, reference, precision, "depthwise relu6")
    }
}
