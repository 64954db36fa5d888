#!/usr/bin/env python3
"""Tiny random diffusers UNets and an AutoencoderTiny, with diffusers' own outputs, for Tests/Fixtures/unet.

Each model is built by diffusers from a small config with a fixed seed, its weights redrawn from a
normal distribution (diffusers zero-initializes some output layers, which would hide mistakes), and
saved in the diffusers layout (config.json + diffusion_pytorch_model.safetensors, fp32). The configs
cover what Recast must read the way diffusers does:
  sd1_like   conv proj_in/proj_out, cross-attention, `attention_head_dim` read as the head count
  sd2_like   use_linear_projection, a head count per block (so head sizes differ), upcast_attention
  lcm_like   sd1_like with LCM's guidance-scale embedding (time_cond_proj_dim), as LCM-distilled UNets have
  mixed      three levels, DownBlock2D first and CrossAttn blocks below, no mid block,
             2 transformer layers in some blocks, a layer count per block
  taesd      AutoencoderTiny (TAESD layout) with narrow channels
  sd1_like_fp16  sd1_like saved as diffusers' fp16 variant only (diffusion_pytorch_model.fp16.safetensors); its
             reference is computed in fp32 from the fp16-rounded weights

Each model directory also holds reference.safetensors:
  UNets:    sample [1, 4, 16, 16] (NCHW), timestep [1], encoder_hidden_states [1, 7, D], output [1, 4, 16, 16];
            conv_linear_flops [1] (PyTorch's FLOP count of the convolutions and linear layers);
            lcm_like also guidance_scale [1] and timestep_cond [1, 8] (the LCM img2img pipeline's embedding of it)
  taesd:    image [1, 3, 32, 32] in [0, 1], latent = encode(image) [1, 4, 4, 4], decoded = decode(latent)

Usage: tools/fixtures_unet.py [--out DIR]   (default Tests/Fixtures/unet)
"""
import argparse
import json
import pathlib

import torch
from diffusers import AutoencoderTiny, UNet2DConditionModel
from safetensors.torch import save_file
from torch.utils.flop_counter import FlopCounterMode

ROOT = pathlib.Path(__file__).resolve().parent.parent
LATENT_SIZE = 16
TOKENS = 7

UNET_CONFIGS = {
    "sd1_like": dict(
        sample_size=LATENT_SIZE, in_channels=4, out_channels=4, layers_per_block=1,
        block_out_channels=(8, 16), norm_num_groups=4, cross_attention_dim=12,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        attention_head_dim=2,
    ),
    "sd2_like": dict(
        sample_size=LATENT_SIZE, in_channels=4, out_channels=4, layers_per_block=1,
        block_out_channels=(8, 16), norm_num_groups=4, cross_attention_dim=10,
        down_block_types=("CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D"),
        attention_head_dim=(1, 4), use_linear_projection=True, upcast_attention=True,
        flip_sin_to_cos=True, freq_shift=0,
    ),
    "mixed": dict(
        sample_size=LATENT_SIZE, in_channels=4, out_channels=4, layers_per_block=(1, 1, 2),
        block_out_channels=(8, 12, 16), norm_num_groups=4, cross_attention_dim=8,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "CrossAttnUpBlock2D", "UpBlock2D"),
        mid_block_type=None, transformer_layers_per_block=(1, 2, 1), attention_head_dim=(2, 2, 4),
        use_linear_projection=True, flip_sin_to_cos=False, freq_shift=1,
    ),
    "lcm_like": dict(
        sample_size=LATENT_SIZE, in_channels=4, out_channels=4, layers_per_block=1,
        block_out_channels=(8, 16), norm_num_groups=4, cross_attention_dim=12,
        down_block_types=("CrossAttnDownBlock2D", "DownBlock2D"),
        up_block_types=("UpBlock2D", "CrossAttnUpBlock2D"),
        attention_head_dim=2, time_cond_proj_dim=8,
    ),
}

TAESD_CONFIG = dict(
    encoder_block_out_channels=(8, 8, 8, 8), decoder_block_out_channels=(8, 8, 8, 8),
    num_encoder_blocks=(1, 2, 2, 2), num_decoder_blocks=(2, 2, 2, 1), latent_channels=4,
)


def guidance_scale_embedding(w: torch.Tensor, embedding_dim: int) -> torch.Tensor:
    """diffusers' LatentConsistencyModel(Img2Img)Pipeline.get_guidance_scale_embedding, copied because importing
    the pipeline needs transformers."""
    w = w * 1000.0
    half_dim = embedding_dim // 2
    emb = torch.log(torch.tensor(10000.0)) / (half_dim - 1)
    emb = torch.exp(torch.arange(half_dim, dtype=torch.float32) * -emb)
    emb = w.to(torch.float32)[:, None] * emb[None, :]
    emb = torch.cat([torch.sin(emb), torch.cos(emb)], dim=1)
    if embedding_dim % 2 == 1:
        emb = torch.nn.functional.pad(emb, (0, 1))
    return emb


def randomize(model: torch.nn.Module, seed: int) -> None:
    """Redraws every parameter: norms' scales around 1, everything else around 0."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, parameter in sorted(model.named_parameters()):
            noise = torch.randn(parameter.shape, generator=generator)
            is_norm_scale = "norm" in name and name.endswith("weight")
            fan_in = parameter[0].numel() if parameter.dim() > 1 else 1
            parameter.copy_(1 + 0.1 * noise if is_norm_scale else noise / fan_in ** 0.5)


def save_model(model, directory: pathlib.Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory, safe_serialization=True)
    save_model_config(directory)


def save_model_config(directory: pathlib.Path) -> None:
    # diffusers writes its runtime version and path; keep the committed config stable.
    config_path = directory / "config.json"
    config = json.loads(config_path.read_text())
    config.pop("_name_or_path", None)
    config_path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def make_unet(name: str, config: dict, seed: int, out: pathlib.Path, fp16_variant: bool = False) -> None:
    torch.manual_seed(seed)
    model = UNet2DConditionModel(**config).eval()
    randomize(model, seed)
    save_model(model, out / name)
    write_reference(model, out / name, seed)
    if fp16_variant:
        directory = out / f"{name}_fp16"
        directory.mkdir(parents=True, exist_ok=True)
        model.half().save_pretrained(directory, safe_serialization=True, variant="fp16")
        save_model_config(directory)
        write_reference(model.float(), directory, seed)


def write_reference(model, directory: pathlib.Path, seed: int) -> None:
    generator = torch.Generator().manual_seed(seed + 1000)
    sample = torch.randn(1, 4, LATENT_SIZE, LATENT_SIZE, generator=generator)
    context = torch.randn(1, TOKENS, model.config.cross_attention_dim, generator=generator)
    timestep = torch.tensor([643.0])
    extra = {}
    if model.config.time_cond_proj_dim:
        guidance_scale = torch.tensor([8.5])
        # LCM's w is guidance_scale - 1.
        extra["timestep_cond"] = guidance_scale_embedding(guidance_scale - 1, model.config.time_cond_proj_dim)
        extra["guidance_scale"] = guidance_scale
    # PyTorch's count covers convolutions and linear layers (2 per multiply-add); not the CPU attention kernel.
    with torch.no_grad(), FlopCounterMode(display=False) as flops:
        output = model(sample, timestep, encoder_hidden_states=context, timestep_cond=extra.get("timestep_cond")).sample
    save_file(
        {"sample": sample.contiguous(), "timestep": timestep, "encoder_hidden_states": context.contiguous(),
         "output": output.contiguous(), "conv_linear_flops": torch.tensor([float(flops.get_total_flops())]), **extra},
        str(directory / "reference.safetensors"))
    print(f"{directory.name}: {sum(p.numel() for p in model.parameters())} parameters, output std {output.std():.3f}")


def make_taesd(out: pathlib.Path, seed: int) -> None:
    torch.manual_seed(seed)
    model = AutoencoderTiny(**TAESD_CONFIG).eval()
    randomize(model, seed)
    directory = out / "taesd"
    save_model(model, directory)
    generator = torch.Generator().manual_seed(seed + 1000)
    image = torch.rand(1, 3, 32, 32, generator=generator)
    with torch.no_grad():
        latent = model.encode(image).latents
        decoded = model.decode(latent).sample
    save_file({"image": image, "latent": latent.contiguous(), "decoded": decoded.contiguous()},
              str(directory / "reference.safetensors"))
    print(f"taesd: {sum(p.numel() for p in model.parameters())} parameters, latent std {latent.std():.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "Tests/Fixtures/unet")
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    for index, (name, config) in enumerate(UNET_CONFIGS.items()):
        make_unet(name, config, seed=index + 1, out=args.out, fp16_variant=name == "sd1_like")
    make_taesd(args.out, seed=100)


if __name__ == "__main__":
    main()
