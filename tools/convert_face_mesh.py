#!/usr/bin/env python3
"""Convert MediaPipe's face landmark model (TFLite) to safetensors with Recast's key names.

Weights are read through the ai-edge-litert interpreter (get_tensor on the
constant tensors, which the file stores as fp16 behind DEQUANTIZE ops) and
renamed after the module they belong to (see Sources/RecastNN/Models/FaceMesh):

  stem.conv, stem.prelu                                 3×3 stride-2 convolution 3→16
  trunk.block1…14.{depthwise,pointwise,prelu}           residual blocks down to 6×6
  landmarks.block1…3, landmarks.reduce, landmarks.block4, landmarks.output (3×3 → 1404)
  presence.block1, presence.reduce, presence.block2, presence.output (3×3 → 1)

Layouts: convolution weights PyTorch [out, in/groups, kh, kw] (TFLite's
[out, kh, kw, in] and depthwise [1, kh, kw, C] transposed), biases [out],
PReLU slopes [C]. Stored as fp16, the file's own precision, so nothing is lost.
A PyTorch re-implementation then runs on the converted weights and is compared
with the TFLite interpreter, so a wrong mapping fails here.
"""
import argparse
import pathlib
import shutil

import numpy as np
import torch
import torch.nn.functional as F
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from safetensors.numpy import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = pathlib.Path(__file__).resolve().parents[2] / "shared/models/mediapipe/face_landmark.tflite"

# (our block name, TFLite depthwise index, pointwise conv2d index, PReLU index, stride)
TRUNK = [(f"trunk.block{k}", k, k + 1, k + 1, 2 if k in (3, 6, 9, 12) else 1) for k in range(1, 15)]
LANDMARKS = [("landmarks.block1", 15, 16, 16, 2), ("landmarks.block2", 16, 17, 17, 1), ("landmarks.block3", 17, 18, 18, 1)]
LANDMARKS_REDUCE = ("landmarks.reduce", 19, 19)
LANDMARKS_TAIL = ("landmarks.block4", 18, 20, 20, 1)
PRESENCE = ("presence.block1", 23, 28, 26, 2)
PRESENCE_REDUCE = ("presence.reduce", 29, 27)
PRESENCE_TAIL = ("presence.block2", 24, 30, 28, 1)


def interpreter(path):
    it = Interpreter(model_path=str(path), experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    return it


def convert(path):
    it = interpreter(path)
    by_name = {t["name"]: t["index"] for t in it.get_tensor_details()}

    def get(name):
        return it.get_tensor(by_name[name]).astype(np.float32)

    tensors = {}

    def conv(ours, tflite):
        tensors[f"{ours}.weight"] = get(f"{tflite}/Kernel").transpose(0, 3, 1, 2)
        tensors[f"{ours}.bias"] = get(f"{tflite}/Bias")

    def depthwise(ours, index):
        tensors[f"{ours}.weight"] = get(f"depthwise_conv2d_{index}/Kernel").transpose(3, 0, 1, 2)
        tensors[f"{ours}.bias"] = get(f"depthwise_conv2d_{index}/Bias")

    def prelu(ours, index):
        tensors[f"{ours}.slope"] = get(f"p_re_lu_{index}/Alpha").reshape(-1)

    def block(name, dw, pw, alpha, _stride):
        depthwise(f"{name}.depthwise", dw)
        conv(f"{name}.pointwise", f"conv2d_{pw}")
        prelu(f"{name}.prelu", alpha)

    def reduce(name, pw, alpha):
        conv(f"{name}.conv", f"conv2d_{pw}")
        prelu(f"{name}.prelu", alpha)

    conv("stem.conv", "conv2d_1")
    prelu("stem.prelu", 1)
    for spec in TRUNK + LANDMARKS + [LANDMARKS_TAIL, PRESENCE, PRESENCE_TAIL]:
        block(*spec)
    reduce(*LANDMARKS_REDUCE)
    reduce(*PRESENCE_REDUCE)
    conv("landmarks.output", "conv2d_21")
    conv("presence.output", "conv2d_31")
    return tensors


class FaceMeshTorch:
    """The network as Sources/RecastNN/Models/FaceMesh runs it, for checking the converted weights."""

    def __init__(self, tensors):
        self.t = {k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items()}

    def prelu(self, name, x):
        return F.prelu(x, self.t[f"{name}.slope"])

    def block(self, name, x, stride):
        w = self.t[f"{name}.depthwise.weight"]
        if stride == 2:
            # TFLite SAME padding with stride 2 on an even size pads only the bottom and right.
            y = F.conv2d(F.pad(x, (0, 1, 0, 1)), w, self.t[f"{name}.depthwise.bias"], stride=2, groups=w.shape[0])
            shortcut = F.max_pool2d(x, 2)
        else:
            y = F.conv2d(x, w, self.t[f"{name}.depthwise.bias"], padding=1, groups=w.shape[0])
            shortcut = x
        y = F.conv2d(y, self.t[f"{name}.pointwise.weight"], self.t[f"{name}.pointwise.bias"])
        shortcut = F.pad(shortcut, (0, 0, 0, 0, 0, y.shape[1] - shortcut.shape[1]))
        return self.prelu(f"{name}.prelu", y + shortcut)

    def reduce(self, name, x):
        return self.prelu(f"{name}.prelu", F.conv2d(x, self.t[f"{name}.conv.weight"], self.t[f"{name}.conv.bias"]))

    def __call__(self, rgb01):
        x = F.conv2d(F.pad(rgb01, (0, 1, 0, 1)), self.t["stem.conv.weight"], self.t["stem.conv.bias"], stride=2)
        x = self.prelu("stem.prelu", x)
        for name, _, _, _, stride in TRUNK:
            x = self.block(name, x, stride)
        y = x
        for name, _, _, _, stride in LANDMARKS:
            y = self.block(name, y, stride)
        y = self.block(LANDMARKS_TAIL[0], self.reduce(LANDMARKS_REDUCE[0], y), 1)
        landmarks = F.conv2d(y, self.t["landmarks.output.weight"], self.t["landmarks.output.bias"])
        z = self.block(PRESENCE[0], x, 2)
        z = self.block(PRESENCE_TAIL[0], self.reduce(PRESENCE_REDUCE[0], z), 1)
        presence = F.conv2d(z, self.t["presence.output.weight"], self.t["presence.output.bias"])
        return landmarks.reshape(-1).numpy(), presence.reshape(-1).numpy()


def tflite_outputs(path, image):
    it = interpreter(path)
    it.set_tensor(it.get_input_details()[0]["index"], image)
    it.invoke()
    outputs = {o["name"]: it.get_tensor(o["index"]).reshape(-1) for o in it.get_output_details()}
    return outputs["conv2d_21"], outputs["conv2d_31"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", type=pathlib.Path, default=SOURCE)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "Models/face_mesh")
    args = parser.parse_args()

    tensors = convert(args.source)
    image = np.random.default_rng(0).uniform(0, 1, size=(1, 192, 192, 3)).astype(np.float32)
    reference = tflite_outputs(args.source, image)
    with torch.no_grad():
        ours = FaceMeshTorch(tensors)(torch.from_numpy(image.transpose(0, 3, 1, 2).copy()))
    errors = [float(np.abs(a - b).max()) for a, b in zip(ours, reference)]
    print(f"max |output - TFLite|: landmarks {errors[0]:.2e} px, presence logit {errors[1]:.2e}")
    assert max(errors) < 1e-2, "converted network does not reproduce TFLite"

    args.out.mkdir(parents=True, exist_ok=True)
    half = {k: np.ascontiguousarray(v.astype(np.float16)) for k, v in tensors.items()}
    assert all(np.array_equal(half[k].astype(np.float32), v) for k, v in tensors.items()), "weights are not exactly fp16"
    save_file(half, str(args.out / "face_landmark.safetensors"), metadata={"source": args.source.name})
    shutil.copy(args.source.parent / "LICENSE", args.out / "LICENSE")
    shutil.copy(args.source.parent / "face_mesh_connections.json", args.out / "face_mesh_connections.json")
    print(f"wrote {len(half)} tensors to {args.out}")


if __name__ == "__main__":
    main()
