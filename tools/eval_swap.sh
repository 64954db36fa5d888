#!/usr/bin/env bash
# The swap's goal grid (issue 6): every clip in ../shared/media/video swapped to every
# public-domain portrait with `recastd run`, then measured with `recastd eval`; prints
# a table with the goals (closer to reference ≥ 90 %, mouth r ≥ 0.8, eye r ≥ 0.7, flicker ≤ 1.3).
# Each clip also gets a "(swap off)" row: the source re-encoded by recastd unswapped.
# Build first: swift build -c release. Settings (environment):
#   CLIPS="d0 d3 d18"  PORTRAITS="obama.jpg biden.jpg astronaut.png newton.png gauss.png"
#   FRAMES=N   only the first N frames of each clip (swapped and evaluated); default all
#   REFINE=off|sync|async|auto   the refinement (`recastd run --refine`); default auto, as recastd run
#   RUN_OPTIONS="--change-time 0.5 …"   more options for each swapping `recastd run`
#   RECASTD    the binary (default .build/release/recastd)   MEDIA  default ../shared/media
#   WORK       where the swapped clips and eval.json go (default a new temporary directory)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
recastd=${RECASTD:-$root/.build/release/recastd}
media=${MEDIA:-$root/../shared/media}
work=${WORK:-$(mktemp -d /tmp/recast-eval-XXXXXX)}
mkdir -p "$work"
arguments=()
for clip in ${CLIPS:-d0 d3 d18}; do
    source="$media/video/$clip.mp4"
    if [[ -n "${FRAMES:-}" ]]; then
        # Lossless, so the trimmed source is the clip's own pixels.
        trimmed="$work/$clip-$FRAMES.mp4"
        ffmpeg -v error -y -i "$source" -frames:v "$FRAMES" -an -c:v libx264 -preset ultrafast -qp 0 "$trimmed"
        source=$trimmed
    fi
    # The source through recastd with the swap off: the floor the figures can reach, as the encoder leaves it.
    portraits=(${PORTRAITS:-obama.jpg biden.jpg astronaut.png newton.png gauss.png})
    "$recastd" run --input "$source" --swap off --output "$work/$clip-swap-off.mp4" --log-level warning
    arguments+=(--source "$source" --output "$work/$clip-swap-off.mp4" --identity "$media/images/${portraits[0]}")
    for portrait in "${portraits[@]}"; do
        output="$work/$clip-${portrait%.*}.mp4"
        echo "swapping $clip to $portrait" >&2
        "$recastd" run --input "$source" --identity "$media/images/$portrait" --refine "${REFINE:-auto}" ${RUN_OPTIONS:-} --output "$output" --log-level warning
        arguments+=(--source "$source" --output "$output" --identity "$media/images/$portrait")
    done
done
"$recastd" eval "${arguments[@]}" --json "$work/eval.json" >"$work/eval.txt"
echo "figures: $work/eval.txt, $work/eval.json" >&2
python3 - "$work/eval.json" <<'PYTHON'
import json, os, sys
clips = json.load(open(sys.argv[1]))["clips"]
def show(value, form="{:.3f}", scale=1):
    return "—" if value is None else form.format(value * scale)
print("| clip | identity | frames (both faces) | sim. ref | sim. src | closer to ref | mouth r | eye r | head err | flicker | goals met |")
print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for c in clips:
    met = c["goalsMet"]
    identity = "(swap off)" if c["output"].endswith("-swap-off.mp4") else os.path.basename(c["identity"])
    print(f"| {os.path.basename(c['source']).split('.')[0].split('-')[0]} | {identity} "
          f"| {c['evaluatedFrames']} ({c['measuredFrames']}) | {show(c['similarityToReference'])} | {show(c['similarityToSource'])} "
          f"| {show(c['closerToReference'], '{:.1f} %', 100)} | {show(c['mouthCorrelation'])} | {show(c['eyeCorrelation'])} "
          f"| {show(c['headPositionError'])} | {show(c['flickerRatio'])} | {sum(met.values())}/{len(met)} |")
PYTHON
