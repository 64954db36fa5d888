import Foundation
import RecastGPU
import RecastNN
import Testing

/// This suite's validated context (created once, on first use): validation errors fail the tests.
private let schedulerTestContext: Result<GPUContext, any Error> = Result {
    var options = GPUContextOptions()
    options.validation = .required
    options.pipelineCacheDirectory = nil
    return try GPUContext(options: options)
}

/// Whole img2img loops (SD-Turbo's Euler, Euler ancestral, LCM; 1 to 4 steps) on the tiny sd2_like UNet against diffusers'
/// schedulers, with diffusers' noise (Tests/Fixtures/unet/loops, made by tools/fixtures_scheduler_unet.py).
@Suite("Few-step img2img loops vs diffusers", .serialized)
struct SchedulerTests {
    static let cases = ["euler_1step", "euler_4step", "euler_ancestral_2step", "euler_ancestral_4step", "lcm_1step", "lcm_4step"]

    func scheduler(_ name: String, steps: Int, strength: Float) -> any FewStepScheduler {
        name.hasPrefix("euler")
            ? EulerScheduler(steps: steps, strength: strength, ancestral: name.hasPrefix("euler_ancestral"))
            : LCMScheduler(steps: steps, strength: strength)
    }

    @Test("the loop matches diffusers (NMSE ≤ 1e-6 fp32, ≤ 5e-4 fp16 storage)",
          arguments: cases, [StoragePrecision.float32, .float16])
    func loopMatchesDiffusers(name: String, precision: StoragePrecision) throws {
        let gpu = try schedulerTestContext.get()
        let engine = try TensorEngine(gpu: gpu, precision: precision)
        let unet = try UNet2DConditionModel(engine: engine, directory: ModelFixtures.fixture("unet/sd2_like"))
        let reference = try SafeTensorsFile(path: ModelFixtures.fixture("unet/loops/\(name).safetensors"))
        let settings = try reference.floats("steps_and_strength")
        let scheduler = scheduler(name, steps: Int(settings[0]), strength: settings[1])
        #expect(scheduler.timesteps == (try reference.floats("timesteps")))
        let latent = try reference.floats("latent")
        let stepNoise = try reference.floats("step_noise")
        let start = Date()
        let output = try Img2ImgLoop(unet: unet, scheduler: scheduler).run(
            latent: latent, height: 16, width: 16, encoderHiddenStates: try reference.floats("encoder_hidden_states")
        ) { step, count in
            guard let step else { return try reference.floats("noise") }
            return Array(stepNoise[(step * count)..<((step + 1) * count)])
        }
        let milliseconds = Date().timeIntervalSince(start) * 1000
        let nmse = ErrorMetric.nmse(reference: try reference.floats("output"), actual: output)
        print("img2img \(name) [\(precision)] timesteps \(scheduler.timesteps): NMSE \(nmse), \(Int(milliseconds)) ms")
        #expect(nmse <= (precision == .float32 ? 1e-6 : 5e-4), "\(name) [\(precision)] NMSE \(nmse)")
        let errors = gpu.instance.messages.drain().filter { $0.severity == .error }
        #expect(errors.isEmpty, "validation errors: \(errors)")
    }

    @Test("a seed reproduces the loop; another seed changes it")
    func seededLoopIsReproducible() throws {
        let engine = try TensorEngine(gpu: try schedulerTestContext.get(), precision: .float32)
        let unet = try UNet2DConditionModel(engine: engine, directory: ModelFixtures.fixture("unet/sd2_like"))
        let reference = try SafeTensorsFile(path: ModelFixtures.fixture("unet/loops/lcm_4step.safetensors"))
        let loop = Img2ImgLoop(unet: unet, scheduler: LCMScheduler(steps: 2, strength: 0.5))
        let latent = try reference.floats("latent"), context = try reference.floats("encoder_hidden_states")
        let first = try loop.run(latent: latent, height: 16, width: 16, encoderHiddenStates: context, seed: 7)
        let again = try loop.run(latent: latent, height: 16, width: 16, encoderHiddenStates: context, seed: 7)
        let other = try loop.run(latent: latent, height: 16, width: 16, encoderHiddenStates: context, seed: 8)
        #expect(first == again)
        #expect(ErrorMetric.nmse(reference: first, actual: other) > 1e-3)
    }
}

@Suite("Scheduler schedules")
struct ScheduleTests {
    @Test("SD-Turbo's Euler: trailing timesteps, img2img strength keeps the tail")
    func eulerTimesteps() {
        #expect(EulerScheduler(steps: 1).timesteps == [999])
        #expect(EulerScheduler(steps: 4).timesteps == [999, 749, 499, 249])
        #expect(EulerScheduler(steps: 4, strength: 0.5).timesteps == [499, 249])
        #expect(EulerScheduler(steps: 4, strength: 0.5).sigmas.last == 0)
    }

    @Test("LCM: evenly chosen from the 50-step distillation schedule, limited by strength")
    func lcmTimesteps() {
        #expect(LCMScheduler(steps: 4).timesteps == [999, 759, 499, 259])
        #expect(LCMScheduler(steps: 2, strength: 0.5).timesteps == [499, 259])
    }

    @Test("Euler with clean-sample prediction steps as with the noise that sample implies", arguments: [false, true])
    func samplePrediction(ancestral: Bool) {
        let epsilon = EulerScheduler(steps: 4, strength: 0.5, ancestral: ancestral)
        let clean = EulerScheduler(steps: 4, strength: 0.5, ancestral: ancestral, prediction: .sample)
        let x: [Float] = [0.3, -1.2, 2.5, 0.01, -0.7]
        let x0: [Float] = [0.1, -0.4, 1.1, 0.0, 0.2]
        let noise: [Float] = [0.5, -0.5, 1, -1, 0.25]
        for step in clean.timesteps.indices {
            let sigma = clean.sigmas[step]
            let implied = zip(x, x0).map { ($0 - $1) / sigma }
            let expected = epsilon.step(x, prediction: implied, step: step, noise: noise)
            let actual = clean.step(x, prediction: x0, step: step, noise: noise)
            #expect(zip(expected, actual).allSatisfy { abs($0 - $1) <= 1e-5 }, "step \(step): \(actual) vs \(expected)")
        }
        // The last step lands on the predicted clean sample.
        let last = clean.step(x, prediction: x0, step: clean.timesteps.count - 1, noise: noise)
        #expect(zip(last, x0).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(last)")
    }

    @Test("seeded Gaussian noise: reproducible, zero mean, unit variance")
    func gaussianNoise() {
        var a = GaussianNoise(seed: 42), b = GaussianNoise(seed: 42), c = GaussianNoise(seed: 43)
        let values = a.next(count: 20001)
        #expect(values == b.next(count: 20001))
        #expect(values != c.next(count: 20001))
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)
        #expect(abs(mean) < 0.03 && abs(variance - 1) < 0.05, "mean \(mean), variance \(variance)")
    }
}
