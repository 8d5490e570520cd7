/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - the only door to GPIO lines.  This face is all the rest of
 * the program sees; gpio.c implements it with libgpiod 1.6, and another
 * file may implement it with libgpiod 2 (or a test's fake) unchanged.
 *
 * Values are logical: 1 = asserted, after the line's active-low setting.
 */
#ifndef MFW_GPIO_H
#define MFW_GPIO_H

#include <stdbool.h>

/* Consumer label of every request (gpioinfo shows it). */
#define MFW_GPIO_CONSUMER	"mfw"

struct mfw_gpio;

enum mfw_gpio_dir {
	MFW_GPIO_IN,
	MFW_GPIO_OUT,
};

/*
 * Request a line: @spec is a line name ("MODEM_PWRKEY") or
 * "<chip>:<offset>" (chip name, path, label or number).  An output starts
 * at @value.  Returns 0, -ENOENT (no such line), -EBUSY (held by another
 * consumer) or another -errno.
 */
int mfw_gpio_request(const char *spec, bool active_low, enum mfw_gpio_dir dir,
		     int value, struct mfw_gpio **out);

/* Drive an output.  0 or -errno. */
int mfw_gpio_set(struct mfw_gpio *g, int value);

/* Read a line: 0, 1, or -errno. */
int mfw_gpio_get(struct mfw_gpio *g);

/*
 * Who holds the line @spec now: its consumer label ("regulator-modem", a
 * gpio-hog's name, "gpioset"), as gpioinfo shows it, in @owner ("an
 * unnamed holder" when it gave none); "" when the line is free.  0 or
 * -errno (-ENOENT: no such line).
 */
int mfw_gpio_owner(const char *spec, char *owner, size_t size);

/* Release the line (NULL is fine). */
void mfw_gpio_release(struct mfw_gpio *g);

#endif /* MFW_GPIO_H */
