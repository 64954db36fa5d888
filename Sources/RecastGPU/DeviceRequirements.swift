/// What Recast's kernels cannot run without. A device failing any of these is refused,
/// and the refusal names the first missing feature.
public struct DeviceRequirements: Sendable {
    public var minimumAPIVersion = VulkanVersion(major: 1, minor: 1)
    /// The tiled GEMM and the reductions keep their tiles in 16 KiB of shared memory.
    public var minimumSharedMemoryBytes = 16 * 1024
    /// Kernels use workgroups of up to 256 invocations.
    public var minimumWorkGroupInvocations = 256
    /// Kernels pass their shapes in up to 128 bytes of push constants.
    public var minimumPushConstantBytes = 128

    public init() {}

    /// The missing feature, named for the user, or nil when `device` qualifies.
    public func missingFeature(in device: DeviceCapabilities) -> String? {
        if device.computeQueueFamily == nil { return "a queue family with compute support" }
        if device.apiVersion < minimumAPIVersion {
            return "Vulkan \(minimumAPIVersion.major).\(minimumAPIVersion.minor) (device offers \(device.apiVersion))"
        }
        if device.maxComputeSharedMemorySize < minimumSharedMemoryBytes {
            return "maxComputeSharedMemorySize >= \(minimumSharedMemoryBytes) (device offers \(device.maxComputeSharedMemorySize))"
        }
        if device.maxComputeWorkGroupInvocations < minimumWorkGroupInvocations {
            return "maxComputeWorkGroupInvocations >= \(minimumWorkGroupInvocations) (device offers \(device.maxComputeWorkGroupInvocations))"
        }
        if device.maxPushConstantsSize < minimumPushConstantBytes {
            return "maxPushConstantsSize >= \(minimumPushConstantBytes) (device offers \(device.maxPushConstantsSize))"
        }
        return nil
    }
}
