// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - GPIO lines through libgpiod 1.6.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpiod.h>

#include "gpio.h"
#include "util.h"

struct mfw_gpio {
	struct gpiod_chip *chip;	/* opened by us (chip:offset), or NULL */
	struct gpiod_line *line;
};

static int mfw_gpio_lookup(const char *spec, struct mfw_gpio *g)
{
	const char *colon = strrchr(spec, ':');
	long offset;

	if (colon && !mfw_parse_long(colon + 1, 0, 65535, &offset)) {
		char chip[256];
		size_t n = colon - spec;

		if (n == 0 || n >= sizeof(chip))
			return -ENOENT;
		memcpy(chip, spec, n);
		chip[n] = '\0';
		g->chip = gpiod_chip_open_lookup(chip);
		if (!g->chip)
			return errno ? -errno : -ENOENT;
		g->line = gpiod_chip_get_line(g->chip, (unsigned int)offset);
		if (!g->line) {
			int err = errno ? -errno : -ENOENT;

			gpiod_chip_close(g->chip);
			g->chip = NULL;
			return err == -EINVAL ? -ENOENT : err;
		}
		return 0;
	}
	errno = 0;
	g->line = gpiod_line_find(spec);
	if (!g->line)
		return errno ? -errno : -ENOENT;
	return 0;
}

int mfw_gpio_request(const char *spec, bool active_low, enum mfw_gpio_dir dir,
		     int value, struct mfw_gpio **out)
{
	struct gpiod_line_request_config rc = {
		.consumer = MFW_GPIO_CONSUMER,
		.flags = active_low ? GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW : 0,
	};
	struct mfw_gpio *g;
	int ret;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	ret = mfw_gpio_lookup(spec, g);
	if (ret) {
		free(g);
		return ret;
	}
	rc.request_type = dir == MFW_GPIO_OUT ? GPIOD_LINE_REQUEST_DIRECTION_OUTPUT
					      : GPIOD_LINE_REQUEST_DIRECTION_INPUT;
	if (gpiod_line_request(g->line, &rc, value) < 0) {
		ret = -errno;
		mfw_gpio_release(g);
		return ret;
	}
	*out = g;
	return 0;
}

int mfw_gpio_owner(const char *spec, char *owner, size_t size)
{
	struct mfw_gpio g = { 0 };
	const char *who;
	int ret;

	*owner = '\0';
	ret = mfw_gpio_lookup(spec, &g);
	if (ret)
		return ret;
	if (gpiod_line_update(g.line) < 0) {
		ret = -errno;
	} else {
		who = gpiod_line_consumer(g.line);
		if (gpiod_line_is_used(g.line))
			snprintf(owner, size, "%s", who && *who ? who : "an unnamed holder");
	}
	if (g.chip)
		gpiod_chip_close(g.chip);
	else
		gpiod_line_close_chip(g.line);
	return ret;
}

int mfw_gpio_set(struct mfw_gpio *g, int value)
{
	return gpiod_line_set_value(g->line, value) < 0 ? -errno : 0;
}

int mfw_gpio_get(struct mfw_gpio *g)
{
	int v = gpiod_line_get_value(g->line);

	return v < 0 ? -errno : v;
}

void mfw_gpio_release(struct mfw_gpio *g)
{
	if (!g)
		return;
	if (g->line && gpiod_line_is_requested(g->line))
		gpiod_line_release(g->line);
	if (g->chip)
		gpiod_chip_close(g->chip);
	else if (g->line)
		gpiod_line_close_chip(g->line);
	free(g);
}
