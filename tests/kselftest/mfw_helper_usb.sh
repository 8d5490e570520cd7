#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: "mfw upgrade" of an ML307R-DC on USB.  The simulator serves
# the gadget side (/dev/ttyGS0 of a configfs ACM gadget on dummy_hcd, made
# by mfw-gadget); mfw talks to the host side, a real /dev/ttyACMn.  The
# module's reboots unbind and bind the UDC (a USB disconnect and a
# re-enumeration): mfw must follow the module to its new tty and confirm
# the new version.  A second upgrade meets a module that comes back first
# in another mode (mfw-modemsim --usb-other-mode: another product ID at
# the same USB port, the same interface numbers, nothing answering) while
# a program still holds the old tty open, so the module's own return gets
# another tty name: mfw must send nothing to the other mode and follow the
# module to its new name.  A third one meets the module back first with
# its own IDs in another layout (--usb-other-layout), the AT port's
# function on another interface: again nothing may reach it.
# Needs mfw, mfw-modemsim and mfw-gadget in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

plan 14
export MFW_STATE_DIR=$d/state
tty=$(mfw-gadget create 2>"$d/gadget.log") || {
	not_ok gadget "mfw-gadget create failed"; finish; }
mfw-modemsim --model ML307R-DC --tty /dev/ttyGS0 --gadget "$(mfw-gadget dir)" \
	--udc "$(mfw-gadget udc)" --state "$d/sim.state" --transcript "$d/sim.log" \
	--boot-ms 300 --flash-ms 1000 2>"$d/simerr.log" &
sim=$!

img=$d/fw.bin
mkimage "$img" ML307R-DC-MBRH0S02 16
timed upgrade mfw --verbose upgrade "$img" --port "$tty" --timeout 240
if [ $rc -eq 0 ]; then ok upgrade_exit_0; else not_ok upgrade_exit_0 "exited $rc"; fi
# The module went away and came back at least once while mfw waited.
check usb_reenumerated eval 'grep -q "port down" "$d/sim.log" && grep -q "rebooted" "$d/upgrade.log"'
check new_version_confirmed grep -q "done: ML307R-DC-MBRH0S02" "$d/upgrade.log"
check journal_done eval 'mfw status 2>&1 | grep -q "journal: done" && [ ! -e "$d/state/journal" ]'
# Whatever ttyACM the module has now, the kernel reads the new version.
tty=$(ls /dev/ttyACM* | head -n 1)
check module_runs_new_version firmware_is ML307R-DC-MBRH0S02 "$tty"
sim_stop

mfw-modemsim --model ML307R-DC --tty /dev/ttyGS0 --gadget "$(mfw-gadget dir)" \
	--udc "$(mfw-gadget udc)" --state "$d/sim.state" --transcript "$d/sim2.log" \
	--boot-ms 300 --flash-ms 1000 --usb-other-mode 4000 2>>"$d/simerr.log" &
sim=$!
tty=$(mfw-gadget tty)
# A program that keeps the AT port open across the reboot (a terminal, a
# logger): the old node stays, so the module comes back under a new name.
sleep 600 <"$tty" &
holder=$!
# The host's side of the other mode: a USB device 2ecc:30ff enumerated.
saw_30ff() { grep -qx 30ff /sys/bus/usb/devices/*/idProduct 2>/dev/null; }
(wait_for 180 saw_30ff && touch "$d/saw-30ff") &
poll=$!
mkimage "$img" ML307R-DC-MBRH0S03 16
timed other mfw --verbose upgrade "$img" --port "$tty" --timeout 240
if [ $rc -eq 0 ]; then ok other_mode_upgrade_exit_0; else not_ok other_mode_upgrade_exit_0 "exited $rc"; fi
kill $poll 2>/dev/null
wait $poll 2>/dev/null
case_other_seen() {
	[ -e "$d/saw-30ff" ] &&
		grep -q "usb: back as product 0x30ff (another mode)" "$d/sim2.log" &&
		grep -q "usb: another mode: reading /dev/ttyGS0" "$d/sim2.log"
}
check other_mode_seen case_other_seen
check nothing_sent_to_other_mode grep -q "usb: another mode over, the host sent 0 bytes" "$d/sim2.log"
check other_mode_version_confirmed grep -q "done: ML307R-DC-MBRH0S03" "$d/other.log"
case_new_name() {
	now=$(mfw-gadget tty) && [ "$now" != "$tty" ] &&
		firmware_is ML307R-DC-MBRH0S03 "$now"
}
check followed_to_new_tty_name case_new_name
kill $holder 2>/dev/null
wait $holder 2>/dev/null
sim_stop

# A third upgrade meets a module that comes back first with its own IDs
# in another layout (mfw-modemsim --usb-other-layout): a generic serial
# function, which no host driver here takes, on the AT port's interface,
# and the AT port's ACM function after it, on another interface that
# is not the AT port's.  mfw must send nothing to that tty and wait for
# the module in its own layout.
mfw-modemsim --model ML307R-DC --tty /dev/ttyGS0 --gadget "$(mfw-gadget dir)" \
	--udc "$(mfw-gadget udc)" --state "$d/sim.state" --transcript "$d/sim3.log" \
	--boot-ms 300 --flash-ms 1000 --usb-other-layout 4000 2>>"$d/simerr.log" &
sim=$!
tty=$(mfw-gadget tty)
# The host's side of the other layout: a vendor-specific interface 0 and
# the AT port's ACM function's tty on interface 1 of the same device.
saw_layout() {
	for f in /sys/bus/usb/devices/*:1.0/bInterfaceClass; do
		[ "$(cat "$f" 2>/dev/null)" = ff ] &&
			ls "${f%:1.0/bInterfaceClass}":1.1/tty/ttyACM* >/dev/null 2>&1 &&
			return 0
	done
	return 1
}
(wait_for 180 saw_layout && touch "$d/saw-layout") &
poll=$!
mkimage "$img" ML307R-DC-MBRH0S04 16
timed layout mfw --verbose upgrade "$img" --port "$tty" --timeout 240
if [ $rc -eq 0 ]; then ok other_layout_upgrade_exit_0
else not_ok other_layout_upgrade_exit_0 "exited $rc"; fi
kill $poll 2>/dev/null
wait $poll 2>/dev/null
case_layout_seen() {
	[ -e "$d/saw-layout" ] &&
		grep -q "usb: back in another layout (gser.mfwother first" "$d/sim3.log" &&
		grep -q "usb: another mode: reading /dev/ttyGS0" "$d/sim3.log"
}
check other_layout_seen case_layout_seen
check nothing_sent_to_other_layout \
	grep -q "usb: another mode over, the host sent 0 bytes" "$d/sim3.log"
check other_layout_version_confirmed grep -q "done: ML307R-DC-MBRH0S04" "$d/layout.log"
sim_stop
mfw-gadget destroy 2>/dev/null
finish
