#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build (or reuse) the rig's debug kernel from Debian's linux-source-6.1.
# The result is cached under $MFW_CACHE, keyed by the config fragment's hash,
# this script's hash (comment lines left out of both) and the source
# package version.  Prints the build
# directory (usable as KDIR for the module) on stdout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

pkg=linux-source-6.1
frag=$MFW_TOP/tests/vm/debug.config
ver=$(source_package_version $pkg)
# Comment lines do not count (a fragment's "# CONFIG_X is not set" does):
# only what changes the build does.
key=$( (sed -E '/^[[:space:]]*#/{/^# CONFIG_/!d}' "$frag" "$0"; echo "$ver") | sha256sum | cut -c1-16)
dir=$MFW_CACHE/debug-kernel-$key
out=$dir/out

if [ -f "$dir/done" ]; then
	[ -z "${MFW_VERBOSE:-}" ] || note "debug kernel: cached ($pkg $ver, $key)"
	echo "$out"
	exit 0
fi

mkdir -p "$MFW_CACHE"
exec 9>"$MFW_CACHE/debug-kernel.lock"
flock 9
if [ -f "$dir/done" ]; then
	echo "$out"
	exit 0
fi

note "debug kernel: building $pkg $ver ($key); this takes several minutes once"
rm -rf "$dir"
mkdir -p "$dir/src" "$out"
tar -xJf "$(source_tarball $pkg)" -C "$dir/src" --strip-components=1
mk() { make -C "$dir/src" O="$out" -j"$(nproc)" "$@" >>"$dir/build.log" 2>&1; }
mk tinyconfig
"$dir/src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "$frag" \
	>>"$dir/build.log" 2>&1
mk olddefconfig

# Every option the fragment asks for must have survived olddefconfig.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=n) opt=${line%=n}
		if grep -q "^$opt=" "$out/.config"; then
			note "debug kernel: $opt should be off"; missing=1
		fi ;;
	CONFIG_*=*)
		if ! grep -qx "$line" "$out/.config"; then
			note "debug kernel: $line did not stick"; missing=1
		fi ;;
	esac
done <"$frag"
[ $missing = 0 ] || die "config fragment not satisfied; see $out/.config"

if ! mk bzImage modules modules_prepare; then
	tail -n 30 "$dir/build.log" >&2
	die "debug kernel build failed; log in $dir/build.log"
fi
touch "$dir/done"
# Old cache entries (another fragment or source version) are dead weight.
for old in "$MFW_CACHE"/debug-kernel-*; do
	[ "$old" = "$dir" ] || [ ! -d "$old" ] || rm -rf "$old"
done
note "debug kernel: built"
echo "$out"
