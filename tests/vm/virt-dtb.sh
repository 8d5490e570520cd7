#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# The device tree of the Arm guests' board: QEMU's "virt" machine with
# dts/onemo-qemu-virt-overlay.dts applied, the way a board vendor applies
# an overlay to a board's tree.
#
# Usage: virt-dtb.sh OUT.dtb INCLUDE QEMU [qemu-option...]
#   INCLUDE      a kernel include directory holding dt-bindings/
#   QEMU         qemu-system-aarch64 (arm64) or qemu-system-arm (armhf)
#   qemu-option  the options the guest boots with that shape the tree
#                (-cpu, -smp, -m): QEMU's tree describes those
# QEMU dumps the board's tree (-machine virt,dumpdtb=).  It has no labels,
# so the UART at 0x9000000 gets "uart0" and the GPIO controller at
# 0x9030000 "gpio" before it is built again with symbols (-@); then
# fdtoverlay applies the overlay.  Warnings from dtc on the overlay fail;
# QEMU's own tree is built quietly (its warnings are not ours).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

usage="usage: virt-dtb.sh OUT.dtb INCLUDE QEMU [qemu-option...]"
out=${1:?$usage}
inc=${2:?$usage}
qemu=${3:?$usage}
shift 3
overlay=$MFW_TOP/dts/onemo-qemu-virt-overlay.dts
[ -d "$inc/dt-bindings" ] || die "virt-dtb: no dt-bindings/ in $inc"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/mfw-virt-dtb.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

"$qemu" -machine virt,dumpdtb="$tmp/virt.dtb" -accel tcg \
	-nodefaults -display none "$@" >"$tmp/qemu.log" 2>&1 ||
	{ cat "$tmp/qemu.log" >&2; die "virt-dtb: QEMU did not dump the virt board's tree"; }
dtc -q -I dtb -O dts -o "$tmp/virt.dts" "$tmp/virt.dtb"
for node in 'pl011@9000000 uart0' 'pl061@9030000 gpio'; do
	set -- $node
	grep -q "^	$1 {" "$tmp/virt.dts" || die "virt-dtb: QEMU's virt tree has no $1"
	sed -i "s/^	$1 {/	$2: $1 {/" "$tmp/virt.dts"
done
dtc -q -@ -I dts -O dtb -o "$tmp/base.dtb" "$tmp/virt.dts"

cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp -P -I "$inc" \
	"$overlay" -o "$tmp/overlay.dts"
dtc -@ -I dts -O dtb -o "$tmp/overlay.dtbo" "$tmp/overlay.dts" 2>"$tmp/dtc.log"
if [ -s "$tmp/dtc.log" ]; then
	cat "$tmp/dtc.log" >&2
	die "virt-dtb: dtc warns about $overlay"
fi
fdtoverlay -i "$tmp/base.dtb" -o "$out" "$tmp/overlay.dtbo"
