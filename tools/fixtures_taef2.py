#!/usr/bin/env python3
"""Reference outputs of TAEF2 for Tests/Fixtures/taef2, computed by PyTorch.

Carries its own PyTorch definition of the network (the taesd architecture that
DESIGN.md describes) and loads the original .pth state dicts into it, so the
reference does not depend on Recast's converted weights or key names.

Input: the face of images/astronaut.png (public domain), cropped and resized to
96×96 and stored as fp16 (the reference is computed from those fp16 values).
Writes Tests/Fixtures/taef2/taef2_reference.safetensors:
  image    [1, 96, 96, 3]  NHWC in [0, 1]
  latent   [1, 12, 12, 32] encoder(image), NHWC
  decoded  [1, 96, 96, 3]  decoder(latent), NHWC
  round_trip_psnr [1]      PSNR (dB, peak 1) of decoded vs image

Usage: tools/fixtures_taef2.py [--models DIR] [--media DIR]
"""
import argparse
import math
import pathlib

import numpy as np
import torch
import torch.nn as nn
from PIL import Image
from safetensors.numpy import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
SIZE = 96
# Face of Eileen Collins in the 512×512 portrait: left, top, right, bottom.
CROP = (160, 40, 352, 232)


def conv(n_in, n_out, **kwargs):
    return nn.Conv2d(n_in, n_out, 3, padding=1, **kwargs)


class Clamp(nn.Module):
    def forward(self, x):
        return torch.tanh(x / 3) * 3


class Block(nn.Module):
    def __init__(self, n, use_midblock_gn=False):
        super().__init__()
        self.conv = nn.Sequential(conv(n, n), nn.ReLU(), conv(n, n), nn.ReLU(), conv(n, n))
        self.fuse = nn.ReLU()
        self.pool = None
        if use_midblock_gn:
            wide = n * 4
            self.pool = nn.Sequential(
                nn.Conv2d(n, wide, 1, bias=False), nn.GroupNorm(4, wide), nn.ReLU(), nn.Conv2d(wide, n, 1, bias=False))

    def forward(self, x):
        if self.pool is not None:
            x = x + self.pool(x)
        return self.fuse(self.conv(x) + x)


def encoder(latent_channels=32):
    return nn.Sequential(
        conv(3, 64), Block(64),
        conv(64, 64, stride=2, bias=False), Block(64), Block(64), Block(64),
        conv(64, 64, stride=2, bias=False), Block(64), Block(64), Block(64),
        conv(64, 64, stride=2, bias=False), Block(64, True), Block(64, True), Block(64, True),
        conv(64, latent_channels))


def decoder(latent_channels=32):
    return nn.Sequential(
        Clamp(), conv(latent_channels, 64), nn.ReLU(),
        Block(64, True), Block(64, True), Block(64, True), nn.Upsample(scale_factor=2), conv(64, 64, bias=False),
        Block(64), Block(64), Block(64), nn.Upsample(scale_factor=2), conv(64, 64, bias=False),
        Block(64), Block(64), Block(64), nn.Upsample(scale_factor=2), conv(64, 64, bias=False),
        Block(64), conv(64, 3))


def load(module, path):
    state = torch.load(path, map_location="cpu", weights_only=True)
    module.load_state_dict({k: v.float() for k, v in state.items()})
    return module.eval()


def psnr(a, b):
    return 10 * math.log10(1 / float(np.mean((a - b) ** 2)))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=pathlib.Path, default=ROOT.parent / "shared/models/taef2")
    parser.add_argument("--media", type=pathlib.Path, default=ROOT.parent / "shared/media")
    args = parser.parse_args()

    photo = Image.open(args.media / "images/astronaut.png").convert("RGB").crop(CROP).resize((SIZE, SIZE), Image.LANCZOS)
    image = (np.asarray(photo, dtype=np.float32) / 255).astype(np.float16)[None]
    encode = load(encoder(), args.models / "taef2_encoder.pth")
    decode = load(decoder(), args.models / "taef2_decoder.pth")
    with torch.no_grad():
        x = torch.from_numpy(image.astype(np.float32)).permute(0, 3, 1, 2)
        latent = encode(x)
        decoded = decode(latent)
    nhwc = lambda t: np.ascontiguousarray(t.permute(0, 2, 3, 1).numpy())
    decoded_nhwc = nhwc(decoded)
    round_trip = psnr(decoded_nhwc, image.astype(np.float32))
    out = ROOT / "Tests/Fixtures/taef2"
    out.mkdir(parents=True, exist_ok=True)
    save_file({
        "image": image,
        "latent": nhwc(latent),
        "decoded": decoded_nhwc.astype(np.float16),
        "round_trip_psnr": np.array([round_trip], dtype=np.float32),
    }, out / "taef2_reference.safetensors")
    print(f"latent range [{latent.min():.3f}, {latent.max():.3f}], round-trip PSNR {round_trip:.2f} dB")


if __name__ == "__main__":
    main()
