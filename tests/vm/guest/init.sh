#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0-only
# /init of the rig's guest: mount the usual file systems, load the modules
# the host listed, run each test, check for leaks, power off.
#
# On the x86 guests the console (ttyS0) carries the kernel log, ttyS1 is
# the UART a host-side simulator may be wired to, ttyS2 carries test output
# back to the host.  On the Arm guests the PL011 (ttyAMA0) is the
# module's UART and two virtio consoles carry the log (hvc0) and the
# output (hvc1).  /etc/mfw-rig/out names the output's device.
/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
export PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mkdir -p /dev/pts /tmp /run /root
mount -t devpts -o gid=5,mode=620,ptmxmode=666 devpts /dev/pts
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
hostname mfw-guest

out=$(cat /etc/mfw-rig/out)
# Until its driver is loaded (a virtio console is a module), a word goes
# to the kernel log: written to the missing node, it would become a file.
say() {
	if [ -c "$out" ]; then
		echo "MFW-RIG: $*" >"$out"
	else
		echo "MFW-RIG: $*" >/dev/kmsg
	fi
}

# Modules, in dependency order as the host resolved them.
if [ -f /etc/mfw-rig/modules ]; then
	while read -r ko args; do
		[ -n "$ko" ] || continue
		insmod "$ko" $args || say "insmod $ko failed"
	done </etc/mfw-rig/modules
fi

# A virtio console's ports are added by a work item after its driver
# loaded, and the hvc driver makes the nodes of all its ttys with the
# first port: wait until the output's own port opens (10 s at most).  The
# trial open runs in a subshell: a failed redirection of a special
# built-in (":") ends a non-interactive shell, here /init itself.
n=0
while ! { [ -c "$out" ] && (: >"$out") 2>/dev/null; } && [ $n -lt 100 ]; do
	sleep 0.1
	n=$((n + 1))
done
stty -F "$out" raw -echo 115200 2>/dev/null
# A console that came up with its module (the Arm guests' hvc0) has
# missed the kernel's log until then, which the host's splat check reads
# as well: it gets that part now (the lines since it came up, twice).
if [ -f /etc/mfw-rig/console-late ]; then
	con=$(cat /etc/mfw-rig/console-late)
	[ -c "$con" ] && dmesg >"$con"
fi

# configfs may itself be one of the modules just loaded.
mount -t configfs configfs /sys/kernel/config 2>/dev/null

. /etc/mfw-rig/env 2>/dev/null
say "booted $(uname -r)"

# Each test runs while the shell waits for it, and a watchdog (a read
# with a time-out on a FIFO nobody writes to) waits for its limit: no
# process wakes up while a test runs.  A loop checking on the test ten
# times a second cost an idle debug guest under TCG about a third of a
# host core.  Limits are in the guest's own seconds, whatever emulation
# costs.
mkfifo /run/nap
exec 9<>/run/nap

# watchdog PID NAME LIMIT: after LIMIT seconds, show where every task of
# the test PID sleeps, then end it.  A test that ended at its limit (a
# zombie the shell has not reaped yet) is left alone.
watchdog() {
	read -r -t "$3" _ <&9
	st=$(cut -d' ' -f3 "/proc/$1/stat" 2>/dev/null)
	[ -n "$st" ] && [ "$st" != Z ] || exit 0
	: >/run/timed-out
	say "timeout: $2 still running after ${3}s; its tasks:"
	for task in /proc/[0-9]*/task/*; do
		sid=$(cut -d' ' -f6 "$task/stat" 2>/dev/null)
		[ "$sid" = "$1" ] || continue
		echo "task $(cat $task/comm) ($(cut -d' ' -f3 $task/stat))" \
			"in $(cat $task/wchan 2>/dev/null):"
		cat "$task/stack" 2>/dev/null
	done >"$out"
	kill -9 -- -"$1" 2>/dev/null
}

# busy: the guest's busy vCPU time so far, all vCPUs, in USER_HZ ticks
# (1/100 s): the "cpu" line of /proc/stat less its idle and iowait.  The
# kernel charges it a tick at a time, on the ticks the vCPU gets; under
# TCG on busy host cores that is not what QEMU's threads paid.  It says
# which program kept the guest busy, not what the host spent on it.
busy() {
	read -r _ user nice system _ _ irq softirq _ </proc/stat
	echo $((user + nice + system + irq + softirq))
}

# Each line of /etc/mfw-rig/tests: <name> <timeout-seconds> <command...>
while read -r name limit cmd; do
	[ -n "$name" ] || continue
	read -r t0 _ </proc/uptime
	c0=$(busy)
	say "begin $name at=${t0%.*}"
	rm -f /run/timed-out
	setsid sh -c "$cmd" >"$out" 2>&1 </dev/null 9<&- &
	pid=$!
	watchdog $pid "$name" "$limit" &
	dog=$!
	wait $pid
	rc=$?
	kill $dog 2>/dev/null
	wait $dog 2>/dev/null
	# Killed by the watchdog (SIGKILL: 128 + 9), not ended on its own.
	[ ! -e /run/timed-out ] || [ $rc != 137 ] || rc=124
	read -r t1 _ </proc/uptime
	c1=$(busy)
	say "end $name rc=$rc secs=$((${t1%.*} - ${t0%.*})) cpu=$(((c1 - c0) / 100))"
done </etc/mfw-rig/tests

# Unload the driver so kmemleak sees everything it ever allocated.
if grep -q '^mfw ' /proc/modules; then
	rmmod mfw || say "rmmod mfw failed"
fi
if [ -w /sys/kernel/debug/kmemleak ]; then
	# Objects younger than 5 s are never reported; scan twice past that.
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	sleep 1
	echo scan >/sys/kernel/debug/kmemleak
	cat /sys/kernel/debug/kmemleak >/dev/console
	say "kmemleak scanned"
fi
say "done"
sync
# -no-reboot makes QEMU exit on reboot; no ACPI power-off needed.
reboot -f
