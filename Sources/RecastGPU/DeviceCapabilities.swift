import CVulkan

/// The kind of Vulkan device, in Recast's order of preference.
public enum VulkanDeviceType: String, Sendable {
    case discrete, integrated, virtual, cpu, other

    /// Lower is preferred: discrete > integrated > virtual > CPU.
    var preferenceRank: Int {
        switch self {
        case .discrete: 0
        case .integrated: 1
        case .virtual: 2
        case .cpu: 3
        case .other: 4
        }
    }

    init(_ type: VkPhysicalDeviceType) {
        switch type {
        case VK_PHYSICAL_DEVICE_TYPE_DISCRETE_GPU: self = .discrete
        case VK_PHYSICAL_DEVICE_TYPE_INTEGRATED_GPU: self = .integrated
        case VK_PHYSICAL_DEVICE_TYPE_VIRTUAL_GPU: self = .virtual
        case VK_PHYSICAL_DEVICE_TYPE_CPU: self = .cpu
        default: self = .other
        }
    }
}

/// What a physical device offers that Recast's kernels care about.
public struct DeviceCapabilities: Sendable {
    public var name: String
    public var type: VulkanDeviceType
    public var apiVersion: VulkanVersion
    public var driverName: String
    public var driverInfo: String
    public var vendorID: UInt32
    public var deviceID: UInt32
    public var pipelineCacheUUID: [UInt8]
    public var storageBuffer16BitAccess: Bool
    public var shaderFloat16: Bool
    public var subgroupSize: Int
    public var maxComputeSharedMemorySize: Int
    public var maxStorageBufferRange: Int
    public var maxComputeWorkGroupInvocations: Int
    public var maxPushConstantsSize: Int
    public var minStorageBufferOffsetAlignment: Int
    public var minTexelBufferOffsetAlignment: Int
    public var maxTexelBufferElements: Int
    public var cooperativeMatrix: Bool
    /// Nanoseconds per timestamp tick.
    public var timestampPeriod: Double
    /// Index of a queue family with compute support and, when possible, timestamps; nil if none computes.
    public var computeQueueFamily: UInt32?
    public var computeQueueTimestamps: Bool
}

extension DeviceCapabilities {
    /// Queries properties, features, extensions and queues of `device`.
    static func probe(_ device: VkPhysicalDevice) throws -> DeviceCapabilities {
        var properties = VkPhysicalDeviceProperties()
        vkGetPhysicalDeviceProperties(device, &properties)
        let apiVersion = VulkanVersion(packed: properties.apiVersion)
        let extensions = try deviceExtensions(device)
        let isVulkan12 = apiVersion >= VulkanVersion(major: 1, minor: 2)
        let hasDriverProperties = isVulkan12 || extensions.contains("VK_KHR_driver_properties")
        let hasFloat16Int8 = isVulkan12 || extensions.contains("VK_KHR_shader_float16_int8")

        // Vulkan 1.1 structures: properties2/features2 are core there.
        var subgroup = VkPhysicalDeviceSubgroupProperties()
        subgroup.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SUBGROUP_PROPERTIES
        var driver = VkPhysicalDeviceDriverProperties()
        driver.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_DRIVER_PROPERTIES
        var storage16 = VkPhysicalDevice16BitStorageFeatures()
        storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES
        var float16 = VkPhysicalDeviceShaderFloat16Int8Features()
        float16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_SHADER_FLOAT16_INT8_FEATURES

        let isVulkan11 = apiVersion >= VulkanVersion(major: 1, minor: 1)
        if isVulkan11 {
            withUnsafeMutablePointer(to: &subgroup) { subgroupPointer in
                withUnsafeMutablePointer(to: &driver) { driverPointer in
                    if hasDriverProperties { subgroupPointer.pointee.pNext = UnsafeMutableRawPointer(driverPointer) }
                    var properties2 = VkPhysicalDeviceProperties2()
                    properties2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_PROPERTIES_2
                    properties2.pNext = UnsafeMutableRawPointer(subgroupPointer)
                    vkGetPhysicalDeviceProperties2(device, &properties2)
                    subgroupPointer.pointee.pNext = nil
                }
            }
            withUnsafeMutablePointer(to: &storage16) { storagePointer in
                withUnsafeMutablePointer(to: &float16) { float16Pointer in
                    if hasFloat16Int8 { storagePointer.pointee.pNext = UnsafeMutableRawPointer(float16Pointer) }
                    var features2 = VkPhysicalDeviceFeatures2()
                    features2.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_FEATURES_2
                    features2.pNext = UnsafeMutableRawPointer(storagePointer)
                    vkGetPhysicalDeviceFeatures2(device, &features2)
                    storagePointer.pointee.pNext = nil
                }
            }
        }

        var queueCount: UInt32 = 0
        vkGetPhysicalDeviceQueueFamilyProperties(device, &queueCount, nil)
        var queues = [VkQueueFamilyProperties](repeating: VkQueueFamilyProperties(), count: Int(queueCount))
        vkGetPhysicalDeviceQueueFamilyProperties(device, &queueCount, &queues)
        let computeFamilies = queues.prefix(Int(queueCount)).enumerated().filter {
            $0.element.queueFlags & VK_QUEUE_COMPUTE_BIT.rawValue != 0
        }
        let withTimestamps = computeFamilies.first { $0.element.timestampValidBits > 0 }
        let chosenFamily = withTimestamps ?? computeFamilies.first
        let limits = properties.limits

        return DeviceCapabilities(
            name: stringFromCCharTuple(properties.deviceName),
            type: VulkanDeviceType(properties.deviceType),
            apiVersion: apiVersion,
            driverName: hasDriverProperties ? stringFromCCharTuple(driver.driverName) : "unknown",
            driverInfo: hasDriverProperties ? stringFromCCharTuple(driver.driverInfo) : "",
            vendorID: properties.vendorID,
            deviceID: properties.deviceID,
            pipelineCacheUUID: withUnsafeBytes(of: properties.pipelineCacheUUID) { Array($0) },
            storageBuffer16BitAccess: isVulkan11 && storage16.storageBuffer16BitAccess != 0,
            shaderFloat16: hasFloat16Int8 && float16.shaderFloat16 != 0,
            subgroupSize: isVulkan11 ? Int(subgroup.subgroupSize) : 1,
            maxComputeSharedMemorySize: Int(limits.maxComputeSharedMemorySize),
            maxStorageBufferRange: Int(limits.maxStorageBufferRange),
            maxComputeWorkGroupInvocations: Int(limits.maxComputeWorkGroupInvocations),
            maxPushConstantsSize: Int(limits.maxPushConstantsSize),
            minStorageBufferOffsetAlignment: Int(limits.minStorageBufferOffsetAlignment),
            minTexelBufferOffsetAlignment: Int(limits.minTexelBufferOffsetAlignment),
            maxTexelBufferElements: Int(limits.maxTexelBufferElements),
            cooperativeMatrix: extensions.contains("VK_KHR_cooperative_matrix") || extensions.contains("VK_NV_cooperative_matrix"),
            timestampPeriod: Double(limits.timestampPeriod),
            computeQueueFamily: chosenFamily.map { UInt32($0.offset) },
            computeQueueTimestamps: withTimestamps != nil
        )
    }

    private static func deviceExtensions(_ device: VkPhysicalDevice) throws -> Set<String> {
        var count: UInt32 = 0
        try vkCheck(vkEnumerateDeviceExtensionProperties(device, nil, &count, nil), "vkEnumerateDeviceExtensionProperties")
        var properties = [VkExtensionProperties](repeating: VkExtensionProperties(), count: Int(count))
        try vkCheck(vkEnumerateDeviceExtensionProperties(device, nil, &count, &properties), "vkEnumerateDeviceExtensionProperties")
        return Set(properties.prefix(Int(count)).map { stringFromCCharTuple($0.extensionName) })
    }
}
