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
# executions printed are their sum.  Each process logs to
# build-fuzz/fuzz-<n>.log.
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

mkdir -p "$out/corpus/mfw_at" "$out/artifacts"
out=$(cd "$out" && pwd)
"$cc" -std=gnu11 -g -O1 -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-I"$top/kernel" -o "$out/fuzz_mfw_at" \
	"$top/tests/fuzz/fuzz_mfw_at.c" "$top/kernel/mfw_at.c" \
	"$top/kernel/mfw_echo.c" "$top/kernel/mfw_cme.c"

case $jobs in
''|*[!0-9]*|0) echo "$0: --jobs takes a number of processes, 1 or more" >&2
	exit 2 ;;
esac
log=$out/fuzz_mfw_at.log
multi=()
if [ "$jobs" -gt 1 ]; then
	# libFuzzer writes each process's log to fuzz-<n>.log in the current
	# directory.
	rm -f "$out"/fuzz-*.log
	multi=(-jobs="$jobs" -workers="$jobs")
fi
t0=$(date +%s.%N)
rc=0
(cd "$out" && exec "$out/fuzz_mfw_at" "${limit[@]}" -max_len=8192 \
	-print_final_stats=1 -artifact_prefix="$out/artifacts/" "${multi[@]}" \
	"$@" "$out/corpus/mfw_at" "$top/tests/fuzz/corpus/mfw_at") >"$log" 2>&1 ||
	rc=$?
t1=$(date +%s.%N)

if [ "$jobs" -gt 1 ]; then
	execs=$(for f in "$out"/fuzz-*.log; do
		sed -n 's/^stat::number_of_executed_units: *//p' "$f" | tail -n 1
	done | awk '{ n += $1 } END { print n }')
	[ "$rc" -eq 0 ] || tail -n 60 "$out"/fuzz-*.log >&2
else
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
fi
if [ "$rc" -ne 0 ]; then
	tail -n 60 "$log" >&2
	echo "fuzz_mfw_at: FINDING (exit $rc) after ${execs:-?} executions; see $out/artifacts/" >&2
	exit "$rc"
fi
awk -v n="${execs:-?}" -v a="$t0" -v b="$t1" 'BEGIN { printf "fuzz_mfw_at: %s executions in %.1f s, no finding\n", n, b - a }'
