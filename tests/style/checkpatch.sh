#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# checkpatch.pl --strict from Debian's linux-source-6.1 on the given files
# (default: every kernel/ source).  Extracts the script once into the cache.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"

dir=$MFW_CACHE/checkpatch-$(source_package_version linux-source-6.1)
if [ ! -x "$dir/scripts/checkpatch.pl" ]; then
	mkdir -p "$dir"
	tar -xJf "$(source_tarball linux-source-6.1)" -C "$dir" --strip-components=1 \
		--wildcards '*/scripts/checkpatch.pl' '*/scripts/spelling.txt' \
		'*/scripts/const_structs.checkpatch'
fi
cd "$MFW_TOP"
[ $# -gt 0 ] || set -- $(git ls-files 'kernel/*.c' 'kernel/*.h' 2>/dev/null || ls kernel/*.[ch])
exec "$dir/scripts/checkpatch.pl" --strict --no-tree --show-types --terse -f "$@"
