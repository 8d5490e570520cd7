#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: a full "mfw upgrade" of every family of the capability table
# (one simulated module of each, its first sub-model), through the line
# discipline, /dev/mfwN and sysfs.  The kernel's "paths" attribute says how
# the package gets in: families with a local write path (hex, transparent)
# take an image from the host; the others (remote download, special mode)
# get "--url" and download it from busybox httpd on the guest's loopback.
# Each case passes when mfw exits 0 saying it is done with the new
# version, the module reports the new version
# with AT+CGMR after re-attaching, and "mfw status" shows the journal done.
# Then the same on a UART, where a reboot leaves the port in place (the
# simulator's --uart), once per reboot pattern of the table: one reboot
# and OK (MN316), one reboot (ML305U), one reboot with rollback
# (ML307R-DC), several reboots with progress between them (ML307A's
# minimal system); and the ML307R-DC on a UART that reports its outcome
# before the reboot, or (autobaud) says nothing after it until asked.
# Last, reports that never arrive: a remote download's final report lost
# or glued to another line, and an upgrade's result lost on a UART.
# Where every family runs, also: the module that prints +MATREADY 0.5 s
# after its outcome, a lost download report at the default
# download_quiet, and autobaud with a 20 s first boot, whose questions
# must back off.  Every case checks the transcript's times: mfw ends
# within seconds of the module's first word after its last restart, a
# lost report is asked for within 60 s of the silence (settled()), and
# the questions to a silent module follow the back-off (backed_off()).
# MFW_FAMILIES=kinds (make check sets it on the debug kernel) keeps one
# family of each kind of row in the table (kernel/mfw_models.c: NB-IoT,
# ML305U, ML307R-DC, the minimal-system modules) for the per-family cases:
# the others take the same kernel paths again.  Every family runs on
# Debian's kernel, and on the debug kernel in "make soak".
# Needs mfw and mfw-modemsim in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

# One family of each kind of row, each with its own reboot pattern.
kinds="MN316 ML305U ML307R-DC ML307A"

HTTP_PORT=18090
www=$d/www
httpd=

if ! mfw-modemsim --list-models >"$d/models" 2>"$d/models.log" || [ ! -s "$d/models" ]; then
	plan 1
	not_ok families "mfw-modemsim --list-models listed no family"
	finish
fi
# The cases: "NAME FAMILY SUBMODEL [simulator options]" per line.
sample=
case ${MFW_FAMILIES:-all} in
all) awk 'NF >= 2 { print $1, $1, $2 }' "$d/models" >"$d/cases" ;;
kinds)
	awk -v k=" $kinds " 'NF >= 2 && index(k, " " $1 " ") { print $1, $1, $2 }' \
		"$d/models" >"$d/cases"
	if [ "$(grep -c . "$d/cases")" != "$(echo $kinds | wc -w)" ]; then
		plan 1
		not_ok families "the table no longer lists each of $kinds: $(tr '\n' ' ' <"$d/models")"
		finish
	fi
	sample="MFW_FAMILIES=kinds: $(grep -c . "$d/cases") of $(grep -c . "$d/models") families ($kinds)"
	;;
*)
	plan 1
	not_ok families "MFW_FAMILIES is '$MFW_FAMILIES', not all or kinds"
	finish
	;;
esac
first() { awk -v f="$1" '$1 == f { print $2 }' "$d/models"; }
for fam in $kinds; do
	echo "uart.$fam $fam $(first $fam) --uart"
done >>"$d/cases"
# A boot time longer than the first probe takes: its +MATREADY waits in the
# port's report queue when the upgrade starts, and must not count as the boot.
echo "uart.report_before_reboot ML307R-DC $(first ML307R-DC) --uart --boot-ms 1500 --fault early@cmd=MFWUPGRADE" >>"$d/cases"
echo "uart.autobaud ML307R-DC $(first ML307R-DC) --uart --autobaud" >>"$d/cases"
# Lost reports: a remote download's final one (cases named remote.* take
# the url even where a local write path exists), then an upgrade's result
# on a UART.  Each must settle by asking the module, long before the
# download or upgrade timeout.
echo "remote.lost_download_report ML305U $(first ML305U) --fault lose@report=MFWDLOAD:2" >>"$d/cases"
echo "remote.glued_download_report ML305U $(first ML305U) --fault glue=+CEREG:1,1@report=MFWDLOAD:2" >>"$d/cases"
# An interruption (3) whose "0" (resumable) is lost: asked, the module
# says 0, and the download resumes instead of failing for good.
echo "remote.lost_resumable_report ML305U $(first ML305U) --fault cut@offset=4000 --fault lose@report=MFWDLOAD:0" >>"$d/cases"
echo "uart.lost_upgrade_report ML307R-DC $(first ML307R-DC) --uart --fault lose@report=MFWUPGRADE:2" >>"$d/cases"
# Where every family runs (Debian's kernel): the module on a UART that
# answers the trigger with OK and its outcome at once and prints
# +MATREADY 0.5 s later; and a lost download report settled at the
# default download_quiet (20 s), within 60 s of the silence.
if [ -z "$sample" ]; then
	echo "uart.matready_half_second_after_report ML307R-DC $(first ML307R-DC) --uart --flash-ms 0 --boot-ms 500 --fault early=0@cmd=MFWUPGRADE"
	echo "remote.lost_download_report_default_quiet ML305U $(first ML305U) --fault lose@report=MFWDLOAD:2"
	# Autobaud, and the new firmware's first boot takes 20 s: mfw's
	# questions back off (10 s of silence, then twice that) until one
	# is answered.
	echo "uart.autobaud_slow_first_boot ML307R-DC $(first ML307R-DC) --uart --autobaud --upgrade-boot-ms 20000"
fi >>"$d/cases"
# MFW_CASES=REGEX (grep -E) keeps the cases whose names match, to run one
# or a few of them while working on them.
if [ -n "${MFW_CASES:-}" ]; then
	awk '{ print $1 }' "$d/cases" | grep -nE "^($MFW_CASES)\$" | cut -d: -f1 >"$d/keep" || true
	awk 'NR == FNR { k[$1] = 1; next } k[FNR]' "$d/keep" "$d/cases" >"$d/cases.kept"
	mv "$d/cases.kept" "$d/cases"
	sample="MFW_CASES=$MFW_CASES: $(grep -c . "$d/cases") cases"
	if [ ! -s "$d/cases" ]; then
		plan 1
		not_ok families "MFW_CASES=$MFW_CASES names no case"
		finish
	fi
fi
plan "$(grep -c . "$d/cases")"
[ -z "$sample" ] || echo "# $T: $sample"

# probe [VERSION]: attach to the module on $d/tty, have the kernel ask it
# (AT+CGMR, ATI) and read the answers into $fw and $paths, then stop
# attaching; with VERSION, the firmware must be that.  Says how long the
# steps took.
probe() {
	mfw attach "$d/tty" >>"$d/attach.log" 2>&1 &
	a=$!
	paths='' fw='' s0=$(now_cs) s1='' s2=''
	if wait_for 20 mfw_port >/dev/null; then
		s1=$(now_cs)
		p=$(mfw_port)
		# Asks AT+CGMR and ATI now (a booting module answers later).
		echo 1 >"$p/identify"
		wait_for 20 eval 'test -n "$(cat "$p/firmware")"'
		# ATI, after AT+CGMR, gives the family and so the paths.
		wait_for 20 eval 'test "$(cat "$p/paths")" != unknown'
		s2=$(now_cs)
		fw=$(cat "$p/firmware" 2>/dev/null)
		paths=$(cat "$p/paths" 2>/dev/null)
	fi
	# The port stays until the simulator closes the pty's master: the
	# line discipline of a pty slave is released with the pair.
	kill "$a" 2>/dev/null
	wait "$a" 2>/dev/null
	echo "# $T: probe: firmware '$fw', paths '$paths' (port after $((${s1:-$s0} - s0)) cs, identified after $((${s2:-$s0} - s0)) cs)" >&3
	[ -n "$fw" ] && [ -n "$paths" ] && [ "$paths" != unknown ] && [ "$fw" = "${1:-$fw}" ]
}

# serve: busybox httpd on 127.0.0.1:$HTTP_PORT for $www, once.
serve() {
	[ -n "$httpd" ] && return 0
	mkdir -p "$www"
	busybox ip link set lo up 2>/dev/null || busybox ifconfig lo 127.0.0.1 up ||
		return 1
	busybox httpd -f -p "127.0.0.1:$HTTP_PORT" -h "$www" 2>>"$d/httpd.log" &
	httpd=$!
	echo probe >"$www/probe"
	wait_for 20 busybox wget -q -O /dev/null "http://127.0.0.1:$HTTP_PORT/probe"
}

# epoch_cs: the time of day as the transcript gives it (seconds since the
# epoch), in hundredths: busybox date has whole seconds only, so the
# uptime's hundredths are set against the moment a second begins, once.
sync_s=$(date +%s)
while [ "$(date +%s)" = "$sync_s" ]; do :; done
epoch_off=$(((sync_s + 1) * 100 - $(now_cs)))
epoch_cs() { echo $(($(now_cs) + epoch_off)); }

# settled NAME END: mfw ended (END, hundredths of a second since the
# epoch, as the transcripts' clock) because the module spoke for itself,
# and soon after.  From the simulator's transcript ($d/sim.log) and mfw's
# own ($MFW_STATE_DIR/transcript):
# - the module restarted, and what settled the upgrade was the module's
#   report after its boot, or a question mfw asked "after the boot" (its
#   +MATREADY, or the port's return), never one "after a silence" (the
#   10 s fallback), except in autobaud, where only the silence can start
#   it: mfw's last question, if it asked one, says which;
# - mfw ended within 5 s of the module's first word after its last
#   restart on a UART, whose port stays (+MATREADY, or in autobaud the
#   answer to the first AT it got), and within 12 s where the port goes
#   and comes back, since mfw first gives udev 5 s to attach to the new
#   tty (MFW_HOLDER_GRACE_MS) and this guest has no udev;
# - in a *lost* case a report was lost, and mfw settled what it stood for
#   within 60 s of the silence, which begins when the report should have
#   come (the loss's own record: what the module queued before it may be
#   logged later, when it goes out): mfw's first command after the loss
#   that is not a question (AT+MFWUPGRADE after a download, a resumed
#   AT+MFWDLOAD), or its end.
# On failure $why says which.
settled() {
	case $1 in
	uart.*) bound=5 ;;
	*) bound=12 ;;
	esac
	set -- $(awk -v end="$(($2 / 100)).$(printf %02d $(($2 % 100)))" '
		$2 == "*" && $3 == "reboot" { first = ""; booted = 1 }
		$2 == ">" { if (booted && first == "") first = $1; last = $1 }
		$2 == "*" && $3 == "report" && $4 == "lost:" && !lost { quiet = $1; lost = 1 }
		$2 == "<" && lost && settle == "" && $3 !~ /\?|^AT\+CGMR|^ATI|^AT\+CGSN/ { settle = $1 }
		END {
			if (!booted) printf "noreboot "
			else if (first == "") printf "silent "
			else printf "%.3f ", end - first
			if (!lost) print "-"
			else printf "%.3f\n", (settle == "" ? end : settle) - quiet
		}' "$d/sim.log")
	how=$(sed -nE 's/^[0-9.]* (after the boot|after a silence): .*/\1/p' \
		"$MFW_STATE_DIR/transcript" 2>/dev/null | tail -n 1)
	printf '# %s: %s: mfw ended %s s after the module'"'"'s first word since its last restart (last question: %s); a lost report settled after %s s of silence\n' \
		"$T" "$name" "$1" "${how:-none, the report settled it}" "$2"
	why=
	case $1 in
	noreboot) why="the module never restarted (no reboot in its transcript)" ;;
	silent) why="the module said nothing after its last restart" ;;
	*) awk -v t="$1" -v b=$bound 'BEGIN { exit !(t >= -0.5 && t <= b) }' ||
		why="mfw ended $1 s after the module's first word since its last restart, not within 0..$bound s"
	esac
	case $name:$how in
	*autobaud*:"after a silence") ;;
	*autobaud*) why="${why:+$why; }mfw's last question came '${how:-never}', not after a silence" ;;
	*:"after a silence") why="${why:+$why; }mfw settled only after a silence, by its fallback question" ;;
	esac
	case $name:$2 in
	*lost*:-) why="${why:+$why; }no report was lost (the fault did not fire)" ;;
	*:-) ;;
	*) awk -v t="$2" 'BEGIN { exit !(t <= 60) }' ||
		why="${why:+$why; }a report was lost and mfw settled it $2 s into the silence, not within 60 s"
	esac
	[ -z "$why" ]
}

# backed_off NAME: in the transcript, mfw's questions after the module's
# last restart, which its simulator logs as they cross the wire to the
# booting module: the first after 10 s of silence (MFW_PROBE_FIRST_MS),
# each next one after twice the silence before it, up to 60 s (the follow
# loop in userspace/mfw/follow.c).  The silence is counted from the end of
# the host's last wait, which the transcript does not show: the trigger's
# answer, or the question before, which the driver waits up to 5 s for.
# So each gap, from the module's last word or the question before, is the
# silence plus at most 10 s.  A question is what the host sends in one
# go: records less than 5 s apart.
backed_off() {
	set -- $(awk '
		$2 == "*" && $3 == "reboot" { quiet = last; n = 0; prev = "" }
		$2 == ">" { last = $1 }
		$2 == "<" && quiet != "" {
			if (prev == "" || $1 - prev >= 5) q[++n] = $1
			prev = $1
		}
		END {
			if (!n) { print "none"; exit }
			printf "%.1f", q[1] - quiet
			for (i = 2; i <= n; i++) printf " %.1f", q[i] - q[i - 1]
			print ""
		}' "$d/sim.log")
	echo "# $T: $name: questions after the reboot's silence, gaps: $*"
	why=
	[ $# -ge 2 ] || { why="wanted two questions or more after the reboot, got: $*"; return 1; }
	want=10 i=0
	for g in "$@"; do
		i=$((i + 1))
		awk -v g="$g" -v w="$want" 'BEGIN { exit !(g >= w - 0.5 && g <= w + 10) }' ||
			why="${why:+$why; }gap $i is $g s, not ${want} s (+10)"
		[ $i -eq 1 ] && want=20 || want=$((want * 2 > 60 ? 60 : want * 2))
	done
	[ -z "$why" ]
}

# family NAME FAMILY SUBMODEL [OPTION...]: one full upgrade of a simulated
# SUBMODEL, started with the simulator's OPTIONs; the case is called NAME.
family() {
	name=$1 fam=$2 sub=$3 new=$3-MBRH0S02
	shift 3
	t0=$(now_cs)
	export MFW_STATE_DIR="$d/state-${name%%.*}-$fam"
	rm -rf "$MFW_STATE_DIR" "$d/sim.state" "$d/sim.state.pkg"
	rm -f "$d/tty"
	if ! sim_start --model "$sub" --boot-ms 200 --flash-ms 300 "$@"; then
		not_ok "$name" "the simulator did not start"
		return
	fi
	t1=$(now_cs)
	if ! probe 3>&1 >>"$d/check.log" 2>&1; then
		not_ok "$name" "the module was not identified"
		return
	fi
	old=$fw
	t2=$(now_cs)
	how=
	case "$name: $paths " in
	remote.*" remote "*) ;;
	*" hex "* | *" transparent "*)
		how=image
		mkimage "$d/$fam.bin" "$new" 8
		timed upgrade mfw upgrade "$d/$fam.bin" --port "$d/tty" --timeout 120
		;;
	esac
	case "$how: $paths " in
	image:*) ;;
	*" remote "* | *" special "*)
		how=url
		if ! serve >>"$d/check.log" 2>&1; then
			not_ok "$name" "no web server on the loopback"
			return
		fi
		mkimage "$www/$fam.bin" "$new" 8
		# A download of 8 KiB on the loopback: 90 s bound a lost
		# report, which must be asked for long before: after 3 s of
		# silence (download_quiet), or in the *default_quiet cases
		# after the default 20 s.
		case $name in
		*default_quiet) printf 'download_timeout=90\n' ;;
		*) printf 'download_timeout=90\ndownload_quiet=3\n' ;;
		esac >"$d/download.conf"
		timed upgrade env MFW_CONFIG="$d/download.conf" mfw upgrade \
			--url "http://127.0.0.1:$HTTP_PORT/$fam.bin" \
			--port "$d/tty" --timeout 120
		;;
	*)
		not_ok "$name" "no known path in '$paths'"
		return
		;;
	esac
	end=$(epoch_cs)
	if [ $rc -ne 0 ]; then
		not_ok "$name" "mfw upgrade ($how, paths '$paths') exited $rc"
		return
	fi
	# What mfw said it ended on must be what the module runs.
	if ! grep -qx "mfw: done: $new" "$d/upgrade.log"; then
		not_ok "$name" "mfw upgrade ended on '$(grep '^mfw: done' "$d/upgrade.log")', not 'mfw: done: $new'"
		return
	fi
	if ! settled "$name" "$end"; then
		not_ok "$name" "$why"
		return
	fi
	case $name in
	*slow_first_boot)
		if ! backed_off "$name"; then
			not_ok "$name" "$why"
			return
		fi
		;;
	esac
	t3=$(now_cs)
	if ! probe "$new" 3>&1 >>"$d/check.log" 2>&1; then
		not_ok "$name" "the module does not run $new after the upgrade (was $old)"
		return
	fi
	t4=$(now_cs)
	mfw status >"$d/status.log" 2>&1
	if ! grep -q "^journal: done" "$d/status.log"; then
		not_ok "$name" "mfw status: $(grep '^journal' "$d/status.log")"
		return
	fi
	echo "# $T: $name ($sub, $how; paths: $paths): $old -> $new in $(($(now_cs) - t0)) cs (start $((t1 - t0)), probe $((t2 - t1)), upgrade $((t3 - t2)), re-attach $((t4 - t3)), status $(($(now_cs) - t4)))"
	ok "$name"
}

while read -r name fam sub opts; do
	# shellcheck disable=SC2086 # the options are words
	family "$name" "$fam" "$sub" $opts </dev/null
	sim_stop
	wait_for 10 eval '! mfw_port >/dev/null' ||
		echo "# $T: $name: the port is still there after the simulator stopped"
	# Each case's logs apart, so that a failure shows only its own.
	logs=$d/logs-$name
	mkdir -p "$logs"
	mv "$d"/*.log "$logs/" 2>/dev/null
	mv "$d/sim.state" "$d/sim.state.pkg" "$logs/" 2>/dev/null
done <"$d/cases"
if [ -n "$httpd" ]; then
	kill "$httpd" 2>/dev/null
	wait "$httpd" 2>/dev/null
fi
finish
