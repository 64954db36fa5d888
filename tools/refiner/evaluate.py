#!/usr/bin/env python3
"""Step 5 of the refiner recipe: PSNR and SSIM to the real face on the validation people (never trained on).

Each method's crop is made the way the live path makes it (LiveRefinement): the refined crop's change from the
composite, added under the swap's mask. Rows: the composite alone; the composite through TAEF2 and back with
no UNet (what the autoencoder alone costs); the teacher at 25 steps, and with its fp16 weights (as bundled) at
1 and 2 steps; the distilled student (fp16) at 1 and 2 steps. PSNR is over the face (mask-weighted); SSIM over the whole crop.
Writes .build-refiner/metrics.json and prints a Markdown table.

Usage: tools/refiner/evaluate.py
"""
import torch
import torch.nn.functional as F

from common import TAEF2, WORK, decoder, img2img_timesteps, latents, load, load_refiner, sample, save_json, seed_everything


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

    def live_crop(latent, batch=16):
        images = torch.cat([decode(latent[i:i + batch]) for i in range(0, len(latent), batch)])
        refined = images.permute(0, 2, 3, 1) * 255
        return (composite_pixels + mask[..., None] * (refined - composite_pixels)).round().clamp(0, 255)

    teacher, bundled, student = load_refiner("teacher"), load_refiner("teacher", fp16=True), load_refiner("student", fp16=True)
    refine = lambda model, steps: torch.cat([
        sample(model, composite[i:i + 16], embedding[i:i + 16], noise[i:i + 16], img2img_timesteps(steps))
        for i in range(0, len(composite), 16)])
    rows = {
        "composite alone": composite_pixels,
        "TAEF2 round trip, no UNet": live_crop(composite),
        "teacher, 25 steps": live_crop(refine(teacher, 25)),
        "teacher, 1 step (bundled default)": live_crop(refine(bundled, 1)),
        "teacher, 2 steps": live_crop(refine(bundled, 2)),
        "distilled, 1 step": live_crop(refine(student, 1)),
        "distilled, 2 steps": live_crop(refine(student, 2)),
    }
    metrics = {name: {"psnr_face_db": face_psnr(crop, target, mask), "ssim": ssim(crop, target)} for name, crop in rows.items()}
    metrics["samples"] = len(target)
    save_json(WORK / "metrics.json", metrics)
    print("| method | PSNR face (dB) | SSIM |\n| --- | --- | --- |")
    for name in rows:
        print(f"| {name} | {metrics[name]['psnr_face_db']:.2f} | {metrics[name]['ssim']:.4f} |")


if __name__ == "__main__":
    main()
