import Foundation
import RecastNN
import Testing

@Suite("Affine warp and masked blend")
struct ImageOpsTests {
    /// Rotation by `angle` and scaling about (cx, cy), shifted by (dx, dy): the kind of map a face crop uses.
    static func similarity(angle: Float, scale: Float, cx: Float, cy: Float, dx: Float, dy: Float) -> AffineMatrix {
        let c: Float = scale * cos(angle)
        let s: Float = scale * sin(angle)
        let tx: Float = cx - c * cx + s * cy + dx
        let ty: Float = cy - s * cx - c * cy + dy
        return AffineMatrix(c, -s, tx, s, c, ty)
    }

    struct WarpCase: Sendable, CustomTestStringConvertible {
        var shape: [Int], outHeight: Int, outWidth: Int, matrices: [AffineMatrix]
        var testDescription: String { "\(shape)→\(outHeight)x\(outWidth)" }
    }

    static let warpCases: [WarpCase] = [
        WarpCase(shape: [1, 1, 1, 3], outHeight: 1, outWidth: 1, matrices: [.identity]),
        WarpCase(shape: [1, 1, 1, 17], outHeight: 3, outWidth: 2, matrices: [AffineMatrix(0.4, 0, -0.3, 0, 0.3, -0.2)]),
        WarpCase(shape: [2, 7, 5, 17], outHeight: 9, outWidth: 6, matrices: [
            similarity(angle: 0.5, scale: 0.8, cx: 2, cy: 3, dx: 0.3, dy: -0.6),
            similarity(angle: -1.2, scale: 1.3, cx: 2.5, cy: 3.5, dx: 1.5, dy: 0.25),
        ]),
        WarpCase(shape: [1, 13, 11, 33], outHeight: 5, outWidth: 17, matrices: [AffineMatrix(0.55, 0.3, -1.7, -0.2, 2.1, 0.4)]),
        WarpCase(shape: [1, 6, 4, 3], outHeight: 7, outWidth: 11, matrices: [AffineMatrix(1, 0, -40, 0, 1, 1e6)]),
    ]

    @Test(arguments: StoragePrecision.allCases, [WarpBorder.constant(0.25), .clamp])
    func affineWarp(precision: StoragePrecision, border: WarpBorder) throws {
        let engine = try engine(precision)
        for c in Self.warpCases {
            let values = stored(randomValues(c.shape.reduce(1, *), seed: 70), precision)
            let input = try engine.makeTensor(shape: c.shape, values: values)
            let output = try engine.affineWarp(input, matrices: c.matrices, height: c.outHeight, width: c.outWidth, border: border)
            let reference = CPUReference.affineWarp(
                values, batch: c.shape[0], height: c.shape[1], width: c.shape[2], channels: c.shape[3],
                outHeight: c.outHeight, outWidth: c.outWidth, matrices: c.matrices, border: border)
            try expectClose(try engine.read(output), reference, precision, "warp \(border) \(c.testDescription)")
        }
    }

    @Test(arguments: StoragePrecision.allCases)
    func identityWarpCopiesTheImage(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let values = stored(randomValues(2 * 5 * 9 * 17, seed: 71), precision)
        let input = try engine.makeTensor(shape: [2, 5, 9, 17], values: values)
        let output = try engine.affineWarp(input, matrices: [.identity, .identity], height: 5, width: 9, border: .constant(7))
        #expect(try engine.read(output) == values)
    }

    @Test(arguments: StoragePrecision.allCases)
    func matricesCanChangeBetweenReplays(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let values = stored(randomValues(4 * 6 * 3, seed: 72), precision)
        let input = try engine.makeTensor(shape: [1, 4, 6, 3], values: values)
        let output = try engine.makeTensor(shape: [1, 4, 6, 3])
        let matrices = try engine.makeAffineMatrixBuffer([.identity])
        let recorder = engine.gpu.makeRecorder()
        try engine.encodeAffineWarp(input, matrices: matrices, border: .clamp, output: output, into: recorder)
        let sequence = try recorder.finish()
        for shift in [AffineMatrix(1, 0, 1.5, 0, 1, -0.5), AffineMatrix(0, 1, 0, 1, 0, 0)] {
            try engine.updateAffineMatrices([shift], in: matrices)
            try sequence.run()
            let reference = CPUReference.affineWarp(
                values, batch: 1, height: 4, width: 6, channels: 3, outHeight: 4, outWidth: 6, matrices: [shift], border: .clamp)
            try expectClose(try engine.read(output), reference, precision, "replayed warp \(shift)")
        }
    }

    @Test(arguments: StoragePrecision.allCases)
    func maskedBlend(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        for shape in [[1, 1, 1, 3], [2, 7, 5, 17], [1, 9, 13, 33], [1, 1, 300, 1]] {
            let count = shape.reduce(1, *), pixels = count / shape[3]
            let aValues = stored(randomValues(count, seed: 73), precision)
            let bValues = stored(randomValues(count, seed: 74).map { $0 * 3 }, precision)
            let maskValues = stored(randomValues(pixels, seed: 75).map { ($0 + 1) / 2 }, precision)
            let output = try engine.maskedBlend(
                try engine.makeTensor(shape: shape, values: aValues), try engine.makeTensor(shape: shape, values: bValues),
                mask: try engine.makeTensor(shape: Array(shape.dropLast()) + [1], values: maskValues))
            let reference = CPUReference.maskedBlend(aValues, bValues, mask: maskValues, channels: shape[3])
            try expectClose(try engine.read(output), reference, precision, "blend \(shape)")
        }
    }

    @Test(arguments: StoragePrecision.allCases)
    func maskWithChannelsIsRefused(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let image = try engine.makeTensor(shape: [1, 2, 2, 3], values: randomValues(12, seed: 76))
        #expect(throws: NNError.self) { try engine.maskedBlend(image, image, mask: image) }
    }
}
