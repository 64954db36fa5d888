import Foundation
import RecastGPU
import RecastNN
import Testing

@Suite("Kernels, barriers, replay, timestamps, pipeline cache", .serialized)
struct CommandRecordingTests {
    /// elementwise.comp specialized to `x * scale + offset` (op 2), so specialization constants are exercised.
    static func scaleKernel(_ context: GPUContext) throws -> ComputeKernel {
        try context.kernel(
            key: "test.scale", spirv: try ShaderLibrary.spirv("elementwise", precision: .float32),
            bindings: [.read, .read, .write, .texels, .texels, .writeTexels], pushConstantBytes: 20, specialization: [0: 2])
    }

    /// The scale kernel's bindings: its operands as storage buffers, then again as texels (unused on its path).
    static func operands(_ a: GPUBuffer, _ b: GPUBuffer, _ output: GPUBuffer) -> [GPUBuffer] {
        [a, b, output, a, b, output]
    }

    static func push(count: Int, scale: Float, offset: Float) -> [UInt32] {
        [UInt32(count), 1, UInt32((count + 255) / 256), scale.bitPattern, offset.bitPattern]
    }

    func makeBuffer(_ context: GPUContext, _ values: [Float]) throws -> GPUBuffer {
        let buffer = try context.makeBuffer(byteCount: values.count * 4)
        try context.upload(values, to: buffer)
        return buffer
    }

    @Test func specializationConstantSelectsTheOperation() throws {
        let context = try testContext()
        let kernel = try Self.scaleKernel(context)
        let input = try makeBuffer(context, (0..<300).map(Float.init))
        let output = try context.makeBuffer(byteCount: 300 * 4)
        let recorder = context.makeRecorder()
        try recorder.dispatch(kernel, buffers: Self.operands(input, input, output), pushConstants: Self.push(count: 300, scale: 2, offset: 1), groups: (2, 1, 1))
        try recorder.finish().run()
        #expect(try context.download(output, count: 300, as: Float.self) == (0..<300).map { Float($0) * 2 + 1 })
        expectNoValidationErrors(context)
    }

    @Test func barriersOnlyWhereADependencyNeedsThem() throws {
        let context = try testContext()
        let kernel = try Self.scaleKernel(context)
        let a = try makeBuffer(context, [1, 2, 3])
        let b = try context.makeBuffer(byteCount: 12)
        let c = try context.makeBuffer(byteCount: 12)
        let d = try context.makeBuffer(byteCount: 12)
        let push = Self.push(count: 3, scale: 10, offset: 0)

        let independent = context.makeRecorder()
        try independent.dispatch(kernel, buffers: Self.operands(a, a, b), pushConstants: push, groups: (1, 1, 1))
        try independent.dispatch(kernel, buffers: Self.operands(a, a, c), pushConstants: push, groups: (1, 1, 1))
        #expect(try independent.finish().barrierCount == 0)

        // a → b, b → c (read after write), a → d (independent of c), then overwrite b (write after read).
        let chain = context.makeRecorder()
        try chain.dispatch(kernel, buffers: Self.operands(a, a, b), pushConstants: push, groups: (1, 1, 1))
        try chain.dispatch(kernel, buffers: Self.operands(b, b, c), pushConstants: push, groups: (1, 1, 1))
        try chain.dispatch(kernel, buffers: Self.operands(a, a, d), pushConstants: push, groups: (1, 1, 1))
        try chain.dispatch(kernel, buffers: Self.operands(c, c, b), pushConstants: push, groups: (1, 1, 1))
        let sequence = try chain.finish()
        #expect(sequence.barrierCount == 2)
        try sequence.run()
        #expect(try context.download(c, count: 3, as: Float.self) == [100, 200, 300])
        #expect(try context.download(d, count: 3, as: Float.self) == [10, 20, 30])
        #expect(try context.download(b, count: 3, as: Float.self) == [1000, 2000, 3000])
        expectNoValidationErrors(context)
    }

    @Test func recordedOnceReplayedWithNewInputs() throws {
        let context = try testContext()
        let kernel = try Self.scaleKernel(context)
        let input = try makeBuffer(context, [1, 2, 3, 4])
        let output = try context.makeBuffer(byteCount: 16)
        let recorder = context.makeRecorder()
        try recorder.dispatch(kernel, buffers: Self.operands(input, input, output), pushConstants: Self.push(count: 4, scale: 3, offset: 0), groups: (1, 1, 1))
        let sequence = try recorder.finish()
        try sequence.run()
        #expect(try context.download(output, count: 4, as: Float.self) == [3, 6, 9, 12])
        try context.upload([Float](arrayLiteral: -1, 0, 5, 7), to: input)
        try sequence.run()
        #expect(try context.download(output, count: 4, as: Float.self) == [-3, 0, 15, 21])
        expectNoValidationErrors(context)
    }

    @Test func timestampsPerDispatch() throws {
        let context = try testContext()
        let kernel = try Self.scaleKernel(context)
        let count = 1 << 16
        let input = try makeBuffer(context, [Float](repeating: 1, count: count))
        let output = try context.makeBuffer(byteCount: count * 4)
        let recorder = context.makeRecorder()
        for label in ["first", "second"] {
            try recorder.dispatch(kernel, buffers: Self.operands(input, input, output), pushConstants: Self.push(count: count, scale: 2, offset: 0),
                                  groups: (count / 256, 1, 1), label: label)
        }
        let sequence = try recorder.finish(profiling: true)
        try sequence.run()
        let timings = try sequence.timings()
        #expect(timings.map(\.label) == ["first", "second"])
        #expect(timings.allSatisfy { $0.nanoseconds > 0 && $0.nanoseconds < 10e9 })
        expectNoValidationErrors(context)
    }

    /// A context that profiles dispatches times every sequence recorded without a profiling choice of its own, and
    /// hands each run's times over once.
    @Test func contextProfilesEverySequenceItRuns() throws {
        var options = GPUContextOptions()
        options.validation = .required
        options.pipelineCacheDirectory = nil
        options.profilesDispatches = true
        let context = try GPUContext(options: options)
        let kernel = try Self.scaleKernel(context)
        let count = 1 << 12
        let input = try makeBuffer(context, [Float](repeating: 1, count: count))
        let output = try context.makeBuffer(byteCount: count * 4)
        func sequence(_ label: String, profiling: Bool? = nil) throws -> CommandSequence {
            let recorder = context.makeRecorder()
            try recorder.dispatch(kernel, buffers: Self.operands(input, input, output), pushConstants: Self.push(count: count, scale: 2, offset: 0),
                                  groups: (count / 256, 1, 1), label: label)
            return try recorder.finish(profiling: profiling)
        }
        let (first, second, untimed) = (try sequence("first"), try sequence("second"), try sequence("untimed", profiling: false))
        try first.run()
        try untimed.run()
        try second.run()
        try first.run()
        #expect(context.takeDispatchTimings().map(\.label) == ["first", "second", "first"])
        #expect(context.takeDispatchTimings().isEmpty)
        expectNoValidationErrors(context)
    }

    @Test func pipelineCachePersistsUnderTheCacheDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "recast-pipeline-cache-\(getpid())")
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect(PipelineCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x/cache", "HOME": "/home/u"])?.path == "/x/cache/recast/pipelines")
        #expect(PipelineCache.defaultDirectory(environment: ["HOME": "/home/u"])?.path == "/home/u/.cache/recast/pipelines")

        var options = GPUContextOptions()
        options.validation = .required
        options.pipelineCacheDirectory = directory
        do {
            let context = try GPUContext(options: options)
            #expect(context.pipelineCache.loadedBytes == 0)
            _ = try Self.scaleKernel(context)
            try context.pipelineCache.save()
            expectNoValidationErrors(context)
        }
        let file = try #require(try FileManager.default.contentsOfDirectory(atPath: directory.path).first)
        #expect(file.hasSuffix(".bin"))
        let reopened = try GPUContext(options: options)
        #expect(reopened.pipelineCache.loadedBytes > 0)
        expectNoValidationErrors(reopened)
    }
}
