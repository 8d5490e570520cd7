/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - the only door to GPIO lines.  This face is all the rest of
 * the program sees.  Meson builds one backend behind it, after the
 * libgpiod it finds: gpio.c for libgpiod 1.6, gpio_v2.c for 2.x; the
 * host's power tests put a fake in its place (tests/mfw/fake_gpio.c).
 * mfw_gpio_strerror() is common to all (gpio_lookup.c).
 *
 * Values are logical: 1 = asserted, after the line's active-low setting.
 * A line name must name one line of the whole system: a name on two
 * lines (of one chip or of two) is refused with -ENOTUNIQ, as libgpiod 2's
 * tools refuse it under --strict, rather than one of them being guessed.
 */
#ifndef MFW_GPIO_H
#define MFW_GPIO_H

#include <stdbool.h>
#include <stddef.h>

/* Consumer label of every request (gpioinfo shows it). */
#define MFW_GPIO_CONSUMER	"mfw"

struct mfw_gpio;

enum mfw_gpio_dir {
	MFW_GPIO_IN,
	MFW_GPIO_OUT,
};

/*
 * Request a line for consumer MFW_GPIO_CONSUMER: @spec is a line name
 * ("MODEM_PWRKEY") or "<chip>:<offset>" (chip name, path, label or
 * number).  An output starts at @value.  Returns 0, -ENOENT (no such
 * line), -ENOTUNIQ (more than one line has that name), -EBUSY (held by
 * another consumer) or another -errno.
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
 * -errno (-ENOENT: no such line, -ENOTUNIQ: a name on several lines).
 */
int mfw_gpio_owner(const char *spec, char *owner, size_t size);

/* Release the line (NULL is fine). */
void mfw_gpio_release(struct mfw_gpio *g);

/*
 * Text for an error of the functions above, to follow "<what>: ".  For
 * -ENOTUNIQ it names the lines the last such name was found on and says
 * what to do (fix gpio-line-names, or give chip:offset); strerror()
 * otherwise.  The text stays valid until the next lookup.
 */
const char *mfw_gpio_strerror(int err);

#endif /* MFW_GPIO_H */
