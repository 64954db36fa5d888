#!/usr/bin/env python3
"""Precomputes a prompt's text conditioning for a diffusers UNet, so recastd needs no text encoder.

Encodes the prompt exactly as diffusers' StableDiffusionPipeline.encode_prompt does (no clip skip): the tokenizer
pads/truncates to its model_max_length, and the text encoder's last hidden state is the conditioning. Writes
<pipeline>/unet/prompt_embedding.safetensors (or --out) holding
  encoder_hidden_states  [1, tokens, hidden]  fp32
with the prompt and the text encoder's path in its metadata.

Usage: tools/unet_prompt_embedding.py --pipeline DIR --prompt "a photo of a face" [--out FILE]
  DIR is a diffusers pipeline directory with text_encoder/, tokenizer/ and unet/ (e.g. stabilityai/sd-turbo).
Needs transformers (tools/requirements.txt).
"""
import argparse
import pathlib

import torch
from safetensors.torch import save_file
from transformers import CLIPTextModel, CLIPTokenizer


def encode_prompt(text_encoder: CLIPTextModel, tokenizer: CLIPTokenizer, prompt: str) -> torch.Tensor:
    """diffusers' StableDiffusionPipeline.encode_prompt for one prompt, without classifier-free guidance."""
    ids = tokenizer(prompt, padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                    return_tensors="pt").input_ids
    uses_mask = getattr(text_encoder.config, "use_attention_mask", False)
    mask = tokenizer(prompt, padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
                     return_tensors="pt").attention_mask if uses_mask else None
    with torch.no_grad():
        return text_encoder(ids, attention_mask=mask)[0].float()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pipeline", type=pathlib.Path, required=True)
    parser.add_argument("--prompt", required=True)
    parser.add_argument("--out", type=pathlib.Path)
    args = parser.parse_args()
    text_encoder = CLIPTextModel.from_pretrained(args.pipeline / "text_encoder", torch_dtype=torch.float32).eval()
    tokenizer = CLIPTokenizer.from_pretrained(args.pipeline / "tokenizer")
    embedding = encode_prompt(text_encoder, tokenizer, args.prompt)
    out = args.out or args.pipeline / "unet" / "prompt_embedding.safetensors"
    save_file({"encoder_hidden_states": embedding.contiguous()}, str(out),
              metadata={"prompt": args.prompt, "text_encoder": str(args.pipeline / "text_encoder")})
    print(f"{out}: {list(embedding.shape)}")


if __name__ == "__main__":
    main()
