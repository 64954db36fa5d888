import RecastNN
import Testing

@Suite("Elementwise ops")
struct ElementwiseTests {
    static let ops: [ElementwiseOp] = [.add, .multiply, .scale(1.5, offset: -0.25), .clamp(lower: -0.3, upper: 0.6), .activation]

    @Test(arguments: StoragePrecision.allCases, ops)
    func matchesReferenceWithEveryActivation(precision: StoragePrecision, op: ElementwiseOp) throws {
        let engine = try engine(precision)
        // Per-channel b (17 channels... a divisor of count) when it broadcasts, full-size otherwise; on CPU devices, counts
        // of whole texel chunks (8 fp16 or 4 fp32 values) take the texel path, the last case with 136 channels broadcast.
        let sizes = Activation.allCases.indices.map { index in
            let count = 3 * 17 * 5 + index
            return (count, count % 17 == 0 ? 17 : count)
        } + [(48 * 17, 8 * 17)]
        for (activation, (count, bCount)) in Activation.allCases.flatMap({ activation in sizes.map { (activation, $0) } }) {
            let aValues = stored(randomValues(count, seed: 1).map { $0 * 4 }, precision)
            let bValues = stored(randomValues(bCount, seed: 2), precision)
            let a = try engine.makeTensor(shape: [count], values: aValues)
            let b = try engine.makeTensor(shape: [bCount], values: bValues)
            let usesB = op == .add || op == .multiply || activation == .prelu
            let output = try engine.elementwise(op, a, usesB ? b : nil, activation: activation)
            let reference = CPUReference.elementwise(op, aValues, usesB ? bValues : nil, activation: activation)
            try expectClose(try engine.read(output), reference, precision, "\(op) \(activation) \(count)/\(bCount)")
        }
    }

    @Test(arguments: StoragePrecision.allCases)
    func singleElement(precision: StoragePrecision) throws {
        let engine = try engine(precision)
        let a = try engine.makeTensor(shape: [1], values: [-2])
        let output = try engine.elementwise(.scale(-3, offset: 1), a, activation: .relu)
        try expectClose(try engine.read(output), [7], precision, "1-element scale")
    }
}
