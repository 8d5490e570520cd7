#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# sparse (C=2: every file, rebuilt or not) over the module, against the
# distribution kernel's headers.  Any sparse warning fails.
set -euo pipefail
command -v sparse >/dev/null || { echo "sparse is not installed" >&2; exit 1; }
exec "$(dirname "$0")/../vm/build-module.sh" stock C=2
