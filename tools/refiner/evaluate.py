#!/usr/bin/env python3
"""Step 5 of the refiner recipe: PSNR and SSIM to the real face on the validation people (never trained on).

Each method's crop is made the way the live path makes it (LiveRefinement, FaceRefiner.change): the refined
latent's decoding less the composite latent's decoding (so TAEF2's own round-trip loss is left out), blurred
(Gaussian, σ CHANGE_BLUR px, edges clamped: the runtime's default --change-blur) and added to the composite
under the swap's mask; the rows marked "sharp" add the change unblurred. Rows: the composite alone; the teacher at 25 steps, and with its fp16
weights (as bundled) at 1 and 2 steps; the distilled student (fp16) at 1 and 2 steps. PSNR is over the face
(mask-weighted); SSIM over the whole crop.
Writes .build-refiner/metrics.json and prints a Markdown table.

Usage: tools/refiner/evaluate.py
"""
import math

import torch
import torch.nn.functional as F

from common import TAEF2, WORK, decoder, img2img_timesteps, latents, load, load_refiner, sample, save_json, seed_everything


CHANGE_BLUR = 16.0


def blur(images, sigma):
    """[N, H, W, 3] blurred as RecastSwap's GaussianBlur does: separable, taps to 3σ, edges clamped."""
    radius = math.ceil(3 * sigma)
    taps = torch.exp(-torch.arange(-radius, radius + 1, dtype=torch.float32) ** 2 / (2 * sigma * sigma))
    taps = taps / taps.sum()
    x = images.permute(0, 3, 1, 2)
    x = F.conv2d(F.pad(x, (radius, radius, 0, 0), mode="replicate"), taps.view(1, 1, 1, -1).expand(3, 1, 1, -1), groups=3)
    x = F.conv2d(F.pad(x, (0, 0, radius, radius), mode="replicate"), taps.view(1, 1, -1, 1).expand(3, 1, -1, 1), groups=3)
    return x.permute(0, 2, 3, 1)


def face_psnr(output, target, mask):
    error = ((output - target) ** 2).mean(-1)
    mse = (error * mask).sum((1, 2)) / mask.sum((1, 2))
    return (10 * torch.log10(255**2 / mse)).mean().item()


def ssim(output, target):
    """Mean SSIM (Gaussian window 11, σ 1.5, per channel) of [N, H, W, 3] images in 0–255."""
    x, y = output.permute(0, 3, 1, 2) / 255, target.permute(0, 3, 1, 2) / 255
    coords = torch.arange(11, dtype=torch.float32) - 5
    g = torch.exp(-coords**2 / (2 * 1.5**2))
    g = (g / g.sum())
    window = (g[:, None] * g[None, :]).expand(3, 1, 11, 11)
    blur = lambda z: F.conv2d(z, window, groups=3)
    mx, my = blur(x), blur(y)
    vx, vy, cxy = blur(x * x) - mx**2, blur(y * y) - my**2, blur(x * y) - mx * my
    c1, c2 = 0.01**2, 0.03**2
    value = ((2 * mx * my + c1) * (2 * cxy + c2)) / ((mx**2 + my**2 + c1) * (vx + vy + c2))
    return value.mean().item()


@torch.no_grad()
def main():
    seed_everything(4)
    data = latents("validation")
    composite_pixels, target, mask = data["composite"].float(), data["target"].float(), data["mask"].float() / 255
    composite, embedding = data["composite_latent"], data["embedding"]
    noise = torch.randn(composite.shape, generator=torch.Generator().manual_seed(5))
    decode = load(decoder(), TAEF2 / "taef2_decoder.pth")

    def decoded(latent, batch=16):
        return torch.cat([decode(latent[i:i + batch]) for i in range(0, len(latent), batch)]).permute(0, 2, 3, 1) * 255

    round_trip = decoded(composite)

    def live_crop(latent, sharp=False):
        change = decoded(latent) - round_trip
        change = change if sharp else torch.cat([blur(change[i:i + 16], CHANGE_BLUR) for i in range(0, len(change), 16)])
        return (composite_pixels + mask[..., None] * change).round().clamp(0, 255)

    teacher, bundled, student = load_refiner("teacher"), load_refiner("teacher", fp16=True), load_refiner("student", fp16=True)
    refine = lambda model, steps: torch.cat([
        sample(model, composite[i:i + 16], embedding[i:i + 16], noise[i:i + 16], img2img_timesteps(steps))
        for i in range(0, len(composite), 16)])
    latent_rows = {
        "teacher, 25 steps": refine(teacher, 25),
        "teacher, 1 step": refine(bundled, 1),
        "teacher, 2 steps": refine(bundled, 2),
        "distilled, 1 step": refine(student, 1),
        "distilled, 2 steps": refine(student, 2),
    }
    rows = {"composite alone": composite_pixels}
    rows.update({name: live_crop(latent) for name, latent in latent_rows.items()})
    rows.update({f"{name}, sharp": live_crop(latent, sharp=True) for name, latent in latent_rows.items()})
    metrics = {name: {"psnr_face_db": face_psnr(crop, target, mask), "ssim": ssim(crop, target)} for name, crop in rows.items()}
    metrics["samples"] = len(target)
    save_json(WORK / "metrics.json", metrics)
    print("| method | PSNR face (dB) | SSIM |\n| --- | --- | --- |")
    for name in rows:
        print(f"| {name} | {metrics[name]['psnr_face_db']:.2f} | {metrics[name]['ssim']:.4f} |")


if __name__ == "__main__":
    main()
