#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: "mfw upgrade" of a simulated ML307R-DC on a pty, through the
# line discipline, /dev/mfwN and sysfs.  The initramfs guest has no
# systemd, D-Bus or ModemManager: the helper must say so and go on.
# Needs mfw and mfw-modemsim in PATH and the mfw module loaded.
set -u
d=/tmp/mfw-helper
rm -rf "$d" && mkdir -p "$d"
fail() { echo "mfw_helper_test: FAIL: $*"; cat "$d"/*.log 2>/dev/null | tail -n 40; exit 1; }

img=$d/fw.bin
i=0
while [ $i -lt 300 ]; do echo "package body line $i"; i=$((i + 1)); done >"$img"
echo "MFWVER:ML307R-DC-MBRH0S02" >>"$img"

mfw-modemsim --model ML307R-DC --pty "$d/tty" --state "$d/sim.state" \
	--boot-ms 300 --flash-ms 500 --transcript "$d/sim.log" 2>"$d/simerr.log" &
sim=$!
i=0
while [ ! -e "$d/tty" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
[ -e "$d/tty" ] || fail "simulator did not start"

mfw manifest create "$img" --family ML307R-DC --version ML307R-DC-MBRH0S02 ||
	fail "manifest create"
mfw --state-dir "$d/state" --verbose upgrade "$img" --port "$d/tty" --timeout 120 \
	>"$d/out.log" 2>"$d/upgrade.log"
rc=$?
cat "$d/upgrade.log"
[ $rc -eq 0 ] || fail "mfw upgrade exited $rc"
grep -q "no D-Bus system bus" "$d/upgrade.log" || fail "no word about the missing bus"
mfw --state-dir "$d/state" status >"$d/status.log" 2>&1
cat "$d/status.log"
grep -q "journal: done" "$d/status.log" || fail "journal does not say done"
[ ! -e "$d/state/journal" ] || fail "journal left in flight"
grep -q "MFWVER\|MBRH0S02" "$d/sim.state" || fail "simulator does not run the new version"

# The version the module runs, against the package's (strverscmp order).
# triggers: how many package writes and upgrade commands the module got
# so far.
triggers() { grep -c 'AT+MFWDLOAD=\|AT+MFWUPGRADE\\r' "$d/sim.log"; }
# up LOG ARGS...: mfw upgrade with ARGS; its exit code in $rc.
up() {
	_log=$1
	shift
	mfw --state-dir "$d/state" --verbose upgrade "$@" --port "$d/tty" --timeout 120 \
		>>"$d/out.log" 2>"$d/$_log.log"
	rc=$?
	cat "$d/$_log.log"
}
# A dry run against the port as the driver identified it: the plan, and
# not a byte to the module.
new=$d/new.bin
head -n 300 "$img" >"$new"
echo "MFWVER:ML307R-DC-MBRH0S03" >>"$new"
mfw manifest create "$new" --family ML307R-DC --version ML307R-DC-MBRH0S03 ||
	fail "manifest create (new)"
mfw attach "$d/tty" 2>"$d/attach.log" &
att=$!
# Identified: the driver has the version (AT+CGMR) and the family (ATI),
# and its last command is a second behind us.
i=0
until [ "$(cat /sys/class/mfw/mfw*/firmware 2>/dev/null)" = ML307R-DC-MBRH0S02 ] &&
      [ "$(cat /sys/class/mfw/mfw*/family 2>/dev/null)" = ML307R-DC ] ||
      [ $i -ge 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
sleep 1
said=$(wc -l <"$d/sim.log")
mfw --state-dir "$d/state" upgrade "$new" --port "$d/tty" --dry-run >"$d/dry.out" 2>"$d/dry.log"
rc=$?
cat "$d/dry.out" "$d/dry.log"
# What a dry run would have set off (an identification, say) comes late.
sleep 1
[ "$(wc -l <"$d/sim.log")" = "$said" ] || fail "the dry run reached the module"
kill "$att"
wait "$att"
[ $rc -eq 0 ] || fail "the dry run exited $rc, not 0"
grep -q "^dry run: the upgrade would go ahead" "$d/dry.out" || fail "no plan"
grep -q "running ML307R-DC-MBRH0S02" "$d/dry.out" || fail "the plan does not name the running version"
grep -q "installs ML307R-DC-MBRH0S03" "$d/dry.out" || fail "the plan does not name the new version"
[ ! -e "$d/state/journal" ] || fail "the dry run left a journal"

n=$(triggers)
up same "$img"
[ $rc -eq 0 ] || fail "the same version again exited $rc, not 0"
grep -q "already runs ML307R-DC-MBRH0S02; nothing to do" "$d/same.log" ||
	fail "no word that the module runs that version already"
[ "$(triggers)" = "$n" ] || fail "the module was asked to upgrade to the version it runs"
up again "$img" --allow-same-version
[ $rc -eq 0 ] || fail "--allow-same-version exited $rc"
grep -q "flashing it again because of --allow-same-version" "$d/again.log" ||
	fail "--allow-same-version did not say what it overrode"
[ "$(triggers)" -gt "$n" ] || fail "--allow-same-version did not flash"

old=$d/old.bin
head -n 300 "$img" >"$old"
echo "MFWVER:ML307R-DC-MBRH0S01" >>"$old"
mfw manifest create "$old" --family ML307R-DC --version ML307R-DC-MBRH0S01 ||
	fail "manifest create (old)"
n=$(triggers)
up down "$old"
[ $rc -eq 4 ] || fail "a downgrade exited $rc, not 4"
grep -q "older than the ML307R-DC-MBRH0S02 the module runs; refusing a downgrade" \
	"$d/down.log" || fail "no word about the refused downgrade"
[ "$(triggers)" = "$n" ] || fail "the refused downgrade reached the module"
up downok "$old" --allow-downgrade
[ $rc -eq 0 ] || fail "--allow-downgrade exited $rc"
grep -q "going on because of --allow-downgrade" "$d/downok.log" ||
	fail "--allow-downgrade did not say what it overrode"
grep -q "^version=ML307R-DC-MBRH0S01$" "$d/sim.state" ||
	fail "the module does not run the old version"
kill "$sim" 2>/dev/null
wait "$sim" 2>/dev/null
echo "mfw_helper_test: PASS"
