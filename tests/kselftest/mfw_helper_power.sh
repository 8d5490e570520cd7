#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: the power check of "mfw upgrade".  The board's supplies are
# simulated with the kernel's test_power driver (CONFIG_TEST_POWER): it
# registers real power_supply devices (test_ac: Mains, test_usb: USB,
# test_battery: Battery) in /sys/class/power_supply whose values are its
# module parameters, writable in /sys/module/test_power/parameters/.  So a
# run on battery at 5% is ac_online=off usb_online=off battery_capacity=5
# (the online parameters take on/off; other words leave them unchanged).
# The stock kernel has no test_power: skipped there.
# Needs mfw and mfw-modemsim in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

P=/sys/module/test_power/parameters
need "test_power (CONFIG_TEST_POWER)" "[ -d $P ] && [ -d /sys/class/power_supply/test_battery ]" \
	supplies_simulated low_battery_refused_exit_5 low_battery_message low_battery_nothing_written \
	low_battery_ignore_battery_upgrades mains_online_upgrades
plan 6
export MFW_STATE_DIR=$d/state

sim_start --model ML307R-DC --boot-ms 300 --flash-ms 500 || {
	not_ok simulator "did not start"; finish; }

# On battery, nearly empty, nothing plugged in.
echo discharging >$P/battery_status
echo off >$P/ac_online
echo off >$P/usb_online
echo 5 >$P/battery_capacity
check supplies_simulated eval 'grep -qx 0 /sys/class/power_supply/test_ac/online &&
	grep -qx 0 /sys/class/power_supply/test_usb/online &&
	grep -qx 5 /sys/class/power_supply/test_battery/capacity'

mkimage "$d/fw2.bin" ML307R-DC-MBRH0S02 8
timed refused mfw upgrade "$d/fw2.bin" --port "$d/tty" --timeout 60
if [ $rc -eq 5 ]; then ok low_battery_refused_exit_5; else not_ok low_battery_refused_exit_5 "exited $rc"; fi
check low_battery_message grep -q "battery test_battery at 5% (below 30%) and no external supply" \
	"$d/refused.log"
if grep -q 'MFWDLOAD\|MFWUPGRADE\|MFWERASE' "$d/sim.log" || [ -s "$d/sim.state.pkg" ] ||
   [ -e "$d/state/journal" ]; then
	not_ok low_battery_nothing_written "the module was touched or a journal is in flight"
else
	ok low_battery_nothing_written
fi

# --ignore-battery overrides the check (at the user's risk), with a warning.
timed force mfw --verbose upgrade "$d/fw2.bin" --port "$d/tty" --ignore-battery --timeout 120
if [ $rc -eq 0 ] && grep -q "going on because of --ignore-battery" "$d/force.log" &&
   firmware_is ML307R-DC-MBRH0S02 >>"$d/check.log" 2>&1; then
	ok low_battery_ignore_battery_upgrades
else
	not_ok low_battery_ignore_battery_upgrades "exited $rc"
fi

# Mains plugged in: the same empty battery no longer matters.
echo on >$P/ac_online
echo charging >$P/battery_status
mkimage "$d/fw3.bin" ML307R-DC-MBRH0S03 8
timed mains mfw --verbose upgrade "$d/fw3.bin" --port "$d/tty" --timeout 120
if [ $rc -eq 0 ] && firmware_is ML307R-DC-MBRH0S03 >>"$d/check.log" 2>&1; then
	ok mains_online_upgrades
else
	not_ok mains_online_upgrades "exited $rc"
fi
# Leave the supplies as test_power starts them.
echo on >$P/usb_online
echo 50 >$P/battery_capacity
finish
