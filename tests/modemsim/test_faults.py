#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fault injection: every error code, garbage, stalls, disconnects, data."""

import hashlib
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simlib import SIM, HttpServer, check, eq, image, run, sim  # noqa: E402


def test_every_error_code(tmp):
    faults = ["error=%d@cmd=MFWERASE#%d" % (c, c - 849)
              for c in range(850, 861)]
    faults.append("error@cmd=CGMI")
    s = sim(tmp, args=sum((["--fault", f] for f in faults), []))
    s.ok("ATE0")
    for c in range(850, 861):
        s.err("AT+MFWERASE", c)
    s.ok("AT+MFWERASE")                           # faults fire once
    eq(s.cmd("AT+CGMI"), ([], "ERROR"), "no code: a plain ERROR")
    eq(s.ok("AT+CGMI"), ["CMCC"], "once only")
    s.ok("AT+CMEE=2")
    path = os.path.join(tmp, "faults")
    open(path, "w").write("# one per line\nerror=857@cmd=CGMR\n\n")
    s.stop()
    s.args = ["--faults", path]
    s.start()
    s.ok("ATE0")
    s.ok("AT+CMEE=2")
    eq(s.cmd("AT+CGMR")[1], "+CME ERROR: no network", "verbose, from file")


def test_garbage_urc_stall(tmp):
    s = sim(tmp, args=["--fault", "garbage@cmd=CGMR",
                       "--fault", "urc=+CEREG: 5@cmd=AT#2",
                       "--fault", "stall=400@cmd=CGMI",
                       "--fault", "stall@cmd=CGMM"])
    s.ok("ATE0")
    lines, final = s.cmd("AT+CGMR")
    eq(final, "OK", "result after garbage")
    check("+CEREG: 1" in lines and "ML307R-DC-MBRH0S01" in lines,
          "stray URC and the answer: %r" % lines)
    s.ok("AT")
    eq(s.ok("AT"), ["+CEREG: 5"], "scripted URC before the result")
    t0 = time.time()
    s.ok("AT+CGMI")
    check(time.time() - t0 >= 0.35, "stalled answer")
    s.send("AT+CGMM\r")
    eq(s.raw(0.5), b"", "stalled for good")
    s.send("AT\r")
    eq(s.raw(0.3), b"", "nothing gets through a stalled module")
    check(s.alive(), "alive")


def test_disconnect(tmp):
    s = sim(tmp, boot_ms=200, args=["--fault", "disconnect@cmd=MFWCHECK"])
    s.ok("ATE0")
    s.send("AT+MFWCHECK=0\r")
    s.wait_hangup()
    s.reopen()
    s.send("AT\r")
    eq(s.cmd_wait_final()[1], "OK", "port back, no reboot")


def test_drop_and_corrupt(tmp):
    data = os.urandom(3000)
    s = sim(tmp, model="ML305U", args=["--fault", "corrupt=2@offset=100",
                                       "--fault", "drop=1@offset=2000",
                                       "--transparent-timeout-ms", "300"])
    s.ok("ATE0")
    s.transparent(data, expect=None)
    # one byte lost on the way: the module waits for it, then gives up
    eq(s.cmd_wait_final()[1], "+CME ERROR: 853", "dropped byte")
    s.ok("AT+MFWERASE")
    s.transparent(data)
    # corruption already fired; now the package is intact
    eq(s.ok("AT+MFWCHECK=0"),
       ["+MFWCHECK: " + hashlib.md5(data).hexdigest().upper()], "intact")


def test_corrupt_detected_by_check(tmp):
    data = os.urandom(2000)
    s = sim(tmp, model="ML305U", args=["--fault", "corrupt=1@offset=5"])
    s.ok("ATE0")
    s.transparent(data)
    h = s.ok("AT+MFWCHECK=2")[0]
    check(h != "+MFWCHECK: " + hashlib.sha256(data).hexdigest().upper(),
          "corruption shows in the digest")


def test_write_error_ends_transparent(tmp):
    s = sim(tmp, args=["--fault", "error=853@offset=100"])
    s.ok("ATE0")
    s.transparent(b"A" * 100 + b"AT+CGMR\r" + b"B" * 92, expect=None)
    eq(s.cmd_wait_final()[1], "+CME ERROR: 853", "write error")
    # the rest of the bytes are read as commands again
    s.wait("MBRH0S01")
    s.ok("AT")


def test_stall_holds_the_transparent_verdict(tmp):
    data = os.urandom(2000)
    s = sim(tmp, model="ML305U", args=["--fault", "stall=600@offset=1999"])
    s.ok("ATE0")
    t0 = time.time()
    s.transparent(data, expect=None)
    s.send("AT\r")
    eq(s.raw(0.3), b"", "no verdict, and no answer to a command, yet")
    eq(s.cmd_wait_final()[1], "OK", "the verdict, late")
    check(time.time() - t0 >= 0.55, "the verdict waited for the stall")
    eq(s.cmd_wait_final()[1], "OK", "the command sent meanwhile runs after")
    eq(s.ok("AT+MFWCHECK=0"),
       ["+MFWCHECK: " + hashlib.md5(data).hexdigest().upper()], "whole")


def test_remote_cut(tmp):
    img = image(b"c", size=5000)
    srv = HttpServer({"/c": img})
    s = sim(tmp, args=["--fault", "cut@offset=2100"])
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/c"))
    s.ok("AT+MFWDLOAD")
    eq(s.wait(r"^\+MFWDLOAD"), "+MFWDLOAD: 3,5000,2100", "cut at 2100")
    eq(s.wait(r"^\+MFWDLOAD"), "+MFWDLOAD: 0", "resumable")
    s.ok("AT+MFWDLOAD")
    s.wait(r"^\+MFWDLOAD: 2,5000,5000$")
    srv.stop()


def test_lost_and_glued_reports(tmp):
    """The final report of a download lost, then glued to another line;
    the module's answer to AT+MFWDLOAD? still tells the outcome."""
    img = image(b"l", size=3000)
    srv = HttpServer({"/l": img})
    s = sim(tmp, args=["--fault", "lose@report=MFWDLOAD: 2",
                       "--fault", "glue=+CEREG: 1,1@report=+MFWDLOAD: 2#2"])
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/l"))
    s.ok("AT+MFWDLOAD")
    eq(s.raw(1.5), b"", "the final report is lost")
    eq(s.ok("AT+MFWDLOAD?"), ["+MFWDLOAD: 2,3000,3000"], "the query tells: done")
    s.ok("AT+MFWERASE")
    s.ok("AT+MFWDLOAD")
    eq(s.wait(r"MFWDLOAD"), "+CEREG: 1,1+MFWDLOAD: 2,3000,3000",
       "the second final report comes glued after another URC")
    eq(s.ok("AT+MFWDLOAD?"), ["+MFWDLOAD: 2,3000,3000"], "the query tells: done")
    srv.stop()


def test_sms_during_a_command(tmp):
    """A text-mode SMS (no <length>) of several lines during a command: in
    its own burst 1 s before the answer, or glued to the answer."""
    s = sim(tmp, args=["--fault", r"sms=hi\r\nOK\r\n+MATREADY@cmd=CGMR",
                       "--fault", r"sms-burst=OK@cmd=CGMI"])
    s.ok("ATE0")
    header = b'\r\n+CMT: "+10000000000",,"26/11/30,08:00:00+32"\r\n'
    s.send("AT+CGMR\r")
    t0 = time.time()
    first = s.upto(header + b"hi\r\nOK\r\n+MATREADY\r\n", settle=0.15)
    eq(first, header + b"hi\r\nOK\r\n+MATREADY\r\n",
       "the message in one burst, nothing after it for 150 ms")
    rest = s.upto(b"\r\nML307R-DC-MBRH0S01\r\n\r\nOK\r\n")
    check(time.time() - t0 >= 0.95, "the answer 1 s after the message")
    eq(rest, b"\r\nML307R-DC-MBRH0S01\r\n\r\nOK\r\n", "then the answer")
    s.send("AT+CGMI\r")
    eq(s.upto(header + b"OK\r\n\r\nCMCC\r\n\r\nOK\r\n", timeout=0.25),
       header + b"OK\r\n\r\nCMCC\r\n\r\nOK\r\n",
       "sms-burst: the message and the answer at once")
    eq(s.ok("AT+CGMR"), ["ML307R-DC-MBRH0S01"], "each fires once")


def until(s, marker, timeout):
    """The bytes that arrive until marker is among them (or timeout s)."""
    out = b""
    end = time.time() + timeout
    while marker not in out and time.time() < end:
        out += s.raw(0.2)
    return out


def test_talk_at_any_point(tmp):
    """An SMS or a URC in the middle of a package, and line noise and an
    SMS while flashing: the noise opens the next line the module sends,
    here the +MATREADY of its reboot."""
    s = sim(tmp, boot_ms=300,
            args=["--uart", "--fault", r"sms=hi\r\nthere@offset=1000",
                  "--fault", "urc=+CEREG: 1,5@offset=1500",
                  "--fault", "sms=flashing@upgrade=50",
                  "--fault", "noise=5@upgrade=100"])
    s.ok("ATE0")
    header = b'\r\n+CMT: "+10000000000",,"26/11/30,08:00:00+32"\r\n'
    s.transparent(image(b"t", version="DC-TALK", size=2000), expect=None)
    got = until(s, b"\r\nOK\r\n", 5)
    check(header + b"hi\r\nthere\r\n" in got, "the SMS during the package: %r" % got)
    check(b"\r\n+CEREG: 1,5\r\n" in got, "the URC during the package: %r" % got)
    check(got.endswith(b"\r\nOK\r\n"), "then the write's OK: %r" % got)
    s.send("AT+MFWUPGRADE\r")
    boot = until(s, b"+MFWUPGRADE: 2\r\n", 10)
    check(header + b"flashing\r\n" in boot, "the SMS while flashing: %r" % boot)
    check(b"\xff\xfe\x00\xf0\x80\r\n+MATREADY\r\n" in boot or
          b"\xff\xfe\x00\xf0\x80+MATREADY\r\n" in boot,
          "5 bytes of noise open the reboot's first line: %r" % boot)
    check(b"+MFWUPGRADE: 2\r\n" in boot, "the upgrade still succeeds: %r" % boot)
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-TALK"], "new version")


def test_bad_fault_spec(tmp):
    for spec in ["error=849@cmd=AT", "bogus@cmd=AT", "drop=1@nowhere",
                 "error=850", "powerloss@upgrade=101", "error@offset=10",
                 "lose@cmd=CGMR", "glue=x@offset=5", "drop=1@report=MFWDLOAD",
                 "lose@report=", "lose@report=MFWDLOAD#0",
                 # while flashing there is no data to drop or stall
                 "drop=1@upgrade=50", "stall=100@upgrade=10",
                 "disconnect@upgrade=20", "cut@upgrade=30"]:
        r = subprocess.run([SIM, "--fault", spec, "--pty",
                            os.path.join(tmp, "x")], capture_output=True)
        eq(r.returncode, 2, "bad spec %s" % spec)


TESTS = [test_every_error_code, test_garbage_urc_stall, test_disconnect,
         test_drop_and_corrupt, test_corrupt_detected_by_check,
         test_write_error_ends_transparent,
         test_stall_holds_the_transparent_verdict, test_remote_cut,
         test_lost_and_glued_reports, test_sms_during_a_command,
         test_talk_at_any_point, test_bad_fault_spec]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
