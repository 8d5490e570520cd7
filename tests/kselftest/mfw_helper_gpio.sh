#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: "mfw power" and the power-line hold of "mfw upgrade" on GPIO
# lines of a gpio-sim chip (CONFIG_GPIO_SIM) named as a board's device tree
# names them: MODEM_PWRKEY, MODEM_RESET (active low, pulled up on the
# board) and MODEM_STATUS.  A shell loop plays the module's side: it watches
# the PWRKEY and RESET levels in sysfs and drives STATUS through the sim's
# pull attribute.  A second sim chip then repeats line names: a name on two
# lines is refused (on one chip or across chips), and chip:offset, with the
# chip as a label, a number or a path, still reaches the lines.  The stock
# kernel has no gpio-sim: skipped there.
# Needs mfw and mfw-modemsim in PATH and the mfw module loaded; the rig runs
# it with the mfw built against libgpiod 1.6 and again with the one built
# against 2.x (PATH=/opt/gpiod2/bin:$PATH).
. "$(dirname "$0")/mfw_helper_lib.sh"

cfs=/sys/kernel/config/gpio-sim
need "gpio-sim (CONFIG_GPIO_SIM)" "[ -d $cfs ]" \
	lines_by_name status_off power_on on_ten_seconds_later \
	key_held_by_pull_switches_off power_on_again reset power_off \
	lines_released upgrade_holds_lines pwrkey_busy_during_upgrade \
	reset_busy_during_upgrade status_readable_during_upgrade \
	owner_is_mfw_during_upgrade upgrade_toggles_nothing upgrade_releases_lines \
	hog_owned_pwrkey_refused hog_dry_run_names_owner hog_power_names_owner \
	dup_name_on_one_chip_refused dup_name_across_chips_refused \
	chip_label_and_number chip_path
plan 23
export MFW_STATE_DIR=$d/state
g=$cfs/mfwboard dup=$cfs/mfwdup hog=$cfs/mfwhog
mkdir $g $g/bank0
echo 3 >$g/bank0/num_lines
echo mfwboard-bank0 >$g/bank0/label
i=0
for name in MODEM_PWRKEY MODEM_RESET MODEM_STATUS; do
	mkdir $g/bank0/line$i
	echo $name >$g/bank0/line$i/name
	i=$((i + 1))
done
echo 1 >$g/live
sysd=/sys/devices/platform/$(cat $g/dev_name)/$(cat $g/bank0/chip_name)
pk=$sysd/sim_gpio0 rs=$sysd/sim_gpio1 st=$sysd/sim_gpio2
echo pull-up >$pk/pull
echo pull-up >$rs/pull
echo pull-down >$st/pull

teardown() {
	touch "$d/stop"
	[ -z "${modsim:-}" ] || wait "$modsim" 2>/dev/null
	if [ -d $dup ]; then
		echo 0 >$dup/live
		rmdir $dup/bank0/line0 $dup/bank0/line1 $dup/bank0/line2 $dup/bank0 $dup
	fi
	if [ -d $hog ]; then
		echo 0 >$hog/live
		rmdir $hog/bank0/line0/hog $hog/bank0/line0 $hog/bank0 $hog
	fi
	echo 0 >$g/live
	rmdir $g/bank0/line0 $g/bank0/line1 $g/bank0/line2 $g/bank0 $g
}

# The module: it samples PWRKEY while the key is held, as the real one does
# (SPEC power notes: held 2-3.5 s it switches on, 3.5-4 s off).  The loop
# sees an edge up to one turn late, so its thresholds sit 0.5 s below the
# spec's: held 1.5 s it switches on, 3 s (when on) off, once per press (a
# real module held down longer switches again; mfw's presses end well
# before that, and the loop's late turns must not make one press count
# twice).  STATUS follows through the sim's pull attribute, and
# each switch is logged as "switch on|off".  A RESET press turns STATUS off
# until 0.3 s after the release.  Each press is also logged, on release, as
# "KIND LENGTH BEFORE AFTER" in hundredths of a second: the length the loop
# saw, and how long the loop's turn that saw the press begin (BEFORE) and
# end (AFTER) took.  An edge is seen up to one turn late, so the press
# lasted between LENGTH - AFTER and LENGTH + BEFORE: on a machine whose
# CPUs are busy the turns grow, and the bounds with them.
module() {
	kdown= rdown= prev= switched=
	while [ ! -e "$d/stop" ]; do
		# No forks in this loop: it must see a 0.4 s RESET pulse even on
		# the debug kernel.
		read -r k <$pk/value
		read -r r <$rs/value
		read -r t _ </proc/uptime
		t=$((${t%.*} * 100 + 1${t#*.} - 100))
		turn=$((t - ${prev:-$t}))
		prev=$t
		if [ "$k" = 0 ]; then
			[ -n "$kdown" ] || kdown=$t kturn=$turn switched=
			read -r p <$st/pull
			if [ -n "$switched" ]; then
				:
			elif [ "$p" = pull-up ] && [ $((t - kdown)) -ge 300 ]; then
				echo pull-down >$st/pull
				echo "switch off" >>"$d/module.log"
				switched=1
			elif [ "$p" = pull-down ] && [ $((t - kdown)) -ge 150 ]; then
				echo pull-up >$st/pull
				echo "switch on" >>"$d/module.log"
				switched=1
			fi
		elif [ -n "$kdown" ]; then
			echo "pwrkey $((t - kdown)) $kturn $turn" >>"$d/module.log"
			kdown=
		fi
		if [ "$r" = 0 ] && [ -z "$rdown" ]; then
			rdown=$t rturn=$turn
			echo pull-down >$st/pull
		elif [ "$r" = 1 ] && [ -n "$rdown" ]; then
			echo "reset $((t - rdown)) $rturn $turn" >>"$d/module.log"
			nap 0.3
			echo pull-up >$st/pull
			rdown=
		fi
		nap 0.05
	done
}
: >"$d/module.log"
module &
modsim=$!

presses() { grep -c "^$1 " "$d/module.log"; }
# last_press KIND MIN MAX: the last press of KIND can have lasted MIN..MAX
# cs, as far as the loop's turns let it tell.
last_press() {
	set -- "$1" "$2" "$3" $(grep "^$1 " "$d/module.log" | tail -n 1)
	[ $# -eq 7 ] && [ $(($5 + $6)) -ge "$2" ] && [ $(($5 - $7)) -le "$3" ]
}
# The lines mfw holds, as the kernel's GPIO debugfs lists them.
held() { grep -q "$1 *|mfw " /sys/kernel/debug/gpio; }
named_lines() { grep -q "MODEM_PWRKEY" /sys/kernel/debug/gpio; }
power() {
	echo "\$ mfw power $*" >>"$d/power.log"
	mfw --verbose power "$@" >>"$d/power.log" 2>&1
}

status_is() { [ "$(mfw power status 2>>"$d/power.log")" = "$1" ]; }

check lines_by_name named_lines
check status_off status_is off
# Defaults: PWRKEY pressed 2.5 s (off: 3.8 s), RESET 0.4 s, STATUS awaited.
case_on() { power on && status_is on && last_press pwrkey 230 450; }
check power_on case_on
# mfw has let PWRKEY go: gpio-sim returns a freed line to its pull, here
# the board's pull-up, so the key is up and the module, which samples a
# held key, is still on 10 s later.
case_on_later() {
	before=$(presses switch)
	nap 10
	read -r k <$pk/value
	[ "$k" = 1 ] && status_is on && [ "$(presses switch)" = "$before" ]
}
check on_ten_seconds_later case_on_later
# What the 10 s would have shown on a board whose pull holds the key down:
# the module switches off 3 s later; "mfw power on" brings it back once
# the pull is mended.
case_pull_down() {
	before=$(grep -c "^switch off" "$d/module.log")
	echo pull-down >$pk/pull
	wait_for 10 eval '[ "$(grep -c "^switch off" "$d/module.log")" -gt "$before" ]'
	rc=$?
	echo pull-up >$pk/pull
	[ $rc -eq 0 ] && power on && status_is on
}
check key_held_by_pull_switches_off case_pull_down
case_on_again() {
	before=$(presses pwrkey)
	power on && status_is on && [ "$(presses pwrkey)" = "$before" ]
}
check power_on_again case_on_again
case_reset() { power reset && status_is on && last_press reset 35 150; }
check reset case_reset
case_off() { power off && status_is off && last_press pwrkey 360 550; }
check power_off case_off
check lines_released eval '! grep -q "|mfw " /sys/kernel/debug/gpio'

# The upgrade: the module is on, PWRKEY and RESET must be held, released
# level, for the whole upgrade and let go afterwards.
power on >/dev/null 2>&1
# The checks below run while the upgrade does: the module flashes until
# they are done (mfw-modemsim --flash-until-signal, SIGUSR2 after the last
# of them), 60 s at the most.  On a debug kernel sharing a busy host 4 s
# was not enough for them, 20 s was until a dry run joined them: once, the
# upgrade had ended before the dry run, started after the other checks,
# looked at the lines.
sim_start --model ML307R-DC --boot-ms 300 --flash-ms 60000 --flash-until-signal || {
	not_ok simulator "did not start"; teardown; finish; }
mkimage "$d/fw.bin" ML307R-DC-MBRH0S02 8
before=$(presses pwrkey):$(presses reset)
mfw --verbose upgrade "$d/fw.bin" --port "$d/tty" --timeout 120 >"$d/out.log" 2>"$d/upgrade.log" &
up=$!
case_hold() { wait_for 30 held MODEM_PWRKEY && held MODEM_RESET; }
check upgrade_holds_lines case_hold
# The holder as libgpiod reports it (gpioinfo's consumer column): a dry
# run, started at once beside the checks below, must find both lines held
# by "mfw".
mfw upgrade --dry-run "$d/fw.bin" --port "$d/tty" >"$d/dry.log" 2>&1 &
dry=$!
# Another program asking for a held line gets EBUSY (mfw itself is such a
# program: libgpiod 1.6 requests lines with GPIO_GET_LINEHANDLE_IOCTL, 2.x
# with GPIO_V2_GET_LINE_IOCTL).
case_busy() {
	power "$1"
	rc=$?
	[ $rc -eq 10 ] && grep -q "held by another program" "$d/power.log"
}
check pwrkey_busy_during_upgrade case_busy off
check reset_busy_during_upgrade case_busy reset
check status_readable_during_upgrade status_is on
case_owner() {
	wait $dry
	grep -q 'PWRKEY MODEM_PWRKEY: held by "mfw"' "$d/dry.log" &&
		grep -q 'RESET MODEM_RESET: held by "mfw"' "$d/dry.log"
}
check owner_is_mfw_during_upgrade case_owner
kill -USR2 "$sim"
wait $up
rc=$?
echo "upgrade exited $rc" >>"$d/upgrade.log"
case_untouched() {
	[ $rc -eq 0 ] && [ "$(presses pwrkey):$(presses reset)" = "$before" ] &&
		grep -q MBRH0S02 "$d/sim.state"
}
check upgrade_toggles_nothing case_untouched
check upgrade_releases_lines eval '! grep -q "|mfw " /sys/kernel/debug/gpio'

# A line a kernel driver owns: a gpio-hog (the kind of owner gpio-regulator
# and rfkill-gpio are too) on a third sim chip, given as the board's PWRKEY.
# gpioinfo lists the line as used by the hog's name.  An upgrade that cannot
# hold PWRKEY is refused once the module is identified, before anything
# is erased, written or triggered, naming the owner; power_lines_shared=yes (the board keeps the module powered
# whatever the line does) leaves the line to its owner and goes on.
mkdir $hog $hog/bank0 $hog/bank0/line0 $hog/bank0/line0/hog
echo 1 >$hog/bank0/num_lines
echo mfwhog-bank0 >$hog/bank0/label
echo MODEM_PWREN >$hog/bank0/line0/name
echo modem-pwr-hog >$hog/bank0/line0/hog/name
echo output-high >$hog/bank0/line0/hog/direction
echo 1 >$hog/live
echo "pwrkey=MODEM_PWREN" >"$d/hog.conf"
printf 'pwrkey=MODEM_PWREN\npower_lines_shared=yes\n' >"$d/shared.conf"
mkimage "$d/fw3.bin" ML307R-DC-MBRH0S03 8
# What would start a transfer or an upgrade, in the module's transcript.
fota() { grep -c -E "AT\+MFW(ERASE|DLOAD=|UPGRADE)" "$d/sim.log"; }
case_hog() {
	before=$(fota)
	MFW_CONFIG=$d/hog.conf mfw upgrade "$d/fw3.bin" --port "$d/tty" \
		--timeout 120 >"$d/hog.log" 2>&1
	[ $? -eq 10 ] &&
		grep -q 'GPIO line MODEM_PWREN is held by "modem-pwr-hog" (gpioinfo shows it)' "$d/hog.log" &&
		grep -q "set power_lines_shared=yes if the board keeps the module powered" "$d/hog.log" &&
		[ "$(fota)" = "$before" ] && ! grep -q "|mfw " /sys/kernel/debug/gpio &&
		firmware_is ML307R-DC-MBRH0S02
}
check hog_owned_pwrkey_refused case_hog
# The dry run, on the port the driver keeps while the simulator holds its
# pty, says the same, and what power_lines_shared=yes would do.
case_hog_dry() {
	MFW_CONFIG=$d/hog.conf mfw upgrade --dry-run "$d/fw3.bin" --port "$d/tty" >"$d/hogdry.log" 2>&1
	[ $? -eq 10 ] &&
		grep -q 'GPIO line MODEM_PWREN is held by "modem-pwr-hog", so mfw could not keep it' "$d/hogdry.log" &&
		MFW_CONFIG=$d/shared.conf mfw upgrade --dry-run "$d/fw3.bin" --port "$d/tty" >"$d/shareddry.log" 2>&1 &&
		grep -q 'PWRKEY MODEM_PWREN: held by "modem-pwr-hog", not held by mfw (power_lines_shared=yes)' "$d/shareddry.log" &&
		grep -q "RESET MODEM_RESET: free, held during the upgrade" "$d/shareddry.log"
}
check hog_dry_run_names_owner case_hog_dry
# mfw power names the owner too, and presses nothing: the module is on,
# and off would press PWRKEY, which the hog keeps.
case_hog_power() {
	before=$(presses pwrkey)
	MFW_CONFIG=$d/hog.conf mfw power off >"$d/hogpower.log" 2>&1
	[ $? -eq 10 ] &&
		grep -q 'power off: GPIO line MODEM_PWREN (pwrkey=) is held by "modem-pwr-hog" (gpioinfo shows it)' "$d/hogpower.log" &&
		[ "$(presses pwrkey)" = "$before" ] && status_is on &&
		! grep -q "|mfw " /sys/kernel/debug/gpio
}
check hog_power_names_owner case_hog_power

# A second chip whose line names repeat: MODEM_TWIN twice on it, and
# MODEM_PWRKEY, which the board's chip has too.  The module is on.
mkdir $dup $dup/bank0
echo 3 >$dup/bank0/num_lines
i=0
for name in MODEM_TWIN MODEM_TWIN MODEM_PWRKEY; do
	mkdir $dup/bank0/line$i
	echo $name >$dup/bank0/line$i/name
	i=$((i + 1))
done
echo 1 >$dup/live
chip=$(cat $g/bank0/chip_name) dchip=$(cat $dup/bank0/chip_name)
echo "status=MODEM_TWIN" >"$d/twin.conf"
case_twin() {
	MFW_CONFIG=$d/twin.conf mfw power status >"$d/twin.log" 2>&1
	[ $? -eq 10 ] &&
		grep -q "2 lines are named MODEM_TWIN ($dchip:0, $dchip:1)" "$d/twin.log" &&
		grep -q "fix gpio-line-names in the device tree, or give the line as chip:offset" "$d/twin.log"
}
check dup_name_on_one_chip_refused case_twin
# PWRKEY is refused, not pressed: the module stays on, no line is held.
case_dup() {
	before=$(presses pwrkey)
	mfw power off >"$d/dup.log" 2>&1
	[ $? -eq 10 ] && grep -q "2 lines are named MODEM_PWRKEY (" "$d/dup.log" &&
		grep -q "$chip:0" "$d/dup.log" && grep -q "$dchip:2" "$d/dup.log" &&
		[ "$(presses pwrkey)" = "$before" ] && status_is on &&
		! grep -q "|mfw " /sys/kernel/debug/gpio
}
check dup_name_across_chips_refused case_dup
# What the refusal advises: the board's lines as chip:offset, the chip
# given by its label (PWRKEY), its number (STATUS) and its path (RESET).
cat >"$d/chips.conf" <<EOF
pwrkey=mfwboard-bank0:0
reset=/dev/$chip:1
status=${chip#gpiochip}:2
EOF
chips() { MFW_CONFIG=$d/chips.conf mfw --verbose power "$@" >>"$d/chips.log" 2>&1; }
case_label_number() { chips off && status_is off && last_press pwrkey 360 550; }
check chip_label_and_number case_label_number
case_path() { chips reset && status_is on && last_press reset 35 150; }
check chip_path case_path
teardown
finish
