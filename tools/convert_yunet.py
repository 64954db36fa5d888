#!/usr/bin/env python3
"""Convert the YuNet face detector (ONNX) to safetensors with Recast's key names.

The ONNX export already has BatchNorm folded into the convolutions, so the
conversion is a renaming: the graph is walked in order and each Conv is given
the name of the module it belongs to (see Sources/RecastNN/Models/YuNet).
A PyTorch re-implementation of the network then runs on the converted weights
and is compared with onnxruntime, so a wrong mapping fails here.

Usage: convert_yunet.py [--source yunet_s_dynamic.onnx] [--out Models/yunet]
"""
import argparse
import pathlib
import shutil

import numpy as np
import onnx
import onnxruntime
import torch
import torch.nn.functional as F
from onnx import numpy_helper
from safetensors.numpy import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = pathlib.Path(__file__).resolve().parents[2] / "shared/models/yunet/yunet_s_dynamic.onnx"

# Pointwise+depthwise units per backbone stage; a 2×2 max pool follows every stage but the last.
STAGES = [("stem", 1), ("stage1", 4), ("stage2", 2), ("stage3", 2), ("stage4", 2)]
NECK = ["neck.level32", "neck.level16", "neck.level8"]
HEADS = ["cls", "obj", "bbox", "kps"]
STRIDES = [8, 16, 32]


def conv_nodes(graph):
    producers = {out: node for node in graph.node for out in node.output}
    inits = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    return producers, inits


def head_convs(graph, producers):
    """Each output (e.g. cls_8) traces back through Sigmoid/Reshape/Transpose to depthwise ← pointwise."""
    found = {}
    for output in graph.output:
        kind, stride = output.name.split("_")
        node = producers[output.name]
        while node.op_type != "Conv":
            node = producers[node.input[0]]
        depthwise = node
        pointwise = producers[depthwise.input[0]]
        assert pointwise.op_type == "Conv"
        found[f"head.{stride}.{kind}"] = (pointwise, depthwise)
    return found


def convert(source):
    graph = onnx.load(str(source)).graph
    producers, inits = conv_nodes(graph)
    consumers = {}
    for node in graph.node:
        for name in node.input:
            consumers.setdefault(name, []).append(node)
    heads = head_convs(graph, producers)
    head_nodes = {id(n) for pair in heads.values() for n in pair}
    body = [n for n in graph.node if n.op_type == "Conv" and id(n) not in head_nodes]

    names = ["backbone.stem.conv"]
    for stage, units in STAGES:
        names += [f"backbone.{stage}.unit{i}.{part}" for i in range(units) for part in ("pointwise", "depthwise")]
    names += [f"{level}.{part}" for level in NECK for part in ("pointwise", "depthwise")]
    assert len(body) == len(names), f"{len(body)} body convs, expected {len(names)}"

    tensors = {}

    def put(name, node):
        tensors[f"{name}.weight"] = inits[node.input[1]].astype(np.float32)
        tensors[f"{name}.bias"] = inits[node.input[2]].astype(np.float32)

    for name, node in zip(names, body):
        followed_by_relu = any(c.op_type == "Relu" for c in consumers.get(node.output[0], []))
        assert followed_by_relu == (name.endswith("depthwise") or name == "backbone.stem.conv"), name
        put(name, node)
    for name, (pointwise, depthwise) in heads.items():
        put(f"{name}.pointwise", pointwise)
        put(f"{name}.depthwise", depthwise)
    return tensors


class YuNetTorch:
    """The network as Sources/RecastNN/Models/YuNet runs it, for checking the converted weights."""

    def __init__(self, tensors):
        self.t = {k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items()}

    def conv(self, name, x, stride=1, groups=None):
        w = self.t[f"{name}.weight"]
        groups = w.shape[0] if groups is None else groups
        return F.conv2d(x, w, self.t[f"{name}.bias"], stride=stride, padding=w.shape[-1] // 2, groups=groups)

    def unit(self, name, x, relu=True):
        y = self.conv(f"{name}.depthwise", self.conv(f"{name}.pointwise", x, groups=1))
        return F.relu(y) if relu else y

    def __call__(self, bgr):
        x = F.relu(self.conv("backbone.stem.conv", bgr, stride=2, groups=1))
        features = []
        for stage, units in STAGES:
            if stage != "stem":
                x = F.max_pool2d(x, 2)
            for i in range(units):
                x = self.unit(f"backbone.{stage}.unit{i}", x)
            features.append(x)
        p8, p16, p32 = features[2:]
        n32 = self.unit("neck.level32", p32)
        n16 = self.unit("neck.level16", p16 + F.interpolate(n32, scale_factor=2, mode="nearest"))
        n8 = self.unit("neck.level8", p8 + F.interpolate(n16, scale_factor=2, mode="nearest"))
        outputs = {}
        for stride, level in zip(STRIDES, [n8, n16, n32]):
            for kind in HEADS:
                y = self.unit(f"head.{stride}.{kind}", level, relu=False)
                y = y.permute(0, 2, 3, 1).reshape(1, -1, y.shape[1])
                outputs[f"{kind}_{stride}"] = torch.sigmoid(y) if kind in ("cls", "obj") else y
        return {k: v.numpy() for k, v in outputs.items()}


def max_output_error(source, tensors, image):
    session = onnxruntime.InferenceSession(str(source), providers=["CPUExecutionProvider"])
    names = [o.name for o in session.get_outputs()]
    reference = dict(zip(names, session.run(None, {"input": image})))
    with torch.no_grad():
        ours = YuNetTorch(tensors)(torch.from_numpy(image))
    return max(float(np.abs(ours[k] - reference[k]).max()) for k in names)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", type=pathlib.Path, default=SOURCE)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "Models/yunet")
    args = parser.parse_args()

    tensors = convert(args.source)
    rng = np.random.default_rng(0)
    image = rng.uniform(0, 255, size=(1, 3, 256, 320)).astype(np.float32)
    fp32_error = max_output_error(args.source, tensors, image)
    # fp16 weights move raw outputs by ~1e-2, which is measurable; the fp32 file is only ~230 KB.
    fp16_error = max_output_error(args.source, {k: v.astype(np.float16).astype(np.float32) for k, v in tensors.items()}, image)
    print(f"max |output - onnxruntime|: fp32 weights {fp32_error:.2e}, fp16 weights {fp16_error:.2e}")
    assert fp32_error < 1e-3, "converted network does not reproduce onnxruntime"

    args.out.mkdir(parents=True, exist_ok=True)
    save_file(tensors, str(args.out / "yunet_s.safetensors"), metadata={"source": args.source.name})
    shutil.copy(args.source.parent / "LICENSE", args.out / "LICENSE")
    print(f"wrote {len(tensors)} tensors to {args.out}")


if __name__ == "__main__":
    main()
