// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - the configuration file.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"
#include "util.h"

enum cfg_type { CFG_STR, CFG_DIR, CFG_LONG, CFG_LINE, CFG_LOW, CFG_BOOL };

struct cfg_key {
	const char *name;
	enum cfg_type type;
	size_t off;
	long min, max;
};

#define STR(n, f) { n, CFG_STR, offsetof(struct mfw_config, f), 0, 0 }
#define DIR(n, f) { n, CFG_DIR, offsetof(struct mfw_config, f), 0, 0 }
#define NUM(n, f, lo, hi) { n, CFG_LONG, offsetof(struct mfw_config, f), lo, hi }
#define LINE(n, f) { n, CFG_LINE, offsetof(struct mfw_config, f), 0, 0 }
#define LOW(n, f) { n, CFG_LOW, offsetof(struct mfw_config, f), 0, 0 }
#define BOOL(n, f) { n, CFG_BOOL, offsetof(struct mfw_config, f), 0, 0 }

static const struct cfg_key cfg_keys[] = {
	STR("port", port),
	NUM("speed", speed, 1200, 4000000),
	STR("pubkey", pubkey),
	DIR("firmware_dir", firmware_dir),
	DIR("state_dir", state_dir),
	STR("sysfs_root", sysfs_root),
	LINE("pwrkey", pwrkey),
	LINE("reset", reset),
	LINE("status", status),
	LOW("pwrkey_active_low", pwrkey),
	LOW("reset_active_low", reset),
	LOW("status_active_low", status),
	BOOL("power_lines_shared", power_lines_shared),
	NUM("pwrkey_on_ms", pwrkey_on_ms, 2000, 3500),
	NUM("pwrkey_off_ms", pwrkey_off_ms, 3500, 4000),
	NUM("reset_ms", reset_ms, 300, 10000),
	NUM("vbat_settle_ms", vbat_settle_ms, 100, 10000),
	NUM("status_timeout_ms", status_timeout_ms, 100, 120000),
	NUM("battery_min", battery_min, 0, 100),
	NUM("ready_timeout", ready_timeout_s, 1, 3600),
	NUM("reboot_timeout", reboot_timeout_s, 1, 3600),
	NUM("upgrade_timeout", upgrade_timeout_s, 1, 7200),
	NUM("download_timeout", download_timeout_s, 1, 7200),
	NUM("download_quiet", download_quiet_s, 1, 600),
	NUM("mm_wait", mm_wait_s, 0, 600),
	NUM("fast_rate", fast_rate, 0, 921600),
	NUM("chunk", chunk, 1, 1 << 20),
};

int mfw_config_dir_ok(const char *dir)
{
	const unsigned char *p;

	if (dir[0] != '/')
		return -EINVAL;
	if (strlen(dir) >= MFW_CFG_STR_MAX)
		return -ERANGE;
	for (p = (const unsigned char *)dir; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || strchr("\"'\\", *p))
			return -EINVAL;
	return 0;
}

void mfw_config_defaults(struct mfw_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->speed = 115200;
	snprintf(cfg->firmware_dir, sizeof(cfg->firmware_dir), "%s", MFW_FIRMWARE_DIR);
	snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", MFW_STATE_DIR);
	snprintf(cfg->sysfs_root, sizeof(cfg->sysfs_root), "/sys");
	snprintf(cfg->pwrkey.spec, sizeof(cfg->pwrkey.spec), "MODEM_PWRKEY");
	snprintf(cfg->reset.spec, sizeof(cfg->reset.spec), "MODEM_RESET");
	snprintf(cfg->status.spec, sizeof(cfg->status.spec), "MODEM_STATUS");
	/* ML307x: PWRKEY and RESET are pulled low to act. */
	cfg->pwrkey.active_low = true;
	cfg->reset.active_low = true;
	cfg->pwrkey_on_ms = 2500;
	cfg->pwrkey_off_ms = 3800;
	cfg->reset_ms = 400;
	cfg->vbat_settle_ms = 100;
	cfg->status_timeout_ms = 10000;
	cfg->battery_min = 30;
	cfg->ready_timeout_s = 60;
	cfg->reboot_timeout_s = 300;
	cfg->upgrade_timeout_s = 1200;
	cfg->download_timeout_s = 1800;
	cfg->download_quiet_s = 20;
	cfg->mm_wait_s = 30;
	cfg->chunk = 4096;
	cfg->fast_rate = 0;	/* the board's rate throughout */
}

int mfw_config_set(struct mfw_config *cfg, const char *key, const char *value)
{
	size_t i;

	for (i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++) {
		const struct cfg_key *k = &cfg_keys[i];
		char *field = (char *)cfg + k->off;
		struct mfw_line_cfg *line = (struct mfw_line_cfg *)field;
		bool b;
		long v;
		int err;

		if (strcmp(k->name, key))
			continue;
		switch (k->type) {
		case CFG_STR:
			if (strlen(value) >= MFW_CFG_STR_MAX)
				return -ERANGE;
			memcpy(field, value, strlen(value) + 1);
			return 0;
		case CFG_DIR:
			err = mfw_config_dir_ok(value);
			if (err)
				return err;
			memcpy(field, value, strlen(value) + 1);
			/* "/srv/fw/" is "/srv/fw": the units name <dir>/<family>. */
			for (size_t n = strlen(field); n > 1 && field[n - 1] == '/'; n--)
				field[n - 1] = '\0';
			return 0;
		case CFG_LINE:
			if (!*value || strlen(value) >= sizeof(line->spec))
				return -EINVAL;
			memcpy(line->spec, value, strlen(value) + 1);
			return 0;
		case CFG_LOW:
			err = mfw_parse_bool(value, &b);
			if (err)
				return err;
			line->active_low = b;
			return 0;
		case CFG_BOOL:
			err = mfw_parse_bool(value, &b);
			if (err)
				return err;
			*(bool *)field = b;
			return 0;
		case CFG_LONG:
			err = mfw_parse_long(value, k->min, k->max, &v);
			if (err)
				return err;
			*(long *)field = v;
			return 0;
		}
	}
	return -ENOENT;
}

int mfw_config_load(struct mfw_config *cfg, const char *path, bool optional)
{
	struct stat st;
	char buf[1024];
	int lineno = 0, ret = 0;
	FILE *f;

	/* A regular file only: a FIFO named here must not hold mfw. */
	if (!stat(path, &st) && !S_ISREG(st.st_mode)) {
		mfw_err("configuration %s is not a regular file; fix the path given with --config or MFW_CONFIG",
			path);
		return -EINVAL;
	}
	f = fopen(path, "re");
	if (!f) {
		if (errno == ENOENT && optional)
			return 0;
		ret = -errno;
		mfw_err("cannot read configuration %s: %s; fix the path given with --config",
			path, strerror(errno));
		return ret;
	}
	snprintf(cfg->file, sizeof(cfg->file), "%s", path);
	while (fgets(buf, sizeof(buf), f)) {
		char *line, *eq, *key, *value;
		int err;

		lineno++;
		if (!strchr(buf, '\n') && !feof(f)) {
			mfw_err("%s:%d: line too long; shorten it", path, lineno);
			ret = -EINVAL;
			break;
		}
		line = mfw_strip(buf);
		if (!*line || *line == '#' || *line == ';')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			mfw_err("%s:%d: expected key=value; fix or comment out the line",
				path, lineno);
			ret = -EINVAL;
			break;
		}
		*eq = '\0';
		key = mfw_strip(line);
		value = mfw_strip(eq + 1);
		err = mfw_config_set(cfg, key, value);
		if (err == -ENOENT) {
			mfw_err("%s:%d: unknown key '%s'; see mfw.conf(5) for the keys",
				path, lineno, key);
			ret = err;
			break;
		}
		if (err && (!strcmp(key, "firmware_dir") || !strcmp(key, "state_dir"))) {
			mfw_err("%s:%d: %s=%s cannot be used: it must be an absolute path of printable ASCII without spaces, quotes or backslashes (the systemd units name it too)",
				path, lineno, key, value);
			ret = err;
			break;
		}
		if (err) {
			mfw_err("%s:%d: bad value '%s' for %s; see mfw.conf(5) for its range",
				path, lineno, value, key);
			ret = err;
			break;
		}
	}
	fclose(f);
	return ret;
}

void mfw_config_each(const struct mfw_config *cfg,
		     void (*fn)(void *ctx, const char *key, const char *value),
		     void *ctx)
{
	size_t i;

	for (i = 0; i < sizeof(cfg_keys) / sizeof(cfg_keys[0]); i++) {
		const struct cfg_key *k = &cfg_keys[i];
		const char *field = (const char *)cfg + k->off;
		const struct mfw_line_cfg *line = (const void *)field;
		char num[24];

		switch (k->type) {
		case CFG_STR:
		case CFG_DIR:
			fn(ctx, k->name, field);
			break;
		case CFG_LINE:
			fn(ctx, k->name, line->spec);
			break;
		case CFG_LOW:
			fn(ctx, k->name, line->active_low ? "true" : "false");
			break;
		case CFG_BOOL:
			fn(ctx, k->name, *(const bool *)field ? "true" : "false");
			break;
		case CFG_LONG:
			snprintf(num, sizeof(num), "%ld", *(const long *)field);
			fn(ctx, k->name, num);
			break;
		}
	}
}

void mfw_config_env(struct mfw_config *cfg)
{
	const char *v;

	v = getenv("MFW_SYSFS_ROOT");
	if (v && *v)
		snprintf(cfg->sysfs_root, sizeof(cfg->sysfs_root), "%s", v);
	v = getenv("MFW_STATE_DIR");
	if (v && *v)
		snprintf(cfg->state_dir, sizeof(cfg->state_dir), "%s", v);
}
