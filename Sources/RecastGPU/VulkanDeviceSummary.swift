/// A printable description of one Vulkan device (for `recastd devices`).
public struct VulkanDeviceSummary: Sendable, CustomStringConvertible {
    /// Position in the loader's order; what RECAST_VULKAN_DEVICE=index selects.
    public let index: Int
    public let capabilities: DeviceCapabilities
    /// Why Recast would refuse this device, or nil if it qualifies.
    public let missingFeature: String?

    public var name: String { capabilities.name }
    public var type: VulkanDeviceType { capabilities.type }
    public var apiVersion: VulkanVersion { capabilities.apiVersion }
    public var driver: String { capabilities.driverName }

    public var description: String {
        let c = capabilities
        var lines = [
            "\(index): \(c.name) [\(c.type.rawValue)] Vulkan \(c.apiVersion), driver \(c.driverName) \(c.driverInfo)",
            "   subgroup \(c.subgroupSize), shared memory \(c.maxComputeSharedMemorySize / 1024) KiB, "
                + "storage-buffer binding \(c.maxStorageBufferRange / (1024 * 1024)) MiB, "
                + "16-bit storage \(c.storageBuffer16BitAccess ? "yes" : "no"), shaderFloat16 \(c.shaderFloat16 ? "yes" : "no"), "
                + "cooperative matrix \(c.cooperativeMatrix ? "yes" : "no"), timestamps \(c.computeQueueTimestamps ? "yes" : "no")",
        ]
        if let missingFeature { lines.append("   unusable: missing \(missingFeature)") }
        return lines.joined(separator: "\n")
    }

    /// Every Vulkan device the loader reports, in its order.
    public static func availableDevices(requirements: DeviceRequirements = DeviceRequirements()) throws -> [VulkanDeviceSummary] {
        let instance = try VulkanInstance(validation: .disabled)
        return try instance.physicalDevices().enumerated().map { index, device in
            let capabilities = try DeviceCapabilities.probe(device)
            return VulkanDeviceSummary(
                index: index, capabilities: capabilities,
                missingFeature: requirements.missingFeature(in: capabilities)
            )
        }
    }
}
