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

# The most lines of a failed case's log that follow its FAIL line: its
# reason right after its "not ok" and the last lines of the log tails after
# that (the shell tests print them there), else its last lines before it
# (a kselftest case's failed checks, a program's own output).
DIAG_MAX = 16

tap = re.compile(r"^(not )?ok \d+ ?(.*?)(?:\s*#\s*(SKIP|XFAIL)\b.*)?$")
# The harness names a skipped case only in its "RUN" line.
run = re.compile(r"^#\s+RUN\s+(\S+)")
# The kselftest harness's own lines, which say nothing of why.
harness = re.compile(r"^#\s{8,}(OK|FAIL|SKIP)\s\s|^# (FAILED|PASSED|Totals):|^# Starting \d+ tests|^TAP version|^1\.\.\d+$")
# What a shell test's "not ok" is followed by: its reason, then log tails.
tail_line = re.compile(r"^# --- |^#   ")
current, failed_case, results, done, last_run = None, False, [], False, ""
cases = 0
# What the program under way said since its last case ended: its "# "
# lines (a kselftest case's follow its RUN line) and its own output.
diag = []
# A shell test's failed case: its reason and log tails, while they come.
after = None


def lines_of(text):
    return text[1:].strip() if text.startswith("#") else text.strip()


for line in lines:
    if after is not None:
        if harness.match(line) or run.match(line):
            after = None
        elif not after and line.startswith("#"):
            after.append(lines_of(line))
            continue
        elif after and tail_line.match(line):
            after.append(lines_of(line))
            continue
        else:
            after = None
    m = run.match(line)
    if m:
        last_run, diag = m.group(1), []
        continue
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
            results.append(("FAIL", f"{prefix}/{m.group(1)} ({why})", None, diag))
        elif rc == 0 and not cases:
            # A program without TAP: its exit status is its verdict.
            results.append(("PASS", f"{prefix}/{m.group(1)}"))
        current, diag, last_run = None, [], ""
        continue
    if line.startswith("MFW-RIG: done"):
        done = True
        continue
    if line.startswith("MFW-RIG:"):
        continue
    m = tap.match(line)
    if m and current:
        name = f"{prefix}/{current}/{m.group(2).strip() or last_run}"
        cases += 1
        if m.group(3) == "SKIP":
            results.append(("SKIP", name))
        elif m.group(1):
            after = []
            results.append(("FAIL", name, after, diag))
            failed_case = True
        else:
            results.append(("PASS", name))
        diag = []
        continue
    if current and line.strip() and not harness.match(line):
        diag.append(lines_of(line))

if current:
    # The guest was killed inside this program: say for about how long it
    # had been running (the guest's clock starts a little after the host's).
    how_long = ""
    if begun_at is not None and guest_secs is not None:
        how_long = f", killed about {max(guest_secs - begun_at, 0)} s into it"
        times.append((max(guest_secs - begun_at, 0), f"{prefix}/{current} (killed)"))
    running = [f"running: {last_run}"] if last_run else []
    results.append(("FAIL", f"{prefix}/{current} (never finished{how_long})",
                    None, running + diag))
if not done:
    # Named after the run's directory (runs/<kernel>-<name>/results.txt):
    # a kernel has several guests.
    import os
    guest = os.path.basename(os.path.dirname(os.path.abspath(path)))
    results.append(("FAIL", f"{prefix}: guest {guest} did not finish"))
for verdict, name, *why in results:
    print(verdict, name)
    # The lines after a case's "not ok" (its reason and the ends of the
    # log tails), else the last ones before it.
    after, before = why if why else (None, [])
    if after:
        lines = after[:1] + after[1:][-(DIAG_MAX - 1):]
    else:
        lines = before[-DIAG_MAX:]
    for line in lines:
        print("    |", line)
if times_path:
    with open(times_path, "a", encoding="utf-8") as f:
        for secs, name in times:
            f.write(f"{secs} {name}\n")
