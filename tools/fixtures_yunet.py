#!/usr/bin/env python3
"""Reference YuNet detections made by onnxruntime, for Tests/RecastModelTests/YuNet*.

Input: two_people.jpg from ../shared/media, center-cropped to 4:3 and resized to
320×240, stored as raw RGB bytes. Three cases are derived from it the same way
the Swift test derives them: the image itself, a 2× nearest upscale (640×480)
and an odd-sized crop (283×211).

Decoding and non-maximum suppression follow OpenCV's FaceDetectorYN
(modules/objdetect/src/face_detect.cpp): the input is zero-padded at the bottom
and right to a multiple of 32 and fed as BGR 0–255; score = sqrt(cls·obj) with
both clamped to [0, 1]; boxes are (c + dx)·s, (r + dy)·s centers with
exp(dw)·s, exp(dh)·s sizes; NMSBoxes runs on integer-truncated boxes,
keeping a box when its IoU with every kept box is ≤ the NMS threshold.
"""
import json
import math
import pathlib

import numpy as np
import onnxruntime
from PIL import Image

ROOT = pathlib.Path(__file__).resolve().parent.parent
MEDIA = pathlib.Path(__file__).resolve().parents[2] / "shared/media/images/two_people.jpg"
MODEL = pathlib.Path(__file__).resolve().parents[2] / "shared/models/yunet/yunet_s_dynamic.onnx"
OUT = ROOT / "Tests/Fixtures/yunet"
SCORE_THRESHOLD = 0.6
NMS_THRESHOLD = 0.3
STRIDES = [8, 16, 32]
CASES = [
    {"name": "320x240", "scale": 1, "crop": [0, 0, 320, 240]},
    {"name": "640x480", "scale": 2, "crop": [0, 0, 640, 480]},
    {"name": "283x211", "scale": 1, "crop": [13, 7, 283, 211]},
]


def base_image():
    image = Image.open(MEDIA).convert("RGB")
    w, h = image.size
    crop_w = min(w, h * 4 // 3)
    left = (w - crop_w) // 2
    image = image.crop((left, 0, left + crop_w, crop_w * 3 // 4))
    return np.asarray(image.resize((320, 240), Image.Resampling.LANCZOS), dtype=np.uint8)


def case_image(base, case):
    image = base.repeat(case["scale"], axis=0).repeat(case["scale"], axis=1)
    x, y, w, h = case["crop"]
    return image[y : y + h, x : x + w]


def network_outputs(session, rgb):
    h, w, _ = rgb.shape
    pad_h, pad_w = (h - 1) // 32 * 32 + 32, (w - 1) // 32 * 32 + 32
    blob = np.zeros((1, 3, pad_h, pad_w), np.float32)
    blob[0, :, :h, :w] = rgb[..., ::-1].transpose(2, 0, 1)
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, {"input": blob}))), pad_w, pad_h


def decode(outputs, pad_w, pad_h):
    faces = []
    for s in STRIDES:
        cols, rows = pad_w // s, pad_h // s
        cls, obj = outputs[f"cls_{s}"][0, :, 0], outputs[f"obj_{s}"][0, :, 0]
        bbox, kps = outputs[f"bbox_{s}"][0], outputs[f"kps_{s}"][0]
        for r in range(rows):
            for c in range(cols):
                i = r * cols + c
                score = math.sqrt(min(max(float(cls[i]), 0), 1) * min(max(float(obj[i]), 0), 1))
                if score < SCORE_THRESHOLD:
                    continue
                cx, cy = (c + bbox[i, 0]) * s, (r + bbox[i, 1]) * s
                w, h = math.exp(bbox[i, 2]) * s, math.exp(bbox[i, 3]) * s
                points = [[float((kps[i, 2 * n] + c) * s), float((kps[i, 2 * n + 1] + r) * s)] for n in range(5)]
                faces.append({"box": [float(cx - w / 2), float(cy - h / 2), float(w), float(h)], "score": score, "keypoints": points})
    return faces


def integer_iou(a, b):
    ax, ay, aw, ah = (int(v) for v in a)
    bx, by, bw, bh = (int(v) for v in b)
    iw = max(0, min(ax + aw, bx + bw) - max(ax, bx))
    ih = max(0, min(ay + ah, by + bh) - max(ay, by))
    inter = iw * ih
    union = aw * ah + bw * bh - inter
    return 0.0 if union <= 0 else inter / union


def nms(faces):
    if len(faces) <= 1:
        return faces
    order = sorted((f for f in faces if f["score"] > SCORE_THRESHOLD), key=lambda f: -f["score"])
    kept = []
    for face in order:
        if all(integer_iou(face["box"], k["box"]) <= NMS_THRESHOLD for k in kept):
            kept.append(face)
    return kept


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    base = base_image()
    (OUT / "two_people_320x240.rgb").write_bytes(base.tobytes())
    session = onnxruntime.InferenceSession(str(MODEL), providers=["CPUExecutionProvider"])
    cases = []
    for case in CASES:
        outputs, pad_w, pad_h = network_outputs(session, case_image(base, case))
        faces = nms(decode(outputs, pad_w, pad_h))
        print(case["name"], [(round(f["score"], 3), [round(v) for v in f["box"]]) for f in faces])
        cases.append({**case, "faces": faces})
    reference = {"image": "two_people_320x240.rgb", "width": 320, "height": 240,
                 "scoreThreshold": SCORE_THRESHOLD, "nmsThreshold": NMS_THRESHOLD, "cases": cases}
    (OUT / "detections.json").write_text(json.dumps(reference, indent=1))


if __name__ == "__main__":
    main()
