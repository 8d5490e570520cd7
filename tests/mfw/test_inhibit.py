#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The helper's logind lock and ModemManager inhibition against mock
services (python-dbusmock: logind's template and mm_mock.py) on a private
system bus.  TAP output.

The ports named here do not exist on the host, so udev knows nothing of
them: the inhibitor waits the full mm_wait for a modem ModemManager does
not list, and finds modems by their port names alone."""
import os
import select
import signal
import subprocess
import sys
import time

import dbus
import dbusmock

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, done  # noqa: E402

PROBE = os.environ.get("MFW_INHIBIT_PROBE", "build/tests/mfw/test-mfw-inhibit")
HERE = os.path.dirname(os.path.abspath(__file__))
MOCK_IFACE = "org.freedesktop.DBus.Mock"
UID = "/sys/devices/pci0000:00/0000:00:14.0/usb1/1-%d"



class Probe:
    """test-mfw-inhibit PORT WAIT_MS, its output read with deadlines."""

    def __init__(self, port, wait_ms):
        self.t0 = time.monotonic()
        self.p = subprocess.Popen([PROBE, port, str(wait_ms)], stdin=subprocess.PIPE,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True)
        self.err = ""

    def line(self, timeout):
        """The next stdout line, or None after timeout seconds."""
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        return self.p.stdout.readline().strip() if r else None

    def take(self, timeout=20):
        """(return code of mfw_inhibit_take, seconds it took) or (None, t)."""
        ln = self.line(timeout)
        t = time.monotonic() - self.t0
        if ln and ln.startswith("take: "):
            return int(ln[6:]), t
        return None, t

    def release(self):
        try:
            out, err = self.p.communicate("release\n", timeout=15)
        except subprocess.TimeoutExpired:
            self.p.kill()
            out, err = self.p.communicate()
        self.err += err
        return "released" in out

    def ask(self, cmd, timeout=20):
        """Send one command line; its answer line, or None."""
        self.p.stdin.write(cmd + "\n")
        self.p.stdin.flush()
        return self.line(timeout)

    def kill(self):
        self.p.send_signal(signal.SIGKILL)
        self.err += self.p.communicate()[1]


def events():
    return [str(e) for e in mm_mock.Events()]


def wait_for(cond, timeout=5):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if cond():
            return True
        time.sleep(0.1)
    return cond()


def mfw_inhibitors():
    return [i for i in logind.ListInhibitors() if str(i[1]) == "mfw"]


dbusmock.DBusTestCase.start_system_bus()
bus = dbusmock.DBusTestCase.get_dbus(system_bus=True)
devnull = open(os.devnull, "w")
logind_proc, logind_obj = dbusmock.DBusTestCase.spawn_server_template(
    "logind", {}, devnull)
logind = dbus.Interface(logind_obj, "org.freedesktop.login1.Manager")

# --- no ModemManager on the bus --------------------------------------------
p = Probe("ttyUSB1", 30000)
rc, t = p.take()
check(rc == 0 and t < 10, "no ModemManager: goes on at once (%s after %.1f s)" % (rc, t))
check(len(mfw_inhibitors()) == 1, "no ModemManager: the logind lock is held all the same")
inh = mfw_inhibitors()[0] if mfw_inhibitors() else ("",) * 4
check(str(inh[0]).startswith("shutdown:sleep:") and str(inh[3]) == "block",
      "the lock blocks shutdown and sleep (%s, %s)" % (inh[0], inh[3] if len(inh) > 3 else ""))
check(p.release(), "no ModemManager: released")
check("ModemManager is not running" in p.err, "no ModemManager: says so")
check(wait_for(lambda: not mfw_inhibitors()), "the logind lock ends with the release")

mm_proc, mm_obj = dbusmock.DBusTestCase.spawn_server_template(
    os.path.join(HERE, "mm_mock.py"), {}, devnull)
mm_mock = dbus.Interface(mm_obj, MOCK_IFACE)

# --- a listed modem, the port given as a path (mfw resume's journal) --------
mm_mock.AddModem(UID % 2, ["ttyUSB2", "ttyUSB3"])
p = Probe("/dev/ttyUSB2", 30000)
rc, t = p.take()
check(rc == 0 and t < 10, "listed modem, /dev path: inhibited (%s after %.1f s)" % (rc, t))
check(events() == ["inhibit " + UID % 2],
      "InhibitDevice was given the modem's device UID (%s)" % events())
check(p.release(), "listed modem: released")
check(events()[-1:] == ["uninhibit " + UID % 2], "the release ends the inhibition (%s)" % events())
check("modem %s inhibited" % (UID % 2) in p.err, "says which modem it inhibited")

# --- the modem object comes 8 s late (ModemManager still probing) -----------
p = Probe("ttyUSB5", 30000)
time.sleep(8)
mm_mock.AddModem(UID % 5, ["ttyUSB5"])
rc, t = p.take(timeout=30)
check(rc == 0 and 8 <= t < 14,
      "modem listed 8 s late: inhibited once it is (%s after %.1f s)" % (rc, t))
check("inhibit " + UID % 5 in events(), "late modem: InhibitDevice with its UID")
check(p.release(), "late modem: released")
check("does not know ttyUSB5 yet" in p.err and "inhibited after" in p.err,
      "late modem: says it waited for ModemManager, and how long")

# --- ModemManager never takes the port: the wait is bounded ------------------
p = Probe("ttyUSB6", 3000)
rc, t = p.take()
check(rc == 0 and 2.5 <= t < 8, "port never listed: goes on after mm_wait (%s after %.1f s)" % (rc, t))
check(p.release(), "port never listed: released")
check("did not take ttyUSB6 within 3 s" in p.err,
      "port never listed: says ModemManager did not take it in 3 s")
p = Probe("ttyUSB6", 0)
rc, t = p.take()
check(rc == 0 and t < 5, "mm_wait=0: no wait (%.1f s)" % t)
check(p.release() and "does not manage ttyUSB6" in p.err, "mm_wait=0: says it is not managed")

# --- listed, but ModemManager answers WrongState once (it re-probes) ---------
mm_mock.AddModem(UID % 8, ["ttyUSB8"])
mm_mock.Refuse(UID % 8, "WrongState", "Modem not exported in the bus")
p = Probe("ttyUSB8", 30000)
rc, t = p.take()
check(rc == 0 and 0.5 < t < 10,
      "WrongState is waited out, not a refusal (%s after %.1f s)" % (rc, t))
check(p.release() and "still probing ttyUSB8" in p.err and "refused" not in p.err,
      "WrongState: says ModemManager is still probing")

# --- still probing when the wait is over: refused, not "continuing" ---------
mm_mock.AddModem(UID % 9, ["ttyUSB9"])
for _ in range(8):
    mm_mock.Refuse(UID % 9, "WrongState", "Modem not exported in the bus")
p = Probe("ttyUSB9", 3000)
rc, t = p.take()
check(rc == -16 and 2.5 <= t < 10,
      "still probing at the end of mm_wait: -EBUSY (%s after %.1f s)" % (rc, t))
check(p.release() and "still probing ttyUSB9 after 3 s" in p.err and "continuing" not in p.err,
      "still probing at the end: says so, and what to do")

# --- at boot: ModemManager starts probing the port late in the wait --------
# (it starts after the ports appeared and probes them all): from the moment
# it says it is probing, it gets mm_wait again.
p = Probe("ttyUSB4", 3000)
time.sleep(2)
mm_mock.AddModem(UID % 4, ["ttyUSB4"])
for _ in range(3):
    mm_mock.Refuse(UID % 4, "WrongState", "Modem not exported in the bus")
rc, t = p.take(timeout=30)
check(rc == 0 and 4 <= t < 12,
      "probing first seen 2 s into a 3 s wait: waited on, inhibited once exported "
      "(%s after %.1f s)" % (rc, t))
check(p.release() and "still probing ttyUSB4" in p.err and
      "inhibit " + UID % 4 in events(), "late probing: says so, then inhibits")

# --- ModemManager refuses ----------------------------------------------------
mm_mock.AddModem(UID % 7, ["ttyACM7"])
mm_mock.Refuse(UID % 7, "InProgress", "Device '%s' is already inhibited" % (UID % 7))
p = Probe("ttyACM7", 30000)
rc, t = p.take()
check(rc == -16, "inhibited by another program: -EBUSY (%s)" % rc)
check(p.release() and "already inhibited by another program" in p.err,
      "inhibited by another program: says so and what to do")
mm_mock.Refuse(UID % 7, "Unauthorized", "not allowed")
p = Probe("ttyACM7", 30000)
rc, t = p.take()
check(rc == -16 and p.release() and "refused to let go" in p.err and "not allowed" in p.err,
      "any other refusal: -EBUSY with ModemManager's reason")
check("GDBus.Error" not in p.err, "the reason without D-Bus's error name")

# --- the caller leaves the bus: ModemManager drops the inhibition -----------
# ModemManager's own behaviour, which the mock reproduces: what this shows
# of mfw is that the inhibition belongs to the helper's own connection, so
# a killed helper leaves no modem inhibited.
p = Probe("ttyACM7", 30000)
rc, t = p.take()
check(rc == 0, "inhibited for the kill (%s)" % rc)
p.kill()
check(wait_for(lambda: events()[-1:] == ["dropped " + UID % 7]),
      "killed holder: ModemManager drops its inhibition (%s)" % events()[-1:])
check(wait_for(lambda: not mfw_inhibitors()), "killed holder: the logind lock is gone")
p = Probe("ttyACM7", 30000)
rc, t = p.take()
check(rc == 0 and p.release(), "the modem can be inhibited again after that")

# --- the inhibition follows the module, not its twin -------------------------
# mfw resume at boot: the journal's tty (ttyUSB11) holds another module of
# the same model; its IMEI says so and mfw lets it go, then finds the
# module on ttyUSB12, whose modem it inhibits instead.  The logind lock is
# held throughout.
mm_mock.AddModem(UID % 11, ["ttyUSB11"])
mm_mock.AddModem(UID % 12, ["ttyUSB12"])
mm_mock.AddModem(UID % 13, ["ttyUSB13"])
n0 = len(events())
p = Probe("ttyUSB11", 0)
rc, t = p.take()
check(rc == 0 and events()[n0:] == ["inhibit " + UID % 11],
      "twin: the journal's tty's modem inhibited first (%s)" % events()[n0:])
check(p.ask("letgo ttyUSB12") == "letgo: done" and events()[n0:] == ["inhibit " + UID % 11],
      "let go of a tty whose modem is not the one inhibited: nothing changes")
check(p.ask("letgo /dev/ttyUSB11") == "letgo: done" and
      events()[n0:] == ["inhibit " + UID % 11, "uninhibit " + UID % 11],
      "the twin let go: ModemManager has it back (%s)" % events()[n0:])
check(len(mfw_inhibitors()) == 1, "the twin let go: the logind lock stays")
check(p.ask("follow ttyUSB12") == "follow: 0" and events()[-1:] == ["inhibit " + UID % 12],
      "the module found on another tty: its modem inhibited (%s)" % events()[n0:])
check(p.ask("follow ttyUSB12") == "follow: 0" and events()[-1:] == ["inhibit " + UID % 12] and
      len(events()) == n0 + 3, "found again on the same tty: nothing changes")
check(p.ask("follow ttyUSB14") == "follow: 0" and len(events()) == n0 + 3,
      "a tty of no known modem: the inhibition stays where it is")
check(p.ask("follow ttyUSB13") == "follow: 0" and
      events()[n0 + 3:] == ["uninhibit " + UID % 12, "inhibit " + UID % 13],
      "the module on another modem's tty: the inhibition moves (%s)" % events()[n0:])
check(p.release() and events()[-1:] == ["uninhibit " + UID % 13],
      "the moved inhibition ends with the release")
check("is another module" in p.err and "moving the inhibition" in p.err,
      "says when it lets a modem go and when it moves")
check(wait_for(lambda: not mfw_inhibitors()), "the logind lock ends with the release")

# --- a signal ends the wait ---------------------------------------------------
p = Probe("ttyUSB10", 30000)
time.sleep(2)
p.p.send_signal(signal.SIGTERM)
rc, t = p.take()
check(rc == -4 and t < 6, "SIGTERM during the wait: -EINTR at once (%s after %.1f s)" % (rc, t))
p.release()

for proc in (mm_proc, logind_proc):
    proc.terminate()
    proc.wait()
done()
