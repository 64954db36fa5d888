#!/usr/bin/env python3
"""Step 2 of the refiner recipe: the teacher, a conditional diffusion model trained the usual way.

x0 is the real face's TAEF2 latent; the UNet sees x_t = √ᾱ·x0 + √(1−ᾱ)·ε concatenated with the composite's
latent, and the identity tokens projected from a third frame's MobileFace embedding, and predicts x0 as the
composite's latent plus a correction (see PREDICTION_TYPE in common.py). Timesteps are drawn from [0, 500): the
runtime refines img2img from the composite at strength 0.5, so the schedule never starts above t = 499. Half the
pairs are mirrored. Weights are kept as an exponential moving average; the validation person's 1-step latent
MSE is printed every 200 steps. Writes .build-refiner/teacher.pt.

Usage: tools/refiner/teacher.py [--steps N] [--batch N]
"""

import torch
import torch.nn.functional as F

from common import ALPHAS, WORK, Optimization, Refiner, img2img_timesteps, latents, sample, seed_everything, training_arguments


@torch.no_grad()
def validation_error(model, data):
    """Latent MSE to the real face of the runtime's 1-step refinement, on the validation person (watched, not
    used to choose anything)."""
    composite = data["composite_latent"]
    noise = torch.randn(composite.shape, generator=torch.Generator().manual_seed(5))
    refined = torch.cat([sample(model.eval(), composite[i:i + 32], data["embedding"][i:i + 32], noise[i:i + 32], img2img_timesteps(1))
                         for i in range(0, len(composite), 32)])
    return ((refined - data["target_latent"]) ** 2).mean().item()


def main():
    args = training_arguments(__doc__, steps=1200, lr=3e-4, ema=0.998).parse_args()
    seed_everything(1)
    data, validation = latents("train"), latents("validation")
    target, composite, embedding = data["target_latent"], data["composite_latent"], data["embedding"]
    model = Refiner()
    optimization = Optimization(model, "teacher", lr=args.lr, weight_decay=0.01, ema=args.ema, warmup=100)
    for step in range(args.steps):
        index = torch.randint(0, len(target), (args.batch,))
        x0, condition = target[index], composite[index]
        # Mirrored samples (the pair flipped together): twice the faces for a model that sees only a few people.
        flip = torch.rand(args.batch) < 0.5
        x0, condition = torch.where(flip.view(-1, 1, 1, 1), x0.flip(-1), x0), torch.where(flip.view(-1, 1, 1, 1), condition.flip(-1), condition)
        t = torch.randint(0, 500, (args.batch,))
        noise = torch.randn_like(x0)
        alpha = ALPHAS[t].view(-1, 1, 1, 1)
        noisy = alpha.sqrt() * x0 + (1 - alpha).sqrt() * noise
        loss = F.mse_loss(model(noisy, condition, t.float(), embedding[index]), x0)
        optimization.step(loss, step, args.steps)
        if step % 200 == 199:
            print(f"  validation latent MSE, 1 step: {validation_error(optimization.averaged, validation):.4f} "
                  f"(the composite's: {((validation['composite_latent'] - validation['target_latent']) ** 2).mean():.4f})", flush=True)
    torch.save(optimization.averaged.state_dict(), WORK / "teacher.pt")


if __name__ == "__main__":
    main()
