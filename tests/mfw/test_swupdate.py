#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-only
# mfw-swupdate: SWUpdate's Lua handler for images of type "mfw"
# (userspace/fleet/mfw_swupdate.lua.in) under Lua 5.3, the Lua Debian's
# SWUpdate embeds, with a stand-in for SWUpdate's "swupdate" module and a
# stand-in mfw whose output and exit the cases choose (TAP).
#
# What it holds the handler to: an image group's order, the command it
# runs, and above all that SWUpdate hears "installed" only when mfw exited
# 0 and said so in its own result line, and never before mfw has exited,
# whatever mfw's output does (ends early, lacks the result, goes on after
# it, disagrees with the exit status, carries very long lines) and when
# signals interrupt its reads (sigintr.c, preloaded).
import os
import shlex
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tap import check, done  # noqa: E402

SRC = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                   "..", "..", "userspace", "fleet", "mfw_swupdate.lua.in")
LUA = shutil.which("lua5.3")

# SWUpdate's side: the module the handler requires, then one handler call
# per image named on the command line, as SWUpdate makes them.  Prints
# what the handler told SWUpdate, one line each, and "RC name rc done"
# after each call ("done": the stand-in mfw had exited by then).
HARNESS = r"""
local top, images = arg[1], { table.unpack(arg, 2) }
local sw = { HANDLER_MASK = { IMAGE_HANDLER = 1 } }
local function say(kind) return function(fmt, ...)
	io.stdout:write(kind, " ", string.format(fmt, ...), "\n")
end end
sw.error, sw.info, sw.warn, sw.trace = say("ERROR"), say("INFO"), say("WARN"), say("TRACE")
function sw.register_handler(name, fn, mask)
	sw.type, sw.fn, sw.mask = name, fn, mask
end
function sw.progress_update(p) io.stdout:write("PROGRESS ", p, "\n") end
function sw.tmpdir() return top .. "/tmp/" end
package.preload["swupdate"] = function() return sw end
package.path = top .. "/?.lua;" .. package.path
require("mfw_swupdate")
io.stdout:write("TYPE ", sw.type, " ", sw.mask, "\n")
for _, name in ipairs(images) do
	local img = { filename = name }
	function img.copy2file(self, path)
		local i = assert(io.open(top .. "/swu/" .. self.filename, "rb"))
		local o = io.open(path, "wb")
		if not o then i:close() return 1, "cannot open " .. path end
		o:write(i:read("*a"))
		i:close()
		o:close()
		return 0
	end
	local rc = sw.fn(img)
	local f = io.open(top .. "/exited", "r")
	if f then f:close() os.remove(top .. "/exited") end
	io.stdout:write("RC ", name, " ", tostring(rc), " ", f and "done" or "running", "\n")
	io.stdout:flush()
end
"""

# The stand-in mfw: records its arguments and the staged files it was
# given, then behaves as $FAKE says; it marks its exit in $TOP/exited.
FAKE_MFW = r"""#!/bin/sh
echo "$@" >"$TOP/args"
pkg=$3 manifest=$5
[ -f "$pkg" ] && [ -f "$manifest" ] && echo staged >>"$TOP/args"
progress() { echo '{"event":"progress","phase":"'$1'","percent":'$2'}'; }
result() { echo '{"event":"result","exit":'$1',"meaning":"m","firmware":"V2"'${2:+,\"error\":\"$2\"}'}'; }
bye() { touch "$TOP/exited"; exit "$1"; }
case $FAKE in
ok)
	echo 'mfw: writing the package' >&2
	progress writing 50; progress flashing 100
	result 0; bye 0 ;;
refused)
	progress writing 100
	echo 'mfw: error: the module refused the package (+MFWUPGRADE: 3)' >&2
	result 9 "the module refused the package"; bye 9 ;;
closed-then-fail)
	echo 'mfw: port /dev/ttyUSB2' >&2
	exec >&- 2>&-
	sleep 1; bye 9 ;;
closed-then-exit-0)
	echo 'mfw: port /dev/ttyUSB2' >&2
	exec >&- 2>&-
	sleep 1; bye 0 ;;
no-result)
	progress writing 100; bye 0 ;;
result-ok-exit-1)
	result 0; bye 1 ;;
result-fail-exit-0)
	result 9 "refused"; bye 0 ;;
long-lines)
	# longer than Lua's read buffer and than a pipe's atomic write
	head -c 20000 /dev/zero | tr '\0' x >&2; echo >&2
	printf '{"event":"log","text":"%s"}\n' "$(head -c 9000 /dev/zero | tr '\0' y)"
	result 0; bye 0 ;;
trailing)
	result 0; echo 'mfw: warning: late' >&2; bye 0 ;;
exit-as-text)
	echo '{"event":"result","exit":"0","meaning":"ok"}'; bye 0 ;;
slow)
	# output in pieces, a line cut by a pause: reads block, and the
	# signals of sigintr.c interrupt them
	for i in 1 2 3 4 5; do progress writing $((i * 20)); sleep 0.1; done
	printf 'mfw: a line in two '; sleep 0.3; echo 'pieces arrives whole'
	sleep 0.2; result 0; bye 0 ;;
killed)
	echo 'mfw: port /dev/ttyUSB2' >&2
	touch "$TOP/exited"; kill -9 $$ ;;
esac
"""


def setup(top):
    os.makedirs(os.path.join(top, "tmp"))
    os.makedirs(os.path.join(top, "swu"))
    os.makedirs(os.path.join(top, "sbin"))
    with open(SRC) as f:
        text = f.read()
    with open(os.path.join(top, "mfw_swupdate.lua"), "w") as f:
        f.write(text.replace("@SBINDIR@", os.path.join(top, "sbin")))
    with open(os.path.join(top, "harness.lua"), "w") as f:
        f.write(HARNESS)
    mfw = os.path.join(top, "sbin", "mfw")
    with open(mfw, "w") as f:
        f.write(FAKE_MFW)
    os.chmod(mfw, 0o755)
    for name, data in (("X.bin.manifest", b"{}"), ("X.bin.manifest.sig", b"sig"),
                       ("X.bin", b"package")):
        with open(os.path.join(top, "swu", name), "wb") as f:
            f.write(data)


def run(top, fake, images, preload=None):
    """Run the handler on @images with the stand-in mfw in mode @fake
    (and @preload in LD_PRELOAD); returns (lua's exit status, its lines,
    the RC lines by image)."""
    env = dict(os.environ, TOP=top, FAKE=fake)
    if preload:
        env.update(LD_PRELOAD=preload, MFW_SIGINTR_COUNT=os.path.join(top, "signals"))
    p = subprocess.run([LUA, os.path.join(top, "harness.lua"), top] + images,
                       env=env, capture_output=True, text=True, timeout=60)
    lines = p.stdout.splitlines()
    rcs = {}
    for line in lines:
        w = line.split(" ")
        if w[0] == "RC":
            rcs[w[1]] = (w[2], w[3])
    if p.returncode:
        sys.stderr.write(p.stdout + p.stderr)
    return p.returncode, lines, rcs


GROUP = ["X.bin.manifest", "X.bin.manifest.sig", "X.bin"]


def has(lines, prefix, text):
    return any(line.startswith(prefix) and text in line for line in lines)


def main():
    if not LUA:
        check(False, "lua5.3 is installed (scripts/install-deps.sh installs lua5.3 and lua-cjson)")
        done()
    top = tempfile.mkdtemp(prefix="mfw-swupdate-")
    try:
        setup(top)
        rc, lines, rcs = run(top, "ok", GROUP)
        check(rc == 0 and "TYPE mfw 1" in lines, "registers image type mfw as an image handler")
        check(rcs.get("X.bin.manifest", ("",))[0] == "0" and
              rcs.get("X.bin.manifest.sig", ("",))[0] == "0", "manifest and signature are staged")
        check(rcs.get("X.bin") == ("0", "done"), "mfw exits 0 with its result: installed")
        with open(os.path.join(top, "args")) as f:
            args = f.read().split("\n")
        check(args[0].startswith("--json upgrade ") and "--manifest" in args[0] and
              args[1] == "staged", "mfw --json upgrade gets the staged package and its manifest")
        check(has(lines, "INFO", "X.bin installed: the module runs V2"), "says what the module runs")
        check("PROGRESS 25" in lines and "PROGRESS 100" in lines,
              "mfw's progress maps to 0-50 % writing, 50-100 % flashing")
        check(os.listdir(os.path.join(top, "tmp")) == [], "the staging directory is removed")

        for fake, want in (("refused", "X.bin not installed: the module refused the package"),
                           ("closed-then-fail", "mfw exited 9"),
                           ("closed-then-exit-0", "without its result line"),
                           ("no-result", "without its result line"),
                           ("result-ok-exit-1", "mfw exited 1"),
                           ("result-fail-exit-0", "refused"),
                           ("trailing", "wrote more after its result line"),
                           ("exit-as-text", "its result line gives no exit 0 (\"0\")")):
            rc, lines, rcs = run(top, fake, GROUP)
            check(rcs.get("X.bin") == ("1", "done") and has(lines, "ERROR", want),
                  "%s: fails the install after mfw exited (\"%s\")" % (fake, want))
            if rcs.get("X.bin") != ("1", "done"):
                sys.stderr.write("\n".join(lines) + "\n")
        rc, lines, rcs = run(top, "killed", GROUP)
        check(rcs.get("X.bin") == ("1", "done") and has(lines, "ERROR", "X.bin not installed"),
              "mfw killed: fails the install")
        rc, lines, rcs = run(top, "long-lines", GROUP)
        check(rcs.get("X.bin") == ("0", "done") and has(lines, "INFO", "x" * 20000),
              "lines longer than a read buffer arrive whole")
        # SWUpdate's signal handlers do not restart reads: EINTR
        # (the plain C compiler, not meson's: an ASan-built library
        # cannot be preloaded into Lua)
        so = os.path.join(top, "sigintr.so")
        try:
            cc = subprocess.run(shlex.split(os.environ.get("CC", "cc")) +
                                ["-shared", "-fPIC", "-o", so,
                                 os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                              "sigintr.c")],
                                capture_output=True, text=True)
            built, why = cc.returncode == 0, cc.stderr
        except OSError as e:
            built, why = False, str(e)
        check(built, "sigintr.c builds" + ("" if built else ": " + why))
        if built:
            rc, lines, rcs = run(top, "slow", GROUP, preload=so)
            try:
                with open(os.path.join(top, "signals")) as f:
                    taken = int(f.read())
            except (OSError, ValueError):
                taken = 0
            check(taken > 100, "the reads were interrupted (%d signals)" % taken)
            check(rcs.get("X.bin") == ("0", "done") and
                  has(lines, "INFO", "mfw: a line in two pieces arrives whole") and
                  "PROGRESS 50" in lines,
                  "interrupted reads lose nothing: installed, every line whole")
            if rcs.get("X.bin") != ("0", "done"):
                sys.stderr.write("\n".join(lines) + "\n")
            rc, lines, rcs = run(top, "refused", GROUP, preload=so)
            check(rcs.get("X.bin") == ("1", "done") and
                  has(lines, "ERROR", "X.bin not installed: the module refused"),
                  "interrupted reads: a refusal still fails the install")

        os.remove(os.path.join(top, "args"))
        rc, lines, rcs = run(top, "ok", ["X.bin"])
        check(rcs.get("X.bin", ("",))[0] == "1" and has(lines, "ERROR", "came without") and
              not os.path.exists(os.path.join(top, "args")),
              "a package without its manifest and signature is refused, mfw not run")
        rc, lines, rcs = run(top, "ok", ["X.bin.manifest", "X.bin"])
        check(rcs.get("X.bin", ("",))[0] == "1" and has(lines, "ERROR", "came without"),
              "a package without its signature is refused")
    finally:
        shutil.rmtree(top, ignore_errors=True)
    done()


main()
