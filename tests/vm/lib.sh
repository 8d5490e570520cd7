# SPDX-License-Identifier: GPL-2.0-only
# Shared helpers for the VM rig scripts (sourced, not run).
# shellcheck shell=bash

MFW_TOP=${MFW_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MFW_CACHE=${MFW_CACHE:-/var/cache/mfw}

die() { echo "mfw-rig: $*" >&2; exit 1; }
note() { echo "mfw-rig: $*" >&2; }

# Kernel arguments every rig guest boots with.  no_timer_check: TCG's
# timer interrupt fails the kernel's check.  watchdog_thresh=60: a TCG
# vCPU can go unscheduled for many seconds on a crowded host (a soft
# lockup was reported after 22 s inside clear_page_erms while the host
# ran five QEMUs on two cores), which says nothing of the guest's kernel;
# 120 s (twice the threshold) still bounds a real lockup, as the hung-task
# timeout does.  mitigations=off: the CPU-vulnerability mitigations
# (retpolines, RSB filling) guard nothing in an emulated guest and cost
# TCG time: the debug kernel's mfw_chan_test took 423 s instead of 443 s
# (CPU 477 s instead of 500 s), the two guests side by side in one run.
MFW_GUEST_CMDLINE="no_timer_check watchdog_thresh=60 mitigations=off"

# module_deps KVER MODULE...: the module files modprobe would insert for
# MODULE... on KVER (from /lib/modules/KVER, under $KMODROOT when
# kernel_info set one), dependencies first, each once, one path per line;
# fails naming a module KVER does not have.
module_deps() {
	local kver=$1 m
	shift
	for m in "$@"; do
		modprobe ${KMODROOT:+-d "$KMODROOT"} -S "$kver" --show-depends "$m" ||
			die "no module $m for $kver"
	done | awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

# module_copy KO DIR [PREFIX]: KO uncompressed into DIR, its name after
# PREFIX (Debian's kernels ship their modules xz-compressed, newer ones
# zstd; busybox's insmod reads only plain ones); prints the new name.
module_copy() {
	local ko=$1 name
	name=${3:-}$(basename "$ko")
	case $ko in
	*.xz) name=${name%.xz}; xz -dc "$ko" >"$2/$name" ;;
	*.zst) name=${name%.zst}; zstd -qdc "$ko" >"$2/$name" ;;
	*) cp "$ko" "$2/$name" ;;
	esac || die "cannot unpack $ko"
	echo "$name"
}

# Version of the kernel image/headers the amd64 metapackages pull in: the
# ABI name changes with security updates, so it is never written down.
stock_kernel_version() {
	local dep
	dep=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null) ||
		die "linux-image-amd64 is not installed"
	dep=${dep%%[ ,]*}
	echo "${dep#linux-image-}"
}

# cpu_seconds FILE: the children's user plus system time in whole seconds,
# from the output of bash's "times" in FILE (its second line, "XmY.YYYs
# XmY.YYYs"); 0 when FILE has none.
cpu_seconds() {
	sed -n 2p "$1" 2>/dev/null | awk '{
		t = 0
		for (i = 1; i <= 2; i++) {
			split($i, p, "m"); sub("s", "", p[2]); t += p[1] * 60 + p[2]
		}
		printf "%d\n", t + 0.5
	}' | grep . || echo 0
}

# guest_nice KERNEL: QEMU's nice value for a guest of KERNEL, unless the
# caller's variable says otherwise: the debug kernel's guests, the longest
# of a run, at the normal priority, every other at 5, so that the debug
# guests keep their cores when the others share them.
guest_nice() {
	[ "$1" = debug ] && echo 0 || echo 5
}

# private_apt ENTRY SUITE ARCH: an apt configuration of the cache's own
# ($MFW_CACHE/apt-ENTRY) for Debian SUITE's packages of ARCH (and of
# BUILD_ARCH, this machine's), its package lists read anew; sets aptopt,
# the options that select it.  The machine's own sources stay as they are.
private_apt() {
	local apt=$MFW_CACHE/apt-$1 suite=$2 arch=$3
	local keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	mkdir -p "$apt"/etc/apt.conf.d "$apt"/etc/preferences.d "$apt"/etc/sources.list.d \
		"$apt"/state/lists/partial "$apt"/cache/archives/partial
	printf 'deb [signed-by=%s] http://deb.debian.org/%s %s main\n' \
		"$keyring" debian "$suite" "$keyring" debian-security "$suite-security" \
		>"$apt/etc/sources.list"
	aptopt=(-o "Dir::Etc=$apt/etc" -o "Dir::State=$apt/state"
		-o "Dir::Cache=$apt/cache" -o Dir::State::status=/dev/null
		-o "APT::Architecture=$arch" -o "APT::Architectures::=$arch"
		-o "APT::Architectures::=$BUILD_ARCH" -o APT::Install-Recommends=0
		-o Debug::NoLocking=1 -o APT::Sandbox::User=root)
	note "reading Debian $suite's package lists ($arch)"
	# One reader of these lists at a time (the kernel and the sysroot
	# share them).
	flock "$apt/etc" apt-get "${aptopt[@]}" -qq update >&2 ||
		die "apt-get update for $suite failed: check that deb.debian.org is reachable (a proxy goes in $apt/etc/apt.conf.d) and that debian-archive-keyring is installed"
}

# This machine's Debian architecture: the kbuild tools of a foreign
# kernel's headers must run here.
BUILD_ARCH=$(dpkg --print-architecture)

# cache_entry_path: refuse a cache whose path a Makefile or a compiler's
# flags would split (kbuild's include lines, pkg-config's -I flags).
cache_entry_path() {
	case $MFW_CACHE in
	*[[:space:]]*) die "MFW_CACHE '$MFW_CACHE' holds a space: kbuild and pkg-config cannot use it; choose a path without one" ;;
	esac
}

# Version string of Debian's linux-source-6.1 package.
source_package_version() {
	dpkg-query -W -f='${Version}' "$1" 2>/dev/null || die "$1 is not installed"
}

source_tarball() {
	local t
	t=$(ls /usr/src/"$1".tar.xz 2>/dev/null | head -n 1)
	[ -n "$t" ] || die "/usr/src/$1.tar.xz not found"
	echo "$t"
}

# Where the rig keeps per-run artefacts (module builds, initramfs, logs).
MFW_OUT=${MFW_OUT:-$MFW_TOP/build-vm}

# Newest kernel release of one series whose headers are installed
# (/usr/src/linux-headers-RELEASE-amd64), e.g. newest_installed 6.12.
newest_installed() {
	local h
	h=$(ls -d /usr/src/linux-headers-"$1".*-amd64 2>/dev/null | sort -V | tail -n 1)
	[ -n "$h" ] || die "no linux-headers-$1 installed (scripts/install-deps.sh)"
	echo "${h#/usr/src/linux-headers-}"
}

# The rig's kernels: stock and debug (6.1, every test), and the matrix's
# other lines, on which the kernel selftests run (Documentation/mfw/
# platforms.rst).
MFW_KERNELS_MATRIX="5.10 6.12"

# kernel_info NAME: sets KVER, KIMAGE (bootable image), KDIR (module build
# dir), KMODS (module tree to take dependencies from, empty when every
# driver the rig needs is built in), KMODROOT (the root KMODS is under when
# it is not /), KMAKE_ARGS (what make needs besides -C and M=), KARCH (the
# guest's architecture: x86_64, arm64, armhf), KTRIPLE (its GNU triplet, the
# name of its multiarch library directory) and KBUSYBOX (a static busybox
# of that architecture) for the rig's kernel NAME.
kernel_info() {
	local dir
	KMODROOT= KMAKE_ARGS= KARCH=x86_64 KTRIPLE=x86_64-linux-gnu KBUSYBOX=/bin/busybox
	case $1 in
	stock)
		KVER=$(stock_kernel_version)
		KIMAGE=/boot/vmlinuz-$KVER
		KDIR=/lib/modules/$KVER/build
		KMODS=/lib/modules/$KVER
		;;
	debug)
		KDIR=$("$MFW_TOP/tests/vm/build-debug-kernel.sh")
		KIMAGE=$KDIR/arch/x86/boot/bzImage
		KVER=$(cat "$KDIR/include/config/kernel.release")
		KMODS=
		;;
	5.10)
		# Debian 11's, unpacked in the cache (tests/vm/fetch-kernel.sh).
		dir=$("$MFW_TOP/tests/vm/fetch-kernel.sh" bullseye) || die "no 5.10 kernel"
		KVER=$(cat "$dir/kver")
		KIMAGE=$dir/root/boot/vmlinuz-$KVER
		KDIR=$dir/root/usr/src/linux-headers-$KVER
		KMODROOT=$dir/root
		KMODS=$KMODROOT/lib/modules/$KVER
		# Its headers name gcc-10, which Debian 12 does not have; the
		# module builds with Debian 12's gcc (W=1 clean).
		KMAKE_ARGS=CC=gcc
		;;
	6.12)
		# Debian 12's 6.12 line, installed by scripts/install-deps.sh.
		KVER=$(newest_installed 6.12)
		KIMAGE=/boot/vmlinuz-$KVER
		KDIR=/usr/src/linux-headers-$KVER
		KMODS=/lib/modules/$KVER
		;;
	arm64 | armhf)
		# Debian 12's arm64 kernel, or its armhf one (armmp:
		# multiplatform ARMv7 boards, QEMU's virt among them), and their
		# headers, unpacked in the cache with this machine's kbuild tools
		# (tests/vm/fetch-kernel.sh); the module is cross-compiled.
		case $1 in
		arm64) KTRIPLE=aarch64-linux-gnu KMAKE_ARGS="ARCH=arm64" ;;
		armhf) KTRIPLE=arm-linux-gnueabihf KMAKE_ARGS="ARCH=arm" ;;
		esac
		KARCH=$1
		KMAKE_ARGS="$KMAKE_ARGS CROSS_COMPILE=$KTRIPLE-"
		dir=$("$MFW_TOP/tests/vm/fetch-kernel.sh" "bookworm-$1") || die "no $1 kernel"
		KVER=$(cat "$dir/kver")
		KIMAGE=$dir/root/boot/vmlinuz-$KVER
		KDIR=$dir/root/usr/src/linux-headers-$KVER
		KMODROOT=$dir/root
		KMODS=$KMODROOT/lib/modules/$KVER
		KBUSYBOX=$dir/root/bin/busybox
		;;
	*) die "unknown kernel '$1' (stock, debug, $MFW_KERNELS_MATRIX, arm64, armhf)" ;;
	esac
	[ -r "$KIMAGE" ] || die "kernel image $KIMAGE missing"
	[ -d "$KDIR" ] || die "kernel build dir $KDIR missing"
}

# Headers for kselftest_harness.h, taken from Debian's kernel source.
kselftest_headers() {
	local dir
	dir=$MFW_CACHE/kselftest-$(source_package_version linux-source-6.1)
	if [ ! -f "$dir/kselftest_harness.h" ]; then
		mkdir -p "$dir"
		tar -xJf "$(source_tarball linux-source-6.1)" -C "$dir" \
			--strip-components=4 --wildcards \
			'*/tools/testing/selftests/kselftest_harness.h' \
			'*/tools/testing/selftests/kselftest.h' >&2
	fi
	echo "$dir"
}
