import Foundation

extension CPUReference {
    /// Attention over [batch, tokens, heads·headDim] rows, keys = k followed by extra keys.
    public static func attention(
        q: [Float], k: [Float], v: [Float], batch: Int, queries: Int, keys: Int, heads: Int, headDim: Int,
        extraKeys: [Float] = [], extraValues: [Float] = [], extraCount: Int = 0, scale: Float? = nil
    ) -> [Float] {
        let width = heads * headDim
        let scaleValue = Double(scale ?? 1 / Float(headDim).squareRoot())
        var output = [Float](repeating: 0, count: q.count)
        for b in 0..<batch {
            for h in 0..<heads {
                for i in 0..<queries {
                    let qBase = (b * queries + i) * width + h * headDim
                    func row(_ j: Int) -> (keys: ArraySlice<Float>, values: ArraySlice<Float>) {
                        if j < keys {
                            let base = (b * keys + j) * width + h * headDim
                            return (k[base..<(base + headDim)], v[base..<(base + headDim)])
                        }
                        let base = (b * extraCount + j - keys) * width + h * headDim
                        return (extraKeys[base..<(base + headDim)], extraValues[base..<(base + headDim)])
                    }
                    let rows = (0..<(keys + extraCount)).map(row)
                    let scores = rows.map { row in
                        zip(q[qBase..<(qBase + headDim)], row.keys).reduce(0.0) { $0 + Double($1.0) * Double($1.1) } * scaleValue
                    }
                    let largest = scores.max()!
                    let weights = scores.map { exp($0 - largest) }
                    let sum = weights.reduce(0, +)
                    for d in 0..<headDim {
                        var value = 0.0
                        for j in weights.indices { value += weights[j] * Double(rows[j].values[rows[j].values.startIndex + d]) }
                        output[qBase + d] = Float(value / sum)
                    }
                }
            }
        }
        return output
    }
}
