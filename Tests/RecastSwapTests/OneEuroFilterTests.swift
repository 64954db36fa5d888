import Testing
@testable import RecastSwap

@Suite("One-Euro filter")
struct OneEuroFilterTests {
    /// A deterministic ±amplitude jitter.
    func noise(_ index: Int, amplitude: Float) -> Float {
        var state = UInt64(index) &* 0x9E37_79B9_7F4A_7C15
        state ^= state >> 31
        return (Float(state % 1000) / 999 * 2 - 1) * amplitude
    }

    @Test("a still point with jitter: the output varies far less than the input")
    func stillPoint() {
        var filter = OneEuroFilter<SIMD2<Float>>(minimumCutoff: 0.5, beta: 0.05)
        var inputs: [Float] = [], outputs: [Float] = []
        for frame in 0..<300 {
            let value = SIMD2<Float>(100 + noise(frame, amplitude: 2), 50)
            let output = filter.filter(value, at: Double(frame) / 30)
            if frame > 30 {
                inputs.append(value.x)
                outputs.append(output.x)
            }
        }
        func spread(_ values: [Float]) -> Float {
            let mean = values.reduce(0, +) / Float(values.count)
            return (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Float(values.count)).squareRoot()
        }
        #expect(spread(outputs) < spread(inputs) / 3, "jitter \(spread(inputs)) → \(spread(outputs))")
        #expect(abs(outputs.reduce(0, +) / Float(outputs.count) - 100) < 0.5)
    }

    @Test("a fast move is followed closely: the lag stays small once the speed is known")
    func fastMove() {
        var filter = OneEuroFilter<SIMD2<Float>>(minimumCutoff: 1, beta: 0.05)
        var lag: Float = 0
        for frame in 0..<60 {
            let x = Float(frame) * 20  // 600 px/s at 30 fps
            let output = filter.filter(SIMD2(x, 0), at: Double(frame) / 30)
            if frame > 20 { lag = max(lag, x - output.x) }
        }
        #expect(lag < 20, "lags \(lag) px behind a 600 px/s move")
        var slow = OneEuroFilter<SIMD2<Float>>(minimumCutoff: 1, beta: 0)
        var slowLag: Float = 0
        for frame in 0..<60 {
            let x = Float(frame) * 20
            let output = slow.filter(SIMD2(x, 0), at: Double(frame) / 30)
            if frame > 20 { slowLag = max(slowLag, x - output.x) }
        }
        #expect(slowLag > lag * 3, "beta should cut the lag: \(slowLag) without, \(lag) with")
    }

    @Test("reset forgets the history; a repeated timestamp passes the value through")
    func reset() {
        var filter = OneEuroFilter<SIMD4<Float>>()
        _ = filter.filter(SIMD4(0, 0, 0, 0), at: 0)
        _ = filter.filter(SIMD4(10, 10, 10, 10), at: 0.033)
        filter.reset()
        #expect(filter.filter(SIMD4(50, 50, 50, 50), at: 1) == SIMD4(50, 50, 50, 50))
        #expect(filter.filter(SIMD4(60, 60, 60, 60), at: 1) == SIMD4(60, 60, 60, 60))
    }
}
