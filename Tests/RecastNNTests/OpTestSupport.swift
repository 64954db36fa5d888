import RecastGPU
import RecastNN
import Testing

/// One engine per storage precision over the shared validated context. fp16 storage is
/// required of the test device (lavapipe has it); without it these tests fail, never skip.
func engine(_ precision: StoragePrecision) throws -> TensorEngine {
    try TensorEngine(gpu: testContext(), precision: precision)
}

/// Deterministic pseudo-random values in [-1, 1) (a 64-bit LCG), so failures reproduce.
func randomValues(_ count: Int, seed: UInt64) -> [Float] {
    var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 23) - 1
    }
}

/// Values as the GPU stores them, so the reference sees the same inputs.
func stored(_ values: [Float], _ precision: StoragePrecision) -> [Float] {
    precision == .float16 ? values.map { Float(Float16($0)) } : values
}

/// Fails unless NMSE is within ggml's tolerance for `precision` (NaN/Inf always fail),
/// and unless the validation layer stayed silent.
func expectClose(
    _ actual: [Float], _ reference: [Float], _ precision: StoragePrecision, _ what: String,
    sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let nmse = ErrorMetric.nmse(reference: reference, actual: actual)
    #expect(actual.count == reference.count, "\(what): \(actual.count) values, expected \(reference.count)", sourceLocation: sourceLocation)
    #expect(nmse <= ErrorMetric.tolerance(for: precision), "\(what) [\(precision)]: NMSE \(nmse)", sourceLocation: sourceLocation)
    expectNoValidationErrors(try testContext(), sourceLocation: sourceLocation)
}
