# SPDX-License-Identifier: GPL-2.0-only
"""Helpers for the mfw-modemsim tests: a pty client, local servers."""

import base64
import functools
import hashlib
import http.server
import os
import re
import select
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import termios
import threading
import time
import tty

SIM = os.environ.get("MFW_MODEMSIM", "mfw-modemsim")
FINAL = re.compile(r"^(OK|ERROR|\+CME ERROR: .*|\+CMS ERROR: .*)$")


class Fail(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Fail(what)


def eq(got, want, what=""):
    if got != want:
        raise Fail("%s: got %r, want %r" % (what, got, want))


def image(body=b"", version=None, base=None, md5=True, kind=None, size=0):
    """An image: optional kind marker, body padded to size, trailer."""
    data = b""
    if kind:
        data += b"MFWPKG:" + kind.encode() + b"\n"
    data += body
    if size > len(data):
        data += bytes((i * 7 + 3) & 0xFF for i in range(size - len(data)))
    if version:
        if data and not data.endswith(b"\n"):
            data += b"\n"          # the trailer is a line of its own
        t = b"MFWVER:" + version.encode()
        if base:
            t += b" base=" + base.encode()
        if md5:
            t += b" md5=" + hashlib.md5(data).hexdigest().encode()
        data += t + b"\n"
    return data


class Sim:
    """One simulator process on a pty, and a client on the slave side."""

    def __init__(self, tmp, model="ML307R-DC", args=(), state=True,
                 boot_ms=60, wait_ready=True, transport="pty", name="sim"):
        self.tmp = tmp
        self.link = os.path.join(tmp, name + ".pty")
        self.state = os.path.join(tmp, name + ".state") if state else None
        self.model = model
        self.args = list(args)
        self.boot_ms = boot_ms
        self.fd = None
        self.buf = b""
        self.lines = []
        self.proc = None
        self.transport = transport
        self.master = None
        self.start(wait_ready)

    def cmdline(self):
        c = [SIM, "--model", self.model, "--boot-ms", str(self.boot_ms),
             "--flash-ms", "200"]
        if self.state:
            c += ["--state", self.state]
        return c + self.args

    def start(self, wait_ready=True):
        c = self.cmdline()
        pass_fds = ()
        if self.transport == "fd":
            self.master, slave = os.openpty()
            tty.setraw(slave, termios.TCSANOW)
            self.slave = slave
            c += ["--fd", str(self.master)]
            pass_fds = (self.master,)
        else:
            c += ["--pty", self.link]
        self.proc = subprocess.Popen(c, stderr=subprocess.PIPE,
                                     pass_fds=pass_fds)
        line = self.proc.stderr.readline().decode()
        check(line.startswith("mfw-modemsim: ready "),
              "no ready line: %r" % line)
        self.ready = line.split()[-1]
        threading.Thread(target=self._drain_stderr, daemon=True).start()
        if self.transport == "fd":
            self.fd = self.slave
        else:
            self.open()
        if wait_ready:
            self.wait(r"^\+MATREADY$", 5)

    def _drain_stderr(self):
        for line in self.proc.stderr:
            os.write(2, b"[sim] " + line)

    def open(self, timeout=5):
        end = time.time() + timeout
        while True:
            try:
                self.fd = os.open(self.link, os.O_RDWR | os.O_NOCTTY)
                break
            except OSError:
                if time.time() > end:
                    raise Fail("cannot open " + self.link)
                time.sleep(0.02)
        tty.setraw(self.fd, termios.TCSANOW)
        self.buf = b""
        self.link_ino = os.lstat(self.link).st_ino

    def close(self):
        if self.fd is not None and self.transport != "fd":
            os.close(self.fd)
        self.fd = None

    def reopen(self, timeout=5):
        """After a reboot: the old pty is gone, a new one appears."""
        old = self.target
        self.close()
        end = time.time() + timeout
        while time.time() < end:
            try:
                if os.lstat(self.link).st_ino != self.link_ino:
                    break
            except OSError:
                pass
            time.sleep(0.01)
        self.open()

    def wait_hangup(self, timeout=5):
        end = time.time() + timeout
        while time.time() < end:
            if self.read(0.05) is None:
                return
        raise Fail("port did not go away")

    @property
    def target(self):
        return os.lstat(self.link).st_ino

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise Fail("simulator ignored signal %d" % sig)
        self.close()
        rc = self.proc.returncode
        # A sanitizer report makes the exit code non-zero.
        return rc

    def restart(self, wait_ready=True):
        self.stop()
        self.start(wait_ready)

    def alive(self):
        return self.proc.poll() is None

    # ---- raw I/O ----
    def send(self, data):
        if isinstance(data, str):
            data = data.encode()
        while data:
            n = os.write(self.fd, data)
            data = data[n:]

    def read(self, timeout):
        r, _, _ = select.select([self.fd], [], [], max(timeout, 0))
        if not r:
            return b""
        try:
            return os.read(self.fd, 65536) or None  # EOF: hung up
        except OSError:
            return None  # hung up

    def upto(self, want, timeout=5, settle=0.1):
        """What arrives until it is as long as want (at most timeout s),
        then whatever follows within settle s: an exact comparison with
        want that a loaded machine's late answer cannot fail."""
        out = self.buf
        self.buf = b""
        end = time.time() + timeout
        while len(out) < len(want) and time.time() < end:
            d = self.read(end - time.time())
            if d is None:
                break
            out += d
        return out + self.raw(settle)

    def answers(self, want, what):
        """The bytes that arrive are exactly want (see upto)."""
        eq(self.upto(want), want, what)

    def raw(self, timeout=0.3):
        """Everything that arrives within timeout."""
        out = self.buf
        self.buf = b""
        end = time.time() + timeout
        while time.time() < end:
            d = self.read(end - time.time())
            if d is None:
                break
            out += d
        return out

    def _fill(self, timeout):
        d = self.read(timeout)
        if d is None:
            raise Fail("port hung up")
        self.buf += d
        while b"\n" in self.buf:
            line, self.buf = self.buf.split(b"\n", 1)
            line = line.rstrip(b"\r").decode("latin-1")
            if line:
                self.lines.append(line)

    def wait(self, pattern, timeout=5, what=None):
        """Wait for a line matching pattern; lines before it are dropped."""
        rx = re.compile(pattern)
        end = time.time() + timeout
        while True:
            while self.lines:
                line = self.lines.pop(0)
                if rx.search(line):
                    return line
            if time.time() > end:
                raise Fail("timeout waiting for %s" % (what or pattern))
            self._fill(min(0.1, end - time.time()))

    def cmd(self, command, timeout=5):
        """Send a command, return (lines, final); echo lines are dropped."""
        self.lines = []
        self.send(command + "\r")
        return self.cmd_wait_final(timeout, echo=command)

    def ok(self, command, timeout=5):
        lines, final = self.cmd(command, timeout)
        eq(final, "OK", command)
        return lines

    def err(self, command, code, timeout=5):
        lines, final = self.cmd(command, timeout)
        eq(final, "+CME ERROR: %d" % code, command)
        return lines

    def transparent(self, data, expect="OK", offset=0, length=None):
        self.lines = []
        self.send("AT+MFWDLOAD=%d,%d\r" % (offset, length or len(data)))
        got = b""
        end = time.time() + 5
        while b"> " not in got:
            if time.time() > end:
                raise Fail("no prompt: %r" % got)
            got += self.read(0.1) or b""
        check(got.endswith(b"\r\n> "), "prompt framing %r" % got)
        self.send(data)
        if expect is None:
            return None
        lines, final = self.cmd_wait_final()
        eq(final, expect, "transparent write")

    def cmd_wait_final(self, timeout=5, echo=None):
        """Lines up to the final result; with @echo, its echo is dropped."""
        got = []
        end = time.time() + timeout
        while True:
            while self.lines:
                line = self.lines.pop(0)
                if FINAL.match(line):
                    return got, line
                if echo is not None and line.startswith(echo):
                    continue
                got.append(line)
            if time.time() > end:
                raise Fail("no final result for %r (got %r)" % (echo, got))
            self._fill(min(0.1, end - time.time()))

    def hex_write(self, data, offset=0, quoted=True, chunk=512):
        for i in range(0, len(data), chunk):
            part = data[i:i + chunk]
            h = part.hex().upper()
            if quoted:
                h = '"' + h + '"'
            self.ok("AT+MFWDLOAD=%d,%d,%s" % (offset + i, len(part), h))


# ---- servers ----

class RangeHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def do_GET(self):
        srv = self.server
        srv.requests.append((self.path, self.headers.get("Range")))
        if srv.auth:
            want = "Basic " + base64.b64encode(srv.auth.encode()).decode()
            if self.headers.get("Authorization") != want:
                self.send_response(401)
                self.send_header("WWW-Authenticate", 'Basic realm="fw"')
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
        data = srv.files.get(self.path)
        if data is None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if srv.stall:
            time.sleep(srv.stall)
        rng = self.headers.get("Range")
        start, end = 0, len(data) - 1
        if rng:
            m = re.match(r"bytes=(\d+)-(\d*)", rng)
            start = int(m.group(1))
            if m.group(2):
                end = min(int(m.group(2)), len(data) - 1)
            if start >= len(data):
                self.send_response(416)
                self.send_header("Content-Range", "bytes */%d" % len(data))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(206)
            self.send_header("Content-Range",
                             "bytes %d-%d/%d" % (start, end, len(data)))
        else:
            self.send_response(200)
        body = data[start:end + 1]
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if srv.cut_at is not None and start + len(body) > srv.cut_at:
            keep = max(srv.cut_at - start, 0)
            srv.cut_at = None
            self.wfile.write(body[:keep])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if srv.delay:
            time.sleep(srv.delay)
        self.wfile.write(body)


class HttpServer:
    def __init__(self, files, tls_dir=None, auth=None):
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                                     RangeHandler)
        self.httpd.daemon_threads = True
        self.httpd.files = files
        self.httpd.requests = []
        self.httpd.auth = auth
        self.httpd.cut_at = None
        self.httpd.stall = 0
        self.httpd.delay = 0
        self.scheme = "http"
        if tls_dir:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(os.path.join(tls_dir, "cert.pem"),
                                os.path.join(tls_dir, "key.pem"))
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket,
                                                server_side=True)
            self.scheme = "https"
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def url(self, path):
        return "%s://127.0.0.1:%d%s" % (self.scheme, self.port, path)

    @property
    def requests(self):
        return self.httpd.requests

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def make_cert(d):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                    "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", os.path.join(d, "key.pem"),
                    "-out", os.path.join(d, "cert.pem")],
                   check=True, capture_output=True)


class FtpServer:
    def __init__(self, root, user="fw", password="secret"):
        from pyftpdlib.authorizers import DummyAuthorizer
        from pyftpdlib.handlers import FTPHandler
        from pyftpdlib.servers import ThreadedFTPServer
        import logging
        logging.getLogger("pyftpdlib").setLevel(logging.ERROR)
        auth = DummyAuthorizer()
        auth.add_user(user, password, root, perm="elr")
        handler = type("H", (FTPHandler,), {"authorizer": auth})
        handler.passive_ports = None
        handler.auth_failed_timeout = 0.05
        self.server = ThreadedFTPServer(("127.0.0.1", 0), handler)
        self.port = self.server.address[1]
        threading.Thread(target=self.server.serve_forever,
                         kwargs={"handle_exit": False}, daemon=True).start()

    def url(self, name):
        return "ftp://127.0.0.1:%d/%s" % (self.port, name)

    def stop(self):
        self.server.close_all()


# ---- test runner ----

def run(tests, argv):
    only = argv[1:] if len(argv) > 1 else None
    failed = 0
    count = 0
    for fn in tests:
        if only and fn.__name__ not in only:
            continue
        count += 1
        tmp = tempfile.mkdtemp(prefix="modemsim-")
        t0 = time.time()
        try:
            fn(tmp)
            print("ok %d - %s (%.1fs)" % (count, fn.__name__,
                                          time.time() - t0), flush=True)
        except Exception as e:  # noqa: BLE001 - report and go on
            failed += 1
            print("not ok %d - %s: %s: %s" % (count, fn.__name__,
                                               type(e).__name__, e),
                  flush=True)
        finally:
            for s in SIMS:
                try:
                    rc = s.stop()
                    if rc not in (0, 3, -9):
                        failed += 1
                        print("not ok - %s: simulator exit %s"
                              % (fn.__name__, rc))
                except Exception:  # noqa: BLE001
                    pass
            SIMS.clear()
            shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % count)
    return 1 if failed else 0


SIMS = []


@functools.wraps(Sim)
def sim(*a, **kw):
    s = Sim(*a, **kw)
    SIMS.append(s)
    return s
