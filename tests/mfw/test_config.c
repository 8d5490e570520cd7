// SPDX-License-Identifier: GPL-2.0-only
/*
 * Configuration file parsing: keys, ranges, errors, environment.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "module.h"
#include "tap.h"
#include "util.h"

static char dir[512];

static int load(const char *text, struct mfw_config *cfg)
{
	char path[600];

	tap_put(dir, "mfw.conf", text);
	snprintf(path, sizeof(path), "%s/mfw.conf", dir);
	mfw_config_defaults(cfg);
	return mfw_config_load(cfg, path, false);
}

struct keys {
	char text[8192];	/* "key=value\n" for every key */
};

static void add_key(void *ctx, const char *key, const char *value)
{
	struct keys *k = ctx;
	size_t n = strlen(k->text);

	snprintf(k->text + n, sizeof(k->text) - n, "%s=%s\n", key, value);
}

/*
 * The installed default configuration (userspace/mfw/mfw.conf, as the
 * build configured it) lists every key, commented out, with its built-in
 * default: with its "#key=value" lines uncommented it must read back as
 * the defaults, and no key may be missing from it.
 */
static void default_file(void)
{
	const char *path = getenv("MFW_DEFAULT_CONF");
	struct keys want = { "" }, got = { "" };
	char line[512], raw[8192] = "\n", text[8192] = "", *p;
	struct mfw_config c, d;
	size_t n = 0, r = 1;
	FILE *f;

	f = path ? fopen(path, "r") : NULL;
	check(f != NULL, "default configuration %s readable",
	      path ? path : "(MFW_DEFAULT_CONF unset)");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		r += snprintf(raw + r, sizeof(raw) - r, "%s", line);
		p = line;
		if (p[0] == '#' && p[1] >= 'a' && p[1] <= 'z' && strchr(p, '='))
			p++;
		n += snprintf(text + n, sizeof(text) - n, "%s", p);
	}
	fclose(f);
	check(n < sizeof(text) - 1 && r < sizeof(raw) - 1,
	      "default configuration fits the test's buffers");
	check(!load(text, &c), "default configuration, uncommented, loads");
	mfw_config_defaults(&d);
	/* The file read is the one difference allowed. */
	snprintf(c.file, sizeof(c.file), "%s", d.file);
	mfw_config_each(&d, add_key, &want);
	mfw_config_each(&c, add_key, &got);
	check(!strcmp(want.text, got.text),
	      "default configuration gives the built-in defaults");
	for (p = strtok(want.text, "\n"); p; p = strtok(NULL, "\n")) {
		char key[80];

		snprintf(key, sizeof(key), "\n#%.*s=", (int)strcspn(p, "="), p);
		if (!strstr(raw, key))
			check(0, "default configuration lists %s", key + 2);
	}
}

/*
 * Which section mfw_module_of_port() gives @port: its name, "" (none),
 * "?" (cannot be told now) or "!" (another error).
 */
static const char *section_of(const struct mfw_config *c, const char *port)
{
	int which = -1, also = -1, ret;

	ret = mfw_module_of_port(c, port, &which, &also);
	if (ret == -ENOENT)
		return "";
	if (ret == -ENODEV)
		return "?";
	if (ret || which < 0)
		return "!";
	return c->modules[which].name;
}

/*
 * @text after global lines that give no module a power line: a board's
 * modules may not share one (the built-in MODEM_PWRKEY... included).
 */
static int loadm(const char *text, struct mfw_config *cfg)
{
	char all[4096];

	snprintf(all, sizeof(all), "pwrkey=none\nreset=none\nstatus=none\n%s", text);
	return load(all, cfg);
}

/*
 * [module NAME] sections: what they may hold, how a port finds its own,
 * and what using one changes.  The device-tree case runs on a sysfs tree
 * made under the test's directory (MFW_SYSFS_ROOT's way).
 */
static void sections(void)
{
	struct mfw_config c;
	char sys[700], p[900], t[900];
	int which = 0, also = 0;

	check(!loadm("battery_min=40\nspeed=115200\n"
		    "[module a]\nmatch=usb:1-1.2\npwrkey=gpiochip0:3\nspeed=921600\n"
		    "\n[module  b-2 ]\nmatch = tty:ttyS1\nbattery_min=60\nfast_rate=921600\n"
		    "[module c_3]\nport=/dev/ttyAMA0\n", &c) &&
	      c.n_modules == 3 && !strcmp(c.modules[1].name, "b-2") &&
	      !strcmp(c.modules[0].match, "usb:1-1.2") && c.modules[0].line == 6 &&
	      c.speed == 115200 && c.battery_min == 40 && !*c.pwrkey.spec,
	      "sections parse; the global settings stay global until a module is used");
	snprintf(c.state_dir, sizeof(c.state_dir), "/srv/st");
	check(!mfw_config_use_module(&c, "a") && !strcmp(c.module, "a") &&
	      c.speed == 921600 && !strcmp(c.pwrkey.spec, "gpiochip0:3") &&
	      c.battery_min == 40 && !strcmp(c.state_dir, "/srv/st/modules/a"),
	      "using [module a]: its settings over the global ones, its own state directory");
	check(!mfw_config_use_module(&c, "a") && !strcmp(c.state_dir, "/srv/st/modules/a"),
	      "using the same module again changes nothing");
	check(mfw_config_use_module(&c, "b-2") == -EALREADY && c.battery_min == 40,
	      "a second module in one run refused");
	loadm("[module a]\nmatch=tty:ttyS1\n", &c);
	check(mfw_config_use_module(&c, "zz") == -ENOENT && !*c.module,
	      "an unknown module refused");

	check(loadm("[module a]\nstate_dir=/srv/x\n", &c) == -EPERM &&
	      loadm("[module a]\npubkey=/k.pem\n", &c) == -EPERM &&
	      loadm("[module a]\nfirmware_dir=/srv/fw\n", &c) == -EPERM &&
	      loadm("[module a]\nmatch=tty:ttyS1\nsysfs_root=/x\n", &c) == -EPERM,
	      "board-wide keys refused in a section");
	check(load("match=tty:ttyS1\n", &c) == -EPERM, "match= outside a section refused");
	check(loadm("[module a]\nmatch=pci:0000:00:1f.0\n", &c) == -EINVAL &&
	      loadm("[module a]\nmatch=usb:\n", &c) == -EINVAL &&
	      loadm("[module a]\nmatch=tty:tty S1\n", &c) == -EINVAL,
	      "a match of another kind, empty or with a space refused");
	check(loadm("[module a]\nmatch=usb:/devices/pci0000:00/usb1/1-1\n", &c) == -EINVAL &&
	      loadm("[module a]\nmatch=usb:1-1.2:1.0\n", &c) == -EINVAL &&
	      loadm("[module a]\nmatch=usb:1-\n", &c) == -EINVAL &&
	      loadm("[module a]\nmatch=usb:1-1..2\n", &c) == -EINVAL &&
	      loadm("[module a]\nmatch=usb:1-1-2\n", &c) == -EINVAL &&
	      loadm("[module a]\nmatch=usb:usb1\n", &c) == -EINVAL,
	      "usb: takes a USB device's kernel name only (not a devpath, an interface, a hub)");
	check(!loadm("[module a]\nmatch=usb:1-1\n[module b]\nmatch=usb:3-10.4.2\n", &c),
	      "usb:1-1 and usb:3-10.4.2 accepted");
	check(loadm("[module a]\nmatch=tty:/dev/ttyS1\n", &c) == -EINVAL &&
	      loadm("[module a]\nmatch=tty:..\n", &c) == -EINVAL &&
	      loadm("[module a]\nmatch=of:soc/serial@2800\n", &c) == -EINVAL &&
	      loadm("[module a]\nmatch=of:/soc//serial@2800\n", &c) == -EINVAL &&
	      loadm("[module a]\nmatch=of:/\n", &c) == -EINVAL,
	      "tty: takes a name, not a path; of: an absolute node path");
	check(loadm("[module a]\nmatch=tty:ttyS1\n[module b]\nmatch=tty:ttyS1\n", &c) == -EINVAL &&
	      loadm("[module a]\nport=/dev/ttyS1\n[module b]\nport=/dev/ttyS1\n", &c) == -EINVAL,
	      "two sections naming the same port refused when the file is read");
	check(loadm("[module -x]\nmatch=tty:ttyS1\n", &c) == -EINVAL,
	      "a name starting with '-' (an option's look) refused");
	check(load("[module a]\nmatch=tty:ttyS1\n[module b]\nmatch=tty:ttyS2\n", &c) == -EINVAL &&
	      load("pwrkey=none\nreset=none\nstatus=none\n[module a]\nmatch=tty:ttyS1\n"
		   "reset=gpiochip0:5\n[module b]\nmatch=tty:ttyS2\nreset=gpiochip0:5\n", &c) == -EINVAL,
	      "two modules on one power line refused: inherited (the built-in names) or named twice");
	check(!load("[module a]\nmatch=tty:ttyS1\npower_lines_shared=yes\n"
		    "[module b]\nmatch=tty:ttyS2\npower_lines_shared=yes\n", &c) &&
	      !load("status=none\n[module a]\nmatch=tty:ttyS1\npwrkey=P0\nreset=R0\n"
		    "[module b]\nmatch=tty:ttyS2\npwrkey=P1\nreset=R1\n", &c) &&
	      !mfw_config_use_module(&c, "b") && !strcmp(c.pwrkey.spec, "P1") && !*c.status.spec,
	      "lines shared on purpose (power_lines_shared=yes), or each module its own: accepted");
	check(loadm("[module a]\nspeed=1\n", &c) == -ERANGE &&
	      loadm("[module a]\nmatch=tty:ttyS1\ncolour=red\n", &c) == -ENOENT,
	      "a section's bad value or unknown key refused at its line");
	check(loadm("[module a]\nspeed=9600\n", &c) == -EINVAL,
	      "a section with neither match= nor port= refused");
	check(loadm("[module a/b]\nmatch=tty:ttyS1\n", &c) == -EINVAL &&
	      loadm("[module ..]\nmatch=tty:ttyS1\n", &c) == -EINVAL &&
	      loadm("[module ]\n", &c) == -EINVAL &&
	      loadm("[module abcdefghijklmnopqrstuvwxyz0123456]\nmatch=tty:ttyS1\n", &c) == -EINVAL &&
	      load("[modem a]\n", &c) == -EINVAL && loadm("[module a\n", &c) == -EINVAL,
	      "a name that is no directory name, or a malformed header, refused");
	check(loadm("[module a]\nmatch=tty:ttyS1\n[module a]\nmatch=tty:ttyS2\n", &c) == -EINVAL,
	      "a module named twice refused");
	check(loadm("[module a]\nmatch=tty:ttyS1\n[module b]\nmatch=tty:ttyS2\n"
		   "[module c]\nmatch=tty:ttyS3\n[module d]\nmatch=tty:ttyS4\n"
		   "[module e]\nmatch=tty:ttyS5\n[module f]\nmatch=tty:ttyS6\n"
		   "[module g]\nmatch=tty:ttyS7\n[module h]\nmatch=tty:ttyS8\n"
		   "[module i]\nmatch=tty:ttyS9\n", &c) == -EINVAL,
	      "a ninth section refused");
	loadm("speed=9600\n", &c);
	c.n_modules = 0;
	check(!strcmp(section_of(&c, "/dev/ttyS1"), ""), "no sections: no port has one");

	/* A sysfs with two UARTs, one of them a device-tree node's. */
	snprintf(sys, sizeof(sys), "%s/sys", dir);
	snprintf(p, sizeof(p), "%s/firmware/devicetree/base/soc/serial@2800", sys);
	mfw_mkdirs(p, 0755);
	snprintf(p, sizeof(p), "%s/devices/platform/serial@2800/tty/ttyAMA1", sys);
	mfw_mkdirs(p, 0755);
	snprintf(p, sizeof(p), "%s/class/tty", sys);
	mfw_mkdirs(p, 0755);
	snprintf(p, sizeof(p), "%s/class/tty/ttyAMA1", sys);
	snprintf(t, sizeof(t), "%s/devices/platform/serial@2800/tty/ttyAMA1", sys);
	check(!symlink(t, p), "fake sysfs: class/tty/ttyAMA1");
	snprintf(p, sizeof(p), "%s/devices/platform/serial@2800/tty/ttyAMA1/device", sys);
	check(!symlink("../..", p), "fake sysfs: its device");
	snprintf(p, sizeof(p), "%s/devices/platform/serial@2800/of_node", sys);
	snprintf(t, sizeof(t), "%s/firmware/devicetree/base/soc/serial@2800", sys);
	check(!symlink(t, p), "fake sysfs: the UART's of_node");

	check(!loadm("[module dt]\nmatch=of:/soc/serial@2800\n"
		    "[module uart]\nmatch=tty:ttyS1\n"
		    "[module byport]\nport=/dev/ttyUSB7\n"
		    "[module usb]\nmatch=usb:1-1.2\n", &c),
	      "four kinds of section load");
	snprintf(c.sysfs_root, sizeof(c.sysfs_root), "%s", sys);
	check(!strcmp(section_of(&c, "/dev/ttyAMA1"), "dt"),
	      "of: the UART's device-tree node finds its section");
	check(!strcmp(section_of(&c, "ttyS1"), "uart") &&
	      !strcmp(section_of(&c, "/dev/ttyS1"), "uart"),
	      "tty: the kernel name, given as a name or as a path");
	check(!strcmp(section_of(&c, "/dev/ttyUSB7"), "byport"),
	      "without match=, the section's port=");
	check(!strcmp(section_of(&c, "/dev/ttyS1"), "uart"), "(the usb: section is not asked)");
	check(!strcmp(section_of(&c, "/dev/ttyAMA2"), "?"),
	      "a port not there now, with usb: and of: sections: unknown, not \"in none\"");
	check(!strcmp(section_of(&c, "/dev/pts/7"), ""),
	      "a pseudo-terminal: in none (never a USB or device-tree port)");
	snprintf(p, sizeof(p), "%s/class/tty/ttyS2", sys);
	mfw_mkdirs(p, 0755);
	check(!loadm("[module dt]\nmatch=of:/soc/serial@2800\n[module uart]\nmatch=tty:ttyS1\n",
		    &c), "device-tree and tty sections load");
	snprintf(c.sysfs_root, sizeof(c.sysfs_root), "%s", sys);
	check(!strcmp(section_of(&c, "/dev/ttyS2"), "") &&
	      !strcmp(section_of(&c, "/dev/ttyAMA1"), "dt"),
	      "a UART there without a device-tree node: in none");
	check(!loadm("[module a]\nmatch=tty:ttyS1\n[module b]\nport=/dev/ttyS1\n", &c) &&
	      mfw_module_of_port(&c, "/dev/ttyS1", &which, &also) == -ENOTUNIQ &&
	      which == 0 && also == 1,
	      "a port two sections claim: both named");
}

int main(void)
{
	struct mfw_config c;
	char path[600];

	snprintf(dir, sizeof(dir), "%s", tap_tmpdir());
	mfw_config_defaults(&c);
	check(c.pwrkey_on_ms >= 2000 && c.pwrkey_on_ms <= 3500 &&
	      c.pwrkey_off_ms >= 3500 && c.pwrkey_off_ms <= 4000 && c.reset_ms >= 300,
	      "default timings are within the hardware guide");
	check(c.reboot_timeout_s > 120, "default reboot wait is above 120 s");
	check(!load("# board A\n\nport = /dev/ttyUSB2\nspeed=921600\n"
		    "pwrkey=gpiochip1:7\npwrkey_active_low=no\nstatus=MODEM_STAT\n"
		    "status_active_low = yes\nbattery_min=45\npubkey=/etc/mfw/key.pem\n"
		    "reset_ms=500\n", &c) &&
	      !strcmp(c.port, "/dev/ttyUSB2") && c.speed == 921600 &&
	      !strcmp(c.pwrkey.spec, "gpiochip1:7") && !c.pwrkey.active_low &&
	      c.status.active_low && !strcmp(c.status.spec, "MODEM_STAT") &&
	      c.battery_min == 45 && c.reset_ms == 500 &&
	      !strcmp(c.reset.spec, "MODEM_RESET"),
	      "a full file parses, unset keys keep defaults");
	check(load("pwrkey_on_ms=1500\n", &c) == -ERANGE, "PWRKEY on pulse below 2 s refused");
	check(load("pwrkey_off_ms=4500\n", &c) == -ERANGE, "PWRKEY off pulse above 4 s refused");
	check(load("reset_ms=100\n", &c) == -ERANGE, "RESET below 300 ms refused");
	check(load("battery_min=101\n", &c) == -ERANGE, "battery_min above 100 refused");
	check(c.mm_wait_s == 30, "ModemManager gets 30 s to list a new port by default");
	check(c.download_quiet_s == 20, "a download is asked about after 20 s of silence by default");
	check(!load("download_quiet=3\n", &c) && c.download_quiet_s == 3, "download_quiet=3 accepted");
	check(load("download_quiet=0\n", &c) == -ERANGE, "download_quiet=0 (asking all the time) refused");
	check(load("download_quiet=601\n", &c) == -ERANGE, "download_quiet above 600 s refused");
	check(!load("mm_wait=0\n", &c) && c.mm_wait_s == 0, "mm_wait=0 (no wait) accepted");
	check(load("mm_wait=601\n", &c) == -ERANGE, "mm_wait above 600 s refused");
	check(load("speed=fast\n", &c) == -EINVAL, "non-number refused");
	check(load("pwrkey_active_low=maybe\n", &c) == -EINVAL, "non-boolean refused");
	check(load("colour=blue\n", &c) == -ENOENT, "unknown key refused");
	check(load("just words\n", &c) == -EINVAL, "line without '=' refused");
	check(load("pwrkey=\n", &c) == -EINVAL, "empty line name refused");
	check(load("state_dir=/var/my state\n", &c) == -EINVAL &&
	      load("firmware_dir=fw\n", &c) == -EINVAL &&
	      load("state_dir=/srv/a\"b\n", &c) == -EINVAL,
	      "a directory a systemd unit cannot name refused");
	check(!load("firmware_dir=/srv/fw//\n", &c) && !strcmp(c.firmware_dir, "/srv/fw"),
	      "a directory's trailing slashes dropped");
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	mfw_config_defaults(&c);
	check(mfw_config_load(&c, path, true) == 0, "missing optional file is fine");
	check(mfw_config_load(&c, path, false) == -ENOENT, "missing given file is an error");
	setenv("MFW_SYSFS_ROOT", "/tmp/fakesys", 1);
	setenv("MFW_STATE_DIR", "/tmp/fakestate", 1);
	mfw_config_env(&c);
	check(!strcmp(c.sysfs_root, "/tmp/fakesys") && !strcmp(c.state_dir, "/tmp/fakestate"),
	      "environment overrides sysfs root and state directory");
	default_file();
	sections();
	tap_rmtree(dir);
	return tap_done();
}
