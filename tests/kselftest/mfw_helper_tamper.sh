#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Guest test: with a public key configured, "mfw upgrade" refuses an image
# altered after its manifest was signed (one byte flipped: the manifest's
# SHA-256 no longer matches; the image has no signature of its own, one
# signature per package) with exit 4, and nothing reaches
# the module: no AT+MFWDLOAD in the simulator's transcript, no package in
# its flash.  The same image and key with the byte restored go through.
# Needs mfw and mfw-modemsim in PATH and the mfw module loaded.
. "$(dirname "$0")/mfw_helper_lib.sh"

plan 6
# A throw-away Ed25519 key pair for this test only (the guest has no
# openssl to make one).
cat >"$d/vendor.pem" <<'EOF'
-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIHMEGQpjDNdI6fSXvVtE+x6W3jGsg5SWZp8jvu99FgDi
-----END PRIVATE KEY-----
EOF
cat >"$d/vendor.pub" <<'EOF'
-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA43wem+KKioNNYDVwmu6BvHvsvnTsvNK2Px5ZdaZ1sGU=
-----END PUBLIC KEY-----
EOF
echo "pubkey=$d/vendor.pub" >"$d/mfw.conf"
export MFW_CONFIG=$d/mfw.conf MFW_STATE_DIR=$d/state

img=$d/fw.bin
mkimage "$img" ML307R-DC-MBRH0S02 8
sim_start --model ML307R-DC --boot-ms 300 --flash-ms 500 || {
	not_ok simulator "did not start"; finish; }

sign() {
	mfw manifest create "$img" --family ML307R-DC --version ML307R-DC-MBRH0S02 &&
		mfw manifest sign "$img.manifest" --key "$d/vendor.pem" &&
		mfw manifest verify "$img.manifest" --image "$img" --pubkey "$d/vendor.pub"
}
check signed_image_verifies sign

# Flip the bits of one byte in the middle of the image, in place.
off=$(($(wc -c <"$img") / 2))
orig=$(dd if="$img" bs=1 skip=$off count=1 2>/dev/null | od -An -tu1 | tr -d ' ')
flip() {
	printf "\\$(printf %03o "$1")" |
		dd of="$img" bs=1 seek=$off count=1 conv=notrunc 2>/dev/null
}
flip $((orig ^ 255))
timed tampered mfw upgrade "$img" --port "$d/tty" --timeout 60
if [ $rc -eq 4 ]; then ok tampered_image_exit_4; else not_ok tampered_image_exit_4 "exited $rc"; fi
check tampered_image_message grep -q "does not match its manifest" "$d/tampered.log"
# Nothing was sent to the module: not one package command, no package.
if grep -q 'MFWDLOAD\|MFWUPGRADE\|MFWERASE' "$d/sim.log" ||
   [ -s "$d/sim.state.pkg" ] || [ -e "$d/state/journal" ]; then
	not_ok tampered_image_nothing_written "the module was touched or a journal is in flight"
else
	ok tampered_image_nothing_written
fi

# The signed bytes again: the same configuration takes it.
flip "$orig"
timed good mfw --verbose upgrade "$img" --port "$d/tty" --timeout 120
if [ $rc -eq 0 ]; then ok restored_image_upgrades; else not_ok restored_image_upgrades "exited $rc"; fi
check restored_image_runs firmware_is ML307R-DC-MBRH0S02
finish
