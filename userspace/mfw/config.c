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

/*
 * Keys that describe the board, not one module: a [module] section may not
 * set them (every module shares the trust, the firmware and the state
 * directory; mm_wait is ModemManager's).
 */
static const char *const cfg_global_only[] = {
	"pubkey", "firmware_dir", "state_dir", "sysfs_root", "mm_wait", NULL
};

static bool cfg_is_global_only(const char *key)
{
	size_t i;

	for (i = 0; cfg_global_only[i]; i++)
		if (!strcmp(cfg_global_only[i], key))
			return true;
	return false;
}

int mfw_config_match_ok(const char *match)
{
	const char *v;
	size_t n;

	if (strlen(match) >= MFW_CFG_STR_MAX)
		return -EINVAL;
	if (!strncmp(match, "usb:", 4)) {
		/* A USB device's kernel name: BUS-PORT[.PORT]... ("1-1.2"). */
		v = match + 4;
		n = strspn(v, "0123456789");
		if (!n || v[n] != '-')
			return -EINVAL;
		for (v += n + 1;; v++) {
			n = strspn(v, "0123456789");
			if (!n)
				return -EINVAL;
			v += n;
			if (!*v)
				return 0;
			if (*v != '.')
				return -EINVAL;
		}
	}
	if (!strncmp(match, "tty:", 4)) {
		/* A kernel name: no path, not "." or "..". */
		v = match + 4;
		if (!*v || strchr(v, '/') || !strcmp(v, ".") || !strcmp(v, ".."))
			return -EINVAL;
	} else if (!strncmp(match, "of:", 3)) {
		/* A node path below /sys/firmware/devicetree/base. */
		v = match + 3;
		if (*v != '/' || !v[1] || strstr(v, "//") || v[strlen(v) - 1] == '/')
			return -EINVAL;
	} else {
		return -EINVAL;
	}
	for (; *v; v++)
		if ((unsigned char)*v <= ' ' || (unsigned char)*v >= 0x7f)
			return -EINVAL;
	return 0;
}

/* A section's name: 1..32 of [A-Za-z0-9_-], not first '-' (a directory). */
static bool cfg_module_name_ok(const char *name)
{
	size_t n = strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-");

	/* Not starting with '-': it would read as an option (--module). */
	return n && !name[n] && n < MFW_MODULE_NAME_MAX && name[0] != '-';
}

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
			/* "none": the module has no such line (a USB module). */
			if (!strcmp(value, "none"))
				value = "";
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

/*
 * A "[module NAME]" header at @line of @path: a new section in @cfg.
 * 0 or -EINVAL with the message given.
 */
static int cfg_section(struct mfw_config *cfg, char *line, const char *path,
		       int lineno)
{
	struct mfw_module_cfg *m;
	char *end = line + strlen(line) - 1, *name;
	int i;

	if (*end != ']' || strncmp(line, "[module", 7) ||
	    (line[7] != ' ' && line[7] != '\t')) {
		mfw_err("%s:%d: expected a section header [module NAME]; see mfw.conf(5)",
			path, lineno);
		return -EINVAL;
	}
	*end = '\0';
	name = mfw_strip(line + 7);
	if (!cfg_module_name_ok(name)) {
		mfw_err("%s:%d: bad module name '%s'; use 1 to 32 letters, digits, '_' or '-', not starting with '-'",
			path, lineno, name);
		return -EINVAL;
	}
	for (i = 0; i < cfg->n_modules; i++) {
		if (!strcmp(cfg->modules[i].name, name)) {
			mfw_err("%s:%d: [module %s] again (first at line %d); give each module one section",
				path, lineno, name, cfg->modules[i].line);
			return -EINVAL;
		}
	}
	if (cfg->n_modules == MFW_MODULES_MAX) {
		mfw_err("%s:%d: more than %d [module] sections; mfw handles at most %d modules on a board",
			path, lineno, MFW_MODULES_MAX, MFW_MODULES_MAX);
		return -EINVAL;
	}
	m = &cfg->modules[cfg->n_modules++];
	memset(m, 0, sizeof(*m));
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->line = lineno;
	return 0;
}

/*
 * One setting of section @m: checked now against a copy of the global
 * settings (so that a bad value is reported at its line), kept as text to
 * apply once the module is chosen.  0, -ENOENT (unknown key), -EPERM (a
 * global-only key), -ENOSPC (the section is too long), other -errno (a
 * bad value).
 */
static int cfg_module_set(const struct mfw_config *cfg, struct mfw_module_cfg *m,
			  const char *key, const char *value)
{
	struct mfw_config *scratch;
	size_t used = strlen(m->sets);
	int ret;

	if (!strcmp(key, "match")) {
		if (mfw_config_match_ok(value))
			return -EINVAL;
		snprintf(m->match, sizeof(m->match), "%s", value);
		return 0;
	}
	if (cfg_is_global_only(key))
		return -EPERM;
	scratch = malloc(sizeof(*scratch));
	if (!scratch)
		return -ENOMEM;
	memcpy(scratch, cfg, sizeof(*scratch));
	ret = mfw_config_set(scratch, key, value);
	free(scratch);
	if (ret)
		return ret;
	if (!strcmp(key, "port"))
		snprintf(m->port, sizeof(m->port), "%s", value);
	if (used + strlen(key) + strlen(value) + 3 > sizeof(m->sets))
		return -ENOSPC;
	snprintf(m->sets + used, sizeof(m->sets) - used, "%s=%s\n", key, value);
	return 0;
}

/* One key=value line, global or of the current section. */
static int cfg_line(struct mfw_config *cfg, struct mfw_module_cfg *m,
		    char *line, const char *path, int lineno)
{
	char *eq = strchr(line, '='), *key, *value;
	int err;

	if (!eq) {
		mfw_err("%s:%d: expected key=value; fix or comment out the line",
			path, lineno);
		return -EINVAL;
	}
	*eq = '\0';
	key = mfw_strip(line);
	value = mfw_strip(eq + 1);
	if (m)
		err = cfg_module_set(cfg, m, key, value);
	else if (!strcmp(key, "match"))
		err = -EPERM;
	else
		err = mfw_config_set(cfg, key, value);
	if (!err)
		return 0;
	if (err == -ENOENT) {
		mfw_err("%s:%d: unknown key '%s'; see mfw.conf(5) for the keys",
			path, lineno, key);
	} else if (err == -EPERM && m) {
		mfw_err("%s:%d: %s= is for the whole board, not one module; move it above the first [module] section",
			path, lineno, key);
	} else if (err == -EPERM) {
		mfw_err("%s:%d: match= belongs in a [module NAME] section; see mfw.conf(5)",
			path, lineno);
	} else if (err == -ENOSPC) {
		mfw_err("%s:%d: [module %s] holds more than %d bytes of settings; shorten it",
			path, lineno, m->name, MFW_MODULE_SETS_MAX);
	} else if (!strcmp(key, "match")) {
		mfw_err("%s:%d: bad match '%s'; give usb:<USB device> (its kernel name, such as 1-1.2), tty:<tty name> (ttyS1) or of:<device-tree node path> (/soc/serial@2800)",
			path, lineno, value);
	} else if (!strcmp(key, "firmware_dir") || !strcmp(key, "state_dir")) {
		mfw_err("%s:%d: %s=%s cannot be used: it must be an absolute path of printable ASCII without spaces, quotes or backslashes (the systemd units name it too)",
			path, lineno, key, value);
	} else if (err == -ENOMEM) {
		mfw_err("%s:%d: out of memory", path, lineno);
	} else {
		mfw_err("%s:%d: bad value '%s' for %s; see mfw.conf(5) for its range",
			path, lineno, value, key);
	}
	return err;
}

/*
 * Apply the settings of section @m to @cfg.  The section was checked when
 * it was read: no setting fails.
 */
static void cfg_apply_sets(struct mfw_config *cfg, const struct mfw_module_cfg *m)
{
	char key[64], value[MFW_CFG_STR_MAX];
	const char *p, *nl, *eq;

	for (p = m->sets; (nl = strchr(p, '\n')); p = nl + 1) {
		eq = memchr(p, '=', (size_t)(nl - p));
		if (!eq || (size_t)(eq - p) >= sizeof(key) ||
		    (size_t)(nl - eq - 1) >= sizeof(value))
			continue;
		memcpy(key, p, (size_t)(eq - p));
		key[eq - p] = '\0';
		memcpy(value, eq + 1, (size_t)(nl - eq - 1));
		value[nl - eq - 1] = '\0';
		mfw_config_set(cfg, key, value);
	}
}

/*
 * Two modules must not drive one power line (a reset of one would reset
 * the other), whether each names it or inherits the global one; a board
 * whose modules really share a line says power_lines_shared=yes for both.
 * 0 or -EINVAL with the message given.
 */
static int cfg_lines_apart(const struct mfw_config *cfg, const char *path)
{
	struct mfw_config *e;
	int i, j, k, ret = 0;

	if (cfg->n_modules < 2)
		return 0;
	e = calloc((size_t)cfg->n_modules, sizeof(*e));
	if (!e)
		return -ENOMEM;
	for (i = 0; i < cfg->n_modules; i++) {
		memcpy(&e[i], cfg, sizeof(e[i]));
		cfg_apply_sets(&e[i], &cfg->modules[i]);
	}
	for (i = 0; !ret && i < cfg->n_modules; i++) {
		for (j = 0; !ret && j < i; j++) {
			const struct mfw_line_cfg *li[] = { &e[i].pwrkey, &e[i].reset, &e[i].status };
			const struct mfw_line_cfg *lj[] = { &e[j].pwrkey, &e[j].reset, &e[j].status };
			static const char *const key[] = { "pwrkey", "reset", "status" };

			if (e[i].power_lines_shared && e[j].power_lines_shared)
				continue;
			for (k = 0; k < 3 && !ret; k++) {
				if (!*li[k]->spec || strcmp(li[k]->spec, lj[k]->spec))
					continue;
				mfw_err("%s:%d: [module %s] and [module %s] (line %d) would both use the GPIO line %s as %s= (their own or the global one); give each module its own line, %s=none to a module without one, or power_lines_shared=yes to both if the board really shares it",
					path, cfg->modules[i].line, cfg->modules[i].name,
					cfg->modules[j].name, cfg->modules[j].line,
					li[k]->spec, key[k], key[k]);
				ret = -EINVAL;
			}
		}
	}
	free(e);
	return ret;
}

int mfw_config_load(struct mfw_config *cfg, const char *path, bool optional)
{
	struct mfw_module_cfg *m = NULL;
	struct stat st;
	char buf[1024];
	int lineno = 0, ret = 0, i, j;
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
		char *line;

		lineno++;
		if (!strchr(buf, '\n') && !feof(f)) {
			mfw_err("%s:%d: line too long; shorten it", path, lineno);
			ret = -EINVAL;
			break;
		}
		line = mfw_strip(buf);
		if (!*line || *line == '#' || *line == ';')
			continue;
		if (*line == '[') {
			ret = cfg_section(cfg, line, path, lineno);
			if (ret)
				break;
			m = &cfg->modules[cfg->n_modules - 1];
			continue;
		}
		ret = cfg_line(cfg, m, line, path, lineno);
		if (ret)
			break;
	}
	fclose(f);
	for (i = 0; !ret && i < cfg->n_modules; i++) {
		const struct mfw_module_cfg *a = &cfg->modules[i];

		if (!*a->match && !*a->port) {
			mfw_err("%s:%d: [module %s] has neither match= nor port=, so no port is its; add match=usb:<USB device>, tty:<tty name> or of:<node path>",
				path, a->line, a->name);
			ret = -EINVAL;
		}
		for (j = 0; !ret && j < i; j++) {
			const struct mfw_module_cfg *b = &cfg->modules[j];

			if (*a->match ? strcmp(a->match, b->match) :
			    *b->match || strcmp(a->port, b->port))
				continue;
			mfw_err("%s:%d: [module %s] names the same port as [module %s] (line %d); give each module its own",
				path, a->line, a->name, b->name, b->line);
			ret = -EINVAL;
		}
	}
	if (!ret)
		ret = cfg_lines_apart(cfg, path);
	return ret;
}

int mfw_config_use_orphan(struct mfw_config *cfg, const char *name)
{
	char dir[MFW_CFG_STR_MAX];
	int i, n;

	if (!cfg_module_name_ok(name))
		return -EINVAL;
	for (i = 0; i < cfg->n_modules; i++)
		if (!strcmp(cfg->modules[i].name, name))
			return -EINVAL;
	if (*cfg->module)
		return -EALREADY;
	n = snprintf(dir, sizeof(dir), "%s/%s/%s", cfg->state_dir, MFW_MODULES_DIR, name);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -ENAMETOOLONG;
	memcpy(cfg->state_dir, dir, (size_t)n + 1);
	snprintf(cfg->module, sizeof(cfg->module), "%s", name);
	return 0;
}

bool mfw_config_orphan(const struct mfw_config *cfg)
{
	int i;

	if (!*cfg->module)
		return false;
	for (i = 0; i < cfg->n_modules; i++)
		if (!strcmp(cfg->modules[i].name, cfg->module))
			return false;
	return true;
}

int mfw_config_use_module(struct mfw_config *cfg, const char *name)
{
	const struct mfw_module_cfg *m = NULL;
	char dir[MFW_CFG_STR_MAX];
	int i, n;

	for (i = 0; i < cfg->n_modules; i++)
		if (!strcmp(cfg->modules[i].name, name))
			m = &cfg->modules[i];
	if (!m)
		return -ENOENT;
	if (*cfg->module)
		return strcmp(cfg->module, name) ? -EALREADY : 0;
	n = snprintf(dir, sizeof(dir), "%s/%s/%s", cfg->state_dir,
		     MFW_MODULES_DIR, m->name);
	if (n < 0 || (size_t)n >= sizeof(dir))
		return -ENAMETOOLONG;
	cfg_apply_sets(cfg, m);
	memcpy(cfg->state_dir, dir, (size_t)n + 1);
	snprintf(cfg->module, sizeof(cfg->module), "%s", m->name);
	return 0;
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
