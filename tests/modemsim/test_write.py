#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Hex and transparent writes, MFWCHECK, MFWERASE, stored upgrades."""

import hashlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simlib import check, eq, image, run, sim  # noqa: E402


def test_hex_write(tmp):
    s = sim(tmp, model="MN319")
    s.ok("ATE0")
    s.ok("AT+MFWERASE")
    img = image(b"x", version="MN319-V2", size=1500)
    s.ok('AT+MFWDLOAD=0,512,"%s"' % img[:512].hex())          # quoted
    s.ok("AT+MFWDLOAD=512,512,%s" % img[512:1024].hex().upper())  # bare
    s.err('AT+MFWDLOAD=1024,4,"0102"', 853)       # len does not match
    s.err('AT+MFWDLOAD=1024,1,"010"', 853)        # odd digits
    s.err('AT+MFWDLOAD=1024,1,"0G"', 853)         # not hex
    s.err('AT+MFWDLOAD=1000,1,"01"', 853)         # not the next offset
    s.err('AT+MFWDLOAD=2048,1,"01"', 853)         # a gap
    s.err('AT+MFWDLOAD=1024,0,""', 853)
    s.err('AT+MFWDLOAD=1024,513,"%s"' % ("00" * 513), 853)
    s.err("AT+MFWDLOAD=1024", 853)
    # resume after the module lost power: the state file remembers
    s.restart()
    s.ok("ATE0")
    s.hex_write(img[1024:], offset=1024)
    s.ok("AT+MFWUPGRADE")
    s.reopen()
    s.wait(r"^\+MATREADY$")
    s.wait(r"^\+MFWUPGRADE: 2$")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["MN319-V2"], "new version")
    s.restart()
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["MN319-V2"], "version survives a restart")
    s.err("AT+MFWUPGRADE", 854)                   # package consumed


def test_transparent_and_check(tmp):
    s = sim(tmp, model="ML305U")
    s.ok("ATE0")
    data = bytes(range(256)) * 5 + b"AT\r\nOK\r\n+++" + os.urandom(600)
    s.transparent(data)
    for algo, h in [(0, hashlib.md5), (1, hashlib.sha1),
                    (2, hashlib.sha256)]:
        eq(s.ok("AT+MFWCHECK=%d" % algo),
           ["+MFWCHECK: " + h(data).hexdigest().upper()], "digest %d" % algo)
    eq(s.cmd("AT+MFWCHECK=3")[1], "ERROR", "algorithm 3")
    eq(s.ok("AT+MFWCHECK=?"), ["+MFWCHECK: (0-2)"], "test form")
    s.restart()
    s.ok("ATE0")
    eq(s.ok("AT+MFWCHECK=2"),
       ["+MFWCHECK: " + hashlib.sha256(data).hexdigest().upper()],
       "package survives a restart")
    s.ok("AT+MFWERASE")
    s.err("AT+MFWCHECK=0", 850)                   # nothing written
    # a file-system package is refused (858), a minimal-system one (859)
    s.transparent(image(b"fs", kind="fs", size=100), expect="+CME ERROR: 858")
    s.transparent(image(b"m", kind="mini", size=100),
                  expect="+CME ERROR: 859")
    s.err("AT+MFWCHECK=0", 850)
    # upgrade without rollback: a broken package is refused up front
    bad = bytearray(image(b"u", version="U2", size=3000))
    bad[100] ^= 0xFF
    s.transparent(bytes(bad))
    s.err("AT+MFWUPGRADE", 854)
    good = image(b"u", version="U2", base="ML305U-DBLN-MBRH0S01", size=3000)
    s.transparent(good)
    s.send("AT+MFWUPGRADE\r")
    s.reopen()
    s.wait(r"^\+MATREADY$")
    s.wait(r"^\+MFWUPGRADE: 2$")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["U2"], "ML305U upgraded")


def test_transparent_rules(tmp):
    s = sim(tmp, args=["--fs-free", str(152 * 1024 + 4096),
                       "--transparent-timeout-ms", "400"])
    s.ok("ATE0")
    s.err("AT+MFWDLOAD=0,4097", 860)              # package + 152 KiB
    s.err("AT+MFWDLOAD=0,0", 853)
    s.err("AT+MFWDLOAD=512,100", 853)
    s.err('AT+MFWDLOAD=0,1,"00"', 853)            # no hex path on ML307R-DC
    s.transparent(b"z" * 4096)                    # fits exactly
    # the host stops sending: the module gives up
    s.transparent(b"abc", expect=None, length=10)
    t0 = time.time()
    eq(s.cmd_wait_final()[1], "+CME ERROR: 853", "transparent timeout")
    check(time.time() - t0 > 0.3, "after the idle limit")
    s.ok("AT")
    s.transparent(image(b"m", kind="mini", size=64),
                  expect="+CME ERROR: 859")


def test_dc_upgrade_and_rollback(tmp):
    s = sim(tmp)
    s.ok("ATE0")
    # a differential package for another base version fails and rolls back
    s.transparent(image(b"d", version="DC-2", base="OTHER", size=5000))
    s.send("AT+MFWUPGRADE\r")
    eq(s.raw(0.1), b"", "ML307R-DC prints no OK")
    s.reopen()
    s.wait(r"^\+MATREADY$")
    s.wait(r"^\+MFWUPGRADE: 3$")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["ML307R-DC-MBRH0S01"], "rolled back")
    s.err("AT+MFWUPGRADE", 851)                   # no package, no url
    s.transparent(image(b"d", version="DC-2", base="ML307R-DC-MBRH0S01",
                        size=5000))
    n_reboots = 0
    s.send("AT+MFWUPGRADE\r")
    s.reopen()
    n_reboots += 1
    s.wait(r"^\+MATREADY$")
    s.wait(r"^\+MFWUPGRADE: 2$")
    eq(s.raw(0.5), b"", "one reboot only, nothing after")
    eq(n_reboots, 1, "reboots")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-2"], "upgraded")


def test_no_trailer_keeps_version(tmp):
    s = sim(tmp, model="ML307R-DC")
    s.ok("ATE0")
    s.transparent(b"plain opaque bytes" * 10)
    s.send("AT+MFWUPGRADE\r")
    s.reopen()
    s.wait(r"^\+MFWUPGRADE: 2$")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["ML307R-DC-MBRH0S01"], "version unchanged")


TESTS = [test_hex_write, test_transparent_and_check, test_transparent_rules,
         test_dc_upgrade_and_rollback, test_no_trailer_keeps_version]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
