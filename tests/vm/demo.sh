#!/bin/bash
# make demo: build the module and the simulator, boot Debian's kernel in
# QEMU and run tests/vm/guest/demo.sh there, showing its narration live.
set -euo pipefail
cd "$(dirname "$0")/../.."
. tests/vm/lib.sh

kernel=${MFW_DEMO_KERNEL:-stock}
echo "mfw demo: building the module for the $kernel kernel and the simulator"
mod=$(tests/vm/build-module.sh "$kernel")
{ [ -f build/build.ninja ] || meson setup build >/dev/null; } && meson compile -C build >/dev/null
list=$MFW_OUT/demo-tests
echo "demo 300 demo.sh" >"$list"
results=$MFW_OUT/runs/$kernel-demo/results.log
rm -rf "$MFW_OUT/runs/$kernel-demo"
echo "mfw demo: booting $kernel kernel $( (kernel_info "$kernel"; echo "$KVER") ) under QEMU"
MFW_MODULE=$mod tests/vm/run-vm.sh "$kernel" demo "$list" \
	tests/vm/guest/demo.sh tests/vm/guest/mfw-gadget \
	build/userspace/modemsim/mfw-modemsim /usr/sbin/ldattach \
	>"$MFW_OUT/demo-verdict" &
vm=$!
# Narrate while the guest runs: follow its result port.
for _ in $(seq 50); do [ -e "$results" ] && break; sleep 0.2; done
tail -n +1 -F --pid=$vm "$results" 2>/dev/null | tr -d '\r' | grep -v '^MFW-RIG:' || true
wait $vm
if grep -q '^FAIL' "$MFW_OUT/demo-verdict"; then
	grep '^FAIL' "$MFW_OUT/demo-verdict"
	exit 1
fi
