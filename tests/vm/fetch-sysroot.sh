#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Fetch (or reuse) a sysroot for cross-building mfw's userspace: Debian's
# packages of another architecture that hold the libraries mfw links and
# their -dev files, with everything they depend on, unpacked under
# $MFW_CACHE, never installed on this machine.
#
# Usage: fetch-sysroot.sh SUITE
#   SUITE  bookworm-arm64, bookworm-armhf  (Debian 12, arm64 or armhf)
# Prints the cache entry: a directory holding root/ (the sysroot) and
# sysroot.ini, the Meson machine file that names it for cross/debian.ini:
#   meson setup B --cross-file DIR/sysroot.ini \
#     --cross-file cross/debian-ARCH.ini --cross-file cross/debian.ini
#
# The entry is named after its package list: a change to the list below
# makes a new one.  Once complete, it is used without asking the network
# again (delete it to take newer packages).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

entry=${1:?usage: fetch-sysroot.sh SUITE}
case $entry in
bookworm-arm64) suite=bookworm arch=arm64 triple=aarch64-linux-gnu ;;
bookworm-armhf) suite=bookworm arch=armhf triple=arm-linux-gnueabihf ;;
*) die "fetch-sysroot: unknown suite '$entry' (bookworm-arm64, bookworm-armhf)" ;;
esac
# What mfw's meson.build looks for (the helper and the simulator), and
# the C library.
pkgs=(libc6-dev libglib2.0-dev libjson-glib-dev libmm-glib-dev libgpiod-dev
	libudev-dev libssl-dev libcurl4-openssl-dev)
key=$(echo "$entry ${pkgs[*]}" | sha256sum | cut -c1-16)
dir=$MFW_CACHE/sysroot-$entry-$key

cache_entry_path
mkdir -p "$MFW_CACHE"
exec 9>"$MFW_CACHE/sysroot-$entry.lock"
flock 9
# sysroot.ini names the entry where it is now (written on every use: the
# cache may have moved since it was made).
if [ -f "$dir/done" ]; then
	printf "[constants]\nsysroot = '%s'\n" "$dir/root" >"$dir/sysroot.ini"
	echo "$dir"
	exit 0
fi

private_apt "$entry" "$suite" "$arch"
rm -rf "$dir"
mkdir -p "$dir/debs" "$dir/root"
note "fetch-sysroot: downloading ${pkgs[*]} and what they depend on ($arch)"
# An empty package status: apt takes nothing as installed and fetches
# the whole closure, the C library included.
apt-get "${aptopt[@]}" -qq -d -o "Dir::Cache::archives=$dir/debs" install "${pkgs[@]}" >&2 ||
	die "fetch-sysroot: downloading $suite's $arch packages failed (the messages above say why); run again once deb.debian.org is reachable"
for deb in "$dir"/debs/*.deb; do
	dpkg-deb -x "$deb" "$dir/root"
done
n=$(ls "$dir"/debs/*.deb | wc -l)
rm -rf "$dir/debs"
[ -f "$dir/root/usr/lib/$triple/pkgconfig/glib-2.0.pc" ] ||
	die "fetch-sysroot: no glib-2.0.pc in $dir/root"
printf "[constants]\nsysroot = '%s'\n" "$dir/root" >"$dir/sysroot.ini"
touch "$dir/done"
note "fetch-sysroot: $n packages of Debian $suite ($arch) in $dir"
echo "$dir"
