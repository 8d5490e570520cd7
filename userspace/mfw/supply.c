// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - power supply check.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "supply.h"
#include "util.h"

/* Types of supplies that power the board from outside. */
static const char *const mfw_external_types[] = {
	"Mains", "USB", "USB_DCP", "USB_CDP", "USB_ACA", "USB_C", "USB_PD",
	"USB_PD_DRP", "BrickID", "Wireless", "UPS", NULL
};

static int supply_attr(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return mfw_read_text(path, buf, size);
}

static bool is_external(const char *type)
{
	int i;

	for (i = 0; mfw_external_types[i]; i++)
		if (!strcmp(type, mfw_external_types[i]))
			return true;
	return false;
}

int mfw_supply_read(const char *sysfs_root, struct mfw_supply_report *r)
{
	char base[PATH_MAX];
	struct dirent *de;
	DIR *d;

	memset(r, 0, sizeof(*r));
	r->low_capacity = -1;
	snprintf(base, sizeof(base), "%s/class/power_supply", sysfs_root);
	d = opendir(base);
	if (!d)
		return errno == ENOENT ? 0 : -errno;
	while ((de = readdir(d))) {
		char dir[PATH_MAX], type[32], val[32];
		long cap;

		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof(dir), "%s/%s", base, de->d_name);
		if (supply_attr(dir, "type", type, sizeof(type)) < 0)
			continue;
		if (is_external(type)) {
			if (supply_attr(dir, "online", val, sizeof(val)) > 0 &&
			    strcmp(val, "0")) {
				r->external_online = true;
				snprintf(r->external_name, sizeof(r->external_name),
					 "%s", de->d_name);
			}
			continue;
		}
		if (strcmp(type, "Battery"))
			continue;
		/* Batteries of peripherals (mice, headsets) do not power us. */
		if (supply_attr(dir, "scope", val, sizeof(val)) > 0 &&
		    !strcmp(val, "Device"))
			continue;
		if (supply_attr(dir, "present", val, sizeof(val)) > 0 &&
		    !strcmp(val, "0"))
			continue;
		r->batteries++;
		if (supply_attr(dir, "capacity", val, sizeof(val)) > 0 &&
		    !mfw_parse_long(val, 0, 100, &cap)) {
			if (r->low_capacity < 0 || cap < r->low_capacity) {
				r->low_capacity = (int)cap;
				snprintf(r->low_name, sizeof(r->low_name), "%s",
					 de->d_name);
			}
		} else if (supply_attr(dir, "capacity_level", val, sizeof(val)) > 0 &&
			   (!strcasecmp(val, "Low") || !strcasecmp(val, "Critical"))) {
			r->low_level = true;
			snprintf(r->low_name, sizeof(r->low_name), "%s", de->d_name);
		}
	}
	closedir(d);
	return 0;
}

bool mfw_supply_safe(const struct mfw_supply_report *r, long min_percent,
		     char *why, size_t whylen)
{
	if (r->external_online) {
		snprintf(why, whylen, "external supply %s is online", r->external_name);
		return true;
	}
	if (!r->batteries) {
		snprintf(why, whylen, "no battery reported; assuming a fixed supply");
		return true;
	}
	if (r->low_level) {
		snprintf(why, whylen,
			 "battery %s reports a low level and no external supply is online",
			 r->low_name);
		return false;
	}
	if (r->low_capacity >= 0 && r->low_capacity < min_percent) {
		snprintf(why, whylen,
			 "battery %s at %d%% (below %ld%%) and no external supply is online",
			 r->low_name, r->low_capacity, min_percent);
		return false;
	}
	if (r->low_capacity < 0)
		snprintf(why, whylen, "battery capacity unknown; no low level reported");
	else
		snprintf(why, whylen, "battery %s at %d%%", r->low_name, r->low_capacity);
	return true;
}
