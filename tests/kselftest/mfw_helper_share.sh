#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: the tty that "mfw attach" holds stays the other programs'.
# 1. A reader that talks to the module as ModemManager does gets every
#    answer: mfw attach never reads what another reader is waiting for.
# 2. With nobody reading, the module's output fills the tty's input
#    buffer; mfw attach throws the stale bytes away, so the kernel still
#    sees the module's reports.
# 3. The control: with --no-drain the buffer stays full and the report
#    stays behind it.
# Needs mfw and mfw-modemsim in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

plan 5
# Opened by this session leader, the pty becomes its controlling tty: the
# simulator's exit hangs it up, which must not end the test.
trap '' HUP
sim_start --model ML307R-DC --boot-ms 300 \
	--fault "urc=+MFWDLOAD: 1,4000,1000@cmd=CGMI#1" \
	--fault "urc=+MFWDLOAD: 1,4000,2000@cmd=CGMI#2" ||
	{ not_ok simulator "did not start"; finish; }

# hold [ARGS...]: "mfw attach" on the simulator's tty, until identified.
hold() {
	mfw --verbose attach "$d/tty" "$@" >>"$d/out.log" 2>>"$d/attach.log" &
	holder=$!
	wait_for 20 eval 'p=$(mfw_port) && [ -n "$(cat "$p/firmware")" ]'
}
unhold() {
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
	wait_for 10 eval '! mfw_port >/dev/null'
}

cr=$(printf '\r')
# talk CMD: send CMD on fd 3 and read its answer up to the final result.
talk() {
	printf '%s\r' "$1" >&3
	while read -t 3 -r line <&3; do
		case ${line%"$cr"} in
		OK | ERROR*) return 0 ;;
		esac
	done
	return 1
}
# flood N: N commands (rounded up to tens) whose answers nobody reads
# (about 60 bytes each), ten at a time.  The simulator answers each command of
# a burst in turn; a real module may drop what arrives while it is busy.
flood() {
	i=0
	while [ $i -lt "$1" ]; do
		printf 'ATI\rATI\rATI\rATI\rATI\rATI\rATI\rATI\rATI\rATI\r' >&3
		nap 0.2
		i=$((i + 10))
	done
}
last_urc_is() { [ "$(cat "$(mfw_port)/last_urc")" = "$1" ]; }

# --- 1. another reader gets every answer -----------------------------
hold
exec 3<>"$d/tty"
lost=0 i=0
while [ $i -lt 40 ]; do
	talk AT+CGMR || { lost=$((lost + 1)); break; }
	i=$((i + 1))
done
echo "# $T: $i answers read, $lost lost"
if [ $lost -eq 0 ]; then ok reader_gets_every_answer
else not_ok reader_gets_every_answer "answer $((i + 1)) of 40 never came"; fi

# --- 2. nobody reads: stale input goes, reports still arrive -----------
flood 150
sleep 2
printf 'AT+CGMI\r' >&3
check report_seen_past_a_full_buffer wait_for 15 last_urc_is "+MFWDLOAD: 1,4000,1000"
check discard_logged grep -q "nobody reads" "$d/attach.log"
unhold

# --- 3. --no-drain: the report stays behind the full buffer -------------
exec 3>&-
hold --no-drain
exec 3<>"$d/tty"
flood 150
sleep 2
printf 'AT+CGMI\r' >&3
sleep 5
check no_drain_keeps_the_buffer eval '! last_urc_is "+MFWDLOAD: 1,4000,2000"'
# Reading the backlog lets it through.
cat <&3 >/dev/null &
reader=$!
check report_after_the_reader_caught_up wait_for 15 last_urc_is "+MFWDLOAD: 1,4000,2000"
kill "$reader" 2>/dev/null
exec 3>&-
unhold
sim_stop
finish
