# SPDX-License-Identifier: GPL-2.0-only
"""TAP output for the helper's Python tests: check() prints one line per
check, done() the plan and the exit status."""
import sys

_n = 0
_failed = 0


def check(cond, what):
    """One TAP line for @cond, described by @what."""
    global _n, _failed
    _n += 1
    if not cond:
        _failed += 1
    print(("ok" if cond else "not ok") + " %d - %s" % (_n, what), flush=True)


def skip(what, why):
    """One TAP line for a check that cannot run here, and why."""
    global _n
    _n += 1
    print("ok %d - %s # SKIP %s" % (_n, what, why), flush=True)


def done():
    """The plan line, then exit: 1 when any check failed."""
    print("1..%d" % _n)
    sys.exit(1 if _failed else 0)
