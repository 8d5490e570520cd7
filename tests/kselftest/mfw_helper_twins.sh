#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: two modules of one model with the same USB serial number
# (modules of one production lot may share one), each a gadget on a UDC of
# its own (mfw-gadget with MFW_GADGET=0 and 1, MFW_GADGET_SERIAL alike),
# each served by its own simulated MN316 with its own IMEI (AT+CGSN), at
# 115200 baud so that a write can be stopped halfway.
#
# 1. Module a's upgrade is stopped with SIGTERM in the middle of the
#    write (exit 9): the journal keeps a's USB identity and a's IMEI.
# 2. Both modules go away, and b comes back first: it takes a's old tty
#    name, on its own USB path.  Its IDs, serial number and interface are
#    a's, so the USB identity alone would take it for a.  "mfw resume"
#    finds it, asks it who it is (identification only: AT+CGMR, ATI,
#    AT+CGSN), sees another IMEI, leaves it alone and waits.
# 3. Module a comes back on its own USB path under a new tty name: the
#    resume finishes a's upgrade on a (exit 0).  Module b was sent nothing
#    but identification and still runs its firmware.
# Needs mfw, mfw-modemsim and mfw-gadget in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

plan 8
export MFW_STATE_DIR=$d/state MFW_CONFIG=$d/mfw.conf MFW_GADGET_SERIAL=MFWTWIN0001
S=$d/state
# Two IMEIs of the simulator's type allocation code, Luhn check digits.
imei_0=869999000000011 imei_1=869999000000029
sim_0='' sim_1='' up='' rs='' tty_0='' tty_1='' usb_0='' usb_1=''

cleanup() {
	for p in $up $rs $sim_0 $sim_1; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	up='' rs='' sim_0='' sim_1=''
	MFW_GADGET=1 mfw-gadget destroy 2>>"$d/gadget.log"
	MFW_GADGET=0 mfw-gadget destroy 2>>"$d/gadget.log"
}
trap cleanup EXIT

# usb_of TTY: the USB device (its sysfs name, "1-1") of a ttyACM.
usb_of() {
	basename "$(readlink -f "/sys/class/tty/${1#/dev/}/device/..")"
}

# module N: make gadget N and start its simulator (IMEI imei_N), state
# and transcript in $d/sim-N.*; sets tty_N, usb_N and sim_N.  The state
# file keeps the module's flash across a restart of its simulator.
module() {
	t=$(MFW_GADGET=$1 mfw-gadget create 2>>"$d/gadget.log") || return 1
	gs=$(MFW_GADGET=$1 mfw-gadget gs) || return 1
	eval "imei=\$imei_$1"
	mfw-modemsim --model MN316 --imei "$imei" --baud 115200 --tty "$gs" \
		--gadget "$(MFW_GADGET=$1 mfw-gadget dir)" --udc "$(MFW_GADGET=$1 mfw-gadget udc)" \
		--state "$d/sim-$1.state" --transcript "$d/sim-$1.log" \
		--boot-ms 300 --flash-ms 1000 2>>"$d/simerr-$1.log" &
	eval "sim_$1=$! tty_$1=$t usb_$1=$(usb_of "$t")"
	echo "# $T: module $1: $t (USB $(usb_of "$t")), gadget side $gs, IMEI $imei"
}
# gone N: module N unplugged for good (its simulator stops, its gadget goes).
gone() {
	eval "p=\$sim_$1"
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	eval "sim_$1=''"
	MFW_GADGET=$1 mfw-gadget destroy 2>>"$d/gadget.log"
}
# The journal's key=value.
jget() { sed -n "s/^$1=//p" "$S/journal" 2>/dev/null; }

module 0 && module 1
if [ -n "$sim_1" ] && [ "$tty_0" != "$tty_1" ] && [ "$usb_0" != "$usb_1" ] &&
   [ "$(cat "/sys/bus/usb/devices/$usb_0/serial")" = "$(cat "/sys/bus/usb/devices/$usb_1/serial")" ]; then
	ok twins_enumerated
else
	not_ok twins_enumerated "two gadgets with one serial number, two ttys and two USB devices wanted"
	finish
fi
cat >"$MFW_CONFIG" <<EOF
# mfw_helper_twins: two modules of one model and serial number, no power lines
pwrkey=none
reset=none
status=none
EOF
img=$d/fw.bin
mkimage "$img" MN316-DBRS-MBRH0S02 24
size=$(wc -c <"$img")

# --- 1. module a's upgrade stopped in the middle of its write ----------
# The write of the package acknowledged so far, on module a's port.
written() {
	for p in /sys/class/mfw/mfw*; do
		[ "$(cat "$p/tty" 2>/dev/null)" = "${tty_0#/dev/}" ] || continue
		read -r b t <"$p/progress" && [ "$t" = "$size" ] && echo "$b"
	done
}
past() { b=$(written) && [ -n "$b" ] && [ "$b" -ge "$1" ]; }
mfw --verbose upgrade "$img" --port "$tty_0" --timeout 300 >>"$d/out.log" 2>"$d/upgrade.log" &
up=$!
if wait_for 120 past $((size / 4)); then
	kill -TERM $up
	wait $up
	rc=$?
	up=''
	if [ $rc -eq 9 ] && [ "$(jget phase)" = writing ] && [ "$(jget imei)" = "$imei_0" ]; then
		ok stopped_journal_keeps_imei
	else
		not_ok stopped_journal_keeps_imei "exited $rc, journal phase '$(jget phase)' imei '$(jget imei)'"
	fi
else
	not_ok stopped_journal_keeps_imei "the write never got past a quarter of the package"
	finish
fi
echo "# $T: journal: usbpath $(jget usbpath), port $(jget port)"

# --- 2. b comes back first, under a's old tty name ---------------------
gone 1
gone 0
module 1
if [ "$tty_1" = "$tty_0" ] && [ "$usb_1" != "$usb_0" ]; then
	ok other_module_has_the_old_name
else
	not_ok other_module_has_the_old_name "module b is $tty_1 on $usb_1; a was $tty_0 on $usb_0"
	finish
fi
mark_b=$(wc -l <"$d/sim-1.log")
mfw --verbose resume >>"$d/out.log" 2>"$d/resume.log" &
rs=$!
check other_module_refused_by_imei wait_for 120 \
	grep -q "IMEI $imei_1, not $imei_0" "$d/resume.log"
# Still waiting for a: the resume must not have ended.
check resume_waits_for_the_module kill -0 $rs

# --- 3. a comes back: the resume finishes on a -------------------------
module 0
if wait_for 300 eval '! kill -0 $rs 2>/dev/null'; then
	wait $rs
	rc=$?
else
	rc=timeout
fi
rs=''
# The module's flash, as its simulator keeps it: the version it runs.
version_of() { sed -n 's/^version=//p' "$d/sim-$1.state"; }
if [ "$rc" = 0 ] && grep -q "done: MN316-DBRS-MBRH0S02" "$d/resume.log" &&
   [ ! -e "$S/journal" ] && [ "$(version_of 0)" = MN316-DBRS-MBRH0S02 ]; then
	ok resume_finishes_on_the_module
else
	not_ok resume_finishes_on_the_module "exited $rc, module a runs '$(version_of 0)'"
fi
# b: identification at most, nothing of the upgrade.
case_b_untouched() {
	b=$(tail -n +"$((mark_b + 1))" "$d/sim-1.log" | grep '^[0-9.]* < ' | cut -d' ' -f3- | tr -d '\n')
	echo "sent to b since it came back: $b"
	! echo "$b" | grep -q 'AT+MFW'
}
check other_module_sent_no_upgrade case_b_untouched
check other_module_keeps_its_firmware eval \
	'echo "b runs $(version_of 1)"; [ "$(version_of 1)" != MN316-DBRS-MBRH0S02 ]'
cleanup
finish
