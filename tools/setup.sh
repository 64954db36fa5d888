#!/usr/bin/env bash
# Installs the Debian 12 packages Recast builds, runs and is tested with.
# Run as root (or with sudo). The Swift 6 toolchain itself is expected on PATH.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
# linux-headers-amd64 and v4l2loopback-dkms go in the same transaction as the
# kernel image, so dkms builds v4l2loopback for the guest kernel the V4L2 tests boot.
apt-get install -y --no-install-recommends \
  pkg-config \
  libavformat-dev libavcodec-dev libavdevice-dev libavutil-dev libswscale-dev libswresample-dev ffmpeg \
  libv4l-dev v4l-utils \
  libvulkan-dev mesa-vulkan-drivers vulkan-tools vulkan-validationlayers glslc \
  libopenblas-dev \
  nginx libnginx-mod-rtmp \
  pulseaudio pulseaudio-utils \
  systemd \
  qemu-system-x86 linux-image-amd64 linux-headers-amd64 v4l2loopback-dkms busybox-static cpio kmod python3
