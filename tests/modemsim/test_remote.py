#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Remote download: http, https, ftp, progress, blocks, resume, failures."""

import os
import re
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simlib import (FtpServer, HttpServer, check, eq, image, make_cert,  # noqa
                    run, sim)


def test_http_progress_blocks(tmp):
    img = image(b"h", version="DC-HTTP", size=10 * 1024 + 300)
    srv = HttpServer({"/fw.bin": img})
    s = sim(tmp)
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/fw.bin"))
    s.ok('AT+MFWCFG="progind",2048')
    s.ok("AT+MFWDLOAD")
    total = len(img)
    for n in range(2048, total, 2048):
        eq(s.wait(r"^\+MFWDLOAD: "), "+MFWDLOAD: 1,%d,%d" % (total, n),
           "progress")
    eq(s.wait(r"^\+MFWDLOAD: "), "+MFWDLOAD: 2,%d,%d" % (total, total),
       "done")
    eq(s.ok("AT+MFWDLOAD?"), ["+MFWDLOAD: 2,%d,%d" % (total, total)], "query")
    ranges = [r for _, r in srv.requests]
    eq(ranges[0], "bytes=0-511", "first block of the default pkgsize")
    eq(len(ranges), (total + 511) // 512, "one request per 512-byte block")
    s.send("AT+MFWUPGRADE\r")
    s.reopen()
    s.wait(r"^\+MFWUPGRADE: 2$")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-HTTP"], "upgraded from the download")
    srv.stop()


def test_pkgsize_auth_and_no_progind(tmp):
    img = image(b"n", version="NB-R", size=7000)
    srv = HttpServer({"/nb.bin": img}, auth="fw:pw")
    s = sim(tmp, model="MN316")
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/nb.bin"))
    s.ok('AT+MFWCFG="pkgsize",3072')
    s.err("AT+MFWDLOAD", 855)                     # 401 without auth
    s.ok('AT+MFWCFG="auth","fw","pw"')
    s.ok("AT+MFWDLOAD")
    eq(s.wait(r"^\+MFWDLOAD: "), "+MFWDLOAD: 2,7000,7000".replace(
        "7000", str(len(img))), "only the end is reported with progind 0")
    ranges = [r for _, r in srv.requests if r]
    check("bytes=0-3071" in ranges and "bytes=3072-6143" in ranges,
          "3072-byte range requests: %r" % ranges)
    srv.stop()


def test_https(tmp):
    make_cert(tmp)
    img = image(b"s", version="TLS", size=3000)
    srv = HttpServer({"/s.bin": img}, tls_dir=tmp)
    # ML307R-DC: HTTPS without certificate check
    s = sim(tmp, name="dc")
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/s.bin"))
    s.ok("AT+MFWDLOAD")
    s.wait(r"^\+MFWDLOAD: 2,")
    s.stop()
    # MN316 checks the certificate: fails without the CA, works with it
    s = sim(tmp, model="MN316", name="nb")
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/s.bin"))
    s.err("AT+MFWDLOAD", 855)
    s.stop()
    s = sim(tmp, model="MN316", name="nb2",
            args=["--ca-file", os.path.join(tmp, "cert.pem")])
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/s.bin"))
    s.ok("AT+MFWDLOAD")
    s.wait(r"^\+MFWDLOAD: 2,")
    srv.stop()


def test_interrupt_and_resume(tmp):
    img = image(b"r", version="RES", size=9000)
    srv = HttpServer({"/r.bin": img})
    srv.httpd.cut_at = 4000
    s = sim(tmp)
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/r.bin"))
    s.ok('AT+MFWCFG="progind",1024')
    s.ok("AT+MFWDLOAD")
    line = s.wait(r"^\+MFWDLOAD: 3")
    m = re.match(r"\+MFWDLOAD: 3,%d,(\d+)$" % len(img), line)
    check(m and int(m.group(1)) <= 4000, "failure URC %r" % line)
    eq(s.wait(r"^\+MFWDLOAD"), "+MFWDLOAD: 0", "3 then 0: resumable")
    got = int(m.group(1))
    # the break point survives a power cycle too
    s.restart()
    s.ok("ATE0")
    srv.requests.clear()
    s.ok("AT+MFWDLOAD")
    s.wait(r"^\+MFWDLOAD: 2,%d,%d$" % (len(img), len(img)))
    eq(srv.requests[0][1], "bytes=%d-%d" % (got, got + 511), "resumed")
    s.send("AT+MFWUPGRADE\r")
    s.reopen()
    s.wait(r"^\+MFWUPGRADE: 2$")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["RES"], "resumed image is intact")
    srv.stop()


def test_unrecoverable(tmp):
    img = image(b"u", size=6000)
    srv = HttpServer({"/u.bin": img})
    s = sim(tmp, args=["--fault", "error=853@offset=3000"])
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/u.bin"))
    s.ok("AT+MFWDLOAD")
    s.wait(r"^\+MFWDLOAD: 3,6000,")
    eq(s.raw(0.5), b"", "no +MFWDLOAD: 0 after an unrecoverable failure")
    eq(s.ok("AT+MFWDLOAD?")[0][:13], "+MFWDLOAD: 3,", "query says failed")
    s.err("AT+MFWDLOAD", 855)                     # refused until erase
    s.ok("AT+MFWERASE")
    s.ok("AT+MFWDLOAD")
    s.wait(r"^\+MFWDLOAD: 2,6000,6000$")
    # the file vanishes: 404 is refused before OK
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/nope"))
    s.err("AT+MFWDLOAD", 855)
    srv.stop()


def test_responsive_during_download(tmp):
    img = image(b"slow", size=8192)
    srv = HttpServer({"/s.bin": img})
    srv.httpd.delay = 0.05                        # 50 ms per 512 bytes
    s = sim(tmp)
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/s.bin"))
    s.ok('AT+MFWCFG="progind",1024')
    s.ok("AT+MFWDLOAD")
    t0 = time.time()
    s.ok("AT+CGMR")
    check(time.time() - t0 < 0.3, "AT answered while downloading")
    eq(s.ok("AT+MFWDLOAD?")[0][:13], "+MFWDLOAD: 1,", "state 1 while running")
    s.wait(r"^\+MFWDLOAD: 2,8192,8192$", 10)
    srv.stop()


def test_timeout_and_retries(tmp):
    img = image(b"t", size=4000)
    srv = HttpServer({"/t.bin": img})
    s = sim(tmp, args=["--second-ms", "10", "--max-retries", "1"])
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/t.bin"))
    s.ok('AT+MFWCFG="timeout",30')                # 300 ms here
    srv.httpd.cut_at = 1000
    s.ok("AT+MFWDLOAD")
    s.wait(r"^\+MFWDLOAD: 0$")
    srv.httpd.stall = 2                           # server stops answering
    t0 = time.time()
    s.err("AT+MFWDLOAD", 855)                     # no data within timeout
    dt = time.time() - t0
    check(0.25 < dt < 1.5, "stall noticed after the timeout (%.2fs)" % dt)
    srv.httpd.stall = 0
    srv.httpd.cut_at = 2500
    s.ok("AT+MFWDLOAD")                           # resumes, cut again
    s.wait(r"^\+MFWDLOAD: 0$")
    s.err("AT+MFWDLOAD", 856)                     # too many interruptions
    s.err("AT+MFWDLOAD", 855)
    srv.httpd.stall = 0
    s.ok("AT+MFWERASE")
    s.ok("AT+MFWDLOAD")
    s.wait(r"^\+MFWDLOAD: 2,4000,4000$")
    # no network
    s.ok("AT+CFUN=0")
    s.err("AT+MFWDLOAD", 857)
    s.ok("AT+CFUN=1")
    srv.stop()


def test_refused_packages(tmp):
    srv = HttpServer({"/mini": image(b"x", kind="mini", size=3000),
                      "/big": image(b"b", size=8000)})
    s = sim(tmp, args=["--fs-free", str(152 * 1024 + 5000)])
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/mini"))
    s.err("AT+MFWDLOAD", 859)
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/big"))
    s.err("AT+MFWDLOAD", 860)
    eq(s.ok("AT+MFWDLOAD?")[0][:13], "+MFWDLOAD: 0,", "nothing kept")
    srv.stop()


def test_ftp_special(tmp):
    root = os.path.join(tmp, "ftp")
    os.mkdir(root)
    img = image(b"f", version="ML307A-FTP", size=6000)
    open(os.path.join(root, "fw.bin"), "wb").write(img)
    ftp = FtpServer(root)
    s = sim(tmp, model="ML307A-DSLN")
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % ftp.url("fw.bin"))
    s.ok('AT+MFWCFG="auth","fw","wrong"')
    s.err("AT+MFWUPGRADE", 855)
    s.ok('AT+MFWCFG="auth","fw","secret"')
    s.send("AT+MFWUPGRADE\r")
    s.wait(r"^\+MFWUPGRADE: 1,\d+$")
    for _ in range(3):
        s.reopen()
    s.wait(r"^\+MFWUPGRADE: 2$", 10)
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["ML307A-FTP"], "upgraded over FTP")
    ftp.stop()


TESTS = [test_http_progress_blocks, test_pkgsize_auth_and_no_progind,
         test_https, test_interrupt_and_resume, test_unrecoverable,
         test_responsive_during_download, test_timeout_and_retries,
         test_refused_packages, test_ftp_special]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
