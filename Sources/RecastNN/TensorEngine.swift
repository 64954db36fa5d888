import Foundation
import RecastGPU

/// Runs tensor ops on a GPU context with one storage precision.
/// `@unchecked Sendable`: it holds only immutable references to thread-safe objects.
public final class TensorEngine: @unchecked Sendable {
    public let gpu: GPUContext
    public let precision: StoragePrecision

    public init(gpu: GPUContext, precision: StoragePrecision) throws {
        if precision == .float16 && !gpu.capabilities.storageBuffer16BitAccess {
            throw NNError.precisionUnavailable(device: gpu.capabilities.name)
        }
        self.gpu = gpu
        self.precision = precision
    }

    /// The device's preferred storage: fp16 on GPUs with 16-bit storage, fp32 otherwise. CPU devices
    /// get fp32 although lavapipe has 16-bit storage: it converts halves in scalar code, which on the face
    /// models' small layers cost more than the doubled bytes (face mesh 5.9–6.4 → 4.9–5.1 ms, YuNet 320×240
    /// 8.5–11.8 → 7.4–8.5 ms on this project's 2-core machine; large convolutions 7 % faster, attention 17 % slower).
    public convenience init(gpu: GPUContext) throws {
        let halves = gpu.capabilities.storageBuffer16BitAccess && gpu.capabilities.type != .cpu
        try self.init(gpu: gpu, precision: halves ? .float16 : .float32)
    }

    /// An uninitialized tensor.
    public func makeTensor(shape: [Int]) throws -> Tensor {
        let count = shape.reduce(1, *)
        return Tensor(buffer: try gpu.makeBuffer(byteCount: max(count, 1) * precision.bytesPerElement), shape: shape, precision: precision)
    }

    /// A tensor holding `values` (converted to the storage precision).
    public func makeTensor(shape: [Int], values: [Float]) throws -> Tensor {
        let count = shape.reduce(1, *)
        guard values.count == count else {
            throw NNError.shapeMismatch(op: "makeTensor", detail: "\(values.count) values for shape \(shape)")
        }
        let tensor = try makeTensor(shape: shape)
        try write(values, to: tensor)
        return tensor
    }

    /// Writes `values` (converted to the storage precision) into the start of `tensor`.
    public func write(_ values: [Float], to tensor: Tensor) throws {
        switch tensor.precision {
        case .float32: try gpu.upload(values, to: tensor.buffer)
        case .float16: try gpu.upload(HalfConversion.halves(values), to: tensor.buffer)
        }
    }

    /// The tensor's contents as fp32.
    public func read(_ tensor: Tensor) throws -> [Float] {
        switch tensor.precision {
        case .float32: try gpu.download(tensor.buffer, count: tensor.elementCount, as: Float.self)
        case .float16: HalfConversion.floats(try gpu.download(tensor.buffer, count: tensor.elementCount, as: Float16.self))
        }
    }

    /// Whether every tensor fits a texel view (`BindingAccess.texels`), which kernels'
    /// texel paths need; a view of a larger buffer is cut at the device's limit.
    func fitTexelViews(_ tensors: [Tensor]) -> Bool {
        let limit = gpu.capabilities.maxTexelBufferElements * 16
        return tensors.allSatisfy { $0.buffer.byteCount <= limit }
    }

    /// Whether an op whose rows are `width` elements takes its texel path: on CPU devices (where
    /// it was measured; GPUs keep their paths), with rows of whole texels, and `tensors` within
    /// the texel views' limit.
    func takesTexelPath(width: Int, _ tensors: [Tensor]) -> Bool {
        gpu.capabilities.type == .cpu && width % precision.elementsPerTexel == 0 && fitTexelViews(tensors)
    }

    /// The kernel for `family` with these specialization constants, built once and cached.
    func kernel(
        _ family: String, bindings: [BindingAccess], pushConstantBytes: Int, specialization: [UInt32: UInt32] = [:]
    ) throws -> ComputeKernel {
        let constants = specialization.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ",")
        return try gpu.kernel(
            key: "\(family).\(precision.shaderVariant)[\(constants)]",
            spirv: try ShaderLibrary.spirv(family, precision: precision),
            bindings: bindings, pushConstantBytes: pushConstantBytes, specialization: specialization)
    }

    /// Records ops with `body`, runs them once and waits.
    public func run(_ body: (CommandRecorder) throws -> Void) throws {
        let recorder = gpu.makeRecorder()
        try body(recorder)
        try recorder.finish().run()
    }
}

/// Workgroup counts covering `count` items at `perGroup` items each, split over x and y
/// because a dispatch may have at most 65535 groups per dimension.
func linearGroups(count: Int, perGroup: Int) -> (x: Int, y: Int, z: Int) {
    let groups = max(1, (count + perGroup - 1) / perGroup)
    let x = min(groups, 65535)
    return (x, (groups + x - 1) / x, 1)
}

extension Float {
    /// The float's bits, for a push-constant word.
    var word: UInt32 { bitPattern }
}
