/// A few-step sampler as diffusers' img2img pipelines drive it: noise the input latent to the first timestep,
/// then per timestep scale the UNet's input and step with its noise prediction. Latents are flat arrays.
public protocol FewStepScheduler: Sendable {
    /// The timesteps the UNet is called at, in order.
    var timesteps: [Float] { get }
    /// Whether step `index` draws fresh noise (its `step` then takes `noise`).
    func drawsNoise(atStep index: Int) -> Bool
    /// The input latent noised to the first timestep.
    func addNoise(to latent: [Float], noise: [Float]) -> [Float]
    /// The UNet's input at step `index`.
    func modelInput(_ sample: [Float], step index: Int) -> [Float]
    /// The sample after step `index`, from the UNet's noise prediction (ε).
    func step(_ sample: [Float], prediction: [Float], step index: Int, noise: [Float]?) -> [Float]
}
