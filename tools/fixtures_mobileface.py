#!/usr/bin/env python3
"""Reference embeddings of MobileFace V2 for Tests/Fixtures/mobileface, from the MXNet symbol graph.

MXNet is not installable here, so this interprets the original symbol JSON node
by node with the original .params (read by convert_mobileface.read_params),
following MXNet's operator semantics (BatchNorm in inference mode with its
default eps 1e-3 unless the node says otherwise, fix_gamma, NCHW Flatten).
It never uses Recast's converted weights.

Inputs (the convention of the original example, get_face_feature_v2_mxnet.py):
aligned 112×112 faces, BGR channel order as cv2.imread gives, values 0…255.
- faces: obama.jpg and biden.jpg (public domain), face crops resized to 112×112.
- lfw: the 100 aligned 100×100 grayscale LFW faces of media/lfw_pairs, copied to
  Tests/Fixtures/lfw_pairs, decoded by ffmpeg and upscaled (bilinear, half-pixel
  centres) to 112×112 with gray in all three channels — exactly what the Swift
  test does, so both sides see the same pixels.
Writes Tests/Fixtures/mobileface/mobileface_reference.safetensors:
  faces            [2, 112, 112, 3]  NHWC BGR 0…255
  faces_embedding  [2, 256]          fc5_bn output (not normalised)
  lfw_embedding    [100, 256]        same, in Tests/Fixtures/lfw_pairs/pairs.txt order

Usage: tools/fixtures_mobileface.py [--models DIR] [--media DIR]
"""
import argparse
import json
import pathlib
import shutil
import subprocess

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image
from safetensors.numpy import save_file

from convert_mobileface import read_params

ROOT = pathlib.Path(__file__).resolve().parent.parent
SIZE = 112
# Face boxes (left, top, right, bottom) in the original portraits: eyes at about 40% height, chin inside.
FACE_CROPS = {"obama.jpg": (255, 215, 655, 615), "biden.jpg": (270, 230, 700, 660)}


def shape_tuple(text):
    return tuple(int(v) for v in text.strip("()").split(",") if v.strip())


class SymbolInterpreter:
    """Runs an MXNet symbol graph (the ops MobileFace V2 uses) on NCHW float tensors."""

    def __init__(self, symbol_path, params):
        graph = json.loads(pathlib.Path(symbol_path).read_text())
        self.nodes = graph["nodes"]
        self.head = graph["heads"][0][0]
        self.params = {name: torch.from_numpy(value.astype(np.float32)) for name, value in params.items()}

    def __call__(self, data):
        values = {}
        for index, node in enumerate(self.nodes):
            attrs = node.get("attrs", node.get("param", {})) or {}
            inputs = [values[i[0]] for i in node["inputs"]]
            op = node["op"]
            if op == "null":
                values[index] = data if node["name"] == "data" else self.params[node["name"]]
            elif op == "_minus_scalar":
                values[index] = inputs[0] - float(attrs["scalar"])
            elif op == "_mul_scalar":
                values[index] = inputs[0] * float(attrs["scalar"])
            elif op == "_maximum_scalar":
                values[index] = torch.clamp(inputs[0], min=float(attrs["scalar"]))
            elif op == "_minimum_scalar":
                values[index] = torch.clamp(inputs[0], max=float(attrs["scalar"]))
            elif op == "elemwise_add":
                values[index] = inputs[0] + inputs[1]
            elif op == "Convolution":
                stride, pad = shape_tuple(attrs.get("stride", "(1, 1)")), shape_tuple(attrs.get("pad", "(0, 0)"))
                bias = None if attrs.get("no_bias", "False") == "True" else inputs[2]
                values[index] = F.conv2d(inputs[0], inputs[1], bias, stride, pad, groups=int(attrs.get("num_group", "1")))
            elif op == "BatchNorm":
                x, gamma, beta, mean, var = inputs
                if attrs.get("fix_gamma", "True") == "True":
                    gamma = torch.ones_like(gamma)
                eps = float(attrs.get("eps", "0.001"))
                shape = (1, -1) + (1,) * (x.dim() - 2)
                values[index] = (x - mean.view(shape)) / torch.sqrt(var.view(shape) + eps) * gamma.view(shape) + beta.view(shape)
            elif op == "Flatten":
                values[index] = inputs[0].reshape(inputs[0].shape[0], -1)
            elif op == "FullyConnected":
                bias = None if attrs.get("no_bias", "False") == "True" else inputs[2]
                values[index] = F.linear(inputs[0], inputs[1], bias)
            else:
                raise ValueError(f"unsupported op {op} ({node['name']})")
        return values[self.head]


def embed(interpreter, faces_nhwc):
    with torch.no_grad():
        return interpreter(torch.from_numpy(faces_nhwc.astype(np.float32)).permute(0, 3, 1, 2)).numpy()


def lfw_face(path):
    """A 100×100 grayscale LFW face as a 112×112 BGR float image (bilinear upscale, gray replicated)."""
    decoded = subprocess.run(
        ["ffmpeg", "-v", "error", "-i", str(path), "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True, check=True)
    gray = np.frombuffer(decoded.stdout, np.uint8).reshape(100, 100).astype(np.float32)
    resized = F.interpolate(torch.from_numpy(gray)[None, None], size=(SIZE, SIZE), mode="bilinear", align_corners=False)
    return np.repeat(resized[0, 0].numpy()[..., None], 3, axis=2)


def copy_lfw(media, destination):
    """Copies the LFW pairs and writes pairs.txt: one line per person, their two image paths."""
    destination.mkdir(parents=True, exist_ok=True)
    lines = []
    for person in sorted(p for p in (media / "lfw_pairs").iterdir() if p.is_dir()):
        images = sorted(person.glob("*.jpg"))
        assert len(images) == 2, person
        (destination / person.name).mkdir(exist_ok=True)
        for image in images:
            shutil.copyfile(image, destination / person.name / image.name)
        lines.append(" ".join(f"{person.name}/{image.name}" for image in images))
    (destination / "pairs.txt").write_text("\n".join(lines) + "\n")
    return [destination / path for line in lines for path in line.split()]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=pathlib.Path, default=ROOT.parent / "shared/models/mobileface")
    parser.add_argument("--media", type=pathlib.Path, default=ROOT.parent / "shared/media")
    args = parser.parse_args()

    params = read_params(args.models / "MobileFace_Identification_V2-0000.params")
    interpreter = SymbolInterpreter(args.models / "MobileFace_Identification_V2-symbol.json", params)

    faces = []
    for name, box in FACE_CROPS.items():
        rgb = Image.open(args.media / "images" / name).convert("RGB").crop(box).resize((SIZE, SIZE), Image.LANCZOS)
        faces.append(np.asarray(rgb, dtype=np.float32)[..., ::-1])
    faces = np.ascontiguousarray(np.stack(faces))
    lfw_paths = copy_lfw(args.media, ROOT / "Tests/Fixtures/lfw_pairs")
    lfw = np.stack([lfw_face(path) for path in lfw_paths])

    faces_embedding = embed(interpreter, faces)
    lfw_embedding = embed(interpreter, lfw)
    out = ROOT / "Tests/Fixtures/mobileface"
    out.mkdir(parents=True, exist_ok=True)
    save_file({
        "faces": faces.astype(np.uint8).astype(np.float16),
        "faces_embedding": faces_embedding.astype(np.float32),
        "lfw_embedding": lfw_embedding.astype(np.float32),
    }, out / "mobileface_reference.safetensors")

    unit = lfw_embedding / np.linalg.norm(lfw_embedding, axis=1, keepdims=True)
    scores = unit @ unit.T
    same = np.array([scores[2 * i, 2 * i + 1] for i in range(len(lfw) // 2)])
    different = np.array([scores[2 * i, 2 * j] for i in range(len(lfw) // 2) for j in range(len(lfw) // 2) if i != j])
    print(f"LFW: same-person cosine mean {same.mean():.3f}, different-person mean {different.mean():.3f}, "
          f"AUC {(same[:, None] > different[None, :]).mean():.4f}")


if __name__ == "__main__":
    main()
