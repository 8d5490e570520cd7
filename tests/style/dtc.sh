#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Device tree gate: the binding against the dt-schema meta-schema, its
# example and the Raspberry Pi 4 overlay through dtc (-@), the example
# against the binding, and the overlay applied to mainline's
# bcm2711-rpi-4-b.dtb with the result checked the way mfw and the udev
# rules read it.  Any warning from dtc or dt-schema fails.
#
# Then the same for the Arm test guests' boards (QEMU's virt machines and
# dts/onemo-qemu-virt-overlay.dts).
#
# Needs dtc/fdtoverlay/fdtget (device-tree-compiler), qemu-system-arm,
# dt-schema and Debian's
# linux-source-6.1 (the dt-bindings headers and the board's base tree come
# from it, extracted once into $MFW_CACHE).
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

bindings=Documentation/devicetree/bindings
binding=net/wwan/cmiot,ml307r.yaml
overlay=dts/onemo-rpi4-overlay.dts

for t in dtc fdtoverlay fdtget cpp dt-doc-validate dt-extract-example dt-mk-schema dt-validate; do
	command -v $t >/dev/null || die "$t is not installed"
done

pkg=linux-source-6.1
src=$MFW_CACHE/dts-$(source_package_version $pkg)
if [ ! -f "$src/done" ]; then
	mkdir -p "$src"
	tar -xJf "$(source_tarball $pkg)" -C "$src" --strip-components=1 --wildcards \
		'*/include/dt-bindings/*' '*/arch/arm/boot/dts/bcm2*'
	touch "$src/done"
fi

out=$(mktemp -d "${TMPDIR:-/tmp}/mfw-dtc.XXXXXX")
trap 'rm -rf "$out"' EXIT
fail=0

# quiet NAME COMMAND...: run it; any output (a warning) or a non-zero exit
# fails the gate, and the output is shown.
quiet() {
	local name=$1 log
	shift
	log=$out/$(echo "$name" | tr -c 'a-zA-Z0-9\n' _).log
	if "$@" >"$log" 2>&1 && [ ! -s "$log" ]; then
		echo "ok: $name"
	else
		echo "FAILED: $name"
		sed 's/^/    /' "$log"
		fail=1
	fi
}

cpp_dts() {
	cpp -nostdinc -undef -D__DTS__ -x assembler-with-cpp -P \
		-I "$src/include" -I "$src/arch/arm/boot/dts" "$1" -o "$2"
}

# 1. The binding is a valid schema.
quiet "binding: dt-doc-validate" \
	dt-doc-validate -u "$PWD/$bindings" "$bindings/$binding"

# 2. The binding's examples, each wrapped in a minimal tree: a plugin, as
#    the kernel's dt_binding_check does it, so references to a board's
#    labels stay unresolved (dt-extract-example's own wrapper adds
#    #address-cells that dtc warns about), then validated against the
#    binding.
/usr/bin/python3 - "$bindings/$binding" >"$out/example.dts" <<'PY'
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
print('/dts-v1/;\n/plugin/;\n')
for i, ex in enumerate(doc.get('examples', [])):
    lines = ex.splitlines()
    # The #includes stay at the top level for cpp.
    print('\n'.join(l for l in lines if l.startswith('#include')))
    print('/ {\n\tcompatible = "mfw,example";\n\tmodel = "mfw example";\n')
    print('\texample-%d {' % i)
    print('\n'.join(l for l in lines if not l.startswith('#include')))
    print('\t};\n};')
PY
cpp_dts "$out/example.dts" "$out/example.pp.dts"
quiet "example: dtc -@" dtc -@ -I dts -O dtb -o "$out/example.dtb" "$out/example.pp.dts"
quiet "schemas: dt-mk-schema" dt-mk-schema -j -o "$out/schemas.json" "$PWD/$bindings/"
quiet "example: dt-validate" dt-validate -s "$out/schemas.json" "$out/example.dtb"

# 3. The overlay.
cpp_dts "$overlay" "$out/overlay.pp.dts"
quiet "overlay: dtc -@" dtc -@ -I dts -O dtb -o "$out/overlay.dtbo" "$out/overlay.pp.dts"

# 4. The overlay applied to the board's mainline tree (whose own warnings
#    are not ours: -q).
cpp_dts "$src/arch/arm/boot/dts/bcm2711-rpi-4-b.dts" "$out/base.pp.dts"
dtc -q -@ -I dts -O dtb -o "$out/base.dtb" "$out/base.pp.dts"
quiet "overlay: fdtoverlay onto bcm2711-rpi-4-b.dtb" \
	fdtoverlay -i "$out/base.dtb" -o "$out/merged.dtb" "$out/overlay.dtbo"

# 5. What the overlay promises, read back from the merged tree.
check() {
	local what=$1 got=$2 want=$3
	if [ "$got" = "$want" ]; then
		echo "ok: $what = $want"
	else
		echo "FAILED: $what: '$got', expected '$want'"
		fail=1
	fi
}
# check_board NAME DTB UART PWRKEY RESET STATUS: the modem node of the
# merged tree DTB as mfw and the udev rules read it: the UART labelled
# UART is enabled (okay, or no status) and is the node's cmiot,uart; the GPIO controller
# labelled "gpio" names lines PWRKEY, RESET and STATUS (offsets) after
# the modem's signals, and the node's *-gpios point at them, active high;
# the node satisfies the binding.  Prints the controller's line names,
# one a line, in $names.
check_board() {
	local n=$1 m=$2 uart gpio gph line line_name
	gpio=$(fdtget "$m" /__symbols__ gpio)
	uart=$(fdtget "$m" /__symbols__ "$3")
	gph=$(fdtget "$m" "$gpio" phandle)
	# gpio-line-names is a string list: one name per line, index = offset.
	names=$(fdtget -t s "$m" "$gpio" gpio-line-names | tr ' ' '\n')
	set -- PWRKEY "$4" RESET "$5" STATUS "$6"
	while [ $# -gt 0 ]; do
		line=$2
		line_name=$(sed -n "$((line + 1))p" <<<"$names")
		check "$n line $line" "$line_name" "MODEM_$1"
		check "$n /modem ${1,,}-gpios" \
			"$(fdtget "$m" /modem "${1,,}-gpios")" "$gph $line 0"
		shift 2
	done
	# No status property is "okay" too.
	check "$n $uart status" "$(fdtget "$m" "$uart" status 2>/dev/null || echo okay)" okay
	check "$n /modem compatible" "$(fdtget "$m" /modem compatible)" cmiot,ml307r
	check "$n /modem current-speed" "$(fdtget "$m" /modem current-speed)" 115200
	check "$n /modem cmiot,uart" "$(fdtget "$m" /modem cmiot,uart)" \
		"$(fdtget "$m" "$uart" phandle)"
	quiet "$n merged: dt-validate (modem node)" sh -c \
		"dt-validate -s '$out/schemas.json' '$m' 2>&1 | grep -i -e modem -e cmiot || true"
}
if [ -f "$out/merged.dtb" ]; then
	check_board rpi4 "$out/merged.dtb" uart3 17 27 22
	check "rpi4 line count" "$(wc -l <<<"$names")" 58
fi

# 6. The Arm test guests' boards: QEMU's 64- and 32-bit virt trees with
#    the overlay (tests/vm/virt-dtb.sh, which fails on a dtc warning),
#    read back; the line QEMU's power key uses stays its.
for q in aarch64 arm; do
	v=$out/virt-$q.dtb
	quiet "virt-$q overlay: dtc -@ and fdtoverlay onto QEMU's virt tree" \
		tests/vm/virt-dtb.sh "$v" "$src/include" "qemu-system-$q" || continue
	check_board "virt-$q" "$v" uart0 0 1 2
	check "virt-$q line 3" "$(sed -n 4p <<<"$names")" POWER_KEY
	# Line 4 switches the board's rail, owned by a fixed regulator;
	# line 5 selects VBAT, owned by the GPIO regulator behind it, which
	# is the module's supply.
	check "virt-$q line 4" "$(sed -n 5p <<<"$names")" MODEM_PWREN
	check "virt-$q line 5" "$(sed -n 6p <<<"$names")" MODEM_VSEL
	sw=$(fdtget "$v" /__symbols__ modem_switch)
	check "virt-$q $sw gpio" "$(fdtget "$v" "$sw" gpio)" \
		"$(fdtget "$v" /pl061@9030000 phandle) 4 0"
	reg=$(fdtget "$v" /__symbols__ modem_vbat)
	check "virt-$q $reg compatible" "$(fdtget "$v" "$reg" compatible)" regulator-gpio
	check "virt-$q $reg gpios" "$(fdtget "$v" "$reg" gpios)" \
		"$(fdtget "$v" /pl061@9030000 phandle) 5 0"
	check "virt-$q $reg vin-supply" "$(fdtget "$v" "$reg" vin-supply)" \
		"$(fdtget "$v" "$sw" phandle)"
	check "virt-$q /modem vbat-supply" "$(fdtget "$v" /modem vbat-supply)" \
		"$(fdtget "$v" "$reg" phandle)"
	# One name for each of the PL061's 8 lines: count the NULs.
	check "virt-$q line count" "$(fdtget -t bu "$v" /pl061@9030000 \
		gpio-line-names | tr ' ' '\n' | grep -cx 0)" 8
	check "virt-$q gpio-keys keeps line 3" \
		"$(fdtget "$v" /gpio-keys/poweroff gpios)" \
		"$(fdtget "$v" /pl061@9030000 phandle) 3 0"
done

[ $fail = 0 ] && echo "dtc: all checks passed"
exit $fail
