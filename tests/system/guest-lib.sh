# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=bash
# Shared by the full-system guest's payloads (guest.sh, demo.sh; sourced):
# the board's set-up and the probes of the module, its units, the journal
# and ModemManager.  Expects P (the payload directory) and S (state kept
# across the guest's reboots); reads $P/env.
. "$P/env"	# KBUILD KBUILD_TREE KBUILD_LINKS KERNEL_KIND FAMILY V1..V7
mkdir -p "$S"
# The board keeps mfw's packages and state away from the built-in
# defaults (/lib/firmware/mfw, /var/lib/mfw): its configuration names
# these, and the units must follow them (mfw-generator).
FWROOT=/srv/mfw/firmware
STATEDIR=/var/lib/mfw-board
FWDIR=$FWROOT/$FAMILY
JOURNAL=$STATEDIR/journal
# The simulated module's USB layout (mfw-sim-run): ml307r, the real
# module's, or onemo on a kernel without the ECM and generic serial gadget
# functions.  Before the simulator has said, from the same test.
sim_layout() {
	cat /run/mfw-sim.layout 2>/dev/null && return 0
	if modprobe -n -q usb_f_ecm && modprobe -n -q usb_f_serial; then
		echo ml307r
	else
		echo onemo
	fi
}
# The module's AT port: the tty of interface 2 of 2ecc:3012, a ttyUSB
# (option) or in the onemo layout a ttyACM (the tty number is the
# kernel's choice, e.g. after a re-enumeration while the old one was
# still open).  Before the module is plugged in, the name it gets first.
at_tty() {
	local t
	t=$(MFW_GADGET_LAYOUT=$(sim_layout) "$P/bin/mfw-gadget" tty) && echo "${t#/dev/}"
}
first_tty() { if [ "$(sim_layout)" = onemo ]; then echo ttyACM1; else echo ttyUSB0; fi; }
TTY=$(at_tty || first_tty)
upgrade_unit=mfw-autoupgrade@$TTY.service

# wait_for SECONDS COMMAND...: poll every half second.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	while [ "$SECONDS" -lt "$end" ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.5
	done
	"$@"
}
set_phase() { echo "$1" >"$S/phase" && sync; }
# tester_can_poweroff: logind lets the unprivileged user power off now;
# otherwise says what it answered and which inhibitors are in force.
tester_can_poweroff() {
	local a
	a=$(runuser -u tester -- busctl call org.freedesktop.login1 /org/freedesktop/login1 \
		org.freedesktop.login1.Manager CanPowerOff 2>&1)
	[ "$a" = 's "yes"' ] && return 0
	echo "CanPowerOff for tester: ${a:-(nothing)}"
	systemd-inhibit --list --no-pager 2>&1 | head -n 12
	return 1
}
unit_done_ok() {
	[ "$(systemctl show -P ActiveState "$1")" = inactive ] &&
		[ "$(systemctl show -P Result "$1")" = success ] &&
		[ "$(systemctl show -P ExecMainStatus "$1")" = 0 ]
}
# A oneshot unit is "activating" for as long as its command runs.
unit_running() {
	case $(systemctl show -P ActiveState "$1") in
	active | activating | deactivating | reloading) return 0 ;;
	esac
	return 1
}
port() { ls -d /sys/class/mfw/mfw* 2>/dev/null | head -n 1; }
firmware_is() {
	local p
	p=$(port) && [ -n "$p" ] && [ "$(cat "$p/family")" = "$FAMILY" ] &&
		[ "$(cat "$p/firmware")" = "$1" ]
}
attached_runs() {
	wait_for 180 at_tty >/dev/null
	TTY=$(at_tty || first_tty)
	wait_for 180 systemctl is-active --quiet "mfw-attach@$TTY.service" &&
		wait_for 120 firmware_is "$1"
	local rc=$?
	echo "attach unit: $(systemctl is-active "mfw-attach@$TTY.service"), port: $(port)," \
		"family: $(cat "$(port)/family" 2>/dev/null), firmware: $(cat "$(port)/firmware" 2>/dev/null), want $1"
	[ $rc = 0 ] || journalctl -b -o short-monotonic --no-pager -n 25 \
		-u "mfw-attach@$TTY.service" -u "mfw-autoupgrade@$TTY.service"
	return $rc
}
journal_phase() { sed -n 's/^phase=//p' $JOURNAL 2>/dev/null; }
journal_phase_is() { [ "$(journal_phase)" = "$1" ]; }
# The package for VERSION, complete before its manifest makes it visible.
drop_package() {
	local v=$1 f
	mkdir -p "$FWDIR"
	for f in "$v.bin" "$v.bin.manifest.sig"; do
		cp "$P/pkg/$f" "$FWDIR/$f" || return 1
	done
	cp "$P/pkg/$v.bin.manifest" "$FWDIR/.$v.tmp" &&
		mv "$FWDIR/.$v.tmp" "$FWDIR/$v.bin.manifest"
}
# refused_by_inhibitor VERB: root's "systemctl VERB" honouring inhibitors
# fails and names the lock.
refused_by_inhibitor() {
	local out
	if out=$(systemctl "$1" --check-inhibitors=yes 2>&1); then
		echo "systemctl $1 went through: $out"
		return 1
	fi
	echo "$out"
	echo "$out" | grep -qi 'inhibit'
}
# on_option [NETDRIVER]: the module's serial functions went to option
# through the dynamic ID mfw's rules gave it (the kernel's option has no
# 2ecc:3012), restricted to their class (ff), so the network function
# (interfaces 0 and 1, CDC ECM or RNDIS) kept its own driver, NETDRIVER
# (default cdc_ether), and network interface; the AT port is a ttyUSB.
# Says what it found.
on_option() {
	local want=${1:-cdc_ether} i dev ecm drv ecm_drv
	i=$(readlink -f "/sys/class/tty/$TTY/device/..")
	dev=${i%/*}
	ecm=$dev/${dev##*/}:1.0
	drv=$(basename "$(readlink -f "$i/driver")")
	ecm_drv=$(basename "$(readlink -f "$ecm/driver")")
	echo "AT port $TTY on interface $(cat "$i/bInterfaceNumber") (driver $drv);" \
		"interface 0: $ecm_drv, net $(ls "$ecm/net" 2>/dev/null)"
	echo "option's dynamic IDs: $(tr '\n' ';' </sys/bus/usb-serial/drivers/option1/new_id)"
	case $TTY in ttyUSB*) ;; *) return 1 ;; esac
	[ "$drv" = option ] && [ "$ecm_drv" = "$want" ] && [ -n "$(ls "$ecm/net")" ] &&
		grep -qx "2ecc 3012 ff" /sys/bus/usb-serial/drivers/option1/new_id
}
modems() { mmcli -L 2>/dev/null | grep -c '/Modem/'; }
# mm_modem: the index of the first modem ModemManager lists.
mm_modem() { mmcli -L 2>/dev/null | sed -n 's|.*/Modem/\([0-9]*\).*|\1|p' | head -n 1; }
mm_sees_module() {
	local m
	[ "$(modems)" -ge 1 ] || return 1
	m=$(mm_modem)
	mmcli -m "$m" -K | grep -q "modem.generic.device  *: onemo-usb-"
}
# mm_sees_module_within SECONDS: as mm_sees_module, and when it does not,
# what ModemManager listed and logged.
mm_sees_module_within() {
	wait_for "$1" mm_sees_module && return 0
	mmcli -L
	journalctl -b -o short-monotonic --no-pager -n 40 -u ModemManager.service
	return 1
}
mm_sees_nothing() { [ "$(modems)" -eq 0 ]; }
# resume_inhibited LOG: the resume whose unit log is LOG had ModemManager
# inhibit the module: mfw's word for it, and ModemManager's own record of
# the inhibition of that uid in this boot, set up before the first write.
resume_inhibited() {
	local uid
	uid=$(sed -n "s/.*mfw: ModemManager: modem \([^ ]*\) inhibited.*/\1/p" "$1" | head -n 1)
	if [ -z "$uid" ]; then
		echo "mfw-resume.service never said ModemManager inhibited the module:"
		grep -i modemmanager "$1"
		return 1
	fi
	if ! journalctl -b -u ModemManager.service -o cat --no-pager |
		grep -qF "device inhibition setup for uid '$uid'"; then
		echo "mfw says $uid is inhibited; ModemManager's journal of this boot:"
		journalctl -b -u ModemManager.service -o cat --no-pager | grep -i inhibit
		return 1
	fi
	# The inhibition came before the package's first byte.
	awk '/mfw: ModemManager: modem .* inhibited/ && !i { i = NR }
	     /mfw: writing/ && !w { w = NR }
	     END { exit !(i && w && i < w) }' "$1"
}
# mm_identified VERSION: ModemManager has the module's identity as the
# module reports it (AT+CGMI, AT+CGMM, AT+CGMR), the model and version the
# driver read too, and did not give the modem up as one it cannot tell
# (state "failed" for "unknown-capabilities").  The simulated module has no
# SIM card, so "failed" for "sim-missing" is what a bench board shows.
mm_identified() {
	local m k
	m=$(mm_modem)
	[ -n "$m" ] && k=$(mmcli -m "$m" -K) || return 1
	printf '%s\n' "$k" | grep -q "^modem.generic.manufacturer  *: CMCC$" &&
		printf '%s\n' "$k" | grep -q "^modem.generic.model  *: $(cat "$(port)/model")$" &&
		printf '%s\n' "$k" | grep -q "^modem.generic.revision  *: $1$" &&
		! printf '%s\n' "$k" | grep -q "^modem.generic.state-failed-reason  *: unknown-capabilities"
}
# mm_identifies VERSION: as mm_identified within 60 s, and when it does
# not, what ModemManager shows.
mm_identifies() {
	local m
	wait_for 60 mm_identified "$1" && return 0
	m=$(mm_modem)
	[ -n "$m" ] && mmcli -m "$m"
	return 1
}
# Every file installing mfw could have added or left behind: files and links
# under /usr, /etc, /var/lib and /opt.  Not compared: the bookkeeping of
# systemd, dpkg, D-Bus, polkit and ModemManager, this test's own state
# and the packages it dropped in the firmware directory, depmod's index
# files (regenerated for the whole kernel) and empty directories.
file_list() {
	find /usr /etc /var/lib /opt -xdev \
		\( -path /var/lib/mfw-system -o -path /var/lib/mfw-sim -o \
		-path /var/lib/systemd -o -path /var/lib/dpkg -o -path /var/lib/apt -o \
		-path /var/lib/ModemManager -o -path /var/lib/polkit-1 -o -path /var/lib/dbus -o \
		-path /var/lib/mender -o \
		-path /etc/machine-id -o -path /etc/ld.so.cache -o \
		-path /usr/lib/firmware/mfw -o -path '/usr/lib/modules/*/modules.*' -o \
		-path /usr/lib/python3/dist-packages -o -name __pycache__ \) -prune -o \
		! -type d -print | sort
}

# transfer_quarter_done: an upgrade is writing its package and has sent at
# least a quarter of it.
transfer_quarter_done() {
	local p done total
	[ "$(journal_phase)" = writing ] || return 1
	p=$(port) && [ -n "$p" ] || return 1
	read -r done total <"$p/progress" || return 1
	[ "${total:-0}" -gt 0 ] && [ $((done * 4)) -ge "$total" ]
}

# kbuild_share: the host's share with the kernel's build tree, mounted at
# $KBUILD (again in each boot: it may be under /run).
kbuild_share() {
	mountpoint -q "$KBUILD" && return 0
	mkdir -p "$KBUILD" && mount -t 9p -o trans=virtio,version=9p2000.L,ro kbuild "$KBUILD"
}

# board_setup: the board's own set-up, before mfw's packages: persistent
# journal, the kernel's build tree (a board has linux-headers-$(uname -r);
# here the host's over 9p: Debian's headers packages at their own paths
# under /usr, or the debug kernel's build tree) for DKMS, the simulated
# module as a service, the vendor's key, the fleet engines' side of the
# board, and a user for the unprivileged checks.
board_setup() {
	mkdir -p /var/log/journal && systemd-tmpfiles --create --prefix /var/log/journal &&
		journalctl --flush || return 1
	mkdir -p /lib/modules/"$(uname -r)" || return 1
	kbuild_share || return 1
	for l in $KBUILD_LINKS; do
		[ -e "$l" ] || ln -s "$KBUILD${l#/usr}" "$l" || return 1
	done
	ln -sfn "$KBUILD_TREE" /lib/modules/"$(uname -r)"/build || return 1
	install -m 0755 "$P/bin/mfw-modemsim" "$P/bin/mfw-gadget" "$P/mfw-sim-run" /usr/local/bin/ || return 1
	install -m 0644 "$P/mfw-sim.service" /etc/systemd/system/ || return 1
	install -m 0644 "$P/mfw-sim.default" /etc/default/mfw-sim || return 1
	mkdir -p /etc/mfw /etc/polkit-1/rules.d || return 1
	install -m 0644 "$P/pkg/vendor.pub" /etc/mfw/vendor.pub || return 1
	install -m 0644 "$P/50-mfw-tester.rules" /etc/polkit-1/rules.d/ || return 1
	# The fleet engines' side of the board: Mender's device type and the
	# name of what the board runs; SWUpdate's hardware revision, the
	# certificate its updates are signed with, and its handlers (mfw's).
	# (Debian's mender-client links /var/lib/mender to /data/mender, the
	# persistent data partition of Mender's board layout.)
	mkdir -p /etc/mender /data/mender /etc/swupdate /usr/local/share/lua/5.3 || return 1
	echo "artifact_name=mfw-board-base" >/etc/mender/artifact_info || return 1
	echo "device_type=mfw-board" >/var/lib/mender/device_type || return 1
	echo "mfw-board 1.0" >/etc/hwrevision || return 1
	install -m 0644 "$P/pkg/swupdate.crt" /etc/swupdate/ || return 1
	echo 'require("mfw_swupdate")' >/usr/local/share/lua/5.3/swupdate_handlers.lua || return 1
	install -m 0644 "$P/79-mfw-sim.rules" /etc/udev/rules.d/ || return 1
	udevadm control --reload || return 1
	useradd -m tester || return 1
	systemctl daemon-reload || return 1
	systemctl enable mfw-sim.service || return 1
	systemctl restart polkit.service || return 1
}

# apt_install DEB...: install local package files the way a board without
# a network does: apt takes their dependencies from what is installed (the
# image has no package lists: anything missing is an error).
apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" </dev/null
}
# apt_purge PACKAGE...: remove them with their configuration and state.
apt_purge() {
	DEBIAN_FRONTEND=noninteractive apt-get purge -y -q "$@" </dev/null
}

# board_configure: once mfw is installed, the board's configuration: the
# vendor's key and mfw's own directories in /etc/mfw/mfw.conf (the
# package's conffile, changed as an administrator changes it), then the
# daemon-reload that lets mfw's generator point the units at them
# (mfw.conf(5)).  mm_wait is raised from 30 s to 90 s, as the admin guide
# tells a board whose ModemManager probes a module slowly: under TCG its
# probe of a module that has just enumerated took 18 s of the 30, and the
# checks of ModemManager's inhibition must not hang on the machine's load.
board_configure() {
	printf 'pubkey=/etc/mfw/vendor.pub\nfirmware_dir=%s\nstate_dir=%s\nmm_wait=90\n' \
		"$FWROOT" "$STATEDIR" >/etc/mfw/mfw.conf || return 1
	systemctl daemon-reload
}
