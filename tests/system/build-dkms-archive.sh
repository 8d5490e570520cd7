#!/bin/bash
# Build mfw with DKMS on the host, at native speed, for one of the rig's
# kernels, and pack source and module into a DKMS archive (dkms mktarball).
# The full-system guest installs it with "make install DKMS_ARCHIVE=...":
# dkms ldtarball then dkms install, the way a board without a compiler
# takes a module built elsewhere, instead of compiling for minutes under
# TCG.  This is the rig's DKMS build check: the same dkms and gcc as the
# guest's (both Debian 12), the same dkms.conf and sources "make install"
# lays out, the same kernel build tree.
#
# dkms keeps its state in /var/lib/dkms and reads /etc/dkms: both are
# private here (a mount namespace with a tmpfs and a bind mount), so the
# host's DKMS is never touched.  Module signing is off, as on the guest,
# whose kernel has no module signature support.
#
# Usage: build-dkms-archive.sh KERNEL OUTDIR
# Prints the archive's path on stdout.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

kernel=$1 out=$2
command -v dkms >/dev/null || die "dkms is not installed (scripts/install-deps.sh installs it)"
command -v unshare >/dev/null || die "unshare (util-linux) is missing"
kernel_info "$kernel"
ver=$(sed -n "s/^ *version *: *'\([^']*\)'.*/\1/p" "$MFW_TOP/meson.build")
[ -n "$ver" ] || die "no version in meson.build"

rm -rf "$out"
mkdir -p "$out/etc-dkms" "$out/state"
make -s -C "$MFW_TOP" dkms-source DESTDIR="$out/root" >&2
printf '# mfw rig: build without signing, like the guest\nsign_file="/nonexistent"\n' \
	>"$out/etc-dkms/framework.conf"
archive=$out/mfw-$ver-$KVER-dkms.tar.gz
log=$out/dkms.log

# shellcheck disable=SC2016 # expanded by the inner shell
if ! unshare -m sh -c '
	set -e
	mount --make-rprivate /
	mkdir -p /var/lib/dkms /etc/dkms
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
if grep -E 'warning:|error:' "$out/state/mfw/$ver/$KVER"/*/log/make.log >&2; then
	die "DKMS build of mfw $ver for $KVER has compiler warnings"
fi
[ -s "$archive" ] || die "dkms mktarball made no archive; log in $log"
echo "$archive"
