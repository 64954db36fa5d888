#!/usr/bin/env python3
"""Identity and temporal attention on the tiny sd2_like UNet, in PyTorch, for Tests/Fixtures/unet/attention.

The extension as Recast defines it: every self-attention layer (attn1 of each transformer block) attends, besides
its own tokens, to extra keys/values appended after them, and its output (before to_out) is
    (1 - w) * attention(q, k, v) + w * attention(q, [k; extra_k], [v; extra_v]).
The extras of a layer are, in this order: the reference face's keys/values at that layer (identity attention:
computed once by a plain pass over the reference latent), then those of the last K frames at that layer
(temporal attention: a sliding window, oldest first, filled after each frame's pass). Implemented as a diffusers
attention processor on diffusers' own UNet.

Writes Tests/Fixtures/unet/attention/<case>.safetensors with: reference [1, 4, 16, 16], frames [F, 1, 4, 16, 16],
timestep [1], encoder_hidden_states [1, 7, 10], settings [3] (weight, use_reference, window), outputs
[F, 1, 4, 16, 16] (the UNet output for each frame in turn).

Usage: tools/fixtures_unet_attention.py   (after tools/fixtures_unet.py)
"""
import pathlib

import torch
import torch.nn.functional as F
from diffusers import UNet2DConditionModel
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests/Fixtures/unet"
FRAMES = 3
CASES = {
    # weight, use the reference, temporal window (frames; 0 = off)
    "identity": (0.7, True, 0),
    "temporal": (0.5, False, 2),
    "identity_temporal": (0.8, True, 2),
}


class ExtensionState:
    def __init__(self):
        self.weight = 0.0
        self.extras = None  # per layer: list of (k, v) appended after the layer's own tokens
        self.captured = []  # this pass's (k, v) per layer, in the order the layers run


class ExtendedSelfAttention:
    def __init__(self, state):
        self.state = state

    def heads(self, attn, x):
        return x.view(x.shape[0], -1, attn.heads, x.shape[-1] // attn.heads).transpose(1, 2)

    def __call__(self, attn, hidden_states, encoder_hidden_states=None, attention_mask=None, temb=None, **kwargs):
        assert encoder_hidden_states is None, "only self-attention layers take this processor"
        q, k, v = attn.to_q(hidden_states), attn.to_k(hidden_states), attn.to_v(hidden_states)
        layer = len(self.state.captured)
        self.state.captured.append((k, v))
        out = F.scaled_dot_product_attention(self.heads(attn, q), self.heads(attn, k), self.heads(attn, v))
        extras = self.state.extras[layer] if self.state.extras else []
        if extras:
            ek = torch.cat([k] + [e[0] for e in extras], dim=1)
            ev = torch.cat([v] + [e[1] for e in extras], dim=1)
            extended = F.scaled_dot_product_attention(self.heads(attn, q), self.heads(attn, ek), self.heads(attn, ev))
            out = (1 - self.state.weight) * out + self.state.weight * extended
        out = out.transpose(1, 2).reshape(hidden_states.shape)
        return attn.to_out[0](out)


def run_case(unet, state, weight, use_reference, window, seed):
    generator = torch.Generator().manual_seed(seed)
    reference = torch.randn(1, 4, 16, 16, generator=generator)
    frames = torch.randn(FRAMES, 1, 4, 16, 16, generator=generator)
    context = torch.randn(1, 7, unet.config.cross_attention_dim, generator=generator)
    timestep = torch.tensor([499.0])

    def forward(sample, extras):
        state.captured, state.extras, state.weight = [], extras, weight
        output = unet(sample, timestep, encoder_hidden_states=context).sample
        return output, state.captured

    reference_kv = forward(reference, None)[1] if use_reference else None
    history = []
    outputs = []
    for frame in frames:
        layers = len(reference_kv) if reference_kv else (len(history[0]) if history else 0)
        extras = [([reference_kv[i]] if reference_kv else []) + [past[i] for past in history] for i in range(layers)]
        output, captured = forward(frame, extras or None)
        outputs.append(output)
        if window:
            history = (history + [captured])[-window:]
    return {
        "reference": reference, "frames": frames, "timestep": timestep, "encoder_hidden_states": context,
        "settings": torch.tensor([weight, float(use_reference), float(window)]), "outputs": torch.stack(outputs),
    }


def main():
    torch.set_grad_enabled(False)
    unet = UNet2DConditionModel.from_pretrained(FIXTURES / "sd2_like").eval()
    state = ExtensionState()
    unet.set_attn_processor({
        name: ExtendedSelfAttention(state) if name.endswith("attn1.processor") else processor
        for name, processor in unet.attn_processors.items()
    })
    out = FIXTURES / "attention"
    out.mkdir(parents=True, exist_ok=True)
    for index, (name, (weight, use_reference, window)) in enumerate(CASES.items()):
        tensors = run_case(unet, state, weight, use_reference, window, seed=300 + index)
        save_file({k: v.contiguous() for k, v in tensors.items()}, str(out / f"{name}.safetensors"))
        print(f"{name}: outputs std {tensors['outputs'].std():.3f}")


if __name__ == "__main__":
    main()
