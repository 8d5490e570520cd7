#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Install, from Debian's archive, everything mfw needs to build and test.
# Idempotent: packages already present are not touched, and apt is not run
# at all when nothing is missing.
#
# Usage: install-deps.sh [--debug-kernel]
#   --debug-kernel  only what building the rig's debug kernel needs
#                   (tests/vm/build-debug-kernel.sh), so that "make check"
#                   can start that build while the rest installs
set -euo pipefail

# What tests/vm/build-debug-kernel.sh needs.
kernel_pkgs=(gcc make bc bison flex libelf-dev libssl-dev xz-utils linux-source-6.1)

pkgs=(
	"${kernel_pkgs[@]}"
	# the rest of the kernel side (dkms: the full-system guest's module archive)
	cpio kmod rsync dkms
	# pahole: the distribution headers generate module BTF when they can
	dwarves
	linux-image-amd64 linux-headers-amd64
	# the 6.12 line (Debian 13, Debian 12's security archive): the rig's
	# kernel matrix boots this image and builds against these headers
	linux-image-6.12.117+deb12-amd64 linux-headers-6.12.117+deb12-amd64
	sparse device-tree-compiler dt-schema
	# every file's license (REUSE)
	reuse
	# VM rig
	qemu-system-x86 busybox-static
	# the arm64 and armhf guests: QEMU's virt boards, and cross compilers
	# for the module and the tests (their C libraries are only recommended)
	qemu-system-arm gcc-aarch64-linux-gnu libc6-dev-arm64-cross
	gcc-arm-linux-gnueabihf libc6-dev-armhf-cross
	# full-system guest: a Debian root file system in an ext4 image
	debootstrap e2fsprogs
	# the fleet engines' update files for it: a Mender artifact (the .swu
	# for SWUpdate is a cpio archive signed with openssl cms)
	mender-artifact
	# userspace
	meson ninja-build pkg-config
	libgpiod-dev libudev-dev libmm-glib-dev libglib2.0-dev libjson-glib-dev
	libcurl4-openssl-dev
	# the staging libgpiod 2.x from Debian 13's source (scripts/build-libgpiod2.sh)
	dpkg-dev
	# tests: fuzzer, servers on loopback, scripting
	clang libclang-rt-14-dev python3 python3-pyftpdlib openssl
	# --json output against its schema
	python3-jsonschema
	# the order of the helper's system calls (the package synced before
	# the journal names it)
	strace
	# signing with a key on a PKCS#11 token (OpenSSL's engine), tested
	# against a software token
	libengine-pkcs11-openssl softhsm2
	# mock logind and ModemManager on a private system bus
	python3-dbusmock dbus-daemon
	# SWUpdate's Lua handler under the Lua Debian's SWUpdate embeds
	lua5.3 lua-cjson
	# Debian packages (debian/, tests/style/debian.sh); systemd, udev and
	# bash-completion: where their pkg-config files put mfw's files
	dpkg-dev debhelper dh-dkms fakeroot lintian
	systemd udev bash-completion libssl-dev
)

case "${1:-}" in
"") ;;
--debug-kernel) pkgs=("${kernel_pkgs[@]}") ;;
*) echo "usage: $0 [--debug-kernel]" >&2; exit 2 ;;
esac

missing=()
for p in "${pkgs[@]}"; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "mfw: build dependencies present"
	exit 0
fi
[ "$(id -u)" = 0 ] || {
	echo "mfw: missing packages: ${missing[*]}; run as root or install them" >&2
	exit 1
}
echo "mfw: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
