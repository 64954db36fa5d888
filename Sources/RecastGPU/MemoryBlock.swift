import CVulkan

/// One VkBuffer bound to its own VkDeviceMemory; the allocator hands out ranges of it.
/// Its size never exceeds the device's storage-buffer binding limit, so any range can be bound.
final class MemoryBlock {
    let device: LogicalDevice
    let buffer: VkBuffer
    let memory: VkDeviceMemory
    let size: Int
    /// Host address of the block when its memory is host-visible (kept mapped for its lifetime).
    let mapped: UnsafeMutableRawPointer?
    /// Dedicated blocks serve one oversized request and are destroyed when it is released.
    let isDedicated: Bool
    /// Free byte ranges, sorted by offset and coalesced.
    var freeRanges: [Range<Int>]

    init(device: LogicalDevice, size: Int, usage: UInt32, required: UInt32, preferred: UInt32, isDedicated: Bool, purpose: String) throws {
        self.device = device
        self.size = size
        self.isDedicated = isDedicated
        freeRanges = [0..<size]

        var info = VkBufferCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_BUFFER_CREATE_INFO
        info.size = VkDeviceSize(size)
        info.usage = usage
        info.sharingMode = VK_SHARING_MODE_EXCLUSIVE
        var buffer: VkBuffer?
        try vkCheck(vkCreateBuffer(device.handle, &info, nil, &buffer), "vkCreateBuffer")
        var requirements = VkMemoryRequirements()
        vkGetBufferMemoryRequirements(device.handle, buffer, &requirements)
        guard let typeIndex = device.memoryTypeIndex(typeBits: requirements.memoryTypeBits, required: required, preferred: preferred) else {
            vkDestroyBuffer(device.handle, buffer, nil)
            throw GPUError.noCompatibleMemoryType(purpose: purpose)
        }
        var allocation = VkMemoryAllocateInfo()
        allocation.sType = VK_STRUCTURE_TYPE_MEMORY_ALLOCATE_INFO
        allocation.allocationSize = requirements.size
        allocation.memoryTypeIndex = typeIndex
        var memory: VkDeviceMemory?
        let result = vkAllocateMemory(device.handle, &allocation, nil, &memory)
        guard result == VK_SUCCESS else {
            vkDestroyBuffer(device.handle, buffer, nil)
            throw GPUError.vulkanCallFailed(call: "vkAllocateMemory(\(size) bytes for \(purpose))", result: result.rawValue)
        }
        try vkCheck(vkBindBufferMemory(device.handle, buffer, memory, 0), "vkBindBufferMemory")
        self.buffer = buffer!
        self.memory = memory!

        let typeFlags = withUnsafeBytes(of: device.memoryProperties.memoryTypes) { raw in
            raw.bindMemory(to: VkMemoryType.self)[Int(typeIndex)].propertyFlags
        }
        let hostVisible = VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT.rawValue | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT.rawValue
        if typeFlags & hostVisible == hostVisible {
            var pointer: UnsafeMutableRawPointer?
            try vkCheck(vkMapMemory(device.handle, memory, 0, VkDeviceSize.max, 0, &pointer), "vkMapMemory")
            mapped = pointer
        } else {
            mapped = nil
        }
    }

    deinit {
        if mapped != nil { vkUnmapMemory(device.handle, memory) }
        vkDestroyBuffer(device.handle, buffer, nil)
        vkFreeMemory(device.handle, memory, nil)
    }

    /// First-fit: the offset of a free range of `byteCount` bytes at `alignment`, now taken; nil when full.
    func take(byteCount: Int, alignment: Int) -> Int? {
        for (index, range) in freeRanges.enumerated() {
            let start = (range.lowerBound + alignment - 1) / alignment * alignment
            guard start + byteCount <= range.upperBound else { continue }
            var replacement: [Range<Int>] = []
            if start > range.lowerBound { replacement.append(range.lowerBound..<start) }
            if start + byteCount < range.upperBound { replacement.append((start + byteCount)..<range.upperBound) }
            freeRanges.replaceSubrange(index...index, with: replacement)
            return start
        }
        return nil
    }

    /// Returns `range` to the free list, merging it with its neighbours.
    func give(_ range: Range<Int>) {
        let insertAt = freeRanges.firstIndex { $0.lowerBound > range.lowerBound } ?? freeRanges.count
        freeRanges.insert(range, at: insertAt)
        var merged: [Range<Int>] = []
        for next in freeRanges {
            if let last = merged.last, last.upperBound == next.lowerBound {
                merged[merged.count - 1] = last.lowerBound..<next.upperBound
            } else {
                merged.append(next)
            }
        }
        freeRanges = merged
    }

    var isEmpty: Bool { freeRanges == [0..<size] }
}
