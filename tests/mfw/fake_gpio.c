// SPDX-License-Identifier: GPL-2.0-only
/*
 * A fake GPIO backend behind userspace/mfw/gpio.h, with a module on the
 * lines.  The module samples PWRKEY as long as it is held low: after 2 s it
 * powers on, after 3.5 s (when on) off, each counted from the press or the
 * module's last switch, whichever came later, so a key held down switches
 * it on and off again and again (SPEC §5: 2-3.5 s on, 3.5-4 s off).  RESET
 * of at least 300 ms restarts it; STATUS follows.  Physical levels honour
 * each request's active-low flag, as a real chip would, and a released
 * line keeps its level or goes to the board's pull (idle).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_gpio.h"
#include "gpio.h"
#include "util.h"

struct fake_line fake_lines[FAKE_LINES] = {
	{ .name = "MODEM_PWRKEY", .phys = 1, .idle = -1 },	/* pulled up: released */
	{ .name = "MODEM_RESET", .phys = 1, .idle = -1 },
	{ .name = "MODEM_STATUS", .phys = 0, .idle = -1 },
};
bool fake_module_on;
int64_t fake_skew_ms;
void (*fake_on_press)(void);
static int64_t fake_switched_at;

struct mfw_gpio {
	struct fake_line *line;
	bool active_low;
};

static struct fake_line *fake_find(const char *spec)
{
	int i;

	for (i = 0; i < FAKE_LINES; i++)
		if (fake_lines[i].name && !strcmp(fake_lines[i].name, spec))
			return &fake_lines[i];
	return NULL;
}

static int64_t fake_now(void)
{
	return mfw_now_ms() + fake_skew_ms;
}

/* What a PWRKEY held low since its press did to the module up to @now. */
static void fake_pwrkey(struct fake_line *k, int64_t now)
{
	while (k->phys == 0) {
		int64_t since = k->pressed_at > fake_switched_at ?
				k->pressed_at : fake_switched_at;
		int64_t at = since + (fake_module_on ? 3500 : 2000);

		if (at > now)
			break;
		fake_module_on = !fake_module_on;
		fake_switched_at = at;
	}
}

bool fake_module_now(void)
{
	fake_pwrkey(fake_find("MODEM_PWRKEY"), fake_now());
	fake_find("MODEM_STATUS")->phys = fake_module_on;
	return fake_module_on;
}

/* A line's level changes to @phys: the module looks at its keys. */
static void fake_module(struct fake_line *l, int phys)
{
	int64_t now = fake_now();
	bool pressed;

	fake_module_now();
	if (phys == 0 && l->phys == 1) {
		l->pressed_at = now;
	} else if (phys == 1 && l->phys == 0) {
		long held = (long)(now - l->pressed_at);

		l->last_pulse_ms = held;
		l->pulses++;
		if (!strcmp(l->name, "MODEM_RESET") && held >= 300)
			fake_module_on = true;
	}
	pressed = phys == 0 && l->phys == 1 && !strcmp(l->name, "MODEM_PWRKEY");
	l->phys = phys;
	fake_find("MODEM_STATUS")->phys = fake_module_on;
	if (pressed && fake_on_press)
		fake_on_press();
}

int mfw_gpio_owner(const char *spec, char *owner, size_t size)
{
	struct fake_line *l = fake_find(spec);

	if (!l)
		return -ENOENT;
	snprintf(owner, size, "%s", !l->held ? "" : l->owner ? l->owner :
		 MFW_GPIO_CONSUMER);
	return 0;
}

int mfw_gpio_request(const char *spec, bool active_low, enum mfw_gpio_dir dir,
		     int value, struct mfw_gpio **out)
{
	struct fake_line *l = fake_find(spec);
	struct mfw_gpio *g;

	if (!l)
		return -ENOENT;
	if (l->held)
		return -EBUSY;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	g->line = l;
	g->active_low = active_low;
	l->held = true;
	l->output = dir == MFW_GPIO_OUT;
	if (l->output)
		fake_module(l, active_low ? !value : !!value);
	*out = g;
	return 0;
}

int mfw_gpio_set(struct mfw_gpio *g, int value)
{
	if (!g->line->output)
		return -EPERM;
	fake_module(g->line, g->active_low ? !value : !!value);
	return 0;
}

int mfw_gpio_get(struct mfw_gpio *g)
{
	fake_module_now();
	return g->active_low ? !g->line->phys : g->line->phys;
}

void mfw_gpio_release(struct mfw_gpio *g)
{
	if (!g)
		return;
	if (g->line->output && g->line->idle >= 0)
		fake_module(g->line, g->line->idle);
	g->line->held = false;
	free(g);
}
