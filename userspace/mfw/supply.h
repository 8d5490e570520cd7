/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - is the board's power safe for flashing?  Reads
 * <sysfs>/class/power_supply: an online external supply (Mains, USB, ...)
 * is safe; otherwise every system battery must hold at least the
 * configured capacity.  A board without any power_supply entry is taken
 * to run from a fixed supply.
 */
#ifndef MFW_SUPPLY_H
#define MFW_SUPPLY_H

#include <stdbool.h>

struct mfw_supply_report {
	int batteries;			/* system batteries present */
	int low_capacity;		/* lowest capacity seen, -1 when none */
	char low_name[64];		/* the battery that has it */
	bool low_level;			/* a battery reports capacity_level Low/Critical */
	bool external_online;		/* an external supply is online */
	char external_name[64];
};

/* Read the power supplies.  0, or -errno when the class is unreadable. */
int mfw_supply_read(const char *sysfs_root, struct mfw_supply_report *r);

/*
 * The verdict for @r with @min_percent: true when flashing is safe; @why
 * gets a sentence either way.
 */
bool mfw_supply_safe(const struct mfw_supply_report *r, long min_percent,
		     char *why, size_t whylen);

#endif /* MFW_SUPPLY_H */
