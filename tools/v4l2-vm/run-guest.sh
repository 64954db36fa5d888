#!/bin/bash
# Boots Debian's kernel under qemu over this machine's root filesystem (read-only,
# virtio-9p), loads vivid and v4l2loopback in the guest, runs a script there as
# root and exits with its status. Host binaries (recastd, ffmpeg, v4l2-ctl) run
# unchanged in the guest, so tests get real V4L2 devices on a kernel without V4L2.
#
#   run-guest.sh SHARE_DIR SCRIPT [ARG...]
#
# SHARE_DIR is mounted read-write at the same path in the guest and is the
# script's working directory: results go there. Guest devices:
#   /dev/video0   vivid video capture (a virtual camera)
#   /dev/video10  v4l2loopback, exclusive_caps=1, max_buffers=8, "Recast Camera"
#   /dev/video11  v4l2loopback like it, "Test Source": a camera a test makes up
#
# Environment: RECAST_VM_TIMEOUT (seconds, default 480), RECAST_VM_MEM (2G),
# RECAST_VM_SMP (2), RECAST_VM_ACCEL (kvm|tcg, default: kvm when it can run a
# stock kernel, else tcg), RECAST_VM_CACHE (vmlinux and initramfs, default
# ~/.cache/recast-v4l2-vm), RECAST_VM_KERNEL (version, default: newest installed).
#
# Exit status: the script's status; 124 when the guest timed out; 2 when the
# host lacks something (the message names the Debian package to install).
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
[ $# -ge 2 ] || { echo "usage: $0 SHARE_DIR SCRIPT [ARG...]" >&2; exit 2; }
SHARE=$(cd "$1" && pwd); shift
SCRIPT=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); shift
TIMEOUT=${RECAST_VM_TIMEOUT:-480}
CACHE=${RECAST_VM_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/recast-v4l2-vm}
mkdir -p "$CACHE"

started=$(date +%s%N)
log() { printf '[host %5.1fs] %s\n' "$(( ($(date +%s%N) - started) / 1000000 ))e-3" "$*" >&2; }
die() { echo "run-guest.sh: $*" >&2; exit 2; }

need() { command -v "$1" >/dev/null || die "$1 not found: apt-get install $2"; }
need qemu-system-x86_64 qemu-system-x86
need cpio cpio
need modprobe kmod
need python3 python3
[ -x /bin/busybox ] || die "/bin/busybox not found: apt-get install busybox-static"
if readelf -l /bin/busybox 2>/dev/null | grep -q 'program interpreter'; then
  die "/bin/busybox is dynamically linked: apt-get install busybox-static"
fi

# ---- kernel: the newest Debian kernel that has its modules installed
KVER=${RECAST_VM_KERNEL:-}
if [ -z "$KVER" ]; then
  for image in $(ls /boot/vmlinuz-* 2>/dev/null | sort -V); do
    version=${image#/boot/vmlinuz-}
    [ -d "/lib/modules/$version/kernel/drivers/media" ] && KVER=$version
  done
fi
[ -n "$KVER" ] || die "no kernel with media drivers in /boot: apt-get install linux-image-amd64"
modinfo -k "$KVER" vivid >/dev/null 2>&1 || die "vivid is missing for kernel $KVER: apt-get install linux-image-amd64"
if ! modinfo -k "$KVER" v4l2loopback >/dev/null 2>&1; then
  [ -d "/lib/modules/$KVER/build" ] || die "v4l2loopback is not built for $KVER: apt-get install linux-headers-amd64 v4l2loopback-dkms"
  source_version=$(ls -d /usr/src/v4l2loopback-* 2>/dev/null | sed 's|.*/v4l2loopback-||' | sort -V | tail -1)
  [ -n "$source_version" ] || die "v4l2loopback is not built for $KVER: apt-get install v4l2loopback-dkms"
  log "building v4l2loopback $source_version for $KVER with dkms"
  dkms install -m v4l2loopback -v "$source_version" -k "$KVER" >&2 || die "dkms could not build v4l2loopback for $KVER"
fi

# ---- boot image: under TCG, booting the uncompressed vmlinux through its PVH
# entry skips the firmware and the in-guest decompression (about 2 s a boot).
BOOT=/boot/vmlinuz-$KVER
VMLINUX=$CACHE/vmlinux-$KVER
if grep -q '^CONFIG_PVH=y' "/boot/config-$KVER" 2>/dev/null; then
  if [ ! -s "$VMLINUX" ] || [ "$BOOT" -nt "$VMLINUX" ]; then
    python3 "$HERE/extract-vmlinux.py" "$BOOT" "$VMLINUX" || rm -f "$VMLINUX"
  fi
  [ -s "$VMLINUX" ] && BOOT=$VMLINUX
fi

# ---- initramfs: static busybox and the modules that mount the host root over 9p
INITRD=$CACHE/initramfs-$KVER.cpio.gz
if [ ! -s "$INITRD" ] || [ "$HERE/guest-init.sh" -nt "$INITRD" ] || [ "$0" -nt "$INITRD" ]; then
  log "building $INITRD"
  root=$(mktemp -d "$CACHE/initramfs.XXXXXX")
  mkdir -p "$root/bin" "$root/proc" "$root/sys" "$root/dev" "$root/newroot"
  cp /bin/busybox "$root/bin/busybox"
  for module in virtio_pci 9pnet_virtio 9p; do
    modprobe -S "$KVER" --show-depends "$module" | awk '$1 == "insmod" { print $2 }'
  done | awk '!seen[$0]++' | while read -r ko; do
    mkdir -p "$root$(dirname "$ko")"; cp "$ko" "$root$ko"; echo "$ko" >> "$root/modules.order"
  done
  cp "$HERE/guest-init.sh" "$root/init"; chmod 755 "$root/init"
  (cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) > "$INITRD.tmp"
  mv "$INITRD.tmp" "$INITRD"; rm -rf "$root"
fi

# ---- what the guest runs: guest-run.sh loads the modules, then the script
# (copied into the share: the guest's /tmp is its own, so a script there is unseen)
mkdir -p "$SHARE/.vm"
rm -f "$SHARE/.vm/status" "$SHARE/.vm/uptime"
cp "$SCRIPT" "$SHARE/.vm/script"
{
  echo "export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root TERM=dumb LANG=C.UTF-8"
  printf 'exec /bin/bash %q %q' "$HERE/guest-run.sh" "$SHARE/.vm/script"
  printf ' %q' "$@"
  echo
} > "$SHARE/.vm/command"

# ---- accelerator: /dev/kvm may be PVM (kvm_pvm), which cannot run a stock
# Debian kernel at speed (it falls into the instruction emulator): use TCG there.
ACCEL=${RECAST_VM_ACCEL:-}
if [ -z "$ACCEL" ]; then
  if [ -d /sys/module/kvm_pvm ]; then ACCEL=tcg
  elif python3 -c 'import os, fcntl; fcntl.ioctl(os.open("/dev/kvm", os.O_RDWR), 0xAE01, 0)' 2>/dev/null; then ACCEL=kvm
  else ACCEL=tcg
  fi
fi
if [ "$ACCEL" = kvm ]; then
  CPU=(-accel kvm -cpu host,-arch-capabilities)   # some nested hosts refuse MSR 0x10a
else
  CPU=(-accel tcg,thread=multi,tb-size=512 -cpu max)
fi

# The checkout (scripts, the recastd build) and RECAST_VM_EXPOSE (comma-separated host
# directories) are bound over the guest's own /tmp, /root… when they lie there.
EXPOSE=$(cd "$HERE/../.." && pwd)${RECAST_VM_EXPOSE:+,$RECAST_VM_EXPOSE}
log "kernel $KVER ($(basename "$BOOT")), $ACCEL, script $(basename "$SCRIPT"), share $SHARE"
set +e
timeout --foreground -k 5 "$TIMEOUT" qemu-system-x86_64 \
  "${CPU[@]}" -machine q35 -m "${RECAST_VM_MEM:-2G}" -smp "${RECAST_VM_SMP:-2}" \
  -nodefaults -no-user-config -display none -vga none -no-reboot \
  -serial stdio -monitor none \
  -kernel "$BOOT" -initrd "$INITRD" \
  -append "console=ttyS0 quiet loglevel=4 panic=-1 oops=panic rdinit=/init recast_share=$SHARE recast_expose=$EXPOSE" \
  -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
  -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
  -fsdev local,id=share,path="$SHARE",security_model=none,multidevs=remap \
  -device virtio-9p-pci,fsdev=share,mount_tag=share \
  -device virtio-rng-pci </dev/null
qemu_status=$?
set -e
if [ $qemu_status -eq 124 ] || [ $qemu_status -eq 137 ]; then
  log "the guest did not finish within $TIMEOUT s"
  exit 124
fi
[ -f "$SHARE/.vm/status" ] || die "the guest did not report a result (qemu exit status $qemu_status)"
status=$(cat "$SHARE/.vm/status")
log "guest script exit status $status; guest booted in $(cat "$SHARE/.vm/uptime" 2>/dev/null || echo '?') s"
exit "$status"
