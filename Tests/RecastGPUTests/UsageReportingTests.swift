import RecastGPU
import Testing

/// What benchmarks report: device memory in use and a sequence's GPU time.
@Suite("Memory in use and elapsed GPU time")
struct UsageReportingTests {
    @Test func bytesInUseFollowLiveBuffersRoundedToTheAlignment() throws {
        // A context of its own: other tests allocate from the shared one in parallel.
        var options = GPUContextOptions()
        options.validation = .required
        options.pipelineCacheDirectory = nil
        let context = try GPUContext(options: options)
        let allocator = context.deviceMemory
        #expect(allocator.bytesInUse == 0)
        var small: GPUBuffer? = try allocator.allocate(byteCount: 1)
        let alignment = allocator.bytesInUse
        #expect(small?.byteCount == 1 && alignment >= 16 && alignment.nonzeroBitCount == 1)
        // Larger than a pooled block: it gets a dedicated one, which the allocator frees on release.
        var large: GPUBuffer? = try allocator.allocate(byteCount: allocator.blockSize + 4)
        #expect(large?.byteCount == allocator.blockSize + 4)
        #expect(allocator.bytesInUse == alignment + (allocator.blockSize + 4 + alignment - 1) / alignment * alignment)
        large = nil
        #expect(allocator.bytesInUse == alignment)
        small = nil
        #expect(allocator.bytesInUse == 0)
        expectNoValidationErrors(context)
    }

    @Test func elapsedTimeSpansEveryDispatch() throws {
        let context = try testContext()
        let kernel = try CommandRecordingTests.scaleKernel(context)
        let count = 1 << 16
        let input = try context.makeBuffer(byteCount: count * 4)
        try context.upload([Float](repeating: 1, count: count), to: input)
        let output = try context.makeBuffer(byteCount: count * 4)
        let recorder = context.makeRecorder()
        for _ in 0..<3 {
            try recorder.dispatch(kernel, buffers: CommandRecordingTests.operands(input, input, output), pushConstants: CommandRecordingTests.push(count: count, scale: 2, offset: 0),
                                  groups: (count / 256, 1, 1))
        }
        let sequence = try recorder.finish(profiling: true)
        try sequence.run()
        let elapsed = try sequence.elapsedNanoseconds()
        let timings = try sequence.timings()
        #expect(elapsed > 0 && elapsed < 10e9)
        #expect(timings.allSatisfy { $0.nanoseconds <= elapsed })
        #expect(try context.makeRecorder().finish(profiling: true).elapsedNanoseconds() == 0)
        expectNoValidationErrors(context)
    }
}
