#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build mfw with DKMS on the host, at native speed, for one of the rig's
# kernels, and pack source and module into a DKMS archive (dkms mktarball).
# The full-system guest's mfw-dkms package loads it (dkms ldtarball, from
# /usr/share/mfw-dkms), the way a board without a compiler takes a module
# built elsewhere, instead of compiling for minutes under TCG, once its
# own build of the same package passed (tests/system/run.sh); "make
# install DKMS_ARCHIVE=..." takes it too.  The same dkms and gcc as the
# guest's (both Debian 12), the same dkms.conf and sources, the same
# kernel build tree.
#
# dkms keeps its state in /var/lib/dkms and reads /etc/dkms: both are
# private here (a mount namespace with a tmpfs and a bind mount), so the
# host's DKMS is never touched.  Module signing is off, as on the guest,
# whose kernel has no module signature support.
#
# Usage: build-dkms-archive.sh stock|debug OUTDIR [MFW_DKMS_DEB]
# With MFW_DKMS_DEB, the sources are that mfw-dkms package's (what its
# postinst would build on a board); without, "make dkms-source"'s.
# OUTDIR is made anew: it must be absent, empty, or an earlier OUTDIR of
# this script.  Prints the archive's path on stdout; compiler warnings, if
# any, are left in OUTDIR/warnings.txt (the archive is made all the same).
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

[ $# = 2 ] || [ $# = 3 ] || die "usage: $0 stock|debug OUTDIR [MFW_DKMS_DEB]"
kernel=$1
out=$(realpath -m "$2")
if [ -e "$out" ] && [ ! -e "$out/.mfw-dkms-archive" ] &&
	[ -n "$(ls -A "$out" 2>/dev/null)" ]; then
	die "$out is not empty and not one of this script's directories; give a new one"
fi
command -v dkms >/dev/null || die "dkms is not installed (scripts/install-deps.sh installs it)"
command -v unshare >/dev/null || die "unshare (util-linux) is missing"
# The mount points of the private DKMS state: the dkms package makes both.
[ -d /var/lib/dkms ] && [ -d /etc/dkms ] ||
	die "/var/lib/dkms or /etc/dkms is missing: reinstall the dkms package"
kernel_info "$kernel"
ver=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$MFW_TOP/meson.build")
[ -n "$ver" ] || die "no version in meson.build"

rm -rf "$out"
mkdir -p "$out/etc-dkms" "$out/state"
touch "$out/.mfw-dkms-archive"
if [ -n "${3:-}" ]; then
	dpkg-deb -x "$3" "$out/root" || die "cannot unpack $3"
	[ -f "$out/root/usr/src/mfw-$ver/dkms.conf" ] ||
		die "$3 holds no /usr/src/mfw-$ver/dkms.conf: not mfw-dkms $ver"
else
	make -s -C "$MFW_TOP" dkms-source DESTDIR="$out/root" >&2
fi
printf '# mfw rig: build without signing, like the guest\nsign_file="/nonexistent"\n' \
	>"$out/etc-dkms/framework.conf"
archive=$out/mfw-$ver-$KVER-dkms.tar.gz
log=$out/dkms.log

# shellcheck disable=SC2016 # expanded by the inner shell
if ! unshare -m sh -c '
	set -e
	mount --make-rprivate /
	mount --bind "$1/state" /var/lib/dkms
	mount --bind "$1/etc-dkms" /etc/dkms
	dkms add -m mfw -v "$2" --sourcetree "$1/root/usr/src"
	dkms build -m mfw -v "$2" -k "$3" --kernelsourcedir "$4" \
		--sourcetree "$1/root/usr/src"
	dkms mktarball -m mfw -v "$2" -k "$3" --sourcetree "$1/root/usr/src" \
		--archive "$5"
' sh "$out" "$ver" "$KVER" "$KDIR" "$archive" >"$log" 2>&1; then
	cat "$log" >&2
	die "DKMS build of mfw $ver for $KVER failed; log in $log"
fi
[ -s "$archive" ] || die "dkms mktarball made no archive; log in $log"
makelog=$(ls "$out/state/mfw/$ver/$KVER"/*/log/make.log 2>/dev/null | head -n 1)
[ -n "$makelog" ] || die "DKMS kept no make.log for $KVER; log in $log"
if grep -E 'warning:|error:' "$makelog" >"$out/warnings.txt"; then
	note "DKMS build of mfw $ver for $KVER has compiler warnings:"
	cat "$out/warnings.txt" >&2
else
	rm -f "$out/warnings.txt"
fi
echo "$archive"
