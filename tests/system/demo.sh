#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# "make demo": the automatic upgrade told as it happens, on the
# full-system guest (the same board as tests/system/guest.sh).  The
# narration goes to /dev/ttyS1, which the host shows on its terminal; the
# console (boot messages, the journal) goes to a log file.
set -u
P=$(cd "$(dirname "$0")" && pwd)
S=/var/lib/mfw-system
. "$P/guest-lib.sh"
exec 3>>/dev/ttyS1
t0=$SECONDS
say() { printf '\r\033[K[%4d s] %s\n' $((SECONDS - t0)) "$*" >&3; }
show() { sed 's/^/           | /' >&3; }
# die REASON: stop, with what the units involved logged last, so a demo
# that stops says why without a second run.
die() {
	say "demo stopped: $*"
	say "the last words of ModemManager and mfw's units:"
	journalctl -b -o short-monotonic --no-pager -n 40 \
		-u ModemManager.service -u 'mfw-*' | show
	exit 1
}

# bar STATE PERCENT: one line, redrawn in place; a bar while the package
# goes in, the state alone while the module works on its own.
bar() {
	local pct=$2 n fill
	case $1 in
	writing | downloading) ;;
	*)
		printf '\r\033[K           %s ...' "$1" >&3
		return
		;;
	esac
	case $pct in '' | *[!0-9]*) pct=0 ;; esac
	n=$((pct * 40 / 100))
	fill=$(printf '%*s' "$n" '' | tr ' ' '#')
	printf '\r\033[K           [%-40s] %3d%%  %s' "$fill" "$pct" "$1" >&3
}

say "A Debian 12 board (systemd, udev, D-Bus, logind, ModemManager) booted on"
say "$(uname -r).  Installing mfw's packages: the helper, and the module"
say "prebuilt for this kernel (apt-get install, no network)."
board_setup || die "board set-up failed"
# (dpkg's steps as they come: the install takes half a minute here)
apt_install "$P"/deb/mfw_*.deb "$P/deb/mfw-modules-$(uname -r)_"*.deb 2>&1 |
	tee "$S/install.log" | grep --line-buffered -E '^(Unpacking|Setting up) ' | show
[ "${PIPESTATUS[0]}" = 0 ] || { tail -n 20 "$S/install.log" | show; die "apt-get install failed"; }
dpkg-query -W -f '${Package} ${Version}\n' mfw "mfw-modules-$(uname -r)" | show
board_configure || die "the configuration could not be written"
say "/etc/mfw/mfw.conf names the vendor's key and the board's directories:"
show </etc/mfw/mfw.conf

say "Plugging in the module: a simulated ML307R-DC on USB (2ecc:3012)."
systemctl start mfw-sim.service
wait_for 60 at_tty >/dev/null || die "the module did not enumerate"
TTY=$(at_tty)
upgrade_unit=mfw-autoupgrade@$TTY.service
say "USB: $(lsusb -d 2ecc:3012); its AT port (interface 2) is /dev/$TTY."
wait_for 180 systemctl is-active --quiet "mfw-attach@$TTY.service" ||
	die "udev did not start mfw-attach@$TTY"
say "udev started mfw-attach@$TTY.service: the line discipline holds /dev/$TTY."
wait_for 120 firmware_is "$V1" || die "the module was not identified"
p=$(port)
say "$(basename "$p"): model $(cat "$p/model"), family $(cat "$p/family"), firmware $(cat "$p/firmware")"
say "udev also watches the family's firmware directory:"
systemctl list-units --no-legend 'mfw-attach@*' 'mfw-firmware@*' | show
if wait_for 180 mm_sees_module; then
	say "ModemManager sees the module too:"
	mmcli -L | show
	wait_for 60 mm_identified "$V1" && mmcli -m "$(mm_modem)" |
		grep -E "manufacturer|model|revision|state" | show
fi

say "The vendor's signed package $V2 lands in $FWDIR/."
drop_package "$V2"
ls -l "$FWDIR" | tail -n +2 | show
wait_for 60 test -e $JOURNAL || die "no upgrade started"
say "mfw-autoupgrade@$TTY.service started by itself (journal in $JOURNAL)."
wait_for 20 sh -c "systemd-inhibit --list --no-legend | grep -q mfw" &&
	systemd-inhibit --list --no-legend | grep mfw | show
out=$(systemctl poweroff --check-inhibitors=yes 2>&1) ||
	{ say "systemctl poweroff during the upgrade:"; echo "$out" | show; }
mm_sees_nothing && say "ModemManager has let go of the module for the time being."

last=
while ! unit_done_ok "$upgrade_unit"; do
	[ "$(systemctl show -P ActiveState "$upgrade_unit")" = failed ] && break
	p=$(port)
	if [ -n "$p" ]; then
		state=$(cat "$p/state" 2>/dev/null)
		pct=$(cat "$p/percent" 2>/dev/null)
	else
		state="module rebooting (USB re-enumeration)"
		pct=100
	fi
	if [ "$state" != "$last" ] && [ -n "$last" ]; then
		printf '\n' >&3
	fi
	last=$state
	bar "$state" "$pct"
	sleep 0.5
done
printf '\n' >&3
unit_done_ok "$upgrade_unit" || {
	journalctl -b -u "$upgrade_unit" -o cat | tail -n 20 | show
	die "the upgrade failed"
}
say "The upgrade finished; what mfw logged:"
journalctl -b -u "$upgrade_unit" -o cat | grep -E 'upgrading|rebooted|done' | show
wait_for 120 firmware_is "$V2" || die "the module does not run $V2"
p=$(port)
say "$(basename "$p"): firmware $(cat "$p/firmware") — the new version, reported by the module."
wait_for 120 mm_sees_module && say "ModemManager sees the module again."
say "Demo over after $((SECONDS - t0)) s; powering off."
