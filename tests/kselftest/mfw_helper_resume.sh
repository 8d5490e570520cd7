#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Guest test: the journal.  "mfw upgrade" of an MN316 (hex path, resumable)
# is stopped with SIGTERM in the middle of the write, over a link throttled
# to 115200 baud: it stops at a safe point (exit 9, journal "writing");
# "mfw resume" then continues at the module's offset (no erase, no rewrite
# from 0) and finishes the upgrade.  The module's flash
# holds exactly the image and AT+CGMR reports the new version.
# Needs mfw and mfw-modemsim in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

plan 7
export MFW_STATE_DIR=$d/state
img=$d/fw.bin
# The trailer's md5= makes the module itself check every byte before it
# flashes (a mismatch fails the upgrade with 854).
mkimage "$img" MN316-DBRS-MBRH0S02 64
head -n -1 "$img" >"$d/body"
echo "MFWVER:MN316-DBRS-MBRH0S02 md5=$(md5sum <"$d/body" | cut -d' ' -f1)" >>"$d/body"
mv "$d/body" "$img"
size=$(wc -c <"$img")
sim_start --model MN316 --baud 115200 --boot-ms 300 --flash-ms 3000 || {
	not_ok simulator "did not start"; finish; }

# The write acknowledged so far, as the port's progress says ("done total").
written() { p=$(mfw_port) && cut -d' ' -f1 "$p/progress"; }
past() { b=$(written) && [ -n "$b" ] && [ "$b" -ge "$1" ]; }

mfw --verbose upgrade "$img" --port "$d/tty" --timeout 300 >"$d/out.log" 2>"$d/upgrade.log" &
up=$!
if wait_for 120 past $((size / 4)); then
	kill -TERM $up
	wait $up
	rc=$?
	if [ $rc -eq 9 ]; then ok stopped_mid_transfer_exit_9
	else not_ok stopped_mid_transfer_exit_9 "exited $rc"; fi
else
	kill -9 $up
	not_ok stopped_mid_transfer_exit_9 "the write never got past a quarter"
	finish
fi
case_in_flight() {
	grep -q '^phase=writing' "$d/state/journal" && ! past "$size" &&
		! grep -q 'MFWUPGRADE' "$d/sim.log"
}
check journal_in_flight case_in_flight

# The module drops its package once it flashed it: copy its flash as soon
# as the whole package is in, before the upgrade is over.
(
	while [ ! -e "$d/stop" ]; do
		if [ "$(wc -c <"$d/sim.state.pkg" 2>/dev/null)" = "$size" ]; then
			cp "$d/sim.state.pkg" "$d/flash.copy"
			sed -n 's/^pkg_len=//p' "$d/sim.state" >"$d/flash.len"
			break
		fi
		sleep 0.1
	done
) &
timed resume mfw --verbose resume
touch "$d/stop"
if [ $rc -eq 0 ]; then ok resume_exit_0; else not_ok resume_exit_0 "exited $rc"; fi

# What the host sent the module, as one line (the simulator's transcript
# splits it into reads of any size).
sent() { grep '^[0-9.]* < ' "$d/sim.log" | cut -d' ' -f3- | tr -d '\n'; }
# After the kill: no second erase, nothing rewritten from 0, and the write
# continues at the offset the module acknowledged.
case_continued() {
	off=$(sed -n 's/.*resuming the write at byte \([0-9]*\) .*/\1/p' "$d/resume.log")
	echo "resumed at '$off'; erases $(sent | grep -o AT+MFWERASE | wc -l)," \
		"writes at 0: $(sent | grep -o 'AT+MFWDLOAD=0,' | wc -l)"
	[ -n "$off" ] && [ "$off" -gt 0 ] && sent | grep -q "AT+MFWDLOAD=$off," &&
		[ "$(sent | grep -o AT+MFWERASE | wc -l)" -le 1 ] &&
		[ "$(sent | grep -o 'AT+MFWDLOAD=0,' | wc -l)" -eq 1 ]
}
check resume_continues_at_offset case_continued
case_flash() {
	len=$(cat "$d/flash.len")
	echo "pkg_len=$len image=$size"
	[ "$len" = "$size" ] && head -c "$len" "$d/flash.copy" | cmp -s - "$img"
}
check module_holds_image case_flash
check journal_done eval 'mfw status 2>&1 | grep -q "journal: done" && [ ! -e "$d/state/journal" ]'
check module_runs_new_version firmware_is MN316-DBRS-MBRH0S02
finish
