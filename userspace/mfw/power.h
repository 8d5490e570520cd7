/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - the module's power: PWRKEY pulses, RESET, the STATUS pin
 * (hardware design guide of ML307x: PWRKEY 2-3.5 s powers on, 3.5-4 s
 * powers off, RESET at least 300 ms, STATUS high while on).
 */
#ifndef MFW_POWER_H
#define MFW_POWER_H

#include "config.h"

struct mfw_gpio;

/* Power and reset lines held for the length of an upgrade. */
struct mfw_power_hold {
	struct mfw_gpio *pwrkey;
	struct mfw_gpio *reset;
};

/* STATUS: 1 on, 0 off, -ENOENT when no status line, other -errno. */
int mfw_power_status(const struct mfw_config *cfg);

/*
 * Power on / off: nothing when STATUS already says so; otherwise pulse
 * PWRKEY and wait for STATUS.  Without a STATUS line only with @blind.
 * 0, -ETIMEDOUT (STATUS did not follow), -ENOENT, -EBUSY, other -errno.
 */
int mfw_power_on(const struct mfw_config *cfg, bool blind);
int mfw_power_off(const struct mfw_config *cfg, bool blind);

/* Pulse RESET, then wait for STATUS high when there is a status line. */
int mfw_power_reset(const struct mfw_config *cfg);

/*
 * Request PWRKEY and RESET as outputs at their released level, so no one
 * else can press them until mfw_power_unhold().  A missing line is
 * skipped (logged).  0, or -EBUSY/-errno naming the line in a message.
 */
int mfw_power_hold(const struct mfw_config *cfg, struct mfw_power_hold *h);
void mfw_power_unhold(struct mfw_power_hold *h);

#endif /* MFW_POWER_H */
