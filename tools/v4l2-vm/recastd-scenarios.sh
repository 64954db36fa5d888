#!/bin/bash
# Runs in the guest (run-guest.sh) for Tests/RecastIntegrationTests/V4L2Tests.swift:
# the real recastd from vivid (/dev/video0) or an MJPEG camera played through
# /dev/video11 to the virtual camera /dev/video10, read back with ffmpeg. It only records what happened, under ./results/NAME/;
# the Swift test judges it:
#   *.status   exit statuses         recastd.stderr  what recastd printed
#   *.framemd5, *.md5 frames read back (hashes)   *.yuv  one raw frame
#   *.txt      v4l2-ctl's and recastd devices' answers
#
#   recastd-scenarios.sh RECASTD
set -u
RECASTD=$1
RESULTS=$PWD/results
rm -rf "$RESULTS"
FFMPEG=(ffmpeg -hide_banner -nostdin -loglevel error -y)
SIZE=(--size 640x480 --fps 25)

log() { echo "[guest $(cut -d' ' -f1 /proc/uptime)s] $*"; }
scenario() { DIR=$RESULTS/$1; mkdir -p "$DIR"; log "$1"; }
# Nothing may hang the guest. --foreground: plain timeout re-sends a signal it
# gets to the whole process group, and ffmpeg stopped twice truncates its output.
limited() { timeout --foreground -k 5 "$@"; }
# With exclusive_caps=1 the loopback offers capture once a writer has started.
wait_capture() {   # DEVICE
  for _ in $(seq 600); do
    v4l2-ctl -d "$1" --info 2>/dev/null | grep -A3 'Device Caps' | grep -q 'Video Capture' && return 0
    sleep 0.1
  done
  return 1
}
start_recastd() { "$RECASTD" run --swap off "$@" > "$DIR/recastd.stdout" 2> "$DIR/recastd.stderr" & RECASTD_PID=$!; }
# SIGINT must end recastd cleanly (exit 0) within 20 s; 137 records a kill.
stop_recastd() {
  kill -INT "$RECASTD_PID"
  for _ in $(seq 200); do kill -0 "$RECASTD_PID" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$RECASTD_PID" 2>/dev/null
  wait "$RECASTD_PID"; echo $? > "$DIR/recastd.status"
}
# run_recastd NAME ARGS...: a run expected to end by itself (the error cases).
run_recastd() {
  local dir=$RESULTS/$1; shift; mkdir -p "$dir"
  limited 60 "$RECASTD" run --swap off "$@" > "$dir/recastd.stdout" 2> "$dir/recastd.stderr"
  echo $? > "$dir/recastd.status"
}
read_loopback() {   # NAME FRAMES: hashes of FRAMES frames, and the last one raw
  local name=$1 frames=$2
  limited 60 "${FFMPEG[@]}" -f v4l2 -i /dev/video10 \
    -map 0 -frames:v "$frames" -f framemd5 "$DIR/$name.framemd5" \
    -map 0 -vf "select=gte(n\,$((frames - 1)))" -frames:v 1 -f rawvideo "$DIR/$name.yuv"
  echo $? > "$DIR/$name.status"
}
# read_loopback_with_read NAME FRAMES [UNTIL]: the same through read(2) instead
# of mmap buffers, one 640x480 YUYV frame per read; hashes of the last FRAMES
# frames are written one per line. With UNTIL, it reads on until that file exists.
read_loopback_with_read() {
  limited 60 python3 - "$DIR/$1" "$2" "${3:-}" <<'PY'
import collections, hashlib, os, sys
prefix, count, until = sys.argv[1], int(sys.argv[2]), sys.argv[3]
device = os.open("/dev/video10", os.O_RDONLY)
hashes = collections.deque(maxlen=count)
while len(hashes) < count or (until and not os.path.exists(until)):
    frame = os.read(device, 640 * 480 * 2)
    hashes.append(hashlib.md5(frame).hexdigest())
with open(prefix + ".md5", "w") as out:
    out.write("".join(h + "\n" for h in hashes))
with open(prefix + ".yuv", "wb") as last:
    last.write(frame)
PY
  echo $? > "$DIR/$1.status"
}

scenario camera
start_recastd --input /dev/video0 --output /dev/video10 "${SIZE[@]}"
if wait_capture /dev/video10; then
  v4l2-ctl -d /dev/video10 --get-fmt-video --get-parm > "$DIR/loopback.txt" 2>&1
  limited 60 "$RECASTD" devices > "$DIR/devices.txt" 2>&1
  # Two programs read the virtual camera at the same time, as two video calls
  # would: 100 frames each. The second reads on until the first has finished
  # and keeps its last 100, so their windows overlap however long ffmpeg takes
  # to load on a slow host.
  # The second reads with read(2): in v4l2loopback 0.12 a reader's VIDIOC_REQBUFS
  # clears the mmap flags of every buffer, so an mmap reader starting while
  # another streams can make that one's VIDIOC_DQBUF fail (EINVAL) on a slow host.
  read_loopback_with_read reader2 100 "$DIR/reader1.done" & second=$!
  read_loopback reader1 100
  touch "$DIR/reader1.done"
  wait $second
else
  echo "recastd never started writing to /dev/video10" > "$DIR/loopback.txt"
fi
stop_recastd

scenario i420
start_recastd --input /dev/video0 --output /dev/video10 "${SIZE[@]}" --output-format i420
if wait_capture /dev/video10; then
  v4l2-ctl -d /dev/video10 --get-fmt-video > "$DIR/loopback.txt" 2>&1
  read_loopback reader 30
else
  echo "recastd never started writing to /dev/video10" > "$DIR/loopback.txt"
fi
stop_recastd

scenario mjpeg-camera
# A camera that sends only MJPEG, as most webcams do at 720p: ffmpeg plays
# SMPTE bars as MJPEG through /dev/video11, and recastd reads that as its camera.
limited 90 "${FFMPEG[@]}" -re -f lavfi -i smptebars=size=640x480:rate=25 -t 80 -c:v mjpeg -q:v 2 -f v4l2 /dev/video11 & writer=$!
if wait_capture /dev/video11; then
  start_recastd --input /dev/video11 --output /dev/video10 "${SIZE[@]}"
  if wait_capture /dev/video10; then
    read_loopback reader 30
  else
    echo "recastd never started writing to /dev/video10" > "$DIR/loopback.txt"
  fi
  stop_recastd
fi
kill -TERM $writer; wait $writer

log "unusable devices"
# What vivid sends, straight from the driver: the reference for what the loopback must show.
V4L2_FORMAT=(-d /dev/video0 --set-fmt-video=width=640,height=480,pixelformat=YUYV --set-parm=25)
mkdir -p "$RESULTS/vivid"
limited 60 v4l2-ctl "${V4L2_FORMAT[@]}" --stream-mmap --stream-count=1 --stream-to="$RESULTS/vivid/frame.yuv"
echo $? > "$RESULTS/vivid/status"
# Another program captures from vivid (v4l2-ctl prints a '<' per frame); then
# the error cases run side by side (none of them writes to a device).
limited 90 v4l2-ctl "${V4L2_FORMAT[@]}" --stream-mmap --stream-count=2000 > "$RESULTS/vivid/other.stdout" 2>&1 & other=$!
for _ in $(seq 300); do grep -q '<' "$RESULTS/vivid/other.stdout" && break; sleep 0.1; done
runs=()
run_recastd busy-camera --input /dev/video0 --output null "${SIZE[@]}" & runs+=($!)
run_recastd not-a-loopback --input testsrc --output /dev/video0 "${SIZE[@]}" & runs+=($!)
run_recastd missing-camera --input /dev/video99 --output null "${SIZE[@]}" & runs+=($!)
run_recastd idle-loopback-as-camera --input /dev/video10 --output null "${SIZE[@]}" & runs+=($!)
wait "${runs[@]}"
kill -TERM $other; wait $other

log "done"
