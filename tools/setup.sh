#!/usr/bin/env bash
# Installs the Debian 12 packages Recast builds, runs and is tested with
# (tools/debian-packages.txt). Run as root (or with sudo). The Swift 6
# toolchain itself is expected on PATH.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
apt-get update
# linux-headers-amd64 and v4l2loopback-dkms go in the same transaction as the
# kernel image, so dkms builds v4l2loopback for the guest kernel the V4L2 tests boot.
# shellcheck disable=SC2046
apt-get install -y --no-install-recommends $(grep -v '^#' "$(dirname "$0")/debian-packages.txt")
