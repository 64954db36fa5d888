#!/usr/bin/env python3
"""How finely `recastd eval` tells two swaps of a clip apart: the live-swap figures of the warp path alone
(`recastd run --refine off`), and of the same output under static, smooth, random changes of light and colour,
each seeded, small beside the refiner's (whose change averages 4.4 levels on d18 with Newton). None of them can
move a mouth, an eye or the face's likeness; what they move the mouth correlation and the share of frames closer
to the reference by is how far those figures move without the swap having changed, the scale on which the refined
path's differences from the warp path's are read (Models/refiner/README.md, "How fine the live figures are").

Each change is a Gaussian-blurred (σ SIGMA px) white-noise field scaled to LUMA_RMS levels on Y and half that on
U and V (σ halved on their half-size planes), the same on every frame, added to the lossless .y4m and rounded.
With --refined the refined path (`--refine sync`, every frame: minutes a clip on lavapipe) is measured too, alone
and under the same fields, so that each field gives one paired difference, refined − warp path.
Prints a Markdown table; writes the figures to WORK/resolution.json.

Usage: tools/refiner/live_resolution.py [--pairs d18:newton.png ...] [--seeds 10] [--luma-rms 2] [--sigma 16] [--refined]
       (after swift build -c release --product recastd)
"""
import argparse
import json
import os
import pathlib
import subprocess
import tempfile

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[2]
MEDIA = ROOT.parent / "shared" / "media"
RECASTD = ROOT / ".build" / "release" / "recastd"
PAIRS = [f"{clip}:{portrait}" for clip in ("d0", "d18") for portrait in ("obama.jpg", "gauss.png", "newton.png", "astronaut.png")]
PAIRS.append("d3:obama.jpg")
ENVIRONMENT = dict(os.environ, RECAST_MODELS=str(ROOT / "Models"))


def gaussian_field(rng, height, width, sigma, rms):
    """White noise blurred separably (taps to 3σ, edges reflected), scaled to `rms`."""
    radius = int(np.ceil(3 * sigma))
    taps = np.exp(-np.arange(-radius, radius + 1) ** 2 / (2 * sigma * sigma))
    taps /= taps.sum()
    field = rng.standard_normal((height, width))
    for axis in (0, 1):
        padded = np.pad(field, [(radius, radius) if a == axis else (0, 0) for a in (0, 1)], mode="reflect")
        field = np.apply_along_axis(lambda line: np.convolve(line, taps, mode="valid"), axis, padded)
    return field * (rms / field.std())


def perturbed(source, destination, seed, luma_rms, sigma):
    """`source` (a 4:2:0 y4m) with one seeded field added to every frame, written to `destination`."""
    data = source.read_bytes()
    start = data.index(b"\n") + 1
    words = data[:start].decode().split()
    width = int(next(w[1:] for w in words if w.startswith("W")))
    height = int(next(w[1:] for w in words if w.startswith("H")))
    rng = np.random.default_rng(seed)
    fields = [gaussian_field(rng, height, width, sigma, luma_rms)]
    fields += [gaussian_field(rng, height // 2, width // 2, sigma / 2, luma_rms / 2) for _ in range(2)]
    sizes = [f.size for f in fields]
    chunks, position = [data[:start]], start
    while position < len(data):
        line_end = data.index(b"\n", position) + 1
        chunks.append(data[position:line_end])
        position = line_end
        for field, size in zip(fields, sizes):
            plane = np.frombuffer(data[position:position + size], np.uint8).reshape(field.shape)
            chunks.append(np.clip(np.rint(plane + field), 0, 255).astype(np.uint8).tobytes())
            position += size
    destination.write_bytes(b"".join(chunks))


def evaluate(recastd, clip, portrait, output, work):
    report = work / "eval.json"
    subprocess.run(
        [recastd, "eval", "--source", MEDIA / "video" / f"{clip}.mp4", "--output", output,
         "--identity", MEDIA / "images" / portrait, "--json", report],
        check=True, stdout=subprocess.DEVNULL, env=ENVIRONMENT)
    figures = json.loads(report.read_text())["clips"][0]
    return {"mouth": figures["mouthCorrelation"], "closer": figures["closerToReference"], "flicker": figures["flickerRatio"]}


def measured(arguments, clip, portrait, refine, scratch):
    """The figures of the swap (`recastd run --refine REFINE`) alone, then under each seed's field."""
    output = scratch / f"{refine}.y4m"
    subprocess.run(
        [arguments.recastd, "run", "--input", MEDIA / "video" / f"{clip}.mp4", "--identity", MEDIA / "images" / portrait,
         "--refine", refine, "--output", output, "--log-level", "warning"],
        check=True, env=ENVIRONMENT)
    alone = evaluate(arguments.recastd, clip, portrait, output, scratch)
    changed = []
    for seed in range(1, arguments.seeds + 1):
        perturbed(output, scratch / "changed.y4m", seed, arguments.luma_rms, arguments.sigma)
        changed.append(evaluate(arguments.recastd, clip, portrait, scratch / "changed.y4m", scratch))
    return {"alone": alone, "changed": changed}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", nargs="+", default=PAIRS, help="CLIP:PORTRAIT, e.g. d18:newton.png")
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--luma-rms", type=float, default=2.0)
    parser.add_argument("--sigma", type=float, default=16.0)
    parser.add_argument("--refined", action="store_true", help="also the refined path, alone and under the same fields")
    parser.add_argument("--recastd", default=str(RECASTD))
    parser.add_argument("--work", default=str(ROOT / ".build-refiner" / "resolution"))
    arguments = parser.parse_args()
    work = pathlib.Path(arguments.work)
    work.mkdir(parents=True, exist_ok=True)
    paths = ["off", "sync"] if arguments.refined else ["off"]
    results = {}
    header = ["clip × portrait", "warp path: mouth r", "changed − warp path: mouth r, least … greatest (median)",
              "closer to ref: warp path, changed least … greatest"]
    if arguments.refined:
        header += ["refined − warp path: mouth r, alone; paired over the fields, mean ± s.e.", "closer to ref: refined"]
    print("| " + " | ".join(header) + " |")
    print("|" + " --- |" * len(header))
    for pair in arguments.pairs:
        clip, portrait = pair.split(":")
        with tempfile.TemporaryDirectory(dir=work) as scratch:
            results[pair] = {path: measured(arguments, clip, portrait, path, pathlib.Path(scratch)) for path in paths}
        warp = results[pair]["off"]
        mouth = np.array([c["mouth"] - warp["alone"]["mouth"] for c in warp["changed"]])
        closer = np.array([c["closer"] for c in warp["changed"]])
        row = [f"{clip} × {portrait.split('.')[0]}", f"{warp['alone']['mouth']:.5f}",
               f"{mouth.min():+.5f} … {mouth.max():+.5f} ({np.median(mouth):+.5f})",
               f"{100 * warp['alone']['closer']:.2f} %, {100 * closer.min():.2f} … {100 * closer.max():.2f} %"]
        if arguments.refined:
            refined = results[pair]["sync"]
            paired = np.array([r["mouth"] - w["mouth"] for r, w in zip(refined["changed"], warp["changed"])])
            error = paired.std(ddof=1) / np.sqrt(len(paired)) if len(paired) > 1 else float("nan")
            row += [f"{refined['alone']['mouth'] - warp['alone']['mouth']:+.5f}; {paired.mean():+.5f} ± {error:.5f}",
                    f"{100 * refined['alone']['closer']:.2f} %"]
        print("| " + " | ".join(row) + " |", flush=True)
    (work / "resolution.json").write_text(json.dumps(
        {"seeds": arguments.seeds, "lumaRMS": arguments.luma_rms, "sigma": arguments.sigma, "pairs": results}, indent=1))


if __name__ == "__main__":
    main()
