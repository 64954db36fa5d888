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
        columns(rows(values, width: width, height: height), width: width, height: height)
    }

    /// `values` (width × height × 3) blurred over `support` alone (width × height weights, 0–1): each pixel counts
    /// by its weight, and the sum is divided by the weights' own blur (a normalised convolution). What lies under
    /// weight 0 does not spread into the rest, and a flat colour on the support stays flat up to its edges and
    /// beyond them; where no weight lies within the blur's reach, 0.
    func apply(_ values: [Float], width: Int, height: Int, over support: [Float]) -> [Float] {
        precondition(support.count == width * height && values.count == support.count * 3, "a weight for each pixel")
        let spread = apply(channel: support, width: width, height: height)
        let weighted = apply(values.indices.map { values[$0] * support[$0 / 3] }, width: width, height: height)
        // Below this share of the kernel the quotient is mostly rounding; the change there lies off the face.
        return weighted.indices.map { spread[$0 / 3] > 1e-3 ? weighted[$0] / spread[$0 / 3] : 0 }
    }

    /// `values` (width × height, one channel: weights, a mask) blurred.
    func apply(channel values: [Float], width: Int, height: Int) -> [Float] {
        // As three equal channels: a few milliseconds on a face crop, not worth a second pass of its own.
        let blurred = apply(values.flatMap { [$0, $0, $0] }, width: width, height: height)
        return stride(from: 0, to: blurred.count, by: 3).map { blurred[$0] }
    }

    /// Floats a vector step covers: the passes run over 8 output floats at a time (a refinement's change is
    /// blurred on every refined frame, 97 taps at the default sigma).
    private typealias Vector = SIMD8<Float>

    /// `sum` over the taps of weight × `line(tap)`, for `Vector.scalarCount` floats from `line(tap)` on, then for
    /// the floats left over one at a time; each float sums its taps in order, as one at a time would.
    private func weightedSum(count: Int, into output: UnsafeMutablePointer<Float>, line: (Int) -> UnsafePointer<Float>) {
        var start = 0
        while start + Vector.scalarCount <= count {
            var sum = Vector(repeating: 0)
            for (tap, weight) in weights.enumerated() {
                sum += weight * UnsafeRawPointer(line(tap) + start).loadUnaligned(as: Vector.self)
            }
            UnsafeMutableRawPointer(output + start).storeBytes(of: sum, as: Vector.self)
            start += Vector.scalarCount
        }
        for index in start..<count {
            var sum: Float = 0
            for (tap, weight) in weights.enumerated() { sum += weight * line(tap)[index] }
            output[index] = sum
        }
    }

    /// The horizontal pass: each row is copied with its end pixels repeated `radius` times; a float of it then
    /// sums the floats 3 × tap further on (the same channel of the tap's pixel).
    private func rows(_ values: [Float], width: Int, height: Int) -> [Float] {
        let radius = weights.count / 2
        let rowFloats = width * 3
        var output = [Float](repeating: 0, count: values.count)
        var padded = [Float](repeating: 0, count: (width + 2 * radius) * 3)
        values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                padded.withUnsafeMutableBufferPointer { padded in
                    let paddedStart = padded.baseAddress!
                    for row in 0..<height {
                        let base = row * rowFloats
                        for position in 0..<(width + 2 * radius) {
                            let source = base + min(max(position - radius, 0), width - 1) * 3
                            for channel in 0..<3 { padded[position * 3 + channel] = input[source + channel] }
                        }
                        weightedSum(count: rowFloats, into: output.baseAddress! + base) { UnsafePointer(paddedStart + 3 * $0) }
                    }
                }
            }
        }
        return output
    }

    /// The vertical pass: each output row sums whole rows, the rows above the top and below the bottom clamped.
    private func columns(_ values: [Float], width: Int, height: Int) -> [Float] {
        let radius = weights.count / 2
        let rowFloats = width * 3
        var output = [Float](repeating: 0, count: values.count)
        values.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { output in
                let inputStart = input.baseAddress!
                for row in 0..<height {
                    weightedSum(count: rowFloats, into: output.baseAddress! + row * rowFloats) { tap in
                        inputStart + min(max(row + tap - radius, 0), height - 1) * rowFloats
                    }
                }
            }
        }
        return output
    }
}
