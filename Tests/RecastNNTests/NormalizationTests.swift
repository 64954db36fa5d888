import RecastNN
import Testing

@Suite("Group norm, layer norm, softmax")
struct NormalizationTests {
    struct GroupNormCase: Sendable, CustomTestStringConvertible {
        var shape: [Int], groups: Int, fuseSiLU: Bool
        var testDescription: String { "\(shape) g\(groups) silu \(fuseSiLU)" }
    }

    static let groupNormCases = [
        GroupNormCase(shape: [1, 1, 1, 3], groups: 1, fuseSiLU: false),
        GroupNormCase(shape: [2, 5, 7, 33], groups: 3, fuseSiLU: true),
        GroupNormCase(shape: [1, 17, 9, 32], groups: 32, fuseSiLU: false),
        GroupNormCase(shape: [1, 23, 19, 256], groups: 4, fuseSiLU: true),
    ]

    @Test(arguments: StoragePrecision.allCases, groupNormCases)
    func groupNorm(precision: StoragePrecision, c: GroupNormCase) throws {
        let engine = try engine(precision)
        let channels = c.shape[3]
        let xValues = stored(randomValues(c.shape.reduce(1, *), seed: 20).map { $0 * 3 + 0.5 }, precision)
        let gammaValues = stored(randomValues(channels, seed: 21), precision)
        let betaValues = stored(randomValues(channels, seed: 22), precision)
        let output = try engine.groupNorm(
            try engine.makeTensor(shape: c.shape, values: xValues), groups: c.groups,
            gamma: try engine.makeTensor(shape: [channels], values: gammaValues),
            beta: try engine.makeTensor(shape: [channels], values: betaValues), fuseSiLU: c.fuseSiLU)
        let reference = CPUReference.groupNorm(
            xValues, images: c.shape[0], pixels: c.shape[1] * c.shape[2], channels: channels, groups: c.groups,
            gamma: gammaValues, beta: betaValues, epsilon: 1e-5, fuseSiLU: c.fuseSiLU)
        try expectClose(try engine.read(output), reference, precision, c.testDescription)
    }

    @Test(arguments: StoragePrecision.allCases, [[1, 1], [7, 17], [3, 5, 320], [2, 1000]])
    func layerNorm(precision: StoragePrecision, shape: [Int]) throws {
        let engine = try engine(precision)
        let width = shape.last!
        let xValues = stored(randomValues(shape.reduce(1, *), seed: 23).map { $0 * 2 - 0.3 }, precision)
        let gammaValues = stored(randomValues(width, seed: 24), precision)
        let betaValues = stored(randomValues(width, seed: 25), precision)
        let output = try engine.layerNorm(
            try engine.makeTensor(shape: shape, values: xValues),
            gamma: try engine.makeTensor(shape: [width], values: gammaValues),
            beta: try engine.makeTensor(shape: [width], values: betaValues))
        let reference = CPUReference.groupNorm(
            xValues, images: shape.reduce(1, *) / width, pixels: 1, channels: width, groups: 1,
            gamma: gammaValues, beta: betaValues, epsilon: 1e-5)
        try expectClose(try engine.read(output), reference, precision, "layerNorm \(shape)")
    }

    @Test(arguments: StoragePrecision.allCases, [[1, 1], [3, 17], [5, 33, 300], [2, 1029]])
    func softmax(precision: StoragePrecision, shape: [Int]) throws {
        let engine = try engine(precision)
        let xValues = stored(randomValues(shape.reduce(1, *), seed: 26).map { $0 * 8 }, precision)
        let output = try engine.softmax(try engine.makeTensor(shape: shape, values: xValues), scale: 0.7)
        try expectClose(try engine.read(output), CPUReference.softmax(xValues, rowLength: shape.last!, scale: 0.7), precision, "softmax \(shape)")
    }
}
