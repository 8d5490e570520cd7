#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Boot one of the rig's kernels under QEMU (TCG) with a fresh initramfs, run
# the listed tests in the guest, and print the suite's result lines
# ("PASS|FAIL|SKIP <name>") on stdout.  A guest that hangs is killed after
# MFW_VM_TIMEOUT seconds; a kernel splat on its console fails the run.
#
# Usage: run-vm.sh KERNEL NAME TESTLIST [file...]
#   (TESTLIST and file... as for mkinitramfs.sh)
# Environment: MFW_MODULE, MFW_EXTRA_MODULES, MFW_GUEST_ENV (see
# mkinitramfs.sh); MFW_VM_TIMEOUT (default 600); MFW_EXPECT_SPLAT=1 turns the
# splat gate around (used to prove the gate works; instead of 1, a list of
# regexes, one a line, names the kinds that must all be found); MFW_TIMES (a file: the
# guest's and each program's running time are appended to it, one
# "<seconds> <what>" line each); MFW_VM_CPUS (vCPUs, default 2);
# MFW_VM_MEM (MiB, default 512); MFW_VM_NICE (QEMU's nice value,
# below); MFW_VM_BOOT_LIMIT, MFW_VM_BOOT_SILENCE (seconds, below);
# MFW_VM_UART (the QEMU -serial backend of the guest's
# module UART, default null); MFW_VM_UART_BENCH (a host mfw-modemsim: the
# module bench serves that UART with it, below, and MFW_VM_UART is not
# used).
#
# The x86 guests are QEMU's "pc" with four 16550s: ttyS0 the console,
# ttyS1 the module's UART, ttyS2 the tests' output, ttyS3 the bench's
# control port.  The arm64 and armhf guests are QEMU's "virt" board with
# its device tree and dts/onemo-qemu-virt-overlay.dts (tests/vm/virt-dtb.sh):
# its only UART, the PL011 (ttyAMA0), is the module's, and virtio consoles
# carry the console (hvc0), the output (hvc1) and the control port (hvc2).
set -uo pipefail
. "$(dirname "$0")/lib.sh"

kernel=$1 name=$2 tests=$3
shift 3
kernel_info "$kernel"
run=$MFW_OUT/runs/$kernel-$name
rm -rf "$run"
mkdir -p "$run"
limit=${MFW_VM_TIMEOUT:-600}

# The module bench (tests/vm/uart-bench.py): a simulated module on the
# host, behind the guest's real 8250 UART (ttyS1, a pty on the host,
# paced at 115200 baud), switched on and off by the guest's tests through
# a fourth serial port (ttyS3, a unix socket on the host).  It lives as
# long as this script: stopped on every way out, and it stops by itself
# (with its simulator) should this script die without a word.  The
# guest learns where its control port is from MFW_UART_BENCH; the tests
# that need the bench skip without it.
# The board's UART clock allows 921600 baud (a 14.7456 MHz crystal, as on
# boards whose modules take the faster lane; a PC's 1.8432 MHz one stops
# at 115200): QEMU's 16550s get that base rate, and the guest's 8250
# driver learns it from MFW_UART_BASE (tests/kselftest/mfw_port.c sets it
# on ttyS1 with TIOCSSERIAL, as a device tree's clock-frequency would).
uart=${MFW_VM_UART:-null}
bench_pid=''
control=()
uart_clock=()
stop_bench() {
	local n=0
	[ -n "$bench_pid" ] || return 0
	kill -TERM "$bench_pid" 2>/dev/null
	while kill -0 "$bench_pid" 2>/dev/null && [ $n -lt 100 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	kill -KILL "$bench_pid" 2>/dev/null
	wait "$bench_pid" 2>/dev/null
	bench_pid=''
}
if [ -n "${MFW_VM_UART_BENCH:-}" ]; then
	[ -x "$MFW_VM_UART_BENCH" ] || die "MFW_VM_UART_BENCH: no simulator at $MFW_VM_UART_BENCH"
	trap stop_bench EXIT
	trap 'exit 143' TERM
	trap 'exit 130' INT
	/usr/bin/python3 "$MFW_TOP/tests/vm/uart-bench.py" --sim "$MFW_VM_UART_BENCH" \
		--dir "$run/uart" --limit $((2 * limit + 120)) \
		>"$run/uart-bench.out" 2>&1 &
	bench_pid=$!
	n=0
	while [ ! -s "$run/uart/ready" ] && kill -0 $bench_pid 2>/dev/null && [ $n -lt 150 ]; do
		sleep 0.1
		n=$((n + 1))
	done
	if [ ! -s "$run/uart/ready" ]; then
		echo "FAIL $kernel/$name: the UART bench did not start ($run/uart-bench.out)"
		die "UART bench for $kernel-$name failed"
	fi
	uart=$(sed -n 's/^pty=//p' "$run/uart/ready")
	socket=$(sed -n 's/^socket=//p' "$run/uart/ready")
	if [ "$KARCH" != x86_64 ]; then
		# The PL011's clock (24 MHz on virt) needs no help for 921600.
		control=(-chardev "socket,id=bench,path=$socket"
			-device virtconsole,chardev=bench)
		MFW_GUEST_ENV="${MFW_GUEST_ENV:-}
export MFW_UART_BENCH=/dev/hvc2
export MFW_UART_TTY=/dev/ttyAMA0"
	else
		control=(-serial "unix:$socket")
		uart_clock=(-global isa-serial.baudbase=921600)
		MFW_GUEST_ENV="${MFW_GUEST_ENV:-}
export MFW_UART_BENCH=/dev/ttyS3
export MFW_UART_BASE=921600"
	fi
	export MFW_GUEST_ENV
fi
if ! "$MFW_TOP/tests/vm/mkinitramfs.sh" "$kernel" "$run/initramfs.cpio" "$tests" "$@"; then
	# A verdict, so that the guest's missing results are not silent.
	echo "FAIL $kernel/$name: its initramfs could not be made"
	die "initramfs for $kernel-$name failed"
fi

# la57=off: the guest CPU has no 5-level paging.  With it, KASAN's shadow
# address depends on the LA57 bit in boot_cpu_data, which identify_cpu()
# clears and refills while interrupts are on (arch/x86/kernel/cpu/common.c
# in 6.1); an interrupt in that window is a "wild-memory-access" report in
# handle_edge_irq before any module is loaded.  No board mfw runs on has
# 5-level paging.
# no_timer_check: skip the 8254-through-IO-APIC check meant for real
# boards, as virtual machine images do.
# Memory: the tests need little, and the debug kernel's closing kmemleak
# scans take longer the more there is (the two scans of an idle guest:
# 42 to 50 s with 1536 MiB, 35 s with 768, 30 s with 512).  A guest that runs short
# fails: the splat check counts the OOM killer.
mem=${MFW_VM_MEM:-512}
# Two UDCs for two simulated modules side by side: a dummy_hcd built into
# the kernel (the debug kernel's) takes its num from the command line; a
# module gets it from the guest's insmod (mkinitramfs.sh).
dummy_hcd=$([ -n "$KMODS" ] || echo dummy_hcd.num=2)
cpus=${MFW_VM_CPUS:-2}
# The machine, its serial ports and its console, by architecture.
if [ "$KARCH" != x86_64 ]; then
	# cortex-a57: an arm64 core TCG emulates without the costly
	# extensions of "max" (pointer authentication, SVE); cortex-a15: the
	# ARMv7 core of QEMU's 32-bit virt board.
	case $KARCH in
	arm64) qemu=qemu-system-aarch64 cpu=cortex-a57 ;;
	armhf) qemu=qemu-system-arm cpu=cortex-a15 ;;
	*) die "no QEMU board for $KARCH" ;;
	esac
	shape=(-cpu "$cpu" -smp "$cpus" -m "$mem")
	"$MFW_TOP/tests/vm/virt-dtb.sh" "$run/board.dtb" \
		"$(dirname "$KDIR")/linux-headers-${KVER%-*}-common/include" \
		"$qemu" "${shape[@]}" || {
		echo "FAIL $kernel/$name: the board's device tree could not be made"
		die "device tree for $kernel-$name failed"
	}
	machine=("$qemu" -machine virt -accel tcg "${shape[@]}"
		-dtb "$run/board.dtb"
		-serial "$uart"
		-device virtio-serial-device
		-chardev "file,id=log,path=$run/console.log" -device virtconsole,chardev=log
		-chardev "file,id=out,path=$run/results.log" -device virtconsole,chardev=out
		"${control[@]}")
	console=hvc0
	# The console is a module (virtio_console), loaded by /init: the
	# kernel's log reaches it then, all at once, so silence before /init
	# says nothing.
	boot_silence=0
else
	machine=(qemu-system-x86_64 -machine pc -accel tcg -cpu max,la57=off
		-smp "$cpus" -m "$mem"
		-serial "file:$run/console.log"
		-serial "$uart"
		-serial "file:$run/results.log"
		"${control[@]}" "${uart_clock[@]}")
	console=ttyS0,115200
	boot_silence=${MFW_VM_BOOT_SILENCE:-60}
fi
# Priority: the debug kernel's guests at the normal one, the others a
# little below (nice 5).  A debug guest is make check's critical path and
# loses the most when its vCPU threads wait for a core: under TCG a vCPU
# spinning on a lock whose holder's thread is off the core burns CPU for
# nothing, and KASAN and lockdep make the critical sections long.  Alone,
# the debug selftests used 615 s of CPU; beside the other lanes, 907 s.
# The stock kernels' guests mostly wait for the line rate and the
# simulated module's clock; the full-system guest is a single run of
# scenarios with generous bounds.
nice=${MFW_VM_NICE:-$(guest_nice "$kernel")}
start=$(date +%s)
# boot: one QEMU run, in the background.  The subshell reports the CPU
# time QEMU used (bash's "times": its children's user and system time),
# for the time table, and leaves QEMU's exit code in $run/rc.
boot() {
(
timeout --kill-after=10 "$limit" nice -n "$nice" "${machine[@]}" \
	-display none -no-reboot -monitor none -nodefaults \
	-kernel "$KIMAGE" -initrd "$run/initramfs.cpio" \
	-append "console=$console panic=-1 printk.time=1 $MFW_GUEST_CMDLINE $dummy_hcd ${MFW_VM_APPEND:-}" \
	>"$run/qemu.log" 2>&1
rc=$?
times >"$run/cpu"
echo $rc >"$run/rc"
) &
}

# Under TCG a guest has now and then stopped for good in early boot, long
# before /init, with its vCPUs idle (seen on the debug kernel, booting
# while the host's cores were busy; the last two times the last line it
# printed was "Running RCU-tasks wait API self tests", before its first
# sleep on a timer).  Nothing of mfw has run by then:
# the modules are loaded by /init.  A guest whose console says nothing new for
# MFW_VM_BOOT_SILENCE seconds (default 60, 0: no such check, as on the Arm guests,
# whose console comes up with /init; booting,
# the debug kernel prints a line every few seconds, 4.3 s the longest
# gap seen between two printk stamps) before /init, or that has not
# reached /init after MFW_VM_BOOT_LIMIT seconds
# (default 300; the kernels reach /init in about 20 s under TCG), is
# stopped and booted again, once, and the run says so; a second stall
# fails the run.
boot_limit=${MFW_VM_BOOT_LIMIT:-300}
stalls=0
while :; do
	: >"$run/console.log"
	rm -f "$run/rc"
	boot
	sub=$! t_boot=$(date +%s) reached=0 size=0 t_said=$(date +%s)
	while [ ! -s "$run/rc" ] && kill -0 $sub 2>/dev/null; do
		if [ $reached = 0 ]; then
			now=$(date +%s) said=$(stat -c %s "$run/console.log" 2>/dev/null || echo 0)
			[ "$said" = "$size" ] || { size=$said t_said=$now; }
			if grep -aq 'Run /init as init process' "$run/console.log" 2>/dev/null; then
				reached=1
			elif [ $((now - t_boot)) -gt "$boot_limit" ] ||
				{ [ "$boot_silence" -gt 0 ] &&
				  [ $((now - t_said)) -gt "$boot_silence" ]; }; then
				break
			fi
		fi
		sleep 1
	done
	if [ $reached = 1 ] || [ -s "$run/rc" ]; then
		wait $sub
		break
	fi
	# Stalled before /init: stop this QEMU (timeout passes TERM on).
	stalls=$((stalls + 1))
	pkill -TERM -P $sub 2>/dev/null
	wait $sub
	cp "$run/console.log" "$run/console-stalled-$stalls.log"
	lost=$(($(date +%s) - t_boot))
	[ -z "${MFW_TIMES:-}" ] || echo "$lost guest $kernel-$name stalled in early boot" >>"$MFW_TIMES"
	why="no /init after $lost s, its console silent for $(($(date +%s) - t_said)) s"
	if [ $stalls -ge 2 ]; then
		echo "FAIL $kernel/$name: the guest stalled in early boot twice (the second time $why; consoles: $run/console-stalled-*.log)"
		echo stalled >"$run/rc"
		break
	fi
	echo "    ($kernel-$name: the guest stalled in early boot ($why); booted again; its console: $run/console-stalled-$stalls.log)"
done
rc=$(cat "$run/rc" 2>/dev/null || echo 125)
stop_bench
ran=$(($(date +%s) - start))
cpu=$(cpu_seconds "$run/cpu")
# timeout's KILL takes timeout itself down before it reaps QEMU: no count.
[ $rc != 137 ] || cpu="?"
note "$kernel-$name: guest ran $ran s, $cpu s of CPU (qemu rc=$rc)"
[ -z "${MFW_TIMES:-}" ] || echo "$ran guest $kernel-$name (CPU $cpu s)" >>"$MFW_TIMES"
tr -d '\r' <"$run/results.log" >"$run/results.txt" 2>/dev/null || : >"$run/results.txt"

if [ $rc = 124 ] || [ $rc = 137 ]; then
	echo "FAIL $kernel/$name: guest hung, killed after ${limit}s (the program it was running is named below)"
	echo "--- tail of the $kernel-$name console:" >&2
	tail -n 30 "$run/console.log" | sed 's/^/    | /' >&2
fi
/usr/bin/python3 "$MFW_TOP/tests/vm/parse-results.py" "$kernel" "$run/results.txt" \
	"${MFW_TIMES:-/dev/null}" "$ran"

if [ "${MFW_EXPECT_SPLAT:-0}" != 0 ]; then
	# MFW_EXPECT_SPLAT=1: some splat; otherwise the kinds that must all
	# be among the lines the checker matched, one extended regex a line
	# (the excerpt around the first one does not count).
	if "$MFW_TOP/tests/vm/splat-check.sh" "$run/console.log" 2>"$run/splat.txt"; then
		echo "FAIL $kernel/$name: planted splat was not detected"
	else
		missed=
		if [ "$MFW_EXPECT_SPLAT" != 1 ]; then
			while IFS= read -r kind; do
				[ -z "$kind" ] || sed -n '/^  matching lines/,$p' "$run/splat.txt" |
					grep -qE "$kind" || missed="$missed '$kind'"
			done <<<"$MFW_EXPECT_SPLAT"
		fi
		if [ -n "$missed" ]; then
			echo "FAIL $kernel/$name: planted splat detected, but not all of it: no$missed in the checker's report ($run/splat.txt)"
		else
			echo "PASS $kernel/$name: planted splat detected"
		fi
	fi
elif ! grep -aq 'Run /init as init process' "$run/console.log"; then
	# No boot log to check (on the Arm guests: their console never came up).
	echo "FAIL $kernel/$name: no kernel splat: the console holds no boot log to check ($run/console.log)"
elif "$MFW_TOP/tests/vm/splat-check.sh" "$run/console.log"; then
	echo "PASS $kernel/$name: no kernel splat"
else
	echo "FAIL $kernel/$name: kernel splat"
fi
