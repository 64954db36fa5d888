#!/usr/bin/env python3
"""Convert MobileFace V2 (MXNet .params + symbol JSON) to Models/mobileface/mobileface.safetensors.

MXNet is not installable, so read_params parses the .params NDArray list
itself, and the symbol JSON is walked to find each convolution's BatchNorm.
Every BatchNorm is folded into the convolution before it (inference mode:
w·γ/√(var+eps), β − mean·γ/√(var+eps)), so the network becomes convolutions
with bias. Recast names:
  stem                             conv1 3×3/2 (3→32) + bn1, ReLU6
  stageS.blockB.expand             1×1 (→ expansion), ReLU6
  stageS.blockB.depthwise          3×3 depthwise (stride 2 in block1), ReLU6
  stageS.blockB.project            1×1 (→ output), no activation; + input in blocks 2 and 3
  embedding                        fc5 + fc5_bn as a 4×4 convolution over the final 4×4 map
                                   ([256, 128, 4, 4]: MXNet's NCHW Flatten order)
Weights are stored fp16 unless --float32; --check measures what fp16 costs
(cosine of embeddings against the symbol-graph reference, fp32 vs fp16).

Usage: tools/convert_mobileface.py [--source DIR] [--output DIR] [--float32] [--check]
"""
import argparse
import json
import pathlib
import shutil
import struct

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parent.parent
LIST_MAGIC = 0x112
NDARRAY_V2_MAGIC = 0xF993FAC9
NDARRAY_V3_MAGIC = 0xF993FACA
# The last feature map of a 112×112 face: 128 channels at 4×4 (five stride-2 layers).
FINAL_CHANNELS, FINAL_SIDE = 128, 4
DTYPES = {0: np.float32, 1: np.float64, 2: np.float16, 3: np.uint8, 4: np.int32, 5: np.int8, 6: np.int64}


def read_params(path):
    """name → array from an MXNet NDArray-list file (the 'arg:'/'aux:' prefixes dropped)."""
    data = pathlib.Path(path).read_bytes()
    offset = 0

    def take(fmt):
        nonlocal offset
        values = struct.unpack_from("<" + fmt, data, offset)
        offset += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    magic, _reserved, count = take("QQQ")
    assert magic == LIST_MAGIC, f"not an NDArray list: magic {magic:#x}"
    arrays = []
    for _ in range(count):
        magic = take("I")
        if magic in (NDARRAY_V2_MAGIC, NDARRAY_V3_MAGIC):
            storage = take("i")
            assert storage == 0, f"only dense arrays are supported, got storage type {storage}"
            ndim = take("I")
            shape = tuple(take("q") for _ in range(ndim))
        else:  # legacy layout: the first word is ndim and dims are uint32
            ndim = magic
            shape = tuple(take("I") for _ in range(ndim))
        _device_type, _device_id, type_flag = take("iii")
        dtype = np.dtype(DTYPES[type_flag])
        size = int(np.prod(shape)) * dtype.itemsize
        arrays.append(np.frombuffer(data, dtype, int(np.prod(shape)), offset).reshape(shape).copy())
        offset += size
    name_count = take("Q")
    assert name_count == count, f"{count} arrays but {name_count} names"
    names = []
    for _ in range(name_count):
        length = take("Q")
        names.append(data[offset:offset + length].decode())
        offset += length
    assert offset == len(data), f"{len(data) - offset} trailing bytes"
    return {name.split(":", 1)[-1]: array for name, array in zip(names, arrays)}


def layers(symbol_path):
    """(convolution or fully-connected node, its BatchNorm node) pairs in graph order."""
    nodes = json.loads(pathlib.Path(symbol_path).read_text())["nodes"]
    consumers = {}
    for node in nodes:
        for source, *_ in node["inputs"]:
            consumers.setdefault(source, []).append(node)
    pairs = []
    for index, node in enumerate(nodes):
        if node["op"] in ("Convolution", "FullyConnected"):
            (norm,) = consumers[index]
            assert norm["op"] == "BatchNorm", node["name"]
            pairs.append((node, norm))
    return pairs


def recast_names(count):
    """The Recast names of the stem, 4 stages × 3 blocks × (expand, depthwise, project), and the embedding."""
    names = ["stem"]
    for stage in range(1, 5):
        for block in range(1, 4):
            names += [f"stage{stage}.block{block}.{part}" for part in ("expand", "depthwise", "project")]
    names.append("embedding")
    assert len(names) == count, f"graph has {count} layers, expected {len(names)}"
    return names


def fold(node, norm, params):
    attrs = node.get("attrs", {})
    norm_attrs = norm.get("attrs", {})
    weight = params[node["name"] + "_weight"].astype(np.float64)
    bias = np.zeros(weight.shape[0]) if attrs.get("no_bias", "False") == "True" else params[node["name"] + "_bias"]
    gamma = params[norm["name"] + "_gamma"]
    if norm_attrs.get("fix_gamma", "True") == "True":
        gamma = np.ones_like(gamma)
    eps = float(norm_attrs.get("eps", "0.001"))
    scale = gamma / np.sqrt(params[norm["name"] + "_moving_var"].astype(np.float64) + eps)
    if node["op"] == "FullyConnected":
        weight = weight.reshape(weight.shape[0], FINAL_CHANNELS, FINAL_SIDE, FINAL_SIDE)
    folded_weight = weight * scale.reshape(-1, 1, 1, 1)
    folded_bias = (bias - params[norm["name"] + "_moving_mean"]) * scale + params[norm["name"] + "_beta"]
    return folded_weight, folded_bias


def convert(source, dtype):
    params = read_params(source / "MobileFace_Identification_V2-0000.params")
    pairs = layers(source / "MobileFace_Identification_V2-symbol.json")
    tensors = {}
    for name, (node, norm) in zip(recast_names(len(pairs)), pairs):
        weight, bias = fold(node, norm, params)
        tensors[f"{name}.weight"] = np.ascontiguousarray(weight.astype(dtype))
        tensors[f"{name}.bias"] = bias.astype(dtype)
    return tensors


def folded_forward(tensors, faces_nhwc):
    """The folded network in PyTorch (NCHW), for measuring conversion loss."""
    import torch
    import torch.nn.functional as F

    t = {k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items()}
    relu6 = lambda x: torch.clamp(x, 0, 6)
    with torch.no_grad():
        x = (torch.from_numpy(faces_nhwc.astype(np.float32)).permute(0, 3, 1, 2) - 127.5) * 0.0078125
        x = relu6(F.conv2d(x, t["stem.weight"], t["stem.bias"], 2, 1))
        for stage in range(1, 5):
            for block in range(1, 4):
                p = f"stage{stage}.block{block}"
                h = relu6(F.conv2d(x, t[f"{p}.expand.weight"], t[f"{p}.expand.bias"]))
                channels = h.shape[1]
                h = relu6(F.conv2d(h, t[f"{p}.depthwise.weight"], t[f"{p}.depthwise.bias"], 2 if block == 1 else 1, 1, groups=channels))
                h = F.conv2d(h, t[f"{p}.project.weight"], t[f"{p}.project.bias"])
                x = h if block == 1 else x + h
        return F.conv2d(x, t["embedding.weight"], t["embedding.bias"]).flatten(1).numpy()


def check(source):
    from fixtures_mobileface import SymbolInterpreter, embed, lfw_face

    params = read_params(source / "MobileFace_Identification_V2-0000.params")
    interpreter = SymbolInterpreter(source / "MobileFace_Identification_V2-symbol.json", params)
    faces = np.stack([lfw_face(p) for p in sorted((ROOT.parent / "shared/media/lfw_pairs").glob("*/*.jpg"))])
    reference = embed(interpreter, faces)
    for dtype in (np.float32, np.float16):
        ours = folded_forward(convert(source, dtype), faces)
        cosine = np.sum(ours * reference, 1) / np.linalg.norm(ours, axis=1) / np.linalg.norm(reference, axis=1)
        print(f"folded {np.dtype(dtype).name}: min cosine to the symbol-graph reference {cosine.min():.7f} over {len(faces)} faces")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--source", type=pathlib.Path, default=ROOT.parent / "shared/models/mobileface")
    parser.add_argument("--output", type=pathlib.Path, default=ROOT / "Models/mobileface")
    parser.add_argument("--float32", action="store_true", help="store fp32 instead of fp16")
    parser.add_argument("--check", action="store_true", help="measure the folded fp32 and fp16 weights against the reference")
    args = parser.parse_args()
    if args.check:
        check(args.source)
        return
    from safetensors.numpy import save_file

    tensors = convert(args.source, np.float32 if args.float32 else np.float16)
    args.output.mkdir(parents=True, exist_ok=True)
    save_file(tensors, args.output / "mobileface.safetensors",
              metadata={"source": "becauseofAI/MobileFace MobileFace_Identification_V2", "license": "MIT"})
    shutil.copyfile(args.source / "LICENSE", args.output / "LICENSE")
    print(f"{len(tensors)} tensors → {args.output / 'mobileface.safetensors'}")


if __name__ == "__main__":
    main()
