#!/bin/bash
# SPDX-License-Identifier: GPL-2.0-only
# Fail (exit 1) when a guest console log holds a kernel splat, printing an
# excerpt of each.  A splat is never noise: KASAN, lockdep, BUG, WARNING,
# sleeping in atomic context, kmemleak, UBSAN, soft lockups, hung tasks,
# and the OOM killer.
# Usage: splat-check.sh CONSOLE_LOG
set -u
log=$1
pattern='(BUG:|WARNING:|KASAN:|UBSAN:|kernel BUG at|Oops|general protection fault|'
pattern+='possible recursive locking|possible circular locking|'
pattern+='inconsistent lock state|suspicious RCU usage|'
pattern+='sleeping function called from invalid context|'
pattern+='unreferenced object 0x|soft lockup|blocked for more than [0-9]+ seconds|'
pattern+='Kernel panic|cut here|list_add corruption|list_del corruption|'
pattern+='ODEBUG:|refcount_t:|double free|use-after-free|'
# Not a kernel bug, but a rig guest too small for its tests: a failure.
pattern+='invoked oom-killer)'
all=$(grep -nE "$pattern" "$log")
[ -z "$all" ] && exit 0
hits=$(echo "$all" | head -n 20)
echo "kernel splat in $log:" >&2
first=$(echo "$hits" | head -n 1 | cut -d: -f1)
start=$((first > 5 ? first - 5 : 1))
sed -n "${start},$((first + 40))p" "$log" | sed 's/^/    | /' >&2
# Every matching line (the first 20), each once: what the checker caught.
echo "  matching lines ($(echo "$all" | wc -l) in all):" >&2
echo "$hits" | cut -c1-160 | sed 's/^/    /' >&2
exit 1
