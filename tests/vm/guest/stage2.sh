#!/bin/sh
# Stage 2 (host root, overlay): mount the usual file systems, run /mnt/out/cmd.sh from the
# directory in /mnt/out/cwd, write its exit code to /mnt/out/exit_code, power off.
mount -t proc proc /proc
mount -t sysfs sys /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o gid=5,mode=620 devpts /dev/pts
mount -t tmpfs -o mode=1777 shm /dev/shm
mount -t tmpfs -o mode=0755 run /run
# A fresh /tmp, except that a checkout under the host's /tmp (a CI clone, say) must stay
# visible at its own path: the venv and the code run from there.
cwd=$(cat /mnt/out/cwd)
case "$cwd" in
    /tmp/*)
        mkdir -p /run/host-tmp
        mount --bind /tmp /run/host-tmp
        mount -t tmpfs -o mode=1777 tmp /tmp
        mkdir -p "$cwd"
        mount --bind "/run/host-tmp${cwd#/tmp}" "$cwd"
        ;;
    *) mount -t tmpfs -o mode=1777 tmp /tmp ;;
esac
mount -t tmpfs -o mode=0755 varlog /var/log
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname pydrm-vm
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root
export XDG_RUNTIME_DIR=/run/user/0 PYDRM_VM=1
mkdir -p -m 0700 /run/user/0
cut -d' ' -f1 /proc/uptime > /mnt/out/stage2_uptime
cd "$cwd" || cd /
sh /mnt/out/cmd.sh
echo $? > /mnt/out/exit_code
sync
echo o > /proc/sysrq-trigger
while :; do :; done  # poweroff is under way; init must not exit
