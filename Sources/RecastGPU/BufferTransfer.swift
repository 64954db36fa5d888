import CVulkan
import Foundation

extension GPUContext {
    /// Copies `bytes` into the start of `buffer`: directly when the memory is host-visible,
    /// otherwise through a staging buffer and a copy command.
    public func upload(_ bytes: UnsafeRawBufferPointer, to buffer: GPUBuffer) throws {
        guard bytes.count <= buffer.byteCount else {
            throw GPUError.transferSizeMismatch(bufferBytes: buffer.byteCount, dataBytes: bytes.count)
        }
        guard bytes.count > 0, let base = bytes.baseAddress else { return }
        if let destination = buffer.mappedContents {
            destination.copyMemory(from: base, byteCount: bytes.count)
            return
        }
        let staging = try stagingMemory.allocate(byteCount: bytes.count)
        staging.mappedContents!.copyMemory(from: base, byteCount: bytes.count)
        try copy(from: staging, to: buffer, byteCount: bytes.count)
    }

    /// Copies the first `bytes.count` bytes of `buffer` into `bytes`.
    public func download(_ buffer: GPUBuffer, into bytes: UnsafeMutableRawBufferPointer) throws {
        guard bytes.count <= buffer.byteCount else {
            throw GPUError.transferSizeMismatch(bufferBytes: buffer.byteCount, dataBytes: bytes.count)
        }
        guard bytes.count > 0, let base = bytes.baseAddress else { return }
        if let source = buffer.mappedContents {
            base.copyMemory(from: source, byteCount: bytes.count)
            return
        }
        let staging = try stagingMemory.allocate(byteCount: bytes.count)
        try copy(from: buffer, to: staging, byteCount: bytes.count)
        base.copyMemory(from: staging.mappedContents!, byteCount: bytes.count)
    }

    public func upload<T: BitwiseCopyable>(_ values: [T], to buffer: GPUBuffer) throws {
        try values.withUnsafeBytes { try upload($0, to: buffer) }
    }

    public func download<T: BitwiseCopyable>(_ buffer: GPUBuffer, count: Int, as type: T.Type = T.self) throws -> [T] {
        try [T](unsafeUninitializedCapacity: count) { values, initialized in
            try download(buffer, into: UnsafeMutableRawBufferPointer(values))
            initialized = count
        }
    }

    /// One-shot buffer copy with barriers against earlier shader work and later host access.
    private func copy(from source: GPUBuffer, to destination: GPUBuffer, byteCount: Int) throws {
        let device = self.device
        var poolInfo = VkCommandPoolCreateInfo()
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO
        poolInfo.flags = VK_COMMAND_POOL_CREATE_TRANSIENT_BIT.rawValue
        poolInfo.queueFamilyIndex = device.queueFamily
        var pool: VkCommandPool?
        try vkCheck(vkCreateCommandPool(device.handle, &poolInfo, nil, &pool), "vkCreateCommandPool")
        defer { vkDestroyCommandPool(device.handle, pool, nil) }
        var allocateInfo = VkCommandBufferAllocateInfo()
        allocateInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO
        allocateInfo.commandPool = pool
        allocateInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY
        allocateInfo.commandBufferCount = 1
        var commandBuffer: VkCommandBuffer?
        try vkCheck(vkAllocateCommandBuffers(device.handle, &allocateInfo, &commandBuffer), "vkAllocateCommandBuffers")
        var begin = VkCommandBufferBeginInfo()
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO
        begin.flags = VK_COMMAND_BUFFER_USAGE_ONE_TIME_SUBMIT_BIT.rawValue
        try vkCheck(vkBeginCommandBuffer(commandBuffer, &begin), "vkBeginCommandBuffer")
        var before = VkMemoryBarrier()
        before.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER
        before.srcAccessMask = VK_ACCESS_SHADER_WRITE_BIT.rawValue | VK_ACCESS_HOST_WRITE_BIT.rawValue
        before.dstAccessMask = VK_ACCESS_TRANSFER_READ_BIT.rawValue | VK_ACCESS_TRANSFER_WRITE_BIT.rawValue
        vkCmdPipelineBarrier(
            commandBuffer, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT.rawValue | VK_PIPELINE_STAGE_HOST_BIT.rawValue,
            VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue, 0, 1, &before, 0, nil, 0, nil)
        var region = VkBufferCopy(srcOffset: VkDeviceSize(source.offset), dstOffset: VkDeviceSize(destination.offset), size: VkDeviceSize(byteCount))
        vkCmdCopyBuffer(commandBuffer, source.vkBuffer, destination.vkBuffer, 1, &region)
        var after = VkMemoryBarrier()
        after.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER
        after.srcAccessMask = VK_ACCESS_TRANSFER_WRITE_BIT.rawValue
        after.dstAccessMask = VK_ACCESS_HOST_READ_BIT.rawValue | VK_ACCESS_SHADER_READ_BIT.rawValue
        vkCmdPipelineBarrier(
            commandBuffer, VK_PIPELINE_STAGE_TRANSFER_BIT.rawValue,
            VK_PIPELINE_STAGE_HOST_BIT.rawValue | VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT.rawValue, 0, 1, &after, 0, nil, 0, nil)
        try vkCheck(vkEndCommandBuffer(commandBuffer), "vkEndCommandBuffer")
        let fence = try device.makeFence()
        defer { vkDestroyFence(device.handle, fence, nil) }
        try device.submitAndWait(commandBuffer!, fence: fence)
    }
}
