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

    /// One direction of the blur: each row (or column) is copied with its end pixels repeated `radius` times,
    /// then convolved without bounds checks (a refinement's change is blurred on every refined frame).
    private func pass(_ values: [Float], width: Int, height: Int, horizontal: Bool) -> [Float] {
        let radius = weights.count / 2
        let (lines, length) = horizontal ? (height, width) : (width, height)
        // Distance in floats between neighbours along a line, and between the starts of lines.
        let (step, lineStep) = horizontal ? (3, width * 3) : (width * 3, 3)
        var output = [Float](repeating: 0, count: values.count)
        var padded = [Float](repeating: 0, count: (length + 2 * radius) * 3)
        values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                padded.withUnsafeMutableBufferPointer { padded in
                    for line in 0..<lines {
                        let base = line * lineStep
                        for position in 0..<(length + 2 * radius) {
                            let source = base + min(max(position - radius, 0), length - 1) * step
                            for channel in 0..<3 { padded[position * 3 + channel] = input[source + channel] }
                        }
                        for position in 0..<length {
                            var (r, g, b): (Float, Float, Float) = (0, 0, 0)
                            for (tap, weight) in weights.enumerated() {
                                let index = (position + tap) * 3
                                r += weight * padded[index]
                                g += weight * padded[index + 1]
                                b += weight * padded[index + 2]
                            }
                            let target = base + position * step
                            (output[target], output[target + 1], output[target + 2]) = (r, g, b)
                        }
                    }
                }
            }
        }
        return output
    }
}
