import Foundation
import CVulkan

/// A recorded command buffer with its descriptor sets, written once and replayable with `run()`.
/// It keeps its kernels and buffers alive for as long as it can be replayed.
/// `@unchecked Sendable`: `run` is serialized by `runLock`; handles are immutable after init.
public final class CommandSequence: @unchecked Sendable {
    let context: GPUContext
    let dispatches: [CommandRecorder.Dispatch]
    /// Number of pipeline barriers between dispatches (the final host-visibility barrier excluded).
    public let barrierCount: Int
    public let isProfiling: Bool
    private let commandPool: VkCommandPool
    private let commandBuffer: VkCommandBuffer
    private let descriptorPool: VkDescriptorPool?
    /// Views of the buffers bound as texels, alive as long as the descriptor sets naming them.
    private let bufferViews: [VkBufferView]
    private let queryPool: VkQueryPool?
    private let fence: VkFence
    private let runLock = NSLock()

    init(context: GPUContext, dispatches: [CommandRecorder.Dispatch], barriersBefore: [Bool], profiling: Bool) throws {
        let device = context.device
        if profiling && !device.capabilities.computeQueueTimestamps {
            throw GPUError.timestampsUnavailable(device: device.capabilities.name)
        }
        self.context = context
        self.dispatches = dispatches
        barrierCount = barriersBefore.filter { $0 }.count
        isProfiling = profiling

        var poolInfo = VkCommandPoolCreateInfo()
        poolInfo.sType = VK_STRUCTURE_TYPE_COMMAND_POOL_CREATE_INFO
        poolInfo.queueFamilyIndex = device.queueFamily
        var pool: VkCommandPool?
        try vkCheck(vkCreateCommandPool(device.handle, &poolInfo, nil, &pool), "vkCreateCommandPool")
        commandPool = pool!
        var allocateInfo = VkCommandBufferAllocateInfo()
        allocateInfo.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_ALLOCATE_INFO
        allocateInfo.commandPool = commandPool
        allocateInfo.level = VK_COMMAND_BUFFER_LEVEL_PRIMARY
        allocateInfo.commandBufferCount = 1
        var buffer: VkCommandBuffer?
        try vkCheck(vkAllocateCommandBuffers(device.handle, &allocateInfo, &buffer), "vkAllocateCommandBuffers")
        commandBuffer = buffer!
        fence = try device.makeFence()
        descriptorPool = try Self.makeDescriptorPool(device: device, dispatches: dispatches)
        queryPool = profiling && !dispatches.isEmpty ? try Self.makeQueryPool(device: device, count: dispatches.count * 2) : nil
        bufferViews = try Self.makeBufferViews(device: device, dispatches: dispatches)
        let sets = try Self.writeDescriptorSets(device: device, pool: descriptorPool, dispatches: dispatches, views: bufferViews)
        try record(sets: sets, barriersBefore: barriersBefore)
    }

    deinit {
        vkDestroyFence(context.device.handle, fence, nil)
        if let queryPool { vkDestroyQueryPool(context.device.handle, queryPool, nil) }
        if let descriptorPool { vkDestroyDescriptorPool(context.device.handle, descriptorPool, nil) }
        for view in bufferViews { vkDestroyBufferView(context.device.handle, view, nil) }
        vkDestroyCommandPool(context.device.handle, commandPool, nil)
    }

    /// Submits the recorded commands and waits for them to finish; results are then host-visible.
    public func run() throws {
        try runLock.withLock {
            try context.device.submitAndWait(commandBuffer, fence: fence)
            if isProfiling && context.profilesDispatches {
                context.recordDispatchTimings(try timings())
            }
        }
    }

    /// GPU time of each dispatch in the last `run()` (requires `profiling: true` at recording).
    public func timings() throws -> [DispatchTiming] {
        let ticks = try timestampTicks()
        let period = context.device.capabilities.timestampPeriod
        return dispatches.indices.map { index in
            let elapsed = ticks[2 * index + 1] &- ticks[2 * index]
            return DispatchTiming(label: dispatches[index].label, nanoseconds: Double(elapsed) * period)
        }
    }

    /// GPU time of the last `run()` from the first dispatch's start to the last one's end (requires `profiling: true`).
    /// Dispatches between barriers may overlap on a GPU, so this, not the sum of `timings()`, is the sequence's time.
    public func elapsedNanoseconds() throws -> Double {
        let ticks = try timestampTicks()
        guard let first = ticks.first, let last = ticks.last else { return 0 }
        return Double(last &- first) * context.device.capabilities.timestampPeriod
    }

    /// The start and end timestamp of each dispatch in the last `run()`, in device ticks.
    private func timestampTicks() throws -> [UInt64] {
        guard let queryPool else {
            if isProfiling { return [] }
            throw GPUError.timestampsUnavailable(device: context.device.capabilities.name)
        }
        let queryCount = dispatches.count * 2
        var ticks = [UInt64](repeating: 0, count: queryCount)
        try ticks.withUnsafeMutableBytes { bytes in
            try vkCheck(vkGetQueryPoolResults(
                context.device.handle, queryPool, 0, UInt32(queryCount), bytes.count, bytes.baseAddress, 8,
                VK_QUERY_RESULT_64_BIT.rawValue | VK_QUERY_RESULT_WAIT_BIT.rawValue), "vkGetQueryPoolResults")
        }
        return ticks
    }

    private func record(sets: [VkDescriptorSet?], barriersBefore: [Bool]) throws {
        var begin = VkCommandBufferBeginInfo()
        begin.sType = VK_STRUCTURE_TYPE_COMMAND_BUFFER_BEGIN_INFO
        try vkCheck(vkBeginCommandBuffer(commandBuffer, &begin), "vkBeginCommandBuffer")
        if let queryPool {
            vkCmdResetQueryPool(commandBuffer, queryPool, 0, UInt32(dispatches.count * 2))
        }
        let computeStage = VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT.rawValue
        for (index, dispatch) in dispatches.enumerated() {
            if barriersBefore[index] {
                memoryBarrier(
                    source: computeStage, destination: computeStage,
                    sourceAccess: VK_ACCESS_SHADER_WRITE_BIT.rawValue | VK_ACCESS_SHADER_READ_BIT.rawValue,
                    destinationAccess: VK_ACCESS_SHADER_READ_BIT.rawValue | VK_ACCESS_SHADER_WRITE_BIT.rawValue)
            }
            if let queryPool {
                vkCmdWriteTimestamp(commandBuffer, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, queryPool, UInt32(2 * index))
            }
            let kernel = dispatch.kernel
            vkCmdBindPipeline(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.pipeline)
            var set = sets[index]
            vkCmdBindDescriptorSets(commandBuffer, VK_PIPELINE_BIND_POINT_COMPUTE, kernel.pipelineLayout, 0, 1, &set, 0, nil)
            if kernel.pushConstantBytes > 0 {
                dispatch.pushConstants.withUnsafeBytes { bytes in
                    vkCmdPushConstants(
                        commandBuffer, kernel.pipelineLayout, VK_SHADER_STAGE_COMPUTE_BIT.rawValue, 0,
                        UInt32(kernel.pushConstantBytes), bytes.baseAddress)
                }
            }
            vkCmdDispatch(commandBuffer, dispatch.groups.x, dispatch.groups.y, dispatch.groups.z)
            if let queryPool {
                vkCmdWriteTimestamp(commandBuffer, VK_PIPELINE_STAGE_COMPUTE_SHADER_BIT, queryPool, UInt32(2 * index + 1))
            }
        }
        // Buffers may be host-mapped: make shader writes visible to the host after the fence.
        memoryBarrier(
            source: computeStage, destination: VK_PIPELINE_STAGE_HOST_BIT.rawValue,
            sourceAccess: VK_ACCESS_SHADER_WRITE_BIT.rawValue, destinationAccess: VK_ACCESS_HOST_READ_BIT.rawValue)
        try vkCheck(vkEndCommandBuffer(commandBuffer), "vkEndCommandBuffer")
    }

    private func memoryBarrier(source: UInt32, destination: UInt32, sourceAccess: UInt32, destinationAccess: UInt32) {
        var barrier = VkMemoryBarrier()
        barrier.sType = VK_STRUCTURE_TYPE_MEMORY_BARRIER
        barrier.srcAccessMask = sourceAccess
        barrier.dstAccessMask = destinationAccess
        vkCmdPipelineBarrier(commandBuffer, source, destination, 0, 1, &barrier, 0, nil, 0, nil)
    }

    private static func makeDescriptorPool(device: LogicalDevice, dispatches: [CommandRecorder.Dispatch]) throws -> VkDescriptorPool? {
        let accesses = dispatches.flatMap(\.kernel.bindings)
        guard !accesses.isEmpty else { return nil }
        var sizes = [VK_DESCRIPTOR_TYPE_STORAGE_BUFFER, VK_DESCRIPTOR_TYPE_UNIFORM_TEXEL_BUFFER, VK_DESCRIPTOR_TYPE_STORAGE_TEXEL_BUFFER]
            .map { type in VkDescriptorPoolSize(type: type, descriptorCount: UInt32(accesses.filter { $0.descriptorType == type }.count)) }
            .filter { $0.descriptorCount > 0 }
        var info = VkDescriptorPoolCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_POOL_CREATE_INFO
        info.maxSets = UInt32(dispatches.count)
        info.poolSizeCount = UInt32(sizes.count)
        var pool: VkDescriptorPool?
        try sizes.withUnsafeMutableBufferPointer { sizePointer in
            info.pPoolSizes = UnsafePointer(sizePointer.baseAddress)
            try vkCheck(vkCreateDescriptorPool(device.handle, &info, nil, &pool), "vkCreateDescriptorPool")
        }
        return pool
    }

    /// A view of 16-byte RGBA32UI texels for each binding bound through one, in binding order,
    /// at most the device's texel limit long. On failure the views already made are destroyed.
    private static func makeBufferViews(device: LogicalDevice, dispatches: [CommandRecorder.Dispatch]) throws -> [VkBufferView] {
        var views: [VkBufferView] = []
        do {
            for dispatch in dispatches {
                for (buffer, access) in zip(dispatch.buffers, dispatch.kernel.bindings) where access.isTexelView {
                    let texels = min(buffer.reservedBytes / 16, device.capabilities.maxTexelBufferElements)
                    var info = VkBufferViewCreateInfo()
                    info.sType = VK_STRUCTURE_TYPE_BUFFER_VIEW_CREATE_INFO
                    info.buffer = buffer.vkBuffer
                    info.format = VK_FORMAT_R32G32B32A32_UINT
                    info.offset = VkDeviceSize(buffer.offset)
                    info.range = VkDeviceSize(texels * 16)
                    var view: VkBufferView?
                    try vkCheck(vkCreateBufferView(device.handle, &info, nil, &view), "vkCreateBufferView(\(dispatch.kernel.name))")
                    views.append(view!)
                }
            }
        } catch {
            for view in views { vkDestroyBufferView(device.handle, view, nil) }
            throw error
        }
        return views
    }

    private static func makeQueryPool(device: LogicalDevice, count: Int) throws -> VkQueryPool {
        var info = VkQueryPoolCreateInfo()
        info.sType = VK_STRUCTURE_TYPE_QUERY_POOL_CREATE_INFO
        info.queryType = VK_QUERY_TYPE_TIMESTAMP
        info.queryCount = UInt32(count)
        var pool: VkQueryPool?
        try vkCheck(vkCreateQueryPool(device.handle, &info, nil, &pool), "vkCreateQueryPool")
        return pool!
    }

    /// Allocates one descriptor set per dispatch and writes it once.
    private static func writeDescriptorSets(
        device: LogicalDevice, pool: VkDescriptorPool?, dispatches: [CommandRecorder.Dispatch], views: [VkBufferView]
    ) throws -> [VkDescriptorSet?] {
        guard let pool else { return Array(repeating: nil, count: dispatches.count) }
        var layouts: [VkDescriptorSetLayout?] = dispatches.map { $0.kernel.descriptorSetLayout }
        var sets = [VkDescriptorSet?](repeating: nil, count: dispatches.count)
        try layouts.withUnsafeMutableBufferPointer { layoutPointer in
            var info = VkDescriptorSetAllocateInfo()
            info.sType = VK_STRUCTURE_TYPE_DESCRIPTOR_SET_ALLOCATE_INFO
            info.descriptorPool = pool
            info.descriptorSetCount = UInt32(dispatches.count)
            info.pSetLayouts = UnsafePointer(layoutPointer.baseAddress)
            try vkCheck(vkAllocateDescriptorSets(device.handle, &info, &sets), "vkAllocateDescriptorSets")
        }
        let bufferInfos: [VkDescriptorBufferInfo] = dispatches.flatMap { dispatch in
            dispatch.buffers.map { buffer in
                VkDescriptorBufferInfo(buffer: buffer.vkBuffer, offset: VkDeviceSize(buffer.offset), range: VkDeviceSize(buffer.reservedBytes))
            }
        }
        let viewHandles: [VkBufferView?] = views
        bufferInfos.withUnsafeBufferPointer { infoPointer in
            viewHandles.withUnsafeBufferPointer { viewPointer in
                var writes: [VkWriteDescriptorSet] = []
                var cursor = 0
                var viewCursor = 0
                for (setIndex, dispatch) in dispatches.enumerated() {
                    for (binding, access) in dispatch.kernel.bindings.enumerated() {
                        var write = VkWriteDescriptorSet()
                        write.sType = VK_STRUCTURE_TYPE_WRITE_DESCRIPTOR_SET
                        write.dstSet = sets[setIndex]
                        write.dstBinding = UInt32(binding)
                        write.descriptorCount = 1
                        write.descriptorType = access.descriptorType
                        if access.isTexelView {
                            write.pTexelBufferView = viewPointer.baseAddress! + viewCursor
                            viewCursor += 1
                        } else {
                            write.pBufferInfo = infoPointer.baseAddress! + cursor
                        }
                        writes.append(write)
                        cursor += 1
                    }
                }
                vkUpdateDescriptorSets(device.handle, UInt32(writes.count), writes, 0, nil)
            }
        }
        return sets
    }
}
