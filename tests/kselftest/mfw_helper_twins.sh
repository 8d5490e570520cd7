#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: two modules of one model with the same USB serial number
# (modules of one production lot may share one), each a gadget on a UDC of
# its own (mfw-gadget with MFW_GADGET=0 and 1, MFW_GADGET_SERIAL alike),
# each served by its own simulated MN316 with its own IMEI, at 115200 baud
# so that a write can be stopped halfway.  Like some NB-IoT firmware, the
# simulators answer a bare AT+CGSN with a UUID: the kernel reads the IMEI
# with AT+CGSN=1.
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
# 4. Module a's next upgrade is stopped the same way, and a comes back
#    alone on the other USB path (b's UDC): found by its IDs and serial
#    number, it proves itself by its IMEI, and the resume finishes there.
# 5. "mfw attach" of a, which cannot prove anything, does not move to b
#    (plugged in where a was first) when a is unplugged.
# 6. a's next upgrade is stopped, a unplugged, and "mfw resume --port"
#    names b's tty: b is taken whatever its IMEI; it runs another version
#    than a's upgrade started from, so the resume closes the journal
#    (exit 4) without writing to it.
# Needs mfw, mfw-modemsim and mfw-gadget in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

plan 14
export MFW_STATE_DIR=$d/state MFW_CONFIG=$d/mfw.conf MFW_GADGET_SERIAL=MFWTWIN0001
S=$d/state
# Two IMEIs of the simulator's type allocation code, Luhn check digits.
imei_0=869999000000011 imei_1=869999000000029
sim_0='' sim_1='' up='' rs='' tty_0='' tty_1='' usb_0='' usb_1='' gadget_0=0 gadget_1=1

# Whatever happened, the upgrades and simulators stop and both gadgets go.
cleanup() {
	gadgets_down $up $rs $sim_0 $sim_1
	up='' rs='' sim_0='' sim_1=''
}
trap cleanup EXIT

# module N [G]: module N (IMEI imei_N, state and transcript in
# $d/sim-N.*) plugged in as gadget G (default N: the UDC it is on); sets
# tty_N, usb_N and sim_N.  The state file keeps the module's flash across
# a restart of its simulator.
module() {
	g=${2:-$1}
	t=$(MFW_GADGET=$g mfw-gadget create 2>>"$d/gadget.log") || return 1
	gs=$(MFW_GADGET=$g mfw-gadget gs) || return 1
	eval "imei=\$imei_$1"
	mfw-modemsim --model MN316 --imei "$imei" --cgsn-uuid --baud 115200 --tty "$gs" \
		--gadget "$(MFW_GADGET=$g mfw-gadget dir)" --udc "$(MFW_GADGET=$g mfw-gadget udc)" \
		--state "$d/sim-$1.state" --transcript "$d/sim-$1.log" \
		--boot-ms 300 --flash-ms 1000 2>>"$d/simerr-$1.log" &
	eval "sim_$1=$! tty_$1=$t usb_$1=$(usb_of "$t") gadget_$1=$g"
	echo "# $T: module $1: $t (USB $(usb_of "$t")), gadget $g, gadget side $gs, IMEI $imei"
}
# gone N: module N unplugged for good (its simulator stops, its gadget goes).
gone() {
	eval "p=\$sim_$1 g=\$gadget_$1"
	kill "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	eval "sim_$1=''"
	MFW_GADGET=$g mfw-gadget destroy 2>>"$d/gadget.log"
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
# The write of a SIZE-byte package acknowledged so far, on module a's port.
written() {
	for p in /sys/class/mfw/mfw*; do
		[ "$(cat "$p/tty" 2>/dev/null)" = "${tty_0#/dev/}" ] || continue
		read -r b t <"$p/progress" && [ "$t" = "$1" ] && echo "$b"
	done
}
past() { b=$(written "$2") && [ -n "$b" ] && [ "$b" -ge "$1" ]; }
# stop NAME IMAGE LOG: "mfw upgrade IMAGE" of module a stopped with
# SIGTERM once a quarter of it is written; NAME passes when mfw exits 9
# and the journal, in phase writing, keeps a's IMEI.
stop() {
	isize=$(wc -c <"$2")
	mfw --verbose upgrade "$2" --port "$tty_0" --timeout 300 >>"$d/out.log" 2>"$d/$3" &
	up=$!
	if ! wait_for 120 past $((isize / 4)) "$isize"; then
		not_ok "$1" "the write never got past a quarter of the package"
		finish
	fi
	kill -TERM $up
	wait $up
	rc=$?
	up=''
	if [ $rc -eq 9 ] && [ "$(jget phase)" = writing ] && [ "$(jget imei)" = "$imei_0" ]; then
		ok "$1"
	else
		not_ok "$1" "exited $rc, journal phase '$(jget phase)' imei '$(jget imei)'"
	fi
	echo "# $T: journal: usbpath $(jget usbpath), port $(jget port)"
}
stop stopped_journal_keeps_imei "$img" upgrade.log

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
# Still waiting for a, three seconds on, and b's tty is n_tty's again (no
# mfw port on it: the resume attached it to ask, and let it go).
nap 3
case_waits() {
	for p in /sys/class/mfw/mfw*; do
		[ "$(cat "$p/tty" 2>/dev/null)" != "${tty_1#/dev/}" ] || return 1
	done
	kill -0 $rs
}
check resume_waits_for_the_module case_waits

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
# lines DIR: the transcript's bytes in direction DIR ("<" to b, ">" from
# b) since b came back, one line per CR or LF, empty lines dropped (the
# transcript writes a CR as "\r", an LF as "\n" and a backslash as "\\",
# which becomes "\x5c" first).
lines() {
	tail -n +"$((mark_b + 1))" "$d/sim-1.log" | grep "^[0-9.]* $1 " | cut -d' ' -f3- |
		tr -d '\n' | sed 's/\\\\/\\x5c/g; s/\\[rn]/\n/g' | sed '/^$/d'
}
# b: the identification's commands, nothing else.  Before the first of
# them b may get its own words back: a freshly enumerated USB tty starts
# in cooked mode with echo on, and until its first opener sets it raw,
# n_tty echoes what the module had queued (its +MATREADY, and then the
# module's echo of that).  No opener can set termios before open(); the
# kernel's identification meets such a line with ERROR and asks again.
# From the first command on, only the identification's commands count.
case_b_untouched() {
	lines '<' >"$d/to-b"
	lines '>' | sort -u >"$d/from-b"
	printf "sent to b since it came back: %s\n" "$(tr '\n' '|' <"$d/to-b")"
	printf "b said: %s\n" "$(tr '\n' '|' <"$d/from-b")"
	cmds=0 bad=0
	while IFS= read -r l; do
		case $l in
		AT+CGSN=1 | AT+CGSN | AT+CGMR | ATI)
			cmds=$((cmds + 1))
			continue ;;
		esac
		# its own words, only before any command, and never a
		# command (b echoes every command it gets)
		case $l in
		[Aa][Tt]* | [Aa]/*) ;;
		*)
			if [ $cmds -eq 0 ] && grep -qxF -e "$l" "$d/from-b"; then
				continue
			fi ;;
		esac
		echo "not an identification command: $l"
		bad=$((bad + 1))
	done <"$d/to-b"
	[ $cmds -gt 0 ] && [ $bad -eq 0 ]
}
check other_module_sent_no_upgrade case_b_untouched
check other_module_keeps_its_firmware eval \
	'echo "b runs $(version_of 1)"; [ "$(version_of 1)" != MN316-DBRS-MBRH0S02 ]'

# --- 4. a alone, back on the other USB path ----------------------------
img3=$d/fw3.bin
mkimage "$img3" MN316-DBRS-MBRH0S03 24
# (its upgrade's reboot may have given it another tty)
tty_0=$(MFW_GADGET=0 mfw-gadget tty)
stop moved_stopped_journal_keeps_imei "$img3" upgrade3.log
gone 1
gone 0
module 0 1
timed resume3 mfw --verbose resume
if [ $rc -eq 0 ] && [ "$usb_0" = "$usb_1" ] &&
   grep -q "its IMEI $imei_0 is the journal's" "$d/resume3.log"; then
	ok moved_module_proven_by_imei
else
	not_ok moved_module_proven_by_imei "exited $rc; a is on $usb_0, b was on $usb_1"
fi
check moved_module_runs_new_version eval \
	'echo "a runs $(version_of 0)"; [ "$(version_of 0)" = MN316-DBRS-MBRH0S03 ] && [ ! -e "$S/journal" ]'

# --- 5. mfw attach stays where its module was --------------------------
# It cannot prove what it finds elsewhere: unplugged, a's attach must not
# take b, which shares a's serial number, on the other USB path.
module 1 0
tty_a=$(MFW_GADGET=1 mfw-gadget tty)
mfw attach "$tty_a" >>"$d/out.log" 2>"$d/attach.log" &
at=$!
# on_tty TTY: an mfw port is attached to TTY.
on_tty() {
	for p in /sys/class/mfw/mfw*; do
		[ "$(cat "$p/tty" 2>/dev/null)" = "${1#/dev/}" ] && return 0
	done
	return 1
}
if wait_for 20 on_tty "$tty_a"; then
	gone 0
	nap 5
	case_attach_stays() {
		for p in /sys/class/mfw/mfw*; do
			[ -e "$p" ] || continue
			echo "mfw port $p on $(cat "$p/tty")"
			return 1
		done
		kill -0 $at
	}
	check attach_does_not_take_the_twin case_attach_stays
else
	not_ok attach_does_not_take_the_twin "mfw attach $tty_a never attached"
fi
kill $at 2>/dev/null
wait $at 2>/dev/null

# --- 6. mfw resume --port takes the module there, whatever its IMEI ----
# a replaced by b: a's interrupted upgrade is finished on b, by name.
module 0 1
tty_0=$(MFW_GADGET=1 mfw-gadget tty)
img4=$d/fw4.bin
mkimage "$img4" MN316-DBRS-MBRH0S04 24
stop port_stopped_journal_keeps_imei "$img4" upgrade4.log
gone 0
tty_b=$(MFW_GADGET=0 mfw-gadget tty)
timed resume4 mfw --verbose resume --port "$tty_b"
# b is taken (no IMEI refusal) and identified; it runs another version
# than the one a's upgrade started from, so the resume goes no further:
# exit 4, the journal closed as failed, nothing written to b.
if [ $rc -eq 4 ] && grep -q "taken whatever its IMEI" "$d/resume4.log" &&
   ! grep -q "has IMEI" "$d/resume4.log" &&
   grep -q "runs MN316-DBRS-MBRH0S01, not the MN316-DBRS-MBRH0S03 the interrupted upgrade started from" "$d/resume4.log" &&
   [ "$(version_of 1)" = MN316-DBRS-MBRH0S01 ] && [ ! -e "$S/journal" ]; then
	ok port_takes_the_replacement
else
	not_ok port_takes_the_replacement "exited $rc; b runs '$(version_of 1)'"
fi
cleanup
finish
