#!/usr/bin/env python3
"""Step 4 of the refiner recipe: the bundled refiner and its conformance fixture, from the distilled student
(default) or the teacher (--weights teacher; it predicts the clean latent's change from the composite's, so one
call of it is already a 1-step refiner). The student scored highest at 1 step on the validation person
(Models/refiner/README.md), so its weights are the bundled ones.

Writes, in the diffusers layout the runtime's RefinerModel reads:
  Models/refiner/unet/config.json, diffusion_pytorch_model.fp16.safetensors   the UNet (fp16)
  Models/refiner/unet/identity_projection.safetensors   weight [TOKENS·64, 256], bias (fp16): MobileFace
      embedding → cross-attention tokens
  Models/refiner/scheduler/scheduler_config.json   Euler, trailing spacing
and Tests/Fixtures/refiner/reference.safetensors, computed by this PyTorch code from the fp16 weights on the
first validation sample, with FaceRefiner's seeded noise (seed 0):
  composite [1, 256, 256, 3] (0–255, fp16), embedding [1, 256], composite_latent [1, 32, 32, 32] (NCHW),
  refined_1, refined_2 [1, 32, 32, 32] (the img2img result of 1 and 2 steps), decoded_1, decoded_2
  [1, 256, 256, 3] (0–255, fp16: TAEF2's decoding of them).

Usage: tools/refiner/export.py
"""
import argparse
import json
import shutil

import numpy as np
import torch
from safetensors.numpy import save_file

from common import (LATENT_CHANNELS, PREDICTION_TYPE, ROOT, SIDE, TAEF2, TOKENS, decoder, encoder, gaussian_noise,
                    img2img_timesteps, latents, load, load_refiner, sample)

MODEL = ROOT / "Models/refiner"
FIXTURE = ROOT / "Tests/Fixtures/refiner"
SCHEDULER = {
    "_class_name": "EulerDiscreteScheduler", "beta_end": 0.012, "beta_schedule": "scaled_linear", "beta_start": 0.00085,
    "num_train_timesteps": 1000, "prediction_type": PREDICTION_TYPE, "timestep_spacing": "trailing",
}


def export_model(refiner):
    unet_dir = MODEL / "unet"
    shutil.rmtree(unet_dir, ignore_errors=True)
    refiner.unet.half().save_pretrained(unet_dir, variant="fp16")
    refiner.unet.float()
    config = json.loads((unet_dir / "config.json").read_text())
    config.pop("_name_or_path", None)
    (unet_dir / "config.json").write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")
    save_file({
        "weight": refiner.identity.weight.detach().half().numpy(),
        "bias": refiner.identity.bias.detach().half().numpy(),
    }, unet_dir / "identity_projection.safetensors", metadata={"tokens": str(TOKENS)})
    (MODEL / "scheduler").mkdir(parents=True, exist_ok=True)
    (MODEL / "scheduler/scheduler_config.json").write_text(json.dumps(SCHEDULER, indent=2, sort_keys=True) + "\n")


@torch.no_grad()
def export_fixture(refiner):
    data = latents("validation")
    composite = data["composite"][:1].float()
    embedding = data["embedding"][:1]
    encode = load(encoder(), TAEF2 / "taef2_encoder.pth")
    decode = load(decoder(), TAEF2 / "taef2_decoder.pth")
    latent = encode(composite.permute(0, 3, 1, 2) / 255)
    noise = torch.from_numpy(gaussian_noise(0, latent.numel())).view(latent.shape)
    tensors = {
        "composite": composite.numpy(), "embedding": embedding.numpy(), "composite_latent": latent.numpy(),
    }
    for steps in (1, 2):
        refined = sample(refiner, latent, embedding, noise, img2img_timesteps(steps))
        tensors[f"refined_{steps}"] = refined.numpy()
        tensors[f"decoded_{steps}"] = (decode(refined).permute(0, 2, 3, 1) * 255).numpy()
    FIXTURE.mkdir(parents=True, exist_ok=True)
    # Pictures as fp16 (exact for the composite's bytes, ±0.06 for decoded values up to 255), latents as fp32.
    save_file({k: np.ascontiguousarray(v, dtype=np.float16 if v.shape[-1] == 3 else np.float32) for k, v in tensors.items()},
              FIXTURE / "reference.safetensors")
    assert latent.shape == (1, LATENT_CHANNELS, SIDE // 8, SIDE // 8)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--weights", choices=("teacher", "student"), default="student")
    model = load_refiner(parser.parse_args().weights, fp16=True)
    export_model(model)
    export_fixture(model)
    size = sum(p.stat().st_size for p in MODEL.rglob("*.safetensors"))
    print(f"wrote {MODEL} ({size / 1e6:.2f} MB of weights) and {FIXTURE / 'reference.safetensors'}")


if __name__ == "__main__":
    main()
