#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: the tty that "mfw attach" holds stays the other programs'.
# 1. A reader that talks to the module as ModemManager does gets every
#    answer.
# 2. A reader that asks for a long answer (AT+CMGL="ALL", 3.5 KiB) and
#    reads it 1.5 s later gets all of it.
# 3. A driver command asked for while a long answer (PDU mode, 4.5 KiB)
#    waits for such a reader waits until the reader has read it, and
#    takes none of it.
# 4. With nobody able to read (the commands go through a write-only
#    file), the module's output fills no buffer: the driver sees the
#    module's report after 9 KiB of answers, and counts those bytes in
#    statistics/rx_unread; mfw attach discards nothing itself.
# 5. A reader that does not read holds the module back, reports
#    included; once it reads, it has lost nothing and the report arrives.
# 6. With URC passthrough off, the lines the driver hands on that a full
#    buffer refuses are counted in statistics/rx_refused.
# 7. An upgrade beside a reader that does not read stops before anything
#    reaches the module, says which tty to look at, and the reader loses
#    nothing.
# Needs mfw and mfw-modemsim in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

plan 14
# Opened by this session leader, the pty becomes its controlling tty: the
# simulator's exit hangs it up, which must not end the test.
trap '' HUP
sim_start --model ML307R-DC --boot-ms 300 --sms 24 \
	--fault "urc=+MFWDLOAD: 1,4000,1000@cmd=CGMI#1" \
	--fault "urc=+MFWDLOAD: 1,4000,2000@cmd=CGMI#2" ||
	{ not_ok simulator "did not start"; finish; }

# hold: "mfw attach" on the simulator's tty, until identified.
hold() {
	mfw --verbose attach "$d/tty" >>"$d/out.log" 2>>"$d/attach.log" &
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
		OK | ERROR* | +CMS\ ERROR*) return 0 ;;
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
stat_of() { cat "$(mfw_port)/statistics/$1"; }

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

# --- 2. a long answer read late arrives whole -------------------------
talk AT+CMGF=1
printf 'AT+CMGL="ALL"\r' >&3
sleep 1.5
: >"$d/cmgl"
while read -t 3 -r line <&3; do
	line=${line%"$cr"}
	printf '%s\n' "$line" >>"$d/cmgl"
	[ "$line" = OK ] && break
done
echo "# $T: the reader got $(wc -c <"$d/cmgl") bytes of the answer"
check late_reader_gets_every_message \
	[ "$(grep -c '^+CMGL: [0-9]*,"REC READ"' "$d/cmgl")" -eq 24 ]
check late_reader_gets_the_last_body \
	grep -qx 'mfw-modemsim stored message 24: the quick brown fox jumps over the lazy dog' "$d/cmgl"

# --- 3. a driver command waits for the late reader --------------------
# ATI and a long listing in PDU mode (ModemManager's) asked for at once:
# the listing (4.5 KiB) is more than n_tty holds.  The reader reads 1.5 s
# later; meanwhile, once ATI's answer is through, the driver is asked to
# identify the module.  Its command waits until the reader has caught up,
# takes none of the reader's lines, and gets its own answer.
talk AT+CMGF=0
port=$(mfw_port)
fw0=$(cat "$port/firmware")
model=$(cat "$port/model")
printf 'ATI\rAT+CMGL=4\r' >&3
nap 0.5
sh -c 'echo 1 >"$1/identify"' sh "$port" 2>"$d/identify.err" &
ident=$!
sleep 1
: >"$d/cmgl2"
oks=0
while [ $oks -lt 2 ] && read -t 3 -r line <&3; do
	line=$(printf '%s' "$line" | tr -d '\r')
	printf '%s\n' "$line" >>"$d/cmgl2"
	[ "$line" != OK ] || oks=$((oks + 1))
done
wait "$ident"
ident_rc=$?
echo "# $T: the reader got $(wc -c <"$d/cmgl2") bytes of the two answers; identify exit $ident_rc $(cat "$d/identify.err")"
check late_reader_keeps_both_answers eval \
	'[ "$(grep -c "^+CMGL: [0-9]*,1,,[0-9]*$" "$d/cmgl2")" -eq 24 ] &&
	 [ "$(grep -c "^Revision: " "$d/cmgl2")" -eq 1 ]'
# Nothing but the two answers (echo, ATI's lines, entries, PDUs, OKs).
foreign_lines() {
	grep -v -e '^ATI$' -e '^AT+CMGL=4$' -e '^CMCC$' -e "^$model\$" \
		-e '^Revision: ' -e '^+CMGL: ' -e '^[0-9A-F][0-9A-F]*$' \
		-e '^OK$' -e '^$' "$d/cmgl2"
}
check driver_waits_for_the_late_reader eval \
	'[ $ident_rc -eq 0 ] && [ "$(cat "$port/firmware")" = "$fw0" ] &&
	 ! foreign_lines'
talk AT+CMGF=1
exec 3>&-

# --- 4. nobody can read: nothing is kept, reports still arrive --------
unread0=$(stat_of rx_unread)
exec 3>"$d/tty"
flood 150
sleep 2
printf 'AT+CGMI\r' >&3
check report_seen_with_nobody_reading wait_for 15 last_urc_is "+MFWDLOAD: 1,4000,1000"
unread=$(($(stat_of rx_unread) - unread0))
echo "# $T: $unread bytes came while nobody could read"
check unread_bytes_counted [ "$unread" -ge 8000 ]
# The holder has the tty open, and only for writing (fdinfo's flags, octal:
# O_ACCMODE 1), and never drained it (its --verbose log says so when it does).
holder_reads_nothing() {
	tty=$(readlink -f "$d/tty") n=0
	for f in /proc/$holder/fd/*; do
		[ "$(readlink "$f")" = "$tty" ] || continue
		flags=$(sed -n 's/^flags:[[:space:]]*//p' "/proc/$holder/fdinfo/${f##*/}")
		echo "holder fd ${f##*/} on $tty: flags $flags"
		[ $((0$flags & 3)) -eq 1 ] || return 1
		n=$((n + 1))
	done
	[ $n -gt 0 ] && ! grep -q "nobody reads\|thrown away" "$d/attach.log"
}
check holder_discards_nothing holder_reads_nothing
exec 3>&-

# --- 5. a reader that does not read holds the module back -------------
exec 3<>"$d/tty"
flood 150
sleep 2
printf 'AT+CGMI\r' >&3
sleep 5
check silent_reader_holds_the_report_back \
	eval '! last_urc_is "+MFWDLOAD: 1,4000,2000"'
# Reading the backlog lets it through, and every answer is there.
cat <&3 >"$d/backlog" &
reader=$!
check report_after_the_reader_caught_up wait_for 15 last_urc_is "+MFWDLOAD: 1,4000,2000"
wait_for 10 [ "$(grep -c '^OK' "$d/backlog")" -ge 151 ]
echo "# $T: the reader got $(wc -c <"$d/backlog") bytes, $(grep -c '^OK' "$d/backlog") answers"
check silent_reader_lost_nothing [ "$(grep -c '^Revision: ' "$d/backlog")" -eq 150 ]
kill "$reader" 2>/dev/null
exec 3>&-

# --- 6. lines the driver passes on itself: a full buffer's loss counted -
# With URC passthrough off the driver hands users complete lines; n_tty
# refuses what its full buffer cannot take, and the count says so.
port=$(mfw_port)
echo 0 >"$port/urc_passthrough"
refused0=$(stat_of rx_refused)
exec 3<>"$d/tty"
flood 150
sleep 2
refused=$(($(stat_of rx_refused) - refused0))
echo "# $T: a silent reader with passthrough off: $refused bytes refused"
check refused_lines_counted [ "$refused" -gt 0 ]
exec 3>&-
echo 1 >"$port/urc_passthrough"

# --- 7. an upgrade while a reader does not read -----------------------
# A listing in PDU mode (4.5 KiB, more than n_tty holds) waits for a
# reader that does not read.  The driver does not take that input: the
# upgrade stops before anything reaches the module (EBUSY, exit 6), its
# message names the tty to look at, and the reader then gets all of it.
param=/sys/module/mfw/parameters/user_timeout_ms
timeout0=$(cat "$param")
trap 'echo "$timeout0" >"$param"' EXIT
echo 1000 >"$param"
mkimage "$d/quiet.bin" ML307R-DC-MBRH0S02 8
mfw manifest create "$d/quiet.bin" --family ML307R-DC \
	--version ML307R-DC-MBRH0S02 >/dev/null 2>&1
exec 3<>"$d/tty"
# What the module still had to say to the last section's reader first.
while read -t 1 -r line <&3; do :; done
talk AT+CMGF=0
printf 'AT+CMGL=4\r' >&3
sleep 2
marks0=$(grep -c 'AT+MFW' "$d/sim.log")
# The module gets 8 s to answer (ready_timeout; 60 by default).
printf 'ready_timeout=8\n' >"$d/quiet.conf"
MFW_CONFIG=$d/quiet.conf mfw --state-dir "$d/state" upgrade "$d/quiet.bin" \
	--port "$d/tty" --timeout 60 >"$d/quiet.out" 2>"$d/quiet.log"
quiet_rc=$?
echo "$timeout0" >"$param"
trap - EXIT
echo "# $T: upgrade beside a silent reader: exit $quiet_rc: $(tail -n 1 "$d/quiet.log")"
tty=$(readlink -f "$d/tty")
check upgrade_refused_beside_a_silent_reader eval \
	'[ $quiet_rc -eq 6 ] && grep -q "without reading" "$d/quiet.log" &&
	 grep -q "fuser -v /dev/mfw[0-9]* $tty" "$d/quiet.log" &&
	 [ "$(grep -c "AT+MFW" "$d/sim.log")" -eq "$marks0" ]'
: >"$d/listing"
while read -t 3 -r line <&3; do
	line=$(printf '%s' "$line" | tr -d '\r')
	printf '%s\n' "$line" >>"$d/listing"
	[ "$line" != OK ] || break
done
check silent_reader_keeps_its_input_from_the_upgrade eval \
	'[ "$(grep -c "^+CMGL: [0-9]*,1,,[0-9]*$" "$d/listing")" -eq 24 ] &&
	 grep -qx OK "$d/listing"'
talk AT+CMGF=1
exec 3>&-
unhold
sim_stop
finish
