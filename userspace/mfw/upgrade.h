/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - the upgrade, as a sequence of named phases with a cleanup
 * that always runs: verify, check power, locate and hold the port, inhibit
 * logind and ModemManager, hold the power lines, write or download the
 * package, trigger, follow the module through its reboots, confirm.
 * Each phase is recorded in the journal; "mfw resume" picks up from it.
 */
#ifndef MFW_UPGRADE_H
#define MFW_UPGRADE_H

#include <stdbool.h>

#include "config.h"

/*
 * Checks the user may override, one option each (mfw(8), OVERRIDES).
 * --force names them all at once, with a warning.
 */
enum mfw_allow {
	MFW_ALLOW_LOW_POWER = 1 << 0,	/* --ignore-battery: past the power check */
	MFW_ALLOW_SAME_VERSION = 1 << 1, /* --allow-same-version: flash it again */
	MFW_ALLOW_DOWNGRADE = 1 << 2,	/* --allow-downgrade: an older version */
	MFW_ALLOW_START_OVER = 1 << 3,	/* --start-over: set an unfinished upgrade aside */
	MFW_ALLOW_BUSY_MM = 1 << 4,	/* --ignore-modemmanager: no inhibition */
	MFW_ALLOW_NO_LINES = 1 << 5,	/* --ignore-power-lines: GPIO lines not held */
	MFW_ALLOW_ALL = (1 << 6) - 1,
};

struct mfw_upgrade_opts {
	const char *image;	/* local package, or NULL */
	const char *url;	/* remote package, or NULL */
	const char *manifest;	/* default: <image>.manifest */
	const char *port;	/* default: config port, or the only mfw port */
	bool automatic;		/* pick the newest package in firmware_dir */
	unsigned int allow;	/* enum mfw_allow: the overrides given */
	bool recover;		/* power-cycle a silent module (never while flashing) */
	bool dry_run;		/* every check and the plan; nothing sent, nothing held */
	long timeout_s;		/* wait for the module after the trigger (0: config) */
	long fast_rate;		/* bit/s of the transfer; 0 off; -1: fast_rate= of the config */
};

/* mfw upgrade.  Returns an exit code (enum mfw_exit). */
int mfw_upgrade(const struct mfw_config *cfg, const struct mfw_upgrade_opts *o);

/* mfw resume.  Returns an exit code. */
int mfw_resume(const struct mfw_config *cfg, const struct mfw_upgrade_opts *o);

#endif /* MFW_UPGRADE_H */
