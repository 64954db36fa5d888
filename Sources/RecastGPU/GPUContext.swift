import CVulkan
import Foundation

/// How to open the GPU.
public struct GPUContextOptions: Sendable {
    public var validation: ValidationMode = .fromEnvironment
    /// An index or part of a device name; defaults to RECAST_VULKAN_DEVICE.
    public var deviceOverride: String? = ProcessInfo.processInfo.environment["RECAST_VULKAN_DEVICE"]
    public var requirements = DeviceRequirements()
    /// Where the pipeline cache lives; nil keeps it in memory only.
    public var pipelineCacheDirectory: URL? = PipelineCache.defaultDirectory()
    /// Record every command sequence with timestamps and keep each run's dispatch times (`takeDispatchTimings`),
    /// for finding where a network's time goes; it costs a little time per dispatch.
    public var profilesDispatches = false

    public init() {}
}

/// The opened device: its allocators, pipeline cache and compiled kernels.
/// `@unchecked Sendable`: the kernel cache is guarded by `kernelLock`; the allocators and the
/// pipeline cache synchronize themselves; everything else is immutable after init.
public final class GPUContext: @unchecked Sendable {
    let device: LogicalDevice
    public var instance: VulkanInstance { device.instance }
    public var capabilities: DeviceCapabilities { device.capabilities }
    /// The selected device's position in the loader's order.
    public let deviceIndex: Int
    public let deviceMemory: BufferAllocator
    public let stagingMemory: BufferAllocator
    public let pipelineCache: PipelineCache
    public let profilesDispatches: Bool
    private let kernelLock = NSLock()
    private var kernels: [String: ComputeKernel] = [:]
    private let profileLock = NSLock()
    private var dispatchTimings: [DispatchTiming] = []

    public init(options: GPUContextOptions = GPUContextOptions()) throws {
        let instance = try VulkanInstance(validation: options.validation)
        let physicalDevices = try instance.physicalDevices()
        let capabilities = try physicalDevices.map(DeviceCapabilities.probe)
        let selector = DeviceSelector(override: options.deviceOverride, requirements: options.requirements)
        deviceIndex = try selector.select(from: capabilities)
        device = try LogicalDevice(
            instance: instance, physicalDevice: physicalDevices[deviceIndex], capabilities: capabilities[deviceIndex])
        deviceMemory = BufferAllocator(device: device, kind: .deviceLocal)
        stagingMemory = BufferAllocator(device: device, kind: .staging)
        pipelineCache = try PipelineCache(device: device, directory: options.pipelineCacheDirectory)
        profilesDispatches = options.profilesDispatches
    }

    /// The dispatch times of every sequence run since the last call, in order (with `profilesDispatches`).
    public func takeDispatchTimings() -> [DispatchTiming] {
        profileLock.withLock {
            defer { dispatchTimings.removeAll() }
            return dispatchTimings
        }
    }

    func recordDispatchTimings(_ timings: [DispatchTiming]) {
        profileLock.withLock { dispatchTimings += timings }
    }

    /// A kernel built once per distinct `key` and reused (pipelines are expensive to create).
    /// The key must identify the SPIR-V and the specialization constants.
    public func kernel(
        key: String, spirv: @autoclosure () throws -> [UInt32], bindings: [BindingAccess],
        pushConstantBytes: Int, specialization: [UInt32: UInt32] = [:]
    ) throws -> ComputeKernel {
        try kernelLock.withLock {
            if let kernel = kernels[key] { return kernel }
            let kernel = try ComputeKernel(
                device: device, cache: pipelineCache, name: key, spirv: spirv(),
                bindings: bindings, pushConstantBytes: pushConstantBytes, specialization: specialization)
            kernels[key] = kernel
            return kernel
        }
    }

    public func makeRecorder() -> CommandRecorder {
        CommandRecorder(context: self)
    }

    /// A device-local buffer from the pool.
    public func makeBuffer(byteCount: Int) throws -> GPUBuffer {
        try deviceMemory.allocate(byteCount: byteCount)
    }
}
