#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
#
# The full-system scenarios, run inside the Debian guest (systemd as PID 1,
# udevd, D-Bus, logind, polkit and ModemManager) by mfw-rig-payload from
# the payload disk that tests/system/run.sh made.  The guest boots three
# times in one QEMU process; /var/lib/mfw-system/phase says where we are:
#
#   install  set up the board, install mfw's packages (the helper and the
#            module prebuilt for this kernel), plug the simulated module
#            (USB gadget): udev attaches it; drop a package in the firmware
#            directory: the upgrade runs by itself.  During it, poweroff and
#            suspend are refused and ModemManager leaves the module alone.
#            Then a second package, and while the module flashes a root
#            "systemctl reboot --check-inhibitors=no".
#   reboot   the shutdown waited for the module: check that in the previous
#            boot's journal and the version it runs now.  Drop a third
#            package and ask the host for a hard reset mid-transfer.
#   reset    the module enumerates 15 s after mfw-resume.service started,
#            which waited for it and finished the job; Mender and
#            SWUpdate each install a package through mfw and fail one the
#            module refuses; "apt-get purge" leaves the file system as it
#            was before the packages.  Then the DKMS path: mfw-dkms
#            installs the module (DKMS builds it here, or loads the
#            archive the host built from the same sources), and its purge
#            leaves the file system as it was too.
#
# Verdicts go to /dev/ttyS1 (the host collects them) as "PASS|FAIL name";
# "mfw-system: reset" there asks the host to cut the power (QEMU ends at
# once and the host boots the disk again), and
# "mfw-system: done" ends the run.
set -u
P=$(cd "$(dirname "$0")" && pwd)
S=/var/lib/mfw-system
. "$P/guest-lib.sh"
exec 3>>/dev/ttyS1
phase=$(cat "$S/phase" 2>/dev/null || echo install)
say() { echo "mfw-system[$phase]: $*"; }
verdict() { echo "$1 $2" >&3; say "$1 $2${3:+ ($3)}"; }
# took WHAT SECONDS: say it, and hand it to the host's time table.
took() { echo "TIME $2 $1" >&3; say "$1 took $2 s"; }
failures=0
# check NAME COMMAND...: the verdict is the command's exit code; a failure
# shows what the command printed.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		verdict PASS "$name"
	else
		failures=$((failures + 1))
		verdict FAIL "$name" "$*"
		# The evidence goes to the console and, indented under the
		# verdict, to the host's report.
		printf '%s\n' "$out" | tail -n 60 | sed 's/^/    | /' | tee -a /dev/fd/3
	fi
}

phase_install() {
	say "setting up the board"
	check install/board-setup board_setup
	file_list >"$S/before.list"

	local kver t0=$SECONDS
	kver=$(uname -r)
	say "apt-get install mfw and mfw-modules-$kver"
	check install/packages apt_install "$P"/deb/mfw_*.deb "$P/deb/mfw-modules-${kver}_"*.deb
	took "apt-get install (helper, prebuilt module)" $((SECONDS - t0))
	check install/prebuilt-module sh -c \
		"dpkg -s mfw-modules-$kver | grep -qx 'Status: install ok installed' &&
		 modinfo -n mfw | grep -q '/$kver/updates/mfw.ko\$'"
	check install/board-configured board_configure
	check install/helper-and-man-page sh -c '/usr/sbin/mfw --help >/dev/null && ls /usr/share/man/man8/mfw.8*'
	check install/units-verify systemd-analyze verify --man=no \
		/usr/lib/systemd/system/mfw-attach@.service \
		/usr/lib/systemd/system/mfw-autoupgrade@.service \
		/usr/lib/systemd/system/mfw-upgrade@.service \
		/usr/lib/systemd/system/mfw-resume.service \
		/usr/lib/systemd/system/mfw-firmware@.path \
		/usr/lib/systemd/system/mfw-firmware@.service
	check install/resume-enabled systemctl is-enabled --quiet mfw-resume.service
	# A failed run in a unit: its error is in the journal at priority err.
	systemd-run --unit=mfw-logcheck --wait --collect --quiet \
		/usr/sbin/mfw upgrade /nonexistent-package.bin >/dev/null 2>&1
	check logs/errors-at-priority-err wait_for 20 sh -c \
		"journalctl -b -p err -u 'mfw-*' -o cat | grep -q 'mfw: error: .*nonexistent-package.bin'"

	say "plugging the module in"
	t0=$SECONDS
	systemctl start mfw-sim.service
	check plug/udev-attaches-the-port attached_runs "$V1"
	# The tty the module got (check runs its command in a subshell).
	TTY=$(at_tty || first_tty)
	upgrade_unit=mfw-autoupgrade@$TTY.service
	if [ "$(sim_layout)" = ml307r ]; then
		check plug/at-port-on-option-by-new-id on_option
	else
		verdict SKIP plug/at-port-on-option-by-new-id "$(uname -r) has no ECM gadget function: the module is two ACM functions"
	fi
	took "plug to attached and identified" $((SECONDS - t0))
	check plug/firmware-directory-watched wait_for 30 \
		systemctl is-active --quiet "mfw-firmware@$FAMILY.path"
	check plug/no-package-no-upgrade sh -c \
		"[ ! -e $JOURNAL ] && [ \"\$(systemctl show -P ActiveState $upgrade_unit)\" != activating ]"
	check mm/sees-the-module-before mm_sees_module_within 180
	check mm/identifies-the-module mm_identifies "$V1"
	# polkit (restarted by board_setup) has the test user's rule; on a
	# failure, logind's answer and the inhibitors in force are shown.
	check inhibit/poweroff-allowed-before wait_for 20 tester_can_poweroff

	say "dropping $V2 into $FWDIR"
	t0=$SECONDS
	drop_package "$V2"
	check auto/upgrade-starts-by-itself wait_for 60 test -e $JOURNAL
	check auto/run-by-the-upgrade-unit unit_running "$upgrade_unit"
	check inhibit/lock-held wait_for 30 sh -c \
		"systemd-inhibit --list --no-legend | grep mfw | grep -q block"
	check inhibit/poweroff-refused-unprivileged sh -c "
		runuser -u tester -- busctl call org.freedesktop.login1 /org/freedesktop/login1 \
			org.freedesktop.login1.Manager CanPowerOff | grep -vqx 's \"yes\"' &&
		! runuser -u tester -- systemctl poweroff"
	check inhibit/suspend-refused-unprivileged sh -c \
		"! runuser -u tester -- systemctl suspend"
	check inhibit/poweroff-refused-root refused_by_inhibitor poweroff
	check inhibit/suspend-refused-root refused_by_inhibitor suspend
	check mm/leaves-the-module-alone-during wait_for 30 mm_sees_nothing
	check auto/upgrade-succeeds wait_for 600 unit_done_ok "$upgrade_unit"
	took "automatic upgrade (package drop to new version)" $((SECONDS - t0))
	check auto/new-version-reported attached_runs "$V2"
	check auto/journal-cleared test ! -e $JOURNAL
	check inhibit/released sh -c "! systemd-inhibit --list --no-legend | grep -q mfw"
	check mm/sees-the-module-after mm_sees_module_within 180
	check mm/identifies-the-new-version mm_identifies "$V2"
	check auto/no-second-upgrade sh -c \
		"[ \$(journalctl -b -u $upgrade_unit -o cat | grep -c 'upgrading .* to $V2') = 1 ]"

	say "dropping $V3, then a root reboot while the module flashes"
	drop_package "$V3"
	check reboot/upgrade-starts wait_for 60 test -e $JOURNAL
	if wait_for 600 journal_phase_is flashing; then
		set_phase reboot
		took "boot phase install (after systemd was up)" $((SECONDS - t_phase))
		say "module flashing; systemctl reboot --check-inhibitors=no"
		systemctl reboot --check-inhibitors=no
		sleep infinity
	fi
	verdict FAIL reboot/module-flashing "journal phase: $(journal_phase)"
	journalctl -b -u "$upgrade_unit" --no-pager | tail -n 30
}

phase_reboot() {
	local log=$S/previous-boot.log
	journalctl -b -1 -o short-monotonic --no-pager \
		-u "$upgrade_unit" -u systemd-logind.service >"$log" 2>&1
	sed 's/^/    | /' "$log" | tail -n 40
	# Everything the shutdown said (on the console, and in a failure's
	# report below).
	journalctl -b -1 -o short-monotonic --no-pager >"$S/previous-boot-all.log" 2>&1
	sed -n '/System is rebooting/,$p' "$S/previous-boot-all.log" |
		grep -v 'mfw: writing ' | tail -n 300 | sed 's/^/    shutdown| /'
	check reboot/sigterm-deferred-while-flashing \
		grep -q "received while the module may be flashing" "$log"
	check reboot/upgrade-finished-before-the-reboot grep -q "done: $V3" "$log"
	check reboot/not-killed sh -c "! grep -Eq 'SIGKILL|Failed with result|timed out' '$log'"
	if [ "$failures" -gt 0 ]; then
		echo "    the previous boot from the reboot request on (all units):" >&3
		sed -n '/System is rebooting/,$p' "$S/previous-boot-all.log" |
			grep -v 'mfw: writing ' | tail -n 150 | sed 's/^/    | /' >&3
	fi
	check reboot/new-version-after-the-reboot attached_runs "$V3"

	# The upgrade unit the module's identification started finds nothing
	# newer than $V3 and ends.
	check reboot/nothing-newer-at-boot wait_for 120 sh -c \
		"[ \"\$(systemctl show -P ActiveState $upgrade_unit)\" != activating ] && [ ! -e $JOURNAL ]"
	say "dropping $V4, then a hard reset of the host mid-transfer"
	drop_package "$V4"
	check reset/upgrade-starts wait_for 60 test -e $JOURNAL
	if wait_for 300 transfer_quarter_done; then
		# After the reset the module enumerates 15 s after
		# mfw-resume.service started, as real ones come late after
		# power-on: the resume must wait for it.  And it comes back
		# with RNDIS, the real module's default network function,
		# instead of ECM (AT+MDIALUPCFG switches them).
		echo 15 >/var/lib/mfw-sim/enumerate-after
		echo rndis >/var/lib/mfw-sim/network
		set_phase reset
		took "boot phase reboot (after systemd was up)" $((SECONDS - t_phase))
		say "transfer at $(cat "$(port)/progress"); asking for a reset"
		echo "mfw-system: reset" >&3
		sleep infinity
	fi
	verdict FAIL reset/mid-transfer "journal phase $(journal_phase), progress $(cat "$(port)/progress" 2>/dev/null)"
}

# on_option_rndis: on_option for the tty the module has now, beside RNDIS.
on_option_rndis() {
	TTY=$(at_tty || first_tty)
	on_option rndis_host
}

phase_reset() {
	local log=$S/resume.log
	journalctl -b -o short-monotonic --no-pager -u mfw-resume.service >"$log" 2>&1
	sed 's/^/    | /' "$log" | tail -n 30
	check reset/resume-ran-at-boot unit_done_ok mfw-resume.service
	# The AT port beside RNDIS is option's by new_id as beside ECM, and
	# RNDIS keeps rndis_host.
	if [ "$(sim_layout)" = ml307r-rndis ]; then
		check plug/at-port-on-option-by-new-id-rndis on_option_rndis
	else
		verdict SKIP plug/at-port-on-option-by-new-id-rndis "$(uname -r) has no RNDIS gadget function: layout $(sim_layout)"
	fi
	check reset/resume-waited-for-the-module grep -q "is not there yet" "$log"
	check reset/resume-finished-the-job grep -q "done: $V4" "$log"
	# The resumed upgrade holds ModemManager off the module as a fresh
	# one does: mfw says so, and ModemManager set the inhibition up for
	# the module's uid in this boot (mfw's uid, not another).
	check mm/resume-inhibits-the-module resume_inhibited "$log"
	check reset/new-version attached_runs "$V4"
	check reset/journal-cleared test ! -e $JOURNAL
	check mm/sees-the-module-at-the-end mm_sees_module_within 180

	phase_fleet

	say "apt-get purge mfw mfw-modules-$(uname -r)"
	systemctl stop mfw-sim.service
	check uninstall/purge apt_purge mfw "mfw-modules-$(uname -r)"
	file_list >"$S/after.list"
	check uninstall/leaves-a-clean-system diff -u "$S/before.list" "$S/after.list"
	# (a package's removal leaves a loaded module loaded, as Debian's do;
	# with the units stopped nothing holds it)
	check uninstall/module-gone sh -c "! modinfo mfw && { ! grep -q '^mfw ' /proc/modules || rmmod mfw; }"

	phase_dkms

	# Leaks of the whole run, the module's included (it was unloaded):
	# two scans past kmemleak's minimum object age.
	# Only a kernel built with kmemleak can say (the debug kernel).
	local k=/sys/kernel/debug/kmemleak
	[ -e $k ] || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
	if [ -e $k ]; then
		check kernel/no-kmemleak-reports kmemleak_clean
	elif [ "$KERNEL_KIND" = debug ]; then
		failures=$((failures + 1))
		verdict FAIL kernel/no-kmemleak-reports "the debug kernel has no $k: is debugfs or kmemleak off?"
	else
		verdict SKIP kernel/no-kmemleak-reports "$(uname -r) has no kmemleak (make soak runs this on the debug kernel)"
	fi
}

# No upgrade under way (no journal; the automatic upgrade the last
# identification started, on the tty the module has now, has ended, and
# no uevent or unit job that would start one is still queued) and
# ModemManager done probing the module after its reboot: mfw waits for
# that only mm_wait (30 s), and under TCG a probe can take longer.
quiet() {
	local t
	t=$(at_tty) || return 1
	udevadm settle --timeout=10 &&
		! systemctl list-jobs --no-legend | grep -q ' mfw-' &&
		[ ! -e $JOURNAL ] && ! unit_running "mfw-autoupgrade@$t.service" && mm_sees_module
}
# engine LIMIT COMMAND...: run a fleet engine's command with its output in
# $S/fleet.log, for at most LIMIT seconds.  When it fails, the end of its
# output; when it outlasts LIMIT, first the processes and the kernel
# stacks of mfw and the engine as they were (where it hung), then it is
# killed.
engine() {
	local limit=$1 pid rc n=0 p
	shift
	"$@" >$S/fleet.log 2>&1 &
	pid=$!
	while kill -0 $pid 2>/dev/null && [ $n -lt "$limit" ]; do
		sleep 1
		n=$((n + 1))
	done
	if kill -0 $pid 2>/dev/null; then
		echo "$1 still ran after $limit s:"
		ps axfo pid,stat,wchan:28,etime,args | grep -v ' \[' | tail -n 25
		for p in $(pgrep -f '^(/usr/sbin/mfw|mender|swupdate)'); do
			echo "== $p: $(tr '\0' ' ' </proc/$p/cmdline)"
			head -n 8 /proc/$p/stack 2>/dev/null
		done
		kill $pid
	fi
	wait $pid
	rc=$?
	# mfw's own lines first (a report shows a failure's first lines),
	# then the engine's last ones, without its list of handlers.
	if [ $rc != 0 ]; then
		if [ $rc -gt 128 ] && [ $rc -lt 160 ]; then
			echo "$1 exited $rc: killed by SIG$(kill -l $((rc - 128)))"
		else
			echo "$1 exited $rc"
		fi
		# A crash or a kill the kernel saw (segfault, trap, OOM).
		dmesg | grep -aiE 'segfault|traps:|killed process|out of memory' | tail -n 5
		grep -E 'mfw|ERROR' $S/fleet.log | grep -Ev '\[TRACE\]|print_registered_handlers' | tail -n 15
		echo "-- the end of its output (its traces included):"
		grep -v print_registered_handlers $S/fleet.log | tail -n 40
		echo "-- the automatic upgrade units meanwhile:"
		journalctl -b -o short-monotonic --no-pager -n 15 -u 'mfw-autoupgrade@*'
	fi
	[ $n -lt "$limit" ] && return $rc
	return 124
}
# engine_refuses LIMIT COMMAND...: the command fails, bounded, and mfw's
# error is in its output, not one about the lock (then it failed before
# the module saw the package).
engine_refuses() {
	local rc
	engine "$@"
	rc=$?
	[ $rc != 0 ] && [ $rc != 124 ] && grep -q 'mfw: error:' $S/fleet.log &&
		! grep -q 'mfw: error: another mfw upgrade' $S/fleet.log && return 0
	# (engine shows the output and the automatic upgrade units of a run
	# that failed, not of one that passed)
	if [ $rc = 0 ]; then
		echo "$2 exited 0; the end of its output:"
		grep -v print_registered_handlers $S/fleet.log | tail -n 40
		echo "-- the automatic upgrade units meanwhile:"
		journalctl -b -o short-monotonic --no-pager -n 15 -u 'mfw-autoupgrade@*'
	fi
	echo "-- mfw processes now (an mfw that outlived $2 names its parent):"
	ps -o pid,ppid,lstart,args -C mfw || echo "(none)"
	return 1
}

# The fleet engines, standalone as a board without a server runs them:
# Mender's update module and SWUpdate's handler install $V5 and $V6, and
# fail the update when the module refuses $V7 (which leaves it at $V6).
phase_fleet() {
	local t0 n
	say "Mender: mender install $V5.mender"
	check fleet/quiet-before-mender wait_for 240 quiet
	t0=$SECONDS
	check fleet/mender-installs engine 600 mender --no-syslog install "$P/pkg/$V5.mender"
	took "mender install (artifact to new version)" $((SECONDS - t0))
	check fleet/mender-new-version attached_runs "$V5"
	check fleet/mender-names-the-artifact sh -c \
		"mender --no-syslog show-artifact 2>/dev/null | grep -qx mfw-$V5"
	# committed by the install: nothing left to commit (exit status 2)
	check fleet/mender-committed sh -c \
		"mender --no-syslog commit >$S/commit.log 2>&1; [ \$? = 2 ] && grep -q 'nothing to commit' $S/commit.log"
	check fleet/quiet-before-mender-refusal wait_for 240 quiet
	check fleet/mender-fails-a-refused-package \
		engine_refuses 600 mender --no-syslog install "$P/pkg/$V7.mender"
	check fleet/mender-refusal-keeps-the-version attached_runs "$V5"

	say "SWUpdate: swupdate -i $V6.swu"
	check fleet/quiet-before-swupdate wait_for 240 quiet
	t0=$SECONDS
	# Its progress interface, as a fleet's agent reads it.
	timeout 700 swupdate-progress -w >$S/progress.log 2>&1 &
	n=$!
	check fleet/swupdate-installs engine 600 swupdate -v -k /etc/swupdate/swupdate.crt -i "$P/pkg/$V6.swu"
	took "swupdate -i (.swu to new version)" $((SECONDS - t0))
	sleep 1
	kill $n 2>/dev/null
	wait $n 2>/dev/null
	check fleet/swupdate-new-version attached_runs "$V6"
	# mfw's own progress: after SWUpdate's copy of the package (its step
	# at 100 %), a value between 0 and 100 again.
	check fleet/swupdate-progress-reported sh -c \
		"tr '\r' '\n' <$S/progress.log | grep -F '($V6.bin)' | sed -n '/ 100% /,\$p' |
		grep -Eq '\] [0-9]+ of [0-9]+ ([1-9]|[1-9][0-9])% ' ||
		{ tr '\r' '\n' <$S/progress.log | grep -F '($V6.bin)' | tail -n 8; exit 1; }"
	check fleet/quiet-before-swupdate-refusal wait_for 240 quiet
	check fleet/swupdate-fails-a-refused-package \
		engine_refuses 600 swupdate -v -k /etc/swupdate/swupdate.crt -i "$P/pkg/$V7.swu"
	check fleet/swupdate-refusal-keeps-the-version attached_runs "$V6"
	check fleet/quiet-after wait_for 240 quiet
}

# The module from mfw-dkms, on the board with nothing of mfw's left.
# DKMS builds it against the kernel's build tree (the headers, over 9p),
# unless the host put an archive of it in the payload: DKMS built that
# with the same dkms and compiler, from the same mfw-dkms package, for
# this kernel, and this guest's build of it passed before
# (tests/system/run.sh, its cache).  The package's postinst loads such an
# archive from /usr/share/mfw-dkms, dkms's place for prebuilt modules
# (/usr/lib/dkms/common.postinst), instead of building.
phase_dkms() {
	local kver t0=$SECONDS prebuilt=$P/deb/mfw-dkms.tar.gz archive ver log=$S/mfw-dkms-install.log
	kver=$(uname -r)
	# (dkms's version of the module: the directory the package gives it)
	ver=$(dpkg-deb -c "$P"/deb/mfw-dkms_*.deb | sed -n 's|.* \./usr/src/mfw-\([^/]*\)/$|\1|p')
	archive=/usr/share/mfw-dkms/mfw-$ver.dkms.tar.gz
	# (dkms builds only for a kernel whose build tree has include/)
	check dkms/kernel-build-tree eval 'kbuild_share && test -e "/lib/modules/$kver/build/include"'
	if [ -f "$prebuilt" ]; then
		say "apt-get install mfw-dkms (DKMS loads the module the host built)"
		install -D -m 0644 "$prebuilt" "$archive"
	else
		say "apt-get install mfw-dkms (DKMS builds the module here)"
	fi
	check dkms/package-installs-the-module eval \
		'apt_install "$P"/deb/mfw-dkms_*.deb >"$log" 2>&1 || { tail -n 40 "$log"; false; }'
	if [ -f "$prebuilt" ]; then
		took "apt-get install mfw-dkms (archive)" $((SECONDS - t0))
	else
		took "apt-get install mfw-dkms (DKMS build)" $((SECONDS - t0))
		# The host's cache keeps this verdict for the same inputs.
		# (common.postinst says "Done." after a build that worked)
		check dkms/built-on-the-board sh -c \
			"sed -n '/^Building initial module for $kver/,\$p' $log | grep -q '^Done\.' ||
			 { tail -n 30 $log; exit 1; }"
	fi
	check dkms/module-installed sh -c \
		"dkms status -m mfw -k $kver | grep -q ': installed' &&
		 modinfo -n mfw | grep -q '/$kver/updates/dkms/mfw.ko\$'"
	check dkms/module-loads sh -c "modprobe mfw && grep -q '^mfw ' /proc/modules && modprobe -r mfw"
	check dkms/purge apt_purge mfw-dkms
	rm -f "$archive"
	rmdir /usr/share/mfw-dkms 2>/dev/null
	file_list >"$S/after-dkms.list"
	check dkms/purge-leaves-a-clean-system diff -u "$S/before.list" "$S/after-dkms.list"
}

kmemleak_clean() {
	local k=/sys/kernel/debug/kmemleak
	echo scan >$k && sleep 6 && echo scan >$k || return 1
	[ -z "$(cat $k)" ] || { head -n 60 $k; return 1; }
}

t_phase=$SECONDS
case $phase in
install) phase_install ;;
reboot) phase_reboot ;;
reset) phase_reset ;;
esac
took "boot phase $phase (after systemd was up)" $((SECONDS - t_phase))
say "done ($failures failures in this boot)"
echo "mfw-system: done" >&3
