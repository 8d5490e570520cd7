#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Full-system end-to-end test: a Debian 12 guest with systemd as PID 1,
# udevd, D-Bus, logind, polkit and ModemManager, booted on Debian's own
# kernel (the one boards run; MFW_SYSTEM_KERNEL=debug boots the debug kernel
# with KASAN, lockdep and kmemleak instead, as "make soak" does), where mfw
# is installed with "make install" (DKMS installs the module in the guest,
# from an archive DKMS built here for the guest's kernel) and a simulated
# ML307R-DC on a USB gadget is upgraded by udev and systemd alone.  tests/system/guest.sh
# holds the scenarios; this script prepares the payload disk, boots the
# guest, performs the hard reset it asks for, and prints one
# "PASS|FAIL system/<name>" line per verdict.
#
# With --demo the guest runs tests/system/demo.sh instead ("make demo"):
# the automatic upgrade narrated on this terminal.
#
# Environment: MFW_CACHE, MFW_OUT (see tests/vm/lib.sh),
# MFW_SYSTEM_TIMEOUT (seconds for the whole guest run, default 2700: a bound
# on a hang), MFW_SYSTEM_DKMS=guest (DKMS compiles the module in the guest
# instead), MFW_SYSTEM_KERNEL (stock, the default, or debug), MFW_TIMES
# (tests/run.sh's time table).
set -uo pipefail
. "$(dirname "$0")/../vm/lib.sh"
cd "$MFW_TOP"
demo=0
[ "${1:-}" = --demo ] && demo=1

out=$MFW_OUT/system$([ $demo = 0 ] || echo -demo)
rm -rf "$out"
mkdir -p "$out/payload/bin" "$out/payload/pkg"
log=$out/host.log
fail() { echo "FAIL system/$1"; [ -z "${2:-}" ] || echo "    $2"; }

# The kernel: its image, an initramfs if its disk drivers are modules, the
# host directory shared with the guest over 9p and, in the guest, the
# kernel's build tree inside that share (what /lib/modules/VER/build is on
# a board with the kernel's headers installed).
kind=${MFW_SYSTEM_KERNEL:-stock}
case $kind in
debug)
	kout=$(tests/vm/build-debug-kernel.sh 2>>"$log") || { fail debug-kernel "see $log"; exit 1; }
	kdir=$(dirname "$kout")
	kimage=$kout/arch/x86/boot/bzImage
	initrd=()
	share=$kdir kbuild=$kdir kbuild_tree=$kdir/out kbuild_links=
	;;
stock)
	kernel_info stock
	kimage=$KIMAGE
	tests/system/mkinitrd.sh "$KVER" "$out/initrd.gz" 2>>"$log" || { fail initrd "see $log"; exit 1; }
	initrd=(-initrd "$out/initrd.gz")
	# The headers package's tree links into /usr/lib/linux-kbuild-*:
	# the host's /usr, read-only, keeps both where the links expect them.
	hdrs=$(realpath "$KDIR")
	case $hdrs in
	/usr/*) ;;
	*) fail kernel-headers "$KDIR is not under /usr"; exit 1 ;;
	esac
	# Debian's headers tree names its siblings by absolute path (the
	# -common tree its Makefile includes, linux-kbuild's scripts): the
	# guest links each at its own path into the share, as installed
	# packages would put them, so that DKMS can also compile there
	# (MFW_SYSTEM_DKMS=guest).
	common=$(sed -n 's|^include \(/usr/src/[^ ]*\)/Makefile$|\1|p' "$hdrs/Makefile")
	kbuild_dir=$(dirname "$(realpath "$hdrs/scripts")")
	share=/usr kbuild=/run/mfw-hostusr kbuild_tree=$hdrs
	kbuild_links="$hdrs $common $kbuild_dir"
	;;
*) fail kernel "MFW_SYSTEM_KERNEL=$kind: stock or debug"; exit 1 ;;
esac
image=$(tests/vm/build-rootfs.sh 2>>"$log") || { fail rootfs "see $log"; exit 1; }

# --- what the guest's "make install" installs ------------------------------
# Userspace built here, in the build directory "make install" uses, with
# the prefix it installs to; the guest has Meson to install it but not
# the -dev packages to build it.
if ! { { [ -f build-install/build.ninja ] ||
	meson setup build-install --prefix=/usr --buildtype=release; } &&
	meson compile -C build-install; } >>"$log" 2>&1; then
	fail userspace-build "see $log"
	exit 1
fi
for b in build/userspace/mfw/mfw build/userspace/modemsim/mfw-modemsim; do
	[ -x "$b" ] && continue
	{ { [ -f build/build.ninja ] || meson setup build; } &&
	meson configure build -Dwerror=true && meson compile -C build; } \
		>>"$log" 2>&1 || { fail userspace-build "see $log"; exit 1; }
done
# The tree as it is (tracked and new files) at the same absolute path in
# the guest: Meson's build directory refers to it.
{ git ls-files -co --exclude-standard && find build-install; } |
	sed "s|^|${MFW_TOP#/}/|" |
	tar -C / -cf "$out/payload/src.tar" -T - || { fail payload "tar of the tree"; exit 1; }

# --- the module, built by DKMS here for the guest's kernel --------------------
# (MFW_SYSTEM_DKMS=guest leaves the build to DKMS in the guest, under TCG:
# several minutes more)
if [ "${MFW_SYSTEM_DKMS:-host}" != guest ]; then
	t1=$SECONDS
	if ! archive=$(tests/system/build-dkms-archive.sh "$kind" "$out/dkms" 2>>"$log"); then
		fail dkms-builds-the-module "see $log"
		exit 1
	elif [ -s "$out/dkms/warnings.txt" ]; then
		# A module that built with warnings still goes into the guest.
		fail dkms-builds-the-module "compiler warnings: $out/dkms/warnings.txt"
	else
		echo "PASS system/dkms-builds-the-module"
	fi
	cp "$archive" "$out/payload/mfw-dkms.tar.gz"
	[ -z "${MFW_TIMES:-}" ] || echo "$((SECONDS - t1)) build DKMS archive for the full-system guest" >>"$MFW_TIMES"
fi

# --- the vendor's packages -------------------------------------------------
family=ML307R-DC
V1=ML307R-DC-MBRH0S01 V2=ML307R-DC-MBRH0S02 V3=ML307R-DC-MBRH0S03 V4=ML307R-DC-MBRH0S04
pkg=$out/payload/pkg
mfw=build/userspace/mfw/mfw
openssl genpkey -algorithm ed25519 -out "$out/vendor.pem" 2>>"$log" &&
	openssl pkey -in "$out/vendor.pem" -pubout -out "$pkg/vendor.pub" 2>>"$log" ||
	{ fail payload "vendor key"; exit 1; }
for v in $V2 $V3 $V4; do
	# 128 KiB: about 11 s on the simulated module's 115200 baud line
	for ((i = 0; i < 4096; i++)); do printf 'package %s line %08d ---\n' "$v" "$i"; done |
		head -c $((128 * 1024 - 32)) >"$pkg/$v.bin"
	echo "MFWVER:$v" >>"$pkg/$v.bin"
	# One signature per package: the signed manifest binds the image.
	{ "$mfw" manifest create "$pkg/$v.bin" --family "$family" --version "$v" &&
		"$mfw" manifest sign "$pkg/$v.bin.manifest" --key "$out/vendor.pem"; } >>"$log" 2>&1 ||
		{ fail payload "manifest of $v"; exit 1; }
done

# --- the same through the fleet engines ---------------------------------------
# $V5 as a Mender artifact of type "mfw", $V6 as an SWUpdate .swu with
# images of type "mfw", and $V7 through each, a package the module refuses
# (its MD5 trailer is wrong: userspace/modemsim/pkg.c) though its manifest
# and signature are good.  32 KiB: about 3 s on the line.
# Documentation/mfw/mender.rst and swupdate.rst show the same steps.
V5=ML307R-DC-MBRH0S05 V6=ML307R-DC-MBRH0S06 V7=ML307R-DC-MBRH0S07
fleet_package() {
	local v=$1 trailer=$2 i
	# (whole lines: the trailer must start a line)
	for ((i = 0; i < 720; i++)); do printf 'fleet %s line %08d -----\n' "$v" "$i"; done >"$pkg/$v.bin" &&
		echo "$trailer" >>"$pkg/$v.bin" &&
		"$mfw" manifest create "$pkg/$v.bin" --family "$family" --version "$v" &&
		"$mfw" manifest sign "$pkg/$v.bin.manifest" --key "$out/vendor.pem"
}
mender_artifact() {
	(cd "$pkg" && mender-artifact write module-image -T mfw -t mfw-board \
		-n "mfw-$1" -o "$1.mender" -f "$1.bin" -f "$1.bin.manifest" -f "$1.bin.manifest.sig")
}
# The .swu: sw-description (the manifest, its signature, then the package,
# each an image of type "mfw"), signed with CMS, first in a newc cpio.
swu() {
	local v=$1 d=$out/swu-$1 f
	rm -rf "$d" && mkdir "$d" && cp "$pkg/$v.bin" "$pkg/$v.bin.manifest" "$pkg/$v.bin.manifest.sig" "$d/" || return 1
	{
		printf 'software = {\n\tversion = "%s";\n\thardware-compatibility: [ "1.0" ];\n\timages: (\n' "$v"
		for f in "$v.bin.manifest" "$v.bin.manifest.sig" "$v.bin"; do
			printf '\t\t{ filename = "%s"; type = "mfw"; sha256 = "%s"; }%s\n' \
				"$f" "$(sha256sum "$d/$f" | cut -d' ' -f1)" "$([ "$f" = "$v.bin" ] || echo ,)"
		done
		printf '\t);\n};\n'
	} >"$d/sw-description" &&
		openssl cms -sign -in "$d/sw-description" -out "$d/sw-description.sig" -outform DER \
			-signer "$out/swupdate.crt" -inkey "$out/swupdate.key" -nosmimecap -binary &&
		(cd "$d" && printf '%s\n' sw-description sw-description.sig "$v.bin.manifest" \
			"$v.bin.manifest.sig" "$v.bin" | cpio -o -H crc --quiet) >"$pkg/$v.swu"
}
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
		-keyout "$out/swupdate.key" -out "$pkg/swupdate.crt" -days 3650 \
		-subj "/CN=mfw fleet test" -addext extendedKeyUsage=emailProtection &&
		cp "$pkg/swupdate.crt" "$out/swupdate.crt" &&
		fleet_package $V5 "MFWVER:$V5" && fleet_package $V6 "MFWVER:$V6" &&
		fleet_package $V7 "MFWVER:$V7 md5=00000000000000000000000000000000" &&
		mender_artifact $V5 && mender_artifact $V7 && swu $V6 && swu $V7
} >>"$log" 2>&1 || { fail payload "fleet engines' update files (see $log)"; exit 1; }
rm -f "$pkg"/$V5.bin* "$pkg"/$V6.bin* "$pkg"/$V7.bin*

# --- the payload disk --------------------------------------------------------
p=$out/payload
if [ $demo = 1 ]; then
	cp tests/system/demo.sh "$p/run"
else
	cp tests/system/guest.sh "$p/run"
fi
cp tests/system/guest-lib.sh "$p/"
cp tests/system/mfw-sim-run tests/system/mfw-sim.service tests/system/50-mfw-tester.rules \
	tests/system/79-mfw-sim.rules "$p/"
cp build/userspace/modemsim/mfw-modemsim tests/vm/guest/mfw-gadget "$p/bin/"
cat >"$p/env" <<EOF
MFW_TOP=$MFW_TOP
KBUILD=$kbuild
KBUILD_TREE=$kbuild_tree
KBUILD_LINKS="$kbuild_links"
KERNEL_KIND=$kind
FAMILY=$family
V1=$V1 V2=$V2 V3=$V3 V4=$V4 V5=$V5 V6=$V6 V7=$V7
EOF
cat >"$p/mfw-sim.default" <<EOF
SIM_MODEL=$family
SIM_VERSION=$V1
SIM_BAUD=115200
SIM_BOOT_MS=3000
SIM_FLASH_MS=15000
EOF
size=$(($(du -s --block-size=1M "$p" | cut -f1) + 32))
mkfs.ext4 -q -F -L mfw-payload -d "$p" "$out/payload.ext4" "${size}M" >>"$log" 2>&1 ||
	{ fail payload "mkfs.ext4"; exit 1; }

# --- the guest -----------------------------------------------------------------
limit=${MFW_SYSTEM_TIMEOUT:-2700}
: >"$out/results.log"
if [ $demo = 1 ]; then
	# the narration, live on this terminal
	second_serial=file:/dev/stdout
	echo "mfw demo: booting the board (console log: $out/console.log)"
else
	second_serial=file:$out/results.log
fi
t0=$SECONDS
# The root disk is a throw-away snapshot: cache=unsafe lets the guest's
# fsync()s (journald, dpkg, DKMS) end in the host's page cache.  With
# them reaching the disk, the guest's boot stalled for minutes whenever
# other work on the machine was writing.
# la57=off: see tests/vm/run-vm.sh (KASAN and 5-level paging at boot).
# pci=noacpi: PCI interrupts from the BIOS's routing table.  Evaluating
# ACPI's _PRT under TCG with KASAN outlasts the AML loop timeout, and the
# device it was for (virtio, the 9p share) is left without an interrupt.
qemu-system-x86_64 \
	-machine pc -accel tcg -cpu max,la57=off -smp 2 -m 2048 \
	-display none -nodefaults -no-user-config \
	-monitor "unix:$out/monitor.sock,server=on,wait=off" \
	-serial "file:$out/console.log" -serial "$second_serial" \
	-kernel "$kimage" "${initrd[@]}" \
	-drive "file=$image,format=raw,if=virtio,snapshot=on,cache=unsafe" \
	-drive "file=$out/payload.ext4,format=raw,if=virtio,readonly=on" \
	-virtfs "local,path=$share,mount_tag=kbuild,security_model=none,readonly=on" \
	-append "root=/dev/vda rw console=ttyS0,115200 mfwrig.payload panic=0 printk.time=1 ignore_loglevel $MFW_GUEST_CMDLINE pci=noacpi systemd.default_device_timeout_sec=600" \
	2>"$out/qemu.log" &
qemu=$!

monitor() {
	/usr/bin/python3 - "$out/monitor.sock" "$1" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
time.sleep(0.2)
s.sendall((sys.argv[2] + "\n").encode())
time.sleep(0.5)
s.close()
PY
}

resets=0
timed_out=0 panicked=0
seen=0 last_verdict=$SECONDS
# QEMU's CPU time (user and system, in clock ticks) from its /proc entry,
# the last sample before it ended.
hz=$(getconf CLK_TCK) ticks=0 turn=0
while kill -0 $qemu 2>/dev/null; do
	turn=$((turn + 1))
	read -r -a st <"/proc/$qemu/stat" 2>/dev/null && ticks=$((st[13] + st[14]))
	n=$(stat -c %s "$out/results.log" 2>/dev/null || echo 0)
	[ "$n" = "$seen" ] || { seen=$n; last_verdict=$SECONDS; }
	n=$(tr -d '\r' <"$out/results.log" | grep -c '^mfw-system: reset$')
	if [ "$n" -gt "$resets" ]; then
		resets=$n
		echo "    (hard reset of the guest after $((SECONDS - t0)) s)"
		monitor system_reset >>"$log" 2>&1
	fi
	# A panic (with panic=0 the guest would sit there until the limit).
	if [ $((turn % 10)) = 0 ] && grep -aq 'Kernel panic - not syncing' "$out/console.log"; then
		panicked=1
	fi
	if [ $panicked = 1 ] || [ $((SECONDS - t0)) -gt "$limit" ]; then
		[ $panicked = 1 ] || timed_out=1
		monitor quit >>"$log" 2>&1
		sleep 5
		kill $qemu 2>/dev/null
		sleep 5
		kill -9 $qemu 2>/dev/null
		break
	fi
	sleep 1
done
wait $qemu 2>/dev/null
cpu=$((ticks / hz))
if [ $demo = 1 ]; then
	# The payload's unit reports the narration's exit status on the
	# console, behind the journal's timestamp and tag.
	[ $timed_out = 0 ] &&
		tr -d '\r' <"$out/console.log" | grep -aq 'mfw-rig-payload: exit 0$'
	exit
fi
echo "    (guest ran $((SECONDS - t0)) s, $cpu s of CPU, $resets hard reset(s))"
if [ -n "${MFW_TIMES:-}" ]; then
	echo "$((SECONDS - t0)) guest $kind-full-system (CPU $cpu s)" >>"$MFW_TIMES"
	tr -d '\r' <"$out/results.log" |
		sed -n 's|^TIME \([0-9]*\) \(.*\)|\1 system/\2|p' >>"$MFW_TIMES"
fi

tr -d '\r' <"$out/results.log" >"$out/results.txt"
# Verdicts, and the indented evidence a failure carries.
grep -E '^((PASS|FAIL|SKIP) |    )' "$out/results.txt" | sed -E 's/^(PASS|FAIL|SKIP) /\1 system\//'
if [ $timed_out = 1 ]; then
	# Where it was: the last verdict, how long before the limit it came,
	# and what the scenario said last.
	fail guest-finished "killed after ${limit} s, $((SECONDS - last_verdict)) s after its last verdict ($(tr -d '\r' <"$out/results.log" | grep -E '^(PASS|FAIL) ' | tail -n 1)); the scenario last said: $(tr -d '\r' <"$out/console.log" | grep -ao 'mfw-system\[[a-z]*\]: .*' | tail -n 1); tail of the console:"
	tail -n 40 "$out/console.log" | sed 's/^/    | /'
elif [ $panicked = 1 ]; then
	fail guest-finished "the guest's kernel panicked $((SECONDS - t0)) s in; tail of the console:"
	tail -n 40 "$out/console.log" | sed 's/^/    | /'
elif ! grep -q '^PASS uninstall/leaves-a-clean-system$\|^FAIL uninstall/leaves-a-clean-system$' "$out/results.txt"; then
	fail all-phases-ran "the guest stopped before its last phase; tail of the console:"
	tail -n 40 "$out/console.log" | sed 's/^/    | /'
else
	echo "PASS system/all-phases-ran"
fi
# The console mixes systemd's and the payload's lines with the kernel's;
# only the kernel's (timestamped) lines are checked for splats.
grep -aE '^\[ *[0-9]+\.[0-9]+\]' "$out/console.log" >"$out/kernel.log"
if tests/vm/splat-check.sh "$out/kernel.log"; then
	echo "PASS system/no-kernel-splat"
else
	echo "FAIL system/no-kernel-splat"
fi
