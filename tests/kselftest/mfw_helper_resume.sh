#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: the journal and resumed writes of an MN316 (hex path,
# resumable) over a link throttled to 115200 baud.
#
# 1. "mfw upgrade" stopped with SIGTERM in the middle of the write stops at
#    a safe point (exit 9, journal "writing"); "mfw resume" continues at
#    the module's offset (no erase, no rewrite from 0) and finishes.
# 2. "mfw upgrade" killed with SIGKILL in the middle of the write: the
#    module stores the chunk that was in flight, while the port's offset
#    and the journal lag behind it.  "mfw resume" still continues where
#    the module is, without starting over.
# 3. SIGTERM again, then the module restarts (the simulator comes back on
#    a new pty, so the port is a new one whose offset is 0): "mfw resume"
#    continues at the journal's offset.
# Each time the module's flash holds exactly the image and AT+CGMR reports
# the new version.
# 4. Stopped again, and the module comes back already running the target
#    (something else finished it): "mfw resume" writes nothing, closes the
#    journal as done, and "mfw history" shows it.
# 5. Stopped again, and the module comes back running a third version:
#    "mfw resume" refuses to go back (exit 4), writes nothing, closes the
#    journal as failed.
# 6. Stopped again, and "mfw resume" starts while the module's port is not
#    there (at boot, mfw-resume.service can run before a USB module has
#    enumerated): it waits for the port instead of failing, and finishes
#    once the module is back.
# Needs mfw and mfw-modemsim in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

plan 31
export MFW_STATE_DIR=$d/state
sim_args="--model MN316 --baud 115200 --boot-ms 300 --flash-ms 3000"

# mkimage_md5 FILE VERSION KIB: a package whose trailer's md5= makes the
# module itself check every byte before it flashes (a mismatch fails the
# upgrade with 854).
mkimage_md5() {
	mkimage "$1" "$2" "$3"
	head -n -1 "$1" >"$d/body"
	echo "MFWVER:$2 md5=$(md5sum <"$d/body" | cut -d' ' -f1)" >>"$d/body"
	mv "$d/body" "$1"
}

img=$d/fw.bin
mkimage_md5 "$img" MN316-DBRS-MBRH0S02 24
size=$(wc -c <"$img")
sim_start $sim_args || { not_ok simulator "did not start"; finish; }

# The write of a SIZE-byte package acknowledged so far, as the port's
# progress says ("done total"); nothing while another size is shown.
written() { p=$(mfw_port) && read -r b t <"$p/progress" && [ "$t" = "$1" ] && echo "$b"; }
past() { b=$(written "$2") && [ -n "$b" ] && [ "$b" -ge "$1" ]; }

# The module drops its package once it flashed it: copy its flash as soon
# as the whole SIZE-byte package is in, before the upgrade is over.
watch_flash() {
	rm -f "$d/flash.copy" "$d/flash.len" "$d/stop"
	(
		while [ ! -e "$d/stop" ]; do
			if [ "$(wc -c <"$d/sim.state.pkg" 2>/dev/null)" = "$1" ] &&
			   [ "$(sed -n 's/^pkg_len=//p' "$d/sim.state")" = "$1" ]; then
				cp "$d/sim.state.pkg" "$d/flash.copy"
				sed -n 's/^pkg_len=//p' "$d/sim.state" >"$d/flash.len"
				break
			fi
			nap
		done
	) &
}
# flash_is IMAGE: the copied flash is exactly the image.
flash_is() {
	len=$(cat "$d/flash.len" 2>/dev/null)
	echo "pkg_len=$len image=$(wc -c <"$1")"
	[ "$len" = "$(wc -c <"$1")" ] && head -c "$len" "$d/flash.copy" | cmp -s - "$1"
}

# What the host sent the module, as one line (the simulator's transcript
# splits it into reads of any size); with LINE, only from that line of
# the transcript on.
sent() { tail -n +"${1:-1}" "$d/sim.log" | grep '^[0-9.]* < ' | cut -d' ' -f3- | tr -d '\n'; }
mark() { wc -l <"$d/sim.log"; }
count() { grep -o "$1" | wc -l; }
# The journal's key=value.
jget() { sed -n "s/^$1=//p" "$d/state/journal"; }

# interrupt NAME IMAGE LOG DIVISOR SIGNAL EXIT: "mfw upgrade IMAGE" (its
# messages in LOG), sent SIGNAL once 1/DIVISOR of the package is
# acknowledged; NAME passes when mfw then exits with EXIT.  A write that
# never gets that far ends the test.
interrupt() {
	isize=$(wc -c <"$2")
	mfw --verbose upgrade "$2" --port "$d/tty" --timeout 300 >>"$d/out.log" 2>"$d/$3" &
	up=$!
	if wait_for 120 past $((isize / $4)) "$isize"; then
		kill -"$5" $up
		wait $up
		rc=$?
		if [ $rc -eq "$6" ]; then ok "$1"; else not_ok "$1" "exited $rc"; fi
	else
		kill -9 $up
		not_ok "$1" "the write never got past 1/$4 of the package"
		finish
	fi
}
# resumed NAME LOG SIZE: "mfw resume" (its messages in LOG.log), the
# module's flash copied once the whole SIZE-byte package is in; NAME
# passes when it exits 0.
resumed() {
	watch_flash "$3"
	timed "$2" mfw --verbose resume
	touch "$d/stop"
	if [ $rc -eq 0 ]; then ok "$1"; else not_ok "$1" "exited $rc"; fi
}

# --- 1. SIGTERM: a safe stop -------------------------------------------
interrupt stopped_mid_transfer_exit_9 "$img" upgrade.log 4 TERM 9
case_in_flight() {
	grep -q '^phase=writing' "$d/state/journal" && ! past "$size" "$size" &&
		! grep -q 'MFWUPGRADE' "$d/sim.log"
}
check journal_in_flight case_in_flight

resumed resume_exit_0 resume "$size"

# After the stop: no second erase, nothing rewritten from 0, and the write
# continues at the offset the module acknowledged.
case_continued() {
	off=$(sed -n 's/.*resuming the write at byte \([0-9]*\) .*/\1/p' "$d/resume.log")
	echo "resumed at '$off'; erases $(sent | count AT+MFWERASE)," \
		"writes at 0: $(sent | count 'AT+MFWDLOAD=0,')"
	[ -n "$off" ] && [ "$off" -gt 0 ] && sent | grep -q "AT+MFWDLOAD=$off," &&
		[ "$(sent | count AT+MFWERASE)" -le 1 ] &&
		[ "$(sent | count 'AT+MFWDLOAD=0,')" -eq 1 ]
}
check resume_continues_at_offset case_continued
check module_holds_image flash_is "$img"
check journal_done eval 'mfw status 2>&1 | grep -q "journal: done" && [ ! -e "$d/state/journal" ]'
check module_runs_new_version firmware_is MN316-DBRS-MBRH0S02

# --- 2. SIGKILL: no safe point -----------------------------------------
img2=$d/fw2.bin
mkimage_md5 "$img2" MN316-DBRS-MBRH0S03 26
size2=$(wc -c <"$img2")
interrupt killed_mid_transfer "$img2" upgrade2.log 3 KILL 137
# The command in flight reaches the module after the kill.
sleep 1
at_kill=$(($(mark) + 1))
held=$(sed -n 's/^pkg_len=//p' "$d/sim.state")
echo "# $T: after the kill: module holds $held, port offset $(cat "$(mfw_port)/offset" 2>/dev/null)," \
	"journal offset $(jget offset) (+$(jget inflight) in flight)"
check journal_in_flight_after_kill eval '[ "$(jget phase)" = writing ] && [ "$held" -lt "$size2" ]'

resumed resume_after_kill_exit_0 resume2 "$size2"
# It continues where the module is: no erase, nothing from 0, and the
# first write the module takes is at the length it held.
case_found_module() {
	echo "held $held; sent after the kill: erases $(sent "$at_kill" | count AT+MFWERASE)," \
		"writes at 0: $(sent "$at_kill" | count 'AT+MFWDLOAD=0,')"
	grep -E 'resuming|853' "$d/resume2.log"
	[ "$(sent "$at_kill" | count AT+MFWERASE)" -eq 0 ] &&
		[ "$(sent "$at_kill" | count 'AT+MFWDLOAD=0,')" -eq 0 ] &&
		sent "$at_kill" | grep -q "AT+MFWDLOAD=$held,"
}
check resume_after_kill_continues_where_module_is case_found_module
check module_holds_image_after_kill flash_is "$img2"
check module_runs_new_version_after_kill firmware_is MN316-DBRS-MBRH0S03

# --- 3. SIGTERM, then the module restarts on a new port ------------------
img3=$d/fw3.bin
mkimage_md5 "$img3" MN316-DBRS-MBRH0S04 32
size3=$(wc -c <"$img3")
interrupt stopped_again_exit_9 "$img3" upgrade3.log 3 TERM 9
joff=$(jget offset)
# The old port goes with the old pty; the module keeps its package.
sim_stop
wait_for 10 eval '! mfw_port >/dev/null'
sim_start $sim_args || { not_ok simulator "did not start again"; finish; }
at_restart=$(($(mark) + 1))
resumed resume_new_port_exit_0 resume3 "$size3"
case_journal_offset() {
	echo "journal offset '$joff'; sent after the restart: erases" \
		"$(sent "$at_restart" | count AT+MFWERASE), writes at 0:" \
		"$(sent "$at_restart" | count 'AT+MFWDLOAD=0,')"
	grep -E 'resuming|853' "$d/resume3.log"
	[ -n "$joff" ] && [ "$joff" -gt 0 ] &&
		grep -q "resuming the write at byte $joff " "$d/resume3.log" &&
		[ "$(sent "$at_restart" | count AT+MFWERASE)" -eq 0 ] &&
		[ "$(sent "$at_restart" | count 'AT+MFWDLOAD=0,')" -eq 0 ]
}
check resume_new_port_continues_at_journal_offset case_journal_offset
check module_holds_image_new_port flash_is "$img3"
check module_runs_new_version_new_port firmware_is MN316-DBRS-MBRH0S04

# --- 4, 5. The module changed while the upgrade was stopped ---------------
# overtaken NAME IMAGE VERSION RUNS: "mfw upgrade IMAGE" (installing
# VERSION, as its manifest says: the journal's target) stopped mid-write;
# then the module restarts running RUNS, as if something else had
# upgraded it meanwhile.  Leaves at_restart.
overtaken() {
	mkimage "$2" "$3" 16
	mfw manifest create "$2" --family MN316 --version "$3" >>"$d/out.log" 2>&1
	interrupt "$1" "$2" "$1.log" 3 TERM 9
	sim_stop
	wait_for 10 eval '! mfw_port >/dev/null'
	sed -i "s/^version=.*/version=$4/" "$d/sim.state"
	sim_start $sim_args || { not_ok simulator "did not start again"; finish; }
	at_restart=$(($(mark) + 1))
}
# untouched LOG: the resume wrote nothing to the module and closed the
# journal.
untouched() {
	grep -E 'already runs|not the' "$d/$1"
	[ "$(sent "$at_restart" | count AT+MFWDLOAD)" -eq 0 ] &&
		[ "$(sent "$at_restart" | count AT+MFWUPGRADE)" -eq 0 ] &&
		[ ! -e "$d/state/journal" ]
}
# The newest line of "mfw history" shows PHASE and "FROM -> TO".
history_ends() { mfw history --last 1 | tee /dev/stderr | grep -q "  $1  *$2 -> $3  "; }

# 4. It runs the interrupted upgrade's target: nothing to redo, done.
overtaken stopped_before_target_reached "$d/fw5.bin" MN316-DBRS-MBRH0S05 \
	MN316-DBRS-MBRH0S05
timed resume4 mfw --verbose resume
if [ $rc -eq 0 ]; then ok resume_at_target_exit_0; else not_ok resume_at_target_exit_0 "exited $rc"; fi
check resume_at_target_writes_nothing untouched resume4.log
check history_shows_done history_ends done MN316-DBRS-MBRH0S04 MN316-DBRS-MBRH0S05

# 5. It runs a third version: resuming would go back; refused, failed.
overtaken stopped_before_overtaken "$d/fw6.bin" MN316-DBRS-MBRH0S06 \
	MN316-DBRS-MBRH0S09
timed resume5 mfw --verbose resume
if [ $rc -eq 4 ]; then ok resume_overtaken_exit_4; else not_ok resume_overtaken_exit_4 "exited $rc"; fi
check resume_overtaken_writes_nothing untouched resume5.log
check history_shows_failed history_ends failed MN316-DBRS-MBRH0S05 MN316-DBRS-MBRH0S06

# --- 6. The port is not there yet when mfw resume starts -----------------
img7=$d/fw7.bin
mkimage_md5 "$img7" MN316-DBRS-MBRH0S10 32
size7=$(wc -c <"$img7")
interrupt stopped_before_boot_exit_9 "$img7" upgrade7.log 3 TERM 9
sim_stop
wait_for 10 eval '! mfw_port >/dev/null && [ ! -e "$d/tty" ]'
watch_flash "$size7"
mfw --verbose resume >>"$d/out.log" 2>"$d/resume7.log" &
rp=$!
# Without a port it says it waits (within 60 s: TCG), and still runs
# three seconds later.
waiting() {
	wait_for 60 grep -q "$d/tty is not there yet" "$d/resume7.log" && sleep 3
	cat "$d/resume7.log"
	kill -0 $rp && grep -q "$d/tty is not there yet" "$d/resume7.log"
}
check resume_waits_for_the_port waiting
sim_start $sim_args || { not_ok simulator "did not start again"; finish; }
if wait_for 120 eval '! kill -0 $rp'; then
	wait $rp
	rc=$?
else
	kill -9 $rp
	rc=timeout
fi
touch "$d/stop"
if [ "$rc" = 0 ]; then ok resume_late_port_exit_0; else not_ok resume_late_port_exit_0 "exited $rc"; fi
check module_holds_image_late_port flash_is "$img7"
check module_runs_new_version_late_port firmware_is MN316-DBRS-MBRH0S10
finish
