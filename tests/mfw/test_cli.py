#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
"""The mfw program end to end on the host: command line, exit codes, JSON,
signatures made with the openssl tool, power check and status against fake
sysfs trees, the journal seen by upgrade, resume and status.  Every run
with --json is checked as well: one JSON object per line, valid UTF-8, each
valid against mfw-events.schema.json, and exactly one result event, last,
carrying the exit status.  TAP output."""
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, done, skip  # noqa: E402

MFW = os.environ.get("MFW", "build/userspace/mfw/mfw")
MODEMSIM = os.environ.get("MFW_MODEMSIM", "build/userspace/modemsim/mfw-modemsim")
tmp = tempfile.mkdtemp(prefix="mfw-cli-")



HERE = os.path.dirname(os.path.abspath(__file__))
SCHEMA = json.load(open(os.path.join(HERE, "..", "..", "userspace", "mfw",
                                     "mfw-events.schema.json")))
jsonschema.Draft7Validator.check_schema(SCHEMA)
validator = jsonschema.Draft7Validator(SCHEMA)


def json_lines(raw):
    """The objects of mfw's standard output @raw (bytes), one per line.
    Raises ValueError (UnicodeDecodeError included) on anything else."""
    if raw and not raw.endswith(b"\n"):
        raise ValueError("last line without a newline")
    objs = []
    for line in raw.split(b"\n")[:-1]:
        obj = json.loads(line.decode("utf-8"))
        if not isinstance(obj, dict):
            raise ValueError("not an object: %r" % line[:60])
        objs.append(obj)
    return objs


def wants_json(args):
    for a in args:
        if a == "--":
            return False
        if a in ("--json", "-j"):
            return True
    return False


def check_json(args, rc, raw):
    """Two checks on the output of a run with --json; its objects or []."""
    what = "--json " + " ".join(a if isinstance(a, str) else repr(a)
                                for a in args if a != "--json")[:70]
    try:
        objs = json_lines(raw)
    except ValueError as e:
        check(False, "%s: JSON lines (%s)" % (what, e))
        check(False, "%s: ends with one result event" % what)
        return []
    errs = ["%s: %s" % (o.get("event"), e.message)
            for o in objs for e in validator.iter_errors(o)]
    check(not errs, "%s: %d JSON lines valid against the schema %s"
          % (what, len(objs), errs[:1]))
    res = [o for o in objs if o.get("event") == "result"]
    check(len(res) == 1 and objs[-1] is res[0] and res[0].get("exit") == rc,
          "%s: ends with one result event, exit %d (%s)"
          % (what, rc, objs[-1] if objs else "no output"))
    return objs


last_json = []


def run(*args, env=None, timeout=60):
    """mfw with @args; (exit status, stdout, stderr) as text.  With --json
    among @args its output is checked and its objects kept in last_json."""
    global last_json
    e = dict(os.environ)
    e.pop("MFW_CONFIG", None)
    e["MFW_SYSFS_ROOT"] = os.path.join(tmp, "nosys")
    e["MFW_STATE_DIR"] = os.path.join(tmp, "state")
    if env:
        e.update(env)
    try:
        p = subprocess.run([MFW] + list(args), capture_output=True, env=e,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return -1, "", "(still running after %d s: killed)" % timeout
    if wants_json(args):
        last_json = check_json(args, p.returncode, p.stdout)
    return (p.returncode, p.stdout.decode("utf-8", "replace"),
            p.stderr.decode("utf-8", "replace"))


def put(path, text, mode="w"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, mode) as f:
        f.write(text)


def openssl(*args):
    subprocess.run(["openssl"] + list(args), check=True, capture_output=True)


def conf(name, lines):
    path = os.path.join(tmp, name)
    put(path, "".join(l + "\n" for l in lines))
    return path


def journal_text(fields):
    body = "format=1\n" + "".join("%s=%s\n" % kv for kv in fields)
    return body + "checksum=" + hashlib.sha256(body.encode()).hexdigest() + "\n"


def journal(state, fields):
    put(os.path.join(state, "journal"), journal_text(fields))


# --- command line and exit codes -------------------------------------------
rc, out, err = run("--help")
check(rc == 0 and "Exit codes" in out, "--help exits 0 and lists exit codes")
check(all(("%2d  " % i) in out for i in range(12)), "--help lists codes 0..11")
man = open(os.path.join(os.path.dirname(__file__), "..", "..", "userspace",
                        "mfw", "mfw.8")).read()
for cmd in ("attach", "power", "upgrade", "resume", "status", "history", "manifest"):
    check(cmd in out and (".SS " + cmd) in man, "%s in --help and mfw(8)" % cmd)
check(all(".B %d\n" % i in man for i in range(12)), "mfw(8) documents codes 0..11")

# --- help, manual pages, version, completion ---------------------------------
SRC = os.path.join(HERE, "..", "..")


def source(*path):
    """A file of the source tree; "" when there is none (the checks fail)."""
    try:
        return open(os.path.join(SRC, *path)).read()
    except FileNotFoundError:
        return ""


def roff(text):
    """@text as it is written in a manual page: dashes escaped."""
    return text.replace("-", "\\-")


def opt_tables():
    """{command: [(long name, short letter or None)]} from the option
    tables in cli.c and opt.c; None is mfw's own options."""
    cli = source("userspace", "mfw", "cli.c")
    tables = {}
    for name, body in re.findall(r"static const struct mfw_opt (\w+)\[\] = \{(.*?)\n\};",
                                 cli + source("userspace", "mfw", "opt.c"), re.S):
        tables[name] = [(o, k or None) for o, k in
                        re.findall(r'\{ "([a-z][a-z-]*)", (?:\'(\w)\'|\w+)', body)]
    common = tables.pop("mfw_common_opts", [])
    cmds = {None: tables.pop("mfw_global_opts", []) + common}
    for cmd, body in re.findall(r'\.name = "(\w+)",(.*?)\n\t\}', cli, re.S):
        t = re.search(r"\.opts = (\w+),", body)
        cmds[cmd] = (tables.get(t.group(1), []) if t else []) + common
    return cmds


commands = opt_tables()
check(len(commands) == 9 and len(commands.get("upgrade", [])) == 18,
      "option tables read from cli.c: %s" % sorted(c or "mfw" for c in commands))
for cmd, opts in commands.items():
    argv = [cmd] if cmd else []
    rc, out, err = run(*argv, "--help")
    rc2, out2, err2 = run(*argv, "-h")
    check(rc == 0 and rc2 == 0 and out.startswith("Usage: mfw") and out == out2
          and not err, "mfw %s--help and -h: exit 0, usage on stdout (%d, %s)"
          % (cmd + " " if cmd else "", rc, err.strip()[:80]))
    missing = [o for o, k in opts if
               not re.search(r"^  %s--%s\b" % ("-%s, " % k if k else "    ", o), out, re.M)]
    check(not missing, "mfw %s--help lists every option with its short form %s"
          % (cmd + " " if cmd else "", missing))
    undoc = [o for o, k in opts if roff("--" + o) not in man or
             (k and not re.search(r"\\-%s\W.*\\-\\-%s\b" % (k, re.escape(roff(o))), man))]
    check(not undoc, "mfw(8) documents every option of %s with its short form %s"
          % (cmd or "mfw", undoc))
    hrc, hout, herr = run("help", *argv)
    check(hrc == 0 and hout == out, "mfw help %s prints what --help does" % (cmd or ""))
check(".SS help" in man, "help in mfw(8)")
rc, out, err = run("help", "bogus")
check(rc == 2 and "bogus" in err and "mfw help" in err, "help bogus: 2, says what to do")
check(run("help", "upgrade", "status")[0] == 2, "help with two commands: 2")
rc, out, err = run("--config", os.path.join(tmp, "missing.conf"), "help", "status")
check(rc == 0 and "--port" in out, "help needs no configuration")
rc, out, err = run("upgrade", "--help", "--json")
check(rc == 0 and "--url" in err and [o["event"] for o in last_json] == ["result"],
      "upgrade --help --json: the help on stderr, only the result on stdout")
rc, out, err = run("--json", "help", "manifest")
check(rc == 0 and "--pubkey" in err, "--json help manifest: the help on stderr")
rc, out, err = run("manifest", "create", "--help")
check(rc == 0 and "--family" in out and not os.path.exists("--help.manifest"),
      "manifest create --help: the help, no manifest written")
rc, out, err = run("upgrade", "--bogus")
check(rc == 2 and "--bogus" in err and "mfw upgrade --help" in err,
      "an unknown option: 2, named, and the command's help suggested")
rc, out, err = run("attach", "x", "--timeout", "--json")
check(rc == 2, "an option's argument may look like an option: taken, refused: 2")
rc, out, err = run("status", "--port")
check(rc == 2 and "--port" in err and "argument" in err, "a missing argument: 2, named")
rc, out, err = run("resume", "--url", "http://x/y")
check(rc == 2 and "--url" in err, "resume does not take --url: 2")

# Every key of the configuration, with its range and default, in mfw.conf(5).
conf_c = source("userspace", "mfw", "config.c")
conf5 = source("userspace", "mfw", "mfw.conf.5")
keys = re.findall(r'^\t([A-Z]+)\("(\w+)", (\w+)(?:, ([^,]+), ([^)]+))?\),',
                  conf_c, re.M)
defaults = dict(re.findall(r"cfg->(\w+) = (\d+);", conf_c))
defaults.update(re.findall(r'snprintf\(cfg->(\w+)(?:\.spec)?, sizeof\([^)]*\), "([^"%]+)"\);',
                           conf_c))
lows = re.findall(r"cfg->(\w+)\.active_low = true;", conf_c)
check(len(keys) >= 24 and "mm_wait" in [k[1] for k in keys],
      "%d keys read from config.c" % len(keys))
bad = []
for kind, key, field, lo, hi in keys:
    m = re.search(r"^\.BI %s= .*?(?=^\.(?:TP|SS|SH)\b)" % key, conf5, re.M | re.S)
    text = m.group(0) if m else ""
    if kind == "NUM":
        want = ["%d..%d" % (eval(lo), eval(hi)), "Default: %s." % defaults.get(field)]
    elif kind == "LOW":
        want = ["Default: %s." % ("yes" if field in lows else "no")]
    elif kind == "BOOL":
        want = ["Default: %s." % ("yes" if ("cfg->%s = true;" % field) in conf_c else "no")]
    elif field in defaults:
        want = [roff(defaults[field])]
    else:
        want = ["Default:"]
    if not text or not all(w in text for w in want):
        bad.append((key, want))
check(not bad, "mfw.conf(5) documents every key with its range and default %s" % bad[:3])
check("mfw.conf (5)" in man and "mfw\\-modemsim (1)" in man, "mfw(8) refers to the new pages")
for var in sorted(set(re.findall(r'getenv\("(\w+)"\)', source("userspace", "mfw", "cli.c") +
                                 conf_c))):
    check(re.search(r"^\.SH ENVIRONMENT\n(.|\n)*^\.B %s$" % var, man, re.M),
          "mfw(8) ENVIRONMENT: %s" % var)
for unit in sorted(os.listdir(os.path.join(SRC, "systemd"))):
    if unit == "meson.build":
        continue
    unit = unit[:-2] if unit.endswith(".c") else unit   # the generator
    check(roff(unit) in man, "mfw(8) FILES: %s" % unit)

sim_c = source("userspace", "modemsim", "main.c")
sim1 = source("userspace", "modemsim", "mfw-modemsim.1")
sim_opts = re.findall(r'^\t\{ "([a-z-]+)", \w+_argument', sim_c, re.M)
undoc = [o for o in sim_opts if roff("--" + o) not in sim1]
check(len(sim_opts) > 20 and not undoc,
      "mfw-modemsim(1) documents every option of main.c (%d) %s" % (len(sim_opts), undoc))
acts = re.findall(r'^\t\{ "(\w+)", FA_\w+', source("userspace", "modemsim", "fault.c"), re.M)
check(len(acts) > 10 and all(re.search(r"^\.B[IR]? %s\b" % a, sim1, re.M) for a in acts),
      "mfw-modemsim(1) documents every fault action (%d)" % len(acts))

# One version: meson.build's, in both programs and the built manual pages.
version = re.search(r"version : '([^']+)'", source("meson.build")).group(1)
rc, out, err = run("--version")
check(rc == 0 and out == "mfw %s\n" % version, "mfw --version: mfw %s (%s)" % (version, out.strip()))
for page in ("mfw.8", "mfw.conf.5"):
    built = os.path.join(os.path.dirname(MFW), page)
    check(os.path.exists(built) and ('"mfw %s"' % version) in open(built).read(),
          "the built %s names version %s" % (page, version))
p = subprocess.run([MODEMSIM, "--version"], capture_output=True, text=True)
check(p.returncode == 0 and p.stdout == "mfw-modemsim %s\n" % version,
      "mfw-modemsim --version: mfw-modemsim %s (%s)" % (version, " ".join(p.stderr.split())[-60:]))

# Bash completion, asked the way bash asks it.
COMPLETION = os.path.join(SRC, "userspace", "mfw", "mfw.bash")


def complete(*words):
    script = ('source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _mfw; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    p = subprocess.run(["bash", "-c", script, COMPLETION, MFW] + list(words),
                       capture_output=True, text=True, cwd=tmp)
    return [w for w in p.stdout.split("\n") if w]


check(complete("") == [c for c in commands if c], "completion: the commands")
check(complete("up") == ["upgrade"], "completion: a command begun")
check(set(complete("upgrade", "--")) == {"--" + o for o, k in commands.get("upgrade", [])},
      "completion: upgrade's options")
check(set(complete("--")) == {"--" + o for o, k in commands[None]},
      "completion: the global options")
check(complete("power", "") == ["on", "off", "reset", "status"], "completion: power's verbs")
check(complete("manifest", "s") == ["sign"], "completion: manifest's verbs")
put(os.path.join(tmp, "complete-me.conf"), "")
check(complete("--config", "complete-") == ["complete-me.conf"],
      "completion: --config takes a file")
check(complete("-c", "x.conf", "manifest", "create", "complete-") == ["complete-me.conf"],
      "completion: manifest create takes a file, after -c FILE")
check(complete("status", "--port", "complete-") == ["complete-me.conf"] and
      all(t.startswith("/dev/tty") for t in complete("attach", "")),
      "completion: ttys for attach and --port")
check(complete("help", "ma") == ["manifest"], "completion: help takes a command")
check(run()[0] == 2, "no command: 2")
rc, out, err = run("--ver")
check(rc == 2 and "ambiguous" in err and "--verbose" in err and "--version" in err,
      "an abbreviation of two options: 2, names both (%s)" % err.strip()[-90:])
rc, out, err = run("frobnicate")
check(rc == 2 and "mfw --help" in err, "unknown command: 2, says what to do")
check(run("upgrade")[0] == 2, "upgrade without image or url: 2")
check(run("upgrade", "a.bin", "--url", "http://x/y")[0] == 2, "image and url: 2")
check(run("upgrade", "--auto", "a.bin")[0] == 2, "--auto with an image: 2")
check(run("upgrade", "a.bin", "--timeout", "soon")[0] == 2, "bad --timeout: 2")
check(run("upgrade", "--url", "http://" + "x" * 300)[0] == 2, "url over 256 bytes: 2")
check(run("power", "sideways")[0] == 2, "power with a bad verb: 2")
check(run("resume", "img.bin")[0] == 2, "resume takes no image: 2")
check(run("attach")[0] == 2, "attach without a tty: 2")
check(run("attach", "/dev/null", "--speed", "12")[0] == 2, "attach with a bad speed: 2")
check(run("manifest")[0] == 2, "manifest without a verb: 2")
check(run("--config", os.path.join(tmp, "missing.conf"), "status")[0] == 3,
      "missing --config file: 3")
rc, out, err = run("--config", conf("bad.conf", ["colour=blue"]), "status")
check(rc == 3 and "bad.conf:1" in err, "unknown config key: 3, names file and line")
rc, out, err = run("--config", conf("range.conf", ["pwrkey_on_ms=5000"]), "status")
check(rc == 3, "config value out of range: 3")
rc, out, err = run(env={"MFW_CONFIG": conf("env.conf", ["speed=x"])}, *["status"])
check(rc == 3, "MFW_CONFIG names the configuration")

# --- keys, signatures, manifests -------------------------------------------
d = os.path.join(tmp, "fw")
os.makedirs(d)
img = os.path.join(d, "fw.bin")
put(img, "MFWPKG firmware\n" * 100 + "MFWVER:ML307R-DC-MBRH0S02\n")
key, pub = os.path.join(tmp, "k.pem"), os.path.join(tmp, "k.pub")
openssl("genpkey", "-algorithm", "ED25519", "-out", key)
openssl("pkey", "-in", key, "-pubout", "-out", pub)
rsa, rsapub = os.path.join(tmp, "r.pem"), os.path.join(tmp, "r.pub")
openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsa)
openssl("pkey", "-in", rsa, "-pubout", "-out", rsapub)

check(run("manifest", "create", img, "--version", "V")[0] == 2,
      "manifest create without --family: 2")
check(run("manifest", "create", img, "--family", "ML999", "--version", "V")[0] == 2,
      "manifest create with an unknown family: 2")
rc, out, err = run("manifest", "create", img, "--family", "ML307R-DC",
                   "--version", "ML307R-DC-MBRH0S02", "--base", "ML307R-DC-MBRH0S01")
text = open(img + ".manifest").read()
check(rc == 0 and "sha256=" + hashlib.sha256(open(img, "rb").read()).hexdigest() in text
      and "size=%d" % os.path.getsize(img) in text and "base=ML307R-DC-MBRH0S01" in text,
      "manifest create writes family, version, base, sha256, size")
check(run("manifest", "sign", img, "--key", key)[0] == 0 and os.path.exists(img + ".sig"),
      "manifest sign signs the image")
check(run("manifest", "sign", img + ".manifest", "--key", key)[0] == 0,
      "manifest sign signs the manifest")
check(run("manifest", "sign", img, "--key", pub)[0] == 2, "signing with a public key: 2")
rc, out, err = run("manifest", "verify", img + ".manifest", "--image", img, "--pubkey", pub)
check(rc == 0 and "signature good" in err, "manifest verify: good")
check(run("manifest", "verify", img + ".manifest", "--image", img, "--pubkey", rsapub)[0] == 4,
      "manifest verify with another key: 4")
# openssl dgst signatures are the same format (RSA).
openssl("dgst", "-sha256", "-sign", rsa, "-out", img + ".sig", img)
openssl("dgst", "-sha256", "-sign", rsa, "-out", img + ".manifest.sig", img + ".manifest")
check(run("manifest", "verify", img + ".manifest", "--image", img, "--pubkey", rsapub)[0] == 0,
      "signatures made by 'openssl dgst -sha256 -sign' verify")
good = open(img, "rb").read()
put(img, good.replace(b"firmware", b"firmwarE", 1), "wb")
rc, out, err = run("manifest", "verify", img + ".manifest", "--image", img, "--pubkey", rsapub)
check(rc == 4 and "does not match" in err and "altered" in err, "tampered image: 4")
put(img, good, "wb")
rc, out, err = run("manifest", "verify", img + ".manifest", "--image", img)
check(rc == 4 and "nothing to verify against" in err and "--pubkey" in err,
      "manifest verify without a key verifies nothing: 4, says what to give")
# One signature per package: the signed manifest binds the image.
os.rename(img + ".sig", img + ".sig.away")
rc, out, err = run("manifest", "verify", img + ".manifest", "--image", img, "--pubkey", rsapub)
rsaid = re.search(r"key ([0-9a-f]{16}) \(r\.pub\)", err)
check(rc == 0 and rsaid and "the image matches it" in err,
      "manifest verify --image: no image signature needed, the key named (%s)" % err.strip())
os.rename(img + ".sig.away", img + ".sig")
# Several trusted keys in a directory; the one that signed is named; a
# retired key (its file removed) verifies nothing any more.
keys = os.path.join(tmp, "keys")
os.makedirs(keys)
shutil.copy(pub, os.path.join(keys, "2025-ed25519.pem"))
shutil.copy(rsapub, os.path.join(keys, "2026-rsa.pem"))
put(os.path.join(keys, "README"), "the vendor's keys\n")
rc, out, err = run("manifest", "sign", img + ".manifest", "--key", rsa, "--json")
sig_ev = last_json[0] if last_json else {}
check(rc == 0 and rsaid and sig_ev.get("key") == rsaid.group(1),
      "manifest sign names the signing key's id, the same as verify (%s)" % sig_ev)
rc, out, err = run("manifest", "verify", img + ".manifest", "--pubkey", keys, "--json")
ev = last_json[0] if last_json else {}
check(rc == 0 and rsaid and ev.get("key") == rsaid.group(1) and
      ev.get("signer") == "key %s (2026-rsa.pem)" % rsaid.group(1),
      "manifest verify against a keys directory: the key that verified (%s)" % ev.get("key"))
os.remove(os.path.join(keys, "2026-rsa.pem"))
rc, out, err = run("manifest", "verify", img + ".manifest", "--pubkey", keys)
check(rc == 4 and "does NOT verify with any key in " + keys in err,
      "the signing key retired: 4 (%s)" % err.strip()[-120:])
shutil.copy(rsapub, os.path.join(keys, "2026-rsa.pem"))

# A signing key that never leaves a token: SoftHSM2 through OpenSSL's
# pkcs11 engine (both installed by make check).
hsm = os.path.join(tmp, "hsm")
os.makedirs(os.path.join(hsm, "tokens"))
put(os.path.join(hsm, "softhsm2.conf"), "directories.tokendir = %s/tokens\n"
    "objectstore.backend = file\nlog.level = ERROR\n" % hsm)
# Under ASan, full stacks: the engine's own leaks at exit are suppressed by
# the functions that made them (lsan-engine.supp), which the default fast
# unwinding does not see through libcrypto.
henv = {"SOFTHSM2_CONF": os.path.join(hsm, "softhsm2.conf"),
        "MFW_PKCS11_MODULE": "/usr/lib/softhsm/libsofthsm2.so",
        "ASAN_OPTIONS": ":".join(filter(None, [os.environ.get("ASAN_OPTIONS"),
                                               "fast_unwind_on_malloc=0"]))}
hkey, hp8, hpub = (os.path.join(hsm, n) for n in ("k.pem", "k.p8", "k.pub"))
openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", hkey)
openssl("pkcs8", "-topk8", "-nocrypt", "-in", hkey, "-out", hp8)
openssl("pkey", "-in", hkey, "-pubout", "-out", hpub)
senv = dict(os.environ, **henv)
for cmd in (["--init-token", "--free", "--label", "mfw", "--pin", "1234",
             "--so-pin", "12345678"],
            ["--import", hp8, "--token", "mfw", "--label", "vendor", "--id", "01",
             "--pin", "1234"]):
    subprocess.run(["softhsm2-util"] + cmd, check=True, capture_output=True, env=senv)
os.remove(hkey)     # from here on the private key is on the token only
uri = "pkcs11:token=mfw;object=vendor;type=private"
hfile = os.path.join(hsm, "fw.bin.manifest")
shutil.copy(img + ".manifest", hfile)
rc, out, err = run("manifest", "sign", hfile, "--key", uri, "--json",
                   env=dict(henv, MFW_PKCS11_PIN="1234"))
hid = last_json[0].get("key") if last_json else None
rc2, out2, err2 = run("manifest", "verify", hfile, "--pubkey", hpub, "--json")
check(rc == 0 and hid and rc2 == 0 and last_json and last_json[0].get("key") == hid,
      "manifest sign with a PKCS#11 URI (SoftHSM2): the signature verifies with the "
      "public key, the same key id (%s)" % (err.strip()[-150:] or hid))
rc, out, err = run("manifest", "sign", hfile, "--key", uri + "?pin-value=1234", env=henv)
check(rc == 0, "the PIN in the URI (pin-value=)")
rc, out, err = run("manifest", "sign", hfile, "--key", uri,
                   env=dict(henv, MFW_PKCS11_PIN="9999"))
check(rc == 2 and "the token refused the PIN, holds no such key" in err,
      "a wrong PIN: 2, saying what to check")
rc, out, err = run("--json", "manifest", "sign", hfile, "--key",
                   uri + "?pin-value=secret99", env=henv)
check(rc == 2 and "secret99" not in out + err and "pin-value=***" in err,
      "a PIN in the URI is never printed, nor put in the JSON (%s)" % err.strip()[-120:])
rc, out, err = run("manifest", "sign", hfile, "--key", "PKCS11-x:?pin-value=secret99")
check(rc == 2 and "secret99" not in err, "nor when the key is no URI at all")
rc, out, err = run("manifest", "sign", hfile, "--key",
                   "pkcs11:token=mfw;object=other;type=private",
                   env=dict(henv, MFW_PKCS11_PIN="1234"))
check(rc == 2 and "could not get the private key pkcs11:token=mfw;object=other" in err,
      "no such object on the token: 2")
rc, out, err = run("manifest", "sign", hfile, "--key", uri,
                   env=dict(henv, MFW_PKCS11_PIN="1234",
                            MFW_PKCS11_MODULE=os.path.join(tmp, "no-module.so")))
check(rc == 2 and "the module (MFW_PKCS11_MODULE)" in err,
      "a PKCS#11 module that does not load: 2, naming what to check (%s)" % err.strip()[-100:])

# --- upgrade refusals before the module is touched ---------------------------
sysfs = os.path.join(tmp, "sys")
bat = os.path.join(sysfs, "class/power_supply")
put(os.path.join(bat, "BAT0/type"), "Battery\n")
put(os.path.join(bat, "BAT0/capacity"), "10\n")
put(os.path.join(bat, "AC/type"), "Mains\n")
put(os.path.join(bat, "AC/online"), "0\n")
cfg = conf("up.conf", ["pubkey=" + rsapub, "reboot_timeout=2", "ready_timeout=2",
                       "upgrade_timeout=3"])
env = {"MFW_SYSFS_ROOT": sysfs}
rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent", env=env)
check(rc == 5 and "charge" in err, "battery 10%%, mains offline: 5 (%s)" % err.strip()[-80:])
rc, out, err = run("--config", cfg, "--json", "upgrade", img, "--port", "/dev/nonexistent",
                   env=env)
lines = [json.loads(l) for l in out.splitlines()]
check(rc == 5 and any(l.get("event") == "log" and l.get("level") == "error" for l in lines)
      and lines[-1].get("event") == "result" and lines[-1].get("exit") == 5,
      "--json: error log line and result line")
rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent",
                   "--ignore-battery", env=env)
check(rc == 6 and "nonexistent" in err and "because of --ignore-battery" in err,
      "--ignore-battery passes the power check, with a warning, then no port: 6")
# --force still works, names what it stands for, and asks for the names.
rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent", "--force",
                   env=env)
check(rc == 6 and "--force is --ignore-battery --allow-same-version --allow-downgrade" in err
      and "name the overrides you mean" in err,
      "--force: every override, with a warning naming them: 6 (%s)" % err.strip()[:120])
rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent",
                   "--allow-downgrade", "--allow-same-version", env=env)
check(rc == 5, "the version overrides do not pass the power check: 5")
# Under systemd, standard error is the journal (JOURNAL_STREAM names it):
# each line carries its syslog priority, so "journalctl -p err" finds
# the errors.  A JOURNAL_STREAM naming another file changes nothing.
jpath = os.path.join(tmp, "journal-stream")
for named in (True, False):
    with open(jpath, "w") as jf:
        st = os.fstat(jf.fileno())
        js = "%d:%d" % (st.st_dev, st.st_ino + (0 if named else 1))
        e = dict(os.environ, MFW_SYSFS_ROOT=sysfs, JOURNAL_STREAM=js,
                 MFW_STATE_DIR=os.path.join(tmp, "state"))
        e.pop("MFW_CONFIG", None)
        subprocess.run([MFW, "--config", cfg, "upgrade", img, "--port", "/dev/nonexistent",
                        "--ignore-battery"], stdout=subprocess.DEVNULL, stderr=jf, env=e,
                       timeout=60)
    logged = open(jpath).read().splitlines()
    if named:
        check(logged and all(l[:3] in ("<3>", "<4>", "<6>", "<7>") for l in logged)
              and any(l.startswith("<3>mfw: error: ") and "nonexistent" in l for l in logged),
              "to the journal: each line with its priority, the error at 3 (%s)" % logged[-1:])
    else:
        check(logged and not any(l.startswith("<") for l in logged),
              "to another file: no priority prefixes (%s)" % logged[-1:])
put(os.path.join(bat, "AC/online"), "1\n")
rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent", env=env)
check(rc == 6, "mains online: power ok, then no port: 6")
os.rename(img + ".sig", img + ".sig.away")
rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent", env=env)
check(rc == 6 and "signature good, key " in err,
      "the image needs no signature of its own, its signed manifest binds it: then no port, 6")
os.rename(img + ".sig.away", img + ".sig")
os.rename(img + ".manifest.sig", img + ".manifest.sig.away")
rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent", env=env)
check(rc == 4 and "not signed" in err, "unsigned manifest with a key configured: 4")
os.rename(img + ".manifest.sig.away", img + ".manifest.sig")
rc, out, err = run("--config", conf("keys.conf", ["pubkey=" + keys]), "upgrade", img,
                   "--port", "/dev/nonexistent", env=env)
check(rc == 6 and "(2026-rsa.pem)" in err, "pubkey= a keys directory: the upgrade goes on, 6")
os.rename(img + ".manifest", img + ".manifest.away")
rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent", env=env)
check(rc == 4 and "manifest" in err, "missing manifest with a key configured: 4")
os.rename(img + ".manifest.away", img + ".manifest")
put(img, good + b"x", "wb")
openssl("dgst", "-sha256", "-sign", rsa, "-out", img + ".sig", img)
rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent", env=env)
check(rc == 4 and "does not match its manifest" in err,
      "validly signed image that is not the manifest's: 4")
put(img, good, "wb")
openssl("dgst", "-sha256", "-sign", rsa, "-out", img + ".sig", img)
check(not os.path.exists(os.path.join(tmp, "state", "journal")),
      "refusals leave no journal behind")

# --- the upgrade lock -------------------------------------------------------
os.makedirs(os.path.join(tmp, "state"), exist_ok=True)
with open(os.path.join(tmp, "state", "lock"), "w") as lk:
    fcntl.flock(lk, fcntl.LOCK_EX)
    rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent", env=env)
    check(rc == 6 and "another mfw" in err, "a second upgrade while one runs: 6")

# --- an unfinished upgrade, not flashing: resume it or --start-over ---------
journal(os.path.join(tmp, "state"),
        [("phase", "writing"), ("port", "/dev/nonexistent"), ("family", "ML307R-DC"),
         ("from", "A"), ("target", "B"), ("note", "writing")])
rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent", env=env)
check(rc == 11 and "mfw resume" in err and "--start-over" in err,
      "an unfinished upgrade blocks another, naming resume and --start-over: 11")
rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent",
                   "--start-over", env=env)
check(rc == 6 and "its journal is replaced once this upgrade starts, because of --start-over" in err,
      "--start-over goes on past it, saying so: then no port, 6")
os.remove(os.path.join(tmp, "state", "journal"))

# --- status against a fake sysfs port and journals -----------------------------
port = os.path.join(sysfs, "class/mfw/mfw0")
for k, v in {"tty": "ttyACM0", "model": "ML307R-DC", "family": "ML307R-DC",
             "firmware": "ML307R-DC-MBRH0S01", "state": "idle", "progress": "0 0",
             "percent": "unknown", "last_error": "none", "paths": "transparent remote"}.items():
    put(os.path.join(port, k), v + "\n")
rc, out, err = run("status", env=env)
check(rc == 0 and "ML307R-DC-MBRH0S01" in out and "no upgrade recorded" in out,
      "status shows the port and no journal")
state = os.path.join(tmp, "state")
journal(state, [("phase", "flashing"), ("port", "/dev/nonexistent"), ("family", "ML307R-DC"),
                ("from", "A"), ("target", "B"), ("note", "upgrade triggered")])
rc, out, err = run("--json", "status", env=env)
ev = {l["event"]: l for l in map(json.loads, out.splitlines())}
check(rc == 0 and ev["port"]["firmware"] == "ML307R-DC-MBRH0S01" and
      ev["port"]["paths"] == "transparent remote" and ev["power"]["safe"] is True and
      ev["journal"]["phase"] == "flashing" and ev["journal"]["flashing"] is True,
      "status --json: port, power and journal objects")
for override in ("--start-over", "--force"):
    rc, out, err = run("--config", cfg, "upgrade", img, "--port", "/dev/nonexistent", override,
                       env=env)
    check(rc == 11 and "resume" in err,
          "upgrade %s refuses while the journal says flashing: 11" % override)
rc, out, err = run("--config", cfg, "resume", "--recover", env=env, timeout=90)
check(rc == 8 and "Do NOT power it off" in err and "transcript" in err,
      "resume waits out a flashing module, reports it with its transcript: 8")
check(os.path.exists(os.path.join(state, "journal")) and
      "phase=flashing" in open(os.path.join(state, "journal")).read(),
      "the journal still says flashing afterwards")
put(os.path.join(state, "journal"), open(os.path.join(state, "journal")).read()
    .replace("phase=flashing", "phase=done"))
rc, out, err = run("status", env=env)
check(rc == 11 and "unreadable" in out, "status reports a corrupt journal: 11")
rc, out, err = run("resume", env=env)
check(rc == 11 and os.path.exists(os.path.join(state, "journal.corrupt")) and
      not os.path.exists(os.path.join(state, "journal")),
      "resume sets a corrupt journal aside: 11")
rc, out, err = run("resume", env=env)
check(rc == 0 and "no upgrade to resume" in err, "resume without a journal: 0")
journal(state, [("phase", "failed"), ("note", "package refused: 860 not enough file-system space")])
jtext = open(os.path.join(state, "journal")).read()
rc, out, err = run("resume", env=env)
check(rc == 0 and "nothing to resume" in err and
      open(os.path.join(state, "journal")).read() == jtext,
      "resume after a refused package: 0, the journal is left as it is")

# --- a flashing journal whose module answers: settled at the timeout ----------
import time


def fake_port(name, tty, attrs):
    d = os.path.join(sysfs, "class/mfw", name)
    if os.path.isdir(d):
        shutil.rmtree(d)
    base = {"tty": tty, "model": "ML307R-DC", "family": "ML307R-DC",
            "firmware": "ML307R-DC-MBRH0S01", "state": "idle", "progress": "0 0",
            "percent": "unknown", "last_error": "none", "paths": "transparent remote",
            "identify": ""}
    base.update(attrs)
    for k, v in base.items():
        if v is None:
            os.makedirs(os.path.join(d, k))
        elif isinstance(v, bytes):
            put(os.path.join(d, k), v + b"\n", "wb")
        else:
            put(os.path.join(d, k), v + "\n")
    put(os.path.join(tmp, "dev", tty), "")
    return os.path.join(tmp, "dev", tty)


st2 = os.path.join(tmp, "state2")
env2 = {"MFW_SYSFS_ROOT": sysfs, "MFW_STATE_DIR": st2}
cfg2 = conf("resolve.conf", ["reboot_timeout=2", "ready_timeout=2", "upgrade_timeout=3"])
tty7 = fake_port("mfw7", "ttyMFWT7", {})
flashing = [("phase", "flashing"), ("image", img), ("port", tty7), ("family", "ML307R-DC"),
            ("from", "ML307R-DC-MBRH0S01"), ("target", "ML307R-DC-MBRH0S02"),
            ("started", str(int(time.time()) - 60)), ("note", "upgrade triggered")]


def rm(path):
    if os.path.exists(path):
        os.remove(path)


def last_phase():
    p = os.path.join(st2, "journal.last")
    if not os.path.exists(p):
        return None
    for line in open(p):
        if line.startswith("phase="):
            return line.strip()[6:]


journal(st2, flashing)
t0 = time.monotonic()
rc, out, err = run("--config", cfg2, "resume", env=env2, timeout=40)
dt = time.monotonic() - t0
check(rc == 7 and "did not take" in err and "runs ML307R-DC-MBRH0S01" in err and
      "mfw upgrade " + img in err and not os.path.exists(os.path.join(st2, "journal"))
      and last_phase() == "failed",
      "resume: the module answers with its old version at the timeout: 7, journal failed, "
      "says how to retry (%.1f s, %s)" % (dt, err.strip().splitlines()[-1:] if err else ""))
check(dt < 20, "resume stopped at its 3 s timeout (%.1f s)" % dt)
rc, out, err = run("--config", cfg2, "upgrade", img, "--port", tty7, env=env2)
check("unfinished" not in err, "after that, upgrade is no longer blocked by the journal")

rm(os.path.join(st2, "journal.last"))
fake_port("mfw7", "ttyMFWT7", {"firmware": "ML307R-DC-MBRH0S02"})
journal(st2, flashing)
rc, out, err = run("--config", cfg2, "--json", "resume", env=env2, timeout=40)
check(rc == 0 and last_phase() == "done" and not os.path.exists(os.path.join(st2, "journal")),
      "resume: the module runs the target at the timeout: 0, journal done")
check(last_json and last_json[-1].get("phase") == "done" and
      last_json[-1].get("firmware") == "ML307R-DC-MBRH0S02",
      "resume --json: the result names the phase and the firmware")

# /dev/mfw7 never opens (as when another program holds it) and the module
# does not answer: the wait ends at the timeout, the journal stays flashing.
rm(os.path.join(st2, "journal.last"))
fake_port("mfw7", "ttyMFWT7", {"identify": None})
journal(st2, flashing)
t0 = time.monotonic()
rc, out, err = run("--config", cfg2, "resume", env=env2, timeout=40)
dt = time.monotonic() - t0
check(rc == 8 and "Do NOT power it off" in err and dt < 20 and
      os.path.exists(os.path.join(st2, "journal")) and
      "phase=flashing" in open(os.path.join(st2, "journal")).read(),
      "resume: port never opens, module silent: 8 at the timeout, still flashing (%.1f s)" % dt)
rm(os.path.join(st2, "journal"))

# --- resume before flashing: a late port, a lost or replaced package --------
late = os.path.join(tmp, "dev", "ttyLATE0")
writing = [("phase", "writing"), ("image", img), ("port", late), ("family", "ML307R-DC"),
           ("from", "ML307R-DC-MBRH0S01"), ("target", "ML307R-DC-MBRH0S02"),
           ("sha256", hashlib.sha256(open(img, "rb").read()).hexdigest()),
           ("size", str(os.path.getsize(img))), ("note", "writing")]
stl = os.path.join(tmp, "state-late")
envl = dict(env2, MFW_STATE_DIR=stl)
journal(stl, writing)
t0 = time.monotonic()
rc, out, err = run("--config", cfg2, "resume", env=envl, timeout=40)
dt = time.monotonic() - t0
check(rc == 6 and late + " is not there yet" in err and "did not appear within 2 s" in err and
      1.5 <= dt < 20 and "phase=writing" in open(os.path.join(stl, "journal")).read(),
      "resume before flashing, the port not there: waits reboot_timeout, 6, journal kept "
      "(%.1f s, %s)" % (dt, err.strip().splitlines()[-1:] if err else ""))
for what, fields, says in (
        ("gone", [(k, img + ".gone" if k == "image" else v) for k, v in writing],
         "cannot read image"),
        ("gone with its directory (a tmpfs staging directory)",
         [(k, "/nonexistent-staging/fw.bin" if k == "image" else v) for k, v in writing],
         "cannot read image"),
        ("replaced", [(k, "0" * 64 if k == "sha256" else v) for k, v in writing],
         "changed since the upgrade started")):
    rm(os.path.join(stl, "journal.last"))
    journal(stl, fields)
    rc, out, err = run("--config", cfg2, "resume", env=envl, timeout=40)
    check(rc == 4 and says in err and "still runs its firmware" in err and
          "closed as failed" in err and not os.path.exists(os.path.join(stl, "journal")) and
          "phase=failed" in open(os.path.join(stl, "journal.last")).read(),
          "resume before flashing, the package %s: 4, journal closed as failed, the module "
          "said safe (%s)" % (what, err.strip().splitlines()[-1:] if err else ""))
rm(os.path.join(stl, "journal.last"))
# Gone while the module's UART may still run at the transfer's rate with
# its echo off: the line goes back to the board's first, so with the
# module not there the journal stays, saying why.
journal(stl, [(k, img + ".gone" if k == "image" else v) for k, v in writing] +
        [("rate", "921600"), ("board_rate", "115200"), ("echo_off", "1")])
rc, out, err = run("--config", cfg2, "resume", env=envl, timeout=40)
check(rc == 6 and "go back to the board's rate" in err and "closed as failed" not in err and
      "phase=writing" in open(os.path.join(stl, "journal")).read(),
      "resume before flashing, the package gone, the UART at the transfer's rate and no "
      "module: 6, the journal kept until the line is restored")
rm(os.path.join(stl, "journal"))

# A package named by a relative path: the journal keeps the manifest's
# whole path too (mfw resume runs from "/").
st_rel = os.path.join(tmp, "state-rel")
fake_port("mfw7", "ttyMFWT7", {})
subprocess.run([MFW, "--config", cfg2, "upgrade", os.path.basename(img), "--port", tty7],
               env=dict(os.environ, MFW_SYSFS_ROOT=sysfs, MFW_STATE_DIR=st_rel, MFW_CONFIG=""),
               cwd=os.path.dirname(img), capture_output=True, timeout=60)
jtext = open(os.path.join(st_rel, "journal")).read() if os.path.exists(
    os.path.join(st_rel, "journal")) else ""
rimg = os.path.realpath(img)
check("image=" + rimg + "\n" in jtext and "manifest=" + rimg + ".manifest\n" in jtext,
      "upgrade of a relative path: the journal names image and manifest by whole paths (%s)" %
      [l for l in jtext.splitlines() if l.startswith(("image=", "manifest="))])

# A package whose whole path the journal cannot keep (255 bytes) is
# refused before anything reaches the module, saying what to do.
deep = os.path.join(tmp, *(["d" * 60] * 5))
os.makedirs(deep, exist_ok=True)
deep_img = os.path.join(deep, "fw.bin")
shutil.copy(img, deep_img)
st_deep = os.path.join(tmp, "state-deep")


def deep_upgrade(*args):
    """ "mfw upgrade ARGS" on a fresh fake mfw7, state in st_deep: rc, out, err."""
    fake_port("mfw7", "ttyMFWT7", {})
    return run("--config", cfg2, "upgrade", *args, env=dict(env2, MFW_STATE_DIR=st_deep))


rc, out, err = deep_upgrade(deep_img, "--port", tty7)
check(rc == 2 and "keeps at most 255: move the package to a shorter path" in err and
      not os.path.exists(os.path.join(st_deep, "journal")),
      "upgrade of a package whose path is over 255 bytes: 2, says to move it, no journal "
      "(%d, %s)" % (rc, err.strip()[-160:]))
rc, out, err = deep_upgrade(deep_img, "--port", tty7, "--dry-run")
check(rc == 2 and "move the package to a shorter path" in err and
      "would stop at the error above" in out + err,
      "--dry-run of a package whose path is over 255 bytes: 2, the same error, and the plan "
      "(%d, %s)" % (rc, (out + err).strip()[-160:]))
deep_tty = os.path.join(deep, "ttyMFWT7")
if not os.path.lexists(deep_tty):
    os.symlink(tty7, deep_tty)
rc, out, err = deep_upgrade(img, "--port", deep_tty)
check(rc == 2 and "name the tty by a shorter path" in err and
      not os.path.exists(os.path.join(st_deep, "journal")),
      "upgrade on a port named by a path over 255 bytes: 2, says to name it shorter, no journal "
      "(%d, %s)" % (rc, err.strip()[-160:]))
shutil.copy(img + ".manifest", deep_img + ".manifest")
shutil.copy(img + ".manifest.sig", deep_img + ".manifest.sig")
rc, out, err = deep_upgrade(img, "--manifest", deep_img + ".manifest", "--port", tty7)
check(rc == 2 and "keeps at most 255: move the manifest to a shorter path" in err and
      not os.path.exists(os.path.join(st_deep, "journal")),
      "upgrade with a manifest whose path is over 255 bytes: 2, says to move it, no journal "
      "(%d, %s)" % (rc, err.strip()[-160:]))

# A fresh upgrade puts the package on storage (fsync of the image, its
# manifest, their signatures and directories) before the journal names it.
def traced_upgrade(image, state):
    """strace of "mfw upgrade IMAGE" with STATE as its state directory:
    (paths synced before the journal's rename, whether that rename came,
    the journal's text), or None when ptrace is denied here."""
    fake_port("mfw7", "ttyMFWT7", {})
    try:
        p = subprocess.run([strace, "-f", "-qq", "-o", trace, "-e", "trace=%file,fsync",
                            MFW, "--config", cfg2, "upgrade", image, "--port", tty7],
                           env=dict(os.environ, **dict(env2, MFW_STATE_DIR=state),
                                    MFW_CONFIG="",
                                    # (LeakSanitizer cannot run under ptrace)
                                    ASAN_OPTIONS="detect_leaks=0"),
                           capture_output=True, timeout=60)
        text = open(trace).read() if os.path.exists(trace) else ""
        why = p.stderr.decode("utf-8", "replace").strip()
    except subprocess.TimeoutExpired:
        text, why = "", "still running after 60 s"
    if not text and "ptrace" in why.lower():
        return None, why.splitlines()[-1]
    fds, synced, named = {}, [], False
    for line in text.splitlines():
        # open() or openat() of a path; rename(), renameat() or
        # renameat2() (arm64 and riscv64 have no rename)
        m = re.search(r'open(?:at)?\((?:AT_FDCWD, )?"([^"]+)", [^)]*\) = (\d+)', line)
        if m:
            fds[m.group(2)] = m.group(1)
        m = re.search(r"fsync\((\d+)\) += 0", line)
        if m and not named:
            synced.append(fds.get(m.group(1)))
        if not named and re.search(r'rename(?:at2?)?\((?:AT_FDCWD, )?"[^"]*journal\.tmp", '
                                   r'(?:AT_FDCWD, )?"[^"]*/journal"', line):
            named = True
    if not named or not synced:
        print("# " + "\n# ".join(text.splitlines()[-12:] or [why]))
    jpath = os.path.join(state, "journal")
    jtext = open(jpath).read() if os.path.exists(jpath) else ""
    return (synced, named, jtext), None


trace = os.path.join(tmp, "upgrade.strace")
strace = shutil.which("strace")
what = "upgrade: the image, manifest and signatures synced before the journal names them"
if not strace:
    check(False, what + ": strace is needed (scripts/install-deps.sh installs it)")
else:
    got, why = traced_upgrade(img, os.path.join(tmp, "state3"))
    if got is None:
        skip(what, "strace cannot trace here (%s)" % why)
    else:
        synced, named, _ = got
        # (the journal's paths: a temporary directory may be behind a link)
        want = [rimg, rimg + ".sig", rimg + ".manifest", rimg + ".manifest.sig"]
        check(named and all(f in synced for f in want) and os.path.dirname(rimg) in synced,
              what + " (synced first: %s)" % [os.path.basename(f or "?") for f in synced])
    # Named through symbolic links in another directory: what is synced is
    # what the journal names (the links' targets and their directory).
    what = "upgrade through symbolic links: the journal's paths and their directory synced"
    links = os.path.join(tmp, "links")
    os.makedirs(links, exist_ok=True)
    for ext in ("", ".sig", ".manifest", ".manifest.sig"):
        if not os.path.lexists(os.path.join(links, "fw.bin" + ext)):
            os.symlink(img + ext, os.path.join(links, "fw.bin" + ext))
    got, why = traced_upgrade(os.path.join(links, "fw.bin"), os.path.join(tmp, "state-links"))
    if got is None:
        skip(what, "strace cannot trace here (%s)" % why)
    else:
        synced, named, jtext = got
        check(named and "image=" + rimg + "\n" in jtext and rimg in synced and
              rimg + ".manifest" in synced and os.path.dirname(rimg) in synced,
              what + " (synced first: %s)" % synced)

# --- upgrade --auto --------------------------------------------------------
fwdir = os.path.join(tmp, "fwdir")
cfg3 = conf("auto.conf", ["firmware_dir=" + fwdir, "reboot_timeout=2", "ready_timeout=2",
                          "upgrade_timeout=3"])
a_img = os.path.join(fwdir, "ML307A", "ML307A-DSLN-V2.bin")
put(a_img, "MFWPKG special\nMFWVER:ML307A-DSLN-V2\n")
run("manifest", "create", a_img, "--family", "ML307A", "--version", "ML307A-DSLN-V2")
tty8 = fake_port("mfw8", "ttyMFWT8", {"model": "ML307A", "family": "ML307A",
                                      "firmware": "ML307A-DSLN-V1", "paths": "special"})
rc, out, err = run("--config", cfg3, "upgrade", "--auto", "--port", tty8, env=env2)
check(rc == 0 and err.count("only from a url") == 1,
      "--auto on a url-only family with a package in its directory: 0, said once (%s)"
      % err.strip()[-100:])
fake_port("mfw8", "ttyMFWT8", {"model": "ML307A", "family": "ML307A",
                               "firmware": "ML307A-DSLN-V1", "paths": "unknown"})
rc, out, err = run("--config", cfg3, "upgrade", "--auto", "--port", tty8, env=env2)
check(rc == 0 and "only from a url" in err,
      "--auto: paths unknown yet, the capability table says url-only: 0")

r_img = os.path.join(fwdir, "ML307R-DC", "ML307R-DC-MBRH0S02.bin")
put(r_img, "MFWPKG firmware\nMFWVER:ML307R-DC-MBRH0S02\n")
run("manifest", "create", r_img, "--family", "ML307R-DC", "--version", "ML307R-DC-MBRH0S02")
tty9 = fake_port("mfw9", "ttyMFWT9", {"identify": None})
rc, out, err = run("--config", cfg3, "upgrade", "--auto", "--port", tty9, env=env2)
check("upgrading ML307R-DC-MBRH0S01 to ML307R-DC-MBRH0S02" in err,
      "--auto offers a fitting package to a family with a local path")
for f in ("journal", "journal.last"):
    rm(os.path.join(st2, f))
sha = hashlib.sha256(open(r_img, "rb").read()).hexdigest()
journal(st2, [("phase", "failed"), ("image", r_img), ("sha256", sha),
              ("from", "ML307R-DC-MBRH0S01"), ("note", "package refused: 860 not enough file-system space")])
os.rename(os.path.join(st2, "journal"), os.path.join(st2, "journal.last"))
rc, out, err = run("--config", cfg3, "upgrade", "--auto", "--port", tty9, env=env2)
check(rc == 0 and "refused" in err and "upgrading" not in err,
      "--auto does not offer again a package the module refused: 0 (%s)" % err.strip()[-100:])

# --auto looks without the lock: an upgrade running meanwhile (it holds the
# lock) neither holds up nor fails the look.  A package found waits for
# that upgrade to end, then is looked for again; an upgrade by hand still
# fails at once.
with open(os.path.join(st2, "lock"), "w") as lk:
    fcntl.flock(lk, fcntl.LOCK_EX)
    rc, out, err = run("--config", cfg3, "upgrade", "--auto", "--port", tty9, env=env2)
    check(rc == 0 and "refused" in err and "another mfw" not in err,
          "--auto with nothing to do while another upgrade holds the lock: 0, not held up "
          "(%s)" % err.strip()[-80:])
    last = os.path.join(st2, "journal.last")
    os.rename(last, last + ".kept")
    rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty9, env=env2)
    check(rc == 6 and "another mfw upgrade or resume is running" in err,
          "an upgrade by hand while another holds the lock: 6")
    rc, out, err = run("--config", cfg3, "upgrade", "--auto", "--port", tty9, "--dry-run",
                       env=env2)
    check(rc == 0 and "would wait for it to end" in err and "error" not in err,
          "--auto --dry-run while another holds the lock: the wait said, 0 (%s)"
          % err.strip()[-80:])
    def waiter(*args):
        """--auto on tty9 while the lock is held, once it says it waits:
        (process, its output so far); killed if it never says so."""
        p = subprocess.Popen([MFW, "--config", cfg3] + list(args) +
                             ["upgrade", "--auto", "--port", tty9],
                             env=dict(os.environ, **env2), stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, text=True)
        guard = threading.Timer(60, p.kill)
        guard.start()
        seen = ""
        for line in p.stdout:
            seen += line
            if "waiting for it to end" in line or "error" in line:
                break
        guard.cancel()
        return p, seen

    w, seen = waiter()
    # (still waiting: it goes on once the lock is free)
    check("waiting for it to end" in seen and w.poll() is None,
          "--auto with a package while another holds the lock: it waits (%s)"
          % seen.strip()[-80:])
    fcntl.flock(lk, fcntl.LOCK_UN)
    err = seen + w.stdout.read()
    rc = w.wait(timeout=60)
check(err.count("upgrading ML307R-DC-MBRH0S01 to ML307R-DC-MBRH0S02") == 2 and
      "mfw: verify: " + r_img in err.split("waiting for it to end")[-1],
      "... then looks again and goes on with the upgrade (rc %d, %s)" % (rc, err.strip()[-80:]))
for f in ("journal", "journal.last"):
    rm(os.path.join(st2, f))
flashing9 = [("phase", "flashing"), ("port", tty9), ("family", "ML307R-DC"),
             ("from", "ML307R-DC-MBRH0S01"), ("target", "ML307R-DC-MBRH0S02"),
             ("note", "flashing")]
with open(os.path.join(st2, "lock"), "w") as lk:
    fcntl.flock(lk, fcntl.LOCK_EX)
    # The holder leaves an unfinished journal: after the wait, exit 11
    # and the module is left alone.
    w, seen = waiter()
    journal(st2, flashing9)
    fcntl.flock(lk, fcntl.LOCK_UN)
    err = seen + w.stdout.read()
    rc = w.wait(timeout=60)
    check(rc == 0 and "unfinished" in err and "mfw resume" in err and "verify" not in err,
          "--auto that waited, the holder's journal left unfinished: 0 (resume's), nothing started "
          "(%s)" % err.strip()[-80:])
    rm(os.path.join(st2, "journal"))
    # A stop while it waits: exit 9, and with --json one result event.
    fcntl.flock(lk, fcntl.LOCK_EX)
    w, seen = waiter("--json")
    w.terminate()
    out = seen + w.stdout.read()
    rc = w.wait(timeout=60)
    # (its standard error, merged here, holds no JSON)
    results = [o for o in (json.loads(x) for x in out.splitlines() if x.startswith("{"))
               if o.get("event") == "result"]
    check(rc == 9 and len(results) == 1 and results[0].get("exit") == 9 and
          "nothing was started" in out and not os.path.exists(os.path.join(st2, "journal")),
          "--auto stopped while it waits: 9, one result event, nothing started (%s)"
          % out.strip()[-80:])
os.rename(last + ".kept", last)
# The module of an unfinished upgrade is not asked anything: exit 11.
journal(st2, [("phase", "flashing"), ("port", tty9), ("family", "ML307R-DC"),
              ("from", "ML307R-DC-MBRH0S01"), ("target", "ML307R-DC-MBRH0S02"),
              ("note", "flashing")])
tty11 = fake_port("mfw11", "ttyMFWT11", {"family": "unknown", "firmware": "unknown"})
rc, out, err = run("--config", cfg3, "upgrade", "--auto", "--port", tty11, env=env2)
check(rc == 0 and "unfinished" in err and "error" not in err and
      open(os.path.join(sysfs, "class/mfw/mfw11/identify")).read() == "\n",
      "--auto with an unfinished journal: 0 (mfw resume's to finish), the module not asked "
      "(%s)" % err.strip()[-80:])
rc, out, err = run("--config", cfg3, "upgrade", "--auto", "--port", tty11, "--dry-run", env=env2)
check(rc == 0 and "unfinished" in err and "error" not in err,
      "--auto --dry-run with an unfinished journal: 0, as the real run")
rm(os.path.join(st2, "journal"))

# --- upgrade --dry-run: every check, a plan, nothing asked of anyone ----------
st4 = os.path.join(tmp, "state4")
env4 = {"MFW_SYSFS_ROOT": sysfs, "MFW_STATE_DIR": st4}
tty10 = fake_port("mfw10", "ttyMFWT10", {})
identify = os.path.join(sysfs, "class/mfw/mfw10/identify")
rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty10, "--dry-run", env=env4)
check(rc == 0 and out.startswith("dry run: the upgrade would go ahead; nothing was sent") and
      "ML307R-DC, running ML307R-DC-MBRH0S01" in out and
      "installs ML307R-DC-MBRH0S02" in out and "transparent write" in out and
      "(mfw10)" in out and "ModemManager" in out,
      "--dry-run: 0 and the plan (%s)" % (out + err).strip()[:300].replace("\n", " | "))
check(open(identify).read() == "\n" and not os.path.exists(st4),
      "--dry-run: the driver was not asked to identify the module; no state directory, "
      "so no journal, no transcript, no lock file")
rc, out, err = run("--config", cfg3, "--json", "upgrade", r_img, "--port", tty10, "--dry-run",
                   env=env4)
plans = [e for e in last_json if e.get("event") == "plan"]
check(rc == 0 and len(plans) == 1 and plans[0]["verdict"] == "the upgrade would go ahead",
      "--dry-run --json: one plan event (%s)" % plans)
fake_port("mfw10", "ttyMFWT10", {"firmware": "ML307R-DC-MBRH0S02"})
rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty10, "--dry-run", env=env4)
check(rc == 0 and out.startswith("dry run: nothing to do") and "already runs" in err,
      "--dry-run, the module runs that version: 0, nothing to do")
fake_port("mfw10", "ttyMFWT10", {"firmware": "ML307R-DC-MBRH0S03"})
rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty10, "--dry-run", env=env4)
check(rc == 4 and "refusing a downgrade" in err and
      out.startswith("dry run: the upgrade would stop at the error above"),
      "--dry-run of a downgrade: 4, the error and the plan")
rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty10, "--dry-run",
                   "--allow-downgrade", env=env4)
check(rc == 0 and "--allow-downgrade" in err, "--dry-run --allow-downgrade: 0")
fake_port("mfw10", "ttyMFWT10", {"state": "downloading"})
rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty10, "--dry-run", env=env4)
check(rc == 0 and "busy now (state downloading)" in err,
      "--dry-run on a busy port: a warning (the upgrade itself does not look): 0")
put(os.path.join(tmp, "dev", "ttyNOTMFW"), "")
rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port",
                   os.path.join(tmp, "dev", "ttyNOTMFW"), "--dry-run", env=env4)
check(rc == 6 and "no mfw port on" in err and "mfw attach" in err,
      "--dry-run on a tty without the discipline: 6, says to attach it")
# Versions of two lines of one family are not ordered, with a warning.
fake_port("mfw10", "ttyMFWT10", {"firmware": "ML307R-DC-XYZ-S09"})
rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty10, "--dry-run", env=env4)
check(rc == 4 and "which is newer cannot be told" in err and "--allow-downgrade" in err,
      "--dry-run: versions of two lines cannot be ordered: refused, naming the override: 4")
rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty10, "--dry-run",
                   "--allow-downgrade", env=env4)
check(rc == 0 and "going on because of --allow-downgrade" in err,
      "--dry-run: versions of two lines with --allow-downgrade: 0, with a warning")
# --auto offers no package of another line, however it sorts.
fake_port("mfw10", "ttyMFWT10", {"firmware": "ML307R-DC-MBRH0S01-B7"})
rc, out, err = run("--config", cfg3, "upgrade", "--auto", "--port", tty10, "--dry-run",
                   env=env4)
check(rc == 0 and "no newer package" in err and "would upgrade" not in err,
      "--auto skips a package of another line: 0, nothing offered (%s)" % err.strip()[-80:])
# The lock and an unfinished journal are checks like the others: the rest
# still runs, the plan is printed, the exit code is theirs.
fake_port("mfw10", "ttyMFWT10", {})
os.makedirs(st4, exist_ok=True)
journal(st4, [("phase", "writing"), ("port", tty10), ("family", "ML307R-DC"),
              ("from", "ML307R-DC-MBRH0S01"), ("target", "ML307R-DC-MBRH0S02"),
              ("note", "writing")])
with open(os.path.join(st4, "lock"), "w") as lk:
    fcntl.flock(lk, fcntl.LOCK_EX)
    rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty10, "--dry-run",
                       env=env4)
    check(rc == 6 and "another mfw upgrade" in err and "unfinished" not in err and
          "dry run: the upgrade would stop" in out and "installs ML307R-DC-MBRH0S02" in out,
          "--dry-run with the lock held: said, the running upgrade's journal not taken for "
          "an earlier one, the plan, 6")
rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty10, "--dry-run", env=env4)
check(rc == 11 and "unfinished" in err and "dry run: the upgrade would stop" in out,
      "--dry-run with an unfinished journal: said, the plan, 11")
rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty10, "--dry-run",
                   "--start-over", env=env4)
check(rc == 0 and "its journal is replaced once this upgrade starts, because of --start-over" in err and
      "phase=writing" in open(os.path.join(st4, "journal")).read(),
      "--dry-run --start-over: says what it would set aside, leaves the journal: 0")
shutil.rmtree(st4)
rc, out, err = run("--config", cfg3, "upgrade", r_img, "--port", tty10, "--dry-run", env=env4)
check(rc == 0 and not os.path.exists(st4),
      "--dry-run creates no state directory where none was")
shutil.rmtree(os.path.join(sysfs, "class/mfw/mfw10"))

# --- --json on every path ------------------------------------------------------
# Each run() below with --json adds its two checks (schema, one result last).
run("--json")
rc, out, err = run("--json", "frobnicate")
check(rc == 2 and last_json and last_json[-1].get("error", "").startswith("unknown command"),
      "--json unknown command: the result carries the error")
run("--json", "--no-such-option", "status")
run("status", "--no-such-option", "--json")
run("upgrade", "--json")
run("power", "sideways", "--json")
run("attach", "--json")
run("manifest", "--json")
run("manifest", "create", img, "--json")
rc, out, err = run("--config", os.path.join(tmp, "missing.conf"), "status", "--json")
check(rc == 3 and [o["event"] for o in last_json] == ["log", "result"],
      "configuration error before the command's own --json: log and result")
rc, out, err = run("--json", "--help")
check(rc == 0 and "Exit codes" in err, "--json --help: usage on standard error")
rc, out, err = run("--json", "--version")
check(rc == 0 and last_json and last_json[0].get("event") == "version",
      "--json --version: a version event")
rc, out, err = run("-j", "resume")
check(rc == 0 and len(last_json) == 1, "nothing to resume: only the result (-j)")
rc, out, err = run("--json", "status", "--port", "ttyNONE")
check(rc == 0 and [o["event"] for o in last_json] ==
      ["power", "trust", "journal", "config", "result"],
      "status of no port: power, trust, journal, config and result")
run("--config", conf("gpio.conf", ["status=MFW_TEST_NO_SUCH_LINE"]), "power", "status",
    "--json")

rc, out, err = run("--json", "manifest", "create", img, "--family", "ML307R-DC",
                   "--version", "ML307R-DC-MBRH0S02", "-o", img + ".m2")
ev = last_json[0] if last_json else {}
check(rc == 0 and ev.get("event") == "manifest" and ev.get("action") == "create" and
      ev.get("file") == img + ".m2" and ev.get("size") == os.path.getsize(img) and
      ev.get("sha256") == hashlib.sha256(open(img, "rb").read()).hexdigest(),
      "manifest create --json: a manifest event")
rc, out, err = run("manifest", "sign", img + ".m2", "--key", key, "--json")
check(rc == 0 and last_json and last_json[0].get("event") == "signature" and
      last_json[0].get("signature") == img + ".m2.sig", "manifest sign --json: a signature event")
rc, out, err = run("manifest", "sign", img + ".m2", "--key", pub, "--json")
check(rc == 2 and last_json and last_json[0].get("level") == "error",
      "manifest sign with a public key --json: 2, an error")
rc, out, err = run("manifest", "verify", img + ".m2", "--pubkey", pub, "--json")
ev = last_json[0] if last_json else {}
check(rc == 0 and ev.get("action") == "verify" and ev.get("verified") is True and
      ev.get("family") == "ML307R-DC" and "image" not in ev,
      "manifest verify --json: verified")
rc, out, err = run("manifest", "verify", img + ".manifest", "--image", img, "--pubkey",
                   rsapub, "--json")
ev = last_json[0] if last_json else {}
check(rc == 0 and ev.get("verified") is True and ev.get("image") == img,
      "manifest verify --image --json: verified, names the image")
rc, out, err = run("manifest", "verify", img + ".m2", "--pubkey", rsapub, "--json")
check(rc == 4 and any(o.get("level") == "error" for o in last_json),
      "manifest verify with another key --json: 4, an error")
rc, out, err = run("--json", "--config", cfg3, "upgrade", "--auto", "--port", tty9, env=env2)
check(rc == 0, "upgrade --auto with nothing to do --json: 0")

# Bytes from the module that are not UTF-8: U+FFFD per byte, raw bytes in hex.
fw_raw = b"ML307R\xff\xfe_V1"
urc_raw = b"+MATREADY\x1f\x01\xc3"
fake_port("mfw7", "ttyMFWT7", {"firmware": fw_raw, "last_urc": urc_raw,
                               "model": "ML307R-DC \u00e9"})
rc, out, err = run("--json", "status", "--port", "ttyMFWT7", env=env2)
ev = last_json[0] if last_json else {}
check(rc == 0 and ev.get("event") == "port" and
      ev.get("firmware") == "ML307R\ufffd\ufffd_V1" and
      bytes.fromhex(ev.get("firmware_hex", "")) == fw_raw,
      "firmware not UTF-8: text with U+FFFD, firmware_hex the raw bytes (%s)" % ev)
check(ev.get("last_urc") == "+MATREADY\x1f\x01\ufffd" and
      bytes.fromhex(ev.get("last_urc_hex", "")) == urc_raw,
      "last_urc with control bytes and a cut sequence: escaped, replaced, hex kept")
check(ev.get("model") == "ML307R-DC \u00e9" and "model_hex" not in ev and
      "tty_hex" not in ev, "valid UTF-8 is kept as it is, without _hex")
rc, out, err = run("status", "--port", "ttyMFWT7", env=env2)
check(rc == 0 and "ML307R" in out, "status for people still shows the port")
bad_name = os.fsencode(tmp) + b"/fw\xff.manifest"
rc, out, err = run("--json", "manifest", "verify", bad_name, "--pubkey", pub)
ev = last_json[0] if last_json else {}
check(rc == 4 and ev.get("event") == "log" and "\ufffd" in ev.get("message", "") and
      bad_name in bytes.fromhex(ev.get("message_hex", "")) and last_json and
      last_json[-1].get("error_hex") == ev.get("message_hex"),
      "a file name not UTF-8 in an error: message_hex, in the log and the result")

# --- status: what --auto would do, signatures, configuration ----------------
st5 = os.path.join(tmp, "state5")
env5 = {"MFW_SYSFS_ROOT": sysfs, "MFW_STATE_DIR": st5}
fake_port("mfw11", "ttyMFWT11", {})
rc, out, err = run("--config", cfg3, "status", "--port", "ttyMFWT11", env=env5)
check(rc == 0 and ("auto        would upgrade ML307R-DC-MBRH0S01 to ML307R-DC-MBRH0S02 with "
                   + r_img) in out,
      "status: the package --auto would install, and from where (%s)"
      % [l for l in out.splitlines() if "auto" in l])
check("signatures: NOT checked" in out and "set pubkey=" in out,
      "status: no key configured is said, with what to do")
check(("configuration (%s over the defaults):" % cfg3) in out and
      re.search(r"\n  firmware_dir +%s\n" % re.escape(fwdir), out) and
      re.search(r"\n  battery_min +30\n", out) and
      re.search(r"\n  pwrkey_active_low +true\n", out),
      "status: the configuration in effect, the file's keys over the defaults")
check(err.count("NO PUBLIC KEY") == 0 and "error" not in err,
      "status: the no-key verdict on its line, no warning per package (%s)" % err.strip()[:100])
rc, out, err = run("--config", cfg3, "--json", "status", "--port", "ttyMFWT11", env=env5)
ev = {o["event"]: o for o in last_json}
check(rc == 0 and ev.get("port", {}).get("auto") == "found" and
      ev["port"].get("auto_image") == r_img and
      ev["port"].get("auto_version") == "ML307R-DC-MBRH0S02",
      "status --json: auto found, with image and version (%s)" % ev.get("port"))
check(ev.get("trust", {}).get("signatures") == "unchecked" and ev["trust"].get("pubkey") is None,
      "status --json: signatures unchecked, no pubkey")
check(ev.get("config", {}).get("file") == cfg3 and ev["config"].get("firmware_dir") == fwdir and
      ev["config"].get("battery_min") == "30" and ev["config"].get("upgrade_timeout") == "3",
      "status --json: the config event")
rc, out, err = run("--json", "status", "--port", "ttyMFWT11", env=env5)
check(rc == 0 and last_json and last_json[-2].get("event") == "config" and
      last_json[-2].get("file") is None, "status --json without a file: config file null")
# The package the module refused last time is named as such.
os.makedirs(st5, exist_ok=True)
put(os.path.join(st5, "journal.last"),
    journal_text([("phase", "failed"), ("image", r_img), ("sha256", sha),
                  ("from", "ML307R-DC-MBRH0S01"),
                  ("note", "package refused: 860 not enough file-system space")]))
rc, out, err = run("--config", cfg3, "--json", "status", "--port", "ttyMFWT11", env=env5)
p = ([o for o in last_json if o["event"] == "port"] or [{}])[0]
check(rc == 0 and p.get("auto") == "refused_before" and "refused" in p.get("auto_reason", ""),
      "status: a package refused last time is not offered (%s)" % p.get("auto_reason"))
os.remove(os.path.join(st5, "journal.last"))
fake_port("mfw12", "ttyMFWT12", {"firmware": ""})
rc, out, err = run("--config", cfg3, "status", "--port", "ttyMFWT12", env=env5)
check(rc == 0 and "nothing to install: the module on ttyMFWT12 is not identified yet" in out,
      "status: a module not identified yet")
fake_port("mfw12", "ttyMFWT12", {"firmware": "ML307R-DC-MBRH0S09"})
rc, out, err = run("--config", cfg3, "status", "--port", "ttyMFWT12", env=env5)
check(rc == 0 and "nothing to install: the module runs ML307R-DC-MBRH0S09; no newer package" in out,
      "status: nothing newer")
fake_port("mfw12", "ttyMFWT12", {"family": "ML305U", "model": "ML305U",
                                 "firmware": "ML305U-V1"})
rc, out, err = run("--config", cfg3, "status", "--port", "ttyMFWT12", env=env5)
check(rc == 0 and "no packages for ML305U in %s/ML305U (no such directory)" % fwdir in out,
      "status: no directory for the family (%s)" % [l for l in out.splitlines() if "auto" in l])
shutil.rmtree(os.path.join(sysfs, "class/mfw/mfw12"))
# A key: checked, and the manifests it does not verify are counted as refused.
keyed = conf("keyed.conf", ["firmware_dir=" + fwdir, "pubkey=" + pub])
rc, out, err = run("--config", keyed, "status", "--port", "ttyMFWT11", env=env5)
check(rc == 0 and ("signatures: checked against %s (key " % pub) in out and
      "refused for a bad signature or text: 'mfw --verbose status' says why" in out and
      "is not signed" not in err,
      "status with a key: checked against it; unsigned packages refused and counted, "
      "the errors not repeated (%s)" % err.strip()[:100])
rc, out, err = run("--config", keyed, "--verbose", "status", "--port", "ttyMFWT11", env=env5)
check(rc == 0 and "is not signed" in err, "status --verbose says why a package was refused")
rc, out, err = run("--config", keyed, "--json", "status", "--port", "ttyMFWT11", env=env5)
check(rc == 0 and last_json and "error" not in last_json[-1],
      "status --json: packages refused by the pick are no error of the run")
rc, out, err = run("--config", keyed, "--json", "status", "--port", "ttyMFWT11", env=env5)
trust = [o for o in last_json if o["event"] == "trust"]
check(rc == 0 and trust and trust[0].get("signatures") == "checked" and
      trust[0].get("pubkey") == pub and "ED25519" in trust[0].get("keys", ""),
      "status --json with a key: signatures checked, the key described (%s)" % trust)
for bad, what in ((os.path.join(tmp, "nokey.pem"), "No such file"), (img, "no PEM public key")):
    rc, out, err = run("--config", conf("badkey.conf", ["pubkey=" + bad]), "status", env=env5)
    check(rc == 0 and "is unusable (%s" % what in out and "every upgrade will be refused" in out,
          "status: an unusable key is said (%s)" % what)
# Without a key the warning comes once a run, however many files.
put(os.path.join(fwdir, "ML307R-DC", "ML307R-DC-MBRH0S00.bin"), "MFWPKG old\n")
run("manifest", "create", os.path.join(fwdir, "ML307R-DC", "ML307R-DC-MBRH0S00.bin"),
    "--family", "ML307R-DC", "--version", "ML307R-DC-MBRH0S00")
rc, out, err = run("--config", cfg3, "upgrade", "--auto", "--port",
                   fake_port("mfw11", "ttyMFWT11", {}), "--dry-run", env=env5)
check(err.count("NO PUBLIC KEY") == 1 and "would upgrade" in err,
      "no key: one warning for the manifests and the image of one run (%d)"
      % err.count("NO PUBLIC KEY"))

# A package whose image is missing or not yet whole is passed over for an
# older one that is complete.
s03 = os.path.join(fwdir, "ML307R-DC", "ML307R-DC-MBRH0S03.bin")
put(s03, "MFWPKG newer\nMFWVER:ML307R-DC-MBRH0S03\n")
run("manifest", "create", s03, "--family", "ML307R-DC", "--version", "ML307R-DC-MBRH0S03")
put(s03, "MFWPKG ne")
rc, out, err = run("--config", cfg3, "--json", "status", "--port", "ttyMFWT11", env=env5)
p = ([o for o in last_json if o["event"] == "port"] or [{}])[0]
check(rc == 0 and p.get("auto_version") == "ML307R-DC-MBRH0S02",
      "status: an image cut short is passed over for the older whole one (%s)" % p)
os.remove(s03)
rc, out, err = run("--config", cfg3, "--json", "status", "--port", "ttyMFWT11", env=env5)
p = ([o for o in last_json if o["event"] == "port"] or [{}])[0]
check(rc == 0 and p.get("auto_version") == "ML307R-DC-MBRH0S02",
      "status: a manifest without its image is passed over (%s)" % p.get("auto_reason"))
os.remove(s03 + ".manifest")

# --- history ----------------------------------------------------------------
rc, out, err = run("history", env=env5)
check(rc == 0 and "no finished upgrade recorded" in out, "history, none yet: 0, said")
rc, out, err = run("--json", "history", env=env2)
recs = [o for o in last_json if o.get("event") == "history"]
check(rc == 0 and len(recs) >= 2 and "failed" in [r["phase"] for r in recs] and
      recs[-1]["phase"] == "done" and recs[-1]["target"] == "ML307R-DC-MBRH0S02" and
      recs[-1]["ended"] >= recs[-1]["started"] + 60,
      "history --json: the failed and done resumes above, oldest first (%s)"
      % [(r["phase"], r["target"]) for r in recs])
rc, out, err = run("history", "--last", "1", env=env2)
check(rc == 0 and len(out.splitlines()) == 1 and
      re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d  done  +ML307R-DC-MBRH0S01 -> "
               r"ML307R-DC-MBRH0S02  ", out),
      "history --last 1: the newest, one line (%s)" % out.strip())
for bad in ("0", "x", "101"):
    rc, out, err = run("history", "--last", bad)
    check(rc == 2 and "--last takes a number" in err, "history --last %s: 2" % bad)
rc, out, err = run("history", "extra")
check(rc == 2, "history with an operand: 2")
# A record cut short is left out with a warning; the next upgrade drops it,
# and only the newest 100 are kept.
st6 = os.path.join(tmp, "state6")
env6 = {"MFW_SYSFS_ROOT": sysfs, "MFW_STATE_DIR": st6}
old = [journal_text([("phase", "done"), ("started", str(1000 + i)), ("updated", str(1001 + i)),
                     ("from", "V%d" % i), ("target", "V%d" % (i + 1)), ("note", "old")])
       for i in range(120)]
put(os.path.join(st6, "history"), "".join(old) + old[0][:40])
rc, out, err = run("history", env=env6)
check(rc == 0 and len(out.splitlines()) == 120 and "1 record of" in err and
      "could not be read" in err, "history: a record cut short is left out, with a warning")
fake_port("mfw7", "ttyMFWT7", {"firmware": "ML307R-DC-MBRH0S02"})
journal(st6, flashing)
rc, out, err = run("--config", cfg2, "resume", env=env6, timeout=40)
rc2, out, err = run("--json", "history", env=env6)
recs = [o for o in last_json if o.get("event") == "history"]
check(rc == 0 and len(recs) == 99 and recs[0]["from"] == "V22" and
      recs[-1]["target"] == "ML307R-DC-MBRH0S02" and "1 record of" in err,
      "history keeps the newest 100 records, the damaged one too until it is the oldest "
      "(%d, %s)" % (len(recs), recs[0].get("from") if recs else None))
check(oct(os.stat(os.path.join(st6, "history")).st_mode & 0o777) == "0o600",
      "history is mode 0600")
put(os.path.join(st6, "history"), "x" * (101 * 8192))
rc, out, err = run("history", env=env6)
check(rc == 11 and "larger than any history" in err and "history.corrupt" in err,
      "history: an oversized file: 11, said, and what happens to it")
rc, out, err = run("status", env=env6)
check(rc == 0 and "history: %s/history cannot be read" % st6 in out,
      "status with an oversized history: says so, no crash")
journal(st6, flashing)
rc, out, err = run("--config", cfg2, "resume", env=env6, timeout=40)
rc2, out2, err2 = run("--json", "history", env=env6)
check(rc == 0 and "moved to %s/history.corrupt" % st6 in err and
      os.path.getsize(os.path.join(st6, "history.corrupt")) == 101 * 8192 and
      [r["phase"] for r in last_json if r.get("event") == "history"] == ["done"] and
      not os.path.exists(os.path.join(st6, "journal")),
      "an upgrade ending beside an oversized history: done, the old file set aside, "
      "a new history begun (%s)" % err.strip()[-120:])
# One damaged byte costs one record, never its neighbour; records that are
# no finished upgrade are not listed.
recs = [journal_text([("phase", "done"), ("started", "1"), ("updated", "2"),
                      ("from", "A%d" % i), ("target", "B%d" % i), ("note", "n")])
        for i in range(3)]
bad = recs[1].replace("checksum=", "checksuM=")
weird = journal_text([("phase", "writing"), ("from", "W"), ("target", "X"), ("note", "n")])
huge = journal_text([("phase", "done"), ("size", "18446744073709551615"), ("from", "H"),
                     ("target", "I"), ("note", "n")])
put(os.path.join(st6, "history"), recs[0] + bad + recs[2] + weird + huge)
rc, out, err = run("--json", "history", env=env6)
check(rc == 0 and [r["from"] for r in last_json if r.get("event") == "history"] ==
      ["A0", "A2"] and "3 records of" in err,
      "history: a damaged checksum line loses its record only; a record of an upgrade "
      "in flight and one with an impossible size are left out (%s)" % err.strip()[-100:])
if True:
    os.remove(os.path.join(st6, "history"))
    os.mkfifo(os.path.join(st6, "history"))
    rc, out, err = run("history", env=env6, timeout=20)
    check(rc == 11 and "not a regular file" in err, "history: a FIFO is not waited on: 11")
    os.mkfifo(os.path.join(st6, "trusted.pem"))
    rc, out, err = run("--config", conf("fifo.conf", ["pubkey=" + os.path.join(st6, "trusted.pem")]),
                       "status", env=env6, timeout=20)
    check(rc == 0 and "is unusable (not a regular file)" in out,
          "status: a FIFO as the key is not waited on (%s)"
          % out.strip()[-100:].replace("\n", " | "))
    os.remove(os.path.join(st6, "trusted.pem"))
# A checksum line whose newline was damaged still ends its record; a file
# of exactly the largest size is read; a damaged history near that size
# leaves room for the next record, which stays readable; a second history
# set aside keeps the first.
os.remove(os.path.join(st6, "history"))     # the FIFO above
put(os.path.join(st6, "history"), recs[0][:-1] + "X" + recs[1] + recs[2])
rc, out, err = run("--json", "history", env=env6)
check(rc == 0 and [r["from"] for r in last_json if r.get("event") == "history"] ==
      ["A1", "A2"] and "1 record of" in err,
      "history: a checksum line without its newline costs its own record only (%s)"
      % [r.get("from") for r in last_json])
put(os.path.join(st6, "history"), "y" * (100 * 8192))
rc, out, err = run("history", env=env6)
check(rc == 0 and "could not be read" in err, "history: a file of exactly 800 KiB is read")
put(os.path.join(st6, "history"), "z" * (100 * 8192 - 100))
journal(st6, flashing)
rc, out, err = run("--config", cfg2, "resume", env=env6, timeout=40)
rc2, out2, err2 = run("--json", "history", env=env6)
check(rc == 0 and rc2 == 0 and [r["phase"] for r in last_json if r.get("event") == "history"]
      == ["done"] and os.path.getsize(os.path.join(st6, "history")) <= 100 * 8192,
      "a damaged history near the largest size: the new record fits, and reads back (%s)"
      % err2.strip()[-100:])
for i in range(2):
    put(os.path.join(st6, "history"), "w%d" % i * (60 * 8192))
    journal(st6, flashing)
    run("--config", cfg2, "resume", env=env6, timeout=40)
check(sorted(f for f in os.listdir(st6) if f.startswith("history.corrupt")) ==
      ["history.corrupt", "history.corrupt.1", "history.corrupt.2"] and
      open(os.path.join(st6, "history.corrupt.2")).read(2) == "w1",
      "each history set aside is kept (%s)" % sorted(os.listdir(st6)))
os.mkfifo(os.path.join(tmp, "fifo-config"))
rc, out, err = run("--config", os.path.join(tmp, "fifo-config"), "status", timeout=20)
check(rc == 3 and "not a regular file" in err, "a FIFO as the configuration: 3, not waited on")
# Key files the directory cannot use are named, a private key loudly.
kd = os.path.join(tmp, "keys-mixed")
os.makedirs(kd)
shutil.copy(pub, os.path.join(kd, "good.pem"))
shutil.copy(key, os.path.join(kd, "oops-private.pem"))
os.symlink(os.path.join(kd, "nowhere.pem"), os.path.join(kd, "dangling.pem"))
os.makedirs(os.path.join(kd, "sub.pem"))
rc, out, err = run("manifest", "verify", img + ".m2", "--pubkey", kd)
check(rc == 0 and "oops-private.pem is passed over: a PRIVATE key" in err and
      "dangling.pem is passed over: No such file" in err and
      "sub.pem is passed over: not a regular file" in err,
      "a keys directory: each file passed over is named with its reason (%s)"
      % err.strip().replace("\n", " | ")[:300])

# --- several modules: [module NAME] sections ---------------------------------
# Two fake ports, each the port of a section; each module has its own state
# directory and lock, so an upgrade of one never waits for the other's.
st7 = os.path.join(tmp, "state7")
env7 = {"MFW_SYSFS_ROOT": sysfs, "MFW_STATE_DIR": st7}
tty12 = fake_port("mfw12", "ttyMFWT12", {})
tty13 = fake_port("mfw13", "ttyMFWT13", {})
cfg7 = conf("modules.conf", ["firmware_dir=" + fwdir, "reboot_timeout=2", "ready_timeout=2",
                             "upgrade_timeout=3", "battery_min=30",
                             "pwrkey=none", "reset=none", "status=none",
                             "[module left]", "match=tty:ttyMFWT12", "battery_min=45",
                             "", "[module right]", "port=" + tty13, "chunk=512"])
m_left = os.path.join(st7, "modules", "left")
m_right = os.path.join(st7, "modules", "right")
os.makedirs(m_right)
with open(os.path.join(st7, "lock"), "w") as g_lk, \
        open(os.path.join(m_right, "lock"), "w") as r_lk:
    fcntl.flock(g_lk, fcntl.LOCK_EX)
    fcntl.flock(r_lk, fcntl.LOCK_EX)
    rc, out, err = run("--config", cfg7, "--verbose", "upgrade", r_img,
                       "--port", tty12, env=env7)
    check("another mfw" not in err and "writing: mfw12" in err and
          os.path.exists(os.path.join(m_left, "journal")) and
          not os.path.exists(os.path.join(st7, "journal")),
          "[module left] upgrades while the global lock and [module right]'s are held; "
          "its journal in modules/left (rc %d, %s)" % (rc, err.strip()[-80:]))
rm(os.path.join(m_left, "journal"))
with open(os.path.join(m_left, "lock"), "w") as l_lk:
    fcntl.flock(l_lk, fcntl.LOCK_EX)
    rc, out, err = run("--config", cfg7, "upgrade", r_img, "--port", tty12, env=env7)
    check(rc == 6 and "another mfw upgrade or resume is running" in err and
          m_left + "/lock" in err,
          "a second upgrade of the same module: 6, its own lock named (%s)" % err.strip()[-100:])
    rc, out, err = run("--config", cfg7, "--module", "left", "upgrade", r_img, env=env7)
    check(rc == 6 and "another mfw upgrade" in err,
          "--module left without --port: its port= comes from the section... or the lock: 6")
rc, out, err = run("--config", cfg7, "upgrade", r_img, "--port", tty12, "--dry-run", env=env7)
check(rc == 0 and "[module left], its journal and lock in " + m_left in out,
      "--dry-run names the module and where its journal and lock are (%s)"
      % [l for l in out.splitlines() if "module" in l][:1])
rc, out, err = run("--config", cfg7, "--module", "left", "upgrade", r_img, "--port", tty13,
                   env=env7)
check(rc == 3 and "is the port of [module right]" in err and "not of [module left]" in err,
      "--module left with [module right]'s port: 3, not right's module under left's lock "
      "(%s)" % err.strip()[-100:])
rc, out, err = run("--config", cfg7, "--module", "left", "attach", tty9, env=env7)
check(rc == 3 and "is not the port of [module left]" in err,
      "--module left with a port in no section: 3 (%s)" % err.strip()[-80:])
long_st = os.path.join(tmp, "s" * (250 - len(tmp)))
rc, out, err = run("--config", cfg7, "--state-dir", long_st, "history", env=env7)
check(rc == 3 and "too long for [module left]" in err,
      "a state directory too long for a module's: 3 before anything (%s)" % err.strip()[-80:])
cfg10 = conf("modules-power.conf", ["port=" + tty12, "[module left]", "match=tty:ttyMFWT12",
                                    "status=gpiochip77:3"])
rc, out, err = run("--config", conf("modules-lines.conf", ["[module a]", "match=tty:ttyMFWT12",
                                                            "[module b]", "match=tty:ttyMFWT13"]),
                   "status", env=env7)
check(rc == 3 and "would both use the GPIO line MODEM_PWRKEY as pwrkey=" in err and
      "pwrkey=none" in err,
      "two modules on the built-in power lines: 3, saying how to give each its own (%s)"
      % err.strip()[-120:])
rc, out, err = run("--config", cfg10, "power", "status", env=env7)
check(rc == 10 and "gpiochip77:3" in err,
      "power: the lines of port='s section (%s)" % err.strip()[-80:])
rc, out, err = run("--config", cfg7, "--module", "nowhere", "status", env=env7)
check(rc == 3 and "no [module nowhere] section" in err,
      "--module naming no section: 3, said (%s)" % err.strip()[-80:])
cfg8 = conf("modules-clash.conf", ["pwrkey=none", "reset=none", "status=none",
                                   "[module a]", "match=tty:ttyMFWT12",
                                   "[module b]", "port=" + tty12])
rc, out, err = run("--config", cfg8, "upgrade", r_img, "--port", tty12, env=env7)
check(rc == 3 and "[module a] (line 4) and of [module b] (line 6)" in err,
      "a port two sections claim: 3, both named (%s)" % err.strip()[-100:])
# A port that is not there cannot be told from another module's: never the
# global settings (and lock) for it, which would not keep out an upgrade
# of the same module under its section's lock.
cfg9 = conf("modules-usb.conf", ["[module u]", "match=usb:1-1.2"])
rc, out, err = run("--config", cfg9, "upgrade", r_img, "--port", "/dev/ttyMFWGONE", env=env7)
check(rc == 6 and "is not there now" in err and "--module" in err and
      not os.path.exists(os.path.join(st7, "transcript")),
      "a missing port with a usb: section: 6, nothing under the global state (%s)"
      % err.strip()[-100:])
rc, out, err = run("--config", conf("modules-bad.conf", ["[module a]", "pubkey=/k.pem"]),
                   "status", env=env7)
check(rc == 3 and ":2: pubkey= is for the whole board" in err,
      "a board-wide key in a section: 3, at its line (%s)" % err.strip()[-100:])

# Status and history, each record with its module; resume goes through
# every module's journal.
journal(m_left, [("phase", "done"), ("port", tty12), ("family", "ML307R-DC"),
                 ("from", "A"), ("target", "B"), ("note", "done")])
journal(m_right, [("phase", "writing"), ("port", tty13), ("family", "ML307R-DC"),
                  ("from", "C"), ("target", "D"), ("note", "writing")])
rc, out, err = run("--config", cfg7, "status", "--json", env=env7)
ports = {o.get("name"): o.get("module") for o in last_json if o.get("event") == "port"}
jours = {o.get("module"): o.get("phase") for o in last_json if o.get("event") == "journal"}
check(ports.get("mfw12") == "left" and ports.get("mfw13") == "right" and
      ports.get("mfw9", "-") is None,
      "status: each port with its module, none for a port in no section (%s)"
      % {k: v for k, v in ports.items() if k in ("mfw9", "mfw12", "mfw13")})
check(jours == {"left": "done", "right": "writing"},
      "status: each module's journal (%s)" % jours)
confs = {o.get("module"): o for o in last_json if o.get("event") == "config"}
check(sorted(confs, key=str) == sorted(["left", "right", None], key=str) and
      confs["left"].get("battery_min") == "45" and confs["right"].get("chunk") == "512" and
      confs["left"].get("state_dir") == m_left and confs[None].get("state_dir") == st7 and
      confs[None].get("battery_min") == "30",
      "status: each module's settings in effect, and the board's (%s)"
      % {k: (v.get("battery_min"), v.get("state_dir")) for k, v in confs.items()})
rc, out, err = run("--config", cfg7, "status", env=env7)
check("  section     line 9 of %s: match=tty:ttyMFWT12, battery_min=45" % cfg7 in out and
      "  section     line 13 of %s: port=%s, chunk=512" % (cfg7, tty13) in out,
      "status: each module's section, for people (%s)"
      % [l for l in out.splitlines() if "section" in l])
rc, out, err = run("--config", cfg7, "--module", "right", "status", env=env7)
check(rc == 0 and "mfw13:" in out and "mfw12:" not in out and "module right:" not in out and
      "journal: writing" in out,
      "--module right status: its port and journal only")
rc, out, err = run("--config", cfg7, "resume", env=env7, timeout=60)
check("[module left]: its journal" in err and "nothing to resume: the last upgrade is done" in err
      and "[module right]: its journal" in err and "resuming the upgrade of " + tty13 in err,
      "resume: every module's journal in turn (rc %d, %s)" % (rc, err.strip()[-100:]))
rc, out, err = run("--config", cfg7, "history", "--json", env=env7)
hist = [(o.get("module"), o.get("phase")) for o in last_json if o.get("event") == "history"]
check(rc == 0 and ("right", "failed") in hist,
      "history: each record with its module (%s)" % hist)
# A module whose section is gone (renamed, removed) with an unfinished
# journal: still shown, and finished by resume with the global settings.
m_gone = os.path.join(st7, "modules", "gone")
journal(m_gone, [("phase", "writing"), ("port", tty12), ("family", "ML307R-DC"),
                 ("from", "E"), ("target", "F"), ("note", "writing")])
rc, out, err = run("--config", cfg7, "status", env=env7)
check("module gone (no section has it any more" in out and "journal: writing" in out,
      "status: a module whose section is gone, with its unfinished journal")
rc, out, err = run("--config", conf("nosections.conf", ["battery_min=30"]), "resume", env=env7,
                   timeout=60)
check("holds the journal of a [module gone] the configuration has no more" in err and
      "resuming the upgrade of " + tty12 in err,
      "resume: a module whose sections are all gone is finished with the global settings "
      "(rc %d, %s)" % (rc, err.strip()[-100:]))

shutil.rmtree(tmp)
done()
