#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch (or reuse) a Debian kernel of another release or architecture for
# the rig's kernel matrix: its image, its modules and the headers a module
# builds against, unpacked under $MFW_CACHE, never installed on this
# machine.
#
# Usage: fetch-kernel.sh SUITE
#   SUITE  bullseye        Debian 11's amd64 kernel (the 5.10 line)
#          bookworm-arm64  Debian 12's arm64 kernel (6.1), with the
#                          arm64 busybox its guest runs
#          bookworm-armhf  Debian 12's armhf kernel (6.1, the armmp
#                          flavour), with an armhf busybox
# Prints the cache entry: a directory holding root/ (the packages'
# files, the headers' Makefile pointed at their own -common tree) and
# kver (the kernel's release string).
#
# A foreign architecture's headers come with this machine's kbuild tools:
# Debian's linux-kbuild package of the same version, for amd64 (fixdep,
# modpost and genksyms run on the build machine and read the target's
# objects whatever their architecture), which is how Debian itself builds
# out-of-tree modules for another architecture.  The headers' own .config
# and Module.symvers are the image's, so a module built against them has
# the image's vermagic and symbol versions.
#
# The packages come from Debian's archive through an apt configuration of
# the cache's own ($MFW_CACHE/apt-SUITE): the machine's sources stay as
# they are.  The kernel is the one SUITE's security archive names in its
# linux-image-amd64 metapackage when the entry is first made; an entry,
# once complete, is used without asking the network again (delete it to
# take a newer kernel).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

entry=${1:?usage: fetch-kernel.sh SUITE}
case $entry in
bullseye) suite=bullseye arch=amd64 flavour=amd64 ;;
bookworm-arm64) suite=bookworm arch=arm64 flavour=arm64 ;;
bookworm-armhf) suite=bookworm arch=armhf flavour=armmp ;;
*) die "fetch-kernel: unknown suite '$entry' (bullseye, bookworm-arm64, bookworm-armhf)" ;;
esac

cache_entry_path
mkdir -p "$MFW_CACHE"
exec 9>"$MFW_CACHE/kernel-$entry.lock"
flock 9

# point_headers DIR: the headers' Makefile includes the -common tree by
# its installed path; point it at the one unpacked in DIR (again on every
# use: the cache may have moved since).  Their scripts/ and tools/ links
# are relative and already land in the unpacked kbuild package.
point_headers() {
	local kver abi hdr
	kver=$(cat "$1/kver")
	abi=${kver%-*}
	hdr=$1/root/usr/src/linux-headers-$kver
	[ -f "$hdr/Makefile" ] || die "fetch-kernel: no headers in $hdr"
	echo "include $1/root/usr/src/linux-headers-$abi-common/Makefile" >"$hdr/Makefile"
	[ -x "$hdr/scripts/basic/fixdep" ] || die "fetch-kernel: $hdr/scripts is not the kbuild tools"
}

for done in "$MFW_CACHE"/kernel-"$entry"-*/done; do
	if [ -f "$done" ]; then
		point_headers "$(dirname "$done")"
		dirname "$done"
		exit 0
	fi
done

private_apt "$entry" "$suite" "$arch"
# linux-image-FLAVOUR depends on linux-image-<kver>: the current ABI.
kver=$(apt-cache "${aptopt[@]}" depends "linux-image-$flavour" |
	sed -n "s/^ *Depends: linux-image-\\(.*-$flavour\\)\$/\\1/p" | head -n 1)
[ -n "$kver" ] || die "fetch-kernel: $suite's linux-image-$flavour names no kernel"
series=$(echo "$kver" | cut -d. -f1,2)
abi=${kver%-"$flavour"}
# The kbuild tools (this machine's architecture) must be the headers'
# own version: the archive can carry one architecture's build of a new
# version before the other's.
ver=$(apt-cache "${aptopt[@]}" show "linux-headers-$kver" | sed -n 's/^Version: //p' | head -n 1)
[ -n "$ver" ] || die "fetch-kernel: $suite has no linux-headers-$kver"
apt-cache "${aptopt[@]}" show "linux-kbuild-$series:$BUILD_ARCH=$ver" >/dev/null 2>&1 ||
	die "fetch-kernel: $suite has linux-headers-$kver $ver but no linux-kbuild-$series $ver for $BUILD_ARCH yet; try again when the archive has both"
# The image as built, without a signature: "-unsigned" where Debian signs
# its kernels for Secure Boot (amd64, arm64), the image itself elsewhere.
image=linux-image-$kver-unsigned
apt-cache "${aptopt[@]}" show "$image" >/dev/null 2>&1 || image=linux-image-$kver
pkgs=("$image" "linux-headers-$kver" "linux-headers-$abi-common"
	"linux-kbuild-$series:$BUILD_ARCH=$ver")
# The guest's shell and tools, of the kernel's architecture.
[ "$arch" = amd64 ] || pkgs+=(busybox-static)

dir=$MFW_CACHE/kernel-$entry-$kver
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
note "fetch-kernel: downloading ${pkgs[*]}"
(cd "$dir/debs" && apt-get "${aptopt[@]}" -qq download "${pkgs[@]}") >&2 ||
	die "fetch-kernel: downloading $suite's kernel $kver failed (the messages above say why); run again once deb.debian.org is reachable"
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done
rm -rf "$dir/debs"

echo "$kver" >"$dir/kver"
point_headers "$dir"
# The image package has no modules.dep (its postinst makes it).
depmod -b "$dir/root" "$kver" || die "fetch-kernel: depmod for $kver failed"
touch "$dir/done"
note "fetch-kernel: $suite kernel $kver in $dir"
echo "$dir"
