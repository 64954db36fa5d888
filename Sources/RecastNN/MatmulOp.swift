import RecastGPU

extension TensorEngine {
    /// Records `output = activation(a · b + bias) (+ residual before the activation)`, batched.
    /// - a: [batch, M, K] or [M, K].
    /// - b: [batch or 1, K, N] (or [K, N]); with `transposeB`, [batch or 1, N, K] (PyTorch linear weights).
    /// - bias: [N]; residual: the output's shape; output: [batch, M, N] or [M, N].
    public func encodeMatmul(
        _ a: Tensor, _ b: Tensor, transposeB: Bool = false, bias: Tensor? = nil, residual: Tensor? = nil,
        activation: Activation = .none, slopes: Tensor? = nil, output: Tensor,
        tiling: GemmTiling? = nil, into recorder: CommandRecorder
    ) throws {
        guard a.rank >= 2, b.rank >= 2 else {
            throw NNError.shapeMismatch(op: "matmul", detail: "a \(a.shape) and b \(b.shape) need rank 2 or 3")
        }
        let m = a.shape[a.rank - 2], k = a.shape[a.rank - 1]
        let batch = a.rank == 3 ? a.shape[0] : 1
        let bBatch = b.rank == 3 ? b.shape[0] : 1
        let bK = transposeB ? b.shape[b.rank - 1] : b.shape[b.rank - 2]
        let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        guard bK == k, bBatch == 1 || bBatch == batch, output.elementCount == batch * m * n,
              bias.map({ $0.elementCount == n }) ?? true, residual.map({ $0.elementCount == output.elementCount }) ?? true
        else {
            throw NNError.shapeMismatch(op: "matmul", detail: "a \(a.shape), b \(b.shape) (transposed: \(transposeB)), output \(output.shape)")
        }
        let tiling = tiling ?? .forShape(m: m, n: n, device: gpu.capabilities.type)
        let chunk = precision.elementsPerTexel
        let dispatch = GemmDispatch(
            mode: .matmul, tiling: tiling, activation: activation, transposeB: transposeB,
            m: m, n: n, k: k, layers: batch,
            parameters: [m, n, k, m * k, bBatch == 1 ? 0 : k * n, m * n].map(Int32.init),
            chunkAligned: k % chunk == 0 && (transposeB || (n % chunk == 0 && tiling.threadN % chunk == 0)))
        try dispatch.encode(
            engine: self, a: a, b: b, bias: bias, residual: residual, slopes: slopes, output: output,
            into: recorder, label: "matmul \(batch)x\(m)x\(n)x\(k)")
    }

    /// Runs `encodeMatmul` and returns the result.
    public func matmul(
        _ a: Tensor, _ b: Tensor, transposeB: Bool = false, bias: Tensor? = nil, residual: Tensor? = nil,
        activation: Activation = .none, slopes: Tensor? = nil
    ) throws -> Tensor {
        let n = transposeB ? b.shape[b.rank - 2] : b.shape[b.rank - 1]
        let output = try makeTensor(shape: Array(a.shape.dropLast()) + [n])
        try run {
            try encodeMatmul(a, b, transposeB: transposeB, bias: bias, residual: residual, activation: activation,
                             slopes: slopes, output: output, into: $0)
        }
        return output
    }
}
