#!/usr/bin/env python3
"""Reference eye contours for Tests/RecastModelTests/EyeContourModelTests.

On tools/fixtures_face_mesh.py's two portrait crops, with face_landmark.tflite's mesh
from its landmarks.json, the PyTorch re-implementation in convert_eye_contours.py
(checked there against the TFLite interpreter, part by part) places each eye's 71 points.
"""
import json
import pathlib

import numpy as np
import torch

from convert_eye_contours import SOURCE, EyeContoursTorch, convert

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "Tests/Fixtures"


def main():
    _, tensors, trunk_strides, heads = convert(SOURCE)
    model = EyeContoursTorch(tensors, trunk_strides, heads)
    cases = []
    for case in json.loads((FIXTURES / "face_mesh/landmarks.json").read_text())["cases"]:
        if case["presence"] < 0.5:
            continue
        crop = np.fromfile(FIXTURES / case["image"], dtype=np.uint8).reshape(1, 192, 192, 3).astype(np.float32) / 255
        mesh = np.array(case["points"], dtype=np.float64).reshape(468, 3)
        with torch.no_grad():
            contours = model(torch.from_numpy(crop.transpose(0, 3, 1, 2).copy()), mesh)
        cases.append({"image": case["image"], "eyes": [[float(v) for v in contours[eye].reshape(-1)] for eye in ("rightEye", "leftEye")]})
        print(case["image"], "right eye's outer corner", contours["rightEye"][0])
    (FIXTURES / "face_mesh/eye_contours.json").write_text(json.dumps({"cases": cases}))


if __name__ == "__main__":
    main()
