/// A few-step img2img denoising loop over a UNet, as diffusers' img2img pipelines run it from a latent:
/// noise the latent to the first timestep, then call the UNet and step the scheduler at each timestep.
public struct Img2ImgLoop: Sendable {
    public let unet: UNet2DConditionModel
    public let scheduler: any FewStepScheduler
    /// The UNet's timestep condition at every step (LCM-distilled models' guidance-scale embedding), or nil.
    public let timestepCondition: [Float]?
    /// Whether the UNet's output is its prediction's change from the image condition (the condition is added to
    /// it before the scheduler steps), as the bundled refiner is trained, rather than the prediction itself.
    public let predictsConditionResidual: Bool

    public init(
        unet: UNet2DConditionModel, scheduler: any FewStepScheduler, timestepCondition: [Float]? = nil, predictsConditionResidual: Bool = false
    ) {
        self.unet = unet
        self.scheduler = scheduler
        self.timestepCondition = timestepCondition
        self.predictsConditionResidual = predictsConditionResidual
    }

    /// Runs the loop on an NCHW latent [1, C, height, width]; noise comes from `noise(count)`, first for the
    /// img2img noise and then for each step that draws some. `extensions(step)` gives each step's identity/temporal
    /// attention (a temporal window then takes that step's keys/values), or nil for the plain UNet.
    /// - condition: NCHW channels appended to every step's UNet input (image-conditioned models, whose UNet takes
    ///   C + condition channels), or empty; with `predictsConditionResidual` it has the latent's size.
    public func run(
        latent: [Float], height: Int, width: Int, encoderHiddenStates: [Float], condition: [Float] = [],
        extensions: (_ step: Int) -> AttentionExtensions? = { _ in nil },
        noise: (_ step: Int?, _ count: Int) throws -> [Float]
    ) throws -> [Float] {
        precondition(!predictsConditionResidual || condition.count == latent.count, "a residual prediction needs the latent's own condition")
        var sample = scheduler.addNoise(to: latent, noise: try noise(nil, latent.count))
        for (index, timestep) in scheduler.timesteps.enumerated() {
            // With a batch of one, NCHW channel concatenation is array concatenation.
            let output = try unet.predict(
                sample: scheduler.modelInput(sample, step: index) + condition, height: height, width: width, timestep: timestep,
                encoderHiddenStates: encoderHiddenStates, timestepCondition: timestepCondition, extensions: extensions(index))
            let prediction = predictsConditionResidual ? zip(output, condition).map(+) : output
            let stepNoise = scheduler.drawsNoise(atStep: index) ? try noise(index, latent.count) : nil
            sample = scheduler.step(sample, prediction: prediction, step: index, noise: stepNoise)
        }
        return sample
    }

    /// Runs the loop with noise from a seeded generator: the same seed gives the same result.
    public func run(
        latent: [Float], height: Int, width: Int, encoderHiddenStates: [Float], condition: [Float] = [],
        extensions: (_ step: Int) -> AttentionExtensions? = { _ in nil }, seed: UInt64
    ) throws -> [Float] {
        var generator = GaussianNoise(seed: seed)
        return try run(
            latent: latent, height: height, width: width, encoderHiddenStates: encoderHiddenStates, condition: condition, extensions: extensions
        ) { _, count in
            generator.next(count: count)
        }
    }
}
