#!/usr/bin/env python3
"""Reference outputs of TAEF2 for Tests/Fixtures/taef2, computed by PyTorch.

Runs the PyTorch definition of the network in tools/taef2_torch.py on the
original .pth state dicts, so the reference does not depend on Recast's
converted weights or key names.

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
from PIL import Image
from safetensors.numpy import save_file

from taef2_torch import decoder, encoder, load

ROOT = pathlib.Path(__file__).resolve().parent.parent
SIZE = 96
# Face of Eileen Collins in the 512×512 portrait: left, top, right, bottom.
CROP = (160, 40, 352, 232)


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
