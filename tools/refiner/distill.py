#!/usr/bin/env python3
"""Step 3 of the refiner recipe: distillation of the teacher's 25-step img2img into 1 and 2 steps.

The teacher refines every training composite in 25 Euler steps from strength 0.5 (the runtime's schedule,
t = 499 … 19) with a fixed noise per sample. The student starts from the teacher's weights and learns to land
on the teacher's result from the same noisy start in 1 step (t = 499) and in 2 steps (t = 499, 249), the
second step taking the student's own first step as input, as the runtime's Euler sampler chains them; a data
term (weight --data-weight) also pulls both results toward the real face's latent.
Writes .build-refiner/teacher_outputs.pt and .build-refiner/student.pt.

Usage: tools/refiner/distill.py [--steps N] [--batch N]
"""
import copy
import time

import torch
import torch.nn.functional as F

from common import WORK, Optimization, img2img_timesteps, latents, load_refiner, sample, seed_everything, training_arguments

TEACHER_STEPS = 25


def noise_for(count, shape, seed):
    return torch.randn((count, *shape), generator=torch.Generator().manual_seed(seed))


@torch.no_grad()
def teacher_outputs(teacher, composite, embedding, noise, batch=32):
    path = WORK / "teacher_outputs.pt"
    if path.exists():
        return torch.load(path, weights_only=True)
    timesteps = img2img_timesteps(TEACHER_STEPS)
    out = []
    start = time.time()
    for first in range(0, len(composite), batch):
        part = slice(first, first + batch)
        out.append(sample(teacher, composite[part], embedding[part], noise[part], timesteps))
        print(f"teacher sampled {first + len(out[-1])}/{len(composite)} ({time.time() - start:.0f} s)", flush=True)
    outputs = torch.cat(out)
    torch.save(outputs, path)
    return outputs


def main():
    parser = training_arguments(__doc__, steps=400, lr=1e-4, ema=0.99)
    parser.add_argument("--data-weight", type=float, default=0.5)
    args = parser.parse_args()
    seed_everything(2)
    data = latents("train")
    composite, embedding, real = data["composite_latent"], data["embedding"], data["target_latent"]
    noise = noise_for(len(composite), composite.shape[1:], seed=3)
    teacher = load_refiner("teacher")
    goal = teacher_outputs(teacher, composite, embedding, noise)
    model = copy.deepcopy(teacher).train()
    optimization = Optimization(model, "student", lr=args.lr, weight_decay=0.0, ema=args.ema, log_every=50)
    one, two = img2img_timesteps(1), img2img_timesteps(2)
    for step in range(args.steps):
        index = torch.randint(0, len(composite), (args.batch,))
        condition, tokens, start_noise = composite[index], embedding[index], noise[index]
        loss = 0
        for timesteps in (one, two):
            refined = sample(model, condition, tokens, start_noise, timesteps)
            loss = loss + F.mse_loss(refined, goal[index]) + args.data_weight * F.mse_loss(refined, real[index])
        optimization.step(loss, step, args.steps)
    torch.save(optimization.averaged.state_dict(), WORK / "student.pt")


if __name__ == "__main__":
    main()
