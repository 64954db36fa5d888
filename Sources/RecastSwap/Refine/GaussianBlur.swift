import Foundation

/// A separable Gaussian blur of an interleaved RGB float image, edges clamped: the refinement's change is kept
/// to its coarse part with it (see `RefinerSettings.changeBlur`).
struct GaussianBlur {
    /// Taps from −radius to radius, summing to 1.
    let weights: [Float]

    /// - sigma: standard deviation in pixels (> 0); the kernel reaches 3σ.
    init(sigma: Float) {
        precondition(sigma > 0, "a blur needs a positive sigma")
        let radius = Int((3 * sigma).rounded(.up))
        let raw = (-radius...radius).map { offset in expf(-Float(offset * offset) / (2 * sigma * sigma)) }
        let total = raw.reduce(0, +)
        weights = raw.map { $0 / total }
    }

    /// `values` (width × height × 3) blurred.
    func apply(_ values: [Float], width: Int, height: Int) -> [Float] {
        let rows = pass(values, width: width, height: height, horizontal: true)
        return pass(rows, width: width, height: height, horizontal: false)
    }

    private func pass(_ values: [Float], width: Int, height: Int, horizontal: Bool) -> [Float] {
        let radius = weights.count / 2
        var output = [Float](repeating: 0, count: values.count)
        for y in 0..<height {
            for x in 0..<width {
                var sum = SIMD3<Float>.zero
                for (tap, weight) in weights.enumerated() {
                    let offset = tap - radius
                    let (sx, sy) = horizontal ? (min(max(x + offset, 0), width - 1), y) : (x, min(max(y + offset, 0), height - 1))
                    let index = (sy * width + sx) * 3
                    sum += weight * SIMD3(values[index], values[index + 1], values[index + 2])
                }
                let index = (y * width + x) * 3
                (output[index], output[index + 1], output[index + 2]) = (sum.x, sum.y, sum.z)
            }
        }
        return output
    }
}
