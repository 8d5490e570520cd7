// SPDX-License-Identifier: GPL-2.0-only
/*
 * Power sequencing over the fake GPIO backend: pulse lengths, STATUS
 * confirmation, nothing done when already in the wanted state, holding
 * the lines, missing lines.
 */
#include <errno.h>
#include <string.h>

#include "config.h"
#include "fake_gpio.h"
#include "power.h"
#include "tap.h"

#define PWRKEY (&fake_lines[0])
#define RESET (&fake_lines[1])

int main(void)
{
	struct mfw_power_hold h, h2;
	struct mfw_config c;

	mfw_config_defaults(&c);
	c.status_timeout_ms = 500;
	check(mfw_power_status(&c) == 0, "module starts off");
	check(mfw_power_on(&c, false) == 0 && fake_module_on, "power on");
	check(PWRKEY->pulses == 1 && PWRKEY->last_pulse_ms >= 2000 &&
	      PWRKEY->last_pulse_ms <= 3500, "on pulse within 2-3.5 s (%ld ms)",
	      PWRKEY->last_pulse_ms);
	check(PWRKEY->phys == 1 && !PWRKEY->held, "PWRKEY released afterwards");
	check(mfw_power_status(&c) == 1, "status reads on");
	check(mfw_power_on(&c, false) == 0 && PWRKEY->pulses == 1,
	      "power on when on: no pulse");
	check(mfw_power_off(&c, false) == 0 && !fake_module_on, "power off");
	check(PWRKEY->pulses == 2 && PWRKEY->last_pulse_ms >= 3500 &&
	      PWRKEY->last_pulse_ms <= 4000, "off pulse within 3.5-4 s (%ld ms)",
	      PWRKEY->last_pulse_ms);
	check(mfw_power_reset(&c) == 0 && fake_module_on && RESET->last_pulse_ms >= 300,
	      "reset pulse of at least 300 ms brings it up (%ld ms)", RESET->last_pulse_ms);

	/* Wrong polarity: the pulse goes the wrong way and STATUS never follows. */
	fake_module_on = false;
	c.pwrkey.active_low = false;
	check(mfw_power_on(&c, false) == -ETIMEDOUT, "wrong polarity: STATUS timeout reported");
	c.pwrkey.active_low = true;
	PWRKEY->phys = 1;

	check(!mfw_power_hold(&c, &h) && h.pwrkey && h.reset, "hold both lines");
	check(PWRKEY->output && PWRKEY->phys == 1 && RESET->phys == 1,
	      "held as outputs at the released level");
	check(mfw_power_on(&c, false) == -EBUSY, "power on while held: EBUSY");
	check(mfw_power_hold(&c, &h2) == -EBUSY, "second hold: EBUSY");
	mfw_power_unhold(&h);
	check(!PWRKEY->held && !RESET->held, "unhold releases both");

	/* RESET owned by a kernel driver: refused, unless the board says so. */
	RESET->held = true;
	RESET->owner = "regulator-modem";
	check(mfw_power_hold(&c, &h) == -EBUSY && !PWRKEY->held,
	      "RESET owned elsewhere: hold refused, PWRKEY let go again");
	c.power_lines_shared = true;
	check(!mfw_power_hold(&c, &h) && h.pwrkey && !h.reset,
	      "power_lines_shared=yes: the owned line is left to its owner");
	mfw_power_unhold(&h);
	check(RESET->held && !PWRKEY->held, "unhold leaves the owner's line alone");
	RESET->held = false;
	RESET->owner = NULL;
	c.power_lines_shared = false;

	snprintf(c.reset.spec, sizeof(c.reset.spec), "NO_SUCH_LINE");
	check(!mfw_power_hold(&c, &h) && h.pwrkey && !h.reset, "missing line skipped by hold");
	mfw_power_unhold(&h);
	snprintf(c.status.spec, sizeof(c.status.spec), "NO_STATUS");
	check(mfw_power_on(&c, false) == -ENOENT, "no STATUS line: on refused");
	check(mfw_power_on(&c, true) == 0 && fake_module_on, "...and done with --blind");
	return tap_done();
}
