#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Full-system end-to-end test: a Debian 12 guest with systemd as PID 1,
# udevd, D-Bus, logind, polkit and ModemManager, booted on Debian's own
# kernel (the one boards run; MFW_SYSTEM_KERNEL=debug boots the debug kernel
# with KASAN, lockdep and kmemleak instead, as "make soak" does), where mfw
# is installed from its Debian packages (debian/: the helper and the module
# prebuilt for the guest's kernel, with apt-get install) and a simulated
# ML307R-DC on a USB gadget is upgraded by udev and systemd alone; purging
# the packages must leave the file system as it was, and mfw-dkms then
# installs the module through DKMS.  tests/system/guest.sh holds the
# scenarios; this script prepares the payload disk, boots the guest,
# performs the hard reset it asks for, and prints one "PASS|FAIL
# system/<name>" line per verdict.
#
# With --demo the guest runs tests/system/demo.sh instead ("make demo"):
# the automatic upgrade narrated on this terminal.
#
# The packages come from tests/style/debian.sh in $MFW_OUT/debian (make
# check builds them first); when they are missing, or were built from
# another tree or for another kernel, this script builds them there.
#
# DKMS in the guest: its build of the module under TCG takes minutes.  A
# build that passed is remembered in the cache (MFW_CACHE/dkms-guest),
# keyed by the mfw-dkms package's sources, the kernel and its build tree,
# and the root file system (dkms, gcc); with the same key the guest's
# mfw-dkms loads an archive that dkms built here from the same package
# instead (tests/system/build-dkms-archive.sh).
#
# Environment: MFW_CACHE, MFW_OUT (see tests/vm/lib.sh),
# MFW_SYSTEM_TIMEOUT (seconds for the whole guest run, default 2700: a bound
# on a hang), MFW_SYSTEM_DKMS=guest (DKMS compiles the module in the guest
# whatever the cache holds), MFW_SYSTEM_KERNEL (stock, the default, or
# debug), MFW_SYSTEM_NICE (QEMU's nice value, below), MFW_TIMES
# (tests/run.sh's time table).
set -uo pipefail
. "$(dirname "$0")/../vm/lib.sh"
cd "$MFW_TOP"
demo=0 demo_t0=$SECONDS
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
	kernel_info debug
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
[ $demo = 0 ] || echo "mfw demo: the board's root file system (Debian 12 by debootstrap, built once into $MFW_CACHE: a minute or two the first time; log: $log)"
image=$(tests/vm/build-rootfs.sh 2>>"$log") || { fail rootfs "see $log"; exit 1; }

# --- mfw's packages, and the DKMS archive ----------------------------------------
# The helper and the simulator, built here: the package payloads below
# are made with the helper; the guest runs the simulator.
for b in build/userspace/mfw/mfw build/userspace/modemsim/mfw-modemsim; do
	[ -x "$b" ] && continue
	[ $demo = 0 ] || echo "mfw demo: building the helper and the simulator (meson, in build/; log: $log)"
	{ { [ -f build/build.ninja ] || meson setup build; } &&
	meson configure build -Dwerror=true && meson compile -C build; } \
		>>"$log" 2>&1 || { fail userspace-build "see $log"; exit 1; }
done
debs=$MFW_OUT/debian
t1=$SECONDS
[ $demo = 0 ] || echo "mfw demo: mfw's Debian packages for $KVER (built unless $debs has this tree's; log: $log)"
if ! KVERS=$KVER KSRC=$KDIR DEB_BUILD_OPTIONS=nocheck tests/style/debian.sh --reuse "$debs" >>"$log" 2>&1; then
	fail debian-packages "tests/style/debian.sh failed (see $log)"
	exit 1
fi
[ $((SECONDS - t1)) -lt 5 ] || echo "    (Debian packages built in $((SECONDS - t1)) s)"
mkdir -p "$out/payload/deb"
# (the one file of each: debian.sh leaves one build in $debs)
deb_of() {
	# shellcheck disable=SC2086 # the pattern
	set -- "$debs"/$1
	[ -f "$1" ] && echo "$1"
}
helper_deb=$(deb_of "mfw_*.deb") &&
	modules_deb=$(deb_of "mfw-modules-${KVER}_*.deb") &&
	dkms_deb=$(deb_of "mfw-dkms_*.deb") ||
	{ fail debian-packages "mfw, mfw-modules-$KVER or mfw-dkms missing in $debs"; exit 1; }
cp "$helper_deb" "$modules_deb" "$dkms_deb" "$out/payload/deb/" ||
	{ fail payload "copy the packages"; exit 1; }
dkms_hit=
if [ $demo = 0 ]; then
	t1=$SECONDS
	if ! archive=$(tests/system/build-dkms-archive.sh "$kind" "$out/dkms" "$dkms_deb" 2>>"$log"); then
		fail dkms-builds-the-module "see $log"
		exit 1
	elif [ -s "$out/dkms/warnings.txt" ]; then
		# A module that built with warnings still goes into the guest.
		fail dkms-builds-the-module "compiler warnings: $out/dkms/warnings.txt"
	else
		echo "PASS system/dkms-builds-the-module"
	fi
	[ -z "${MFW_TIMES:-}" ] || echo "$((SECONDS - t1)) build DKMS archive for the full-system guest" >>"$MFW_TIMES"
	# The key of the guest's own DKMS build: the package (its sources as
	# unpacked for the archive, and its maintainer scripts), the kernel
	# and its build tree (for Debian's, the headers and kbuild packages'
	# versions), the root file system (its cache entry and that image's
	# date: dkms, gcc, make) and how the guest sets the build tree up
	# (guest-lib.sh).
	dkms_key=$({
		(cd "$out/dkms/root" && find . -type f -print0 | sort -z | xargs -0 sha256sum)
		rm -rf "$out/dkms/control" && dpkg-deb -e "$dkms_deb" "$out/dkms/control" &&
			cat "$out/dkms/control"/*
		echo "$KVER $(realpath "$KDIR") $image $(stat -c '%Y %s' "$image")"
		[ "$kind" != stock ] ||
			dpkg-query -W -f '${Package} ${Version}\n' "linux-headers-$KVER" 'linux-kbuild-*'
		sha256sum tests/system/guest-lib.sh
	} | sha256sum | cut -c1-16)
	dkms_cache=$MFW_CACHE/dkms-guest/$dkms_key
	if [ "${MFW_SYSTEM_DKMS:-}" != guest ] && [ -f "$dkms_cache/passed" ]; then
		dkms_hit=$(cat "$dkms_cache/passed")
		cp "$archive" "$out/payload/deb/mfw-dkms.tar.gz"
	fi
fi

# --- the vendor's packages -------------------------------------------------
family=ML307R-DC
V1=ML307R-DC-MBRH0S01 V2=ML307R-DC-MBRH0S02 V3=ML307R-DC-MBRH0S03 V4=ML307R-DC-MBRH0S04
pkg=$out/payload/pkg
mfw=build/userspace/mfw/mfw
openssl genpkey -algorithm ed25519 -out "$out/vendor.pem" 2>>"$log" &&
	openssl pkey -in "$out/vendor.pem" -pubout -out "$pkg/vendor.pub" 2>>"$log" ||
	{ fail payload "vendor key"; exit 1; }
# make_package VERSION LINES TRAILER: a package of LINES whole lines of 45
# bytes, then the TRAILER line (userspace/modemsim/pkg.c: the version the
# module boots, and an MD5 it checks), with its manifest signed by the
# vendor: one signature per package, the signed manifest binds the image.
make_package() {
	local v=$1 n=$2 i
	for ((i = 0; i < n; i++)); do printf 'package %s line %08d ---\n' "$v" "$i"; done >"$pkg/$v.bin" &&
		echo "$3" >>"$pkg/$v.bin" &&
		"$mfw" manifest create "$pkg/$v.bin" --family "$family" --version "$v" &&
		"$mfw" manifest sign "$pkg/$v.bin.manifest" --key "$out/vendor.pem"
}
# 128 KiB: about 11 s on the simulated module's 115200 baud line
for v in $V2 $V3 $V4; do
	make_package "$v" 2912 "MFWVER:$v" >>"$log" 2>&1 || { fail payload "manifest of $v"; exit 1; }
done

# --- the same through the fleet engines ---------------------------------------
# $V5 as a Mender artifact of type "mfw", $V6 as an SWUpdate .swu with
# images of type "mfw", and $V7 through each, a package the module refuses
# (its MD5 trailer is wrong: userspace/modemsim/pkg.c) though its manifest
# and signature are good.  32 KiB: about 3 s on the line.
# Documentation/mfw/mender.rst and swupdate.rst show the same steps.
V5=ML307R-DC-MBRH0S05 V6=ML307R-DC-MBRH0S06 V7=ML307R-DC-MBRH0S07
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
		make_package $V5 720 "MFWVER:$V5" && make_package $V6 720 "MFWVER:$V6" &&
		make_package $V7 720 "MFWVER:$V7 md5=00000000000000000000000000000000" &&
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
	# the narration, copied to this terminal as it comes (the loop below)
	second_serial=$out/narration.log
	: >"$out/narration.log"
	echo "mfw demo: booting the board (console log: $out/console.log)"
else
	second_serial=$out/results.log
fi
# The root disk: a sparse copy of the cached image for this run, so that
# it outlives each QEMU process (below).  cache=unsafe lets the guest's
# fsync()s (journald, dpkg, DKMS) end in the host's page cache.  With
# them reaching the disk, the guest's boot stalled for minutes whenever
# other work on the machine was writing.
cp --sparse=always "$image" "$out/root.img" >>"$log" 2>&1 ||
	{ fail guest-started "cannot copy the root file system's image (see $log)"; exit 1; }
: >"$out/console.log"
t0=$SECONDS
# la57=off: see tests/vm/run-vm.sh (KASAN and 5-level paging at boot).
# pci=noacpi: PCI interrupts from the BIOS's routing table.  Evaluating
# ACPI's _PRT under TCG with KASAN outlasts the AML loop timeout, and the
# device it was for (virtio, the 9p share) is left without an interrupt.
# Every boot is a QEMU process of its own (-no-reboot: the guest's reboot
# ends it, and the loop below starts the next one; a hard reset kills it
# the way a power cut would).  A guest rebooted inside one TCG process
# has spun for many minutes at one instruction of its early boot
# (alg_test, init's page faults: RCU stalls), while every first boot ran
# normally.  The serial logs are appended to across boots.
# On Debian's kernel QEMU runs at nice 5, as the other guests beside the
# debug kernel's do (tests/vm/run-vm.sh), on the debug kernel at the
# normal priority; MFW_SYSTEM_NICE, or else MFW_VM_NICE, sets it.
nice=${MFW_SYSTEM_NICE:-${MFW_VM_NICE:-$(guest_nice "$kind")}}
boot() {
	con_start=$(stat -c %s "$out/console.log")
	nice -n "$nice" qemu-system-x86_64 \
		-machine pc -accel tcg -cpu max,la57=off -smp 2 -m 2048 \
		-display none -nodefaults -no-user-config -no-reboot \
		-monitor "unix:$out/monitor.sock,server=on,wait=off" \
		-chardev "file,id=console,path=$out/console.log,append=on" -serial chardev:console \
		-chardev "file,id=second,path=$second_serial,append=on" -serial chardev:second \
		-kernel "$kimage" "${initrd[@]}" \
		-drive "file=$out/root.img,format=raw,if=virtio,cache=unsafe" \
		-drive "file=$out/payload.ext4,format=raw,if=virtio,readonly=on" \
		-virtfs "local,path=$share,mount_tag=kbuild,security_model=none,readonly=on" \
		-append "root=/dev/vda rw console=ttyS0,115200 mfwrig.payload panic=0 printk.time=1 ignore_loglevel $MFW_GUEST_CMDLINE pci=noacpi systemd.default_device_timeout_sec=600" \
		2>>"$out/qemu.log" &
	qemu=$!
	boots=$((boots + 1))
}
# ended: reap the QEMU process that ended, adding up its CPU time.
ended() {
	wait $qemu 2>/dev/null
	cpu_ticks=$((cpu_ticks + ticks))
	ticks=0
}
# rebooted: the boot that just ended asked for a reboot (the kernel's
# last words on this boot's part of the console).
rebooted() {
	tail -c +$((con_start + 1)) "$out/console.log" | grep -aq 'reboot: Restarting system'
}
boots=0 cpu_ticks=0
: >"$out/qemu.log"
boot

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

# narrate: in the demo, copy what the guest narrated since the last call
# to this terminal; until it says something, a line on the boot every
# 15 s.
shown=0
narrate() {
	local n
	n=$(stat -c %s "$out/narration.log" 2>/dev/null || echo 0)
	if [ "$n" -gt "$shown" ]; then
		tail -c +$((shown + 1)) "$out/narration.log" | head -c $((n - shown))
		shown=$n
	elif [ $shown = 0 ] && [ $((turn % 15)) = 0 ]; then
		echo "mfw demo: the board is still booting ($((SECONDS - t0)) s; $(tr -d '\r' <"$out/console.log" |
			sed -e 's/\x1b\[[0-9;]*m//g' -n -e 's/.*\(Started\|Reached target\) \(.*\)\.$/\1 \2/p' |
			tail -n 1 | cut -c1-60))"
	fi
}
resets=0
timed_out=0 panicked=0
seen=0 last_verdict=$SECONDS
# QEMU's CPU time (user and system, in clock ticks) from its /proc entry,
# the last sample before it ended.
hz=$(getconf CLK_TCK) ticks=0 turn=0
while :; do
	if ! kill -0 $qemu 2>/dev/null; then
		ended
		# The guest rebooted: the next boot, within the limit.
		if rebooted && [ $boots -lt 8 ] && [ $((SECONDS - t0)) -le "$limit" ]; then
			boot
			continue
		fi
		break
	fi
	turn=$((turn + 1))
	[ $demo = 0 ] || narrate
	read -r -a st <"/proc/$qemu/stat" 2>/dev/null && ticks=$((st[13] + st[14]))
	n=$(stat -c %s "$out/results.log" 2>/dev/null || echo 0)
	[ "$n" = "$seen" ] || { seen=$n; last_verdict=$SECONDS; }
	n=$(tr -d '\r' <"$out/results.log" | grep -c '^mfw-system: reset$')
	if [ "$n" -gt "$resets" ]; then
		resets=$n
		echo "    (hard reset of the guest after $((SECONDS - t0)) s)"
		# Power gone: QEMU ends at once, what the guest had not
		# written is lost, and the next boot starts from the disk.
		monitor quit >>"$log" 2>&1
		i=0
		while kill -0 $qemu 2>/dev/null && [ $i -lt 20 ]; do sleep 0.5; i=$((i + 1)); done
		kill -9 $qemu 2>/dev/null
		ended
		boot
		continue
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
cpu=$(((cpu_ticks + ticks) / hz))
rm -f "$out/root.img"
if [ $demo = 1 ]; then
	narrate
	# The payload's unit reports the narration's exit status on the
	# console, behind the journal's timestamp and tag.
	if [ $timed_out = 0 ] &&
		tr -d '\r' <"$out/console.log" | grep -aq 'mfw-rig-payload: exit 0$'; then
		echo "mfw demo: done in $((SECONDS - demo_t0)) s (the board ran $((SECONDS - t0)) s of it)"
		exit 0
	fi
	echo "mfw demo: failed after $((SECONDS - demo_t0)) s; the board's console: $out/console.log"
	exit 1
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
elif ! grep -q '^PASS dkms/purge-leaves-a-clean-system$\|^FAIL dkms/purge-leaves-a-clean-system$' "$out/results.txt"; then
	fail all-phases-ran "the guest stopped before its last phase; tail of the console:"
	tail -n 40 "$out/console.log" | sed 's/^/    | /'
else
	echo "PASS system/all-phases-ran"
fi
# The guest's own DKMS build: remembered when it passed, or its verdict
# from the cache when the guest loaded the archive instead.
if [ -n "$dkms_hit" ]; then
	echo "PASS system/dkms/built-on-the-board"
	echo "    (cached $dkms_cache: $dkms_hit; MFW_SYSTEM_DKMS=guest builds it again)"
elif [ -n "${dkms_cache:-}" ]; then
	if grep -qx 'PASS dkms/built-on-the-board' "$out/results.txt" &&
		grep -qx 'PASS dkms/module-loads' "$out/results.txt"; then
		secs=$(sed -n 's/^TIME \([0-9]*\) apt-get install mfw-dkms (DKMS build)$/\1/p' "$out/results.txt")
		mkdir -p "$dkms_cache" &&
			echo "passed on $(date -u '+%F %H:%M') UTC, the build took ${secs:-?} s in the guest" >"$dkms_cache/passed"
	else
		# (a build forced with MFW_SYSTEM_DKMS=guest that failed)
		rm -rf "$dkms_cache"
	fi
fi
# The console mixes systemd's and the payload's lines with the kernel's;
# only the kernel's (timestamped) lines are checked for splats.
grep -aE '^\[ *[0-9]+\.[0-9]+\]' "$out/console.log" >"$out/kernel.log"
if tests/vm/splat-check.sh "$out/kernel.log"; then
	echo "PASS system/no-kernel-splat"
else
	echo "FAIL system/no-kernel-splat"
fi
