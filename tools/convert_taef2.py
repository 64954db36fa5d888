#!/usr/bin/env python3
"""Convert the TAEF2 PyTorch state dicts to Models/taef2/taef2.safetensors.

The originals are nn.Sequential state dicts keyed by layer index; this renames
them to the structure Recast's Swift model uses (encoder.stage1.block2.conv3,
decoder.stage1.block1.mlp.expand, ...). Values are kept bit-exact in fp16 (the
originals are fp16), so the conversion loses nothing.

Usage: tools/convert_taef2.py [--source DIR] [--output DIR]
"""
import argparse
import pathlib
import shutil

import torch
from safetensors.torch import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent

# nn.Sequential index → Recast name, in the order DESIGN.md gives.
ENCODER_LAYERS = {
    0: "encoder.stem",
    1: "encoder.stem_block",
    2: "encoder.stage1.downsample", 3: "encoder.stage1.block1", 4: "encoder.stage1.block2", 5: "encoder.stage1.block3",
    6: "encoder.stage2.downsample", 7: "encoder.stage2.block1", 8: "encoder.stage2.block2", 9: "encoder.stage2.block3",
    10: "encoder.stage3.downsample", 11: "encoder.stage3.block1", 12: "encoder.stage3.block2", 13: "encoder.stage3.block3",
    14: "encoder.output",
}
DECODER_LAYERS = {
    1: "decoder.input",
    3: "decoder.stage1.block1", 4: "decoder.stage1.block2", 5: "decoder.stage1.block3", 7: "decoder.stage1.upsample_conv",
    8: "decoder.stage2.block1", 9: "decoder.stage2.block2", 10: "decoder.stage2.block3", 12: "decoder.stage2.upsample_conv",
    13: "decoder.stage3.block1", 14: "decoder.stage3.block2", 15: "decoder.stage3.block3", 17: "decoder.stage3.upsample_conv",
    18: "decoder.final_block",
    19: "decoder.output",
}
# Inside a Block: conv.0/2/4 are its three 3×3 convolutions; pool.0/1/3 the 1×1-GroupNorm-1×1 pre-step.
BLOCK_PARTS = {
    "conv.0": "conv1", "conv.2": "conv2", "conv.4": "conv3",
    "pool.0": "mlp.expand", "pool.1": "mlp.norm", "pool.3": "mlp.project",
}


def rename(key: str, layers: dict) -> str:
    index, rest = key.split(".", 1)
    prefix = layers[int(index)]
    if rest in ("weight", "bias"):
        return f"{prefix}.{rest}"
    part, field = rest.rsplit(".", 1)
    return f"{prefix}.{BLOCK_PARTS[part]}.{field}"


def convert(source: pathlib.Path) -> dict:
    tensors = {}
    for file, layers in (("taef2_encoder.pth", ENCODER_LAYERS), ("taef2_decoder.pth", DECODER_LAYERS)):
        state = torch.load(source / file, map_location="cpu", weights_only=True)
        for key, value in state.items():
            name = rename(key, layers)
            assert name not in tensors, name
            tensors[name] = value.contiguous()
    return tensors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=pathlib.Path, default=ROOT.parent / "shared/models/taef2")
    parser.add_argument("--output", type=pathlib.Path, default=ROOT / "Models/taef2")
    args = parser.parse_args()
    tensors = convert(args.source)
    args.output.mkdir(parents=True, exist_ok=True)
    save_file(tensors, args.output / "taef2.safetensors", metadata={"source": "madebyollin/taesd taef2_*.pth", "license": "MIT"})
    shutil.copyfile(args.source / "LICENSE", args.output / "LICENSE")
    print(f"{len(tensors)} tensors → {args.output / 'taef2.safetensors'}")


if __name__ == "__main__":
    main()
