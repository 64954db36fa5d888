import CVulkan
import Foundation

/// Pooling allocator: sub-allocates buffers from large blocks and reuses freed ranges.
/// No block, and so no buffer, is ever larger than the device's storage-buffer binding limit.
/// `@unchecked Sendable`: the block list is only touched while holding `lock`.
public final class BufferAllocator: @unchecked Sendable {
    public enum Kind: Sendable {
        /// Tensors and weights: device-local memory.
        case deviceLocal
        /// Upload and download staging: host-visible, coherent memory.
        case staging
    }

    let device: LogicalDevice
    public let kind: Kind
    /// Size of pooled blocks; requests above it get a dedicated block.
    public let blockSize: Int
    /// The device's maxStorageBufferRange: no allocation may exceed it.
    public let bindingLimit: Int
    private let alignment: Int
    private let lock = NSLock()
    private var blocks: [MemoryBlock] = []
    private var reservedByLiveBuffers = 0

    init(device: LogicalDevice, kind: Kind, preferredBlockSize: Int = 64 << 20) {
        self.device = device
        self.kind = kind
        bindingLimit = device.capabilities.maxStorageBufferRange
        blockSize = min(preferredBlockSize, bindingLimit)
        // Every buffer can be bound as storage or as 16-byte texels (`BindingAccess.isTexelView`).
        alignment = max(device.capabilities.minStorageBufferOffsetAlignment, device.capabilities.minTexelBufferOffsetAlignment, 16)
    }

    /// Number of device memory blocks currently held (pooled blocks are kept when empty).
    public var blockCount: Int { lock.withLock { blocks.count } }

    /// Bytes set aside for the buffers alive now (each rounded up to the alignment): what the tensors and weights use.
    public var bytesInUse: Int { lock.withLock { reservedByLiveBuffers } }

    /// A buffer of at least `byteCount` bytes (contents undefined).
    public func allocate(byteCount requested: Int) throws -> GPUBuffer {
        let byteCount = max(alignment, (requested + alignment - 1) / alignment * alignment)
        guard requested <= bindingLimit else {
            throw GPUError.exceedsBindingLimit(requestedBytes: requested, limitBytes: bindingLimit)
        }
        return try lock.withLock {
            let (block, offset) = try place(byteCount: byteCount)
            reservedByLiveBuffers += byteCount
            return GPUBuffer(allocator: self, block: block, offset: offset, byteCount: requested, reservedBytes: byteCount)
        }
    }

    /// First fit in a pooled block, else a new block. Called holding `lock`.
    private func place(byteCount: Int) throws -> (MemoryBlock, offset: Int) {
        if byteCount <= blockSize {
            for block in blocks where !block.isDedicated {
                if let offset = block.take(byteCount: byteCount, alignment: alignment) {
                    return (block, offset)
                }
            }
        }
        let block = try makeBlock(size: max(byteCount, blockSize), dedicated: byteCount > blockSize)
        blocks.append(block)
        return (block, block.take(byteCount: byteCount, alignment: alignment)!)
    }

    func release(block: MemoryBlock, range: Range<Int>) {
        lock.withLock {
            reservedByLiveBuffers -= range.count
            block.give(range)
            if block.isDedicated && block.isEmpty {
                blocks.removeAll { $0 === block }
            }
        }
    }

    private func makeBlock(size: Int, dedicated: Bool) throws -> MemoryBlock {
        let transfer = VK_BUFFER_USAGE_TRANSFER_SRC_BIT.rawValue | VK_BUFFER_USAGE_TRANSFER_DST_BIT.rawValue
        switch kind {
        case .deviceLocal:
            return try MemoryBlock(
                device: device, size: size,
                usage: VK_BUFFER_USAGE_STORAGE_BUFFER_BIT.rawValue | VK_BUFFER_USAGE_UNIFORM_TEXEL_BUFFER_BIT.rawValue
                    | VK_BUFFER_USAGE_STORAGE_TEXEL_BUFFER_BIT.rawValue | transfer,
                required: VK_MEMORY_PROPERTY_DEVICE_LOCAL_BIT.rawValue, preferred: 0,
                isDedicated: dedicated, purpose: "device-local tensors")
        case .staging:
            return try MemoryBlock(
                device: device, size: size, usage: transfer,
                required: VK_MEMORY_PROPERTY_HOST_VISIBLE_BIT.rawValue | VK_MEMORY_PROPERTY_HOST_COHERENT_BIT.rawValue,
                preferred: VK_MEMORY_PROPERTY_HOST_CACHED_BIT.rawValue,
                isDedicated: dedicated, purpose: "staging transfers")
        }
    }
}
