#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Build and run the AT framer's libFuzzer target.
#
#   tests/fuzz/run.sh [--runs N | --seconds S] [--jobs J] [-- libFuzzer options...]
#
# Builds with clang into build-fuzz/ at the top of the tree (or
# $MFW_FUZZ_BUILD), seeds from tests/fuzz/corpus/mfw_at/ and keeps what the
# fuzzer finds in build-fuzz/corpus/mfw_at/.  Prints the number of
# executions; exits non-zero on a finding (the crashing input is left in
# build-fuzz/artifacts/).  Default: --runs 100000.
#
# --jobs J runs J fuzzing processes side by side (one per core), sharing
# the corpus directory; --runs and --seconds then apply to each, and the
# executions printed are their sum.  Process n logs to
# build-fuzz/fuzz-<n>.log; the first one to fail stops the others.
#
# A non-zero exit is a finding when the fuzzer wrote a crashing input;
# otherwise (an interrupt, a bad option) the script says it stopped.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
out=${MFW_FUZZ_BUILD:-$top/build-fuzz}
cc=${CLANG:-$(command -v clang-14 || command -v clang)}
limit=(-runs=100000)
jobs=1

while [ $# -gt 0 ]; do
	case $1 in
	--runs) limit=(-runs="$2"); shift 2 ;;
	--seconds) limit=(-max_total_time="$2"); shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [--runs N | --seconds S] [--jobs J] [-- libFuzzer options]" >&2
	   exit 2 ;;
	esac
done
case $jobs in
''|*[!0-9]*|0*|????*)
	echo "$0: --jobs takes a number of processes, from 1 to 999" >&2
	exit 2 ;;
esac

mkdir -p "$out/corpus/mfw_at" "$out/artifacts"
out=$(cd "$out" && pwd)
"$cc" -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$top/kernel" -o "$out/fuzz_mfw_at" \
	"$top/tests/fuzz/fuzz_mfw_at.c" "$top/kernel/mfw_at.c" \
	"$top/kernel/mfw_echo.c" "$top/kernel/mfw_cme.c"

log=$out/fuzz_mfw_at.log
stamp=$out/.started
: >"$stamp"
fuzz=("$out/fuzz_mfw_at" "${limit[@]}" -max_len=8192 -print_final_stats=1
	-artifact_prefix="$out/artifacts/" "$@"
	"$out/corpus/mfw_at" "$top/tests/fuzz/corpus/mfw_at")
executions() {
	sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1
}

t0=$(date +%s.%N)
rc=0
if [ "$jobs" -eq 1 ]; then
	"${fuzz[@]}" >"$log" 2>&1 || rc=$?
	execs=$(executions "$log")
	shown=$log
else
	rm -f "$out"/fuzz-*.log
	pids=()
	for ((i = 0; i < jobs; i++)); do
		# A simple command, so that $! is the fuzzer itself.
		"${fuzz[@]}" >"$out/fuzz-$i.log" 2>&1 &
		pids+=("$!")
	done
	# The first process that fails ends the campaign.
	for ((i = 0; i < jobs; i++)); do
		st=0
		# (bash says "no such job" for the ones already waited for)
		wait -n "${pids[@]}" 2>/dev/null || st=$?
		if [ "$st" -ne 0 ] && [ "$rc" -eq 0 ]; then
			rc=$st
			kill "${pids[@]}" 2>/dev/null || true
		fi
	done
	execs=$(for ((i = 0; i < jobs; i++)); do
		executions "$out/fuzz-$i.log"
	done | awk '{ n += $1 } END { print n + 0 }')
	# The log of the process that wrote a crashing input, or the first.
	shown=$(grep -l -e '^artifact_prefix=' -e 'Test unit written to' \
		"$out"/fuzz-*.log 2>/dev/null | head -n 1 || true)
	shown=${shown:-$out/fuzz-0.log}
	cat "$out"/fuzz-*.log >"$log"
fi
t1=$(date +%s.%N)

if [ "$rc" -ne 0 ]; then
	tail -n 60 "$shown" >&2
	if [ -n "$(find "$out/artifacts" -type f -newer "$stamp")" ]; then
		echo "fuzz_mfw_at: FINDING (exit $rc) after ${execs:-?} executions; see $out/artifacts/" >&2
	else
		echo "fuzz_mfw_at: stopped (exit $rc) after ${execs:-?} executions without writing a crashing input; see $log" >&2
	fi
	exit "$rc"
fi
awk -v n="${execs:-?}" -v a="$t0" -v b="$t1" 'BEGIN { printf "fuzz_mfw_at: %s executions in %.1f s, no finding\n", n, b - a }'
