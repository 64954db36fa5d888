#!/usr/bin/env python3
"""Few-step img2img loops with diffusers' schedulers on the tiny sd2_like UNet, for Tests/Fixtures/unet/loops.

Runs the loops exactly as diffusers' img2img pipelines do, from a latent (no autoencoder, no text encoder):
  euler_*  EulerDiscreteScheduler with SD-Turbo's scheduler config (scaled_linear betas, "trailing" spacing);
           StableDiffusionImg2ImgPipeline's get_timesteps(steps, strength), add_noise at the first timestep,
           scale_model_input, step.
  euler_ancestral_*  the same with EulerAncestralDiscreteScheduler, with the noise each step draws recorded.
  lcm_*    LCMScheduler with LCM-Dreamshaper's config (original_inference_steps 50, timestep_scaling 10);
           LatentConsistencyModelImg2ImgPipeline's set_timesteps(steps, strength=strength), add_noise, step,
           with the noise each non-final step draws recorded.
Each <case>.safetensors holds: latent [1, 4, 16, 16] (the input), encoder_hidden_states [1, 7, 10], noise
(the img2img noise), step_noise [steps, 1, 4, 16, 16] (zeros where a step draws none), timesteps [steps],
steps_and_strength [2] (num_inference_steps, strength), output (the final latent). All NCHW.

Usage: tools/fixtures_scheduler_unet.py   (after tools/fixtures_unet.py)
"""
import pathlib

import torch
from diffusers import EulerAncestralDiscreteScheduler, EulerDiscreteScheduler, LCMScheduler, UNet2DConditionModel
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests/Fixtures/unet"
BETAS = dict(num_train_timesteps=1000, beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear")
CASES = {
    "euler_1step": ("euler", 2, 0.5),
    "euler_4step": ("euler", 4, 1.0),
    "lcm_1step": ("lcm", 1, 0.5),
    "lcm_4step": ("lcm", 4, 0.8),
    "euler_ancestral_2step": ("euler_ancestral", 4, 0.5),
    "euler_ancestral_4step": ("euler_ancestral", 4, 1.0),
}


def run_case(unet, kind, steps, strength, seed):
    generator = torch.Generator().manual_seed(seed)
    latent = torch.randn(1, 4, 16, 16, generator=generator)
    context = torch.randn(1, 7, unet.config.cross_attention_dim, generator=generator)
    noise = torch.randn(1, 4, 16, 16, generator=generator)
    if kind.startswith("euler"):
        scheduler_class = EulerAncestralDiscreteScheduler if kind == "euler_ancestral" else EulerDiscreteScheduler
        scheduler = scheduler_class(**BETAS, prediction_type="epsilon", timestep_spacing="trailing")
        scheduler.set_timesteps(steps)
        init_timestep = min(int(steps * strength), steps)
        t_start = max(steps - init_timestep, 0)
        timesteps = scheduler.timesteps[t_start * scheduler.order:]
        scheduler.set_begin_index(t_start * scheduler.order)
    else:
        scheduler = LCMScheduler(**BETAS, prediction_type="epsilon", original_inference_steps=50, timestep_scaling=10.0,
                                 set_alpha_to_one=True)
        scheduler.set_timesteps(steps, strength=strength)
        timesteps = scheduler.timesteps
    x = scheduler.add_noise(latent, noise, timesteps[:1])
    step_generator = torch.Generator().manual_seed(seed + 1)
    step_noise = []
    for t in timesteps:
        model_input = scheduler.scale_model_input(x, t)
        eps = unet(model_input, t, encoder_hidden_states=context).sample
        # The noise the step draws from this generator (LCM, Euler ancestral), drawn again from a copy of its state.
        step_noise.append(torch.randn(x.shape, generator=torch.Generator().set_state(step_generator.get_state())))
        x = scheduler.step(eps, t, x, generator=step_generator).prev_sample
    if kind == "euler":
        step_noise = [torch.zeros_like(n) for n in step_noise]
    elif kind == "lcm":
        step_noise[-1] = torch.zeros_like(step_noise[-1])
    return {
        "latent": latent, "encoder_hidden_states": context, "noise": noise, "step_noise": torch.stack(step_noise),
        "timesteps": timesteps.float(), "steps_and_strength": torch.tensor([float(steps), strength]), "output": x,
    }


def main():
    torch.set_grad_enabled(False)
    unet = UNet2DConditionModel.from_pretrained(FIXTURES / "sd2_like").eval()
    out = FIXTURES / "loops"
    out.mkdir(parents=True, exist_ok=True)
    for index, (name, (kind, steps, strength)) in enumerate(CASES.items()):
        tensors = run_case(unet, kind, steps, strength, seed=200 + index)
        save_file({k: v.contiguous() for k, v in tensors.items()}, str(out / f"{name}.safetensors"))
        print(f"{name}: timesteps {tensors['timesteps'].tolist()}, output std {tensors['output'].std():.3f}")


if __name__ == "__main__":
    main()
