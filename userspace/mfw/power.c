// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - power on, off and reset through the board's GPIO lines.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "gpio.h"
#include "power.h"
#include "util.h"

/* How often STATUS is sampled while waiting for it. */
#define MFW_STATUS_POLL_MS	50
/* Tries to deassert a pulsed line before it is let go asserted. */
#define MFW_RELEASE_TRIES	3

int mfw_power_status(const struct mfw_config *cfg)
{
	struct mfw_gpio *g;
	int ret;

	ret = mfw_gpio_request(cfg->status.spec, cfg->status.active_low,
			       MFW_GPIO_IN, 0, &g);
	if (ret)
		return ret;
	ret = mfw_gpio_get(g);
	mfw_gpio_release(g);
	return ret;
}

static int mfw_wait_status(const struct mfw_config *cfg, int want)
{
	int64_t end = mfw_now_ms() + cfg->status_timeout_ms;
	int v;

	for (;;) {
		v = mfw_power_status(cfg);
		if (v < 0)
			return v;
		if (v == want)
			return 0;
		if (mfw_now_ms() >= end)
			return -ETIMEDOUT;
		mfw_sleep_ms(MFW_STATUS_POLL_MS);
	}
}

/*
 * Assert @line for @ms (at most reset_ms' 10 s), then deassert and release
 * it.  A pulse is all a key needs: the module latches what it did (SPEC
 * §5), and a released line either keeps the deasserted level (most GPIO
 * chips) or goes to the board's pull, which leaves the key up on any board
 * that does not switch its module at every boot (the line is undriven
 * until Linux runs).  So nothing is held after mfw exits.  What must not
 * happen is a release in the middle of the pulse: on a chip that keeps the
 * level the key would stay down and may switch the module again, on one
 * that goes to the pull the pulse would be cut short.  The stop signals
 * (terminal and service manager: SIGTERM, SIGINT, SIGHUP, SIGQUIT,
 * SIGTSTP) therefore wait until the key is up again; SIGKILL and a crash
 * cannot be held off, and a deassert the chip refuses is tried again,
 * then reported.
 */
static int mfw_pulse(const struct mfw_line_cfg *line, long ms)
{
	static const int stops[] = { SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGTSTP };
	struct mfw_gpio *g;
	sigset_t set, old;
	size_t i;
	int ret;

	sigemptyset(&set);
	for (i = 0; i < sizeof(stops) / sizeof(stops[0]); i++)
		sigaddset(&set, stops[i]);
	sigprocmask(SIG_BLOCK, &set, &old);
	ret = mfw_gpio_request(line->spec, line->active_low, MFW_GPIO_OUT, 0, &g);
	if (!ret) {
		ret = mfw_gpio_set(g, 1);
		if (!ret) {
			mfw_sleep_ms(ms);
			/* A GPIO expander on a bus may fail once: try again. */
			for (i = 0; i < MFW_RELEASE_TRIES; i++) {
				if (i)
					mfw_sleep_ms(10);
				ret = mfw_gpio_set(g, 0);
				if (!ret)
					break;
			}
			if (ret)
				mfw_err("cannot deassert GPIO line %s after its pulse (%s): the module's key may stay down and switch it again; check the line with gpioinfo and the module with mfw power status",
					line->spec, mfw_gpio_strerror(ret));
		}
		mfw_gpio_release(g);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	return ret;
}

static int mfw_power_switch(const struct mfw_config *cfg, int want, bool blind)
{
	long ms = want ? cfg->pwrkey_on_ms : cfg->pwrkey_off_ms;
	int ret;

	ret = mfw_power_status(cfg);
	if (ret == want)
		return 0;
	if (ret < 0 && !(blind && ret == -ENOENT))
		return ret;
	if (want)
		mfw_sleep_ms(cfg->vbat_settle_ms);
	mfw_dbg("pulsing %s for %ld ms", cfg->pwrkey.spec, ms);
	ret = mfw_pulse(&cfg->pwrkey, ms);
	if (ret)
		return ret;
	if (blind && mfw_power_status(cfg) == -ENOENT)
		return 0;
	return mfw_wait_status(cfg, want);
}

int mfw_power_on(const struct mfw_config *cfg, bool blind)
{
	return mfw_power_switch(cfg, 1, blind);
}

int mfw_power_off(const struct mfw_config *cfg, bool blind)
{
	return mfw_power_switch(cfg, 0, blind);
}

int mfw_power_reset(const struct mfw_config *cfg)
{
	int ret;

	mfw_dbg("pulsing %s for %ld ms", cfg->reset.spec, cfg->reset_ms);
	ret = mfw_pulse(&cfg->reset, cfg->reset_ms);
	if (ret)
		return ret;
	ret = mfw_wait_status(cfg, 1);
	return ret == -ENOENT ? 0 : ret;
}

static int mfw_hold_one(const struct mfw_config *cfg,
			const struct mfw_line_cfg *line, struct mfw_gpio **g)
{
	char owner[64];
	int ret;

	ret = mfw_gpio_request(line->spec, line->active_low, MFW_GPIO_OUT, 0, g);
	if (ret == -ENOENT) {
		mfw_info("no GPIO line %s: not held during the upgrade", line->spec);
		*g = NULL;
		return 0;
	}
	if (ret != -EBUSY) {
		if (ret)
			mfw_err("cannot hold GPIO line %s: %s", line->spec,
				mfw_gpio_strerror(ret));
		return ret;
	}
	/* A kernel driver (gpio-regulator, rfkill-gpio, a hog) or a program. */
	if (mfw_gpio_owner(line->spec, owner, sizeof(owner)) || !*owner)
		snprintf(owner, sizeof(owner), "an unnamed holder");
	if (cfg->power_lines_shared) {
		mfw_warn("GPIO line %s is held by \"%s\": not held by mfw during the upgrade (power_lines_shared=yes: the board keeps the module powered)",
			 line->spec, owner);
		*g = NULL;
		return 0;
	}
	mfw_err("GPIO line %s is held by \"%s\" (gpioinfo shows it), so mfw cannot keep it from toggling the module's power while it flashes; stop that holder, or set power_lines_shared=yes if the board keeps the module powered whatever the line does",
		line->spec, owner);
	return ret;
}

int mfw_power_hold(const struct mfw_config *cfg, struct mfw_power_hold *h)
{
	int ret;

	memset(h, 0, sizeof(*h));
	ret = mfw_hold_one(cfg, &cfg->pwrkey, &h->pwrkey);
	if (!ret)
		ret = mfw_hold_one(cfg, &cfg->reset, &h->reset);
	if (ret)
		mfw_power_unhold(h);
	return ret;
}

void mfw_power_unhold(struct mfw_power_hold *h)
{
	mfw_gpio_release(h->pwrkey);
	mfw_gpio_release(h->reset);
	h->pwrkey = h->reset = NULL;
}
