import RecastNN
import Testing

struct MatmulCase: Sendable, CustomTestStringConvertible {
    var batch: Int, m: Int, n: Int, k: Int, bBatch: Int
    var transposeB = false, bias = false, residual = false, activation = Activation.none
    var testDescription: String { "\(batch)x\(m)x\(n)x\(k) bBatch \(bBatch) T\(transposeB) bias \(bias) res \(residual) \(activation)" }
}

struct ConvolutionCase: Sendable, CustomTestStringConvertible {
    var batch = 1, height: Int, width: Int
    var shape: ConvolutionShape
    var bias = true, residual = false, activation = Activation.none
    var testDescription: String {
        let s = shape
        return "\(batch)x\(height)x\(width) \(s.inChannels)→\(s.outChannels) k\(s.kernelHeight) s\(s.strideY) p\(s.padY),\(s.padX),\(s.padBottom),\(s.padRight) d\(s.dilationY) g\(s.groups) \(activation) res \(residual)"
    }
}

@Suite("Matmul and implicit-GEMM convolution")
struct GemmTests {
    /// nil is the device's default; the others force each shader path on any device.
    static let tilings: [GemmTiling?] = [
        nil,
        GemmTiling(blockM: 64, blockN: 64, blockK: 16, threadM: 4, threadN: 4, sharedTiles: true),
        GemmTiling(blockM: 128, blockN: 16, blockK: 16, threadM: 8, threadN: 1, sharedTiles: true),
        GemmTiling(blockM: 32, blockN: 32, blockK: 1, threadM: 8, threadN: 4, sharedTiles: false),
        GemmTiling(blockM: 16, blockN: 16, blockK: 1, threadM: 8, threadN: 8, sharedTiles: false, chunkedLoads: true),
        GemmTiling(blockM: 24, blockN: 16, blockK: 1, threadM: 3, threadN: 16, sharedTiles: false, chunkedLoads: true),
    ]

    static let matmulCases: [MatmulCase] = [
        MatmulCase(batch: 1, m: 1, n: 1, k: 1, bBatch: 1),
        MatmulCase(batch: 1, m: 37, n: 33, k: 17, bBatch: 1, bias: true, activation: .gelu),
        MatmulCase(batch: 3, m: 19, n: 70, k: 45, bBatch: 3, residual: true),
        MatmulCase(batch: 2, m: 130, n: 5, k: 3, bBatch: 1, bias: true, activation: .silu),
        MatmulCase(batch: 2, m: 65, n: 67, k: 129, bBatch: 1, transposeB: true, bias: true, residual: true, activation: .tanh),
        // K and N whole 16-byte chunks in both precisions: the chunked path runs.
        MatmulCase(batch: 2, m: 37, n: 40, k: 24, bBatch: 1, bias: true, activation: .gelu),
        MatmulCase(batch: 3, m: 5, n: 8, k: 48, bBatch: 3, residual: true),
        MatmulCase(batch: 1, m: 19, n: 21, k: 40, bBatch: 1, transposeB: true, bias: true, activation: .silu),
    ]

    @Test(arguments: StoragePrecision.allCases, matmulCases)
    func matmul(precision: StoragePrecision, c: MatmulCase) throws {
        let engine = try engine(precision)
        let aValues = stored(randomValues(c.batch * c.m * c.k, seed: 3), precision)
        let bValues = stored(randomValues(c.bBatch * c.k * c.n, seed: 4), precision)
        let biasValues = c.bias ? stored(randomValues(c.n, seed: 5), precision) : nil
        let residualValues = c.residual ? stored(randomValues(c.batch * c.m * c.n, seed: 6), precision) : nil
        let a = try engine.makeTensor(shape: [c.batch, c.m, c.k], values: aValues)
        let b = try engine.makeTensor(shape: c.transposeB ? [c.bBatch, c.n, c.k] : [c.bBatch, c.k, c.n], values: bValues)
        let bias = try biasValues.map { try engine.makeTensor(shape: [c.n], values: $0) }
        let residual = try residualValues.map { try engine.makeTensor(shape: [c.batch, c.m, c.n], values: $0) }
        let reference = CPUReference.matmul(
            aValues, bValues, batch: c.batch, m: c.m, n: c.n, k: c.k, bBatch: c.bBatch, transposeB: c.transposeB,
            bias: biasValues, residual: residualValues, activation: c.activation)
        for tiling in Self.tilings {
            let output = try engine.makeTensor(shape: [c.batch, c.m, c.n])
            try engine.run {
                try engine.encodeMatmul(a, b, transposeB: c.transposeB, bias: bias, residual: residual, activation: c.activation,
                                        output: output, tiling: tiling, into: $0)
            }
            try expectClose(try engine.read(output), reference, precision, "\(c.testDescription) tiling \(tiling?.description ?? "default")")
        }
    }

    static let convolutionCases: [ConvolutionCase] = [
        ConvolutionCase(height: 1, width: 1, shape: ConvolutionShape(inChannels: 3, outChannels: 17, kernel: 3)),
        ConvolutionCase(height: 1, width: 1, shape: ConvolutionShape(inChannels: 17, outChannels: 3, kernel: 1), activation: .sigmoid),
        ConvolutionCase(batch: 2, height: 13, width: 11, shape: ConvolutionShape(inChannels: 3, outChannels: 33, kernel: 3), activation: .relu),
        ConvolutionCase(height: 9, width: 14, shape: ConvolutionShape(inChannels: 17, outChannels: 17, kernel: 3, stride: 2),
                        activation: .prelu),
        ConvolutionCase(height: 12, width: 7, shape: ConvolutionShape(inChannels: 33, outChannels: 17, kernel: 5), residual: true,
                        activation: .silu),
        ConvolutionCase(height: 10, width: 9, shape: ConvolutionShape(inChannels: 5, outChannels: 6, kernel: 7, stride: 2, padding: 3),
                        activation: .gelu),
        ConvolutionCase(height: 8, width: 8, shape: ConvolutionShape(inChannels: 33, outChannels: 33, kernel: 3, groups: 33),
                        residual: true, activation: .tanh),
        ConvolutionCase(height: 7, width: 5, shape: ConvolutionShape(inChannels: 12, outChannels: 24, kernel: 3, stride: 2, groups: 12)),
        ConvolutionCase(height: 6, width: 11, shape: ConvolutionShape(inChannels: 34, outChannels: 18, kernel: 1, stride: 1, groups: 2),
                        bias: false, residual: true, activation: .relu),
        ConvolutionCase(height: 9, width: 9, shape: ConvolutionShape(inChannels: 4, outChannels: 4, kernel: 3, padding: 0)),
        ConvolutionCase(height: 15, width: 13, shape: ConvolutionShape(inChannels: 8, outChannels: 70, kernel: 3, dilation: 2)),
        // Input channels per group in whole 16-byte chunks: the chunked path runs.
        ConvolutionCase(height: 1, width: 1, shape: ConvolutionShape(inChannels: 16, outChannels: 3, kernel: 3)),
        ConvolutionCase(batch: 2, height: 9, width: 7, shape: ConvolutionShape(inChannels: 16, outChannels: 33, kernel: 3),
                        residual: true, activation: .relu),
        ConvolutionCase(height: 11, width: 13, shape: ConvolutionShape(inChannels: 32, outChannels: 18, kernel: 5, stride: 2, groups: 2),
                        activation: .prelu),
        // Output channels in whole chunks too: the chunked path stores texels.
        ConvolutionCase(batch: 2, height: 7, width: 9, shape: ConvolutionShape(inChannels: 16, outChannels: 24, kernel: 3),
                        residual: true, activation: .prelu),
        ConvolutionCase(height: 5, width: 6, shape: ConvolutionShape(inChannels: 8, outChannels: 16, kernel: 1), bias: false),
        // TFLite's SAME padding at stride 2 (bottom and right only), on an RGB input.
        ConvolutionCase(height: 12, width: 10, shape: sameStride2(inChannels: 3, outChannels: 16), activation: .prelu),
        // Few input channels, dilated, with a residual: unfolded on CPU devices.
        ConvolutionCase(height: 11, width: 8, shape: ConvolutionShape(inChannels: 2, outChannels: 9, kernel: 3, stride: 2, dilation: 2),
                        residual: true, activation: .relu),
    ]

    static func sameStride2(inChannels: Int, outChannels: Int) -> ConvolutionShape {
        var shape = ConvolutionShape(inChannels: inChannels, outChannels: outChannels, kernel: 3, stride: 2, padding: 0)
        shape.padBottom = 1
        shape.padRight = 1
        return shape
    }

    @Test(arguments: StoragePrecision.allCases, convolutionCases)
    func convolution(precision: StoragePrecision, c: ConvolutionCase) throws {
        let engine = try engine(precision)
        let s = c.shape
        let (outHeight, outWidth) = s.outputSize(height: c.height, width: c.width)
        let outputCount = c.batch * outHeight * outWidth * s.outChannels
        let inputValues = stored(randomValues(c.batch * c.height * c.width * s.inChannels, seed: 7), precision)
        let weights = stored(randomValues(s.weightCount, seed: 8), precision)
        let bias = c.bias ? stored(randomValues(s.outChannels, seed: 9), precision) : nil
        let slopes = c.activation == .prelu ? stored(randomValues(s.outChannels, seed: 10), precision) : nil
        let residualValues = c.residual ? stored(randomValues(outputCount, seed: 11), precision) : nil
        let layer = try ConvolutionLayer(engine: engine, shape: s, weights: weights, bias: bias, activation: c.activation, preluSlopes: slopes)
        let input = try engine.makeTensor(shape: [c.batch, c.height, c.width, s.inChannels], values: inputValues)
        let residual = try residualValues.map { try engine.makeTensor(shape: [c.batch, outHeight, outWidth, s.outChannels], values: $0) }
        let reference = CPUReference.convolution(
            inputValues, batch: c.batch, height: c.height, width: c.width, shape: s, weights: weights, bias: bias,
            residual: residualValues, activation: c.activation, slopes: slopes)
        let output = try layer(engine, input, residual: residual)
        #expect(output.shape == [c.batch, outHeight, outWidth, s.outChannels])
        try expectClose(try engine.read(output), reference, precision, c.testDescription)
        for tiling in Self.tilings.compactMap({ $0 }) {
            try engine.run { try layer.encode(engine: engine, input: input, residual: residual, output: output, tiling: tiling, into: $0) }
            try expectClose(try engine.read(output), reference, precision, "\(c.testDescription) tiling \(tiling)")
        }
    }

    /// A residual block's shortcut read by the convolution itself: pooled 2×2 where the block strides (an odd size
    /// rounds up, the window clipped at the edge), and with fewer channels where the block widens.
    @Test(arguments: StoragePrecision.allCases, [
        (height: 9, width: 7, inChannels: 5, outChannels: 17, stride: 2),
        (height: 10, width: 6, inChannels: 16, outChannels: 24, stride: 2),
        (height: 5, width: 7, inChannels: 16, outChannels: 24, stride: 1),
        (height: 2, width: 2, inChannels: 32, outChannels: 32, stride: 2),
    ])
    func convolutionAddsAPooledWidenedShortcut(
        precision: StoragePrecision, c: (height: Int, width: Int, inChannels: Int, outChannels: Int, stride: Int)
    ) throws {
        let engine = try engine(precision)
        let pooled = c.stride == 2
        let (outHeight, outWidth) = ((c.height + c.stride - 1) / c.stride, (c.width + c.stride - 1) / c.stride)
        // The block's spatial path is given here as an input of the output's size; the layer is its 1×1 convolution.
        let shape = ConvolutionShape(inChannels: c.inChannels, outChannels: c.outChannels, kernel: 1)
        let spatialValues = stored(randomValues(outHeight * outWidth * c.inChannels, seed: 14), precision)
        let shortcutValues = stored(randomValues(c.height * c.width * c.inChannels, seed: 15), precision)
        let weights = stored(randomValues(shape.weightCount, seed: 16), precision)
        let slopes = stored(randomValues(c.outChannels, seed: 17), precision)
        let layer = try ConvolutionLayer(engine: engine, shape: shape, weights: weights, activation: .prelu, preluSlopes: slopes)
        let spatial = try engine.makeTensor(shape: [1, outHeight, outWidth, c.inChannels], values: spatialValues)
        let shortcut = try engine.makeTensor(shape: [1, c.height, c.width, c.inChannels], values: shortcutValues)

        let residual = CPUReference.residualShortcut(
            shortcutValues, batch: 1, height: c.height, width: c.width, channels: c.inChannels, pooled: pooled, outChannels: c.outChannels)
        let reference = CPUReference.convolution(
            spatialValues, batch: 1, height: outHeight, width: outWidth, shape: shape, weights: weights,
            residual: residual, activation: .prelu, slopes: slopes)
        let output = try engine.makeTensor(shape: [1, outHeight, outWidth, c.outChannels])
        for tiling in Self.tilings {
            try engine.run {
                try layer.encode(engine: engine, input: spatial, residual: shortcut, poolResidual: pooled, output: output, tiling: tiling, into: $0)
            }
            try expectClose(try engine.read(output), reference, precision, "\(c) tiling \(tiling?.description ?? "default")")
        }
    }

    @Test func convolutionRefusesAShortcutOfTheWrongSize() throws {
        let engine = try engine(.float32)
        let layer = try ConvolutionLayer(engine: engine, shape: ConvolutionShape(inChannels: 8, outChannels: 8, kernel: 1),
                                         weights: randomValues(64, seed: 18))
        let input = try engine.makeTensor(shape: [1, 4, 4, 8])
        let output = try engine.makeTensor(shape: [1, 4, 4, 8])
        for (shortcut, pooled) in [([1, 4, 4, 16], false), ([1, 10, 8, 8], true), ([1, 4, 4, 8], true)] {
            let residual = try engine.makeTensor(shape: shortcut)
            #expect(throws: NNError.self) {
                try engine.run { try layer.encode(engine: engine, input: input, residual: residual, poolResidual: pooled, output: output, into: $0) }
            }
        }
    }

    /// An RGB input may come unfolded by the host (CPU devices), and then gives the same result without the
    /// unfolding pass (on GPUs the host input is the RGB map itself); the image may sit at the top left of a larger map, as a detector pads its input.
    @Test(arguments: StoragePrecision.allCases)
    func convolutionTakesItsInputFromTheHost(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let shape = Self.sameStride2(inChannels: 3, outChannels: 16)
        let values = stored(randomValues(9 * 11 * 3, seed: 12), precision)
        let weights = stored(randomValues(shape.weightCount, seed: 13), precision)
        let layer = try ConvolutionLayer(engine: engine, shape: shape, weights: weights, activation: .relu)
        // CPU devices unfold an input of fewer channels than a texel holds; GPUs read the RGB map directly.
        let cpu = engine.gpu.capabilities.type == .cpu
        #expect((layer.unfolding != nil) == cpu, "\(engine.gpu.capabilities.name): unfolding \(layer.unfolding != nil)")
        let hostInput = try engine.makeTensor(shape: layer.hostInputShape(height: 9, width: 11), values: layer.hostInput(values, height: 9, width: 11))
        let reference = CPUReference.convolution(values, batch: 1, height: 9, width: 11, shape: shape, weights: weights, activation: .relu)
        try expectClose(try engine.read(try layer(engine, hostInput)), reference, precision, "host input \(hostInput.shape)")
        try expectClose(try engine.read(try layer(engine, try engine.makeTensor(shape: [1, 9, 11, 3], values: values))), reference, precision, "RGB input")

        // A 9×11 image at the top left of a 12×14 map of zeros.
        func placed(_ image: [Float], channels: Int) -> [Float] {
            var map = [Float](repeating: 0, count: 12 * 14 * channels)
            for y in 0..<9 {
                map.replaceSubrange(y * 14 * channels..<(y * 14 + 11) * channels, with: image[y * 11 * channels..<(y + 1) * 11 * channels])
            }
            return map
        }
        let map = placed(values, channels: 3)
        let mapReference = CPUReference.convolution(map, batch: 1, height: 12, width: 14, shape: shape, weights: weights, activation: .relu)
        let mapInput = try engine.makeTensor(
            shape: layer.hostInputShape(height: 12, width: 14), values: layer.hostInput(values, height: 9, width: 11, mapHeight: 12, mapWidth: 14))
        try expectClose(try engine.read(try layer(engine, mapInput)), mapReference, precision, "image in a 12×14 map")

        // A layer that does not unfold (as every layer on a GPU) takes the image placed in the map as it is.
        let wide = ConvolutionShape(inChannels: 8, outChannels: 8, kernel: 3, stride: 2)
        let wideValues = stored(randomValues(9 * 11 * 8, seed: 14), precision)
        let wideWeights = stored(randomValues(wide.weightCount, seed: 15), precision)
        let wideLayer = try ConvolutionLayer(engine: engine, shape: wide, weights: wideWeights)
        #expect(wideLayer.unfolding == nil)
        let wideMap = placed(wideValues, channels: 8)
        #expect(wideLayer.hostInputShape(height: 12, width: 14) == [1, 12, 14, 8])
        #expect(wideLayer.hostInput(wideValues, height: 9, width: 11, mapHeight: 12, mapWidth: 14) == wideMap)
        #expect(wideLayer.hostInput(wideValues, height: 9, width: 11) == wideValues)
    }
}
