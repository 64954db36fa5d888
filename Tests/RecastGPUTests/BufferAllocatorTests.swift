@testable import RecastGPU
import Testing

@Suite("Pooling buffer allocator and transfers")
struct BufferAllocatorTests {
    @Test func roundTripsData() throws {
        let context = try testContext()
        let values = (0..<1000).map { Float($0) * 0.5 - 7 }
        let buffer = try context.makeBuffer(byteCount: values.count * 4)
        try context.upload(values, to: buffer)
        #expect(try context.download(buffer, count: values.count, as: Float.self) == values)
        expectNoValidationErrors(context)
    }

    @Test func reusesReleasedRangesWithoutNewBlocks() throws {
        let context = try testContext()
        // A pool of its own: the context's is shared with tests that may run alongside and take blocks.
        let allocator = BufferAllocator(device: context.device, kind: .deviceLocal)
        var first: GPUBuffer? = try allocator.allocate(byteCount: 4096)
        let blocks = allocator.blockCount
        let offset = first!.offset
        first = nil
        let second = try allocator.allocate(byteCount: 4096)
        #expect(second.offset == offset)
        #expect(allocator.blockCount == blocks)
        let many = try (0..<64).map { _ in try allocator.allocate(byteCount: 100_000) }
        #expect(Set(many.map(\.offset)).count == many.count)
        #expect(allocator.blockCount == blocks)
        expectNoValidationErrors(context)
    }

    @Test func neverExceedsTheBindingLimit() throws {
        let context = try testContext()
        let allocator = context.deviceMemory
        #expect(allocator.blockSize <= allocator.bindingLimit)
        #expect(throws: GPUError.exceedsBindingLimit(requestedBytes: allocator.bindingLimit + 1, limitBytes: allocator.bindingLimit)) {
            try allocator.allocate(byteCount: allocator.bindingLimit + 1)
        }
        let large = try allocator.allocate(byteCount: allocator.blockSize + 4)
        #expect(large.byteCount == allocator.blockSize + 4)
        expectNoValidationErrors(context)
    }
}
