#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# mfw's ioctl magic must be nobody else's: not in the kernel's table of
# ioctl numbers (ioctl-number.rst of Debian's linux-source-6.1) and not
# defined as an ioctl magic or command in any uapi header the rig has
# (the 6.1 and 6.12 headers, and the C library's).  Prints what collides.
set -euo pipefail
. "$(dirname "$0")/../vm/lib.sh"
cd "$MFW_TOP"

magic=$(sed -n 's/^#define MFW_IOC_MAGIC[[:space:]]*\(0x[0-9A-Fa-f]*\).*/\1/p' \
	kernel/uapi/linux/mfw.h)
[ -n "$magic" ] || { echo "MFW_IOC_MAGIC not found in kernel/uapi/linux/mfw.h"; exit 1; }
hex=${magic#0x}
bad=0

# The table: "0xD1  00-0F  file ..." lines (magic in the first column).
table=$(tar -xJOf "$(source_tarball linux-source-6.1)" --wildcards \
	'*/Documentation/userspace-api/ioctl/ioctl-number.rst')
if grep -iE "^0x$hex[[:space:]]" <<<"$table"; then
	echo "ioctl magic $magic is taken in ioctl-number.rst (above)"
	bad=1
fi

# Headers: _IO(0xD1, ...), _IOW(0xD1, ...), or a *MAGIC* 0xD1 define.
dirs=(/usr/include/linux)
for d in /usr/src/linux-headers-*-common/include; do
	[ -d "$d" ] && dirs+=("$d")
done
if grep -rEin "(^|[^A-Za-z0-9_])_IO(R|W|WR)?\([[:space:]]*0x$hex[[:space:]]*,|define[[:space:]]+[A-Z0-9_]*(MAGIC|IOC|IOCTL)[A-Z0-9_]*[[:space:]]+\(?0x$hex\)?([[:space:]]|$)" \
	"${dirs[@]}" | grep -v '/linux/mfw\.h:'; then
	echo "ioctl magic $magic is defined in the headers above"
	bad=1
fi
exit $bad
