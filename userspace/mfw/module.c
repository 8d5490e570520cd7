// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - which [module NAME] section a port belongs to.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "module.h"
#include "port.h"
#include "udev.h"

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
	/* "<devpath>:<interface>" (udev.h) */
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
	free(f);
	return ret;
}
