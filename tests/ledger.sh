# SPDX-License-Identifier: GPL-2.0-only
# Shared by tests/run.sh (make check) and tests/soak.sh (make soak), sourced:
# the ledger of results and the closing summary.
# shellcheck shell=bash
# ledger_init sets what the rest uses: ledger (the results file), logs (a
# directory for step logs), lanes (background jobs' output), MFW_TIMES (the
# file of "<seconds> <what>" lines the time table is made of), run_t0.

# ledger_init DIR: a run's ledger, logs, lanes and times under DIR, and a
# trap that takes the run's background work with it when it is interrupted.
ledger_init() {
	run_t0=$SECONDS
	trap 'trap - INT TERM; stop_all; exit 130' INT TERM
	ledger=$1/results.txt logs=$1/logs lanes=$1/lanes
	rm -rf "$lanes" "$logs/why"
	mkdir -p "$logs" "$lanes"
	: >"$ledger"
	export MFW_TIMES=$1/times.txt
	: >"$MFW_TIMES"
}

record() {
	echo "$1 $2" >>"$ledger"
	echo "$1 $2"
}

# why NAME: the file that keeps what failed test NAME said, for summary()
# (named after a hash: a name may hold any character, and be long).
why() {
	echo "$logs/why/$(printf %s "$1" | md5sum | cut -c1-16)"
}

# step NAME COMMAND...: one test whose verdict is the command's exit code;
# its output is kept in a log and shown only when it fails.
step() {
	local name=$1 log=$logs/${1//\//_}.log t0=$SECONDS
	shift
	if "$@" >"$log" 2>&1; then
		record PASS "$name"
	else
		record FAIL "$name"
		tail -n 40 "$log" | sed 's/^/    | /'
		mkdir -p "$logs/why"
		tail -n 12 "$log" >>"$(why "$name")"
	fi
	echo "    ($((SECONDS - t0)) s)" >>"$log"
}

# Feed "PASS|FAIL|SKIP name" lines from a command into the ledger; the
# "    | " lines that follow a FAIL line (what the failed test said) are
# kept for summary().
collect() {
	local line failed=
	mkdir -p "$logs/why"
	while IFS= read -r line; do
		case $line in
		FAIL\ *)
			record FAIL "${line#* }"
			failed=$(why "${line#* }")
			;;
		PASS\ * | SKIP\ *)
			record "${line%% *}" "${line#* }"
			failed=
			;;
		"    | "*)
			echo "$line"
			[ -z "$failed" ] || echo "${line#    | }" >>"$failed"
			;;
		*)
			echo "$line"
			failed=
			;;
		esac
	done < <("$@")
}

# summary: the failures, the skips and the closing "N passed, N failed"
# line; returns non-zero when anything failed.
summary() {
	local pass fail skip
	pass=$(grep -c '^PASS ' "$ledger")
	fail=$(grep -c '^FAIL ' "$ledger")
	skip=$(grep -c '^SKIP ' "$ledger")
	echo
	if [ "$fail" -gt 0 ]; then
		# Each failure with the last lines it logged, if it logged any.
		echo "failed:"
		local name
		grep '^FAIL ' "$ledger" | sed 's/^FAIL //' | while IFS= read -r name; do
			echo "  $name"
			[ ! -s "$(why "$name")" ] ||
				tail -n 16 "$(why "$name")" | sed 's/^/    | /'
		done
	fi
	# The last line is always "N passed, N failed"; skips are reported above it.
	[ "$skip" -eq 0 ] || echo "$skip skipped (features the stock kernel lacks: they run on the debug kernel, in make check's debug guests or in make soak)"
	echo "$pass passed, $fail failed"
	[ "$fail" -eq 0 ]
}

# section TITLE: a heading; the time since the previous heading is booked
# to the previous section.
section_name=
section_t0=$SECONDS
section() {
	section_end
	section_name=$1
	section_t0=$SECONDS
	printf '\n== %s\n' "$*"
}
section_end() {
	[ -z "$section_name" ] ||
		echo "$((SECONDS - section_t0)) section ${section_name%% (*}" >>"$MFW_TIMES"
	section_name=
}

# bg NAME COMMAND...: run a command in the background, its stdout and
# stderr kept apart; join NAME waits for it, books its time, feeds its
# result lines to the ledger and shows the rest.
# The job books its own running time when it ends (in NAME.secs): a lane
# joined after another may have ended long before its join.
declare -A bg_pid
bg() {
	local name=$1
	shift
	rm -f "$lanes/$name.secs"
	(
		t0=$SECONDS
		"$@"
		rc=$?
		echo $((SECONDS - t0)) >"$lanes/$name.secs"
		exit $rc
	) >"$lanes/$name.out" 2>"$lanes/$name.err" &
	bg_pid[$name]=$!
}
join() {
	local name=$1 rc secs
	wait "${bg_pid[$name]}"
	rc=$?
	secs=$(cat "$lanes/$name.secs" 2>/dev/null || echo 0)
	echo "$secs lane $name" >>"$MFW_TIMES"
	printf '\n== lane %s (%d s)\n' "$name" "$secs"
	collect cat "$lanes/$name.out"
	grep -v '^mfw-rig: .*cached' "$lanes/$name.err" | sed 's/^/  /'
	return $rc
}

# stop_all: end every process this shell started, however deep (QEMU runs
# under timeout(1), in a process group of its own, where a terminal's
# SIGINT does not reach it).
kill_tree() {
	local c
	for c in $(pgrep -P "$1"); do
		kill_tree "$c"
	done
	kill "$1" 2>/dev/null
}
stop_all() {
	local c
	for c in $(pgrep -P $$); do
		kill_tree "$c"
	done
}

# timetable SECONDS: where the time went, from $MFW_TIMES, and the total.
timetable() {
	echo
	echo "where the time went (seconds; sections follow each other, the builds, lanes"
	echo "and guests inside a section run side by side):"
	local kind
	for kind in section build lane guest; do
		grep -E "^[0-9]+ $kind " "$MFW_TIMES"
	done | awk '{ s = $1; $1 = ""; printf "  %6d %s\n", s, substr($0, 2) }'
	echo "  programs inside the guests:"
	grep -vE '^[0-9]+ (section|build|lane|guest) ' "$MFW_TIMES" |
		awk '{ s = $1; $1 = ""; printf "    %6d %s\n", s, substr($0, 2) }'
	printf '  %6d total (wall)\n' "$1"
}
