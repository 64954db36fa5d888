/// How far a GPU result is from its reference, judged as ggml's test-backend-ops does.
public enum ErrorMetric {
    /// Normalised mean squared error Σ(a−b)²/Σa²; infinite when either side has NaN or Inf.
    public static func nmse(reference: [Float], actual: [Float]) -> Double {
        guard reference.count == actual.count else { return .infinity }
        var error = 0.0, norm = 0.0
        for (r, a) in zip(reference, actual) {
            guard r.isFinite, a.isFinite else { return .infinity }
            let difference = Double(r) - Double(a)
            error += difference * difference
            norm += Double(r) * Double(r)
        }
        if norm == 0 { return error == 0 ? 0 : .infinity }
        return error / norm
    }

    /// ggml's thresholds: 1e-7 for fp32 paths, 5e-4 where fp16 storage is involved.
    public static func tolerance(for precision: StoragePrecision) -> Double {
        precision == .float32 ? 1e-7 : 5e-4
    }
}
