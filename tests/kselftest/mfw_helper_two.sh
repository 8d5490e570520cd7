#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: two modules on one board, upgraded side by side.  Two
# ML307R-DC on USB, each a gadget on a UDC of its own (mfw-gadget with
# MFW_GADGET=0 and 1; the guests' dummy_hcd has two), each served by its
# own simulator; mfw.conf has a [module a] and a [module b] section
# matching each one's USB device.  Module a is upgraded alone, then a and
# b at once: both must finish, each under its own lock and with its own
# state (<state_dir>/modules/NAME), while a second upgrade of module a,
# started while a's runs, is refused (exit 6).  The wall times of the
# upgrade alone and of the two at once are printed, not judged.
# Needs mfw, mfw-modemsim and mfw-gadget in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

plan 14
export MFW_STATE_DIR=$d/state MFW_CONFIG=$d/mfw.conf
S=$d/state
sim_0='' sim_1='' up_a='' up_b='' tty_0='' tty_1='' usb_0='' usb_1=''

# Whatever happened, the upgrades and simulators stop and both gadgets go
# (a simulator holding its ttyGS keeps the gadget's function busy).
cleanup() {
	gadgets_down $up_a $up_b $sim_0 $sim_1
	up_a='' up_b='' sim_0='' sim_1=''
}
trap cleanup EXIT

# module N: make gadget N and start its simulator, state and transcript
# in $d/sim-N.*; sets tty_N (host side), usb_N and sim_N (its pid).
# module N [FLASH_MS]: simulator N on gadget N, flashing in FLASH_MS
# (default 1000).
module() {
	t=$(MFW_GADGET=$1 mfw-gadget create 2>>"$d/gadget.log") || return 1
	gs=$(MFW_GADGET=$1 mfw-gadget gs) || return 1
	mfw-modemsim --model ML307R-DC --tty "$gs" \
		--gadget "$(MFW_GADGET=$1 mfw-gadget dir)" --udc "$(MFW_GADGET=$1 mfw-gadget udc)" \
		--state "$d/sim-$1.state" --transcript "$d/sim-$1.log" \
		--boot-ms 300 --flash-ms "${2:-1000}" 2>"$d/simerr-$1.log" &
	eval "sim_$1=$! tty_$1=$t usb_$1=$(usb_of "$t")"
	echo "# $T: module $1: $t (USB $(usb_of "$t")), gadget side $gs"
}
# The module's host tty now: a reboot may have given it another one.
tty_now() { MFW_GADGET=$1 mfw-gadget tty; }

# Module a flashes for 15 s: the second upgrade of it below must meet its
# first one still running, however fast the guest wrote the package.
module 0 15000 && module 1
if [ -n "$sim_1" ] && [ "$tty_0" != "$tty_1" ] && [ "$usb_0" != "$usb_1" ]; then
	ok two_modules_enumerated
else
	not_ok two_modules_enumerated "two gadgets, two ttyACM and two USB devices wanted"
	finish
fi
cat >"$MFW_CONFIG" <<EOF
# mfw_helper_two: two modules on one board, no power lines (USB only)
pwrkey=none
reset=none
status=none
[module a]
match=usb:$usb_0
[module b]
match=usb:$usb_1
EOF

img_a1=$d/a1.bin img_a2=$d/a2.bin img_b=$d/b.bin
mkimage "$img_a1" ML307R-DC-MBRH0S02 64
mkimage "$img_a2" ML307R-DC-MBRH0S03 64
mkimage "$img_b" ML307R-DC-MBRH0S02 64

# phase FILE: the phase a journal (or the last record of a history) says.
phase() { sed -n 's/^phase=//p' "$1" 2>/dev/null | tail -n 1; }
# records FILE: how many finished upgrades a history holds.
records() { cat "$1" 2>/dev/null | grep -c '^phase='; }
# last KEY FILE: KEY of the newest record of a history.
last() { sed -n "s/^$1=//p" "$2" 2>/dev/null | tail -n 1; }

# --- 1. module a alone ------------------------------------------------
t0=$(now_cs)
timed alone mfw --verbose upgrade "$img_a1" --port "$tty_0" --timeout 240
alone=$(($(now_cs) - t0))
if [ $rc -eq 0 ] && grep -q "done: ML307R-DC-MBRH0S02" "$d/alone.log"; then
	ok alone_upgrade_exit_0
else
	not_ok alone_upgrade_exit_0 "exited $rc"
fi
if [ "$(records "$S/modules/a/history")" = 1 ] && [ "$(phase "$S/modules/a/journal.last")" = "done" ] &&
   [ -e "$S/modules/a/transcript" ] && [ ! -e "$S/modules/b" ] &&
   [ ! -e "$S/journal" ] && [ ! -e "$S/journal.last" ] && [ ! -e "$S/history" ]; then
	ok alone_state_in_module_a_dir
else
	not_ok alone_state_in_module_a_dir "$(cd "$S" 2>/dev/null && find . | tr '\n' ' ')"
fi

# --- 2. a and b at once; a second upgrade of a is refused -------------
tty_a=$(tty_now 0) tty_b=$(tty_now 1)
t0=$(now_cs)
mfw --verbose upgrade "$img_a2" --port "$tty_a" --timeout 240 >>"$d/out.log" 2>"$d/both_a.log" &
up_a=$!
mfw --verbose upgrade "$img_b" --port "$tty_b" --timeout 240 >>"$d/out.log" 2>"$d/both_b.log" &
up_b=$!
# Each module's journal lasts from its check of the module to the end of
# its upgrade: both there at one moment, the two upgrades ran at once
# (one global lock would have kept b's from starting until a's ended).
check both_in_flight_at_once wait_for 60 eval \
	'[ -e "$S/modules/a/journal" ] && [ -e "$S/modules/b/journal" ]'
# a's journal is there from the moment it found the module (phase
# "prepared", before the write) until the upgrade is done, and a's lock
# is held from before then until it exits.  The second upgrade names the
# section (--module) and no port (a's tty may be b's by now): it is refused on the lock, whether or not the
# module is on its tty at that moment.
if wait_for 120 eval '[ "$(phase "$S/modules/a/journal")" = flashing ]'; then
	timed again mfw --module a upgrade "$img_a2" --timeout 60
	if [ $rc -eq 6 ] && grep -q "another mfw upgrade or resume is running.*modules/a/lock" "$d/again.log"; then
		ok same_module_refused_exit_6
	else
		not_ok same_module_refused_exit_6 "exited $rc"
	fi
else
	not_ok same_module_refused_exit_6 "module a's upgrade was not flashing within 120 s (journal phase '$(phase "$S/modules/a/journal")')"
fi
wait $up_a
rc_a=$?
wait $up_b
rc_b=$?
up_a='' up_b=''
both=$(($(now_cs) - t0))
echo "# $T: both: a exited $rc_a, b exited $rc_b after $both cs"
if [ $rc_a -eq 0 ] && grep -q "done: ML307R-DC-MBRH0S03" "$d/both_a.log"; then
	ok both_a_exit_0
else
	not_ok both_a_exit_0 "exited $rc_a"
fi
if [ $rc_b -eq 0 ] && grep -q "done: ML307R-DC-MBRH0S02" "$d/both_b.log"; then
	ok both_b_exit_0
else
	not_ok both_b_exit_0 "exited $rc_b"
fi
# Both modules were down for their reboot: each simulator re-enumerated.
check both_reenumerated eval 'grep -q "port down" "$d/sim-0.log" && grep -q "port down" "$d/sim-1.log"'

# --- 3. each module runs its new version; each has its own state ------
check a_runs_new_version firmware_is ML307R-DC-MBRH0S03 "$(tty_now 0)"
check b_runs_new_version firmware_is ML307R-DC-MBRH0S02 "$(tty_now 1)"
for m in a b; do
	echo "# $T: $S/modules/$m: $(cd "$S/modules/$m" 2>/dev/null && echo *)," \
		"$(records "$S/modules/$m/history") records"
done
if [ "$(records "$S/modules/a/history")" = 2 ] && [ "$(records "$S/modules/b/history")" = 1 ] &&
   [ "$(last image "$S/modules/a/history")" = "$img_a2" ] &&
   [ "$(last from "$S/modules/a/history")" = ML307R-DC-MBRH0S02 ] &&
   [ "$(last image "$S/modules/b/history")" = "$img_b" ] &&
   [ "$(phase "$S/modules/a/journal.last")" = "done" ] && [ "$(phase "$S/modules/b/journal.last")" = "done" ] &&
   [ ! -e "$S/modules/a/journal" ] && [ ! -e "$S/modules/b/journal" ]; then
	ok history_per_module
else
	not_ok history_per_module "a: $(records "$S/modules/a/history") records, b: $(records "$S/modules/b/history")"
fi
if [ -e "$S/modules/a/lock" ] && [ -e "$S/modules/b/lock" ] &&
   [ -e "$S/modules/a/transcript" ] && [ -e "$S/modules/b/transcript" ] &&
   [ ! -e "$S/journal" ] && [ ! -e "$S/journal.last" ] && [ ! -e "$S/history" ] &&
   [ ! -e "$S/transcript" ] && [ ! -e "$S/lock" ]; then
	ok nothing_in_global_state_dir
else
	not_ok nothing_in_global_state_dir "$(cd "$S" && find . | tr '\n' ' ')"
fi

# A USB module named by its tty would lose its section (and its lock)
# when it re-enumerates onto another tty: refused, pointing at usb:.
t=$(tty_now 0)
printf '[module a]\nmatch=tty:%s\n' "${t#/dev/}" >"$d/bytty.conf"
check usb_tty_by_name_refused eval '
	MFW_CONFIG=$d/bytty.conf mfw upgrade "$img_a2" --port "$t" --dry-run >"$d/bytty.log" 2>&1
	[ $? -eq 3 ] && grep -q "match=usb:" "$d/bytty.log"'

# mfw itself lists each module's upgrades, each record with its module.
check history_lists_each_module eval '
	mfw history --json >"$d/history.json" &&
	[ "$(grep -c "\"event\":\"history\".*\"module\":\"a\"" "$d/history.json")" = 2 ] &&
	[ "$(grep -c "\"event\":\"history\".*\"module\":\"b\"" "$d/history.json")" = 1 ]'

[ $alone -gt 0 ] || alone=1
echo "# $T: wall times: alone $alone cs, both at once $both cs," \
	"both/alone $((both / alone)).$(printf %02d $((both * 100 / alone % 100)))"
cleanup
finish
