extension CPUReference {
    /// Batched a [batch, m, k] · b ([bBatch, k, n], or [bBatch, n, k] transposed) + bias, residual, activation.
    public static func matmul(
        _ a: [Float], _ b: [Float], batch: Int, m: Int, n: Int, k: Int, bBatch: Int, transposeB: Bool = false,
        bias: [Float]? = nil, residual: [Float]? = nil, activation: Activation = .none, slopes: [Float]? = nil
    ) -> [Float] {
        var output = [Float](repeating: 0, count: batch * m * n)
        for p in 0..<batch {
            let bBase = bBatch == 1 ? 0 : p * k * n
            for i in 0..<m {
                for j in 0..<n {
                    var sum: Double = 0
                    for q in 0..<k {
                        let bValue = transposeB ? b[bBase + j * k + q] : b[bBase + q * n + j]
                        sum += Double(a[(p * m + i) * k + q]) * Double(bValue)
                    }
                    let index = (p * m + i) * n + j
                    let value = Float(sum) + (bias?[j] ?? 0) + (residual?[index] ?? 0)
                    output[index] = activate(value, activation, slope: slopes?[j] ?? 0)
                }
            }
        }
        return output
    }
}
