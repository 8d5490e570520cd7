#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Every family of SPEC section 4: what it accepts, what it refuses."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simlib import Fail, eq, image, run, sim  # noqa: E402

ALL = ["url", "auth", "timeout", "mode", "progind", "ssl", "pkgsize"]
NB = dict(hex=True, transparent=False, check=False, erase=True,
          special=False, schemes={"http", "https"}, keys=ALL)
SPECIAL = dict(hex=False, transparent=False, check=False, erase=False,
               special=True, keys=["url", "auth"])

# Written from the manual, independently of kernel/mfw_models.c.
FAMILIES = {
    "MN316-DBRS": NB,
    "MN316-S-DLVS": NB,
    "MN318-BX": dict(NB, schemes={"http"},
                     keys=[k for k in ALL if k != "ssl"]),
    "MN319-DL": NB,
    "ML305U-DBLN": dict(hex=False, transparent=True, check=True, erase=True,
                        special=False, schemes={"http", "https"},
                        keys=["url", "auth", "timeout", "progind", "ssl"]),
    "ML307R-DC": dict(hex=False, transparent=True, check=False, erase=True,
                      special=True, schemes={"http", "https"},
                      keys=["url", "auth", "timeout", "progind", "ssl"]),
    "ML307R-DL": dict(SPECIAL, schemes={"http", "https"}),
    "ML302A-DCLM": dict(SPECIAL, schemes={"http", "https"}),
    "ML302A-DSLM": dict(SPECIAL, schemes={"http", "https", "ftp"}),
    "ML302A-GSLM": dict(SPECIAL, schemes={"http", "https", "ftp"}),
    "ML305A-DC": dict(SPECIAL, schemes={"http", "https"}),
    "ML305A-DS": dict(SPECIAL, schemes={"http", "https", "ftp"}),
    "ML307A-DCLN": dict(SPECIAL, schemes={"http", "https"}),
    "ML307A-DSLN": dict(SPECIAL, schemes={"http", "https", "ftp"}),
    "ML307A-GSLN": dict(SPECIAL, schemes={"http", "https", "ftp"}),
    "ML307A-DL": dict(SPECIAL, schemes={"http", "https"}),
    "ML302S-DNLM": dict(SPECIAL, schemes={"http", "ftp"}),
    "ML307S-DNLM": dict(SPECIAL, schemes={"http", "ftp"}),
}

VALUES = {"timeout": ("60", "29", "181"), "mode": ("1", "2", "-1"),
          "progind": ("2048", "1000", "x"), "ssl": ("4", "5", "-1"),
          "pkgsize": ("1024", "1000", "3584")}


def family(tmp, name, f):
    s = sim(tmp, model=name, state=False, boot_ms=10, name=name)
    s.ok("ATE0")
    # configuration keys and ranges
    for key in ALL:
        if key in f["keys"]:
            s.ok('AT+MFWCFG="%s"' % key)
        else:
            s.err('AT+MFWCFG="%s"' % key, 851)
    for key, (good, bad1, bad2) in VALUES.items():
        if key not in f["keys"]:
            s.err('AT+MFWCFG="%s",%s' % (key, good), 851)
            continue
        if name.startswith("MN318") and key == "pkgsize":
            s.err('AT+MFWCFG="pkgsize",1024', 851)
            s.ok('AT+MFWCFG="pkgsize",512')
        else:
            s.ok('AT+MFWCFG="%s",%s' % (key, good))
            eq(s.ok('AT+MFWCFG="%s"' % key),
               ['+MFWCFG: "%s",%s' % (key, good)], name + " " + key)
        s.err('AT+MFWCFG="%s",%s' % (key, bad1), 851)
        s.err('AT+MFWCFG="%s",%s' % (key, bad2), 851)
    s.ok('AT+MFWCFG="timeout",30') if "timeout" in f["keys"] else None
    s.ok('AT+MFWCFG="auth","u","p"')
    s.err('AT+MFWCFG="auth","%s","p"' % ("u" * 49), 851)
    s.err('AT+MFWCFG="url","http://h/%s"' % ("x" * 250), 851)
    s.err('AT+MFWCFG="bogus",1', 851)
    # URL schemes
    for scheme in ["http", "https", "ftp", "ftps", "file"]:
        c = 'AT+MFWCFG="url","%s://127.0.0.1/fw.bin"' % scheme
        if scheme in f["schemes"]:
            s.ok(c)
        else:
            s.err(c, 852)
    s.err('AT+MFWCFG="url","127.0.0.1/fw.bin"', 852)
    # which commands exist
    has_dload = f["hex"] or f["transparent"] or not f["special"] or \
        name == "ML307R-DC"
    for c, present in [("AT+MFWCHECK=0", f["check"]),
                       ("AT+MFWERASE", f["erase"]),
                       ("AT+MFWDLOAD?", has_dload)]:
        _, final = s.cmd(c)
        if present:
            if final == "ERROR":
                raise Fail("%s: %s missing" % (name, c))
        else:
            eq(final, "ERROR", "%s: %s must not exist" % (name, c))
    # the write paths
    if has_dload:
        if f["erase"]:
            s.ok("AT+MFWERASE")
        c = 'AT+MFWDLOAD=0,2,"0102"'
        if f["hex"]:
            s.ok(c)
            s.err('AT+MFWDLOAD=2,513,"%s"' % ("00" * 513), 853)
        else:
            s.err(c, 853)
        if f["transparent"]:
            s.transparent(b"\x01\x02\x03")
            s.err("AT+MFWDLOAD=3,10", 853)      # offset 0 only
        else:
            s.err("AT+MFWDLOAD=2,10", 853)
    if f["special"] and not has_dload or name == "ML307R-DC":
        if name == "ML307R-DC":
            s.ok("AT+MFWERASE")     # no stored package: special mode
        s.ok('AT+MFWCFG="url",""') if False else None
    _, final = s.cmd("AT+MFWUPGRADE=?")
    eq(final, "OK", name + " MFWUPGRADE=?")
    s.stop()


def make(name, f):
    def t(tmp):
        family(tmp, name, f)
    t.__name__ = "test_" + name.replace("-", "_")
    return t


def test_special_needs_url(tmp):
    s = sim(tmp, model="ML307A-DCLN", state=False)
    s.ok("ATE0")
    s.err("AT+MFWUPGRADE", 851)
    s.ok("AT+CFUN=0")
    s.ok('AT+MFWCFG="url","http://127.0.0.1:9/fw"')
    s.err("AT+MFWUPGRADE", 857)


def test_nb_needs_erase(tmp):
    s = sim(tmp, model="MN316", state=False)
    s.ok("ATE0")
    s.err('AT+MFWDLOAD=0,1,"01"', 853)
    s.ok("AT+MFWERASE")
    s.ok('AT+MFWDLOAD=0,1,"01"')
    s.err('AT+MFWDLOAD=0,1,"01"', 853)          # restart needs an erase
    s.ok("AT+MFWERASE")
    bad = bytearray(image(b"nb", version="NB-9", size=600))
    bad[10] ^= 1                                # md5 in the trailer fails
    s.hex_write(bytes(bad), quoted=False)
    s.err("AT+MFWUPGRADE", 854)                 # checked before it starts
    s.ok("AT+MFWERASE")
    s.err("AT+MFWUPGRADE", 854)                 # nothing to apply
    eq(s.ok("AT+CGMR"), ["MN316-DBRS-MBRH0S01"], "version unchanged")
    img = image(b"nb", version="NB-2", size=700)
    s.hex_write(img)
    s.ok("AT+MFWUPGRADE")
    s.reopen()
    s.wait(r"^\+MATREADY$")
    s.wait(r"^\+MFWUPGRADE: 2$")
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["NB-2"], "version after NB upgrade")


TESTS = [make(n, f) for n, f in FAMILIES.items()] + [
    test_special_needs_url, test_nb_needs_erase]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
