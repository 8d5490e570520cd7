// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - which [module NAME] section a port belongs to.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "module.h"
#include "port.h"
#include "udev.h"
#include "util.h"

/*
 * What a port is known by, each part looked up once it is needed.
 * @unknown: a part could not be looked up (the tty is not there now), so
 * the port may be a section's without it being seen.
 */
struct mfw_port_facts {
	const struct mfw_config *cfg;
	char tty[PATH_MAX];		/* kernel name: "ttyACM0", "pts3" */
	char usb[PATH_MAX];		/* USB device's kernel name, "1-1.2" */
	char of[PATH_MAX];		/* the UART's device-tree node path */
	bool usb_read, of_read, unknown;
};

/* The USB device's kernel name: the last component of its devpath. */
static const char *facts_usb(struct mfw_port_facts *f)
{
	char ident[MFW_IDENT_MAX], *colon, *slash;

	if (f->usb_read)
		return f->usb;
	f->usb_read = true;
	/* A pseudo-terminal (not in sysfs) is never a USB port. */
	if (!strncmp(f->tty, "pts", 3))
		return f->usb;
	if (mfw_tty_identity(f->tty, ident, sizeof(ident))) {
		f->unknown = true;
		return f->usb;
	}
	if (!*ident)
		return f->usb;	/* no USB tty */
	/* "<vid>:<pid>:<serial>@<devpath>:<interface>" (udev.h) */
	colon = strrchr(ident, ':');
	if (colon)
		*colon = '\0';
	slash = strrchr(ident, '/');
	snprintf(f->usb, sizeof(f->usb), "%s", slash ? slash + 1 : ident);
	return f->usb;
}

/* The UART's node below /sys/firmware/devicetree/base, "/soc/serial@2800". */
static const char *facts_of(struct mfw_port_facts *f)
{
	char path[PATH_MAX], *node = NULL, *base = NULL;
	size_t n;

	if (f->of_read)
		return f->of;
	f->of_read = true;
	if (!strncmp(f->tty, "pts", 3))
		return f->of;
	snprintf(path, sizeof(path), "%s/class/tty/%s", f->cfg->sysfs_root, f->tty);
	if (access(path, F_OK)) {
		f->unknown = true;
		return f->of;
	}
	snprintf(path, sizeof(path), "%s/class/tty/%s/device/of_node",
		 f->cfg->sysfs_root, f->tty);
	node = realpath(path, NULL);
	snprintf(path, sizeof(path), "%s/firmware/devicetree/base",
		 f->cfg->sysfs_root);
	base = realpath(path, NULL);
	if (node && base) {
		n = strlen(base);
		if (!strncmp(node, base, n) && node[n] == '/')
			snprintf(f->of, sizeof(f->of), "%s", node + n);
	}
	free(node);
	free(base);
	return f->of;
}

static bool module_is_port(struct mfw_port_facts *f,
			   const struct mfw_module_cfg *m)
{
	char name[PATH_MAX];
	const char *v;

	if (!strncmp(m->match, "tty:", 4))
		return !strcmp(m->match + 4, f->tty);
	if (!strncmp(m->match, "usb:", 4)) {
		v = facts_usb(f);
		return *v && !strcmp(m->match + 4, v);
	}
	if (!strncmp(m->match, "of:", 3)) {
		v = facts_of(f);
		return *v && !strcmp(m->match + 3, v);
	}
	/* No match=: the port= of the section (mfw_config_load() wants one). */
	mfw_tty_kernel_name(m->port, name, sizeof(name));
	return !strcmp(name, f->tty);
}

int mfw_module_of_port(const struct mfw_config *cfg, const char *port,
		       int *which, int *also)
{
	struct mfw_port_facts *f;
	int i, ret = -ENOENT;

	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->cfg = cfg;
	mfw_tty_kernel_name(port, f->tty, sizeof(f->tty));
	for (i = 0; i < cfg->n_modules; i++) {
		if (!module_is_port(f, &cfg->modules[i]))
			continue;
		if (!ret) {
			*also = i;
			ret = -ENOTUNIQ;
			break;
		}
		*which = i;
		ret = 0;
	}
	/* Not seen is not "in no section": the port may be back soon. */
	if (ret == -ENOENT && f->unknown)
		ret = -ENODEV;
	/*
	 * A USB tty's name is the order the modules enumerated in: after a
	 * re-enumeration the module may be on another name, found in no
	 * section, and its upgrade would not meet its own lock.
	 */
	if (!ret && strncmp(cfg->modules[*which].match, "usb:", 4) &&
	    strncmp(cfg->modules[*which].match, "of:", 3) && *facts_usb(f))
		ret = -EMEDIUMTYPE;
	free(f);
	return ret;
}

/*
 * The message and exit code for mfw_module_of_port()'s @ret on @port, with
 * the module in use @cfg->module (empty: the global settings).
 */
static int module_verdict(const struct mfw_config *cfg, const char *port,
			  int ret, int which, int also)
{
	const struct mfw_module_cfg *m = ret == 0 || ret == -ENOTUNIQ ||
		ret == -EMEDIUMTYPE ? &cfg->modules[which] : NULL;

	switch (ret) {
	case 0:
		if (!strcmp(m->name, cfg->module))
			return MFW_EXIT_OK;
		if (*cfg->module)
			mfw_err("%s is the port of [module %s] (line %d), not of [module %s]; leave out --module, or name the right one",
				port, m->name, m->line, cfg->module);
		else
			mfw_err("%s is the port of [module %s] (line %d), but the settings of ports in no section are in use; name it with --port or --module %s",
				port, m->name, m->line, m->name);
		return MFW_EXIT_CONFIG;
	case -ENOENT:
		if (!*cfg->module) {
			mfw_info("%s is in no [module] section: the global settings and state directory",
				 port);
			return MFW_EXIT_OK;
		}
		mfw_err("%s is not the port of [module %s] (no section's match= is it); leave out --module, or fix the section's match=",
			port, cfg->module);
		return MFW_EXIT_CONFIG;
	case -ENODEV:
		if (*cfg->module)
			return MFW_EXIT_OK;
		mfw_err("%s is not there now, so which [module] section it belongs to cannot be told (a module restarting?); wait for it, or name the module with --module NAME",
			port);
		return MFW_EXIT_PORT;
	case -ENOTUNIQ:
		mfw_err("%s is the port of [module %s] (line %d) and of [module %s] (line %d); make their match= tell them apart",
			port, m->name, m->line, cfg->modules[also].name,
			cfg->modules[also].line);
		return MFW_EXIT_CONFIG;
	case -EMEDIUMTYPE:
		mfw_err("[module %s] (line %d) names %s by its tty, but it is a USB port, whose tty changes when the module re-enumerates; use match=usb:<its USB device> (mfw.conf(5))",
			m->name, m->line, port);
		return MFW_EXIT_CONFIG;
	default:
		mfw_err("cannot tell which [module] %s belongs to: %s", port, strerror(-ret));
		return MFW_EXIT_FAIL;
	}
}

int mfw_module_check_port(const struct mfw_config *cfg, const char *port)
{
	int which = -1, also = -1, ret;

	if (!cfg->n_modules)
		return MFW_EXIT_OK;
	ret = mfw_module_of_port(cfg, port, &which, &also);
	return module_verdict(cfg, port, ret, which, also);
}

int mfw_module_select(struct mfw_config *cfg, const char *port)
{
	int which = -1, also = -1, ret;

	if (!cfg->n_modules)
		return MFW_EXIT_OK;
	if (*cfg->module)
		return mfw_module_check_port(cfg, port);
	ret = mfw_module_of_port(cfg, port, &which, &also);
	if (ret)
		return module_verdict(cfg, port, ret, which, also);
	ret = mfw_config_use_module(cfg, cfg->modules[which].name);
	if (ret) {
		mfw_err("[module %s]: its state directory %s/%s/%s: %s; shorten state_dir=",
			cfg->modules[which].name, cfg->state_dir, MFW_MODULES_DIR,
			cfg->modules[which].name, strerror(-ret));
		return MFW_EXIT_CONFIG;
	}
	mfw_dbg("%s is [module %s]: state in %s", port, cfg->module, cfg->state_dir);
	return MFW_EXIT_OK;
}

static int module_name_cmp(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* A directory, not a link to one. */
static bool mfw_is_dir(const char *path)
{
	struct stat st;

	return !lstat(path, &st) && S_ISDIR(st.st_mode);
}

int mfw_module_orphans(const struct mfw_config *cfg,
		       char names[][MFW_MODULE_NAME_MAX], int max)
{
	char path[PATH_MAX];
	struct dirent *de;
	int n = 0, i;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", cfg->state_dir, MFW_MODULES_DIR);
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d)) && n < max) {
		bool named = false;

		if (de->d_name[0] == '.' || strlen(de->d_name) >= MFW_MODULE_NAME_MAX)
			continue;
		for (i = 0; i < cfg->n_modules; i++)
			named |= !strcmp(cfg->modules[i].name, de->d_name);
		snprintf(path, sizeof(path), "%s/%s/%s", cfg->state_dir,
			 MFW_MODULES_DIR, de->d_name);
		if (named || !mfw_is_dir(path))
			continue;
		snprintf(names[n++], MFW_MODULE_NAME_MAX, "%s", de->d_name);
	}
	closedir(d);
	qsort(names, (size_t)n, MFW_MODULE_NAME_MAX, module_name_cmp);
	return n;
}
