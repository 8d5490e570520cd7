#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Every file git knows of names its license in an SPDX-License-Identifier
# line within its first five lines, except those whose format has no
# room for one, listed here and covered by .reuse/dep5: the license texts,
# fuzzing inputs (bytes as the module sends them), the sysfs ABI
# description (the kernel's format), the JSON schema, the machine-readable
# copyright files (.reuse/dep5, debian/copyright: they state the licenses),
# Debian's changelog and source format, and the CI entry point.  (reuse lint checks the
# identifiers and the license texts; its dep5 "Files: *" covers every
# file, so it cannot tell a missing line.)
set -euo pipefail
cd "$(dirname "$0")/../.."
missing=0
while IFS= read -r -d '' f; do
	case $f in
	LICENSE | LICENSES/* | tests/fuzz/corpus/* | .ci/* | \
	Documentation/ABI/testing/sysfs-class-mfw | \
	userspace/mfw/mfw-events.schema.json | \
	.reuse/dep5 | debian/copyright | \
	debian/changelog | debian/source/format) continue ;;
	esac
	[ -f "$f" ] || continue
	if ! head -n 5 -- "$f" | grep -q 'SPDX-License-Identifier: '; then
		echo "$f: no SPDX-License-Identifier line in its first 5 lines; add one (GPL-2.0-only, see LICENSE)"
		missing=$((missing + 1))
	fi
done < <(git ls-files -z)
[ $missing = 0 ] || exit 1
