import CVulkan

/// A range of a pooled device buffer. Releasing the last reference returns the range to its pool.
/// `@unchecked Sendable`: the range is immutable; the memory it names is synchronized by command
/// submission, and the return to the pool is locked by the allocator.
public final class GPUBuffer: @unchecked Sendable {
    let allocator: BufferAllocator
    let block: MemoryBlock
    public let offset: Int
    /// The size asked for; `reservedBytes` is what the pool set aside (rounded up to alignment).
    public let byteCount: Int
    let reservedBytes: Int

    init(allocator: BufferAllocator, block: MemoryBlock, offset: Int, byteCount: Int, reservedBytes: Int) {
        self.allocator = allocator
        self.block = block
        self.offset = offset
        self.byteCount = byteCount
        self.reservedBytes = reservedBytes
    }

    deinit {
        allocator.release(block: block, range: offset..<(offset + reservedBytes))
    }

    var vkBuffer: VkBuffer { block.buffer }
    var byteRange: Range<Int> { offset..<(offset + reservedBytes) }

    /// Host address of the contents when the memory is host-visible, else nil.
    public var mappedContents: UnsafeMutableRawPointer? { block.mapped.map { $0 + offset } }

    /// Whether this buffer shares bytes with `other` (same block, overlapping ranges).
    func overlaps(_ other: GPUBuffer) -> Bool {
        block === other.block && byteRange.overlaps(other.byteRange)
    }
}
