import CHalfFloat
import RecastNN
import Testing

/// The array conversions against Swift's own Float16 conversions, value for value.
@Suite("fp16 ↔ fp32 array conversion")
struct HalfConversionTests {
    /// Every half value, each path: the same float (NaN stays NaN).
    @Test func everyHalfToFloat() {
        let halves = (0...UInt16.max).map { Float16(bitPattern: $0) }
        let expected = halves.map { Float($0) }
        var portable = [Float](repeating: 0, count: halves.count)
        halves.withUnsafeBytes { recast_half_to_float_portable($0.bindMemory(to: UInt16.self).baseAddress, &portable, halves.count) }
        for converted in [HalfConversion.floats(halves), portable] {
            #expect(converted.count == expected.count)
            let wrong = zip(converted, expected).filter { $0.isNaN ? !$1.isNaN : $0.bitPattern != $1.bitPattern }
            #expect(wrong.isEmpty, "\(wrong.count) values differ, first \(wrong.first.map { "\($0)" } ?? "")")
        }
    }

    /// Rounding (ties to even), overflow to infinity, subnormals, signed zeros, NaN, and odd lengths
    /// (the hardware path converts 8 at a time, then one by one).
    @Test(arguments: [0, 1, 7, 8, 9, 1000, 4099])
    func floatToHalf(count: Int) {
        var state = UInt64(count) &* 6_364_136_223_846_793_005 &+ 1
        let special: [Float] = [0, -0, 1, -1, 65504, 65519.99, 65520, 1e9, -1e9, .infinity, -.infinity, .nan,
                                Float(Float16.leastNonzeroMagnitude), Float(Float16.leastNonzeroMagnitude) / 2,
                                Float(Float16.leastNormalMagnitude) * 0.75, 1 + 1 / 2048, 1 + 3 / 2048, 1e-8]
        // Beyond the special values: random bit patterns, three in four with exponents around fp16's range (2^-25…2^18).
        let floats = (0..<count).map { index -> Float in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let bits = UInt32(truncatingIfNeeded: state >> 32)
            return index < special.count ? special[index] : Float(bitPattern: index % 4 == 0 ? bits : bits & 0x807F_FFFF | (102 + (bits >> 8) % 44) << 23)
        }
        let expected = floats.map { Float16($0) }
        var portable = [UInt16](repeating: 0, count: count)
        recast_float_to_half_portable(floats, &portable, count)
        for converted in [HalfConversion.halves(floats).map(\.bitPattern), portable] {
            let wrong = zip(converted, expected).filter { Float16(bitPattern: $0).isNaN ? !$1.isNaN : $0 != $1.bitPattern }
            #expect(wrong.isEmpty, "\(wrong.count) of \(count) values differ")
        }
    }
}
