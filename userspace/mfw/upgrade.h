/* SPDX-License-Identifier: GPL-2.0 */
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

struct mfw_upgrade_opts {
	const char *image;	/* local package, or NULL */
	const char *url;	/* remote package, or NULL */
	const char *manifest;	/* default: <image>.manifest */
	const char *port;	/* default: config port, or the only mfw port */
	bool automatic;		/* pick the newest package in firmware_dir */
	bool force;		/* past the power check and the version check */
	bool recover;		/* power-cycle a silent module (never while flashing) */
	long timeout_s;		/* wait for the module after the trigger (0: config) */
};

/* mfw upgrade.  Returns an exit code (enum mfw_exit). */
int mfw_upgrade(const struct mfw_config *cfg, const struct mfw_upgrade_opts *o);

/* mfw resume.  Returns an exit code. */
int mfw_resume(const struct mfw_config *cfg, const struct mfw_upgrade_opts *o);

#endif /* MFW_UPGRADE_H */
