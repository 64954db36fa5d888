#!/usr/bin/env python3
"""Reference timings for `recastd bench models`: the original frameworks on this CPU.

Prints one JSON object {case: milliseconds per call} for the cases named on the
command line, each the median of --iterations calls after one warm-up:
  yunet WxH            onnxruntime on yunet_s_dynamic.onnx
  face_mesh 192x192    the TFLite interpreter (ai-edge-litert) on face_landmark.tflite
  taef2_encoder WxH    PyTorch (the fixture script's own TAEF2 definition, .pth weights)
  taef2_decoder WxH    the same, on the latent of a WxH image
  mobileface 112x112   PyTorch running the MXNet symbol graph (the fixture script's interpreter)

Usage: tools/bench_models_reference.py [--iterations N] "yunet 320x240" "face_mesh 192x192" ...
"""
import argparse
import json
import pathlib
import statistics
import sys
import time

import numpy as np
import torch

TOOLS = pathlib.Path(__file__).resolve().parent
SHARED_MODELS = TOOLS.parents[1] / "shared" / "models"
sys.path.insert(0, str(TOOLS))


def timed(call, iterations):
    call()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def runner(name, width, height):
    rng = np.random.default_rng(0)
    if name == "yunet":
        import onnxruntime
        session = onnxruntime.InferenceSession(str(SHARED_MODELS / "yunet/yunet_s_dynamic.onnx"), providers=["CPUExecutionProvider"])
        pad_w, pad_h = (width + 31) // 32 * 32, (height + 31) // 32 * 32
        image = rng.uniform(0, 255, (1, 3, pad_h, pad_w)).astype(np.float32)
        feed = {session.get_inputs()[0].name: image}
        return lambda: session.run(None, feed)
    if name == "face_mesh":
        from convert_face_mesh import interpreter
        model = interpreter(SHARED_MODELS / "mediapipe/face_landmark.tflite")
        index = model.get_input_details()[0]["index"]
        crop = rng.uniform(0, 1, (1, 192, 192, 3)).astype(np.float32)

        def run():
            model.set_tensor(index, crop)
            model.invoke()
        return run
    if name in ("taef2_encoder", "taef2_decoder"):
        from fixtures_taef2 import decoder, encoder, load
        if name == "taef2_encoder":
            network = load(encoder(), SHARED_MODELS / "taef2/taef2_encoder.pth")
            value = torch.rand(1, 3, height, width)
        else:
            network = load(decoder(), SHARED_MODELS / "taef2/taef2_decoder.pth")
            value = torch.randn(1, 32, height // 8, width // 8)

        def run():
            with torch.no_grad():
                network(value)
        return run
    if name == "mobileface":
        from convert_mobileface import read_params
        from fixtures_mobileface import SymbolInterpreter, embed
        folder = SHARED_MODELS / "mobileface"
        model = SymbolInterpreter(folder / "MobileFace_Identification_V2-symbol.json",
                                  read_params(folder / "MobileFace_Identification_V2-0000.params"))
        faces = rng.uniform(0, 255, (1, 112, 112, 3)).astype(np.float32)
        return lambda: embed(model, faces)
    raise SystemExit(f"unknown case {name}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("cases", nargs="+")
    args = parser.parse_args()
    results = {}
    for case in args.cases:
        name, size = case.split()
        width, height = (int(v) for v in size.split("x"))
        results[case] = timed(runner(name, width, height), args.iterations)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
