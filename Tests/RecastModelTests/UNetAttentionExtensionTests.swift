import Foundation
import RecastGPU
import RecastNN
import Testing

/// This suite's validated context (created once, on first use): validation errors fail the tests.
private let extensionTestContext: Result<GPUContext, any Error> = Result {
    var options = GPUContextOptions()
    options.validation = .required
    options.pipelineCacheDirectory = nil
    return try GPUContext(options: options)
}

/// Identity and temporal attention on the tiny sd2_like UNet against the PyTorch implementation of
/// tools/fixtures_unet_attention.py (Tests/Fixtures/unet/attention): three frames in turn, each output compared.
@Suite("UNet identity and temporal attention vs PyTorch", .serialized)
struct UNetAttentionExtensionTests {
    static let cases = ["identity", "temporal", "identity_temporal"]
    static let directory = ModelFixtures.fixture("unet/sd2_like")

    @Test("each frame's output matches (NMSE ≤ 1e-6 fp32, ≤ 5e-4 fp16 storage); in fp32 so does the extension's effect",
          arguments: cases, [StoragePrecision.float32, .float16])
    func matchesPyTorch(name: String, precision: StoragePrecision) throws {
        let gpu = try extensionTestContext.get()
        let unet = try UNet2DConditionModel(engine: try TensorEngine(gpu: gpu, precision: precision), directory: Self.directory)
        let reference = try SafeTensorsFile(path: ModelFixtures.fixture("unet/attention/\(name).safetensors"))
        let settings = try reference.floats("settings")
        let timestep = try reference.floats("timestep")[0]
        let context = try reference.floats("encoder_hidden_states")
        let identity = settings[1] != 0
            ? try unet.captureReference(sample: reference.floats("reference"), height: 16, width: 16, timestep: timestep, encoderHiddenStates: context)
            : nil
        let window = settings[2] > 0 ? TemporalAttentionWindow(capacity: Int(settings[2])) : nil
        let extensions = AttentionExtensions(reference: identity, temporal: window, weight: settings[0])
        let frames = try reference.floats("frames"), outputs = try reference.floats("outputs")
        let size = 4 * 16 * 16
        for frame in 0..<3 {
            let sample = Array(frames[(frame * size)..<((frame + 1) * size)])
            let output = try unet.predict(
                sample: sample, height: 16, width: 16, timestep: timestep, encoderHiddenStates: context, extensions: extensions)
            let expected = Array(outputs[(frame * size)..<((frame + 1) * size)])
            let nmse = ErrorMetric.nmse(reference: expected, actual: output)
            print("attention extension \(name) frame \(frame) [\(precision)]: NMSE \(nmse)")
            #expect(nmse <= (precision == .float32 ? 1e-6 : 5e-4), "\(name) frame \(frame) [\(precision)] NMSE \(nmse)")
            // The extension moves these tiny random UNets' outputs only slightly (NMSE ~1e-6), so in fp32 its effect
            // itself is checked: the error relative to PyTorch's change from the plain output. (The temporal-only
            // case's first frame has no history yet: it is the plain pass.)
            if precision == .float32 && (identity != nil || frame > 0) {
                let plain = try unet.predict(sample: sample, height: 16, width: 16, timestep: timestep, encoderHiddenStates: context)
                let effectError = ErrorMetric.nmse(
                    reference: zip(expected, plain).map { $0 - $1 }, actual: zip(output, plain).map { $0 - $1 })
                print("  its effect: NMSE \(effectError) relative to PyTorch's change")
                #expect(effectError <= 1e-4, "\(name) frame \(frame): the extension's effect is off by NMSE \(effectError)")
            }
        }
        let errors = gpu.instance.messages.drain().filter { $0.severity == .error }
        #expect(errors.isEmpty, "validation errors: \(errors)")
    }

    @Test("with both extensions off the output equals the plain UNet's")
    func offEqualsPlain() throws {
        let unet = try UNet2DConditionModel(
            engine: try TensorEngine(gpu: try extensionTestContext.get(), precision: .float32), directory: Self.directory)
        let reference = try SafeTensorsFile(path: ModelFixtures.fixture("unet/attention/identity.safetensors"))
        let sample = Array(try reference.floats("frames").prefix(4 * 16 * 16))
        let context = try reference.floats("encoder_hidden_states")
        let plain = try unet.predict(sample: sample, height: 16, width: 16, timestep: 499, encoderHiddenStates: context)
        let off = try unet.predict(
            sample: sample, height: 16, width: 16, timestep: 499, encoderHiddenStates: context,
            extensions: AttentionExtensions(weight: 0.7))
        #expect(off == plain)
    }

    @Test("a reference captured by another UNet is refused")
    func refusesForeignReference() throws {
        let engine = try TensorEngine(gpu: try extensionTestContext.get(), precision: .float32)
        let unet = try UNet2DConditionModel(engine: engine, directory: Self.directory)
        let other = try UNet2DConditionModel(engine: engine, directory: ModelFixtures.fixture("unet/mixed"))
        let reference = try SafeTensorsFile(path: ModelFixtures.fixture("unet/mixed/reference.safetensors"))
        let captured = try other.captureReference(
            sample: reference.floats("sample"), height: 16, width: 16, timestep: 499, encoderHiddenStates: reference.floats("encoder_hidden_states"))
        #expect(throws: NNError.self) {
            try unet.predict(
                sample: [Float](repeating: 0, count: 4 * 16 * 16), height: 16, width: 16, timestep: 499,
                encoderHiddenStates: [Float](repeating: 0, count: 7 * 10), extensions: AttentionExtensions(reference: captured, weight: 1))
        }
    }
}
