extension CPUReference {
    /// GroupNorm over NHWC [images, pixels, channels] (LayerNorm: pixels 1, groups 1).
    public static func groupNorm(
        _ x: [Float], images: Int, pixels: Int, channels: Int, groups: Int, gamma: [Float], beta: [Float],
        epsilon: Float, fuseSiLU: Bool = false
    ) -> [Float] {
        var y = x
        let groupChannels = channels / groups
        for image in 0..<images {
            for group in 0..<groups {
                let indices = (0..<pixels).flatMap { p in
                    (0..<groupChannels).map { (image * pixels + p) * channels + group * groupChannels + $0 }
                }
                let mean = indices.reduce(0.0) { $0 + Double(x[$1]) } / Double(indices.count)
                let variance = indices.reduce(0.0) { $0 + (Double(x[$1]) - mean) * (Double(x[$1]) - mean) } / Double(indices.count)
                let inverse = 1 / (variance + Double(epsilon)).squareRoot()
                for index in indices {
                    let c = index % channels
                    let v = Float((Double(x[index]) - mean) * inverse) * gamma[c] + beta[c]
                    y[index] = fuseSiLU ? activate(v, .silu) : v
                }
            }
        }
        return y
    }

    public static func softmax(_ x: [Float], rowLength: Int, scale: Float = 1) -> [Float] {
        stride(from: 0, to: x.count, by: rowLength).flatMap { start in
            let row = x[start..<(start + rowLength)].map { Double($0 * scale) }
            let largest = row.max()!
            let exps = row.map { Foundation.exp($0 - largest) }
            let sum = exps.reduce(0, +)
            return exps.map { Float($0 / sum) }
        }
    }
}

import Foundation
