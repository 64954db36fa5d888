import CVulkan
import Foundation

/// Owns the VkDevice and its compute queue. Everything that holds a Vulkan handle
/// created from the device keeps a strong reference to this, so the device is destroyed last.
/// `@unchecked Sendable`: handles are immutable after init; queue submission, which Vulkan
/// requires to be externally synchronized, goes through `submit`, which holds `queueLock`.
final class LogicalDevice: @unchecked Sendable {
    let instance: VulkanInstance
    let physicalDevice: VkPhysicalDevice
    let capabilities: DeviceCapabilities
    let handle: VkDevice
    let queue: VkQueue
    let queueFamily: UInt32
    let memoryProperties: VkPhysicalDeviceMemoryProperties
    private let queueLock = NSLock()

    init(instance: VulkanInstance, physicalDevice: VkPhysicalDevice, capabilities: DeviceCapabilities) throws {
        guard let family = capabilities.computeQueueFamily else {
            throw GPUError.missingRequiredFeature(device: capabilities.name, feature: "a queue family with compute support")
        }
        self.instance = instance
        self.physicalDevice = physicalDevice
        self.capabilities = capabilities
        queueFamily = family

        var priority: Float = 1
        var storage16 = VkPhysicalDevice16BitStorageFeatures()
        storage16.sType = VK_STRUCTURE_TYPE_PHYSICAL_DEVICE_16BIT_STORAGE_FEATURES
        storage16.storageBuffer16BitAccess = capabilities.storageBuffer16BitAccess ? 1 : 0
        var device: VkDevice?
        try withUnsafePointer(to: &priority) { priorityPointer in
            try withUnsafeMutablePointer(to: &storage16) { storagePointer in
                var queueInfo = VkDeviceQueueCreateInfo()
                queueInfo.sType = VK_STRUCTURE_TYPE_DEVICE_QUEUE_CREATE_INFO
                queueInfo.queueFamilyIndex = family
                queueInfo.queueCount = 1
                queueInfo.pQueuePriorities = priorityPointer
                try withUnsafePointer(to: &queueInfo) { queueInfoPointer in
                    var info = VkDeviceCreateInfo()
                    info.sType = VK_STRUCTURE_TYPE_DEVICE_CREATE_INFO
                    info.pNext = UnsafeRawPointer(storagePointer)
                    info.queueCreateInfoCount = 1
                    info.pQueueCreateInfos = queueInfoPointer
                    try vkCheck(vkCreateDevice(physicalDevice, &info, nil, &device), "vkCreateDevice")
                }
            }
        }
        handle = device!
        var queue: VkQueue?
        vkGetDeviceQueue(handle, family, 0, &queue)
        self.queue = queue!
        var memory = VkPhysicalDeviceMemoryProperties()
        vkGetPhysicalDeviceMemoryProperties(physicalDevice, &memory)
        memoryProperties = memory
    }

    deinit {
        vkDeviceWaitIdle(handle)
        vkDestroyDevice(handle, nil)
    }

    /// Submits one command buffer and blocks until it completes.
    func submitAndWait(_ commandBuffer: VkCommandBuffer, fence: VkFence) throws {
        var fenceHandle: VkFence? = fence
        try vkCheck(vkResetFences(handle, 1, &fenceHandle), "vkResetFences")
        var buffer: VkCommandBuffer? = commandBuffer
        try withUnsafePointer(to: &buffer) { bufferPointer in
            var submit = VkSubmitInfo()
            submit.sType = VK_STRUCTURE_TYPE_SUBMIT_INFO
            submit.commandBufferCount = 1
            submit.pCommandBuffers = bufferPointer
            try queueLock.withLock {
                try vkCheck(vkQueueSubmit(queue, 1, &submit, fence), "vkQueueSubmit")
            }
        }
        try vkCheck(vkWaitForFences(handle, 1, &fenceHandle, 1, UInt64.max), "vkWaitForFences")
    }

    func makeFence() throws -> VkFence {
        var info = VkFenceCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_FENCE_CREATE_INFO
        var fence: VkFence?
        try vkCheck(vkCreateFence(handle, &info, nil, &fence), "vkCreateFence")
        return fence!
    }

    /// Index of a memory type allowed by `typeBits` having all of `required`, preferring `preferred` too.
    func memoryTypeIndex(typeBits: UInt32, required: UInt32, preferred: UInt32 = 0) -> UInt32? {
        let count = Int(memoryProperties.memoryTypeCount)
        let flags: [UInt32] = withUnsafeBytes(of: memoryProperties.memoryTypes) { raw in
            let types = raw.bindMemory(to: VkMemoryType.self)
            return (0..<count).map { types[$0].propertyFlags }
        }
        let allowed = (0..<count).filter { typeBits & (1 << UInt32($0)) != 0 && flags[$0] & required == required }
        let best = allowed.first { flags[$0] & preferred == preferred } ?? allowed.first
        return best.map(UInt32.init)
    }
}
