#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make check: install what is missing, build everything and run every test,
# host-side and in QEMU on the rig's kernels.  Ends with a table of where the
# time went, then one line "N passed, N failed" (skips are counted on the
# line before it); exits non-zero on any failure.
#
# The guests run in four lanes side by side (Documentation/mfw/testing.rst,
# "Time"), the host's tests beside them: the debug kernel's selftests and
# splat gate in lane A; the full-system guest (on the stock kernel) in
# lane B; the stock kernel's selftests, helper scripts and splat gate in
# lane C; the arm64 and armhf guests and the matrix's kernels (5.10, 6.12)
# in lane D.  Lanes A and B then share out a pool: the debug kernel's two
# helper guests.  The debug kernel and
# the full-system guest's root file system, built once per cache, are
# built in the background while the host tests and the stock kernel's
# guests run; the kernel from as soon as the packages its
# build needs are in, before the others.
#
# Environment: MFW_CACHE, MFW_OUT (tests/vm/lib.sh); MFW_FUZZ_SECONDS
# (default 30); MFW_CYCLES (attach/unplug cycles per transport in
# mfw_life_test, default 30; "make soak" runs the full count);
# MFW_LANES=1 runs the lanes one after the other.
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/vm/lib.sh
. tests/ledger.sh

# The time table has a line per section, per background build and per
# guest, and per program inside a guest (from tests/vm/run-vm.sh).
ledger_init "$MFW_OUT"

# --- dependencies, and the one-time builds in the background ---------------
section "dependencies: Debian packages (scripts/install-deps.sh)"
# deps_failed STEP: stop the run when STEP could not install its packages.
deps_failed() {
	grep -q "^FAIL $1\$" "$ledger" || return 1
	echo "make check: the Debian packages above could not be installed; nothing can be built without them"
	summary
	exit 1
}
# What the debug kernel's build needs comes first: on a fresh machine
# that build is the longest single job, and it starts while the rest of
# the packages install.
step build/deps-debug-kernel scripts/install-deps.sh --debug-kernel
deps_failed build/deps-debug-kernel
# The debug kernel (several minutes when its cache entry is new) and the
# full-system guest's root file system are not needed before the guests.
# The kernel build runs at a normal priority: lane A waits for it, so on a
# cold run it is the longest path.  At the lowest priority it got almost
# nothing beside lanes B and C and the host's tests, and one cold run
# killed it at the 3600 s bound.  Each build leaves its exit code in
# $lanes/NAME.rc; await NAME waits for that file.
prebuild() {
	local name=$1 t0=$SECONDS rc
	shift
	# A bound on a hung build (a stalled download, say), far above the
	# quarter of an hour a cold debug kernel takes on two slow cores.
	timeout --kill-after=10 3600 "$@" >/dev/null 2>"$logs/build_$name.log"
	rc=$?
	[ $rc != 124 ] || echo "killed after 3600 s" >>"$logs/build_$name.log"
	echo "$((SECONDS - t0)) build $name (${each:-once per cache entry})" >>"$MFW_TIMES"
	echo $rc >"$lanes/$name.rc"
}
await() {
	local n=0
	# prebuild always leaves the file; the bound covers a build that died
	# with its shell.
	while [ ! -s "$lanes/$1.rc" ] && [ $n -lt 3700 ]; do
		sleep 1
		n=$((n + 1))
	done
	[ -s "$lanes/$1.rc" ] || echo "no word from the $1 build after $n s" >"$lanes/$1.rc"
	[ "$(cat "$lanes/$1.rc")" = 0 ] && return 0
	[ ! -f "$logs/build_$1.log" ] || tail -n 40 "$logs/build_$1.log" | sed 's/^/    | /'
	return 1
}
# The debug kernel's module build (W=1, a gate like the stock one) follows
# the kernel at once, so that neither lane waits for the other to make it.
# The guests take a copy of the module (guest-mfw-debug.ko), made even when
# the W=1 gate fails on a warning: the debug kernel's tests and splat gate
# still run.  debug-module.rc says whether there is one.
{
	prebuild debug-kernel tests/vm/build-debug-kernel.sh
	rm -f "$MFW_OUT/kmod-debug/mfw.ko" "$MFW_OUT/guest-mfw-debug.ko"
	if [ "$(cat "$lanes/debug-kernel.rc")" = 0 ]; then
		prebuild module-debug-W1 tests/vm/build-module.sh debug
	else
		echo "the debug kernel did not build" >"$logs/build_module-debug-W1.log"
		echo 1 >"$lanes/module-debug-W1.rc"
	fi
	cp "$MFW_OUT/kmod-debug/mfw.ko" "$MFW_OUT/guest-mfw-debug.ko" 2>/dev/null
	echo $? >"$lanes/debug-module.rc"
} &
step build/deps scripts/install-deps.sh
grep -q '^FAIL build/deps$' "$ledger" && stop_all
deps_failed build/deps
prebuild rootfs tests/vm/build-rootfs.sh &
# The Debian packages (debian/), lintian-clean, with the prebuilt module
# for the stock kernel, the full-system guest's: it installs and purges
# them.  Their build skips the Meson tests (nocheck): the ASan build below
# runs them.  At the lowest priority, beside the host's tests.
stock_kver=$(kernel_info stock && echo "$KVER")
each="every run" prebuild debian-packages nice -n 19 env DEB_BUILD_OPTIONS=nocheck KVERS="$stock_kver" \
	sh -c 'tests/style/debian.sh "$1" >&2' sh "$MFW_OUT/debian" &
# verdict NAME: the ledger's line for a background build, once it ended.
verdict() {
	if await "$1" >"$lanes/$1.why"; then
		record PASS "build/$1"
	else
		record FAIL "build/$1"
		cat "$lanes/$1.why"
	fi
}

# --- what the guests run ----------------------------------------------------
section "builds for the guests: userspace release build, the module with W=1 for stock, $MFW_KERNELS_MATRIX, kselftests"
step build/userspace sh -c '
	{ [ -f build/build.ninja ] || meson setup build; } &&
	meson configure build -Dwerror=true && meson compile -C build'
# The helper once more against libgpiod 2.x: Debian 13's, static, built
# into the cache once (scripts/build-libgpiod2.sh); its GPIO backend is
# gpio_v2.c.  The guests have it as /opt/gpiod2/bin/mfw.
step build/userspace-gpiod2 sh -c '
	p=$(nice -n 19 scripts/build-libgpiod2.sh) &&
	{ [ -f build-gpiod2/build.ninja ] ||
	  meson setup build-gpiod2 -Dpkg_config_path="$p/lib/pkgconfig"; } &&
	meson configure build-gpiod2 -Dwerror=true -Dpkg_config_path="$p/lib/pkgconfig" &&
	meson compile -C build-gpiod2 mfw'
# The stock kernel and the matrix's (tests/vm/lib.sh): 5.10 is fetched
# into the cache the first time (tests/vm/fetch-kernel.sh).  Each guest
# takes its own copy of the module: sparse rebuilds kmod-stock while they
# boot.
for k in stock $MFW_KERNELS_MATRIX; do
	rm -f "$MFW_OUT/kmod-$k/mfw.ko" "$MFW_OUT/guest-mfw-$k.ko"
	step "build/module-$k-W1" tests/vm/build-module.sh "$k"
	cp "$MFW_OUT/kmod-$k/mfw.ko" "$MFW_OUT/guest-mfw-$k.ko" 2>/dev/null
done
ksft=$(kselftest_headers)
step build/kselftests make -s -C tests/kselftest KSFT_INC="$ksft" OUT="$MFW_OUT/bin"
step build/bench make -s -C tests/bench OUT="$MFW_OUT/bench-bin"

# --- kernel tests in QEMU ------------------------------------------------
sim=build/userspace/modemsim/mfw-modemsim
helper=build/userspace/mfw/mfw
guest_files=("$MFW_OUT"/bin/* tests/vm/guest/mfw-gadget)
[ -x "$sim" ] && guest_files+=("$sim")
[ -x "$helper" ] && guest_files+=("$helper" tests/kselftest/mfw_helper_*.sh)
gpiod2=build-gpiod2/userspace/mfw/mfw
[ -x "$gpiod2" ] && guest_files+=("$gpiod2=/opt/gpiod2/bin/mfw")
# The kernel selftests, in one list; mfw_life_test's cycles are set below.
# Limits bound a hang, not an expected duration: the debug kernel under
# TCG runs several times slower than the stock one, and a machine may be
# twice as slow again.
ktests=$MFW_OUT/guest-tests-kernel
: >"$ktests"
for t in "$MFW_OUT"/bin/*; do
	echo "$(basename "$t") 1800 $(basename "$t")" >>"$ktests"
done
# The helper's guest scripts, in a second list.  The GPIO script runs
# where gpio-sim is, on the debug kernel, in a guest of two vCPUs (below):
# its module is a shell loop polling the lines, which must see mfw's 0.4 s
# RESET pulse.  On one vCPU, sharing it with mfw on the debug kernel, the
# loop's turn grew to 0.55 s and missed the pulse.
htests=$MFW_OUT/guest-tests-helper
echo "mfw_helper 600 mfw_helper_test.sh" >"$htests"
echo "mfw_helper_gpio 600 mfw_helper_gpio.sh" >>"$htests"
for t in power tamper usb refuse share two twins; do
	echo "mfw_helper_$t 600 mfw_helper_$t.sh" >>"$htests"
done
# Three kills and resumes of a 70 KiB write at 115200 baud
echo "mfw_helper_resume 900 mfw_helper_resume.sh" >>"$htests"
# A full upgrade through mfw for every family of the capability table
echo "mfw_helper_families 900 mfw_helper_families.sh" >>"$htests"
# The gpio and power scripts once more, with the helper built against
# libgpiod 2.x first on PATH (results mfw_helper_*_gpiod2): gpio-sim is
# on the debug kernel only, so they run in its helper-others guest.
if [ -x "$gpiod2" ]; then
	for t in gpio power; do
		echo "mfw_helper_${t}_gpiod2 600 PATH=/opt/gpiod2/bin:\$PATH mfw_helper_$t.sh" >>"$htests"
	done
fi
# On the debug kernel the list is two guests, which ever lane is free
# takes (see the lanes below): the families and GPIO scripts, and the
# rest.
grep -E '^mfw_helper_(families|gpio) ' "$htests" >"$htests-families"
grep -vE '^mfw_helper_(families|gpio) ' "$htests" >"$htests-others"
# Enough cycles to catch a lifetime bug on both transports (a third of
# them detaches, the rest unplugs or hangups); "make soak" runs 200.
cycles=${MFW_CYCLES:-30}

# selftests KERNEL NAME LIST [VCPUS]: one guest running LIST on KERNEL,
# with VCPUS virtual CPUs (default 2).
# The C selftests on the two 6.1 kernels also get the module bench
# (tests/vm/uart-bench.py): a simulator on the host serving the guest's
# ttyS1 at 115200 baud, for mfw_uart_test and mfw_lane_test over the
# real 8250 driver; elsewhere those cases skip.
selftests() {
	MFW_VM_UART_BENCH=$(case $1-$2 in stock-selftests | debug-selftests) echo "$PWD/$sim" ;; esac) \
	MFW_VM_CPUS=${4:-2} MFW_VM_TIMEOUT=2700 MFW_MODULE=$MFW_OUT/guest-mfw-$1.ko \
		MFW_GUEST_ENV="export MFW_CYCLES=$cycles ${guest_env:-}" \
		tests/vm/run-vm.sh "$1" "$2" "$3" "${guest_files[@]}"
}
# helpers KERNEL: the helper's scripts on KERNEL.  On the stock kernel
# one vCPU: the guest runs beside the debug selftests, which are on the
# critical path, and its second vCPU bought little (274 s wall, 146 s CPU
# on two; 336 s, 106 s on one).  On the debug kernel two: on one vCPU the
# guest took 1068 s instead of 884 s, most of it alone at the end of the
# run with a core idle.
# On the debug kernel the families script takes one family of each kind
# (MFW_FAMILIES=kinds): the rest repeat the same kernel paths; they all
# run on the stock kernel here and on the debug kernel in "make soak".
# helpers KERNEL [PART]: PART (families, others) of the list, or all of it.
helpers() {
	guest_env=$([ "$1" = stock ] || echo MFW_FAMILIES=kinds) \
		selftests "$1" "helper${2:+-$2}" "$htests${2:+-$2}" \
		"$([ "$1" = stock ] && echo 1 || echo 2)"
}
# claim JOB: true for the first lane to ask, false for the other.  The
# guests of the pool below go to whichever of lanes A and B is free: on a
# warm cache lane B takes one after the full-system guest and lane A the
# other after the debug selftests, instead of lane B idling while lane A
# runs them all; on a cold one lane B, which waits for the debug kernel
# too, may take both while lane A runs the debug selftests.
claim() {
	mkdir "$lanes/claim-$1" 2>/dev/null
}
# matrix KERNEL: the kernel selftests on one of the matrix's kernels
# (Debian's 5.10 and 6.12 images and modules), if its module built.
matrix() {
	if [ ! -f "$MFW_OUT/guest-mfw-$1.ko" ]; then
		echo "FAIL $1/selftests: no module for the $1 kernel (build/module-$1-W1 above)"
		return 0
	fi
	# One vCPU: a light lane's guest beside lanes of two; the races run
	# on two vCPUs on the stock and debug kernels.
	selftests "$1" selftests "$ktests" 1
}
# pool: run each guest of the pool no other lane has claimed, longest
# first (the debug kernel's two helper guests), once the debug module is
# there.
pool() {
	local job
	for job in debug-helper-others debug-helper-families; do
		await debug-module >/dev/null || continue
		claim "$job" || continue
		helpers debug "${job#debug-helper-}"
	done
}
# The full-system guest boots Debian's kernel (MFW_SYSTEM_KERNEL=debug
# boots the debug kernel, as "make soak" does).
system_guest() {
	await rootfs >/dev/null && await debian-packages >/dev/null &&
		{ [ "${MFW_SYSTEM_KERNEL:-stock}" != debug ] || await debug-module >/dev/null; } || {
		echo "FAIL system/guest-started: a build it needs failed (build/rootfs, build/debian-packages or build/debug-kernel below)"
		return 1
	}
	tests/system/run.sh
}

# The rig's self-test on KERNEL: a planted splat must fail a run.  A short
# guest that boots, warns (and on the debug kernel, the only one with
# kmemleak, also leaks: both kinds must be in the checker's report) and
# powers off, in the lane of its kernel.  The planted module is built in a
# directory of its own per kernel, since several lanes build one.
splat_gate() {
	local k=$1 dir=$MFW_OUT/splat-src-$1 plant=warn expect=1
	echo "noop 10 true" >"$MFW_OUT/noop-tests-$k"
	rm -rf "$dir" "$MFW_OUT/splat-$k.ko"
	cp -r tests/vm/splat "$dir"
	# shellcheck disable=SC2086 # KMAKE_ARGS: words
	if ! (kernel_info "$k" && make -s -C "$KDIR" M="$dir" $KMAKE_ARGS modules) >"$logs/splat-$k.log" 2>&1; then
		echo "FAIL rig/$k: build planted-splat module (log: $logs/splat-$k.log)"
		return 1
	fi
	cp "$dir/mfw_splat_test.ko" "$MFW_OUT/splat-$k.ko"
	if [ "$k" = debug ]; then
		plant=warn-leak
		expect=$(printf '%s\n' 'WARNING: .* mfw_splat_init' \
			'unreferenced object 0x[0-9a-f]+ \(size 1024\)')
	fi
	MFW_EXPECT_SPLAT=$expect MFW_EXTRA_MODULES="$MFW_OUT/splat-$k.ko$([ $plant = warn ] || echo :leak=1)" \
		tests/vm/run-vm.sh "$k" "splat-$plant" "$MFW_OUT/noop-tests-$k"
}

# Two heavy lanes side by side, and two light ones, all from the start.
# A debug-kernel guest running the selftests keeps about three quarters
# of a core busy, in bursts on both its vCPUs (KASAN and lockdep under
# TCG), and so does the full-system guest on the stock kernel; a stock
# one running the selftests about a quarter.  Lane A: the C selftests on the debug kernel
# (once it is built), then its share of the pool, then the debug splat
# gate.  Lane B: the full-system guest, then the guests of the pool lane A
# has not taken (claim).  Lanes C and D (below) run the light guests one
# after another.  Every guest but the debug kernel's runs at nice 5
# (tests/vm/run-vm.sh), so the other lanes yield to lane A and to the
# host's tests, which run at the normal priority.  At most two debug
# guests run at a time, one in each heavy lane: three at once slowed each
# other threefold and failed timed cases; the full-system guest on the
# debug kernel beside a debug lane starved both, so with
# MFW_SYSTEM_KERNEL=debug it runs after the lanes.
lane_a() {
	if await debug-module >/dev/null; then
		selftests debug selftests "$ktests"
		pool
		splat_gate debug
	else
		pool
	fi
	return 0
}
# On a cold cache the debug kernel still builds when the lanes start
# (about 750 s at the normal priority), and the full-system guest, at
# nice 5 beside it, would have a fraction of a core for its own timed
# checks and its DKMS build.  Then lane B runs the stock selftests first
# and starts the full-system guest after them, as the one measured cold
# run did; on a warm one lane C runs them.  Decided once, before the
# lanes start (stock_in_b).
lane_b() {
	[ "$stock_in_b" = 0 ] || selftests stock selftests "$ktests"
	[ "${MFW_SYSTEM_KERNEL:-stock}" = debug ] || system_guest
	pool
	return 0
}
# Lane C: the stock kernel's guests, light (nice 5, mostly waiting for
# the line rate and the simulated module's clock): its selftests on two
# vCPUs (unless lane B runs them), the helper's scripts on one, its splat
# gate.
lane_c() {
	[ "$stock_in_b" = 1 ] || selftests stock selftests "$ktests"
	helpers stock
	splat_gate stock
	return 0
}
# lane_step NAME COMMAND...: step (tests/ledger.sh) for a lane, whose
# verdicts go to the ledger when the lane is joined.
lane_step() {
	local name=$1 log=$logs/${1//\//_}.log
	shift
	if "$@" >"$log" 2>&1; then
		echo "PASS $name"
	else
		echo "FAIL $name"
		tail -n 40 "$log" | sed 's/^/    | /'
		return 1
	fi
}
# arm_build ARCH, arm_run ARCH: the guest of Debian 12's ARCH (arm64,
# armhf) kernel (fetched into the cache the first time,
# tests/vm/fetch-kernel.sh) on QEMU's virt board with the module's device
# tree overlay, the module on the board's PL011 behind the bench (the
# host's simulator at 115200 baud).  The module is cross-compiled with W=1
# against that kernel's headers, the tests statically (all of them, a
# 32-bit build's warnings included; the guest runs mfw_uart_test), and the
# whole userspace with Meson's cross files (cross/debian-ARCH.ini,
# cross/debian.ini) against a sysroot of Debian's ARCH packages
# (tests/vm/fetch-sysroot.sh), warnings as errors; the guest runs that
# build's mfw.  arm_build makes the files and lists them in
# $MFW_OUT/guest-files-ARCH (none if the module or the tests did not
# build; without the userspace the guest runs without mfw); arm_run boots
# the guest with them.  The builds run at the lowest priority, one job at
# a time: the other lanes run timed guests meanwhile.
arm_build() {
	local a=$1 bin=$MFW_OUT/bin-$1 sr b=$MFW_OUT/build-$1 cc
	local files=$MFW_OUT/guest-files-$1
	cc=$(kernel_info "$a" && echo "$KTRIPLE-gcc") || cc=false
	# lane_d removed the guest's files before the builds began.
	rm -f "$MFW_OUT/kmod-$a/mfw.ko"
	lane_step "build/module-$a-W1" nice -n 19 tests/vm/build-module.sh "$a" &&
		cp "$MFW_OUT/kmod-$a/mfw.ko" "$MFW_OUT/guest-mfw-$a.ko" &&
		lane_step "build/kselftests-$a" nice -n 19 make -s -C tests/kselftest \
			KSFT_INC="$ksft" OUT="$bin" CC="$cc" LDFLAGS=-static || return 0
	printf '%s\n' "$bin/mfw_uart_test" tests/kselftest/mfw_board_of.sh \
		udev/mfw-of-modem >"$files.tmp"
	# A new build directory each run: the sysroot's entry may have moved.
	rm -rf "$b"
	if lane_step "build/sysroot-$a" tests/vm/fetch-sysroot.sh "bookworm-$a" &&
		sr=$(tests/vm/fetch-sysroot.sh "bookworm-$a" 2>/dev/null) &&
		lane_step "build/userspace-$a" nice -n 19 sh -c '
			meson setup "$2" --cross-file "$1/sysroot.ini" \
				--cross-file "cross/debian-$3.ini" \
				--cross-file cross/debian.ini -Dwerror=true &&
			meson compile -C "$2" -j 1' sh "$sr" "$b" "$a"; then
		echo "$b/userspace/mfw/mfw" >>"$files.tmp"
		echo "$sr/root" >"$files.sysroot"
	fi
	mv "$files.tmp" "$files"
}
# arm_run ARCH: the guest arm_build made the files for, then ARCH's splat
# gate.
arm_run() {
	local a=$1 list=$MFW_OUT/guest-tests-$1 files=() sr=
	if [ -s "$MFW_OUT/guest-files-$a" ]; then
		mapfile -t files <"$MFW_OUT/guest-files-$a"
		[ ! -s "$MFW_OUT/guest-files-$a.sysroot" ] ||
			sr=$(cat "$MFW_OUT/guest-files-$a.sysroot")
		printf '%s\n' "mfw_board_of 120 mfw_board_of.sh" \
			"mfw_uart_test 1200 mfw_uart_test" >"$list"
		MFW_SYSROOT=$sr MFW_VM_UART_BENCH=$PWD/$sim MFW_VM_CPUS=1 \
			MFW_VM_TIMEOUT=1800 MFW_MODULE=$MFW_OUT/guest-mfw-$a.ko \
			tests/vm/run-vm.sh "$a" selftests "$list" "${files[@]}"
	else
		echo "FAIL $a/selftests: no module or no test programs for the $a guest (build/*-$a above)"
	fi
	# The gate needs neither.
	MFW_VM_CPUS=1 splat_gate "$a"
}
# Lane D: the other light guests, on one vCPU each: the matrix's kernels,
# then the arm64 and armhf guests.  Their builds run meanwhile, one job at
# a time at nice 19, on what the other lanes leave of the cores: before
# the guests in the lane, they held it up for about 440 s of a warm run.
# The builds' verdicts go to a file of their own, shown after them: the
# matrix's guests write their results to the lane's output meanwhile.
# Nothing of an earlier run may stand in for a build that did not happen.
lane_d() {
	local k builds out=$lanes/d-builds.out
	for k in arm64 armhf; do
		rm -f "$MFW_OUT/guest-mfw-$k.ko" "$MFW_OUT/guest-files-$k" \
			"$MFW_OUT/guest-files-$k.sysroot" "$MFW_OUT/guest-files-$k.tmp"
	done
	(for k in arm64 armhf; do arm_build "$k"; done) >"$out" 2>&1 &
	builds=$!
	for k in $MFW_KERNELS_MATRIX; do
		matrix "$k"
	done
	wait $builds || echo "FAIL build/arm: the Arm guests' builds ended early (exit $?)"
	cat "$out"
	for k in arm64 armhf; do
		arm_run "$k"
	done
	return 0
}
# A lane returns 0 once it has run its last guest: anything else means
# it died on the way, and the guests after that point never ran.
join_lane() {
	join "$1" || record FAIL "lane/$1: ended before its last guest (its output is above)"
}
# stock_in_b: 1 when lane B runs the stock selftests (a cold cache, above)
stock_in_b=$([ -s "$lanes/debug-kernel.rc" ] && echo 0 || echo 1)
section "guests: four lanes start (debug; full system; stock; Arm and matrix)"
for l in a b c d; do
	bg $l lane_$l
	[ "${MFW_LANES:-2}" != 1 ] || join_lane $l
done

# --- host tests, beside the lanes ------------------------------------------
section "host: userspace under ASan/UBSan and its tests, clang build (the lanes run beside)"
step build/userspace-asan sh -c '
	{ [ -f build-asan/build.ninja ] ||
	  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false; } &&
	meson configure build-asan -Dwerror=true && meson compile -C build-asan'
# The same code under clang, warnings as errors (compiled, not run again).
step build/userspace-clang sh -c '
	{ [ -f build-clang/build.ninja ] || CC=clang meson setup build-clang; } &&
	meson configure build-clang -Dwerror=true && meson compile -C build-clang'
rm -f build-asan/meson-logs/testlog.json
meson test -C build-asan --print-errorlogs >"$logs/meson-test.log" 2>&1
/usr/bin/python3 - build-asan/meson-logs/testlog.json <<'PY' | collect cat
import json, sys
try:
    lines = open(sys.argv[1]).read().splitlines()
except OSError:
    lines = []
if not lines:
    print("FAIL host: meson ran no test")
for l in lines:
    t = json.loads(l)
    verdict = {"OK": "PASS", "SKIP": "SKIP", "EXPECTEDFAIL": "PASS"}.get(t["result"], "FAIL")
    print(verdict, "host/" + t["name"])
PY
grep -q '^FAIL host/' "$ledger" && sed -n '/^Summary of Failures/,$p' "$logs/meson-test.log"

if [ -x tests/fuzz/run.sh ]; then
	section "fuzzing (short run; long campaigns with tests/fuzz/run.sh)"
	step fuzz/mfw_at tests/fuzz/run.sh --seconds "${MFW_FUZZ_SECONDS:-30}"
fi

section "host: checkpatch --strict, device trees, sparse, licenses"
step style/checkpatch sh -c 'out=$(tests/style/checkpatch.sh) && [ -z "$out" ] || { echo "$out"; exit 1; }'
step style/ioctl-magic tests/style/ioctl-magic.sh
step style/dtc tests/style/dtc.sh
step style/sparse tests/style/sparse.sh
# Every file's license and copyright (SPDX lines, .reuse/dep5): LICENSE.
step style/reuse reuse lint
step style/spdx tests/style/spdx.sh

section "guests: the lanes' remaining work"
[ "${MFW_LANES:-2}" = 1 ] || for l in a b c d; do join_lane $l; done
section_end
if [ "${MFW_SYSTEM_KERNEL:-stock}" = debug ]; then
	section "full system on the debug kernel, alone"
	collect system_guest
	section_end
fi

section "background builds"
for b in debug-kernel module-debug-W1 rootfs debian-packages; do
	verdict $b
done
section_end

timetable "$((SECONDS - run_t0))"
summary
