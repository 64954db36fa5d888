#!/usr/bin/env python3
"""Reference face-mesh outputs made by the TFLite interpreter, for Tests/RecastModelTests/FaceMesh*.

For each portrait in ../shared/media, YuNet (onnxruntime, as in fixtures_yunet.py)
finds the face; a square 1.5× the box's larger side around its center is cropped
(as MediaPipe enlarges its face rectangle) and resized to 192×192. The crop is
stored as raw RGB bytes; the reference is face_landmark.tflite's output on it in
[0, 1] (MediaPipe's ImageToTensorCalculator range for this model).
A 192×192 window of the YuNet fixture image below both faces (clothes and
background) is the no-face case, for the presence score.
"""
import json
import pathlib

import numpy as np
import onnxruntime
from PIL import Image

import fixtures_yunet
from convert_face_mesh import SOURCE, tflite_outputs

ROOT = pathlib.Path(__file__).resolve().parent.parent
MEDIA = pathlib.Path(__file__).resolve().parents[2] / "shared/media/images"
OUT = ROOT / "Tests/Fixtures/face_mesh"
PORTRAITS = ["obama.jpg", "astronaut.png"]
NO_FACE = {"image": "yunet/two_people_320x240.rgb", "imageWidth": 320, "imageHeight": 240, "offset": [64, 48]}


def face_crop(path, session):
    image = Image.open(path).convert("RGB")
    scale = 640 / max(image.size)
    small = np.asarray(image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR))
    outputs, pad_w, pad_h = fixtures_yunet.network_outputs(session, small)
    face = max(fixtures_yunet.nms(fixtures_yunet.decode(outputs, pad_w, pad_h)), key=lambda f: f["score"])
    x, y, w, h = (v / scale for v in face["box"])
    side = 1.5 * max(w, h)
    cx, cy = x + w / 2, y + h / 2
    box = (round(cx - side / 2), round(cy - side / 2), round(cx + side / 2), round(cy + side / 2))
    return np.asarray(image.crop(box).resize((192, 192), Image.Resampling.LANCZOS), dtype=np.uint8), box


def reference(crop):
    landmarks, presence = tflite_outputs(SOURCE, crop[None].astype(np.float32) / 255)
    score = float(1 / (1 + np.exp(-presence[0])))
    print("presence", round(score, 4), "nose tip", landmarks[3:6])
    return {"points": [float(v) for v in landmarks], "presenceLogit": float(presence[0]), "presence": score}


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    session = onnxruntime.InferenceSession(str(fixtures_yunet.MODEL), providers=["CPUExecutionProvider"])
    cases = []
    for name in PORTRAITS:
        crop, box = face_crop(MEDIA / name, session)
        stem = pathlib.Path(name).stem
        (OUT / f"{stem}_192.rgb").write_bytes(crop.tobytes())
        print(name, "crop", box)
        cases.append({"image": f"face_mesh/{stem}_192.rgb", "imageWidth": 192, "imageHeight": 192, "offset": [0, 0],
                      "sourceCrop": box, **reference(crop)})
    base = np.frombuffer((OUT.parent / NO_FACE["image"]).read_bytes(), np.uint8).reshape(NO_FACE["imageHeight"], NO_FACE["imageWidth"], 3)
    x, y = NO_FACE["offset"]
    cases.append({**NO_FACE, **reference(base[y : y + 192, x : x + 192])})
    (OUT / "landmarks.json").write_text(json.dumps({"cases": cases}))


if __name__ == "__main__":
    main()
