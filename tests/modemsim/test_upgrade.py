#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""AT+MFWUPGRADE: special mode, reboots, power loss, bricking, recovery."""

import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simlib import SIM, HttpServer, check, eq, image, run, sim  # noqa: E402


def special_upgrade(s, url):
    """Run a special-mode upgrade; returns (percents, reboots)."""
    s.ok('AT+MFWCFG="url","%s"' % url)
    s.send("AT+MFWUPGRADE\r")
    percents, reboots = [], 0
    while True:
        try:
            line = s.wait(r"^\+MFWUPGRADE|^\+MATREADY|^OK$", 5)
        except Exception:
            s.reopen()
            reboots += 1
            continue
        check(line != "OK", "minimal-system upgrade prints no OK")
        m = re.match(r"\+MFWUPGRADE: 1,(\d+)$", line)
        if m:
            percents.append(int(m.group(1)))
        elif line.startswith("+MFWUPGRADE: "):
            return line, percents, reboots


def test_special_mode_dc(tmp):
    img = image(b"mini", kind="mini", version="DC-MINI", size=6000)
    srv = HttpServer({"/m.bin": img})
    log = os.path.join(tmp, "t.log")
    s = sim(tmp, args=["--transcript", log])
    s.ok("ATE0")
    final, pct, reboots = special_upgrade(s, srv.url("/m.bin"))
    eq(final, "+MFWUPGRADE: 2", "special mode succeeds")
    check(reboots >= 1, "the port went away")
    reboots = sum(1 for l in open(log) if l.split()[1:] == ["*", "reboot"])
    eq(reboots, 3, "minimal-system upgrade reboots three times")
    check(pct == sorted(pct) and pct[-1] >= 96 and pct[0] <= 48,
          "percent rises: %r" % pct)
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-MINI"], "version")
    srv.stop()


def test_special_refuses_fs(tmp):
    srv = HttpServer({"/fs": image(b"f", kind="fs", size=3000)})
    s = sim(tmp, model="ML302S")
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/fs"))
    s.send("AT+MFWUPGRADE\r")
    eq(s.wait(r"^\+CME ERROR"), "+CME ERROR: 858", "file-system package")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/missing"))
    s.err("AT+MFWUPGRADE", 855)
    srv.stop()


def test_power_loss_bricks_minimal(tmp):
    img = image(b"p", version="NEVER", size=4000)
    srv = HttpServer({"/p.bin": img})
    s = sim(tmp, model="ML307A", args=["--fault", "powerloss@upgrade=70"])
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/p.bin"))
    s.send("AT+MFWUPGRADE\r")
    eq(s.proc.wait(10), 3, "power loss exit status")
    s.args = []                                   # power comes back
    s.start(wait_ready=False)
    eq(s.raw(0.6), b"", "no +MATREADY from a bricked module")
    s.send("AT\r")
    eq(s.raw(0.3), b"", "no answer either")
    s.restart(wait_ready=False)
    eq(s.raw(0.5), b"", "still bricked after another power cycle")
    s.stop()
    subprocess.run([SIM, "--model", "ML307A", "--state", s.state,
                    "--recover"], check=True)
    s.start()
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["ML307A-DCLN-MBRH0S01"], "old firmware back")
    srv.stop()


def test_recover_signal(tmp):
    s = sim(tmp, model="ML307S")
    s.stop()
    st = open(s.state).read().replace("bricked=0", "bricked=1")
    open(s.state, "w").write(st)
    s.start(wait_ready=False)
    eq(s.raw(0.4), b"", "bricked")
    s.proc.send_signal(10)                        # SIGUSR1
    s.reopen()
    s.wait(r"^\+MATREADY$")
    s.ok("AT")


def test_power_loss_dc_rolls_back(tmp):
    s = sim(tmp, args=["--fault", "powerloss@upgrade=50"])
    s.ok("ATE0")
    s.transparent(image(b"d", version="DC-X", size=2000))
    s.send("AT+MFWUPGRADE\r")
    eq(s.proc.wait(10), 3, "power loss exit status")
    s.args = []
    s.start(wait_ready=False)
    s.wait(r"^\+MATREADY$")
    eq(s.wait(r"^\+MFWUPGRADE"), "+MFWUPGRADE: 3", "rolled back")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["ML307R-DC-MBRH0S01"], "old version")


def test_restart_between_reboots(tmp):
    """A planned reboot is not a power loss: the upgrade carries on."""
    img = image(b"c", version="CONT", size=3000)
    srv = HttpServer({"/c.bin": img})
    s = sim(tmp, model="ML307R-DL", boot_ms=400,
            args=["--transcript", os.path.join(tmp, "t.log")])
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/c.bin"))
    s.send("AT+MFWUPGRADE\r")
    s.wait(r"^\+MFWUPGRADE: 1,5\d$")              # flashing, 1st segment
    s.wait_hangup()                               # first planned reboot
    st = open(s.state).read()
    check("up_stage=2" in st, "state says rebooting: %r" % st)
    s.stop()
    s.start(wait_ready=False)
    s.wait(r"^\+MFWUPGRADE: 1,\d+$")
    while True:
        try:
            line = s.wait(r"^\+MFWUPGRADE: [23]", 2)
            break
        except Exception:
            s.reopen()
    eq(line, "+MFWUPGRADE: 2", "finished after the restart")
    srv.stop()


TESTS = [test_special_mode_dc, test_special_refuses_fs,
         test_power_loss_bricks_minimal, test_recover_signal,
         test_power_loss_dc_rolls_back, test_restart_between_reboots]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
