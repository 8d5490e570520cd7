#!/bin/bash
# make check: build everything and run every test, host-side and in QEMU on
# both rig kernels.  Ends with one line "N passed, N failed" (skips are
# counted on the line before it) and exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/vm/lib.sh

mkdir -p "$MFW_OUT"
ledger=$MFW_OUT/results.txt
: >"$ledger"
logs=$MFW_OUT/logs
mkdir -p "$logs"

record() {
	echo "$1 $2" >>"$ledger"
	echo "$1 $2"
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
	fi
	echo "    ($((SECONDS - t0)) s)" >>"$log"
}

# Feed "PASS|FAIL|SKIP name" lines from a command into the ledger.
collect() {
	local line
	while IFS= read -r line; do
		case $line in
		PASS\ * | FAIL\ * | SKIP\ *) record "${line%% *}" "${line#* }" ;;
		*) echo "$line" ;;
		esac
	done < <("$@")
}

section() { printf '\n== %s\n' "$*"; }

# --- userspace and host tests ------------------------------------------
section "userspace: build (release, for the guest) and host tests under ASan/UBSan"
step build/userspace sh -c '
	{ [ -f build/build.ninja ] || meson setup build; } && meson compile -C build'
step build/userspace-asan sh -c '
	{ [ -f build-asan/build.ninja ] ||
	  meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false; } &&
	meson compile -C build-asan'
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

# --- kernel style gates --------------------------------------------------
section "kernel: checkpatch --strict, sparse, W=1 on both kernels"
step style/checkpatch sh -c 'out=$(tests/style/checkpatch.sh) && [ -z "$out" ] || { echo "$out"; exit 1; }'
step style/dtc tests/style/dtc.sh
step build/module-stock-W1 tests/vm/build-module.sh stock
step build/module-debug-W1 tests/vm/build-module.sh debug
step build/module-6.12-W1 tests/style/build-newer.sh
step style/sparse tests/style/sparse.sh

# --- kernel tests in QEMU ------------------------------------------------
section "kernel: selftests in QEMU"
ksft=$(kselftest_headers)
step build/kselftests make -s -C tests/kselftest KSFT_INC="$ksft" OUT="$MFW_OUT/bin"
sim=build/userspace/modemsim/mfw-modemsim
helper=build/userspace/mfw/mfw
guest_files=("$MFW_OUT"/bin/* tests/vm/guest/mfw-gadget)
[ -x "$sim" ] && guest_files+=("$sim")
[ -x "$helper" ] && guest_files+=("$helper" tests/kselftest/mfw_helper_*.sh)
tests=$MFW_OUT/guest-tests
: >"$tests"
# Per program and per guest limits: the debug kernel (KASAN, lockdep) runs
# the 200-cycle lifetime tests several times slower than the stock one.
for t in "$MFW_OUT"/bin/*; do
	echo "$(basename "$t") 1800 $(basename "$t")" >>"$tests"
done
echo "mfw_helper 600 mfw_helper_test.sh" >>"$tests"
for t in gpio power tamper usb refuse share; do
	echo "mfw_helper_$t 300 mfw_helper_$t.sh" >>"$tests"
done
# Three kills and resumes of a 70 KiB write at 115200 baud
echo "mfw_helper_resume 600 mfw_helper_resume.sh" >>"$tests"
# A full upgrade through mfw for every family of the capability table
echo "mfw_helper_families 600 mfw_helper_families.sh" >>"$tests"
for k in stock debug; do
	t0=$SECONDS
	MFW_VM_TIMEOUT=3600 MFW_MODULE=$MFW_OUT/kmod-$k/mfw.ko \
		collect tests/vm/run-vm.sh "$k" selftests "$tests" "${guest_files[@]}"
	echo "    ($k kernel selftests: $((SECONDS - t0)) s)"
done

section "full system: Debian guest with systemd, udev, D-Bus, logind and ModemManager"
t0=$SECONDS
collect tests/system/run.sh
echo "    (full-system guest, with its one-time root file system: $((SECONDS - t0)) s)"

section "rig self-test: a planted splat must fail a run"
echo "noop 10 true" >"$MFW_OUT/noop-tests"
for k in stock debug; do
	kernel_info $k
	if make -s -C "$KDIR" M="$MFW_TOP/tests/vm/splat" modules >"$logs/splat-$k.log" 2>&1; then
		cp tests/vm/splat/mfw_splat_test.ko "$MFW_OUT/splat-$k.ko"
		make -s -C "$KDIR" M="$MFW_TOP/tests/vm/splat" clean >/dev/null 2>&1
		MFW_EXPECT_SPLAT=1 MFW_EXTRA_MODULES=$MFW_OUT/splat-$k.ko \
			collect tests/vm/run-vm.sh "$k" splat-warn "$MFW_OUT/noop-tests"
	else
		record FAIL "rig/$k: build planted-splat module"
	fi
done
# kmemleak exists only on the debug kernel.
MFW_EXPECT_SPLAT=1 MFW_EXTRA_MODULES="$MFW_OUT/splat-debug.ko:leak=1" \
	collect tests/vm/run-vm.sh debug splat-leak "$MFW_OUT/noop-tests"

# --- summary -----------------------------------------------------------
pass=$(grep -c '^PASS ' "$ledger")
fail=$(grep -c '^FAIL ' "$ledger")
skip=$(grep -c '^SKIP ' "$ledger")
echo
if [ "$fail" -gt 0 ]; then
	echo "failed:"
	grep '^FAIL ' "$ledger" | sed 's/^FAIL /  /'
fi
# The last line is always "N passed, N failed"; skips are reported above it.
[ "$skip" -eq 0 ] || echo "$skip skipped (features the stock kernel lacks; they run on the debug kernel)"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
