#!/bin/bash
# Runs in the guest as root (cwd: the share): loads the V4L2 drivers, then the script.
#   guest-run.sh SCRIPT [ARG...]
set -eu
modprobe vivid || { echo "guest-run.sh: modprobe vivid failed"; exit 3; }
# exclusive_caps=1: the node is an OUTPUT until a writer starts, then a CAPTURE
# device, which is what browsers need. max_buffers=8: with the default 2 a slow
# reader's buffer gets overwritten under load and it sees frames twice.
# /dev/video10 is the virtual camera under test; /dev/video11 lets a test feed
# recastd a camera of its own making (MJPEG, say).
modprobe v4l2loopback devices=2 video_nr=10,11 exclusive_caps=1,1 max_buffers=8 \
  card_label="Recast Camera,Test Source" || { echo "guest-run.sh: modprobe v4l2loopback failed"; exit 3; }
# No udev in the guest: wait for the nodes devtmpfs creates.
for _ in $(seq 50); do [ -e /dev/video0 ] && [ -e /dev/video10 ] && [ -e /dev/video11 ] && break; sleep 0.1; done
echo "guest-run.sh: kernel $(uname -r), $(nproc) CPUs, devices: $(ls /dev/video* | tr '\n' ' ')"
exec /bin/bash "$@"
