// SPDX-License-Identifier: GPL-2.0-only
/*
 * Configuration file parsing: keys, ranges, errors, environment.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "tap.h"

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
	tap_rmtree(dir);
	return tap_done();
}
