#!/usr/bin/env python3
"""Step 1 of the refiner recipe: training and validation data.

For each clip (one person each; TRAIN_CLIPS for training, VALIDATION_CLIPS kept aside), `recastd
training-pairs` makes the samples with Recast's own warp path: target = a real face crop of frame t, input =
the same person's face from frame s (colour- and light-shifted; GAPS says how far from t) warped onto frame t
and composited, identity =
MobileFace embedding of a third frame u. This step then encodes the composite and target crops with TAEF2
(the reference PyTorch network on the original weights) and writes .build-refiner/latents_{train,validation}.pt.

Usage: tools/refiner/data.py [--recastd PATH] [--per-frame N]
"""
import argparse
import subprocess

import torch
from safetensors.torch import load_file

from common import GAPS, ROOT, SHARED, TAEF2, TRAIN_CLIPS, VALIDATION_CLIPS, WORK, encoder, load, seed_everything


def pairs(clip, recastd, per_frame, gaps):
    least, greatest = gaps
    path = WORK / f"{clip}_gap{least}-{greatest or 'any'}.safetensors"
    if not path.exists():
        limit = ["--max-gap", str(greatest)] if greatest else []
        subprocess.run([recastd, "training-pairs", "--clip", str(SHARED / f"media/video/{clip}.mp4"), "--output", str(path),
                        "--per-frame", str(per_frame), "--seed", "1", "--gap", str(least)] + limit, check=True)
    return load_file(path)


@torch.no_grad()
def encode(net, pixels, batch=8):
    """[N, H, W, 3] bytes → [N, 32, H/8, W/8] latents."""
    out = []
    for start in range(0, len(pixels), batch):
        x = pixels[start:start + batch].permute(0, 3, 1, 2).float().div(255).contiguous(memory_format=torch.channels_last)
        out.append(net(x).contiguous())
    return torch.cat(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--recastd", default=str(ROOT / ".build/release/recastd"))
    parser.add_argument("--per-frame", type=int, default=2)
    args = parser.parse_args()
    seed_everything(0)
    WORK.mkdir(exist_ok=True)
    net = load(encoder(), TAEF2 / "taef2_encoder.pth").to(memory_format=torch.channels_last)
    for split, clips in (("train", TRAIN_CLIPS), ("validation", VALIDATION_CLIPS)):
        parts = [pairs(clip, args.recastd, args.per_frame, GAPS[split]) for clip in clips]
        joined = {key: torch.cat([part[key] for part in parts]) for key in parts[0]}
        data = {
            "composite_latent": encode(net, joined["composite"]),
            "target_latent": encode(net, joined["target"]),
            "embedding": joined["embedding"],
        }
        if split == "validation":
            data.update(composite=joined["composite"], target=joined["target"], mask=joined["mask"])
        torch.save(data, WORK / f"latents_{split}.pt")
        print(f"{split}: {len(data['embedding'])} samples from {', '.join(clips)}")


if __name__ == "__main__":
    main()
