#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build (or reuse) a Debian 12 root filesystem image for full-system guests:
# systemd as PID 1, udev, D-Bus and ModemManager, plus the libraries the
# `mfw` helper needs at run time, so the udev rules and systemd units in
# udev/ and systemd/ run the way they do on a board.
#
# The image is an ext4 file made with "mkfs.ext4 -d" (no loop mount), cached
# under $MFW_CACHE/rootfs-<key>/rootfs.ext4, where the key hashes this script,
# the package list and the stock kernel's version (its modules are copied in
# so the stock kernel can load drivers; the debug kernel has everything built
# in).  Prints the image's path on stdout.
#
# Boot it with -snapshot (the cached image is never written):
#   stock: qemu-system-x86_64 ... -kernel /boot/vmlinuz-$KVER \
#            -initrd /boot/initrd.img-$KVER \
#            -drive file=IMAGE,format=raw,if=virtio,snapshot=on \
#            -append "root=/dev/vda rw console=ttyS0,115200"
#   debug: the same without -initrd; the kernel needs the options listed in
#          Documentation/mfw/testing.rst (virtio block, ext4, cgroups, ...).
# With "mfwrig.payload" on the kernel command line (not "mfw.": the kernel
# would take that for a parameter of the mfw module) and a second disk (/dev/vdb,
# an ext4 image holding an executable "run"), the guest runs it once the
# system is up, copies its output to the console and powers off.
#
# Environment: MFW_CACHE (default /var/cache/mfw), MFW_DEBIAN_MIRROR (default:
# the first Debian mirror in /etc/apt/sources.list*).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

suite=bookworm
pkgs=(
	systemd systemd-sysv udev dbus modemmanager kmod
	# logind: polkitd (ModemManager's dependency) needs one, and
	# debootstrap does not resolve virtual packages
	libpam-systemd
	# what the mfw helper links at run time
	libgpiod2 libudev1 libmm-glib0 libssl3 libglib2.0-0 libcurl4
	libjson-glib-1.0-0
	# "make install" in the guest: DKMS installs the module there (built
	# on the host, or against the guest kernel's build tree, shared over
	# 9p) and Meson installs the userspace built on the host
	dkms make gcc libc6-dev meson ninja-build
	# fleet update engines, driving mfw through its Mender update module
	# and its SWUpdate handler (which reads mfw's JSON with lua-cjson)
	mender-client swupdate lua-cjson
	# tools for poking at a guest by hand
	gpiod usbutils procps iproute2 less
)

# The mirror this machine's apt uses (deb822 "URIs:" or one-line "deb").
mirror=${MFW_DEBIAN_MIRROR:-$(
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		grep -oE 'https?://[^ ]+/debian/?( |$)' | grep -v security |
		head -n 1 | tr -d ' ' || true
)}
mirror=${mirror:-http://deb.debian.org/debian}

kver=$(stock_kernel_version)
[ -d "/lib/modules/$kver/kernel" ] || die "stock kernel modules /lib/modules/$kver missing"
# Comment lines do not count: only what changes the build does.
key=$( (sed '/^[[:space:]]*#/d' "$0"; echo "$suite ${pkgs[*]} $kver") | sha256sum | cut -c1-16)
dir=$MFW_CACHE/rootfs-$key
img=$dir/rootfs.ext4

if [ -f "$dir/done" ]; then
	[ -z "${MFW_VERBOSE:-}" ] || note "rootfs: cached ($key)"
	echo "$img"
	exit 0
fi

command -v debootstrap >/dev/null || die "debootstrap is not installed"
command -v mkfs.ext4 >/dev/null || die "mkfs.ext4 (e2fsprogs) is not installed"
[ "$(id -u)" = 0 ] || die "debootstrap needs root (chroot, device nodes, ownership)"

mkdir -p "$MFW_CACHE"
exec 9>"$MFW_CACHE/rootfs.lock"
flock 9
if [ -f "$dir/done" ]; then
	echo "$img"
	exit 0
fi

note "rootfs: building Debian $suite from $mirror ($key); this takes several minutes once"
rm -rf "$dir"
mkdir -p "$dir"
tree=$dir/tree
log=$dir/build.log
t0=$SECONDS
if ! debootstrap --variant=minbase --components=main \
	--include="$(
		IFS=,
		echo "${pkgs[*]}"
	)" \
	"$suite" "$tree" "$mirror" >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "debootstrap failed; log in $log"
fi

# --- configuration of the guest -------------------------------------------
echo mfw-guest >"$tree/etc/hostname"
printf '127.0.0.1\tlocalhost\n127.0.1.1\tmfw-guest\n' >"$tree/etc/hosts"
printf '/dev/vda\t/\text4\trw,errors=remount-ro\t0\t1\n' >"$tree/etc/fstab"
# Empty machine-id: systemd makes one on every (snapshot) boot.
: >"$tree/etc/machine-id"
rm -f "$tree/var/lib/dbus/machine-id"
# Root logs in on the serial console without a password: a test guest.
chroot "$tree" passwd -d root >>"$log" 2>&1
mkdir -p "$tree/etc/systemd/system/serial-getty@ttyS0.service.d"
cat >"$tree/etc/systemd/system/serial-getty@ttyS0.service.d/autologin.conf" <<'EOF'
[Service]
ExecStart=
ExecStart=-/sbin/agetty --autologin root --keep-baud 115200,57600,38400,9600 %I $TERM
EOF
# Timers that would only add noise (and disk writes) to a short-lived guest.
chroot "$tree" systemctl mask apt-daily.timer apt-daily-upgrade.timer \
	e2scrub_all.timer e2scrub_reap.service fstrim.timer man-db.timer \
	systemd-timesyncd.service >>"$log" 2>&1 || true
# The fleet engines' daemons: the scenarios run "mender install" and
# "swupdate -i" standalone; a daemon would poll for a server that is not
# there, or hold SWUpdate's sockets.
chroot "$tree" systemctl mask mender-client.service swupdate.service \
	swupdate.socket swupdate-progress.service >>"$log" 2>&1 || true
chroot "$tree" systemctl set-default multi-user.target >>"$log" 2>&1

# The payload runner (see the header).
cat >"$tree/usr/local/sbin/mfw-rig-payload" <<'EOF'
#!/bin/sh
# Run /dev/vdb's "run" with its directory as the working directory; its exit
# code is printed as the last console line, then the guest powers off.
mkdir -p /run/mfw-payload
if mount -o ro /dev/vdb /run/mfw-payload; then
	cd /run/mfw-payload && ./run
	rc=$?
else
	rc=125
fi
echo "mfw-rig-payload: exit $rc"
systemctl --no-block poweroff
EOF
chmod 0755 "$tree/usr/local/sbin/mfw-rig-payload"
cat >"$tree/etc/systemd/system/mfw-rig-payload.service" <<'EOF'
[Unit]
Description=Run the test payload from the second disk
ConditionKernelCommandLine=mfwrig.payload
Requires=dev-vdb.device
After=dev-vdb.device multi-user.target

[Service]
# Not oneshot: the boot finishes without waiting for the payload, so a
# payload can wait for it ("systemctl is-system-running --wait").
Type=exec
ExecStart=/usr/local/sbin/mfw-rig-payload
StandardOutput=journal+console
StandardError=journal+console

[Install]
WantedBy=multi-user.target
EOF
chroot "$tree" systemctl enable mfw-rig-payload.service >>"$log" 2>&1

# The stock kernel's modules, without the hardware classes a guest never
# has (the image stays about half the size); depmod for what is left.
mods=$tree/lib/modules/$kver
mkdir -p "$mods"
rsync -a --exclude=/build --exclude=/source \
	--exclude=/kernel/drivers/gpu --exclude=/kernel/drivers/media \
	--exclude=/kernel/drivers/net/wireless --exclude=/kernel/drivers/net/ethernet \
	--exclude=/kernel/drivers/infiniband --exclude=/kernel/drivers/staging \
	--exclude=/kernel/sound --exclude=/kernel/drivers/bluetooth \
	--exclude=/kernel/net/bluetooth --exclude=/kernel/drivers/scsi \
	--exclude=/kernel/drivers/md --exclude=/kernel/drivers/iio \
	"/lib/modules/$kver/" "$mods/"
depmod -b "$tree" "$kver"

chroot "$tree" apt-get clean >>"$log" 2>&1
rm -rf "$tree"/var/lib/apt/lists/* "$tree"/var/cache/apt/*.bin \
	"$tree"/var/log/*.log "$tree"/var/cache/debconf/*-old

# --- the image ------------------------------------------------------------
# Room for the guest's writes (journal, a firmware image or two) on top of
# what the tree holds.
used=$(du -s --block-size=1M "$tree" | cut -f1)
size=$((used + used / 4 + 256))
if ! mkfs.ext4 -q -F -L mfw-root -d "$tree" "$img.tmp" "${size}M" >>"$log" 2>&1; then
	tail -n 20 "$log" >&2
	die "mkfs.ext4 -d failed; log in $log"
fi
mv "$img.tmp" "$img"
rm -rf "$tree"
touch "$dir/done"
for old in "$MFW_CACHE"/rootfs-*; do
	[ "$old" = "$dir" ] || [ ! -d "$old" ] || rm -rf "$old"
done
note "rootfs: built in $((SECONDS - t0)) s, $(du -h --apparent-size "$img" | cut -f1) image ($(du -h "$img" | cut -f1) on disk)"
echo "$img"
