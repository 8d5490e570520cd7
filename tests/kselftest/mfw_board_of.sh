#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# The Arm guests' board as a real one describes it: the device tree the
# guest booted with (QEMU's virt board with dts/onemo-qemu-virt-overlay.dts,
# tests/vm/virt-dtb.sh) has the modem node, the kernel named the control
# lines from gpio-line-names, the module's UART is the PL011 the node
# points at, driven by the kernel's amba-pl011 driver, and the udev helper
# mfw-of-modem (udev/70-mfw.rules) recognises that tty.  TAP output.
# Usage: mfw_board_of.sh [TTY]   (default ttyAMA0)
tty=${1:-ttyAMA0}
dt=/proc/device-tree
n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n $1"
	shift
	echo "# $*"
}
# is CASE GOT WANT
is() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "got '$2', expected '$3'"; fi
}
str() { tr '\0' '\n' <"$1" 2>/dev/null | head -n 1; }

echo "TAP version 13"
echo "1..10"
is modem_node_compatible "$(str $dt/modem/compatible)" cmiot,ml307r
is modem_node_speed "$(od -An -tu1 -v $dt/modem/current-speed 2>/dev/null | tr -s ' \n' ' ')" \
	" 0 1 194 0 "
# gpiolib names each line from gpio-line-names: debugfs lists them.
names=$(grep -o 'MODEM_[A-Z]*' /sys/kernel/debug/gpio 2>/dev/null | tr '\n' ' ')
is gpio_line_names "$names" "MODEM_PWRKEY MODEM_RESET MODEM_STATUS MODEM_PWREN MODEM_VSEL "
# The module's supply switch is the fixed regulator's (its label is the
# node's device name), its voltage select the GPIO regulator's (its label
# is the regulator's name, modem-vbat): no program can take either line.
holder() {
	sed -n "s/^ *gpio-[0-9]* ($1 *|\([^ )]*\) *).*/\1/p" /sys/kernel/debug/gpio 2>/dev/null
}
is pwren_held_by_the_regulator "$(holder MODEM_PWREN)" regulator-modem
is vsel_held_by_the_gpio_regulator "$(holder MODEM_VSEL)" modem-vbat
of=$(readlink -f "/sys/class/tty/$tty/device/of_node" 2>/dev/null)
is uart_of_node "${of##*/}" pl011@9000000
drv=$(readlink -f "/sys/class/tty/$tty/device/driver" 2>/dev/null)
is uart_driver "${drv##*/}" uart-pl011
# The node's cmiot,uart is the UART's phandle.
is modem_uart_phandle "$(od -An -tx1 -v $dt/modem/cmiot,uart 2>/dev/null)" \
	"$(od -An -tx1 -v "$of/phandle" 2>/dev/null)"
props=$(mfw-of-modem "/sys/class/tty/$tty" 2>&1 | tr '\n' ' ')
is udev_helper_recognises_the_uart "$props" \
	"MFW_OF_NODE=/modem MFW_OF_COMPATIBLE=cmiot,ml307r MFW_OF_UART=pl011-9000000 MFW_SPEED=115200 "
# Any other tty is not the module's.
other=$(ls /sys/class/tty | grep -v "^$tty\$" | grep -E '^(hvc|tty[A-Z])' | head -n 1)
if [ -n "$other" ]; then
	props=$(mfw-of-modem "/sys/class/tty/$other" 2>&1)
	is "udev_helper_ignores_$other" "$props" ""
else
	not_ok udev_helper_ignores_another_tty "this guest has no tty but $tty"
fi
exit $failed
