// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - tty identities and uevents through libudev.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libudev.h>

#include "udev.h"
#include "util.h"

struct mfw_watch {
	struct udev *udev;
	struct udev_monitor *mon;
};

/* Both strings present and equal. */
static bool mfw_streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/*
 * A USB attribute for an identity: "-" when absent, and only characters
 * that cannot be mistaken for its separators (a serial number is the
 * device's own string, any bytes at all).  At most 64 characters.
 */
static void mfw_ident_part(char *out, size_t size, const char *v)
{
	size_t i;

	if (!v || !*v)
		v = "-";
	for (i = 0; v[i] && i < 64 && i + 1 < size; i++)
		out[i] = isalnum((unsigned char)v[i]) || strchr("._-", v[i]) ? v[i] : '_';
	out[i] = '\0';
}

/*
 * "<vid>:<pid>:<serial>@<usb device devpath>:<interface>": where the
 * device is plugged in and which interface, and what the device says it
 * is.  A module that comes back in another mode (a boot or download mode,
 * with another product ID) has another identity at the same place, so it
 * is not taken for the AT port it left.
 */
static int mfw_dev_identity(struct udev_device *dev, char *ident, size_t size)
{
	char vid[8], pid[8], serial[72];
	struct udev_device *intf, *usb;
	const char *ifnum;

	*ident = '\0';
	intf = udev_device_get_parent_with_subsystem_devtype(dev, "usb",
							     "usb_interface");
	usb = udev_device_get_parent_with_subsystem_devtype(dev, "usb",
							    "usb_device");
	if (!intf || !usb)
		return 0;
	ifnum = udev_device_get_sysattr_value(intf, "bInterfaceNumber");
	mfw_ident_part(vid, sizeof(vid), udev_device_get_sysattr_value(usb, "idVendor"));
	mfw_ident_part(pid, sizeof(pid), udev_device_get_sysattr_value(usb, "idProduct"));
	mfw_ident_part(serial, sizeof(serial), udev_device_get_sysattr_value(usb, "serial"));
	snprintf(ident, size, "%s:%s:%s@%s:%s", vid, pid, serial,
		 udev_device_get_devpath(usb), ifnum ? ifnum : "?");
	return 0;
}

/* udev's device of tty @name, in *@dev and its context in *@udev; 0 or -errno. */
static int mfw_tty_get(const char *name, struct udev **udev,
		       struct udev_device **dev)
{
	*udev = udev_new();
	if (!*udev)
		return -ENOMEM;
	*dev = udev_device_new_from_subsystem_sysname(*udev, "tty", name);
	if (!*dev) {
		udev_unref(*udev);
		return -ENOENT;
	}
	return 0;
}

static void mfw_tty_put(struct udev *udev, struct udev_device *dev)
{
	udev_device_unref(dev);
	udev_unref(udev);
}

int mfw_tty_identity(const char *name, char *ident, size_t size)
{
	struct udev_device *dev;
	struct udev *udev;
	int ret;

	ret = mfw_tty_get(name, &udev, &dev);
	if (ret)
		return ret;
	ret = mfw_dev_identity(dev, ident, size);
	mfw_tty_put(udev, dev);
	return ret;
}

/*
 * The tty whose identity is @ident (mfw_dev_identity()'s).  Only the USB
 * device's own subtree is searched: a board has dozens of ttys (hundreds
 * with legacy ptys), and the follow loops ask twice a second.
 */
int mfw_tty_by_identity(const char *ident, char *node, size_t size)
{
	struct udev_device *usb = NULL;
	struct udev_list_entry *e;
	struct udev_enumerate *en;
	const char *colon, *path;
	char syspath[PATH_MAX];
	struct udev *udev;
	int ret = -ENOENT;

	/* A journal of an older mfw: the place alone (see udev.h). */
	path = strchr(ident, '@');
	path = path ? path + 1 : ident;
	colon = strrchr(path, ':');
	if (!colon || path[0] != '/' ||
	    snprintf(syspath, sizeof(syspath), "/sys%.*s", (int)(colon - path),
		     path) >= (int)sizeof(syspath))
		return -EINVAL;
	udev = udev_new();
	if (!udev)
		return -ENOMEM;
	/* Unplugged (or not back yet): nothing to search. */
	usb = udev_device_new_from_syspath(udev, syspath);
	if (!usb) {
		udev_unref(udev);
		return -ENOENT;
	}
	/* Only a USB device's subtree, never a crawl of /sys at large. */
	if (!mfw_streq(udev_device_get_subsystem(usb), "usb") ||
	    !mfw_streq(udev_device_get_devtype(usb), "usb_device")) {
		ret = -EINVAL;
		en = NULL;
		goto out;
	}
	en = udev_enumerate_new(udev);
	if (!en) {
		ret = -ENOMEM;
		goto out;
	}
	ret = udev_enumerate_add_match_subsystem(en, "tty");
	if (!ret)
		ret = udev_enumerate_add_match_parent(en, usb);
	if (!ret)
		ret = udev_enumerate_scan_devices(en);
	if (ret < 0)
		goto out;	/* e.g. unplugged during the scan */
	ret = -ENOENT;
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *dev;
		char id[MFW_IDENT_MAX];
		const char *dn;

		dev = udev_device_new_from_syspath(udev, udev_list_entry_get_name(e));
		if (!dev)
			continue;
		dn = udev_device_get_devnode(dev);
		if (!dn)
			dn = udev_device_get_sysname(dev);
		if (!mfw_dev_identity(dev, id, sizeof(id)) && *id &&
		    !strcmp(strchr(id, '@') + 1, path)) {
			if (path != ident && strcmp(id, ident)) {
				/* The place, but the device says it is another. */
				ret = -EXDEV;
			} else {
				if (dn[0] == '/')
					snprintf(node, size, "%s", dn);
				else
					snprintf(node, size, "/dev/%s", dn);
				ret = 0;
			}
		}
		udev_device_unref(dev);
		if (ret != -ENOENT)
			break;
	}
out:
	udev_enumerate_unref(en);
	udev_device_unref(usb);
	udev_unref(udev);
	return ret;
}

int mfw_tty_by_module(const char *ident, const char (*skip)[MFW_IDENT_MAX],
		      int n_skip, char *found, size_t fsize, char *node,
		      size_t nsize)
{
	const char *at = strchr(ident, '@'), *ifnum = strrchr(ident, ':');
	char vid[8], pid[8], cand[MFW_IDENT_MAX];
	struct udev_list_entry *e;
	struct udev_enumerate *en;
	struct udev *udev;
	int ret, i;

	if (!at || !ifnum || ifnum < at ||
	    sscanf(ident, "%7[^:]:%7[^:]:", vid, pid) != 2 ||
	    !mfw_ident_same_module(ident, ident))
		return -EINVAL;
	udev = udev_new();
	if (!udev)
		return -ENOMEM;
	en = udev_enumerate_new(udev);
	if (!en) {
		udev_unref(udev);
		return -ENOMEM;
	}
	ret = udev_enumerate_add_match_subsystem(en, "usb");
	if (!ret)
		ret = udev_enumerate_add_match_sysattr(en, "idVendor", vid);
	if (!ret)
		ret = udev_enumerate_add_match_sysattr(en, "idProduct", pid);
	if (!ret)
		ret = udev_enumerate_scan_devices(en);
	if (ret < 0)
		goto out;
	ret = -ENOENT;
	udev_list_entry_foreach(e, udev_enumerate_get_list_entry(en)) {
		struct udev_device *usb;
		char serial[72];

		usb = udev_device_new_from_syspath(udev, udev_list_entry_get_name(e));
		if (!usb)
			continue;
		mfw_ident_part(serial, sizeof(serial),
			       udev_device_get_sysattr_value(usb, "serial"));
		snprintf(cand, sizeof(cand), "%s:%s:%s@%s%s", vid, pid, serial,
			 udev_device_get_devpath(usb), ifnum);
		udev_device_unref(usb);
		if (!strcmp(cand, ident) || !mfw_ident_same_module(ident, cand))
			continue;
		for (i = 0; i < n_skip && strcmp(skip[i], cand); i++)
			;
		if (i < n_skip)
			continue;
		ret = mfw_tty_by_identity(cand, node, nsize);
		if (!ret) {
			snprintf(found, fsize, "%s", cand);
			break;
		}
		ret = -ENOENT;
	}
out:
	udev_enumerate_unref(en);
	udev_unref(udev);
	return ret;
}

/* @key set to "1" on @dev or, when @up, on one of its ancestors. */
static bool mfw_dev_flag(struct udev_device *dev, const char *key, bool up)
{
	for (; dev; dev = up ? udev_device_get_parent(dev) : NULL) {
		const char *v = udev_device_get_property_value(dev, key);

		if (v && !strcmp(v, "1"))
			return true;
	}
	return false;
}

/* @key on @dev or one of its ancestors, the nearest first. */
static const char *mfw_dev_prop_up(struct udev_device *dev, const char *key)
{
	for (; dev; dev = udev_device_get_parent(dev)) {
		const char *v = udev_device_get_property_value(dev, key);

		if (v && *v)
			return v;
	}
	return NULL;
}

int mfw_tty_mm_view(const char *name, struct mfw_mm_view *v)
{
	struct udev_device *dev, *usb;
	const char *uid, *init;
	struct timespec now;
	struct udev *udev;
	int ret;

	memset(v, 0, sizeof(*v));
	v->age_ms = -1;
	ret = mfw_tty_get(name, &udev, &dev);
	if (ret)
		return ret;
	if (mfw_dev_flag(dev, "ID_MM_DEVICE_IGNORE", true))
		snprintf(v->ignore, sizeof(v->ignore), "ID_MM_DEVICE_IGNORE");
	else if (mfw_dev_flag(dev, "ID_MM_PORT_IGNORE", false))
		snprintf(v->ignore, sizeof(v->ignore), "ID_MM_PORT_IGNORE");
	init = udev_device_get_property_value(dev, "USEC_INITIALIZED");
	if (init && !clock_gettime(CLOCK_MONOTONIC, &now)) {
		long long then = strtoll(init, NULL, 10) / 1000;
		long long ms = now.tv_sec * 1000LL + now.tv_nsec / 1000000;

		if (then > 0 && then <= ms)
			v->age_ms = ms - then;
	}
	usb = udev_device_get_parent_with_subsystem_devtype(dev, "usb",
							    "usb_device");
	uid = mfw_dev_prop_up(dev, "ID_MM_PHYSDEV_UID");
	if (!uid)
		uid = udev_device_get_syspath(usb ? usb : dev);
	snprintf(v->uid, sizeof(v->uid), "%s", uid ? uid : "");
	mfw_tty_put(udev, dev);
	return 0;
}

int mfw_watch_open(struct mfw_watch **out)
{
	struct mfw_watch *w;
	const char *source;

	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->udev = udev_new();
	if (!w->udev)
		goto fail;
	/* Without udevd nobody re-broadcasts: listen to the kernel itself. */
	source = access("/run/udev/control", F_OK) ? "kernel" : "udev";
	w->mon = udev_monitor_new_from_netlink(w->udev, source);
	if (!w->mon)
		goto fail;
	if (udev_monitor_filter_add_match_subsystem_devtype(w->mon, "tty", NULL) < 0 ||
	    udev_monitor_filter_add_match_subsystem_devtype(w->mon, "mfw", NULL) < 0 ||
	    udev_monitor_enable_receiving(w->mon) < 0)
		goto fail;
	mfw_dbg("watching uevents from %s", source);
	*out = w;
	return 0;
fail:
	mfw_watch_close(w);
	return -EPERM;
}

int mfw_watch_fd(const struct mfw_watch *w)
{
	return udev_monitor_get_fd(w->mon);
}

int mfw_watch_read(struct mfw_watch *w, char *action, char *subsystem,
		   char *name, size_t size)
{
	struct udev_device *dev;
	const char *a, *s, *n;

	dev = udev_monitor_receive_device(w->mon);
	if (!dev)
		return 0;
	a = udev_device_get_action(dev);
	s = udev_device_get_subsystem(dev);
	n = udev_device_get_sysname(dev);
	snprintf(action, size, "%s", a ? a : "");
	snprintf(subsystem, size, "%s", s ? s : "");
	snprintf(name, size, "%s", n ? n : "");
	udev_device_unref(dev);
	return 1;
}

void mfw_watch_close(struct mfw_watch *w)
{
	if (!w)
		return;
	if (w->mon)
		udev_monitor_unref(w->mon);
	if (w->udev)
		udev_unref(w->udev);
	free(w);
}

bool mfw_ident_same_module(const char *a, const char *b)
{
	const char *at_a = strchr(a, '@'), *at_b = strchr(b, '@');
	const char *serial = NULL, *p, *if_a, *if_b;
	size_t n;

	if (!at_a || !at_b)
		return false;
	n = (size_t)(at_a - a);
	if (n != (size_t)(at_b - b) || memcmp(a, b, n))
		return false;
	/* "<vid>:<pid>:<serial>": the serial starts after the second ':'. */
	p = memchr(a, ':', n);
	if (p)
		p = memchr(p + 1, ':', n - (size_t)(p + 1 - a));
	if (p)
		serial = p + 1;
	if (!serial || serial == at_a || (at_a - serial == 1 && *serial == '-'))
		return false;
	if_a = strrchr(at_a, ':');
	if_b = strrchr(at_b, ':');
	return if_a && if_b && !strcmp(if_a, if_b);
}
