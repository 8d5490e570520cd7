#!/usr/bin/python3
"""Turn the guest's result channel into the suite's result lines.

Reads the text the guest wrote on its result port (sections framed by
"MFW-RIG: begin <name>" / "MFW-RIG: end <name> rc=<n>", TAP inside) and
prints one line per test: "PASS <prefix>/<name>/<case>", "FAIL ...",
"SKIP ...".  A program that exits non-zero without reporting a failed case,
a section that never ends and a guest that never finished are failures too.
"""
import re
import sys

prefix, path = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8", errors="replace").read()
lines = [l.rstrip("\r") for l in text.splitlines()]

tap = re.compile(r"^(not )?ok \d+ ?(.*?)(?:\s*#\s*(SKIP|XFAIL)\b.*)?$")
# The harness names a skipped case only in its "RUN" line.
run = re.compile(r"^#\s+RUN\s+(\S+)")
current, failed_case, results, done, last_run = None, False, [], False, ""
cases = 0
for line in lines:
    m = run.match(line)
    if m:
        last_run = m.group(1)
        continue
    m = re.match(r"^MFW-RIG: begin (\S+)", line)
    if m:
        current, failed_case, cases = m.group(1), False, 0
        continue
    m = re.match(r"^MFW-RIG: end (\S+) rc=(\d+)", line)
    if m:
        rc = int(m.group(2))
        if rc != 0 and not failed_case:
            why = "timed out" if rc in (124, 143) else f"exited {rc}"
            results.append(("FAIL", f"{prefix}/{m.group(1)} ({why})"))
        elif rc == 0 and not cases:
            # A program without TAP: its exit status is its verdict.
            results.append(("PASS", f"{prefix}/{m.group(1)}"))
        current = None
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
            results.append(("FAIL", name))
            failed_case = True
        else:
            results.append(("PASS", name))

if current:
    results.append(("FAIL", f"{prefix}/{current} (never finished)"))
if not done:
    results.append(("FAIL", f"{prefix}: guest did not finish"))
for verdict, name in results:
    print(verdict, name)
