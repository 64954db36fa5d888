#!/bin/busybox sh
# /init of the initramfs built by run-guest.sh (PID 1 in the guest): mounts the
# host root read-only and the share read-write, then runs .vm/command in it.
/bin/busybox mkdir -p /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev

fail() { echo "guest-init: $*"; poweroff -f; }

for ko in $(cat /modules.order); do insmod "$ko" || fail "insmod $ko failed"; done

SHARE=$(sed -n 's/.*recast_share=\([^ ]*\).*/\1/p' /proc/cmdline)
EXPOSE=$(sed -n 's/.*recast_expose=\([^ ]*\).*/\1/p' /proc/cmdline)
OPTIONS=trans=virtio,version=9p2000.L,msize=512000
NEW=/newroot
# The host root is mounted once (a 9p channel takes one mount) and bound as the new root,
# so it stays reachable under /hostroot where the scratch tmpfs mounts below hide it.
mkdir -p /hostroot
mount -t 9p -o ro,$OPTIONS,cache=loose hostroot /hostroot || fail "cannot mount the host root"
mount --bind /hostroot $NEW || fail "cannot bind the host root"
mount -t proc proc $NEW/proc
mount -t sysfs sys $NEW/sys
mount -t devtmpfs dev $NEW/dev
mkdir -p $NEW/dev/pts $NEW/dev/shm
# devtmpfs lacks the links udev adds; bash's <(...) needs /dev/fd
ln -sf /proc/self/fd $NEW/dev/fd
ln -sf /proc/self/fd/0 $NEW/dev/stdin
ln -sf /proc/self/fd/1 $NEW/dev/stdout
ln -sf /proc/self/fd/2 $NEW/dev/stderr
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts $NEW/dev/pts
mount -t tmpfs tmpfs $NEW/dev/shm
# writable scratch space over the read-only host root
for dir in /tmp /run /var/tmp /var/log /root; do
  [ -d $NEW$dir ] && mount -t tmpfs -o mode=1777 tmpfs $NEW$dir
done
# host directories that live under those scratch dirs (a checkout in /tmp, say) stay visible
for path in $(echo "$EXPOSE" | tr ',' ' '); do
  [ -d "/hostroot$path" ] || continue
  mkdir -p "$NEW$path" && mount --bind "/hostroot$path" "$NEW$path" || fail "cannot expose $path"
done
mkdir -p $NEW$SHARE
mount -t 9p -o rw,$OPTIONS,cache=mmap share $NEW$SHARE || fail "cannot mount the share $SHARE"
cut -d' ' -f1 /proc/uptime > $NEW$SHARE/.vm/uptime

chroot $NEW /bin/bash -c "cd '$SHARE' && . '$SHARE/.vm/command'" </dev/console >/dev/console 2>&1
echo $? > $NEW$SHARE/.vm/status
sync
umount $NEW$SHARE 2>/dev/null
poweroff -f
