import RecastGPU

/// Shared dispatch code for Shaders/gemm.comp (matmul and implicit-GEMM convolution).
struct GemmDispatch {
    enum Mode: UInt32 { case matmul = 0, convolution = 1 }

    var mode: Mode
    var tiling: GemmTiling
    var activation: Activation
    var transposeB = false
    var m: Int, n: Int, k: Int
    /// Batches (matmul) or groups (convolution): the grid's z.
    var layers: Int
    var parameters: [Int32]
    /// Whether the operands' rows along K (and N for a plain matmul B) are whole 16-byte chunks.
    var chunkAligned: Bool
    /// Convolution only: the residual is 2×2 max-pooled from a map twice the output's size.
    var pooledResidual = false

    func encode(
        engine: TensorEngine, a: Tensor, b: Tensor, bias: Tensor?, residual: Tensor?, slopes: Tensor?,
        output: Tensor, into recorder: CommandRecorder, label: String
    ) throws {
        let capabilities = engine.gpu.capabilities
        guard tiling.isValid(maxInvocations: capabilities.maxComputeWorkGroupInvocations, sharedMemory: capabilities.maxComputeSharedMemorySize) else {
            throw NNError.unsupported(op: label, detail: "tiling \(tiling) does not fit the device")
        }
        if activation == .prelu && slopes == nil {
            throw NNError.shapeMismatch(op: label, detail: "PReLU needs per-channel slopes")
        }
        var tiling = self.tiling
        tiling.chunkedLoads = tiling.chunkedLoads && chunkAligned && engine.fitTexelViews([a, b])
        let chunk = engine.precision.elementsPerTexel
        let chunkedStores = tiling.chunkedLoads && n % chunk == 0 && tiling.threadN % chunk == 0
            && (residual.map { $0.shape.last! % chunk == 0 } ?? true)
            && engine.fitTexelViews([output] + [residual].compactMap { $0 })
        var specialization = tiling.specialization
        specialization[6] = mode.rawValue
        specialization[7] = UInt32(activation.rawValue)
        specialization[8] = bias == nil ? 0 : 1
        specialization[9] = residual == nil ? 0 : 1
        specialization[10] = transposeB ? 1 : 0
        specialization[13] = chunkedStores ? 1 : 0
        specialization[14] = pooledResidual ? 1 : 0
        let kernel = try engine.kernel(
            "gemm", bindings: [.read, .read, .read, .read, .read, .write, .texels, .texels, .writeTexels, .texels, .texels, .texels],
            pushConstantBytes: 24 * 4,
            specialization: specialization)
        // Unused bindings still need a valid buffer: bind the (read-only) input there. Every
        // operand is bound twice: as a storage buffer, and as texels for the chunked path.
        try recorder.dispatch(
            kernel,
            buffers: [a.buffer, b.buffer, (bias ?? a).buffer, (residual ?? a).buffer, (slopes ?? a).buffer, output.buffer, a.buffer, b.buffer,
                      output.buffer, (bias ?? a).buffer, (residual ?? a).buffer, (slopes ?? a).buffer],
            pushConstants: parameters.map { UInt32(bitPattern: $0) },
            groups: ((n + tiling.blockN - 1) / tiling.blockN, (m + tiling.blockM - 1) / tiling.blockM, layers),
            label: label)
    }
}
