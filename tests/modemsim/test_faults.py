#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""Fault injection: every error code, garbage, stalls, disconnects, data."""

import hashlib
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simlib import SIM, HttpServer, check, eq, image, run, sim  # noqa: E402


def test_every_error_code(tmp):
    faults = ["error=%d@cmd=MFWERASE#%d" % (c, c - 849)
              for c in range(850, 861)]
    faults.append("error@cmd=CGMI")
    s = sim(tmp, args=sum((["--fault", f] for f in faults), []))
    s.ok("ATE0")
    for c in range(850, 861):
        s.err("AT+MFWERASE", c)
    s.ok("AT+MFWERASE")                           # faults fire once
    eq(s.cmd("AT+CGMI"), ([], "ERROR"), "no code: a plain ERROR")
    eq(s.ok("AT+CGMI"), ["CMCC"], "once only")
    s.ok("AT+CMEE=2")
    path = os.path.join(tmp, "faults")
    open(path, "w").write("# one per line\nerror=857@cmd=CGMR\n\n")
    s.stop()
    s.args = ["--faults", path]
    s.start()
    s.ok("ATE0")
    s.ok("AT+CMEE=2")
    eq(s.cmd("AT+CGMR")[1], "+CME ERROR: no network", "verbose, from file")


def test_garbage_urc_stall(tmp):
    s = sim(tmp, args=["--fault", "garbage@cmd=CGMR",
                       "--fault", "urc=+CEREG: 5@cmd=AT#2",
                       "--fault", "stall=400@cmd=CGMI",
                       "--fault", "stall@cmd=CGMM"])
    s.ok("ATE0")
    lines, final = s.cmd("AT+CGMR")
    eq(final, "OK", "result after garbage")
    check("+CEREG: 1" in lines and "ML307R-DC-MBRH0S01" in lines,
          "stray URC and the answer: %r" % lines)
    s.ok("AT")
    eq(s.ok("AT"), ["+CEREG: 5"], "scripted URC before the result")
    t0 = time.time()
    s.ok("AT+CGMI")
    check(time.time() - t0 >= 0.35, "stalled answer")
    s.send("AT+CGMM\r")
    eq(s.raw(0.5), b"", "stalled for good")
    s.send("AT\r")
    eq(s.raw(0.3), b"", "nothing gets through a stalled module")
    check(s.alive(), "alive")


def test_disconnect(tmp):
    s = sim(tmp, boot_ms=200, args=["--fault", "disconnect@cmd=MFWCHECK"])
    s.ok("ATE0")
    s.send("AT+MFWCHECK=0\r")
    s.wait_hangup()
    s.reopen()
    s.send("AT\r")
    eq(s.cmd_wait_final()[1], "OK", "port back, no reboot")


def test_drop_and_corrupt(tmp):
    data = os.urandom(3000)
    s = sim(tmp, model="ML305U", args=["--fault", "corrupt=2@offset=100",
                                       "--fault", "drop=1@offset=2000",
                                       "--transparent-timeout-ms", "300"])
    s.ok("ATE0")
    s.transparent(data, expect=None)
    # one byte lost on the way: the module waits for it, then gives up
    eq(s.cmd_wait_final()[1], "+CME ERROR: 853", "dropped byte")
    s.ok("AT+MFWERASE")
    s.transparent(data)
    # corruption already fired; now the package is intact
    eq(s.ok("AT+MFWCHECK=0"),
       ["+MFWCHECK: " + hashlib.md5(data).hexdigest().upper()], "intact")


def test_corrupt_detected_by_check(tmp):
    data = os.urandom(2000)
    s = sim(tmp, model="ML305U", args=["--fault", "corrupt=1@offset=5"])
    s.ok("ATE0")
    s.transparent(data)
    h = s.ok("AT+MFWCHECK=2")[0]
    check(h != "+MFWCHECK: " + hashlib.sha256(data).hexdigest().upper(),
          "corruption shows in the digest")


def test_write_error_ends_transparent(tmp):
    s = sim(tmp, args=["--fault", "error=853@offset=100"])
    s.ok("ATE0")
    s.transparent(b"A" * 100 + b"AT+CGMR\r" + b"B" * 92, expect=None)
    eq(s.cmd_wait_final()[1], "+CME ERROR: 853", "write error")
    # the rest of the bytes are read as commands again
    s.wait("MBRH0S01")
    s.ok("AT")


def test_stall_holds_the_transparent_verdict(tmp):
    data = os.urandom(2000)
    s = sim(tmp, model="ML305U", args=["--fault", "stall=600@offset=1999"])
    s.ok("ATE0")
    t0 = time.time()
    s.transparent(data, expect=None)
    s.send("AT\r")
    eq(s.raw(0.3), b"", "no verdict, and no answer to a command, yet")
    eq(s.cmd_wait_final()[1], "OK", "the verdict, late")
    check(time.time() - t0 >= 0.55, "the verdict waited for the stall")
    eq(s.cmd_wait_final()[1], "OK", "the command sent meanwhile runs after")
    eq(s.ok("AT+MFWCHECK=0"),
       ["+MFWCHECK: " + hashlib.md5(data).hexdigest().upper()], "whole")


def test_remote_cut(tmp):
    img = image(b"c", size=5000)
    srv = HttpServer({"/c": img})
    s = sim(tmp, args=["--fault", "cut@offset=2100"])
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/c"))
    s.ok("AT+MFWDLOAD")
    eq(s.wait(r"^\+MFWDLOAD"), "+MFWDLOAD: 3,5000,2100", "cut at 2100")
    eq(s.wait(r"^\+MFWDLOAD"), "+MFWDLOAD: 0", "resumable")
    s.ok("AT+MFWDLOAD")
    s.wait(r"^\+MFWDLOAD: 2,5000,5000$")
    srv.stop()


def test_lost_and_glued_reports(tmp):
    """The final report of a download lost, then glued to another line;
    the module's answer to AT+MFWDLOAD? still tells the outcome."""
    img = image(b"l", size=3000)
    srv = HttpServer({"/l": img})
    s = sim(tmp, args=["--fault", "lose@report=MFWDLOAD: 2",
                       "--fault", "glue=+CEREG: 1,1@report=+MFWDLOAD: 2#2"])
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","%s"' % srv.url("/l"))
    s.ok("AT+MFWDLOAD")
    eq(s.raw(1.5), b"", "the final report is lost")
    eq(s.ok("AT+MFWDLOAD?"), ["+MFWDLOAD: 2,3000,3000"], "the query tells: done")
    s.ok("AT+MFWERASE")
    s.ok("AT+MFWDLOAD")
    eq(s.wait(r"MFWDLOAD"), "+CEREG: 1,1+MFWDLOAD: 2,3000,3000",
       "the second final report comes glued after another URC")
    eq(s.ok("AT+MFWDLOAD?"), ["+MFWDLOAD: 2,3000,3000"], "the query tells: done")
    srv.stop()


def test_sms_during_a_command(tmp):
    """A text-mode SMS (no <length>; without a SIM card there is no PDU
    mode) of several lines during a command: in its own burst 1 s before
    the answer, or glued to the answer."""
    s = sim(tmp, args=["--fault", r"sms=hi\r\nOK\r\n+MATREADY@cmd=CGMR",
                       "--fault", r"sms-burst=OK@cmd=CGMI"])
    s.ok("ATE0")
    header = b'\r\n+CMT: "+10000000000",,"26/11/30,08:00:00+32"\r\n'
    s.send("AT+CGMR\r")
    t0 = time.time()
    first = s.upto(header + b"hi\r\nOK\r\n+MATREADY\r\n", settle=0.15)
    eq(first, header + b"hi\r\nOK\r\n+MATREADY\r\n",
       "the message in one burst, nothing after it for 150 ms")
    rest = s.upto(b"\r\nML307R-DC-MBRH0S01\r\n\r\nOK\r\n")
    check(time.time() - t0 >= 0.95, "the answer 1 s after the message")
    eq(rest, b"\r\nML307R-DC-MBRH0S01\r\n\r\nOK\r\n", "then the answer")
    s.send("AT+CGMI\r")
    eq(s.upto(header + b"OK\r\n\r\nCMCC\r\n\r\nOK\r\n", timeout=0.25),
       header + b"OK\r\n\r\nCMCC\r\n\r\nOK\r\n",
       "sms-burst: the message and the answer at once")
    eq(s.ok("AT+CGMR"), ["ML307R-DC-MBRH0S01"], "each fires once")


# TS 23.038 6.2.1: the GSM 7-bit default alphabet, septet by septet, and
# the characters of its extension table (6.2.1.1) that follow an escape.
GSM7 = ("@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\x1bÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà")
GSM7_EXT = {0x0A: "\f", 0x14: "^", 0x28: "{", 0x29: "}", 0x2F: "\\",
            0x3C: "[", 0x3D: "~", 0x3E: "]", 0x40: "|", 0x65: "€"}


def sms_deliver(hexline):
    """An SMSC address and an SMS-DELIVER TPDU (TS 23.040 9.2.2.1) in hex:
    (TPDU length in octets, originator, PID, DCS, time stamp, text)."""
    eq(len(GSM7), 128, "the alphabet table")
    pdu = bytes.fromhex(hexline)
    tpdu = pdu[1 + pdu[0]:]
    first = tpdu[0]
    eq(first & 0x03, 0, "TP-MTI: an SMS-DELIVER")
    eq(first & 0x40, 0, "TP-UDHI: no user data header")
    digits, toa = tpdu[1], tpdu[2]
    n = (digits + 1) // 2
    semi = tpdu[3:3 + n].hex().upper()
    oa = "".join(semi[i + 1] + semi[i] for i in range(0, len(semi), 2))
    check(oa[digits:] in ("", "F"), "F-padded address: %r" % oa)
    oa = ("+" if toa == 0x91 else "") + oa[:digits]
    pos = 3 + n
    pid, dcs, scts, udl = (tpdu[pos], tpdu[pos + 1], tpdu[pos + 2:pos + 9],
                           tpdu[pos + 9])
    ud = tpdu[pos + 10:]
    eq(len(ud), (udl * 7 + 7) // 8, "user data: TP-UDL septets, packed")
    bits = int.from_bytes(ud, "little")
    text, esc = "", False
    for i in range(udl):
        c = (bits >> (7 * i)) & 0x7F
        if esc:
            text += GSM7_EXT[c]
            esc = False
        elif c == 0x1B:
            esc = True
        else:
            text += GSM7[c]
    check(not esc, "no escape left open")
    return len(tpdu), oa, pid, dcs, scts.hex(), text


def sms_arg(text):
    """text as a fault's <text>: CR and LF written \\r and \\n."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def test_sms_pdu_mode(tmp):
    """With a SIM card the message comes in the mode AT+CMGF selects: in
    PDU mode, the default, +CMT: ,<length> and the PDU in hex on one line,
    so that lines inside the text never show on the wire; in text mode as
    without a SIM card."""
    body = "hi\r\n+MFWUPGRADE: 2"
    # the longest message: 160 septets, with the characters that are not
    # where ASCII has them and those of the extension table (two each)
    full = "Price 5$ @home_now {a|b} [c] ~^\\ end\r\n"
    full += "z" * (160 - len(full) - sum(c in "^{}\\[~]|" for c in full))
    s = sim(tmp, args=["--sms", "0",
                       "--fault", "sms=%s@cmd=CGMR" % sms_arg(body),
                       "--fault", "sms-burst=%s@cmd=CGMI" % sms_arg(full),
                       "--fault", "sms-burst=OK@cmd=CGMM"])
    s.ok("ATE0")
    eq(s.ok("AT+CMGF?"), ["+CMGF: 0"], "PDU mode by default")
    pdu = re.compile(rb"\r\n\+CMT: ,(\d+)\r\n([0-9A-F]+)\r\n")
    s.send("AT+CGMR\r")
    t0 = time.time()
    first = s.raw(0.6)
    m = pdu.fullmatch(first)
    check(m, "+CMT: ,<length>, then the PDU, alone: %r" % first)
    rest = s.upto(b"\r\nML307R-DC-MBRH0S01\r\n\r\nOK\r\n")
    check(time.time() - t0 >= 0.95, "the answer 1 s after the message")
    eq(rest, b"\r\nML307R-DC-MBRH0S01\r\n\r\nOK\r\n", "then the answer")
    check(b"MFWUPGRADE" not in first + rest,
          "no line of the text on the wire: %r" % (first + rest))
    length, oa, pid, dcs, scts, text = sms_deliver(m.group(2).decode())
    eq(int(m.group(1)), length, "<length>: the TPDU's octets")
    eq((oa, pid, dcs, scts), ("+10000000000", 0, 0, "62110380000023"),
       "originator, PID, DCS (GSM 7-bit), time stamp")
    eq(text, body, "the text, lines and all")

    s.send("AT+CGMI\r")
    t0 = time.time()
    got = until(s, b"\r\nCMCC\r\n\r\nOK\r\n", 2)
    check(time.time() - t0 < 0.9, "sms-burst: at once")
    m = re.fullmatch(pdu.pattern + rb"\r\nCMCC\r\n\r\nOK\r\n", got)
    check(m, "sms-burst: the message and the answer in one burst: %r" % got)
    length, oa, _, _, _, text = sms_deliver(m.group(2).decode())
    eq(int(m.group(1)), length, "<length> of the longest message")
    eq(length, 19 + 140, "160 septets in 140 octets")
    eq(text, full, "160 septets, escapes and all")

    s.ok("AT+CMGF=1")
    header = b'\r\n+CMT: "+10000000000",,"26/11/30,08:00:00+32"\r\n'
    s.send("AT+CGMM\r")
    eq(s.upto(header + b"OK\r\n\r\nML307R-DC\r\n\r\nOK\r\n", timeout=0.5),
       header + b"OK\r\n\r\nML307R-DC\r\n\r\nOK\r\n",
       "after AT+CMGF=1: a text-mode message")


def test_sms_pdu_mode_at_any_point(tmp):
    """In PDU mode too, a message comes in the middle of a package and
    while flashing, each as +CMT: ,<length> and one line of hex whose
    text (reports and OK here) never shows on the wire; after the reboot
    the module is in PDU mode again (AT+CMGF is not stored)."""
    during, flashing = "OK\r\n+MFWUPGRADE: 3", "+MATREADY"
    s = sim(tmp, boot_ms=300,
            args=["--uart", "--sms", "0",
                  "--fault", "sms=%s@offset=1000" % sms_arg(during),
                  "--fault", "sms=%s@upgrade=50" % sms_arg(flashing)])
    s.ok("ATE0")
    pdu = re.compile(rb"\r\n\+CMT: ,(\d+)\r\n([0-9A-F]+)\r\n")
    s.transparent(image(b"p", version="DC-PDU", size=2000), expect=None)
    got = until(s, b"\r\nOK\r\n", 5)
    m = pdu.search(got)
    check(m, "a PDU-mode message during the package: %r" % got)
    length, _, _, _, _, text = sms_deliver(m.group(2).decode())
    eq((int(m.group(1)), text), (length, during), "its length and text")
    check(b"MFWUPGRADE" not in got, "no line of it on the wire: %r" % got)
    eq(got[m.end():], b"\r\nOK\r\n", "then the write's OK")
    s.send("AT+MFWUPGRADE\r")
    boot = until(s, b"+MFWUPGRADE: 2\r\n", 10)
    m = pdu.search(boot)
    check(m and m.start() < boot.index(b"+MATREADY"),
          "a PDU-mode message while flashing: %r" % boot)
    eq(sms_deliver(m.group(2).decode())[5], flashing, "its text")
    eq(boot.count(b"+MATREADY"), 1, "one +MATREADY, the boot's: %r" % boot)
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-PDU"], "new version")
    s.ok("AT+CMGF=1")
    s.send("AT+MREBOOT=0\r")
    eq(s.wait(r"^\+MATREADY$", 5), "+MATREADY", "rebooted")
    s.ok("ATE0")
    eq(s.ok("AT+CMGF?"), ["+CMGF: 0"], "PDU mode again after a reboot")


def test_ring_at_any_point(tmp):
    """RING, a line of its own, at a command, in the middle of a package
    and while flashing; the upgrade goes on."""
    s = sim(tmp, boot_ms=300,
            args=["--uart", "--fault", "ring@cmd=CGMR",
                  "--fault", "ring@offset=1000",
                  "--fault", "ring@upgrade=50"])
    s.ok("ATE0")
    s.send("AT+CGMR\r")
    s.answers(b"\r\nRING\r\n\r\nML307R-DC-MBRH0S01\r\n\r\nOK\r\n",
              "RING before the answer")
    s.transparent(image(b"r", version="DC-RING", size=2000), expect=None)
    got = until(s, b"\r\nOK\r\n", 5)
    eq(got, b"\r\nRING\r\n\r\nOK\r\n", "RING during the package, then OK")
    s.send("AT+MFWUPGRADE\r")
    boot = until(s, b"+MFWUPGRADE: 2\r\n", 10)
    check(b"\r\nRING\r\n" in boot, "RING while flashing: %r" % boot)
    check(boot.index(b"\r\nRING\r\n") < boot.index(b"+MATREADY"),
          "before the reboot: %r" % boot)
    check(boot.endswith(b"\r\n+MFWUPGRADE: 2\r\n"),
          "the upgrade still succeeds: %r" % boot)
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-RING"], "new version")


def until(s, marker, timeout):
    """The bytes that arrive until marker is among them (or timeout s)."""
    out = b""
    end = time.time() + timeout
    while marker not in out and time.time() < end:
        out += s.raw(0.2)
    return out


def test_talk_at_any_point(tmp):
    """An SMS or a URC in the middle of a package, and line noise and an
    SMS while flashing: the noise opens the next line the module sends,
    here the +MATREADY of its reboot."""
    s = sim(tmp, boot_ms=300,
            args=["--uart", "--fault", r"sms=hi\r\nthere@offset=1000",
                  "--fault", "urc=+CEREG: 1,5@offset=1500",
                  "--fault", "sms=flashing@upgrade=50",
                  "--fault", "noise=5@upgrade=100"])
    s.ok("ATE0")
    header = b'\r\n+CMT: "+10000000000",,"26/11/30,08:00:00+32"\r\n'
    s.transparent(image(b"t", version="DC-TALK", size=2000), expect=None)
    got = until(s, b"\r\nOK\r\n", 5)
    check(header + b"hi\r\nthere\r\n" in got, "the SMS during the package: %r" % got)
    check(b"\r\n+CEREG: 1,5\r\n" in got, "the URC during the package: %r" % got)
    check(got.endswith(b"\r\nOK\r\n"), "then the write's OK: %r" % got)
    s.send("AT+MFWUPGRADE\r")
    boot = until(s, b"+MFWUPGRADE: 2\r\n", 10)
    check(header + b"flashing\r\n" in boot, "the SMS while flashing: %r" % boot)
    check(b"\xff\xfe\x00\xf0\x80\r\n+MATREADY\r\n" in boot or
          b"\xff\xfe\x00\xf0\x80+MATREADY\r\n" in boot,
          "5 bytes of noise open the reboot's first line: %r" % boot)
    check(b"+MFWUPGRADE: 2\r\n" in boot, "the upgrade still succeeds: %r" % boot)
    s.ok("ATE0")
    eq(s.ok("AT+CGMR"), ["DC-TALK"], "new version")


def test_bad_fault_spec(tmp):
    for spec in ["error=849@cmd=AT", "bogus@cmd=AT", "drop=1@nowhere",
                 "error=850", "powerloss@upgrade=101", "error@offset=10",
                 "lose@cmd=CGMR", "glue=x@offset=5", "drop=1@report=MFWDLOAD",
                 "lose@report=", "lose@report=MFWDLOAD#0",
                 # while flashing there is no data to drop or stall
                 "drop=1@upgrade=50", "stall=100@upgrade=10",
                 "disconnect@upgrade=20", "cut@upgrade=30"]:
        r = subprocess.run([SIM, "--fault", spec, "--pty",
                            os.path.join(tmp, "x")], capture_output=True,
                           timeout=10)
        eq(r.returncode, 2, "bad spec %s" % spec)
    # An SMS body is one message in the GSM 7-bit default alphabet, in
    # either mode: no character outside it, 160 septets at most.
    for spec, why in [("sms=a`b@cmd=AT", "GSM 7-bit default alphabet"),
                      ("sms-burst=café@cmd=AT", "GSM 7-bit default alphabet"),
                      ("sms=tab\there@offset=10", "GSM 7-bit default alphabet"),
                      ("sms=" + "x" * 161 + "@cmd=AT", "161 septets"),
                      ("sms-burst=" + "{" * 80 + "x@upgrade=5", "161 septets")]:
        r = subprocess.run([SIM, "--fault", spec, "--pty",
                            os.path.join(tmp, "x")], capture_output=True,
                           timeout=10)
        eq(r.returncode, 2, "bad SMS %s" % spec)
        check(why in r.stderr.decode(), "why %s: %r" % (spec, r.stderr))


TESTS = [test_every_error_code, test_garbage_urc_stall, test_disconnect,
         test_drop_and_corrupt, test_corrupt_detected_by_check,
         test_write_error_ends_transparent,
         test_stall_holds_the_transparent_verdict, test_remote_cut,
         test_lost_and_glued_reports, test_sms_during_a_command,
         test_sms_pdu_mode, test_sms_pdu_mode_at_any_point,
         test_ring_at_any_point,
         test_talk_at_any_point, test_bad_fault_spec]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
