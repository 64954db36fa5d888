"""What the refiner's recipe steps share: paths, the network, the noise schedule and the few-step sampler,
written to match Recast's runtime (RecastNN's EulerScheduler and Img2ImgLoop, RecastSwap's FaceRefiner)."""
import argparse
import copy
import json
import math
import os
import pathlib
import sys
import time

import numpy as np
import torch
import torch.nn as nn
from diffusers import UNet2DConditionModel

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
from taef2_torch import decoder, encoder, load  # noqa: E402

# Work files (samples, latents, checkpoints); RECAST_REFINER_WORK moves them.
WORK = pathlib.Path(os.environ.get("RECAST_REFINER_WORK", ROOT / ".build-refiner"))
SHARED = ROOT.parent / "shared"
TAEF2 = SHARED / "models/taef2"
SIDE = 256
LATENT_CHANNELS = 32
EMBEDDING = 256
TOKENS = 4
# People (clips) the model learns from, and the one kept aside for validation.
TRAIN_CLIPS = ("d3", "d18")
VALIDATION_CLIPS = ("d0",)
# Frames between the target and the frame warped onto it (least, greatest). Training pairs are near neighbours:
# the input then already carries every detail of the person's face, so the model learns the warp's artefacts,
# colour, light and seams, not how its few training people look (with pairs 8 or more frames apart it learned
# to draw them, and drew them back over the swapped identity). Validation pairs stay far apart, as a swap is.
GAPS = {"train": (1, 4), "validation": (8, None)}
# The runtime's default refinement: img2img from the composite at strength 0.5 (FaceRefiner).
STRENGTH = 0.5
# The UNet predicts the clean latent's change from the composite's latent (prediction_type "condition_residual",
# Recast's own: x̂₀ = composite latent + UNet output). Starting from a zero output layer the model is the composite
# itself and training only has to learn the correction; predicting x̂₀ outright, the narrow top level had to carry
# the composite through and fell 9 dB below it (ε prediction: 5 dB below).
PREDICTION_TYPE = "condition_residual"

UNET_CONFIG = dict(
    sample_size=SIDE // 8, in_channels=2 * LATENT_CHANNELS, out_channels=LATENT_CHANNELS, layers_per_block=1,
    block_out_channels=(32, 64, 128), norm_num_groups=16, cross_attention_dim=64,
    down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
    up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
    attention_head_dim=4,
)


def seed_everything(seed):
    torch.manual_seed(seed)
    np.random.seed(seed)


class Refiner(nn.Module):
    """The UNet (noisy latent and the composite's latent concatenated: 64 channels in, the clean latent's change
    from the composite's out) and the identity
    projection (MobileFace embedding → TOKENS cross-attention tokens)."""

    def __init__(self):
        super().__init__()
        self.unet = UNet2DConditionModel(**UNET_CONFIG)
        nn.init.zeros_(self.unet.conv_out.weight)
        nn.init.zeros_(self.unet.conv_out.bias)
        self.identity = nn.Linear(EMBEDDING, TOKENS * UNET_CONFIG["cross_attention_dim"])

    def tokens(self, embedding):
        return self.identity(embedding).view(embedding.shape[0], TOKENS, -1)

    def forward(self, model_input, composite, timestep, embedding):
        """The clean latent: the composite's plus the UNet's correction."""
        return composite + self.unet(torch.cat([model_input, composite], 1), timestep, self.tokens(embedding)).sample


def training_arguments(doc, steps, lr, ema):
    """The command line of a training step (teacher, distillation): its own defaults for the
    `Optimization` settings, and a batch of 16."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=steps)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--lr", type=float, default=lr)
    parser.add_argument("--ema", type=float, default=ema)
    return parser


class Optimization:
    """AdamW with gradient clipping (norm 1), a linear learning-rate warm-up over `warmup` steps, and an
    exponential moving average of the weights (`averaged`, what is saved) whose decay warms up as
    (1 + step)/(10 + step) until `ema`, so the starting weights fade out; prints a running loss."""

    def __init__(self, model, name, lr, weight_decay, ema, warmup=0, log_every=100):
        self.model, self.name, self.ema, self.log_every = model, name, ema, log_every
        self.averaged = copy.deepcopy(model).requires_grad_(False)
        self.optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
        self.schedule = torch.optim.lr_scheduler.LambdaLR(self.optimizer, lambda step: min(1, (step + 1) / warmup) if warmup else 1)
        self.running = None
        self.start = time.time()

    def step(self, loss, step, steps):
        self.optimizer.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(self.model.parameters(), 1.0)
        self.optimizer.step()
        self.schedule.step()
        decay = min(self.ema, (1 + step) / (10 + step))
        with torch.no_grad():
            for averaged, current in zip(self.averaged.parameters(), self.model.parameters()):
                averaged.lerp_(current, 1 - decay)
        self.running = loss.item() if self.running is None else 0.98 * self.running + 0.02 * loss.item()
        if step % self.log_every == 0 or step == steps - 1:
            print(f"{self.name} step {step}: loss {self.running:.4f} ({time.time() - self.start:.0f} s)", flush=True)


def load_refiner(name, fp16=False):
    """A trained Refiner from WORK/NAME.pt, in eval mode; `fp16` rounds its weights to fp16 as they are bundled."""
    state = torch.load(WORK / f"{name}.pt", weights_only=True)
    model = Refiner().eval()
    model.load_state_dict({key: value.half().float() for key, value in state.items()} if fp16 else state)
    return model


def alphas_cumulative(train_timesteps=1000, beta_start=0.00085, beta_end=0.012):
    """diffusers' "scaled_linear" schedule, in float32 as diffusers (and RecastNN's NoiseSchedule) compute it."""
    betas = torch.linspace(beta_start**0.5, beta_end**0.5, train_timesteps, dtype=torch.float32) ** 2
    return torch.cumprod(1.0 - betas, dim=0)


ALPHAS = alphas_cumulative()
SIGMAS = ((1 - ALPHAS) / ALPHAS).sqrt()


def img2img_timesteps(steps, strength=STRENGTH):
    """FaceRefiner's schedule: `steps` calls over the fraction `strength` of a trailing Euler schedule."""
    length = max(steps, math.ceil(steps / strength))
    spacing = 1000 / length
    full = [int(np.round(1000 - i * spacing)) - 1 for i in range(length)]
    return full[length - steps:]


def sample(model, composite, embedding, noise, timesteps):
    """Euler (trailing, clean-latent prediction) img2img from the composite's latent, as RecastNN's Img2ImgLoop
    runs it: each step moves x along (x − x̂₀)/σ to the next σ."""
    sigmas = [float(SIGMAS[t]) for t in timesteps] + [0.0]
    x = composite + noise * sigmas[0]
    for index, t in enumerate(timesteps):
        sigma, following = sigmas[index], sigmas[index + 1]
        clean = model(x / math.sqrt(sigma * sigma + 1), composite, torch.full((x.shape[0],), float(t)), embedding)
        x = x + (x - clean) / sigma * (following - sigma)
    return x


def gaussian_noise(seed, count):
    """RecastNN's GaussianNoise: SplitMix64 through Box–Muller, so the runtime's seeded noise is reproduced."""
    mask = (1 << 64) - 1
    state = seed
    values = []

    def uniform():
        nonlocal state
        state = (state + 0x9E3779B97F4A7C15) & mask
        z = state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & mask
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & mask
        z ^= z >> 31
        return ((z >> 11) + 1) / float(1 << 53)

    while len(values) < count:
        radius = math.sqrt(-2 * math.log(uniform()))
        angle = 2 * math.pi * uniform()
        values.append(radius * math.cos(angle))
        if len(values) < count:
            values.append(radius * math.sin(angle))
    return np.array(values, dtype=np.float32)


def latents(split):
    return torch.load(WORK / f"latents_{split}.pt", weights_only=True)


def save_json(path, value):
    path.write_text(json.dumps(value, indent=2, sort_keys=True) + "\n")
