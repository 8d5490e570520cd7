#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build a staging libgpiod 2.x for the mfw helper's v2 GPIO backend
# (userspace/mfw/gpio_v2.c), from Debian 13's (trixie) source package, on
# a Debian 12 machine whose own libgpiod is 1.6.  Nothing is installed on
# the machine: the library lands in a prefix of the cache,
# $MFW_CACHE/libgpiod-<Debian version>/ (lib/libgpiod.a, lib/pkgconfig,
# include/gpiod.h, bin/ with gpiodetect, gpioinfo, gpioset..., all static),
# which this script prints.  A helper built with
#   PKG_CONFIG_PATH=<prefix>/lib/pkgconfig meson setup ...
# links libgpiod statically and runs where no libgpiod 2 is installed.
#
# The source comes through an apt configuration of the cache's own
# ($MFW_CACHE/apt-trixie-src: its own sources.list with one deb-src line,
# lists, cache, no dpkg status); the machine's apt sources stay as they
# are.  The build needs Debian 12's gcc, make and dpkg-dev (dpkg-source),
# which scripts/install-deps.sh installs.  Once a prefix is complete (its
# "done" file), it is printed without asking the network; delete it to
# take a newer version.  Build logs are left in $MFW_CACHE/libgpiod-build
# when a step fails.
#
# Usage: build-libgpiod2.sh           (progress on stderr, the prefix on stdout)
# Environment: MFW_CACHE (default /var/cache/mfw).
set -euo pipefail

cache=${MFW_CACHE:-/var/cache/mfw}
die() { echo "build-libgpiod2: $*" >&2; exit 1; }
note() { echo "build-libgpiod2: $*" >&2; }

mkdir -p "$cache"
exec 9>"$cache/libgpiod2.lock"
flock 9
for done in "$cache"/libgpiod-2*/done; do
	if [ -f "$done" ]; then
		dirname "$done"
		exit 0
	fi
done

apt=$cache/apt-trixie-src
mkdir -p "$apt"/etc/apt.conf.d "$apt"/etc/preferences.d "$apt"/etc/sources.list.d \
	"$apt"/state/lists/partial "$apt"/cache/archives/partial
echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian trixie main" \
	>"$apt/etc/sources.list"
aptopt=(-o "Dir::Etc=$apt/etc" -o "Dir::State=$apt/state"
	-o "Dir::Cache=$apt/cache" -o Dir::State::status=/dev/null
	-o Debug::NoLocking=1 -o APT::Sandbox::User=root)
note "reading Debian trixie's source lists"
apt-get "${aptopt[@]}" -qq update >&2 || die "apt-get update for trixie's sources failed"
version=$(apt-cache "${aptopt[@]}" showsrc libgpiod |
	sed -n 's/^Version: //p' | sort -V | tail -n 1)
case $version in
2.*) ;;
*) die "trixie's libgpiod source is '${version:-missing}', not a 2.x" ;;
esac

prefix=$cache/libgpiod-$version
work=$cache/libgpiod-build
rm -rf "$prefix" "$work"
mkdir -p "$work"
note "downloading the source of libgpiod $version"
if ! (cd "$work" && apt-get "${aptopt[@]}" -qq source --download-only "libgpiod=$version") >&2; then
	# Some mirrors and caching proxies lack the .dsc while holding the
	# tarballs (seen here: deb.debian.org through the sandbox's proxy
	# answered 404 for the .dsc only).  The index apt has just checked
	# against trixie's signed Release file lists every file of the
	# package with its SHA-256: the .dsc is written from that entry and
	# each tarball is fetched by apt's own downloader, which checks the
	# hash.  dpkg-source then checks the files against the .dsc.
	note "no .dsc from the archive; writing it from trixie's Sources index"
	rm -f "$work"/libgpiod_*
	entry=$(apt-cache "${aptopt[@]}" showsrc libgpiod |
		awk -v v="$version" 'BEGIN { RS = "" } index($0, "\nVersion: " v "\n") { print; exit }')
	dir=$(sed -n 's/^Directory: //p' <<<"$entry")
	[ -n "$dir" ] || die "no entry for libgpiod $version in trixie's Sources"
	awk '/^[^ ]/ { keep = $1 ~ /^(Package|Format|Binary|Architecture|Version|Maintainer|Files|Checksums-Sha256):$/
		sub(/^Package:/, "Source:") }
		keep && !/\.dsc$/' <<<"$entry" >"$work/libgpiod_${version#*:}.dsc"
	sed -n '/^Checksums-Sha256:/,/^[^ ]/s/^ \([0-9a-f]\{64\}\) [0-9]* \(.*\)$/\1 \2/p' <<<"$entry" |
	while read -r sum file; do
		case $file in *.dsc) continue ;; esac
		/usr/lib/apt/apt-helper "${aptopt[@]}" -qq download-file \
			"http://deb.debian.org/debian/$dir/$file" "$work/$file" "SHA256:$sum" >&2 ||
			die "downloading $file failed"
	done
fi
# The .dsc's own signature is checked when it came from the archive (and
# the keyring is there); apt has checked every file against trixie's
# signed index either way.
dsc=$(ls "$work"/libgpiod_*.dsc)
dpkg-source -x "$dsc" "$work/src" >&2 || die "dpkg-source -x $dsc failed"

cd "$work/src"
# libgpiod's release tarball ships its configure script (2.2.1's was made
# by autoconf 2.72) and it runs as it is on Debian 12, Debian's one patch
# touches only docs/Doxyfile: no autotools needed.  A tarball without
# one is regenerated with Debian 12's autotools (autoconf 2.71, automake
# 1.16, libtool, autoconf-archive; 2.2.1's configure.ac asks for 2.71 and
# regenerates cleanly with them).
if [ ! -x configure ]; then
	note "no configure script in the source: autoreconf -fi"
	autoreconf -fi >"$work/autoreconf.log" 2>&1 || {
		tail -n 20 "$work/autoreconf.log" >&2
		die "autoreconf failed (needs autoconf, automake, libtool, autoconf-archive)"
	}
fi
# Static only: the helper built against it is self-contained.  The
# command-line tools cost a few seconds and let a guest look at its lines
# (gpioinfo shows each line's consumer); no tests, no bindings.
note "configure and build into $prefix"
./configure --prefix="$prefix" --enable-static --disable-shared --enable-tools \
	--disable-tests --disable-examples --disable-bindings-cxx \
	--disable-bindings-python --disable-bindings-rust --disable-dbus \
	>"$work/configure.log" 2>&1 || {
	tail -n 20 "$work/configure.log" >&2
	die "configure failed ($work/configure.log)"
}
make -j"$(nproc)" >"$work/make.log" 2>&1 || { tail -n 30 "$work/make.log" >&2; die "make failed"; }
make install >"$work/install.log" 2>&1 || { tail -n 20 "$work/install.log" >&2; die "make install failed"; }
for f in lib/libgpiod.a lib/pkgconfig/libgpiod.pc include/gpiod.h; do
	[ -f "$prefix/$f" ] || die "no $f in $prefix after make install"
done
echo "$version" >"$prefix/debian-version"
touch "$prefix/done"
rm -rf "$work"
note "libgpiod $version in $prefix"
echo "$prefix"
