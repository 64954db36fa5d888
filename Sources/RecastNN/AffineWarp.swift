import RecastGPU

/// The inverse map of an affine warp: output pixel (x, y) samples the input at
/// (`m0`·x + `m1`·y + `m2`, `m3`·x + `m4`·y + `m5`), pixel centres at integer coordinates.
public struct AffineMatrix: Sendable, Hashable {
    public var m0, m1, m2, m3, m4, m5: Float

    public init(_ m0: Float, _ m1: Float, _ m2: Float, _ m3: Float, _ m4: Float, _ m5: Float) {
        (self.m0, self.m1, self.m2, self.m3, self.m4, self.m5) = (m0, m1, m2, m3, m4, m5)
    }

    public static let identity = AffineMatrix(1, 0, 0, 0, 1, 0)

    /// The input point that output pixel (x, y) samples.
    public func source(x: Float, y: Float) -> (x: Float, y: Float) {
        (m0 * x + m1 * y + m2, m3 * x + m4 * y + m5)
    }

    var values: [Float] { [m0, m1, m2, m3, m4, m5] }
}

/// What an affine warp samples outside the input image.
public enum WarpBorder: Sendable, Equatable {
    /// This value, blended bilinearly with the pixels inside.
    case constant(Float)
    /// The nearest edge pixel.
    case clamp

    var code: UInt32 { self == .clamp ? 1 : 0 }
}

extension TensorEngine {
    /// A buffer of fp32 matrices, one per image, for `encodeAffineWarp`.
    public func makeAffineMatrixBuffer(_ matrices: [AffineMatrix]) throws -> GPUBuffer {
        let buffer = try gpu.makeBuffer(byteCount: max(matrices.count, 1) * 6 * MemoryLayout<Float>.size)
        try updateAffineMatrices(matrices, in: buffer)
        return buffer
    }

    /// Rewrites the matrices of a buffer from `makeAffineMatrixBuffer`, e.g. per frame
    /// before replaying a recorded warp.
    public func updateAffineMatrices(_ matrices: [AffineMatrix], in buffer: GPUBuffer) throws {
        try gpu.upload(matrices.flatMap(\.values), to: buffer)
    }

    /// Records a bilinear affine warp of NHWC `input` into `output` (same batch and channels,
    /// any height and width); `matrices` holds one matrix per image.
    public func encodeAffineWarp(
        _ input: Tensor, matrices: GPUBuffer, border: WarpBorder, output: Tensor, into recorder: CommandRecorder
    ) throws {
        guard input.rank == 4, output.rank == 4, input.shape[0] == output.shape[0], input.shape[3] == output.shape[3],
              input.elementCount > 0, output.elementCount > 0,
              matrices.byteCount >= input.shape[0] * 6 * MemoryLayout<Float>.size
        else {
            throw NNError.shapeMismatch(
                op: "affineWarp", detail: "input \(input.shape), output \(output.shape), matrix bytes \(matrices.byteCount)")
        }
        let fill: Float = if case let .constant(value) = border { value } else { 0 }
        let kernel = try kernel("affine_warp", bindings: [.read, .read, .write], pushConstantBytes: 32, specialization: [0: border.code])
        let grid = linearGroups(count: output.elementCount, perGroup: 256)
        let sizes = [input.shape[1], input.shape[2], output.shape[1], output.shape[2], input.shape[3]].map { UInt32($0) }
        try recorder.dispatch(
            kernel, buffers: [input.buffer, matrices, output.buffer],
            pushConstants: [UInt32(output.elementCount), UInt32(grid.x)] + sizes + [fill.word], groups: grid, label: "affineWarp")
    }

    /// Runs `encodeAffineWarp` with one matrix per image and returns the warped images.
    public func affineWarp(
        _ input: Tensor, matrices: [AffineMatrix], height: Int, width: Int, border: WarpBorder
    ) throws -> Tensor {
        guard matrices.count == input.shape.first else {
            throw NNError.shapeMismatch(op: "affineWarp", detail: "\(matrices.count) matrices for input \(input.shape)")
        }
        let output = try makeTensor(shape: [input.shape[0], height, width, input.shape[3]])
        let buffer = try makeAffineMatrixBuffer(matrices)
        try run { try encodeAffineWarp(input, matrices: buffer, border: border, output: output, into: $0) }
        return output
    }
}
