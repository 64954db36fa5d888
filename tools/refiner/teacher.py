#!/usr/bin/env python3
"""Step 2 of the refiner recipe: the teacher, a conditional diffusion model trained the usual way.

x0 is the real face's TAEF2 latent; the UNet sees x_t = √ᾱ·x0 + √(1−ᾱ)·ε concatenated with the composite's
latent, and the identity tokens projected from a third frame's MobileFace embedding, and predicts x0 (see
PREDICTION_TYPE in common.py). Timesteps
are drawn from [0, 500): the runtime refines img2img from the composite at strength 0.5, so the schedule never
starts above t = 499. Weights are kept as an exponential moving average. Writes .build-refiner/teacher.pt.

Usage: tools/refiner/teacher.py [--steps N] [--batch N]
"""

import torch
import torch.nn.functional as F

from common import ALPHAS, WORK, Optimization, Refiner, latents, seed_everything, training_arguments


def main():
    args = training_arguments(__doc__, steps=1200, lr=3e-4, ema=0.998).parse_args()
    seed_everything(1)
    data = latents("train")
    target, composite, embedding = data["target_latent"], data["composite_latent"], data["embedding"]
    model = Refiner()
    optimization = Optimization(model, "teacher", lr=args.lr, weight_decay=0.01, ema=args.ema, warmup=100)
    for step in range(args.steps):
        index = torch.randint(0, len(target), (args.batch,))
        x0, condition = target[index], composite[index]
        t = torch.randint(0, 500, (args.batch,))
        noise = torch.randn_like(x0)
        alpha = ALPHAS[t].view(-1, 1, 1, 1)
        noisy = alpha.sqrt() * x0 + (1 - alpha).sqrt() * noise
        loss = F.mse_loss(model(noisy, condition, t.float(), embedding[index]), x0)
        optimization.step(loss, step, args.steps)
    torch.save(optimization.averaged.state_dict(), WORK / "teacher.pt")


if __name__ == "__main__":
    main()
