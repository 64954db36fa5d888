#!/usr/bin/env bash
# The bundled refiner's whole recipe, end to end, with fixed seeds: data, teacher, distillation, export,
# evaluation (PSNR/SSIM on the validation person, then recastd eval of the live swap with and without it).
# Runs on this project's 2-core CPU machine (torch CPU build) in about an hour and a half; see
# Models/refiner/README.md for what each step does and what it measured. Work files go to .build-refiner/.
# Usage: tools/refiner/recipe.sh   (after tools/setup-python.sh; builds recastd in release mode)
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .build-refiner
swift build -c release --product recastd
step() {
    local started=$SECONDS
    .venv/bin/python "tools/refiner/$1.py" "${@:2}"
    echo "== $1: $((SECONDS - started)) s"
}
step data
step teacher
step distill
step export
step evaluate
# The live-swap figures (recastd eval) of the warp path alone and with the refiner on every frame, on the
# live-swap issue's clips with the bundled portrait (FRAMES frames each: a refinement takes seconds on lavapipe).
for refine in off sync; do
    started=$SECONDS
    REFINE=$refine CLIPS="d0 d3 d18" PORTRAITS="obama.jpg" FRAMES=${FRAMES:-32} WORK=.build-refiner/live-$refine tools/eval_swap.sh
    echo "== live ($refine): $((SECONDS - started)) s"
done
