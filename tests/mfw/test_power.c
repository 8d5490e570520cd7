// SPDX-License-Identifier: GPL-2.0-only
/*
 * Power sequencing over the fake GPIO backend: pulse lengths, STATUS
 * confirmation, nothing done when already in the wanted state, holding
 * the lines, missing lines; lines that keep their level on release and
 * lines that go to the board's pull, with the module still on 10 s later;
 * a stop signal in the middle of a pulse.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "config.h"
#include "fake_gpio.h"
#include "power.h"
#include "tap.h"

#define PWRKEY (&fake_lines[0])
#define RESET (&fake_lines[1])

/* What the key looked like when SIGINT came. */
static volatile sig_atomic_t sig_phys = -1, sig_held = -1, sig_pulses = -1;

static void on_sigint(int sig)
{
	(void)sig;
	sig_phys = PWRKEY->phys;
	sig_held = PWRKEY->held;
	sig_pulses = PWRKEY->pulses;
}

static void press_interrupts(void)
{
	raise(SIGINT);
}

/* Power on with a SIGINT raised the moment PWRKEY goes down. */
static int power_on_interrupted(struct mfw_config *c)
{
	struct sigaction sa = { .sa_handler = on_sigint };
	sigset_t set;
	int ret;

	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	sig_phys = sig_held = sig_pulses = -1;
	fake_on_press = press_interrupts;
	ret = mfw_power_on(c, false);
	fake_on_press = NULL;
	return ret;
}

int main(void)
{
	struct mfw_power_hold h, h2;
	struct mfw_config c;
	int ret;

	mfw_config_defaults(&c);
	c.status_timeout_ms = 500;
	check(mfw_power_status(&c) == 0, "module starts off");
	check(mfw_power_on(&c, false) == 0 && fake_module_on, "power on");
	check(PWRKEY->pulses == 1 && PWRKEY->last_pulse_ms >= 2000 &&
	      PWRKEY->last_pulse_ms <= 3500, "on pulse within 2-3.5 s (%ld ms)",
	      PWRKEY->last_pulse_ms);
	check(PWRKEY->phys == 1 && !PWRKEY->held, "PWRKEY released afterwards");
	fake_skew_ms += 10000;
	check(fake_module_now() && PWRKEY->phys == 1,
	      "a line that keeps its level: the module is still on 10 s later");
	check(mfw_power_status(&c) == 1, "status reads on");
	check(mfw_power_on(&c, false) == 0 && PWRKEY->pulses == 1,
	      "power on when on: no pulse");
	check(mfw_power_off(&c, false) == 0 && !fake_module_on, "power off");
	check(PWRKEY->pulses == 2 && PWRKEY->last_pulse_ms >= 3500 &&
	      PWRKEY->last_pulse_ms <= 4000, "off pulse within 3.5-4 s (%ld ms)",
	      PWRKEY->last_pulse_ms);
	ret = mfw_power_reset(&c);
	check(ret == 0 && fake_module_on && RESET->last_pulse_ms >= 300,
	      "reset pulse of at least 300 ms brings it up (%ld ms)", RESET->last_pulse_ms);

	/*
	 * A board whose lines go to their pull on release (gpio-sim does
	 * too): pulled up, the keys are up as soon as mfw lets go.
	 */
	PWRKEY->idle = RESET->idle = 1;
	check(mfw_power_off(&c, false) == 0 && mfw_power_on(&c, false) == 0 &&
	      fake_module_now(), "lines back to their pull-up on release: off, then on");
	fake_skew_ms += 10000;
	check(fake_module_now() && PWRKEY->phys == 1 && PWRKEY->pulses == 4,
	      "lines back to their pull-up: the module is still on 10 s later (%d pulses)",
	      PWRKEY->pulses);

	/* A stop signal waits for the key to be up again, on both kinds. */
	check(mfw_power_off(&c, false) == 0, "off again");
	ret = power_on_interrupted(&c);
	check(!ret && sig_phys == 1 && sig_held == 0 && sig_pulses == 6,
	      "SIGINT as the key goes down comes once it is up (key %d, held %d, pulses %d)",
	      (int)sig_phys, (int)sig_held, (int)sig_pulses);
	fake_skew_ms += 10000;
	check(fake_module_now() && PWRKEY->last_pulse_ms >= 2000,
	      "...the pulse whole (%ld ms), the module on 10 s later", PWRKEY->last_pulse_ms);
	PWRKEY->idle = RESET->idle = -1;
	check(mfw_power_off(&c, false) == 0, "keeping lines again: off");
	ret = power_on_interrupted(&c);
	check(!ret && sig_phys == 1 && sig_held == 0 && sig_pulses == 8,
	      "a line that keeps its level: SIGINT mid-pulse waits too (key %d, held %d, pulses %d)",
	      (int)sig_phys, (int)sig_held, (int)sig_pulses);
	fake_skew_ms += 10000;
	check(fake_module_now() && PWRKEY->phys == 1,
	      "...and the key is not left down: the module is on 10 s later");
	signal(SIGINT, SIG_DFL);

	/*
	 * The fake itself: a board whose pull holds the key down switches
	 * its module on and off every few seconds, whatever mfw does (the
	 * admin guide's board requirement).
	 */
	PWRKEY->idle = 0;
	check(mfw_power_off(&c, false) == 0 && mfw_power_on(&c, false) == 0,
	      "key pulled down on release: on at first");
	fake_skew_ms += 3500;
	check(!fake_module_now(), "key pulled down on release: off again 3.5 s later");
	PWRKEY->idle = -1;
	PWRKEY->phys = 1;

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
