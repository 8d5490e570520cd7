// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - GPIO lines through libgpiod 1.6 (gpio_v2.c: through 2.x).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpiod.h>

#include "gpio.h"
#include "gpio_lookup.h"

struct mfw_gpio {
	struct gpiod_chip *chip;	/* the line's chip, opened by us */
	struct gpiod_line *line;
};

/*
 * The one line named @name on any chip, its chip left open in @g.
 * libgpiod 1.6's gpiod_line_find() takes the first line of that name;
 * every line is looked at here, so that a second one is an error.
 */
static int mfw_gpio_find(const char *name, struct mfw_gpio *g)
{
	struct mfw_gpio_seen seen = { .name = name };
	int n, i, ret, denied = 0;
	char **paths;

	n = mfw_gpio_chips("/dev", &paths);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		struct gpiod_chip *chip = gpiod_chip_open(paths[i]);
		unsigned int off, lines;

		if (!chip) {
			/* Not a GPIO chip, or gone: only a refusal matters. */
			if (errno == EACCES || errno == EPERM)
				denied = -errno;
			continue;
		}
		lines = gpiod_chip_num_lines(chip);
		for (off = 0; off < lines; off++) {
			struct gpiod_line *line = gpiod_chip_get_line(chip, off);
			const char *ln = line ? gpiod_line_name(line) : NULL;

			if (!ln || strcmp(ln, name))
				continue;
			mfw_gpio_seen_add(&seen, gpiod_chip_name(chip), off);
			if (!g->line) {
				g->chip = chip;
				g->line = line;
			}
		}
		if (g->chip != chip)
			gpiod_chip_close(chip);
	}
	mfw_gpio_chips_free(paths, n);
	ret = mfw_gpio_seen_end(&seen);
	if (ret && g->chip) {
		gpiod_chip_close(g->chip);
		g->chip = NULL;
		g->line = NULL;
	}
	/* Not found, but a chip could not be read: say that instead. */
	return ret == -ENOENT && denied ? denied : ret;
}

/* The line @spec names, its chip open in @g.  0 or -errno. */
static int mfw_gpio_lookup(const char *spec, struct mfw_gpio *g)
{
	char chip[MFW_GPIO_CHIP_MAX];
	unsigned int offset;
	int ret;

	ret = mfw_gpio_parse_spec(spec, chip, &offset);
	if (ret <= 0)
		return ret ? ret : mfw_gpio_find(spec, g);
	errno = 0;
	g->chip = gpiod_chip_open_lookup(chip);
	if (!g->chip)
		return errno ? -errno : -ENOENT;
	g->line = gpiod_chip_get_line(g->chip, offset);
	if (!g->line) {
		ret = errno ? -errno : -ENOENT;
		gpiod_chip_close(g->chip);
		g->chip = NULL;
		return ret == -EINVAL ? -ENOENT : ret;
	}
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
	gpiod_chip_close(g.chip);
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
	free(g);
}
