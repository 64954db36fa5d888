import RecastGPU
import RecastNN
import Testing

@Suite("YUYV / NV12 / I420 ↔ RGB")
struct YUVConversionTests {
    static let sizes = [(1, 1), (2, 2), (17, 9), (6, 4)]

    @Test(arguments: YUVFormat.allCases, YUVMatrix.allCases)
    func yuvToRGB(format: YUVFormat, matrix: YUVMatrix) throws {
        for precision in StoragePrecision.allCases {
            let engine = try engine(precision)
            for range in YUVRange.allCases {
                for (width, height) in Self.sizes {
                    let layout = YUVLayout.packed(format, width: width, height: height)
                    let bytes = randomValues(layout.totalBytes, seed: 60).map { UInt8(($0 + 1) * 127.5) }
                    let frame = try engine.gpu.makeBuffer(byteCount: (layout.totalBytes + 3) / 4 * 4)
                    try engine.gpu.upload(bytes, to: frame)
                    let output = try engine.makeTensor(shape: [1, height, width, 3])
                    try engine.run { try engine.encodeYUVToRGB(frame: frame, layout: layout, matrix: matrix, range: range, output: output, into: $0) }
                    let reference = CPUReference.yuvToRGB(bytes, layout: layout, matrix: matrix, range: range)
                    try expectClose(try engine.read(output), reference, precision, "\(format) \(matrix) \(range) \(width)x\(height)")
                }
            }
        }
    }

    /// 8-bit outputs are compared exactly, except that a byte may differ by one where the
    /// value lies on a rounding boundary (GPU and CPU float arithmetic differ in the last bit).
    @Test(arguments: YUVFormat.allCases, YUVMatrix.allCases)
    func rgbToYUV(format: YUVFormat, matrix: YUVMatrix) throws {
        let engine = try engine(.float32)
        for range in YUVRange.allCases {
            for (width, height) in Self.sizes {
                let layout = YUVLayout.packed(format, width: width, height: height)
                let rgb = randomValues(width * height * 3, seed: 61).map { ($0 + 1) / 2 }
                let image = try engine.makeTensor(shape: [1, height, width, 3], values: rgb)
                let frame = try engine.gpu.makeBuffer(byteCount: (layout.totalBytes + 3) / 4 * 4)
                try engine.run { try engine.encodeRGBToYUV(image, layout: layout, matrix: matrix, range: range, frame: frame, into: $0) }
                let actual = try engine.gpu.download(frame, count: (layout.totalBytes + 3) / 4 * 4, as: UInt8.self)
                let reference = CPUReference.rgbToYUV(rgb, layout: layout, matrix: matrix, range: range)
                let differences = zip(actual, reference).map { abs(Int($0) - Int($1)) }
                #expect(differences.max() ?? 0 <= 1, "\(format) \(matrix) \(range) \(width)x\(height): max byte difference \(differences.max() ?? 0)")
                #expect(differences.filter { $0 > 0 }.count * 50 <= differences.count, "\(format) \(matrix) \(range) \(width)x\(height): too many off-by-one bytes")
                expectNoValidationErrors(try testContext())
            }
        }
    }
}
