/// Where a model's tensors come from, by their diffusers names.
protocol WeightTensorSource {
    /// The tensor `name` as fp32 values, checked against `shape` when given.
    func floats(_ name: String, shape: [Int]?) throws -> [Float]
}

extension SafeTensorsFile: WeightTensorSource {}

/// Deterministic random weights for any tensor name, for models of a real shape without their weights
/// (benchmarks): norm scales 1, other vectors 0, matrices and kernels uniform with variance 1/fan-in, so
/// activations keep their scale through the network. Each tensor's values depend only on the seed and its name.
struct SeededRandomWeights: WeightTensorSource {
    let seed: UInt64

    func floats(_ name: String, shape: [Int]?) throws -> [Float] {
        guard let shape, !shape.isEmpty else {
            throw NNError.shapeMismatch(op: "random weights", detail: "\(name) needs a shape")
        }
        let count = shape.reduce(1, *)
        if shape.count == 1 {
            let isNormScale = name.hasSuffix(".weight") && name.split(separator: ".").dropLast().last?.contains("norm") == true
            return [Float](repeating: isNormScale ? 1 : 0, count: count)
        }
        let bound = (3 / Float(count / shape[0])).squareRoot()
        // FNV-1a of the name, mixed with the seed, starts this tensor's SplitMix64 stream.
        var state = name.utf8.reduce(UInt64(0xCBF2_9CE4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x100_0000_01B3 } ^ seed
        return (0..<count).map { _ in
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            return (Float(z >> 40) / Float(1 << 24) * 2 - 1) * bound
        }
    }
}
