#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The module bench: a simulated module on the host end of a guest's UART.

A pty pair stands for the wires.  QEMU gets the slave as the backend of the
guest's ttyS1 (its tty backend applies the guest UART's line settings to
it); the bench keeps the master for the whole guest run and powers the
simulated module on and off on it: mfw-modemsim with --fd (the master),
--uart (a UART has no hangup when the module reboots) and --baud, so that
every byte crosses the guest's real 8250 driver and QEMU's serial device at
the module's line rate.

The guest gives its orders over a second channel (its ttyS3, which QEMU
connects to the bench's unix socket), one line each, "<id> <order> ...";
every order is answered with one line "<id> ok ..." or "<id> err <why>":

  ping               "ok pong"
  wipe               a blank module: no state, no package (module off
                     only); its transcript starts anew
  on [options]       power on: start the simulator with the few options a
                     test may choose (ALLOWED below) and answer once it is
                     serving the line
  off                power off: kill the simulator (a power loss)
  holds              what the module's flash holds: "pkg_len=N sha256=HEX"
                     of the stored package's first pkg_len bytes
  sent TEXT          whether the host sent the module TEXT since the last
                     wipe ("ok sent yes|no"); TEXT in the transcript's
                     escaping (backslash r, n, x and two hex digits)

While the module is off, whatever the guest sends is read and dropped, as
a module without power drops it, and nothing backs up into the guest.

Usage: uart-bench.py --sim PATH --dir DIR [--baud N] [--limit SECONDS]
Writes DIR/ready ("pty=/dev/pts/N" and "socket=PATH" lines) once both
exist; logs to DIR/bench.log; the module's state, transcripts and the
simulator's logs stay in DIR.  Stops on SIGTERM, SIGINT, when its parent
dies, or after --limit seconds, killing its simulator in every case.
"""

import argparse
import ctypes
import hashlib
import os
import re
import select
import signal
import socket
import subprocess
import sys
import termios
import time
import tty

PR_SET_PDEATHSIG = 1

# What a guest test may choose of the simulator's options, and the shape
# of their values.  The port, the state, the transcript, the line rate and
# the fault files are the bench's: a test cannot point the simulator at
# another file of the host.
NUM = r"[0-9]{1,9}"
ALLOWED = {
    "--model": r"[A-Za-z0-9-]{1,32}",
    "--version": r"[A-Za-z0-9._-]{1,64}",
    "--fault": r"[A-Za-z0-9=@#:._,+-]{1,96}",
    "--boot-ms": NUM,
    "--flash-ms": NUM,
    "--cmd-delay-ms": NUM,
    "--transparent-timeout-ms": NUM,
    "--fs-free": NUM,
    "--autobaud": None,
    "--rate": NUM,
    "--max-rate": NUM,
    "--ipr-volatile": None,
}

# Bounds: the simulator's start (it says "ready" at once; the rest is
# the host's load) and its death after SIGKILL.
START_TIMEOUT = 15.0
KILL_TIMEOUT = 5.0


def prctl_pdeathsig(sig):
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0)


def unescape(b):
    """The bytes a text in the transcript's escaping stands for."""
    out, i = bytearray(), 0
    while i < len(b):
        c = b[i]
        if c == 0x5C and i + 1 < len(b):
            n = b[i + 1]
            if n == ord("r"):
                out.append(13)
            elif n == ord("n"):
                out.append(10)
            elif n == ord("x") and i + 3 < len(b):
                out.append(int(b[i + 2:i + 4], 16))
                i += 2
            else:
                out.append(n)
            i += 2
            continue
        out.append(c)
        i += 1
    return bytes(out)


class Bench:
    def __init__(self, sim, workdir, baud):
        self.sim_path = sim
        self.dir = workdir
        self.baud = baud
        self.state = os.path.join(workdir, "module.state")
        self.epoch = 0
        self.starts = 0
        self.proc = None
        self.log = open(os.path.join(workdir, "bench.log"), "a", buffering=1)
        self.master, self.slave = os.openpty()
        # Raw from the start: QEMU sets its own settings when it opens the
        # slave, but nothing may be echoed or translated before that.
        # The bench keeps the slave open too, so that the master never
        # reads EIO while QEMU has it closed (between two boots).
        tty.setraw(self.slave)
        tty.setraw(self.master)
        self.pty = os.ttyname(self.slave)

    def note(self, text):
        self.log.write("%.3f %s\n" % (time.time(), text))

    def transcript(self):
        return os.path.join(self.dir, "transcript-%d.log" % self.epoch)

    def drain(self):
        """Drop what the guest sent to a module without power."""
        # The master stays blocking: the simulator shares its open file
        # and expects it so.  Read only what select() says is there.
        n = 0
        try:
            termios.tcflush(self.master, termios.TCIFLUSH)
            while select.select([self.master], [], [], 0)[0]:
                b = os.read(self.master, 4096)
                if not b:
                    break
                n += len(b)
        except OSError as e:
            self.note("drain: %s" % e)
        return n

    def running(self):
        if self.proc is None:
            return False
        rc = self.proc.poll()
        if rc is None:
            return True
        # It ended by itself: a simulated power loss (status 3) or a crash.
        self.note("module went down by itself, status %d" % rc)
        self.proc = None
        return False

    def power_on(self, opts):
        if self.running():
            return "err already on"
        bad = self.check_opts(opts)
        if bad:
            return "err " + bad
        self.drain()
        self.starts += 1
        errlog = os.path.join(self.dir, "sim-%d.log" % self.starts)
        argv = [self.sim_path, "--fd", str(self.master), "--uart",
                "--baud", str(self.baud), "--state", self.state,
                "--transcript", self.transcript()] + opts
        self.note("on: " + " ".join(argv[1:]))
        err = open(errlog, "wb")
        try:
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=err, stderr=err,
                pass_fds=(self.master,),
                preexec_fn=lambda: prctl_pdeathsig(signal.SIGKILL))
        except OSError as e:
            return "err cannot start the simulator: %s" % e
        finally:
            err.close()
        end = time.monotonic() + START_TIMEOUT
        while time.monotonic() < end:
            with open(errlog, "rb") as f:
                text = f.read()
            if b"mfw-modemsim: ready" in text:
                return "ok on"
            if self.proc.poll() is not None:
                last = text.decode(errors="replace").strip().splitlines()
                self.proc = None
                return "err the simulator exited: %s" % (
                    last[-1] if last else "no message")
            time.sleep(0.02)
        self.kill()
        return "err the simulator was not ready after %d s" % START_TIMEOUT

    def check_opts(self, opts):
        i = 0
        while i < len(opts):
            name = opts[i]
            if name not in ALLOWED:
                return "option not allowed: %s" % name
            shape = ALLOWED[name]
            if shape is not None:
                if i + 1 >= len(opts) or not re.fullmatch(shape, opts[i + 1]):
                    return "bad value for %s" % name
                i += 1
            i += 1
        return None

    def kill(self):
        """Power off: SIGKILL, as a power cut gives no time to save."""
        if self.proc is None:
            return "was-off"
        try:
            self.proc.kill()
            rc = self.proc.wait(KILL_TIMEOUT)
        except subprocess.TimeoutExpired:
            rc = "unkillable"
        self.proc = None
        self.drain()
        return "status=%s" % rc

    def holds(self):
        pkg_len = 0
        try:
            with open(self.state) as f:
                for line in f:
                    if line.startswith("pkg_len="):
                        pkg_len = int(line[8:])
        except FileNotFoundError:
            return "ok holds pkg_len=0 sha256=none"
        try:
            with open(self.state + ".pkg", "rb") as f:
                data = f.read(pkg_len)
        except FileNotFoundError:
            data = b""
        if len(data) != pkg_len:
            return "err state says %d bytes, the package file has %d" % (
                pkg_len, len(data))
        return "ok holds pkg_len=%d sha256=%s" % (
            pkg_len, hashlib.sha256(data).hexdigest())

    def sent(self, text):
        # At 115200 baud a command spans several of the transcript's
        # records: search what the host sent, joined.
        stream = bytearray()
        try:
            with open(self.transcript(), "rb") as f:
                for rec in f:
                    parts = rec.rstrip(b"\n").split(b" ", 2)
                    if len(parts) == 3 and parts[1] == b"<":
                        stream += unescape(parts[2])
        except FileNotFoundError:
            pass
        found = unescape(text.encode()) in stream
        return "ok sent " + ("yes" if found else "no")

    def order(self, line):
        words = line.split()
        if len(words) < 2:
            return None, "err no order"
        oid, verb, args = words[0], words[1], words[2:]
        if not re.fullmatch(r"[0-9]{1,20}", oid):
            return None, "err bad order id"
        if verb == "ping" and not args:
            return oid, "ok pong"
        if verb == "on":
            return oid, self.power_on(args)
        if verb == "off" and not args:
            return oid, "ok off " + self.kill()
        if verb == "wipe" and not args:
            if self.running():
                return oid, "err the module is on"
            for suffix in ("", ".pkg", ".tmp"):
                try:
                    os.unlink(self.state + suffix)
                except FileNotFoundError:
                    pass
            self.epoch += 1
            return oid, "ok wipe"
        if verb == "holds" and not args:
            return oid, self.holds()
        if verb == "sent" and args:
            # The text is the rest of the line, spaces and all.
            return oid, self.sent(line.split(None, 2)[2])
        return oid, "err unknown order: %s" % verb


def main():
    ap = argparse.ArgumentParser(description="module bench for a guest UART")
    ap.add_argument("--sim", required=True, help="the host's mfw-modemsim")
    ap.add_argument("--dir", required=True, help="where everything is kept")
    ap.add_argument("--baud", type=int, default=115200)
    ap.add_argument("--limit", type=int, default=3600,
                    help="seconds after which the bench stops by itself")
    a = ap.parse_args()

    parent = os.getppid()
    prctl_pdeathsig(signal.SIGTERM)
    if os.getppid() != parent:
        sys.exit(1)
    stop = []
    signal.signal(signal.SIGTERM, lambda s, f: stop.append(s))
    signal.signal(signal.SIGINT, lambda s, f: stop.append(s))

    os.makedirs(a.dir, exist_ok=True)
    bench = Bench(a.sim, a.dir, a.baud)
    sock_path = os.path.join(a.dir, "control.sock")
    try:
        os.unlink(sock_path)
    except FileNotFoundError:
        pass
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(sock_path)
    listener.listen(1)
    ready = os.path.join(a.dir, "ready")
    with open(ready + ".tmp", "w") as f:
        f.write("pty=%s\nsocket=%s\n" % (bench.pty, sock_path))
    os.rename(ready + ".tmp", ready)
    bench.note("ready: pty %s, socket %s" % (bench.pty, sock_path))

    conn, buf = None, b""
    end = time.monotonic() + a.limit
    try:
        while not stop and time.monotonic() < end:
            fds = [listener] + ([conn] if conn else [])
            if not bench.running():
                fds.append(bench.master)
            try:
                r, _, _ = select.select(fds, [], [], 0.5)
            except InterruptedError:
                continue
            if bench.master in r:
                bench.drain()
            if listener in r:
                # A guest booted (again): its orders come from here now.
                if conn:
                    conn.close()
                conn, _ = listener.accept()
                buf = b""
                bench.note("guest connected")
            elif conn and conn in r:
                data = conn.recv(4096)
                if not data:
                    # The guest is gone: so is the module's power.
                    bench.note("guest disconnected; off " + bench.kill())
                    conn.close()
                    conn = None
                    continue
                buf += data
                while b"\n" in buf:
                    raw, buf = buf.split(b"\n", 1)
                    line = raw.decode(errors="replace").strip()
                    if not line:
                        continue
                    oid, reply = bench.order(line)
                    bench.note("< " + line)
                    bench.note("> " + reply)
                    if oid is not None:
                        conn.sendall(("%s %s\r\n" % (oid, reply)).encode())
                if len(buf) > 4096:
                    bench.note("dropped an overlong order")
                    buf = b""
        if not stop:
            bench.note("limit of %d s reached" % a.limit)
    finally:
        bench.note("stopping; off " + bench.kill())
        if conn:
            conn.close()
        listener.close()
        for p in (sock_path, ready):
            try:
                os.unlink(p)
            except FileNotFoundError:
                pass


if __name__ == "__main__":
    main()
