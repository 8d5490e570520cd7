#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Debian packages gate: build the binary packages of debian/ from a clean
# copy of the tree (the files git knows of, as they are in the working
# tree, without build directories), then run lintian on the result.  Any
# lintian error or warning fails; its whole output (info and pedantic
# tags included) is printed.
#
# Usage: tests/style/debian.sh [--reuse] OUTDIR
#   OUTDIR receives the .deb, .changes and .buildinfo files, build.log and
#   lintian.log; the copy of the tree is built in OUTDIR/src.  A build
#   that passed leaves OUTDIR/stamp: a digest of the tree's files and of
#   the environment below.  With --reuse, packages whose stamp matches
#   are kept as they are, without a new build.
# Environment: KVERS, KSRC (debian/rules: the kernel release of the
# prebuilt module package, default that of the linux-headers metapackage;
# its build tree), DEB_BUILD_OPTIONS, DEB_BUILD_PROFILES.
#
# Needs dpkg-dev, debhelper, dh-dkms, lintian and the Build-Depends of
# debian/control (scripts/install-deps.sh installs them).
set -euo pipefail

reuse=0
[ "${1:-}" != --reuse ] || { reuse=1; shift; }
[ $# -eq 1 ] || { echo "usage: $0 [--reuse] OUTDIR" >&2; exit 2; }
top=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$1"
out=$(cd "$1" && pwd)

# The stamp: every file the copy below takes (name, contents and mode:
# an executable bit decides what a package installs), and what
# debian/rules reads from the environment (KSRC as the directory it
# resolves to).
stamp=$(
	cd "$top" &&
		git ls-files -z --cached --others --exclude-standard |
		xargs -0 sha256sum 2>/dev/null
	git ls-files -z --cached --others --exclude-standard |
		xargs -0 stat -c '%a %n' 2>/dev/null
	ksrc=${KSRC:-/usr/src/linux-headers-${KVERS:-}}
	echo "KVERS=${KVERS:-} KSRC=$(realpath -m "$ksrc") OPTIONS=${DEB_BUILD_OPTIONS:-} PROFILES=${DEB_BUILD_PROFILES:-}"
)
stamp=$(printf '%s\n' "$stamp" | sha256sum | cut -d' ' -f1)
if [ $reuse = 1 ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$stamp" ] &&
	ls "$out"/*.deb >/dev/null 2>&1; then
	echo "debian: the packages in $out are this tree's (stamp $stamp): kept"
	exit 0
fi
rm -f "$out/stamp"

for t in git dpkg-buildpackage dh lintian; do
	command -v $t >/dev/null || { echo "debian: $t is not installed" >&2; exit 1; }
done

# dpkg-buildpackage writes its products next to the source directory.
rm -rf "$out/src"
rm -f "$out"/*.deb "$out"/*.changes "$out"/*.buildinfo
mkdir "$out/src"
# (a file git knows of that the working tree deleted is left out)
git -C "$top" ls-files -z --cached --others --exclude-standard |
	tar -C "$top" --null -T - --ignore-failed-read -cf - 2>/dev/null |
	tar -C "$out/src" -xf -
[ -x "$out/src/debian/rules" ] || { echo "debian: no debian/rules in the copy" >&2; exit 1; }

start=$SECONDS
if ! (cd "$out/src" && nice -n 19 dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log"
	echo "debian: dpkg-buildpackage failed (whole log: $out/build.log)" >&2
	exit 1
fi
echo "debian: packages built in $((SECONDS - start)) s:"
(cd "$out" && ls -l -- *.deb | awk '{print "  " $5 "\t" $9}')

changes=$(ls "$out"/*.changes)
status=0
lintian -I --pedantic --fail-on error,warning "$changes" >"$out/lintian.log" 2>&1 || status=$?
cat "$out/lintian.log"
if [ $status -ne 0 ]; then
	echo "debian: lintian found errors or warnings (exit status $status)" >&2
	exit 1
fi
echo "debian: lintian: no error, no warning"
echo "$stamp" >"$out/stamp"
