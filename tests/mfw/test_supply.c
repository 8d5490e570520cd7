// SPDX-License-Identifier: GPL-2.0-only
/*
 * The power check against fake /sys/class/power_supply trees.
 */
#include <stdio.h>
#include <string.h>

#include "supply.h"
#include "tap.h"

static const char *root;

static void supply(const char *name, const char *attr, const char *value)
{
	char rel[256];

	snprintf(rel, sizeof(rel), "class/power_supply/%s/%s", name, attr);
	tap_put(root, rel, value);
}

static bool verdict(long min, char *why, size_t len)
{
	struct mfw_supply_report r;

	if (mfw_supply_read(root, &r))
		return false;
	return mfw_supply_safe(&r, min, why, len);
}

int main(void)
{
	char why[256], tree[600];

	root = tap_tmpdir();
	check(verdict(30, why, sizeof(why)), "no power_supply class: safe (%s)", why);

	supply("BAT0", "type", "Battery\n");
	supply("BAT0", "capacity", "12\n");
	supply("AC", "type", "Mains\n");
	supply("AC", "online", "0\n");
	check(!verdict(30, why, sizeof(why)) && strstr(why, "12%"),
	      "battery 12%%, mains offline: refused (%s)", why);
	check(verdict(10, why, sizeof(why)), "threshold 10%%: safe");

	supply("AC", "online", "1\n");
	check(verdict(30, why, sizeof(why)) && strstr(why, "AC"),
	      "mains online: safe (%s)", why);
	supply("AC", "online", "0\n");
	supply("usb", "type", "USB\n");
	supply("usb", "online", "1\n");
	check(verdict(30, why, sizeof(why)), "USB supply online: safe (%s)", why);
	supply("usb", "online", "0\n");

	supply("BAT0", "capacity", "30\n");
	check(verdict(30, why, sizeof(why)), "battery at the threshold: safe");
	supply("BAT1", "type", "Battery\n");
	supply("BAT1", "capacity", "5\n");
	check(!verdict(30, why, sizeof(why)) && strstr(why, "BAT1"),
	      "second battery low: refused (%s)", why);
	supply("BAT1", "present", "0\n");
	check(verdict(30, why, sizeof(why)), "absent battery ignored");
	supply("mouse", "type", "Battery\n");
	supply("mouse", "scope", "Device\n");
	supply("mouse", "capacity", "1\n");
	check(verdict(30, why, sizeof(why)), "a peripheral's battery is ignored");

	supply("BAT2", "type", "Battery\n");
	supply("BAT2", "capacity_level", "Critical\n");
	check(!verdict(30, why, sizeof(why)), "capacity_level Critical without capacity: refused (%s)", why);
	supply("AC", "online", "1\n");
	check(verdict(30, why, sizeof(why)), "...unless mains is online");

	snprintf(tree, sizeof(tree), "%s", root);
	tap_rmtree(tree);
	return tap_done();
}
