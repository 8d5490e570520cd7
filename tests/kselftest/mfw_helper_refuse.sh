#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: what "mfw upgrade" does when the module refuses.  A write the
# module refuses with 860 (no space) exits 7 naming the code, its text and
# what to do, and closes the journal as failed, which "mfw resume" leaves
# alone.  An AT+MFWCHECK before the upgrade that is never answered means
# AT+MFWUPGRADE was not sent: exit 8 at once, the journal left "written"
# (not "flashing"), and "mfw resume" then finishes the upgrade.  A package
# the module flashes, fails and rolls back, whose failure report is lost,
# is settled as not taken soon after the module's reboot (exit 7), not at
# the upgrade timeout.  Another client of the tty sets AT+CMEE=0 and ATE0
# between two upgrades: the next refusal is a plain ERROR, which mfw
# names as a refusal without a code (never the 860 of the refusal before
# it), last_error says the same, and the driver's own commands carry the
# upgrades with the module's echo on and off.
# Needs mfw and mfw-modemsim in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

plan 16
export MFW_STATE_DIR=$d/state
img=$d/fw.bin
mkimage "$img" ML307R-DC-MBRH0S02 8
phase() { sed -n 's/^phase=//p' "$d/state/$1" 2>/dev/null; }

# 1. The module runs out of space half-way through the package.
sim_start --model ML307R-DC --boot-ms 300 --flash-ms 500 \
	--fault error=860@offset=4096 || { not_ok simulator "did not start"; finish; }
timed nospace mfw upgrade "$img" --port "$d/tty" --timeout 60
if [ $rc -eq 7 ]; then ok refused_write_exit_7; else not_ok refused_write_exit_7 "exited $rc"; fi
check refused_write_names_860 grep -q "error 860 (not enough file-system space).*erase.*differential" \
	"$d/nospace.log"
if [ ! -e "$d/state/journal" ] && [ "$(phase journal.last)" = failed ]; then
	ok refused_write_journal_failed
else
	not_ok refused_write_journal_failed "journal: $(phase journal), journal.last: $(phase journal.last)"
fi
cp "$d/state/journal.last" "$d/last.before"
timed resume1 mfw resume
if [ $rc -eq 0 ] && cmp -s "$d/state/journal.last" "$d/last.before" &&
   [ ! -e "$d/state/journal" ] && ! grep -q MFWDLOAD "$d/resume1.log"; then
	ok resume_leaves_refusal_alone
else
	not_ok resume_leaves_refusal_alone "exited $rc"
fi
sim_stop
rm -f "$d/sim.state" "$d/sim.state.pkg" "$d/state/journal.last" "$d/sim.log"

# 2. The pre-upgrade check (ML305U has AT+MFWCHECK) is never answered
# (kernel timeout 3 s).
mkimage "$img" ML305U-DBLN-MBRH0S02 8
par=/sys/module/mfw/parameters/write_timeout_ms
old=$(cat "$par")
echo 3000 >"$par"
sim_start --model ML305U --boot-ms 300 --flash-ms 500 \
	--fault stall=6000@cmd=MFWCHECK || { not_ok simulator "did not start"; finish; }
t0=$(now_cs)
timed precheck mfw upgrade "$img" --port "$d/tty" --timeout 120
dt=$(($(now_cs) - t0))
echo "$old" >"$par"
if [ $rc -eq 8 ] && [ $dt -lt 6000 ]; then
	ok precheck_timeout_exit_8_at_once
else
	not_ok precheck_timeout_exit_8_at_once "exited $rc after $dt cs"
fi
check precheck_message grep -q "not started.*not flashing" "$d/precheck.log"
if [ "$(phase journal)" = written ] && ! grep -q 'MFWUPGRADE' "$d/sim.log"; then
	ok precheck_journal_written
else
	not_ok precheck_journal_written "journal: $(phase journal)"
fi
sleep 4	# the stalled answer comes and goes
timed resume2 mfw resume --timeout 120
if [ $rc -eq 0 ] && [ "$(phase journal.last)" = done ]; then
	ok resume_after_precheck_done
else
	not_ok resume_after_precheck_done "exited $rc, journal.last: $(phase journal.last)"
fi
sim_stop
rm -f "$d/sim.state" "$d/sim.state.pkg" "$d/state/journal" "$d/state/journal.last" "$d/sim.log"

# 3. The module takes the package, flashes it and fails (its MD5 trailer
# is wrong: userspace/modemsim/pkg.c), rolls back and reboots; the
# "+MFWUPGRADE: 3" it prints as it boots is lost (on USB it often comes
# before anyone opened the new port).  It then answers its old version.
mkimage "$img" "ML307R-DC-MBRH0S02 md5=00000000000000000000000000000000" 8
# (the manifest names the target: the version alone then tells that the
# package did not take)
mfw manifest create "$img" --family ML307R-DC --version ML307R-DC-MBRH0S02 >>"$d/out.log" 2>&1 ||
	{ not_ok manifest "mfw manifest create failed"; finish; }
sim_start --model ML307R-DC --boot-ms 300 --flash-ms 500 \
	--fault lose@report=MFWUPGRADE:3 || { not_ok simulator "did not start"; finish; }
t0=$(now_cs)
timed lost mfw upgrade "$img" --port "$d/tty" --timeout 600
dt=$(($(now_cs) - t0))
# (two answers with the old version, the second MFW_PROBE_FIRST_MS, 10 s,
# after the first)
if [ $rc -eq 7 ] && [ $dt -ge 1000 ] && [ $dt -lt 9000 ]; then
	ok lost_failure_report_settled_exit_7
else
	not_ok lost_failure_report_settled_exit_7 "exited $rc after $dt cs"
fi
check lost_failure_report_message grep -q "runs ML307R-DC-MBRH0S01.*the upgrade did not take" \
	"$d/lost.log"
if [ ! -e "$d/state/journal" ] && [ "$(phase journal.last)" = failed ]; then
	ok lost_failure_report_journal_failed
else
	not_ok lost_failure_report_journal_failed "journal: $(phase journal), journal.last: $(phase journal.last)"
fi
sim_stop
rm -f "$d/sim.state" "$d/sim.state.pkg" "$d/state/journal.last" "$d/sim.log" "$img.manifest"

# 4. One module, one port, three upgrades.  The first is refused with 860
# half-way; then another client sends AT+CMEE=0 and ATE0 (a terminal, or a
# library's init); the second is refused half-way again, now with a plain
# ERROR; the third goes through with the module's echo off (the first ran
# with it on, the module's default).
mkimage "$img" ML307R-DC-MBRH0S02 8
sim_start --model ML307R-DC --boot-ms 300 --flash-ms 500 \
	--fault error=860@offset=4096 --fault error=853@offset=6144 ||
	{ not_ok simulator "did not start"; finish; }
timed code mfw upgrade "$img" --port "$d/tty" --timeout 60
p=$(mfw_port)
if [ $rc -eq 7 ] && grep -q "error 860" "$d/code.log" &&
   grep -q "^860" "$p/last_error" 2>/dev/null; then
	ok cmee_first_refusal_names_860
else
	not_ok cmee_first_refusal_names_860 "exited $rc, last_error '$(cat "$p/last_error" 2>/dev/null)'"
fi
# The other client, whose answers nobody reads: a command, its arrival,
# the next.
printf 'AT+CMEE=0\r' >"$d/tty"
wait_for 10 grep -q '< .*AT+CMEE=0' "$d/sim.log"
printf 'ATE0\r' >"$d/tty"
if grep -q '< .*AT+CMEE=0' "$d/sim.log" && wait_for 10 grep -q '< .*ATE0' "$d/sim.log"; then
	ok cmee_other_client_sets_cmee0_echo_off
else
	not_ok cmee_other_client_sets_cmee0_echo_off "AT+CMEE=0 and ATE0 did not reach the module"
fi
timed nocode mfw upgrade "$img" --port "$d/tty" --timeout 60
if [ $rc -eq 7 ] && grep -q "refused the package with a plain ERROR, without an error code.*AT+CMEE=0" "$d/nocode.log" &&
   ! grep -q 860 "$d/nocode.log"; then
	ok cmee_plain_error_says_no_code
else
	not_ok cmee_plain_error_says_no_code "exited $rc"
fi
check cmee_last_error_no_code grep -q "^refused without a code" "$p/last_error"
n3=$(grep -c . "$d/sim.log")
timed noecho mfw upgrade "$img" --port "$d/tty" --timeout 60
# (the module echoed the driver's AT+MFW... before the client's ATE0, and
# after it never: the third upgrade's commands went out, unechoed; an
# echo may follow other output in one record, after its "\n")
if [ $rc -eq 0 ] && grep -qx "mfw: done: ML307R-DC-MBRH0S02" "$d/noecho.log" &&
   awk -v n3="$n3" '$2 == "<" && $0 ~ /ATE0/ { off = 1 }
	$2 == ">" && $0 ~ / > (.*\\n)?AT\+MFW/ { if (off) echoed = 1; else before = 1 }
	$2 == "<" && $0 ~ /AT\+MFW/ && NR > n3 { sent = 1 }
	END { exit !(before && off && sent && !echoed) }' "$d/sim.log"; then
	ok cmee_upgrade_with_echo_off
else
	not_ok cmee_upgrade_with_echo_off "exited $rc"
fi
finish
