#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# mkinitrd.sh KVER OUT: the smallest initramfs that boots the full-system
# guest's root file system (tests/vm/build-rootfs.sh) on Debian's own kernel
# KVER, whose virtio, ext4 and 9p drivers are modules: busybox loads them
# (with the dependencies modprobe resolves on the host, from
# /lib/modules/KVER), mounts /dev/vda and hands over to systemd.  A board's
# initramfs-tools image does the same and more; this one takes a second to
# make and nothing from the machine's /boot.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

kver=$1 out=$2
[ -d "/lib/modules/$kver/kernel" ] || die "mkinitrd: /lib/modules/$kver missing"

root=$(mktemp -d "${TMPDIR:-/tmp}/mfw-initrd.XXXXXX")
trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,dev,proc,sys,newroot,lib/modules}
cp /bin/busybox "$root/bin/busybox"
ln -s busybox "$root/bin/sh"

# virtio_pci finds the disks and the 9p share, virtio_blk and ext4 mount
# the root; 9p mounts the kernel's build tree later (from the root file
# system's /lib/modules, where the same modules are).
: >"$root/modules"
kos=$(module_deps "$kver" virtio_pci virtio_blk ext4)
for ko in $kos; do
	module_copy "$ko" "$root/lib/modules" >>"$root/modules"
done

cat >"$root/init" <<'EOF'
#!/bin/sh
# Load the root disk's drivers, mount it, start systemd there.
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
while read -r m; do
	/bin/busybox insmod "/lib/modules/$m" || echo "mfw-initrd: insmod $m failed"
done </modules
# The disk appears once virtio has probed: bounded by the wait below.
n=0
while [ ! -b /dev/vda ] && [ $n -lt 300 ]; do
	/bin/busybox sleep 0.1
	n=$((n + 1))
done
# Whatever fails here powers the guest off: the host reports the phases
# that never ran, with this line on the console, at once rather than at
# its time limit.
if ! /bin/busybox mount -t ext4 -o rw /dev/vda /newroot; then
	echo "mfw-initrd: cannot mount /dev/vda; powering off"
	/bin/busybox poweroff -f
fi
# (/sbin/init is a link to an absolute path, which only resolves there)
if [ ! -L /newroot/sbin/init ] && [ ! -x /newroot/sbin/init ]; then
	echo "mfw-initrd: /dev/vda has no /sbin/init; powering off"
	/bin/busybox poweroff -f
fi
/bin/busybox umount /proc /sys
/bin/busybox mount --move /dev /newroot/dev
# switch_root must run as PID 1: if it fails after this, the kernel
# panics, and tests/system/run.sh stops the guest when it sees that.
exec /bin/busybox switch_root /newroot /sbin/init
EOF
chmod 0755 "$root/init"
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) | gzip -1 >"$out"
