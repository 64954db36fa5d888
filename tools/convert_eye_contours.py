#!/usr/bin/env python3
"""Convert the eye-contour part of MediaPipe's attention face mesh to safetensors with Recast's key names.

face_landmark_with_attention.tflite runs a face mesh and, on crops of its early
feature map around each eye and the lips, small networks that place those
contours more closely. Recast keeps its face mesh (face_landmark.tflite) and
takes from this file only what the eyes need (see Sources/RecastNN/Models/FaceMesh):

  stem.conv, stem.prelu, trunk.block1…3      the attention network's trunk down to its 48×48×32 feature map
  rightEye.block1…11, rightEye.reduce,       the head for the eye on the picture's left (MediaPipe's "left_eye",
  rightEye.block12, rightEye.output          corners 33 and 133): a 16×16 crop of that map → 71 × (x, y)
  leftEye.…                                  the same for the other eye (MediaPipe's "right_eye", 362 and 263)

The crops are MediaPipe custom ops (Landmarks2TransformMatrix, TransformTensorBilinear,
TransformLandmarks) that no stock TFLite runtime has; their settings (each eye's 71 mesh
points, the two that level it, the crop's scale and size, the feature map's and the
output's scale) are read from the file and stored in the metadata.

Checks, against the TFLite interpreter where it can run: the trunk and each head are cut
out of the file as models of their own (builtin ops only) and compared with a PyTorch
re-implementation on the converted weights. The crop geometry follows MediaPipe's op
definitions; on a real face (tools/fixtures_face_mesh.py's Obama crop) the eye contours
must fall within 2 px of the face mesh's own eye points, so a wrong mapping fails here.
"""
import argparse
import json
import pathlib

import flatbuffers
import numpy as np
import torch
import torch.nn.functional as F
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter, OpResolverType
from flatbuffers import flexbuffers
from safetensors.numpy import save_file

ROOT = pathlib.Path(__file__).resolve().parent.parent
SOURCE = pathlib.Path(__file__).resolve().parents[2] / "shared/models/mediapipe/face_landmark_with_attention.tflite"
BUILTIN = {code: name for name, code in schema.BuiltinOperator.__dict__.items() if not name.startswith("_")}
DTYPES = {schema.TensorType.FLOAT32: np.float32, schema.TensorType.FLOAT16: np.float16, schema.TensorType.INT32: np.int32}
TRUNK_OUTPUT = "p_re_lu_3"
# Recast's eye name → MediaPipe's head output and its crop of the trunk's features. MediaPipe names the eyes by the
# side of the picture they are on.
EYES = {"rightEye": ("conv_left_eye", "transform_tensor_bilinear_v2_1"), "leftEye": ("conv_right_eye", "transform_tensor_bilinear_v2_2")}


class Graph:
    """The TFLite file as an editable object tree, with the lookups the conversion needs."""

    def __init__(self, path):
        self.model = schema.ModelT.InitFromObj(schema.Model.GetRootAsModel(path.read_bytes(), 0))
        self.graph = self.model.subgraphs[0]
        self.codes = [
            c.customCode.decode() if c.customCode else BUILTIN[max(c.builtinCode, c.deprecatedBuiltinCode)]
            for c in self.model.operatorCodes
        ]
        self.producer = {out: k for k, op in enumerate(self.graph.operators) for out in op.outputs}
        self.index = {t.name.decode(): i for i, t in enumerate(self.graph.tensors)}

    def kind(self, k):
        return self.codes[self.graph.operators[k].opcodeIndex]

    def constant(self, tensor):
        """A constant's values as fp32 (the file stores them as fp16 behind DEQUANTIZE ops)."""
        k = self.producer.get(tensor)
        if k is not None and self.kind(k) == "DEQUANTIZE":
            tensor = self.graph.operators[k].inputs[0]
        t = self.graph.tensors[tensor]
        data = np.asarray(self.model.buffers[t.buffer].data, dtype=np.uint8).tobytes()
        return np.frombuffer(data, dtype=DTYPES[t.type]).reshape(t.shape).astype(np.float32)

    def ancestors(self, name, stop=()):
        """Indices of the ops `name` is computed by, in file order; none behind the tensors named in `stop`."""
        stops = {self.index[n] for n in stop}
        seen, pending = set(), [self.index[name]]
        while pending:
            tensor = pending.pop()
            k = self.producer.get(tensor)
            if tensor in stops or k is None or k in seen:
                continue
            seen.add(k)
            pending.extend(i for i in self.graph.operators[k].inputs if i >= 0)
        return sorted(seen)

    def op(self, tensor):
        return self.graph.operators[self.producer[tensor]]

    def consumer(self, tensor, kind):
        return next(op for k, op in enumerate(self.graph.operators) if self.kind(k) == kind and tensor in op.inputs)

    def custom_options(self, op):
        return flexbuffers.Loads(bytes(np.asarray(op.customOptions, dtype=np.uint8)))

    def crop_settings(self, crop, output):
        """The custom ops' settings around one head: the crop matrix made from the scaled mesh
        (Landmarks2TransformMatrix on MUL(mesh, scale)), and the matrix that places the head's points
        (TransformLandmarks on MUL(crop matrix, scales))."""
        matrix_op = self.op(self.op(self.index[crop]).inputs[1])
        options = self.custom_options(matrix_op)
        mesh_scale = self.constant(self.op(matrix_op.inputs[0]).inputs[1]).reshape(-1)
        points = self.consumer(self.consumer(self.index[output], "RESHAPE").outputs[0], "TransformLandmarks")
        output_scale = self.constant(self.op(points.inputs[1]).inputs[1]).reshape(4, 4)
        assert options["target_rotation_radians"] == 0 and mesh_scale.size == 1
        return {
            "points": [int(i) for i in options["subset_idxs"]],
            "levelledBy": [int(options["left_rotation_idx"]), int(options["right_rotation_idx"])],
            "cropScale": [float(options["scale_x"]), float(options["scale_y"])],
            "cropSize": [int(options["output_width"]), int(options["output_height"])],
            "featureScale": float(mesh_scale[0]),
            "outputScale": output_scale.tolist(),
        }

    def cut(self, inputs, outputs):
        """A model of its own: the ops from `inputs` to `outputs` (tensor names), for the stock interpreter."""
        ops = sorted({k for o in outputs for k in self.ancestors(o, stop=inputs)})
        assert all(self.kind(k) in BUILTIN.values() for k in ops), "the cut holds a custom op"
        graph = self.graph
        saved = (graph.operators, graph.inputs, graph.outputs)
        graph.operators = [graph.operators[k] for k in ops]
        graph.inputs = [self.index[n] for n in inputs]
        graph.outputs = [self.index[n] for n in outputs]
        builder = flatbuffers.Builder(1 << 20)
        builder.Finish(self.model.Pack(builder), file_identifier=b"TFL3")
        graph.operators, graph.inputs, graph.outputs = saved
        interpreter = Interpreter(
            model_content=bytes(builder.Output()), experimental_op_resolver_type=OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
        interpreter.allocate_tensors()
        return interpreter


def layers(graph, ops, prefix, tensors):
    """Names the convolutions and PReLUs of a chain of BlazeFace blocks (`<prefix>.blockN`), a 1×1 reduction with
    its PReLU (`<prefix>.reduce`) and a last convolution (`<prefix>.output`); returns each block's stride."""
    strides, block, pending = [], None, None

    def conv(name, k, depthwise=False):
        op = graph.graph.operators[k]
        options = op.builtinOptions
        assert options.fusedActivationFunction == schema.ActivationFunctionType.NONE
        weight = graph.constant(op.inputs[1])
        tensors[f"{name}.weight"] = weight.transpose(3, 0, 1, 2) if depthwise else weight.transpose(0, 3, 1, 2)
        tensors[f"{name}.bias"] = graph.constant(op.inputs[2])
        return options

    def prelu(name, k):
        tensors[f"{name}.slope"] = graph.constant(graph.graph.operators[k].inputs[1]).reshape(-1)

    for k in ops:
        kind = graph.kind(k)
        if kind == "DEPTHWISE_CONV_2D":
            block = f"{prefix}.block{len(strides) + 1}"
            options = conv(f"{block}.depthwise", k, depthwise=True)
            assert options.padding == schema.Padding.SAME and options.strideH == options.strideW
            strides.append(options.strideH)
        elif kind == "CONV_2D" and block is not None:
            assert conv(f"{block}.pointwise", k).strideH == 1
        elif kind == "CONV_2D":
            pending = k
        elif kind == "PRELU" and block is not None:
            prelu(f"{block}.prelu", k)
            block = None
        elif kind == "PRELU":
            stem = prefix == "trunk" and not strides
            name = "stem" if stem else f"{prefix}.reduce"
            options = conv(f"{name}.conv", pending)
            # As EyeContourNetwork builds them: a 3×3 stride-2 stem padded SAME, a 1×1 reduction.
            assert (options.strideH, options.padding) == ((2, schema.Padding.SAME) if stem else (1, schema.Padding.VALID))
            prelu(f"{name}.prelu", k)
            pending = None
        else:
            assert kind in ("ADD", "MAX_POOL_2D", "PAD", "DEQUANTIZE"), kind
    if pending is not None:
        assert conv(f"{prefix}.output", pending).padding == schema.Padding.VALID
    return strides


def convert(path):
    graph = Graph(path)
    tensors = {}
    trunk_strides = layers(graph, graph.ancestors(TRUNK_OUTPUT), "trunk", tensors)
    heads = {}
    for eye, (output, crop) in EYES.items():
        strides = layers(graph, graph.ancestors(output, stop=[crop]), eye, tensors)
        heads[eye] = {"strides": strides, **graph.crop_settings(crop, output)}
    return graph, tensors, trunk_strides, heads


class EyeContoursTorch:
    """The network as Sources/RecastNN/Models/FaceMesh runs it, for checking the converted weights."""

    def __init__(self, tensors, trunk_strides, heads):
        self.t = {k: torch.from_numpy(v.astype(np.float32)) for k, v in tensors.items()}
        self.trunk_strides, self.heads = trunk_strides, heads

    def prelu(self, name, x):
        return F.prelu(x, self.t[f"{name}.slope"])

    def block(self, name, x, stride):
        w = self.t[f"{name}.depthwise.weight"]
        # TFLite SAME padding: centred at stride 1, bottom and right only at stride 2 (the sizes are even).
        pad = (1, 1, 1, 1) if stride == 1 else (0, 1, 0, 1)
        y = F.conv2d(F.pad(x, pad), w, self.t[f"{name}.depthwise.bias"], stride=stride, groups=w.shape[0])
        shortcut = x if stride == 1 else F.max_pool2d(x, 2)
        y = F.conv2d(y, self.t[f"{name}.pointwise.weight"], self.t[f"{name}.pointwise.bias"])
        shortcut = F.pad(shortcut, (0, 0, 0, 0, 0, y.shape[1] - shortcut.shape[1]))
        return self.prelu(f"{name}.prelu", y + shortcut)

    def trunk(self, rgb01):
        x = F.conv2d(F.pad(rgb01, (0, 1, 0, 1)), self.t["stem.conv.weight"], self.t["stem.conv.bias"], stride=2)
        x = self.prelu("stem.prelu", x)
        for index, stride in enumerate(self.trunk_strides):
            x = self.block(f"trunk.block{index + 1}", x, stride)
        return x

    def head(self, eye, crop):
        x = crop
        strides = self.heads[eye]["strides"]
        for index, stride in enumerate(strides[:-1]):
            x = self.block(f"{eye}.block{index + 1}", x, stride)
        x = self.prelu(f"{eye}.reduce.prelu", F.conv2d(x, self.t[f"{eye}.reduce.conv.weight"], self.t[f"{eye}.reduce.conv.bias"]))
        x = self.block(f"{eye}.block{len(strides)}", x, strides[-1])
        return F.conv2d(x, self.t[f"{eye}.output.weight"], self.t[f"{eye}.output.bias"]).reshape(-1)

    def crop_matrix(self, eye, mesh):
        """Landmarks2TransformMatrix (v2): crop pixel (x, y, 0, 1) → feature-map point, as a 4×4 matrix."""
        head = self.heads[eye]
        points = mesh[:, :2] * head["featureScale"]
        a, b = points[head["levelledBy"][0]], points[head["levelledBy"][1]]
        rotation = -np.arctan2(b[1] - a[1], b[0] - a[0])
        levelled = np.array([[np.cos(rotation), -np.sin(rotation)], [np.sin(rotation), np.cos(rotation)]])
        subset = points[head["points"]] @ levelled.T
        low, high = subset.min(0), subset.max(0)
        centre = levelled.T @ ((low + high) / 2)
        width, height = head["cropSize"]
        linear = levelled.T @ np.diag([head["cropScale"][0] * (high - low)[0] / width, head["cropScale"][1] * (high - low)[1] / height])
        matrix = np.eye(4)
        matrix[:2, :2] = linear
        matrix[:2, 3] = centre - linear @ np.array([width / 2, height / 2])
        return matrix

    def crop(self, features, matrix, size):
        """TransformTensorBilinear (v2): bilinear samples at pixel centres, 0 outside the map."""
        _, channels, height, width = features.shape
        m = matrix.copy()
        m[:2, 3] += m[:2, 0] * 0.5 + m[:2, 1] * 0.5 - 0.5
        ys, xs = np.meshgrid(np.arange(size[1]), np.arange(size[0]), indexing="ij")
        sx = m[0, 0] * xs + m[0, 1] * ys + m[0, 3]
        sy = m[1, 0] * xs + m[1, 1] * ys + m[1, 3]
        inside = (sx >= 0) & (sx <= width - 1) & (sy >= 0) & (sy <= height - 1)
        grid = torch.from_numpy(np.stack([sx / (width - 1) * 2 - 1, sy / (height - 1) * 2 - 1], -1)[None].astype(np.float32))
        sampled = F.grid_sample(features, grid, mode="bilinear", align_corners=True)
        return sampled * torch.from_numpy(inside[None, None].astype(np.float32))

    def __call__(self, rgb01, mesh):
        """Each eye's 71 points in the 192-px crop, given the face mesh's 468 points in it."""
        features = self.trunk(rgb01)
        contours = {}
        for eye, head in self.heads.items():
            matrix = self.crop_matrix(eye, mesh)
            raw = self.head(eye, self.crop(features, matrix, head["cropSize"])).numpy().reshape(-1, 2)
            out = matrix * np.array(head["outputScale"])
            contours[eye] = raw @ out[:2, :2].T + out[:2, 3]
        return contours


def check_cuts(graph, model, rng):
    """The trunk and the heads against the stock interpreter, each on its own part of the file."""
    image = rng.uniform(0, 1, size=(1, 192, 192, 3)).astype(np.float32)
    trunk = graph.cut(["input_1"], [TRUNK_OUTPUT])
    trunk.set_tensor(trunk.get_input_details()[0]["index"], image)
    trunk.invoke()
    reference = trunk.get_tensor(trunk.get_output_details()[0]["index"]).transpose(0, 3, 1, 2)
    ours = model.trunk(torch.from_numpy(image.transpose(0, 3, 1, 2).copy())).numpy()
    errors = {"trunk": float(np.abs(ours - reference).max() / np.abs(reference).max())}
    for eye, (output, crop) in EYES.items():
        head = graph.cut([crop], [output])
        features = rng.normal(0, 1, size=head.get_input_details()[0]["shape"]).astype(np.float32)
        head.set_tensor(head.get_input_details()[0]["index"], features)
        head.invoke()
        reference = head.get_tensor(head.get_output_details()[0]["index"]).reshape(-1)
        ours = model.head(eye, torch.from_numpy(features.transpose(0, 3, 1, 2).copy())).numpy()
        errors[eye] = float(np.abs(ours - reference).max() / np.abs(reference).max())
    print("max |ours - TFLite| / max |TFLite|: " + ", ".join(f"{k} {v:.1e}" for k, v in errors.items()))
    assert max(errors.values()) < 1e-4, "converted network does not reproduce TFLite"


def check_on_face(model):
    """On the Obama fixture crop, with face_landmark.tflite's mesh, the eye contours lie on the mesh's eye points."""
    fixtures = ROOT / "Tests/Fixtures"
    case = json.loads((fixtures / "face_mesh/landmarks.json").read_text())["cases"][0]
    crop = np.fromfile(fixtures / case["image"], dtype=np.uint8).reshape(1, 192, 192, 3).astype(np.float32) / 255
    mesh = np.array(case["points"], dtype=np.float64).reshape(468, 3)
    contours = model(torch.from_numpy(crop.transpose(0, 3, 1, 2).copy()), mesh)
    for eye, points in contours.items():
        contour = model.heads[eye]["points"][:16]
        distance = np.linalg.norm(points[:16] - mesh[contour, :2], axis=1)
        print(f"{eye}: contour to the mesh's eye points, mean {distance.mean():.2f} px, max {distance.max():.2f} px")
        assert distance.mean() < 2, f"{eye}'s contour is not on the eye"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--source", type=pathlib.Path, default=SOURCE)
    parser.add_argument("--out", type=pathlib.Path, default=ROOT / "Models/face_mesh")
    args = parser.parse_args()

    graph, tensors, trunk_strides, heads = convert(args.source)
    model = EyeContoursTorch(tensors, trunk_strides, heads)
    with torch.no_grad():
        check_cuts(graph, model, np.random.default_rng(0))
        check_on_face(model)

    args.out.mkdir(parents=True, exist_ok=True)
    half = {k: np.ascontiguousarray(v.astype(np.float16)) for k, v in tensors.items()}
    assert all(np.array_equal(half[k].astype(np.float32), v) for k, v in tensors.items()), "weights are not exactly fp16"
    metadata = {"source": args.source.name, "trunkStrides": json.dumps(trunk_strides), "eyes": json.dumps(heads)}
    save_file(half, str(args.out / "eye_contours.safetensors"), metadata=metadata)
    print(f"wrote {len(half)} tensors to {args.out / 'eye_contours.safetensors'}")


if __name__ == "__main__":
    main()
