import RecastGPU
import Testing

/// One validated context per test process: instance and device creation is slow under the
/// validation layer, and every test must see the same layer-checked device.
let sharedGPUContext: Result<GPUContext, any Error> = Result {
    var options = GPUContextOptions()
    options.validation = .required
    options.pipelineCacheDirectory = nil
    return try GPUContext(options: options)
}

/// The shared context; a test fails (never skips) when the device or validation layer is missing.
func testContext() throws -> GPUContext {
    try sharedGPUContext.get()
}

/// Fails the current test on any validation error recorded since the last call.
func expectNoValidationErrors(_ context: GPUContext, sourceLocation: SourceLocation = #_sourceLocation) {
    let errors = context.instance.messages.drain().filter { $0.severity == .error }
    #expect(errors.isEmpty, "validation errors: \(errors)", sourceLocation: sourceLocation)
}
