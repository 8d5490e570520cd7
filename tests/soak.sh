#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# make soak: the stress runs that "make check" keeps short.  On both rig
# kernels (the debug one gates on KASAN, lockdep and kmemleak splats):
#   - mfw_life_test with MFW_SOAK_CYCLES attach/unplug cycles per transport
#     (default 200; make check runs 30), a third of them detaches;
#   - mfw_chan_test, mfw_fota_test and mfw_fw_test MFW_SOAK_ROUNDS times
#     over in one guest (default 3), so that a race or a timing flake shows
#     as a failure in one round of several;
#   - mfw_stress_test for MFW_SOAK_STRESS seconds per transport (default
#     900: half an hour per kernel; make check runs 30);
#   - mfw_helper_families.sh with every family (make check's debug kernel
#     takes one family of each kind).
# The two kernels' guests run side by side.  Then the full-system guest
# (tests/system/run.sh), which make check boots on Debian's kernel, boots
# the debug kernel, alone: its scenarios under KASAN and lockdep, and
# kmemleak's verdict on the whole run.  Ends with the time table and
# "N passed, N failed", like make check; needs what make check builds
# (it builds it when missing).
#
# Environment: MFW_CACHE, MFW_OUT (tests/vm/lib.sh); MFW_SOAK_CYCLES,
# MFW_SOAK_ROUNDS, MFW_SOAK_STRESS.
set -uo pipefail
cd "$(dirname "$0")/.."
. tests/vm/lib.sh
. tests/ledger.sh

soak=$MFW_OUT/soak
ledger_init "$soak"
cycles=${MFW_SOAK_CYCLES:-200}
rounds=${MFW_SOAK_ROUNDS:-3}
stress=${MFW_SOAK_STRESS:-900}
case $cycles$rounds$stress in
*[!0-9]*) echo "make soak: MFW_SOAK_CYCLES, MFW_SOAK_ROUNDS and MFW_SOAK_STRESS are whole numbers" >&2; exit 2 ;;
esac

section "build: userspace, kselftests, the module for both kernels"
step build/userspace sh -c '
	{ [ -f build/build.ninja ] || meson setup build; } &&
	meson configure build -Dwerror=true && meson compile -C build'
step build/kselftests make -s -C tests/kselftest KSFT_INC="$(kselftest_headers)" OUT="$soak/bin"
step build/module-stock tests/vm/build-module.sh stock
step build/module-debug tests/vm/build-module.sh debug

section "soak: $cycles lifetime cycles per transport, $rounds rounds of the port tests, $stress s of stress per transport"
list=$soak/tests
# Limits bound a hang: 200 cycles per transport took about 3 minutes each
# on the debug kernel under TCG.  The harness gives each transport an hour
# (mfw_life_test.c), the guest's list two.
echo "mfw_life_test 7200 mfw_life_test" >"$list"
echo "mfw_stress_test $((2 * stress + 1800)) mfw_stress_test" >>"$list"
r=1
while [ "$r" -le "$rounds" ]; do
	for t in mfw_chan_test mfw_fota_test mfw_fw_test; do
		echo "$t.$r 1800 $t" >>"$list"
	done
	r=$((r + 1))
done
# A full upgrade of every family through mfw (make check takes one family
# of each kind on the debug kernel).
echo "mfw_helper_families 1800 mfw_helper_families.sh" >>"$list"
files=("$soak"/bin/* tests/vm/guest/mfw-gadget build/userspace/modemsim/mfw-modemsim
	build/userspace/mfw/mfw tests/kselftest/mfw_helper_lib.sh tests/kselftest/mfw_helper_families.sh)
for k in stock debug; do
	# Both at the same priority (make check puts the stock kernel's
	# guests below the debug kernel's), so that each gets its share of
	# the stress.
	bg "$k" env MFW_VM_NICE=0 \
		MFW_VM_TIMEOUT=$((7200 + 2 * stress + 1800 + rounds * 3 * 1800 + 1800)) \
		MFW_MODULE="$MFW_OUT/kmod-$k/mfw.ko" \
		MFW_GUEST_ENV="export MFW_CYCLES=$cycles MFW_STRESS_SECONDS=$stress MFW_FAMILIES=all" \
		tests/vm/run-vm.sh "$k" soak "$list" "${files[@]}"
done
join stock
join debug
section_end
# What mfw_life_test and mfw_stress_test counted, per kernel.
for k in stock debug; do
	grep -aE 'cycles, .* lines answered|random_operations:' \
		"$MFW_OUT/runs/$k-soak/results.txt" 2>/dev/null | sed "s/^/  $k: /"
done

section "full system on the debug kernel (KASAN, lockdep, kmemleak), alone"
collect env MFW_SYSTEM_KERNEL=debug tests/system/run.sh
section_end

timetable "$((SECONDS - run_t0))"
summary
