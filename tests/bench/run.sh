#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make bench: mfw's write paths against the line rate and the hex
# protocol's ceiling, in a QEMU guest on the stock kernel (not a test; see
# tests/bench/mfw_bench.c for what is measured and how).  Prints the
# guest's table at the end; exits non-zero when the guest run failed or a
# stored package differed from the image.  Targets not met are reported in
# the table, not as a failure.
# Environment: MFW_BENCH_OUT (artefacts, default build-bench-vm),
# MFW_BENCH_BUILD (meson dir for the simulator, default build-bench),
# MFW_BENCH_BAUDS (default "115200 921600"), MFW_VM_TIMEOUT (default 2400),
# MFW_BENCH_LANE_KIB (the faster UART lane's package, default 1024; 0
# skips that guest).
set -euo pipefail
cd "$(dirname "$0")/../.."
export MFW_OUT=${MFW_BENCH_OUT:-$PWD/build-bench-vm}
. tests/vm/lib.sh

build=${MFW_BENCH_BUILD:-build-bench}
bauds=${MFW_BENCH_BAUDS:-115200 921600}
t0=$SECONDS
mkdir -p "$MFW_OUT/bin"

kernel_info stock
ko=$(tests/vm/build-module.sh stock)
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
meson compile -C "$build" mfw-modemsim mfw >/dev/null
sim=$build/userspace/modemsim/mfw-modemsim
helper=$build/userspace/mfw/mfw
make -s -C tests/bench OUT="$MFW_OUT/bin"
bench=$MFW_OUT/bin/mfw_bench
lane_bench=$MFW_OUT/bin/mfw_lane_bench
lane_kib=${MFW_BENCH_LANE_KIB:-1024}

# Guest time: about 2 x (1 MiB raw + 2 x 2.1 MB of hex) at each rate,
# about 9 minutes for the defaults, plus boot and set-up under TCG.
list=$(mktemp "${TMPDIR:-/tmp}/mfw-bench-tests.XXXXXX")
lane_list=$(mktemp "${TMPDIR:-/tmp}/mfw-bench-lane.XXXXXX")
trap 'rm -f "$list" "$lane_list"' EXIT
limit=${MFW_VM_TIMEOUT:-2400}
echo "mfw_bench $((limit - 120)) mfw_bench $bauds" >"$list"

note "bench: stock kernel $KVER, rates $bauds (guest limit ${limit}s)"
# At the normal priority, as the simulator beside it: run-vm.sh lowers
# the stock kernel's guests for make check's lanes.
verdicts=$(MFW_VM_NICE=0 MFW_VM_TIMEOUT=$limit MFW_MODULE=$ko \
	tests/vm/run-vm.sh stock bench "$list" "$bench" "$sim" \
	tests/bench/mfw-bench-shell.sh) || true
results=$MFW_OUT/runs/stock-bench/results.txt

echo "--- guest output ($results):"
grep -v '^MFW-RIG: ' "$results" | sed -n '/^BENCH table begin/q;p' || true
echo "--- verdicts:"
echo "$verdicts"
echo
echo "mfw bench, stock kernel $KVER, QEMU TCG 2 vCPUs, 1 MiB image, simulator over a pty:"
if ! sed -n '/^BENCH table begin/,/^BENCH table end/p' "$results" |
	sed '1d;$d' | grep .; then
	echo "no table in the guest output" >&2
	exit 1
fi
echo "(fraction: transparent of the line rate baud/10; hex and shell-hex of the hex"
echo " protocol's ceiling, line rate x payload / (command + CR + CR LF OK CR LF) bytes;"
echo " target 0.95; shell/mfw: the shell loop's time over mfw's hex time at that rate)"

# The faster lane over the UART: a second guest, with the module bench
# (tests/vm/uart-bench.py) behind its ttyS1.  About 1.1 x (91 + 182) s for
# 1 MiB at 115200 and an eighth of that with the lane, plus boot.
lane_verdicts=
if [ "$lane_kib" != 0 ]; then
	echo "mfw_lane_bench $((limit - 120)) mfw_lane_bench $lane_kib" >"$lane_list"
	note "bench: the faster UART lane, $lane_kib KiB (guest limit ${limit}s)"
	lane_verdicts=$(MFW_VM_NICE=0 MFW_VM_TIMEOUT=$limit MFW_MODULE=$ko \
		MFW_VM_UART_BENCH="$(realpath "$sim")" \
		tests/vm/run-vm.sh stock bench-lane "$lane_list" "$lane_bench" "$helper") || true
	lane_results=$MFW_OUT/runs/stock-bench-lane/results.txt
	echo "--- lane guest output ($lane_results):"
	grep -v '^MFW-RIG: ' "$lane_results" | sed -n '/^BENCH table begin/q;p' || true
	echo "--- verdicts:"
	echo "$lane_verdicts"
	echo
	echo "mfw bench, the faster UART lane: $lane_kib KiB through mfw upgrade, guest 8250 UART to the"
	echo "module bench (QEMU 16550, base 921600), from mfw's start to the upgrade trigger:"
	if ! sed -n '/^BENCH table begin/,/^BENCH table end/p' "$lane_results" |
		sed '1d;$d' | grep .; then
		echo "no lane table in the guest output" >&2
		exit 1
	fi
	echo "(line-bound: the package's bits at 115200, hex twice; speed-up: the row above"
	echo " over this one; target 6)"
fi
echo "total time $((SECONDS - t0)) s"
if printf '%s\n%s\n' "$verdicts" "$lane_verdicts" | grep -q '^FAIL'; then
	echo "bench FAILED (see above)" >&2
	exit 1
fi
