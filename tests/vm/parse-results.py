#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn the guest's result channel into the suite's result lines.

Reads the text the guest wrote on its result port (sections framed by
"MFW-RIG: begin <name>" / "MFW-RIG: end <name> rc=<n> secs=<s> cpu=<s>",
TAP inside) and prints one line per test: "PASS <prefix>/<name>/<case>",
"FAIL ...", "SKIP ...".  A program that exits non-zero without reporting a
failed case, a section that never ends and a guest that never finished are
failures too.  A failed case's FAIL line is followed by what the case
logged ("    | <line>": its last DIAG_MAX lines before it, and those
right after it, where the shell tests give the reason): the summary at
the end of a run shows them, where a CI log cut in the middle still has
them.

Usage: parse-results.py PREFIX RESULTS [TIMES [GUEST_SECONDS]]
With TIMES, each program's running time is appended to that file as
"<seconds> <prefix>/<name> (guest CPU <s> s)" (the busy time of the
guest's vCPUs meanwhile, by its own count); GUEST_SECONDS (how long the
guest ran, host clock) dates a section the guest never ended.
"""
import re
import sys

# A guest's byte that is not UTF-8 is read back as U+FFFD: never a crash
# of the report, whatever the locale's encoding.
sys.stdout.reconfigure(errors="replace")

prefix, path = sys.argv[1], sys.argv[2]
times_path = sys.argv[3] if len(sys.argv) > 3 else None
guest_secs = int(sys.argv[4]) if len(sys.argv) > 4 else None
times = []
begun_at = None
text = open(path, encoding="utf-8", errors="replace").read()
lines = [l.rstrip("\r") for l in text.splitlines()]

# The most lines of a failed case's log that follow its FAIL line: those
# right after its "not ok" (the shell tests' reason and log tails), else
# its last ones before it (a kselftest case's failed checks).
DIAG_MAX = 16

tap = re.compile(r"^(not )?ok \d+ ?(.*?)(?:\s*#\s*(SKIP|XFAIL)\b.*)?$")
# The harness names a skipped case only in its "RUN" line.
run = re.compile(r"^#\s+RUN\s+(\S+)")
current, failed_case, results, done, last_run = None, False, [], False, ""
cases = 0
# What the case under way logged: the "# " lines since the last case
# ended (a kselftest case's follow its RUN line), less the harness's own.
diag = []
# A failed case's list of lines, while the "# " lines right after its
# "not ok" are its reason (the shell tests print it there).
after = None
harness = re.compile(r"^#\s+(OK|FAIL|SKIP)\s|^# (FAILED|PASSED|Totals):")
for line in lines:
    m = run.match(line)
    if m:
        last_run, diag, after = m.group(1), [], None
        continue
    if line.startswith("#"):
        if harness.match(line):
            continue
        if after is not None and len(after) < DIAG_MAX:
            after.append(line[1:].strip())
        elif after is None:
            diag.append(line[1:].strip())
        continue
    after = None
    m = re.match(r"^MFW-RIG: begin (\S+)(?: at=(\d+))?", line)
    if m:
        current, failed_case, cases, diag = m.group(1), False, 0, []
        begun_at = int(m.group(2)) if m.group(2) else None
        continue
    m = re.match(r"^MFW-RIG: end (\S+) rc=(\d+)(?: secs=(\d+))?(?: cpu=(\d+))?", line)
    if m:
        rc = int(m.group(2))
        if m.group(3):
            cpu = f" (guest CPU {m.group(4)} s)" if m.group(4) else ""
            times.append((int(m.group(3)), f"{prefix}/{m.group(1)}{cpu}"))
        if rc != 0 and not failed_case:
            why = "timed out" if rc in (124, 143) else f"exited {rc}"
            results.append(("FAIL", f"{prefix}/{m.group(1)} ({why})", diag[-DIAG_MAX:]))
        elif rc == 0 and not cases:
            # A program without TAP: its exit status is its verdict.
            results.append(("PASS", f"{prefix}/{m.group(1)}"))
        current, diag, last_run = None, [], ""
        continue
    if line.startswith("MFW-RIG: done"):
        done = True
        continue
    m = tap.match(line)
    if m and current:
        name = f"{prefix}/{current}/{m.group(2).strip() or last_run}"
        cases += 1
        if m.group(3) == "SKIP":
            results.append(("SKIP", name))
        elif m.group(1):
            after = []
            results.append(("FAIL", name, after, diag[-DIAG_MAX:]))
            failed_case = True
        else:
            results.append(("PASS", name))
        diag = []

if current:
    # The guest was killed inside this program: say for about how long it
    # had been running (the guest's clock starts a little after the host's).
    how_long = ""
    if begun_at is not None and guest_secs is not None:
        how_long = f", killed about {max(guest_secs - begun_at, 0)} s into it"
        times.append((max(guest_secs - begun_at, 0), f"{prefix}/{current} (killed)"))
    results.append(("FAIL", f"{prefix}/{current} (never finished{how_long})"))
if not done:
    # Named after the run's directory (runs/<kernel>-<name>/results.txt):
    # a kernel has several guests.
    import os
    guest = os.path.basename(os.path.dirname(os.path.abspath(path)))
    results.append(("FAIL", f"{prefix}: guest {guest} did not finish"))
for verdict, name, *why in results:
    print(verdict, name)
    # The lines after a case's "not ok", else those before it.
    for line in next((w for w in why if w), []):
        print("    |", line)
if times_path:
    with open(times_path, "a", encoding="utf-8") as f:
        for secs, name in times:
            f.write(f"{secs} {name}\n")
