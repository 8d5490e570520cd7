#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Assemble the guest's initramfs at test time.
# Usage: mkinitramfs.sh KERNEL OUT TESTLIST [file...]
#   KERNEL    which kernel's modules to include (kernel_info in lib.sh)
#   OUT       the cpio archive to write (uncompressed: see below)
#   TESTLIST  lines "<name> <timeout> <command...>" run in order by the guest
#   file...   programs (and scripts) to put in /usr/bin, with the shared
#             libraries they need; "SRC=DEST" puts SRC at DEST instead
# Environment: MFW_MODULE (mfw.ko to include), MFW_EXTRA_MODULES (more
# modules to load after it, each "file.ko" or "file.ko:param=v,param=v"),
# MFW_GUEST_ENV (lines for /etc/mfw-rig/env), MFW_SYSROOT (where the
# libraries of a dynamically linked program of another architecture
# are, below).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 out=$2 tests=$3
shift 3
kernel_info "$kernel"

root=$(mktemp -d "${TMPDIR:-/tmp}/mfw-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT
chmod 0755 "$root"
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,etc/mfw-rig,lib/mfw,proc,sys,dev,tmp,run,root}
[ -x "$KBUSYBOX" ] || die "no busybox for $KARCH at $KBUSYBOX"
cp "$KBUSYBOX" "$root/bin/busybox"
install -m 0755 "$MFW_TOP/tests/vm/guest/init.sh" "$root/init"
cp "$tests" "$root/etc/mfw-rig/tests"
printf '%s\n' "${MFW_GUEST_ENV:-}" >"$root/etc/mfw-rig/env"
# Where the guest's /init writes the test output (run-vm.sh wires it to a
# file on the host): the x86 guests' third 16550; on the Arm guests the PL011 is
# the module's, and the output takes the second virtio console.
# That console (hvc0) comes up with its module: /init then gives it the
# kernel's log so far (console-late).
case $KARCH in
arm64 | armhf)
	echo /dev/hvc1 >"$root/etc/mfw-rig/out"
	echo /dev/hvc0 >"$root/etc/mfw-rig/console-late"
	;;
*) echo /dev/ttyS2 >"$root/etc/mfw-rig/out" ;;
esac
cat >"$root/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PW
cat >"$root/etc/group" <<'GR'
root:x:0:
tty:x:5:
dialout:x:20:
nogroup:x:65534:
GR

# Copy one file to the same path in the image.
put() {
	mkdir -p "$root$(dirname "$2")"
	cp -L "$1" "$root$2"
}

# sysroot_file PATH: PATH inside MFW_SYSROOT with its symbolic links
# followed there (an absolute link names a file of the sysroot, never of
# this machine); prints the host path of the file.
sysroot_file() {
	local p=$1 t n=0
	while [ -L "$MFW_SYSROOT$p" ] && [ $n -lt 20 ]; do
		t=$(readlink "$MFW_SYSROOT$p")
		case $t in
		/*) p=$t ;;
		*) p=$(dirname "$p")/$t ;;
		esac
		n=$((n + 1))
	done
	[ -f "$MFW_SYSROOT$p" ] || return 1
	echo "$MFW_SYSROOT$p"
}

# put_foreign SRC DEST: a program of the guest's architecture when that
# is not this machine's (the Arm guests'): a static one as it is, a
# dynamic one with its loader and every library it needs, transitively,
# from MFW_SYSROOT (tests/vm/fetch-sysroot.sh), where the guest's loader
# looks for them (Debian's multiarch directories).
put_foreign() {
	local src=$1 dest=$2 interp f n d p todo seen=' ' want
	# readelf's names of the guest's machines.
	case $KARCH in
	arm64) want=AArch64 ;;
	armhf) want=ARM ;;
	*) die "no foreign architecture $KARCH" ;;
	esac
	readelf -h "$src" | grep -q "Machine: *$want\$" ||
		die "$src is not a program for $KARCH ($(readelf -h "$src" | sed -n 's/^ *Machine: *//p')): build it with the $KARCH cross compiler"
	put "$src" "$dest"
	chmod 0755 "$root$dest"
	interp=$(readelf -l "$src" | sed -n 's/.*program interpreter: \(.*\)\]$/\1/p')
	[ -n "$interp" ] || return 0
	[ -n "${MFW_SYSROOT:-}" ] ||
		die "$src is dynamically linked: MFW_SYSROOT must name the sysroot it was built against"
	f=$(sysroot_file "$interp") || die "no loader $interp in $MFW_SYSROOT"
	[ -e "$root$interp" ] || put "$f" "$interp"
	todo=("$src")
	while [ ${#todo[@]} -gt 0 ]; do
		f=${todo[0]}
		todo=("${todo[@]:1}")
		for n in $(readelf -d "$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
			case $seen in *" $n "*) continue ;; esac
			seen="$seen$n "
			p=
			for d in /lib/$KTRIPLE /usr/lib/$KTRIPLE /lib /usr/lib; do
				if p=$(sysroot_file "$d/$n"); then
					[ -e "$root$d/$n" ] || put "$p" "$d/$n"
					break
				fi
			done
			[ -n "$p" ] || die "$src needs $n, which $MFW_SYSROOT does not have"
			todo+=("$p")
		done
	done
}

# A program plus every shared library it links, at their real paths.
put_elf() {
	local src=$1 dest=$2 lib
	if [ "$KARCH" != x86_64 ] && [ "$(head -c 4 "$src")" = $'\x7fELF' ]; then
		put_foreign "$src" "$dest"
		return
	fi
	put "$src" "$dest"
	chmod 0755 "$root$dest"
	if ldd "$src" >/dev/null 2>&1; then
		for lib in $(ldd "$src" | grep -oE '/[^ ]+' | sort -u); do
			[ -e "$root$lib" ] || put "$lib" "$lib"
		done
	fi
}

# Kernel modules: the transports' drivers where the kernel has them as
# modules (resolved with their dependencies by modprobe on the host), then
# mfw itself, then anything extra.
: >"$root/etc/mfw-rig/modules"
n=0
add_module() {
	local ko=$1 args=${2:-} name
	# A numbered name keeps the load order in a directory listing.
	name=$(module_copy "$ko" "$root/lib/mfw" "$(printf '%02d-' "$n")") || exit 1
	echo "/lib/mfw/$name $args" >>"$root/etc/mfw-rig/modules"
	n=$((n + 1))
}
if [ "$KARCH" != x86_64 ]; then
	# The Arm guests: their consoles (virtio on QEMU's virt board) and
	# the module on the PL011, which is built in; no USB gadget.  The
	# regulators of the module's supply (dts/onemo-qemu-virt-overlay.dts):
	# the fixed one is a module on arm64, built in on armhf; the GPIO one
	# a module on both.
	kos=$(module_deps "$KVER" virtio_mmio virtio_console fixed gpio-regulator) || exit 1
	for ko in $kos; do
		add_module "$ko"
	done
elif [ -n "$KMODS" ]; then
	kos=$(module_deps "$KVER" configfs dummy_hcd libcomposite usb_f_acm usb_f_serial \
		cdc-acm) || exit 1
	# Two UDCs (and two host controllers): two simulated modules side by
	# side (tests/vm/guest/mfw-gadget, MFW_GADGET).  Built in, dummy_hcd
	# takes num from the kernel command line (run-vm.sh).
	for ko in $kos; do
		case ${ko##*/} in
		dummy_hcd.ko*) add_module "$ko" num=2 ;;
		*) add_module "$ko" ;;
		esac
	done
fi
[ -z "${MFW_MODULE:-}" ] || add_module "$MFW_MODULE"
for ko in ${MFW_EXTRA_MODULES:-}; do
	add_module "${ko%%:*}" "$(echo "${ko#*:}" | grep -v '\.ko$' | tr , ' ')"
done

for f in "$@"; do
	case $f in
	*=*) put_elf "${f%%=*}" "${f#*=}" ;;
	*) put_elf "$f" "/usr/bin/$(basename "$f")" ;;
	esac
done

# Uncompressed: the guest's kernel then copies the files out of memory
# instead of inflating them under TCG (the debug kernel reached /init
# about 1.2 s sooner with a 7.7 MiB archive), and the host saves gzip.
(cd "$root" && find . -print0 | cpio --null -o -H newc --quiet) >"$out"
