# Shared helpers for the VM rig scripts (sourced, not run).
# shellcheck shell=bash

MFW_TOP=${MFW_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
MFW_CACHE=${MFW_CACHE:-/var/cache/mfw}

die() { echo "mfw-rig: $*" >&2; exit 1; }
note() { echo "mfw-rig: $*" >&2; }

# Version of the kernel image/headers the amd64 metapackages pull in: the
# ABI name changes with security updates, so it is never written down.
stock_kernel_version() {
	local dep
	dep=$(dpkg-query -W -f='${Depends}' linux-image-amd64 2>/dev/null) ||
		die "linux-image-amd64 is not installed"
	dep=${dep%%[ ,]*}
	echo "${dep#linux-image-}"
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
