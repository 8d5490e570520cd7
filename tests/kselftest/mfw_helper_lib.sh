# SPDX-License-Identifier: GPL-2.0-only
# shellcheck shell=sh
# Shared by the mfw_helper_*.sh guest tests (sourced, not run): a scratch
# directory, TAP output, the simulator on a pty, and the rule for kernel
# features the stock kernel lacks.
set -u
T=${0##*/}
T=${T%.sh}
d=/tmp/$T
rm -rf "$d" && mkdir -p "$d"
n=0
failed=0
sim=

# nap [SECONDS]: a pause (default 0.1 s) that starts no process.  Each
# "sleep" is a fork and an exec: polled ten times a second on the debug
# kernel under TCG they took as much CPU as the work being waited for.  A
# FIFO open for reading and writing never has data nor an end, so "read
# -t" on it only waits.  Children inherit descriptor 9 and leave it alone.
mkfifo "$d/.nap"
exec 9<>"$d/.nap"
nap() {
	read -r -t "${1:-0.1}" _nap <&9
	return 0
}

# plan N: the TAP header, and which mfw the script tests (the rig runs
# some scripts once more with the mfw built against libgpiod 2.x first
# on PATH).
plan() {
	echo "TAP version 13"
	echo "1..$1"
	echo "# $T: $(command -v mfw)"
}
ok() { n=$((n + 1)); echo "ok $n $1"; }
skip() { n=$((n + 1)); echo "ok $n $1 # SKIP $2"; }
# not_ok CASE WHY: a failed case, with the logs that tell why.
not_ok() {
	n=$((n + 1))
	failed=1
	echo "not ok $n $1"
	echo "# $T: $1: $2"
	for f in "$d"/*.log; do
		[ -s "$f" ] || continue
		echo "# --- $(basename "$f"):"
		tail -n 25 "$f" | sed 's/^/#   /'
	done
}
# check CASE COMMAND...: the case passes when the command succeeds.
check() {
	c=$1
	shift
	if "$@" >>"$d/check.log" 2>&1; then ok "$c"; else not_ok "$c" "$*"; fi
}

# The rig's stock kernel is Debian's distribution kernel (release
# "<version>-amd64"); the debug kernel is built from its source with every
# feature the tests need, so there a missing feature is a failure.
stock_kernel() {
	case $(uname -r) in
	*-amd64) return 0 ;;
	esac
	return 1
}

# need WHAT TEST... CASES...: when the test command fails, skip every
# named case on the stock kernel (exit 0) and fail the run elsewhere.
need() {
	what=$1 probe=$2
	shift 2
	eval "$probe" && return 0
	if stock_kernel; then
		plan $#
		for c in "$@"; do skip "$c" "$what: not in the stock kernel $(uname -r)"; done
		exit 0
	fi
	plan 1
	not_ok "$1" "$what missing on kernel $(uname -r), which must have it"
	exit 1
}

# sim_start ARGS...: mfw-modemsim on a pty at $d/tty, transcript in
# $d/sim.log, state in $d/sim.state.
sim_start() {
	mfw-modemsim --pty "$d/tty" --state "$d/sim.state" --transcript "$d/sim.log" \
		"$@" 2>>"$d/simerr.log" &
	sim=$!
	# Up to 60 s: a debug kernel on a busy host has taken more than 10.
	i=0
	while [ ! -e "$d/tty" ] && [ $i -lt 600 ] && kill -0 $sim 2>/dev/null; do
		nap
		i=$((i + 1))
	done
	[ -e "$d/tty" ] && return 0
	echo "# simulator: no pty after $((i / 10)) s; its stderr:"
	tail -n 5 "$d/simerr.log" 2>/dev/null | sed 's/^/#   /'
	sim_stop
	return 1
}

sim_stop() {
	[ -n "$sim" ] || return 0
	kill "$sim" 2>/dev/null
	wait "$sim" 2>/dev/null
	sim=
}

# mkimage FILE VERSION KIB: a package of about KIB KiB whose trailer makes
# the simulated module run VERSION after the upgrade.
mkimage() {
	i=0
	while [ $i -lt $(($3 * 32)) ]; do
		printf 'package body line %08d -------\n' $i
		i=$((i + 1))
	done >"$1"
	echo "MFWVER:$2" >>"$1"
}

# gadgets_down PID...: stop these processes (upgrades, simulators: one
# holding its ttyGS keeps its gadget's function busy), then take both
# gadgets of a two-module test down.
gadgets_down() {
	for p in "$@"; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	MFW_GADGET=1 mfw-gadget destroy 2>>"$d/gadget.log"
	MFW_GADGET=0 mfw-gadget destroy 2>>"$d/gadget.log"
}

# usb_of TTY: the USB device (its sysfs name, "1-1") of a ttyACM.
usb_of() {
	basename "$(readlink -f "/sys/class/tty/${1#/dev/}/device/..")"
}

# The sysfs directory of the only mfw port, once there is one.
mfw_port() {
	for p in /sys/class/mfw/mfw*; do
		[ -e "$p" ] && echo "$p" && return 0
	done
	return 1
}

# firmware_is VERSION [TTY]: attach to the module (default $d/tty) and
# compare what the kernel read with AT+CGMR (sysfs firmware) with VERSION.
firmware_is() {
	mfw attach "${2:-$d/tty}" >>"$d/attach.log" 2>&1 &
	a=$!
	fw= t=$(now_cs)
	if wait_for 20 mfw_port >/dev/null; then
		p=$(mfw_port)
		[ -n "$(cat "$p/firmware" 2>/dev/null)" ] || echo 1 >"$p/identify"
		wait_for 20 eval 'test -n "$(cat "$p/firmware")"' 
		fw=$(cat "$p/firmware" 2>/dev/null)
	fi
	kill "$a" 2>/dev/null
	wait "$a" 2>/dev/null
	# mfw attach has closed the tty when wait returns.  A simulator
	# started by sim_start holds its pty open, so the discipline (and the
	# port) stays until that pty closes: nothing to wait for.  Elsewhere
	# the port goes with mfw's last close.
	[ -n "$sim" ] && [ "${2:-$d/tty}" = "$d/tty" ] ||
		wait_for 10 eval '! mfw_port >/dev/null'
	echo "firmware: '$fw', want '$1' (read in $(($(now_cs) - t)) cs)"
	[ "$fw" = "$1" ]
}

# wait_for SECONDS COMMAND...: poll every 0.1 s until the command succeeds.
wait_for() {
	_wait=$(($1 * 10))
	shift
	while [ $_wait -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		nap
		_wait=$((_wait - 1))
	done
	return 1
}

# timed LOG COMMAND...: run a command, stdout to $d/out.log, stderr to
# $d/LOG.log; say how long it took; its exit code in $rc.
timed() {
	_log=$1
	shift
	_t0=$(now_cs)
	"$@" >>"$d/out.log" 2>"$d/$_log.log"
	rc=$?
	echo "# $T: $_log: exit $rc after $(($(now_cs) - _t0)) cs"
	return 0
}

# Hundredths of a second since boot.
now_cs() {
	read -r t _ </proc/uptime
	echo $((${t%.*} * 100 + 1${t#*.} - 100))
}

finish() {
	sim_stop
	echo "# $T: $n cases, $(($(now_cs) / 100 - t_start / 100)) s"
	exit $failed
}
t_start=$(now_cs)
