import RecastNN
import Testing

@Suite("Resize, pooling, padding, channel concat and split")
struct SpatialTests {
    @Test(arguments: StoragePrecision.allCases, ResizeMode.allCases)
    func resize(precision: StoragePrecision, mode: ResizeMode) throws {
        let engine = try engine(precision)
        // On CPU devices, channel counts of whole texel chunks (8 fp16 or 4 fp32 values) take the texel path.
        let texelCases = [([1, 1, 1, 8], 3, 2), ([2, 7, 5, 16], 14, 10), ([1, 9, 13, 24], 5, 6), ([1, 3, 5, 64], 6, 10)]
        for (shape, outH, outW) in [([1, 1, 1, 3], 4, 3), ([2, 7, 5, 17], 14, 10), ([1, 9, 13, 33], 5, 6), ([1, 6, 4, 3], 7, 11)] + texelCases {
            let values = stored(randomValues(shape.reduce(1, *), seed: 40), precision)
            let output = try engine.resize(try engine.makeTensor(shape: shape, values: values), height: outH, width: outW, mode: mode)
            let reference = CPUReference.resize(values, batch: shape[0], height: shape[1], width: shape[2], channels: shape[3], outHeight: outH, outWidth: outW, mode: mode)
            try expectClose(try engine.read(output), reference, precision, "resize \(mode) \(shape)→\(outH)x\(outW)")
        }
    }

    @Test(arguments: StoragePrecision.allCases, PoolMode.allCases)
    func pool(precision: StoragePrecision, mode: PoolMode) throws {
        let engine = try engine(precision)
        // On CPU devices, channel counts of whole texel chunks (8 fp16 or 4 fp32 values) take the texel path.
        let texelCases = [([1, 1, 1, 8], 1, 1, 0), ([2, 9, 7, 16], 2, 2, 0), ([1, 11, 13, 24], 3, 2, 1)]
        for (shape, kernel, stride, padding) in [([1, 1, 1, 3], 1, 1, 0), ([2, 9, 7, 17], 2, 2, 0), ([1, 11, 13, 33], 3, 2, 1), ([1, 5, 5, 4], 3, 1, 1)] + texelCases {
            let values = stored(randomValues(shape.reduce(1, *), seed: 41), precision)
            let output = try engine.pool(try engine.makeTensor(shape: shape, values: values), mode: mode, kernel: kernel, stride: stride, padding: padding)
            let reference = CPUReference.pool(values, batch: shape[0], height: shape[1], width: shape[2], channels: shape[3], mode: mode, kernel: kernel, stride: stride, padding: padding)
            try expectClose(try engine.read(output), reference, precision, "pool \(mode) \(shape) k\(kernel) s\(stride) p\(padding)")
        }
    }

    @Test(arguments: StoragePrecision.allCases, [PadMode.constant(0.5), .replicate, .reflect])
    func pad(precision: StoragePrecision, mode: PadMode) throws {
        let engine = try engine(precision)
        let cases: [([Int], Int, Int, Int, Int)] = [([1, 1, 1, 3], 0, 2, 1, 0), ([2, 5, 7, 17], 1, 2, 3, 4), ([1, 4, 3, 33], 3, 3, 2, 2)]
        for (shape, top, bottom, left, right) in cases {
            if mode == .reflect && (shape[1] == 1 || max(top, bottom) >= shape[1] || max(left, right) >= shape[2]) { continue }
            let values = stored(randomValues(shape.reduce(1, *), seed: 42), precision)
            let output = try engine.pad(try engine.makeTensor(shape: shape, values: values), top: top, bottom: bottom, left: left, right: right, mode: mode)
            let reference = CPUReference.pad(values, batch: shape[0], height: shape[1], width: shape[2], channels: shape[3], top: top, bottom: bottom, left: left, right: right, mode: mode)
            try expectClose(try engine.read(output), reference, precision, "pad \(mode) \(shape)")
        }
    }

    @Test(arguments: StoragePrecision.allCases)
    func reflectPaddingWiderThanTheImageIsRefused(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let input = try engine.makeTensor(shape: [1, 2, 2, 3], values: randomValues(12, seed: 43))
        #expect(throws: NNError.self) { try engine.pad(input, top: 2, bottom: 0, left: 0, right: 0, mode: .reflect) }
    }

    @Test(arguments: StoragePrecision.allCases)
    func padChannelsWithZeros(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        for (pixels, channels, width) in [([1, 1, 1], 3, 8), ([2, 5, 7], 3, 4), ([1, 3, 9], 17, 24), ([1, 2, 2], 5, 5)] {
            let values = stored(randomValues(pixels.reduce(1, *) * channels, seed: 43), precision)
            let input = try engine.makeTensor(shape: pixels + [channels], values: values)
            let output = try engine.makeTensor(shape: pixels + [width])
            try engine.run { try engine.encodePadChannels(input, output: output, into: $0) }
            let reference = (0..<pixels.reduce(1, *) * width).map { index in
                index % width < channels ? values[index / width * channels + index % width] : 0
            }
            try expectClose(try engine.read(output), reference, precision, "pad \(pixels + [channels]) to \(width) channels")
        }
    }

    /// The unfolding by definition: output element (n, oy, ox, k) is the input at tap k / channels of the window, or zero.
    static func unfoldReference(_ values: [Float], batch: Int, height: Int, width: Int, _ unfolding: ConvolutionUnfolding) -> [Float] {
        let c = unfolding.convolution
        let shape = unfolding.unfoldedShape(batch: batch, height: height, width: width)
        return (0..<shape.reduce(1, *)).map { index in
            let k = index % unfolding.depth, pixel = index / unfolding.depth
            let (ox, oy, n) = (pixel % shape[2], pixel / shape[2] % shape[1], pixel / (shape[2] * shape[1]))
            let tap = k / c.inChannels
            guard tap < c.kernelHeight * c.kernelWidth else { return 0 }
            let iy = oy * c.strideY - c.padY + tap / c.kernelWidth * c.dilationY
            let ix = ox * c.strideX - c.padX + tap % c.kernelWidth * c.dilationX
            guard iy >= 0, iy < height, ix >= 0, ix < width else { return 0 }
            return values[((n * height + iy) * width + ix) * c.inChannels + k % c.inChannels]
        }
    }

    @Test(arguments: StoragePrecision.allCases)
    func unfoldConvolutionWindows(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        var wide = ConvolutionShape(inChannels: 2, outChannels: 5, kernel: 3, stride: 2, padding: 1, dilation: 2)
        wide.kernelWidth = 2
        wide.padRight = 0
        var sameStride2 = ConvolutionShape(inChannels: 3, outChannels: 16, kernel: 3, stride: 2, padding: 0)
        sameStride2.padBottom = 1
        sameStride2.padRight = 1
        let cases: [(batch: Int, height: Int, width: Int, shape: ConvolutionShape)] = [
            (1, 1, 1, ConvolutionShape(inChannels: 3, outChannels: 4, kernel: 3)),
            (2, 7, 9, ConvolutionShape(inChannels: 1, outChannels: 4, kernel: 5, stride: 2)),
            (1, 11, 6, wide),
            (1, 12, 10, sameStride2),
        ]
        for c in cases {
            let unfolding = ConvolutionUnfolding(convolution: c.shape, chunk: precision.elementsPerTexel)
            let values = stored(randomValues(c.batch * c.height * c.width * c.shape.inChannels, seed: 44), precision)
            let reference = Self.unfoldReference(values, batch: c.batch, height: c.height, width: c.width, unfolding)
            let host = unfolding.unfold(values, batch: c.batch, height: c.height, width: c.width)
            #expect(host == reference, "host unfolding of \(c.shape) on \(c.height)×\(c.width)")
            let output = try engine.makeTensor(shape: unfolding.unfoldedShape(batch: c.batch, height: c.height, width: c.width))
            let input = try engine.makeTensor(shape: [c.batch, c.height, c.width, c.shape.inChannels], values: values)
            try engine.run { try engine.encodeUnfold(input, unfolding, output: output, into: $0) }
            #expect(try engine.read(output) == reference, "GPU unfolding of \(c.shape) on \(c.height)×\(c.width)")
        }
    }

    @Test(arguments: StoragePrecision.allCases)
    func concatThenSplitChannels(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let pixels = [2, 3, 5]
        let widths = [3, 17, 1, 33]
        let parts = widths.enumerated().map { stored(randomValues(30 * $0.element, seed: UInt64(50 + $0.offset)), precision) }
        let tensors = try zip(widths, parts).map { try engine.makeTensor(shape: pixels + [$0.0], values: $0.1) }
        let concatenated = try engine.concatChannels(tensors)
        #expect(concatenated.shape == pixels + [54])
        var reference: [Float] = []
        for p in 0..<30 {
            for (width, part) in zip(widths, parts) { reference += part[(p * width)..<((p + 1) * width)] }
        }
        try expectClose(try engine.read(concatenated), reference, precision, "concat")
        let split = try engine.splitChannels(concatenated, sizes: widths)
        for (index, tensor) in split.enumerated() {
            try expectClose(try engine.read(tensor), parts[index], precision, "split part \(index)")
        }
    }
}
