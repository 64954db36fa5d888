import RecastGPU
import RecastNN

/// One validated GPU context for the face-model tests (YuNet and face mesh): device creation under the
/// validation layer is slow, and every test must see the same layer-checked device.
let faceModelsGPUContext: Result<GPUContext, any Error> = Result {
    var options = GPUContextOptions()
    options.validation = .required
    options.pipelineCacheDirectory = nil
    return try GPUContext(options: options)
}

/// An engine storing tensors in `precision`; the daemon takes fp32 on lavapipe and fp16 on GPUs, so the
/// conformance tests run both. A test fails (never skips) when the device or validation layer is missing.
func faceModelsEngine(_ precision: StoragePrecision) throws -> TensorEngine {
    try TensorEngine(gpu: faceModelsGPUContext.get(), precision: precision)
}

/// Validation errors recorded since the last call.
func faceModelsValidationErrors() throws -> [String] {
    try faceModelsGPUContext.get().instance.messages.drain().filter { $0.severity == .error }.map { "\($0)" }
}
