#!/bin/bash
# W=1 build of the module against every newer Debian kernel whose headers
# are installed (linux-headers-6.12*-amd64: the 6.12 line of Debian 13 and
# of Debian 12's backports).  The ldisc and class APIs changed after 6.1;
# this keeps kernel/mfw_compat.h honest.  Fails on any warning, and when
# no such headers are installed.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${MFW_OUT:-$top/tests/out}/kmod-newer
found=0
for kdir in /usr/src/linux-headers-6.1[2-9]*-amd64; do
	[ -f "$kdir/Makefile" ] || continue
	found=1
	dir=$out/$(basename "$kdir")
	rm -rf "$dir" && mkdir -p "$dir"
	cp -r "$top/Kbuild" "$top/kernel" "$dir/"
	log=$dir/build.log
	if ! make -C "$kdir" M="$dir" W=1 modules >"$log" 2>&1; then
		cat "$log"
		echo "build against $kdir failed"
		exit 1
	fi
	if grep -E 'warning:|error:' "$log"; then
		echo "build against $kdir has warnings"
		exit 1
	fi
	echo "ok: $(basename "$kdir")"
done
[ $found = 1 ] || { echo "no linux-headers-6.12 installed"; exit 1; }
