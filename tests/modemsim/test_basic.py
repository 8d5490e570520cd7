#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""AT framing, basics, robustness against bad input."""

import os
import re
import select
import signal
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from simlib import SIM, Fail, check, eq, run, sim  # noqa: E402


def test_framing_and_echo(tmp):
    s = sim(tmp)
    s.send("AT\r")
    s.answers(b"AT\r\r\nOK\r\n", "echo on by default, CRLF framing")
    s.send("at\r")
    s.answers(b"at\r\r\nOK\r\n", "lower case")
    s.send("ATE0\r")
    s.answers(b"ATE0\r\r\nOK\r\n", "ATE0 itself is echoed")
    s.send("AT\r")
    s.answers(b"\r\nOK\r\n", "no echo after ATE0")
    s.send("AT\r\n")
    s.answers(b"\r\nOK\r\n", "CRLF terminator: one command")
    s.send("AT\n")
    s.answers(b"\r\nOK\r\n", "LF terminator")
    s.send("ATE1\r")
    # echo was off while ATE1 arrived, so ATE1 itself is not echoed
    s.answers(b"\r\nOK\r\n", "ATE1")
    s.send("AT+CGMR\r")
    s.answers(b"AT+CGMR\r\r\nML307R-DC-MBRH0S01\r\n\r\nOK\r\n", "CGMR")


def test_basics(tmp):
    s = sim(tmp, model="ML307A-DSLN")
    s.ok("ATE0")
    eq(s.ok("ATI"), ["CMCC", "ML307A-DSLN", "Revision: ML307A-DSLN-MBRH0S01"],
       "ATI")
    eq(s.ok("AT+CGMI"), ["CMCC"], "CGMI")
    eq(s.ok("AT+CGMM"), ["ML307A-DSLN"], "CGMM")
    imei = s.ok("AT+CGSN")
    eq(len(imei), 1, "CGSN answers one line")
    imei = imei[0]
    check(len(imei) == 15 and imei.isdigit(), "IMEI is 15 digits: %r" % imei)
    body = [int(c) for c in imei[:14]]
    total = sum(d if i % 2 == 0 else (2 * d if 2 * d < 10 else 2 * d - 9)
                for i, d in enumerate(body))
    eq(int(imei[14]), (10 - total % 10) % 10, "IMEI check digit")
    eq(s.ok("AT+GSN"), [imei], "GSN is CGSN")
    eq(s.ok("AT+CGSN=1"), ["+CGSN: " + imei], "CGSN=1: the IMEI by name")
    eq(s.ok("AT+CGSN=0"), [imei], "CGSN=0: the serial number")
    eq(s.cmd("AT+CGSN=7")[0], [], "CGSN=7: no such type")
    # NB-IoT firmware that answers a UUID to the bare command
    os.makedirs(tmp + "/uuid", exist_ok=True)
    u = sim(tmp + "/uuid", model="MN316", args=["--cgsn-uuid", "--imei", imei])
    u.ok("ATE0")
    bare = u.ok("AT+CGSN")
    check(len(bare) == 1 and len(bare[0]) == 36 and bare[0].count("-") == 4,
          "--cgsn-uuid: AT+CGSN answers a UUID: %r" % bare)
    eq(u.ok("AT+CGSN=1"), ["+CGSN: " + imei], "--cgsn-uuid: CGSN=1 the IMEI")
    # What ModemManager sends to tell what kind of modem it has: without
    # an answer to one of them it gives the modem up as failed, with
    # "unknown capabilities", and never reads its manufacturer or model.
    eq(s.ok("AT+GCAP"), ["+GCAP: +CGSM"], "GCAP: a 3GPP module")
    s.ok("AT+GCAP=?")
    eq(s.cmd("AT+CPIN?"), ([], "+CME ERROR: 10"), "CPIN: no SIM card")
    s.ok("AT+CPIN=?")
    s.ok("AT+CMEE=2")
    eq(s.cmd("AT+CPIN?"), ([], "+CME ERROR: SIM not inserted"),
       "CPIN under CMEE=2")
    s.ok("AT+CMEE=0")
    eq(s.cmd("AT+CPIN?"), ([], "ERROR"), "CPIN under CMEE=0")
    s.ok("AT+CMEE=1")
    eq(s.cmd("AT+FOO")[1], "ERROR", "unknown command")
    eq(s.cmd("ATX")[1], "ERROR", "unknown basic command")
    eq(s.cmd("AT+CGMR=1")[1], "ERROR", "set form of CGMR")
    s.ok("AT+CGMR=?")
    eq(s.ok("AT+CMEE?"), ["+CMEE: 1"], "CMEE default")
    eq(s.ok("AT+CMEE=?"), ["+CMEE: (0-2)"], "CMEE test")
    eq(s.cmd("AT+CMEE=3")[1], "ERROR", "CMEE range")


FINAL_BYTES = re.compile(rb"\r\n(OK|ERROR|\+CME ERROR: [^\r]*)\r\n$")


def test_identification_g_forms(tmp):
    """The V.250 identification commands (+GMI, +GMM, +GMR, +GSN) answer
    byte for byte as their 3GPP TS 27.007 twins (+CGMI, +CGMM, +CGMR,
    +CGSN), in every form, with echo on and off."""
    s = sim(tmp, model="ML305U", args=["--version", "ML305U-TWIN-01"])
    pairs = [("+CGMI", "+GMI"), ("+CGMM", "+GMM"), ("+CGMR", "+GMR"),
             ("+CGSN", "+GSN")]
    wants = {"+CGMI": "CMCC", "+CGMM": "ML305U-DBLN",
             "+CGMR": "ML305U-TWIN-01"}

    def answer(cmd, echo):
        """The bytes up to the final result, and any that follow soon,
        the echo checked and left out."""
        s.send("AT%s\r" % cmd)
        out = b""
        end = time.time() + 5
        while not FINAL_BYTES.search(out) and time.time() < end:
            out += s.read(end - time.time()) or b""
        out += s.raw(0.05)
        if echo:
            eq(out[:len(cmd) + 3], b"AT%s\r" % cmd.encode(), "echo")
            out = out[len(cmd) + 3:]
        return out

    for echo in (True, False):
        for c, g in pairs:
            want = answer(c, echo)
            if c in wants:
                eq(want, b"\r\n%s\r\n\r\nOK\r\n" % wants[c].encode(),
                   "AT%s answers" % c)
            else:
                check(re.fullmatch(rb"\r\n\d{15}\r\n\r\nOK\r\n", want),
                      "AT+CGSN: the IMEI: %r" % want)
            eq(answer(g, echo), want, "AT%s answers as AT%s" % (g, c))
            # (+CGSN=<snt> is 27.007's alone: V.250 gives +GSN no value)
            for form in ("=?", "?") + (("=1",) if g != "+GSN" else ()):
                eq(answer(g + form, echo), answer(c + form, echo),
                   "AT%s%s answers as AT%s%s" % (g, form, c, form))
        s.ok("ATE0")


def unpack7(octets, septets):
    """GSM 7-bit packed user data (TS 23.038 6.1.2.1.1) as text."""
    bits = int.from_bytes(octets, "little")
    return "".join(chr((bits >> (7 * i)) & 0x7f) for i in range(septets))


def test_sms(tmp):
    s = sim(tmp, args=("--sms", "24"))
    s.ok("ATE0")
    eq(s.ok("AT+CPIN?"), ["+CPIN: READY"], "a SIM card is fitted")
    eq(s.ok("AT+CMGF?"), ["+CMGF: 0"], "PDU mode by default")
    eq(s.ok("AT+CMGL"), [], "none unread: the default status")
    pdus = s.ok("AT+CMGL=4")
    eq(len(pdus), 48, "PDU mode: a header and a PDU per message")
    eq(pdus[0], "+CMGL: 1,1,,%d" % (len(pdus[1]) // 2 - 1), "PDU header")
    pdu = bytes.fromhex(pdus[1])
    eq(pdu[0], 0, "no SMSC address")
    eq(pdu[1], 0x04, "an SMS-DELIVER, no more messages to send")
    digits = pdu[2]
    oa = pdu[4:4 + (digits + 1) // 2].hex()
    oa = "".join(oa[i + 1] + oa[i] for i in range(0, len(oa), 2))[:digits]
    eq((pdu[3], oa), (0x91, "10000000001"), "international originator")
    rest = pdu[4 + (digits + 1) // 2:]
    eq(rest[:2], b"\0\0", "PID 0, DCS 0 (7-bit)")
    eq(rest[2:9].hex(), "62110380000023", "time stamp 26/11/30 08:00:00 +8h")
    text = unpack7(rest[10:], rest[9])
    eq(text, "mfw-modemsim stored message 1: the quick brown fox jumps "
       "over the lazy dog", "PDU body")
    eq(s.cmd('AT+CMGL="ALL"')[1], "+CMS ERROR: 304", "text status in PDU mode")
    s.ok("AT+CMGF=1")
    lines = s.ok('AT+CMGL="ALL"')
    eq(len(lines), 48, "text mode: a header and a body per message")
    eq(lines[46], '+CMGL: 24,"REC READ","+10000000001",,"26/11/30,08:00:00+32"',
       "text header")
    eq(lines[47], "mfw-modemsim stored message 24: the quick brown fox jumps "
       "over the lazy dog", "text body")
    size = sum(len(x) + 4 for x in lines)
    check(size > 3072, "24 messages make more than 3 KiB: %d" % size)
    eq(len(s.ok('AT+CMGL="REC READ"')), 48, "every message is read")
    eq(s.ok('AT+CMGL="REC UNREAD"'), [], "none unread")
    eq(s.cmd('AT+CMGL="BOGUS"')[1], "+CMS ERROR: 305", "bad text status")
    eq(s.cmd("AT+CMGF=2")[1], "ERROR", "CMGF range")
    s.ok("AT+CMGL=?")
    for bad in ("256", "4294967297", "-1", "x", ""):
        r = subprocess.run([SIM, "--sms", bad, "--pty", tmp + "/bad"],
                           capture_output=True, timeout=10)
        eq(r.returncode, 2, "--sms %r refused" % bad)
    bare = sim(tmp, name="bare")
    bare.ok("ATE0")
    eq(bare.cmd("AT+CMGF=1")[1], "+CMS ERROR: 310", "no SIM card: no SMS")
    eq(bare.cmd('AT+CMGL="ALL"')[1], "+CMS ERROR: 310", "no SIM card: no list")


def test_cmee(tmp):
    s = sim(tmp)
    s.ok("ATE0")
    s.err('AT+MFWCFG="timeout",10', 851)
    s.ok("AT+CMEE=0")
    eq(s.cmd('AT+MFWCFG="timeout",10')[1], "ERROR", "CMEE=0")
    s.ok("AT+CMEE=2")
    eq(s.cmd('AT+MFWCFG="timeout",10')[1],
       "+CME ERROR: configuration error", "CMEE=2 verbose")
    eq(s.cmd('AT+MFWCFG="url","gopher://x"')[1],
       "+CME ERROR: URL type error", "CMEE=2 verbose 852")
    # ATZ: the stored profile again, echo on and numeric codes
    s.ok("AT+CMEE=0")
    s.send("ATZ\r")
    s.answers(b"\r\nOK\r\n", "ATZ")
    s.send("AT\r")
    s.answers(b"AT\r\r\nOK\r\n", "echo on after ATZ")
    s.ok("ATE0")
    s.err('AT+MFWCFG="timeout",10', 851)
    eq(s.cmd("ATZ=1")[1], "ERROR", "ATZ takes no value")


def test_reboot_pty(tmp):
    s = sim(tmp, boot_ms=300)
    s.ok("ATE0")
    old = s.target
    oldfd = os.dup(s.fd)
    s.send("AT+MREBOOT=0\r")
    s.wait("^OK$")
    s.wait("^REBOOTING$")
    t0 = time.time()
    try:
        os.read(oldfd, 100)
        hung = False
    except OSError:
        hung = True
    os.close(oldfd)
    check(hung, "the reboot hangs up the old pty")
    s.reopen()
    s.wait(r"^\+MATREADY$", 5)
    check(time.time() - t0 >= 0.25, "boot time honoured")
    check(s.target != old, "LINK re-pointed at a fresh pty")
    s.send("AT\r")
    s.answers(b"AT\r\r\nOK\r\n", "echo back on after reboot")
    eq(s.cmd("AT+MREBOOT=1")[1], "ERROR", "MREBOOT=1")


def test_reboot_fd(tmp):
    s = sim(tmp, transport="fd", boot_ms=300)
    check(s.ready.startswith("fd:"), "ready line names the fd")
    s.ok("ATE0")
    s.send("AT+MREBOOT=0\r")
    s.wait("^REBOOTING$")
    s.send("AT\r")
    eq(s.raw(0.2), b"", "silent while booting")
    s.wait(r"^\+MATREADY$", 3)
    s.ok("AT")


def test_bad_input(tmp):
    s = sim(tmp)
    s.ok("ATE0")
    s.send("AT+" + "A" * 65536 + "\r")
    eq(s.cmd_wait_final(5)[1], "ERROR", "64 KiB line")
    s.ok("AT")
    junk = bytes(range(256)) * 64
    s.send(junk.replace(b"\r", b"").replace(b"\n", b"") + b"\r")
    s.raw(0.5)
    s.ok("AT")
    s.send(os.urandom(20000))
    s.send("\r")
    s.raw(0.5)
    s.ok("AT")
    # half a command, then the rest much later
    s.send("AT+CG")
    eq(s.raw(0.3), b"", "half command: nothing yet")
    s.send("MR\r")
    s.lines = []
    s.wait("MBRH0S01")
    # a command one byte per write
    for c in b"AT+CGMR\r":
        s.send(bytes([c]))
        time.sleep(0.002)
    s.wait("MBRH0S01")
    s.wait("^OK$")
    # leading junk before the attention prefix
    s.ok("xx\x01AT")
    s.send("\r\r\r")
    eq(s.raw(0.3), b"", "empty lines get nothing")
    # V.250: "AT" or "at", never mixed
    s.ok("at")
    s.send("aT\r")
    eq(s.raw(0.3), b"", "aT is no attention prefix")
    s.send("At\r")
    eq(s.raw(0.3), b"", "At is no attention prefix")
    eq(s.cmd('AT+MFWCFG="url,"x')[1], "+CME ERROR: 851", "open quote")
    check(s.alive(), "still alive")


def test_list_models(tmp):
    out = subprocess.run([SIM, "--list-models"], capture_output=True,
                         check=True, text=True).stdout.splitlines()
    names = [l.split()[0] for l in out]
    for fam in ["MN316", "MN316-S", "MN318", "MN319", "ML302A", "ML305A",
                "ML307A", "ML302S", "ML307S", "ML305U", "ML307R-DC",
                "ML307R-DL"]:
        check(fam in names, "family %s listed" % fam)
    check("ML307A-GSLN" in " ".join(out), "sub-models listed")
    r = subprocess.run([SIM, "--model", "ML999", "--pty", tmp + "/x"],
                       capture_output=True, text=True)
    check(r.returncode == 2 and "unknown model" in r.stderr, "bad model")
    for bad in ["86999900123456", "869999001234560", "8699990012345x1"]:
        r = subprocess.run([SIM, "--imei", bad, "--pty", tmp + "/x"],
                           capture_output=True, text=True)
        check(r.returncode == 2 and "bad --imei" in r.stderr,
              "--imei %s refused: %r" % (bad, r.stderr))


def test_persistence(tmp):
    s = sim(tmp)
    s.ok("ATE0")
    s.ok('AT+MFWCFG="url","http://127.0.0.1:1/fw.bin"')
    s.ok('AT+MFWCFG="progind",4096')
    s.restart()
    s.ok("ATE0")
    eq(s.ok('AT+MFWCFG="url"'), ['+MFWCFG: "url","http://127.0.0.1:1/fw.bin"'],
       "url persists")
    eq(s.ok('AT+MFWCFG="progind"'), ['+MFWCFG: "progind",4096'], "progind")
    st = open(s.state).read()
    check("progind=4096" in st, "state file is text")
    check(not os.path.exists(s.state + ".tmp"), "atomic write leaves no tmp")


def test_baud(tmp):
    s = sim(tmp, args=["--baud", "19200"])
    s.ok("ATE0")
    data = bytes(range(256)) * 8        # 2048 bytes at 1920 B/s
    t0 = time.time()
    s.transparent(data)
    dt = time.time() - t0
    check(0.9 < dt < 1.8, "2048 bytes at 19200 baud took %.2fs" % dt)
    s.ok("AT+MFWERASE")
    # and the other direction: 40 ATI answers of ~60 bytes each
    t0 = time.time()
    n = 0
    for _ in range(30):
        s.send("ATI\r")
    while n < 30:
        s.wait("^OK$", 5)
        n += 1
    dt = time.time() - t0
    check(dt > 0.8, "answers throttled too (%.2fs)" % dt)


def test_transcript(tmp):
    path = os.path.join(tmp, "t.log")
    s = sim(tmp, args=["--transcript", path])
    s.ok("AT")
    s.stop()
    log = open(path).read().splitlines()
    check(any(" < AT\\r" in l for l in log), "host bytes logged")
    check(any(" > " in l and "\\r\\nOK\\r\\n" in l for l in log),
          "module bytes logged")
    check(any(" * " in l for l in log), "events logged")
    for l in log:
        ts, d = l.split(" ", 2)[:2]
        float(ts)
        check(d in "<>*", "direction field")


def test_cmd_delay(tmp):
    s = sim(tmp, args=["--cmd-delay-ms", "300"])
    s.ok("ATE0")
    t0 = time.time()
    s.ok("AT")
    check(time.time() - t0 >= 0.28, "command delay")


def test_cmd_delay_after_signal(tmp):
    """--cmd-delay-after-signal: no delay until SIGUSR2, then every command."""
    s = sim(tmp, args=["--cmd-delay-ms", "1500", "--cmd-delay-after-signal"])
    s.ok("ATE0")
    t0 = time.time()
    s.ok("AT")
    check(time.time() - t0 < 1.0, "no command delay before the signal")
    s.proc.send_signal(signal.SIGUSR2)
    t0 = time.time()
    s.ok("AT")
    check(time.time() - t0 >= 1.45, "command delay after the signal")
    t0 = time.time()
    s.ok("AT")
    check(time.time() - t0 >= 1.45, "and on the next command")


def gadget_ready(master):
    """Read the gadget's pty (the host side, @master) until +MATREADY,
    for at most 3 s: whether it came."""
    buf = b""
    end = time.time() + 3
    while b"+MATREADY" not in buf and time.time() < end:
        buf += os.read(master, 1000)
    return b"+MATREADY" in buf


def test_gadget_reboot(tmp):
    """--gadget: a reboot unbinds the UDC, waits, rebinds, reopens."""
    gadget = os.path.join(tmp, "g1")
    os.mkdir(gadget)
    udc = os.path.join(gadget, "UDC")
    open(udc, "w").write("dummy_udc.0\n")
    master, slave = os.openpty()
    import tty as _tty
    _tty.setraw(master)
    path = os.ttyname(slave)
    p = subprocess.Popen([SIM, "--tty", path, "--gadget", gadget,
                          "--udc", "dummy_udc.0", "--boot-ms", "300"],
                         stderr=subprocess.PIPE)
    try:
        eq(p.stderr.readline().decode().strip(),
           "mfw-modemsim: ready " + path, "ready line names the tty")
        check(gadget_ready(master), "MATREADY on the tty")
        os.write(master, b"AT+MREBOOT=0\r")
        time.sleep(0.15)
        eq(open(udc).read(), "\n", "UDC unbound during the reboot")
        time.sleep(0.4)
        eq(open(udc).read(), "dummy_udc.0", "UDC bound again")
        check(gadget_ready(master), "MATREADY after re-enumeration")
    finally:
        p.terminate()
        eq(p.wait(5), 0, "clean exit")
        os.close(master)
        os.close(slave)


def test_gadget_other_layout(tmp):
    """--usb-other-layout: the first return puts a generic serial function
    before the AT port's in the configuration, the next one takes it out."""
    gadget = os.path.join(tmp, "g2")
    cfg = os.path.join(gadget, "configs", "c.1")
    os.makedirs(os.path.join(gadget, "functions", "acm.gs0"))
    os.makedirs(cfg)
    os.symlink("../../functions/acm.gs0", os.path.join(cfg, "acm.gs0"))
    open(os.path.join(gadget, "idProduct"), "w").write("0x3012\n")
    udc = os.path.join(gadget, "UDC")
    open(udc, "w").write("dummy_udc.0\n")
    log = os.path.join(tmp, "layout.log")
    master, slave = os.openpty()
    import tty as _tty
    _tty.setraw(master)
    path = os.ttyname(slave)
    p = subprocess.Popen([SIM, "--tty", path, "--gadget", gadget, "--udc", "dummy_udc.0",
                          "--boot-ms", "300", "--usb-other-layout", "1500",
                          "--transcript", log], stderr=subprocess.PIPE)
    try:
        p.stderr.readline()
        gadget_ready(master)
        os.write(master, b"AT+MREBOOT=0\r")
        other = os.path.join(cfg, "gser.mfwother")
        # (logged once the gadget is bound in the other layout)
        end = time.time() + 5
        while time.time() < end and "usb: another mode: reading" not in (
                open(log).read() if os.path.exists(log) else ""):
            time.sleep(0.05)
        check(os.path.islink(other), "the generic serial function is linked")
        eq(os.readlink(other), os.path.join(gadget, "functions", "gser.mfwother"),
           "to its own function directory")
        # configfs takes a link's target from the caller's directory, not
        # the link's: the link is put back with its whole path.
        acm = os.path.join(gadget, "functions", "acm.gs0")
        eq(os.readlink(os.path.join(cfg, "acm.gs0")), os.path.realpath(acm),
           "the AT port's link is back, naming its function by its whole path")
        eq(open(os.path.join(gadget, "idProduct")).read(), "0x3012\n", "the IDs kept")
        eq(open(udc).read(), "dummy_udc.0", "bound in the other layout")
        end = time.time() + 6
        while os.path.lexists(other) and time.time() < end:
            time.sleep(0.05)
        check(not os.path.lexists(other), "the generic serial function unlinked after 1.5 s")
        check(not os.path.exists(os.path.join(gadget, "functions", "gser.mfwother")),
              "and removed")
        eq(os.path.realpath(os.path.join(cfg, "acm.gs0")), os.path.realpath(acm),
           "the AT port's function stays")
        text = open(log).read()
        check("usb: back in another layout (gser.mfwother first, then acm.gs0)" in text,
              "the transcript names the layout")
        # Stopped in the other layout: the gadget is left as it was made.
        p.terminate()
        eq(p.wait(5), 0, "clean exit")
        # What the first one said last is no answer of the next one's.
        while select.select([master], [], [], 0.2)[0]:
            os.read(master, 1000)
        p = subprocess.Popen([SIM, "--tty", path, "--gadget", gadget, "--udc", "dummy_udc.0",
                              "--boot-ms", "300", "--usb-other-layout", "60000",
                              "--transcript", log], stderr=subprocess.PIPE)
        p.stderr.readline()
        gadget_ready(master)
        os.write(master, b"AT+MREBOOT=0\r")
        end = time.time() + 5
        while not os.path.islink(other) and time.time() < end:
            time.sleep(0.05)
        check(os.path.islink(other), "in the other layout again")
        p.terminate()
        eq(p.wait(5), 0, "clean exit in the other layout")
        check(not os.path.lexists(other) and
              sorted(os.listdir(cfg)) == ["acm.gs0"] and open(udc).read() == "dummy_udc.0",
              "an exit in the other layout leaves the gadget as it was made, bound")
    finally:
        p.terminate()
        p.wait(5)
        os.close(master)
        os.close(slave)


TESTS = [test_gadget_reboot, test_gadget_other_layout, test_framing_and_echo, test_basics,
         test_cmee, test_reboot_pty,
         test_reboot_fd, test_bad_input, test_list_models, test_persistence,
         test_baud, test_transcript, test_cmd_delay,
         test_cmd_delay_after_signal, test_sms, test_identification_g_forms]

if __name__ == "__main__":
    sys.exit(run(TESTS, sys.argv))
