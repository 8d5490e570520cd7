#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# mfw-generator: the drop-ins that point mfw's units at the directories
# the configuration names (TAP).
import os
import subprocess
import sys
import tempfile

GEN = os.environ["MFW_GENERATOR"]
FW_DEFAULT = os.environ["MFW_FIRMWARE_DIR"]
STATE_DEFAULT = os.environ["MFW_STATE_DIR"]
n = 0
failed = 0


def check(ok, what):
    global n, failed
    n += 1
    print(("ok %d - %s" if ok else "not ok %d - %s") % (n, what))
    if not ok:
        failed += 1


def run(conf, args=None):
    """Run the generator on configuration text; returns (rc, stderr, files)."""
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "mfw.conf")
        with open(cfg, "w") as f:
            f.write(conf)
        out = os.path.join(d, "normal")
        os.mkdir(out)
        argv = [GEN] + (args if args is not None else [out, d + "/early", d + "/late"])
        p = subprocess.run(argv, env=dict(os.environ, MFW_CONFIG=cfg),
                           capture_output=True, text=True, timeout=30)
        files = {}
        for root, _, names in os.walk(out):
            for name in names:
                path = os.path.join(root, name)
                with open(path) as f:
                    files[os.path.relpath(path, out)] = f.read()
        return p.returncode, p.stderr, files


def dropin(unit):
    return unit + ".d/50-mfw-directories.conf"


rc, err, files = run("# defaults only\nspeed=115200\n")
check(rc == 0 and not files, "defaults: nothing written")

rc, err, files = run("firmware_dir=/srv/mfw/fw\nstate_dir=/srv/mfw/state\n")
check(rc == 0, "moved directories: exit 0 (%s)" % err.strip())
path = files.get(dropin("mfw-firmware@.path"), "")
check("PathChanged=\nPathChanged=/srv/mfw/fw/%i\n" in path,
      "the path unit watches the configured firmware directory")
svc = files.get(dropin("mfw-firmware@.service"), "")
check("Environment=MFW_FIRMWARE_DIR=/srv/mfw/fw\n" in svc,
      "the firmware service's script is told the directory")
auto = files.get(dropin("mfw-autoupgrade@.service"), "")
check("ConditionDirectoryNotEmpty=\nConditionDirectoryNotEmpty=/srv/mfw/fw\n" in auto
      and "journal" not in auto,
      "automatic upgrades: the firmware condition restated, none on a journal "
      "(one module's upgrade must not skip another's)")
check("ConditionPathExists=!/srv/mfw/state/journal\n"
      in files.get(dropin("mfw-upgrade@.service"), ""),
      "manual upgrades skip while a journal is in the configured state directory")
check("ConditionPathExists=|/srv/mfw/state/journal\n"
      "ConditionPathExistsGlob=|/srv/mfw/state/modules/*/journal\n"
      in files.get(dropin("mfw-resume.service"), ""),
      "resume runs when a journal is in the configured state directory, "
      "a module's included")
check(all(FW_DEFAULT not in t and STATE_DEFAULT not in t for t in files.values()),
      "no drop-in names a default directory")

rc, err, files = run("state_dir=/srv/st\n")
check(rc == 0 and dropin("mfw-firmware@.path") not in files
      and "ConditionDirectoryNotEmpty=%s\n" % FW_DEFAULT
      in files.get(dropin("mfw-autoupgrade@.service"), ""),
      "state directory alone: the firmware watch is left as built")

rc, err, files = run("firmware_dir=/srv/100%fw\n")
check(rc == 0 and "PathChanged=/srv/100%%fw/%i\n"
      in files.get(dropin("mfw-firmware@.path"), ""),
      "a '%' in a directory is escaped from systemd's specifiers")

for key in ("firmware_dir", "state_dir"):
    for bad in ("/srv/my fw", "/srv/a\\b", "srv/relative", '/srv/a"b', "/srv/a'b",
                "/srv/caf\u00e9", ""):
        rc, err, files = run("%s=%s\n" % (key, bad))
        check(rc == 1 and not files and "%s=" % key in err and "cannot be used" in err,
              "%s=%r refused, nothing written, the key named" % (key, bad))

rc, err, files = run("firmware_dir=/srv/fw///\n")
check(rc == 0 and "PathChanged=/srv/fw/%i\n" in files.get(dropin("mfw-firmware@.path"), ""),
      "trailing slashes dropped")

rc, err, files = run("colour=blue\n")
check(rc == 1 and not files and "keep" in err,
      "a configuration mfw refuses: exit 1, nothing written, the units keep their defaults")

rc, err, files = run("", args=[])
check(rc == 2 and "usage" in err, "usage error without directories")

print("1..%d" % n)
sys.exit(1 if failed else 0)
