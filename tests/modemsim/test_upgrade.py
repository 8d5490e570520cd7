#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""AT+MFWUPGRADE: special mode, reboots, power loss, bricking, recovery."""

import os
import re
import signal
import subprocess
import sys
import time

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


def test_uart_reboot_keeps_port(tmp):
    """--uart: a reboot leaves the pty open; what the host sent meanwhile
    is lost; the outcome follows +MATREADY on the same port."""
    log = os.path.join(tmp, "t.log")
    s = sim(tmp, boot_ms=500, args=["--uart", "--transcript", log])
    ino = s.target
    s.ok("ATE0")
    s.transparent(image(b"u", version="DC-UART", size=2000))
    s.send("AT+MFWUPGRADE\r")       # ML307R-DC starts without OK
    time.sleep(0.3)                  # flashing (200 ms), then the reboot
    s.send("AT+CGMR\r")              # nobody listens while it boots
    # Once the reboot is under way, one more the wire carries to no one.
    for _ in range(40):
        if any(l.split()[1:3] == ["*", "reboot"] for l in open(log)):
            break
        time.sleep(0.01)
    s.send("AT+CGSN\r")
    eq(s.wait(r"^\+MATREADY$", 5), "+MATREADY", "booted on the same port")
    eq(s.wait(r"^\+MFWUPGRADE"), "+MFWUPGRADE: 2", "outcome after the boot")
    check(s.read(0.3) == b"", "the command sent during the boot got no answer")
    eq(s.target, ino, "the link still points at the same pty")
    check(any(l.split()[1:3] == ["*", "reboot"] for l in open(log)),
          "the transcript shows the reboot")
    # The wire still carried the command: the transcript has it between
    # the reboot and the port's return.
    recs = [l.split(None, 2)[1:] for l in open(log)]
    down = [i for i, r in enumerate(recs) if r == ["*", "reboot\n"]][-1]
    up = [i for i, r in enumerate(recs) if r[0] == "*" and r[1].startswith("port up")][-1]
    check(any(r[0] == "<" and "AT+CGSN" in r[1] for r in recs[down:up]),
          "the command sent during the boot is in the transcript: %r" % recs[down - 3:up + 1])
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-UART"], "new version")


def test_flash_until_signal(tmp):
    """--flash-until-signal: a 60 s flash ends soon after SIGUSR2."""
    s = sim(tmp, boot_ms=300, args=["--uart", "--flash-ms", "60000",
                                    "--flash-until-signal"])
    s.ok("ATE0")
    s.transparent(image(b"f", version="DC-CUE", size=2000))
    s.send("AT+MFWUPGRADE\r")
    time.sleep(1.5)
    check(s.raw(0.2).find(b"MATREADY") < 0, "still flashing before the cue")
    t0 = time.time()
    s.proc.send_signal(signal.SIGUSR2)
    eq(s.wait(r"^\+MATREADY$", 10), "+MATREADY", "rebooted after the cue")
    check(time.time() - t0 < 5, "the flash ended within 5 s of the cue")
    eq(s.wait(r"^\+MFWUPGRADE"), "+MFWUPGRADE: 2", "and succeeded")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-CUE"], "new version")


def test_early_report(tmp):
    """early@cmd=MFWUPGRADE: OK, +MFWUPGRADE: 2, the old firmware for
    500 ms more, then the reboot and a bare +MATREADY; the new version runs
    after it."""
    s = sim(tmp, boot_ms=500,
            args=["--uart", "--fault", "early@cmd=MFWUPGRADE"])
    s.ok("ATE0")
    s.transparent(image(b"e", version="DC-EARLY", size=2000))
    s.send("AT+MFWUPGRADE\r")
    eq(s.wait(r"^OK$"), "OK", "trigger answered")
    eq(s.wait(r"^\+MFWUPGRADE|^\+MATREADY"), "+MFWUPGRADE: 2",
       "the outcome comes before the reboot")
    eq(s.ok("AT+CGMR"), ["ML307R-DC-MBRH0S01"],
       "the old firmware answers until the reboot")
    eq(s.wait(r"^\+MFWUPGRADE|^\+MATREADY", 5), "+MATREADY", "then the boot")
    check(b"MFWUPGRADE" not in s.raw(0.5), "no second report")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-EARLY"], "new version")


def test_early_fault_bounds(tmp):
    """early fires only at AT+MFWUPGRADE, only for the upgrade it starts;
    early=0 reboots at once; a second trigger in the window gets 854."""
    for bad in ["early@cmd=CGMR", "early@upgrade=50", "early@offset=100"]:
        r = subprocess.run([SIM, "--fault", bad, "--pty", tmp + "/x"],
                           capture_output=True, text=True)
        check(r.returncode == 2, "%s refused: %r" % (bad, r.stderr))
    s = sim(tmp, boot_ms=300, args=["--uart", "--fault",
                                    "early=800@cmd=MFWUPGRADE"])
    s.ok("ATE0")
    s.err("AT+MFWUPGRADE", 851)            # nothing stored, no url: refused
    s.args = ["--uart"]                     # the state file carries on
    s.restart()
    s.ok("ATE0")
    s.transparent(image(b"b", version="DC-B", size=2000))
    s.send("AT+MFWUPGRADE\r")
    eq(s.wait(r"^\+MATREADY$|^\+MFWUPGRADE"), "+MATREADY",
       "the refusal armed nothing: this upgrade reports after the boot")
    eq(s.wait(r"^\+MFWUPGRADE"), "+MFWUPGRADE: 2", "as usual")
    s.stop()
    s.args = ["--uart", "--fault", "early=800@cmd=MFWUPGRADE"]
    s.start()
    s.ok("ATE0")
    s.transparent(image(b"c", version="DC-C", base="DC-B", size=2000))
    s.send("AT+MFWUPGRADE\r")
    s.wait(r"^OK$")
    eq(s.wait(r"^\+MFWUPGRADE"), "+MFWUPGRADE: 2", "early outcome")
    s.err("AT+MFWUPGRADE", 854)            # about to reboot
    eq(s.wait(r"^\+MATREADY$", 5), "+MATREADY", "the one reboot")
    check(b"MFWUPGRADE" not in s.raw(0.5), "no outcome after it")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-C"], "new version")


def test_autobaud(tmp):
    """--autobaud: after a boot the module says nothing, not even
    +MATREADY or its outcome, until the host sends AT."""
    s = sim(tmp, boot_ms=300, wait_ready=False, args=["--uart", "--autobaud"])
    check(s.raw(0.8) == b"", "silent after start-up")
    s.send("\xff\r")                # line noise teaches it nothing
    check(s.raw(0.3) == b"", "noise got no answer")
    s.send("AT\r")
    eq(s.wait(r"^OK$"), "OK", "AT answered once the rate is learnt")
    s.ok("ATE0")
    s.transparent(image(b"a", version="DC-AUTO", size=2000))
    s.send("AT+MFWUPGRADE\r")
    time.sleep(1.0)                  # flash, reboot, boot
    check(b"MATREADY" not in s.raw(0.5), "no +MATREADY in autobaud mode")
    s.send("at\r")
    eq(s.wait(r"^OK$"), "OK", "answers once probed")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-AUTO"], "the version settles the outcome")


def test_upgrade_boot_ms(tmp):
    """--upgrade-boot-ms: the reboot an upgrade makes takes that long (the
    new firmware's first boot), a power-up still --boot-ms; in autobaud
    mode nothing, not even an AT, gets an answer before it ends."""
    log = os.path.join(tmp, "t.log")
    t0 = time.time()
    s = sim(tmp, boot_ms=200, wait_ready=False,
            args=["--uart", "--autobaud", "--upgrade-boot-ms", "2500",
                  "--flash-ms", "0", "--transcript", log])
    time.sleep(0.5)                  # the power-up's boot: 0.2 s
    s.send("AT\r")
    eq(s.wait(r"^OK$", 3), "OK", "a power-up boots in --boot-ms")
    check(time.time() - t0 < 2, "start-up took %.1f s" % (time.time() - t0))
    s.ok("ATE0")
    s.transparent(image(b"l", version="DC-LATE", size=2000))
    s.send("AT+MFWUPGRADE\r")
    time.sleep(1.5)                  # the reboot, well inside 2.5 s
    s.send("AT\r")
    check(s.raw(0.5) == b"", "no answer 2 s into the 2.5 s boot")
    time.sleep(1.0)
    s.send("AT\r")
    eq(s.wait(r"^OK$", 3), "OK", "answers once the boot is over")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-LATE"], "new version")
    times = [float(l.split()[0]) for l in open(log)
             if l.split()[1:3] in (["*", "reboot"], ["*", "autobaud:"])]
    check(len(times) >= 3 and 2.4 <= times[-1] - times[-2] < 4,
          "reboot to the first answer: %r" % times)
    for bad in ["-1", "x"]:
        r = subprocess.run([SIM, "--upgrade-boot-ms", bad, "--pty", tmp + "/x"],
                           capture_output=True, text=True)
        check(r.returncode == 2, "--upgrade-boot-ms %s refused: %r" % (bad, r.stderr))


TESTS = [test_special_mode_dc, test_special_refuses_fs,
         test_power_loss_bricks_minimal, test_recover_signal,
         test_power_loss_dc_rolls_back, test_restart_between_reboots,
         test_uart_reboot_keeps_port, test_flash_until_signal,
         test_early_report, test_autobaud,
         test_early_fault_bounds, test_upgrade_boot_ms]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
