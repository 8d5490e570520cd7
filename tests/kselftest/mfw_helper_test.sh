#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
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
kill "$sim" 2>/dev/null
wait "$sim" 2>/dev/null
echo "mfw_helper_test: PASS"
