#!/bin/busybox sh
# Stage 1 (in the initramfs): host root over 9p, read-only, with a tmpfs overlay on top;
# then switch_root into it and run stage 2 (pydrm.stage2=PATH on the kernel command line).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for mod in /mods/*.ko; do
    insmod "$mod" || echo "vm-init: insmod $mod failed"
done
fail() { echo "vm-init: $*"; echo o > /proc/sysrq-trigger; sleep 10; }
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose root /lower \
    || fail "cannot mount the host root over 9p"
mount -t tmpfs -o mode=0755 rw /rw
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot \
    || fail "cannot mount the overlay"
mkdir -p /newroot/mnt/out
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,cache=none out /newroot/mnt/out \
    || fail "cannot mount the results share"
stage2=
for arg in $(cat /proc/cmdline); do
    case "$arg" in pydrm.stage2=*) stage2=${arg#pydrm.stage2=} ;; esac
done
[ -n "$stage2" ] || fail "no pydrm.stage2= on the kernel command line"
umount /proc /sys
mount --move /dev /newroot/dev
exec switch_root /newroot /bin/sh "$stage2"
