#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build mfw.ko for one of the rig's kernels with W=1 in a private copy of
# the sources (so builds for several kernels never share objects).
# Usage: build-module.sh KERNEL [extra make args...] (KERNEL as for
# kernel_info in lib.sh)
# Prints the path of the built module; fails on any compiler warning.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1; shift
kernel_info "$kernel"
dir=$MFW_OUT/kmod-$kernel
mkdir -p "$dir"
rsync -a --delete --exclude '*.o' --exclude '.*.cmd' --exclude '*.ko' \
	--exclude '*.mod*' "$MFW_TOP/Kbuild" "$MFW_TOP/meson.build" "$MFW_TOP/kernel" "$dir/"
log=$dir/build.log
# shellcheck disable=SC2086 # KMAKE_ARGS: words
if ! make -C "$KDIR" M="$dir" W=1 $KMAKE_ARGS "$@" modules >"$log" 2>&1; then
	cat "$log" >&2
	die "module build for $kernel ($KVER) failed"
fi
if grep -E 'warning:|error:' "$log" >&2; then
	die "module build for $kernel ($KVER) has warnings"
fi
echo "$dir/mfw.ko"
