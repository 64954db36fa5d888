import RecastGPU

/// A dense tensor in a GPU buffer. Image tensors are NHWC (channels last).
/// `@unchecked Sendable`: shape and precision are immutable; the buffer's contents are
/// synchronized by command submission.
public final class Tensor: @unchecked Sendable {
    public let buffer: GPUBuffer
    public let shape: [Int]
    public let precision: StoragePrecision

    init(buffer: GPUBuffer, shape: [Int], precision: StoragePrecision) {
        self.buffer = buffer
        self.shape = shape
        self.precision = precision
    }

    public var elementCount: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }
}
