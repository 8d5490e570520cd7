#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""AT+IPR: the forms, the switch after the result code, a host at another
rate reading and writing garbage, a board that cannot carry a rate, the
rate kept (or not) across a reboot, pacing at the new rate."""

import os
import sys
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simlib import check, eq, image, run, sim  # noqa: E402

SPEEDS = {115200: termios.B115200, 921600: termios.B921600,
          460800: termios.B460800, 9600: termios.B9600}


def host_rate(s, rate):
    """Set the host's end of the pty to @rate, as a UART driver would."""
    t = termios.tcgetattr(s.fd)
    t[4] = t[5] = SPEEDS[rate]
    termios.tcsetattr(s.fd, termios.TCSANOW, t)


def events(s):
    """The transcript's simulator events."""
    return [l.split(" ", 2)[2].rstrip("\n") for l in open(s.transcript)
            if l.split(" ", 2)[1] == "*"]


def rsim(tmp, args=(), **kw):
    t = os.path.join(tmp, "t.log")
    s = sim(tmp, args=["--rate", "115200", "--transcript", t] + list(args), **kw)
    s.transcript = t
    return s


def test_forms(tmp):
    s = rsim(tmp)
    s.ok("ATE0")
    eq(s.ok("AT+IPR?"), ["+IPR: 115200"], "read")
    eq(s.ok("AT+IPR=?"),
       ["+IPR: (0,1200,2400,4800,9600,19200,38400,57600,115200),(230400,460800,921600)"],
       "test form: autobaud rates, then the fixed-only ones (SPEC 5)")
    for bad in ("AT+IPR=1000000", "AT+IPR=115201", "AT+IPR=", "AT+IPR=-1", "AT+IPR"):
        eq(s.cmd(bad)[1], "ERROR", bad)
    eq(s.ok("AT+IPR?"), ["+IPR: 115200"], "unchanged by refusals")


def test_switch_and_garble(tmp):
    s = rsim(tmp)
    s.ok("ATE0")
    s.send("AT+IPR=921600\r")
    # The result code still comes at the old rate, read by a host at it.
    s.answers(b"\r\nOK\r\n", "OK at 115200")
    # A host that stays at 115200 reads garbage and is not understood.
    s.send("AT\r")
    got = s.raw(0.4)
    check(b"OK" not in got, "no OK through a rate mismatch: %r" % got)
    check(all(b >= 0x80 or b == 0 for b in got), "garbage only: %r" % got)
    host_rate(s, 921600)
    s.send("\r")                     # ends whatever garbage the module holds
    s.raw(0.2)
    eq(s.ok("AT"), [], "AT at the new rate")
    eq(s.ok("AT+IPR?"), ["+IPR: 921600"], "read at the new rate")
    ev = events(s)
    check("rate 921600" in ev, "switch in the transcript: %r" % ev)
    check(any(e.startswith("rate mismatch: host 115200, module 921600") for e in ev),
          "mismatch in the transcript: %r" % ev)
    # Back again.
    s.send("AT+IPR=115200\r")
    s.answers(b"\r\nOK\r\n", "OK at 921600")
    host_rate(s, 115200)
    eq(s.ok("AT"), [], "AT back at 115200")
    # Garbage is deterministic: the same bytes the same way.
    host_rate(s, 9600)
    s.send("AT\r")
    a = s.raw(0.3)
    s.send("AT\r")
    b = s.raw(0.3)
    eq(a, b, "the same garbage for the same bytes")


def test_max_rate(tmp):
    s = rsim(tmp, ["--max-rate", "460800"])
    s.ok("ATE0")
    s.ok("AT+IPR=460800")
    host_rate(s, 460800)
    s.ok("AT")                       # up to the limit: clean
    s.send("AT+IPR=921600\r")
    s.answers(b"\r\nOK\r\n", "OK at 460800")
    host_rate(s, 921600)
    s.send("AT\r")
    got = s.raw(0.4)
    check(got and b"OK" not in got and all(c >= 0x80 for c in got),
          "above the board's limit the module's answer is garbage: %r" % got)
    # What the host sends still arrives: back to a rate the board carries.
    s.send("AT+IPR=115200\r")
    s.raw(0.3)
    host_rate(s, 115200)
    eq(s.ok("AT"), [], "recovered at 115200")
    check(any("above the board's 460800" in e for e in events(s)), "said in the transcript")


def test_saved_across_reboot(tmp):
    s = rsim(tmp, ["--uart"])
    s.ok("ATE0")
    s.ok("AT+IPR=921600")
    host_rate(s, 921600)
    s.ok("AT+MREBOOT=0")
    s.wait(r"^\+MATREADY$", 5)       # read at 921600: it kept the rate
    eq(s.ok("AT+IPR?"), ["+IPR: 921600"], "saved")
    check("ipr=921600\n" in open(s.state).read(), "in the state file")
    # A power cut (restart): it comes back at the saved rate as well.
    s.stop()
    s.start(wait_ready=False)
    host_rate(s, 921600)
    s.wait(r"^\+MATREADY$", 5)
    s.ok("AT")


def test_volatile(tmp):
    s = rsim(tmp, ["--uart", "--ipr-volatile"])
    s.ok("ATE0")
    s.ok("AT+IPR=921600")
    host_rate(s, 921600)
    s.ok("AT")
    s.send("AT+MREBOOT=0\r")
    time.sleep(0.3)
    host_rate(s, 115200)
    s.wait(r"^\+MATREADY$", 5)       # back at the power-up rate
    s.ok("ATE0")
    eq(s.ok("AT+IPR?"), ["+IPR: 115200"], "forgotten")
    check(not os.path.exists(s.state) or "ipr=" not in open(s.state).read(),
          "not in the state file")


def test_refused_by_fault(tmp):
    s = rsim(tmp, ["--fault", "error@cmd=IPR"])
    s.ok("ATE0")
    eq(s.cmd("AT+IPR=921600")[1], "ERROR", "refused")
    eq(s.ok("AT+IPR?"), ["+IPR: 115200"], "still at the old rate")


def test_pacing(tmp):
    s = rsim(tmp, ["--baud", "115200"])
    s.ok("ATE0")
    data = image(size=23040)          # 2 s at 115200, 0.25 s at 921600
    t0 = time.time()
    s.transparent(data)
    slow = time.time() - t0
    s.ok("AT+IPR=921600")
    host_rate(s, 921600)
    t0 = time.time()
    s.transparent(data)
    fast = time.time() - t0
    check(slow >= 1.8 and fast < slow / 3,
          "paced at 115200 (%.2f s), then at 921600 (%.2f s)" % (slow, fast))
    eq(open(s.state + ".pkg", "rb").read()[:len(data)], data, "byte-exact at 921600")


def test_no_rate_no_check(tmp):
    """Without --rate the module follows the host (AT+IPR? 0): the other
    tests' hosts, which never set a rate, are not garbled."""
    s = sim(tmp)
    s.ok("ATE0")
    eq(s.ok("AT+IPR?"), ["+IPR: 0"], "autobaud-like")
    host_rate(s, 9600)
    s.ok("AT")


TESTS = [test_forms, test_switch_and_garble, test_max_rate,
         test_saved_across_reboot, test_volatile, test_refused_by_fault,
         test_pacing, test_no_rate_no_check]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
