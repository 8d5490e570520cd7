/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The fake GPIO lines and module of fake_gpio.c, for tests to inspect.
 */
#ifndef MFW_FAKE_GPIO_H
#define MFW_FAKE_GPIO_H

#include <stdbool.h>
#include <stdint.h>

#define FAKE_LINES 3

struct fake_line {
	const char *name;
	int phys;		/* electrical level */
	/*
	 * The level on release: -1 keeps the last one (most GPIO chips),
	 * 0 or 1 the board's pull (chips that return a freed line to an
	 * input, gpio-sim).
	 */
	int idle;
	bool held;
	const char *owner;	/* another holder's label (held by it) */
	bool output;
	int64_t pressed_at;
	long last_pulse_ms;	/* length of the last low pulse */
	int pulses;
};

extern struct fake_line fake_lines[FAKE_LINES];
extern bool fake_module_on;
/* Added to the fake's clock: a test moves the board's time forward. */
extern int64_t fake_skew_ms;

/* Called when PWRKEY goes down, when set. */
extern void (*fake_on_press)(void);

/* The module's state now, after what its keys did since the last look. */
bool fake_module_now(void);

#endif /* MFW_FAKE_GPIO_H */
