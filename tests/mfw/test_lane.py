#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The faster line rate of a transfer (--fast-rate, fast_rate=): mfw
against mfw-modemsim on a pty, which garbles what crosses at rates the two
ends do not share, behind a fake sysfs port.  The host has no mfw kernel
module, so the package write itself (through /dev/mfwN) fails here: these
tests check what happens to the rate around it, in the simulator's
transcript and state, the journal and the messages.  TAP output."""
import atexit
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import termios
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, done  # noqa: E402

MFW = os.environ.get("MFW", "build/userspace/mfw/mfw")
SIM = os.environ.get("MFW_MODEMSIM", "build/userspace/modemsim/mfw-modemsim")
tmp = tempfile.mkdtemp(prefix="mfw-lane-")
sysfs = os.path.join(tmp, "sys")
state = os.path.join(tmp, "state")
img = os.path.join(tmp, "pkg.bin")
SPEEDS = {115200: termios.B115200, 921600: termios.B921600}


def put(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


put(os.path.join(sysfs, "class/power_supply/AC/type"), "Mains\n")
put(os.path.join(sysfs, "class/power_supply/AC/online"), "1\n")
put(img, "MFWPKG firmware\n" + "x" * 4000 + "\nMFWVER:ML307R-DC-MBRH0S02\n")
cfg = os.path.join(tmp, "mfw.conf")
put(cfg, "ready_timeout=2\nreboot_timeout=2\nupgrade_timeout=3\nmm_wait=0\n"
    "pwrkey=NO_SUCH_LINE_A\nreset=NO_SUCH_LINE_B\nstatus=NO_SUCH_LINE_C\n")


SIMS = []


@atexit.register
def stop_all():
    """No simulator outlives the test, whatever happened."""
    for p in SIMS:
        if p.poll() is None:
            p.kill()
            p.wait()


class Sim:
    """mfw-modemsim on a pty at 115200, with a transcript and a state."""

    def __init__(self, name, args=(), ipr=None):
        self.link = os.path.join(tmp, name + ".pty")
        self.state = os.path.join(tmp, name + ".state")
        self.log = os.path.join(tmp, name + ".log")
        self.args = list(args)
        if ipr is not None:
            put(self.state, "ipr=%d\n" % ipr)
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            [SIM, "--model", "ML307R-DC", "--boot-ms", "50", "--rate", "115200",
             "--uart", "--state", self.state, "--transcript", self.log,
             "--pty", self.link] + self.args, stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL)
        SIMS.append(self.proc)
        line = self.proc.stderr.readline().decode()
        self.slave = line.split()[-1]
        # What a board's mfw attach does: the tty at speed= (115200).
        self.fd = os.open(self.link, os.O_RDWR | os.O_NOCTTY)
        self.host_rate(115200)
        time.sleep(0.2)                      # +MATREADY, read by nobody
        termios.tcflush(self.fd, termios.TCIFLUSH)
        fake_port(self.slave)

    def host_rate(self, rate):
        t = termios.tcgetattr(self.fd)
        t[4] = t[5] = SPEEDS[rate]
        termios.tcsetattr(self.fd, termios.TCSANOW, t)

    def echo_off(self):
        """ATE0 from another client, at the host's rate; its answer dropped."""
        os.write(self.fd, b"ATE0\r")
        time.sleep(0.3)
        termios.tcflush(self.fd, termios.TCIFLUSH)

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(10)
        os.close(self.fd)
        return self.proc.returncode

    def received(self):
        """Commands the module received, in order (what it understood)."""
        out = []
        for line in open(self.log, encoding="latin-1"):
            parts = line.rstrip("\n").split(" ", 2)
            if len(parts) == 3 and parts[1] == "<":
                out.append(parts[2])
        return "".join(out).replace("\\r", "\n").split("\n")

    def events(self):
        return [l.rstrip("\n").split(" ", 2)[2] for l in open(self.log, encoding="latin-1")
                if l.split(" ", 2)[1] == "*"]

    def saved_ipr(self):
        if not os.path.exists(self.state):
            return None
        for line in open(self.state):
            if line.startswith("ipr="):
                return int(line[4:])
        return None


def fake_port(slave):
    """An mfw port in the fake sysfs whose tty is the simulator's pty."""
    d = os.path.join(sysfs, "class/mfw/mfw20")
    shutil.rmtree(d, ignore_errors=True)
    attrs = {"tty": "pts" + slave.rsplit("/", 1)[1], "model": "ML307R-DC",
             "family": "ML307R-DC", "firmware": "ML307R-DC-MBRH0S01", "state": "idle",
             "progress": "0 0", "percent": "unknown", "last_error": "none",
             "paths": "transparent remote", "identify": "", "offset": "0"}
    for k, v in attrs.items():
        put(os.path.join(d, k), v + "\n")


def mfw(*args, timeout=60):
    e = dict(os.environ, MFW_SYSFS_ROOT=sysfs, MFW_STATE_DIR=state)
    e.pop("MFW_CONFIG", None)
    t0 = time.monotonic()
    p = subprocess.run([MFW, "--config", cfg] + list(args), capture_output=True,
                       env=e, timeout=timeout)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"), time.monotonic() - t0)


def rate_events(out):
    return [json.loads(l) for l in out.splitlines()
            if l.startswith("{") and json.loads(l).get("event") == "rate"]


def journal():
    """The journal, or the last one, as a dict."""
    for name in ("journal", "journal.last"):
        p = os.path.join(state, name)
        if os.path.exists(p):
            return dict(l.rstrip("\n").split("=", 1) for l in open(p) if "=" in l)
    return {}


def fresh_state():
    shutil.rmtree(state, ignore_errors=True)


def write_journal(fields):
    fields = [("sha256", hashlib.sha256(open(img, "rb").read()).hexdigest()),
              ("size", str(os.path.getsize(img)))] + fields
    body = "format=1\n" + "".join("%s=%s\n" % kv for kv in fields)
    put(os.path.join(state, "journal"),
        body + "checksum=" + hashlib.sha256(body.encode()).hexdigest() + "\n")


def index(lines, what):
    return lines.index(what) if what in lines else -1


# --- the lane succeeds ---------------------------------------------------------
fresh_state()
s = Sim("ok")
rc, out, err, dt = mfw("--json", "upgrade", img, "--port", s.link, "--fast-rate", "921600")
cmds = s.received()
up, down = index(cmds, "AT+IPR=921600"), index(cmds, "AT+IPR=115200")
check(index(cmds, "AT+IPR?") >= 0 and 0 <= up < down,
      "lane: AT+IPR? then AT+IPR=921600 before the transfer, AT+IPR=115200 after it (%s)"
      % [c for c in cmds if c][:8])
check("AT" in cmds[up + 1:down], "lane: the link proven with AT at 921600")
e0, e1 = index(cmds, "ATE0"), index(cmds, "ATE1")
check(up < index(cmds[up + 1:], "AT") + up + 1 < e0 < e1 < down,
      "lane: echo off (ATE0) once the link is proven, on again (ATE1) before the board's rate (%s)"
      % [c for c in cmds[up:] if c][:8])
ev = s.events()
check("rate 921600" in ev and "rate 115200" in ev[ev.index("rate 921600"):]
      and not any(e.startswith("rate mismatch") for e in ev),
      "lane: the module switched both ways, never at another rate than the host (%s)"
      % [e for e in ev if e.startswith("rate")])
check(s.saved_ipr() == 115200, "lane: the module keeps the board's rate (state ipr=%s)"
      % s.saved_ipr())
acts = [e["action"] for e in rate_events(out)]
check(acts == ["switched", "restored"], "lane --json: rate events switched, restored (%s)" % acts)
check("transferring at 921600" in err and "back at the board's 115200" in err,
      "lane: says so (%s)" % err.strip().splitlines()[:4])
j = journal()
check(j.get("rate") == "0" and j.get("board_rate") == "115200" and j.get("board_ipr") == "115200"
      and j.get("echo_off") == "0",
      "lane: the journal is back at the board's rate, echo on (%s)"
      % {k: j.get(k) for k in ("rate", "board_rate", "board_ipr", "echo_off", "phase")})
check(rc != 0 and "AT+MFWUPGRADE" not in "".join(cmds),
      "lane: the write fails without a kernel driver on the host, and nothing is triggered (%d)" % rc)
t = termios.tcgetattr(s.fd)
check(t[5] == termios.B115200, "lane: the host's tty is at 115200 again")
termios.tcflush(s.fd, termios.TCIFLUSH)
os.write(s.fd, b"AT\r")
time.sleep(0.3)
back = os.read(s.fd, 256)
check(back.startswith(b"AT\r"), "lane: the module echoes again afterwards (%r)" % back)
s.stop()

# --- a module that refuses ATE1: asked again at the board's rate, then said -----
fresh_state()
s = Sim("loud", ["--fault", "error@cmd=E1", "--fault", "error@cmd=E1#2"])
rc, out, err, dt = mfw("--json", "upgrade", img, "--port", s.link, "--fast-rate", "921600")
cmds = s.received()
e1 = [i for i, c in enumerate(cmds) if c == "ATE1"]
down = index(cmds, "AT+IPR=115200")
check(len(e1) == 2 and e1[0] < down < e1[1] and "did not answer ATE1" in err
      and journal().get("echo_off") == "0",
      "ATE1 refused: once at 921600, once at 115200, then said and forgotten (%s, %s)"
      % ([c for c in cmds if c][-5:], [l for l in err.splitlines() if "ATE1" in l]))
s.stop()

# --- a module that refuses ATE0: its echo stays on, nothing to undo ---------------
fresh_state()
s = Sim("stubborn", ["--fault", "error@cmd=E0"])
rc, out, err, dt = mfw("--json", "upgrade", img, "--port", s.link, "--fast-rate", "921600")
cmds = s.received()
check(cmds.count("ATE0") == 1 and "ATE1" not in cmds and "ATE1" not in err
      and index(cmds, "AT+IPR=115200") > 0 and journal().get("echo_off") == "0",
      "ATE0 refused: no ATE1, no warning, the rate back (%s)" % [c for c in cmds if c][-4:])
s.stop()

# --- a module whose echo is off already: the lane leaves echo alone ------------
fresh_state()
s = Sim("quiet")
s.echo_off()
rc, out, err, dt = mfw("--json", "upgrade", img, "--port", s.link, "--fast-rate", "921600")
cmds = s.received()
check(cmds.count("ATE0") == 1 and "ATE1" not in cmds and index(cmds, "AT+IPR=115200") > 0,
      "echo off already: the lane sends neither ATE0 nor ATE1 (%s)"
      % [c for c in cmds if c.startswith("ATE")])
s.stop()

# --- fast_rate= of the configuration; --fast-rate 0 turns it off ---------------
conf = open(cfg).read()
put(cfg, conf + "fast_rate=921600\n")
fresh_state()
s = Sim("conf")
rc, out, err, dt = mfw("--json", "upgrade", img, "--port", s.link)
check(index(s.received(), "AT+IPR=921600") >= 0,
      "fast_rate= in the configuration: the lane is taken without --fast-rate")
s.stop()
fresh_state()
s = Sim("off")
rc, out, err, dt = mfw("--json", "upgrade", img, "--port", s.link, "--fast-rate", "0")
check(index(s.received(), "AT+IPR=921600") < 0 and not rate_events(out),
      "--fast-rate 0 turns fast_rate= off (%s)" % [c for c in s.received() if c][:6])
s.stop()
put(cfg, conf)

# --- the module refuses the rate -----------------------------------------------
fresh_state()
s = Sim("refuse", ["--fault", "error@cmd=IPR#2"])
rc, out, err, dt = mfw("--json", "upgrade", img, "--port", s.link, "--fast-rate", "921600")
cmds = s.received()
check("AT+IPR=921600" in cmds and "AT+IPR=115200" not in cmds and
      "refused 921600" in err and "transferring at 115200" in err,
      "refused: one AT+IPR, the transfer at 115200, said (%s)" % err.strip().splitlines()[:3])
check([e["action"] for e in rate_events(out)] == ["refused"] and journal().get("rate") == "0",
      "refused: a refused event, the journal at the board's rate")
check(not any(e.startswith("rate mismatch") for e in s.events()), "refused: no garbling")
s.stop()

# --- the board cannot carry the rate ---------------------------------------------
fresh_state()
s = Sim("slow", ["--max-rate", "460800"])
rc, out, err, dt = mfw("--json", "upgrade", img, "--port", s.link, "--fast-rate", "921600")
cmds = s.received()
ev = [l.rstrip("\n").split(" ", 2) for l in open(s.log, encoding="latin-1")]
t_up = [float(e[0]) for e in ev if e[1] == "*" and e[2] == "rate 921600"]
t_back = [float(e[0]) for e in ev if e[1] == "*" and e[2] == "rate 115200"
          and t_up and float(e[0]) >= t_up[0]]
check(t_up and t_back and t_back[0] - t_up[0] < 3.0,
      "no carry: back at 115200 within 3 s (%.2f s)" % (t_back[0] - t_up[0] if t_up and t_back else -1))
check("does not carry it" in err and "back at 115200 and transferring at it" in err,
      "no carry: said, with what to do (%s)" % err.strip().splitlines()[:3])
check([e["action"] for e in rate_events(out)] == ["fell_back"] and journal().get("rate") == "0"
      and s.saved_ipr() == 115200,
      "no carry: fell_back event, journal and module at the board's rate")
s.stop()

# --- a USB port: the rate means nothing -------------------------------------------
fresh_state()
s = Sim("usb")
tty = "pts" + s.slave.rsplit("/", 1)[1]
drv = os.path.join(sysfs, "bus/usb/drivers/cdc_acm")
os.makedirs(drv, exist_ok=True)
os.makedirs(os.path.join(sysfs, "class/tty", tty, "device"), exist_ok=True)
os.symlink(drv, os.path.join(sysfs, "class/tty", tty, "device/driver"))
rc, out, err, dt = mfw("--json", "upgrade", img, "--port", s.link, "--fast-rate", "921600")
check(not any(c.startswith("AT+IPR") for c in s.received()) and "driver cdc_acm" in err and
      [e["action"] for e in rate_events(out)] == ["skipped"],
      "USB CDC-ACM port: no AT+IPR, a skipped event, said why (%s)" % err.strip().splitlines()[:2])
shutil.rmtree(os.path.join(sysfs, "class/tty"))
s.stop()

# --- a helper killed while the module switches: resume finds it ------------------
fresh_state()
s = Sim("kill", ["--fault", "stall=1500@cmd=IPR#2"])
p = subprocess.Popen([MFW, "--config", cfg, "upgrade", img, "--port", s.link,
                      "--fast-rate", "921600"],
                     env=dict(os.environ, MFW_SYSFS_ROOT=sysfs, MFW_STATE_DIR=state),
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
end = time.time() + 10
while time.time() < end and journal().get("rate") != "921600":
    time.sleep(0.05)
time.sleep(0.2)
p.kill()
p.wait()
time.sleep(1.6)                       # the module answers OK and switches
check(s.saved_ipr() == 921600 and journal().get("rate") == "921600",
      "kill: the module runs at 921600, the journal says so (ipr %s)" % s.saved_ipr())
rc, out, err, dt = mfw("--json", "resume")
cmds = s.received()
check("found the module at the faster rate" in err and s.saved_ipr() == 115200 and
      cmds[-1:] != [] and "AT+IPR=115200" in cmds,
      "kill: resume finds it at 921600 and brings it back to 115200 (%s)"
      % err.strip().splitlines()[:3])
check([e["action"] for e in rate_events(out)][:1] == ["found"] and journal().get("rate") == "0",
      "kill: a found event, the journal at the board's rate")
s.stop()

# --- power lost at the fast rate: the module comes back at either rate ------------
for volatile in (False, True):
    fresh_state()
    s = Sim("power%d" % volatile, ["--ipr-volatile"] if volatile else [],
            ipr=None if volatile else 921600)
    write_journal([("phase", "writing"), ("image", img), ("port", s.link),
                   ("family", "ML307R-DC"), ("from", "ML307R-DC-MBRH0S01"),
                   ("offset", "2048"), ("rate", "921600"), ("board_rate", "115200"),
                   ("board_ipr", "115200"), ("note", "writing")])
    rc, out, err, dt = mfw("resume")
    where = "the board's rate" if volatile else "the faster rate"
    ev = s.events()
    check(("found the module at " + where) in err and journal().get("rate") == "0" and
          s.saved_ipr() in (None, 115200),
          "power loss, rate %s: resume finds it at %s (%s)"
          % ("forgotten" if volatile else "saved", where, err.strip().splitlines()[:2]))
    if volatile:
        check(any(e.startswith("rate mismatch: host 921600") for e in ev),
              "power loss, rate forgotten: the journal's rate was tried first (garbled)")
    s.stop()

# --- killed with the echo off: resume turns it on again --------------------------
fresh_state()
s = Sim("mute", ipr=921600)
s.host_rate(921600)
s.echo_off()
s.host_rate(115200)
write_journal([("phase", "writing"), ("image", img), ("port", s.link),
               ("family", "ML307R-DC"), ("from", "ML307R-DC-MBRH0S01"),
               ("offset", "2048"), ("rate", "921600"), ("board_rate", "115200"),
               ("board_ipr", "115200"), ("echo_off", "1"), ("note", "writing")])
rc, out, err, dt = mfw("resume")
cmds = s.received()
found = index(cmds, "AT+IPR=115200")
check(0 <= found < index(cmds, "ATE1") and journal().get("echo_off") == "0",
      "killed with echo off: resume brings the module back to 115200, then ATE1 (%s, %s)"
      % ([c for c in cmds if c][-4:], err.strip().splitlines()[:2]))
s.stop()

# --- killed after the rate came back but before the echo did ------------------------
fresh_state()
s = Sim("mute0")
s.echo_off()
write_journal([("phase", "writing"), ("image", img), ("port", s.link),
               ("family", "ML307R-DC"), ("from", "ML307R-DC-MBRH0S01"),
               ("offset", "2048"), ("rate", "0"), ("board_rate", "115200"),
               ("board_ipr", "115200"), ("echo_off", "1"), ("note", "writing")])
rc, out, err, dt = mfw("resume")
cmds = s.received()
check("ATE1" in cmds and "AT+IPR=115200" not in cmds and journal().get("echo_off") == "0",
      "echo off at the board's rate: resume sends ATE1 and nothing about rates (%s)"
      % [c for c in cmds if c][-4:])
s.stop()

# --- the module answers at neither rate -------------------------------------------
fresh_state()
s = Sim("silent", ["--fault", "stall@cmd=AT"])
write_journal([("phase", "writing"), ("image", img), ("port", s.link),
               ("family", "ML307R-DC"), ("from", "ML307R-DC-MBRH0S01"),
               ("rate", "921600"), ("board_rate", "115200"), ("board_ipr", "115200")])
rc, out, err, dt = mfw("resume")
check(rc == 6 and "answers neither at 921600" in err and journal().get("rate") == "921600"
      and dt < 15,
      "silent module: 6, says what to do, the journal keeps the rate (%d, %.1f s, %s)"
      % (rc, dt, err.strip().splitlines()[-1:]))
s.stop()

# --- the option -------------------------------------------------------------------
rc, out, err, dt = mfw("upgrade", img, "--fast-rate", "1000000")
check(rc == 2 and "921600" in err, "--fast-rate 1000000: 2, lists the rates (%s)" % err.strip())
rc, out, err, dt = mfw("upgrade", img, "--fast-rate", "fast")
check(rc == 2, "--fast-rate fast: 2")

shutil.rmtree(tmp, ignore_errors=True)
done()
