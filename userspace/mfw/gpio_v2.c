// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - GPIO lines through libgpiod 2.x (gpio.c: through 1.6).
 *
 * libgpiod 2 dropped 1.6's lookups (gpiod_chip_open_lookup(),
 * gpiod_line_find()): a chip is opened by its path only, so the chip
 * part of a spec and a line name are resolved here by looking at the
 * chip devices of /dev.  A request outlives its chip: the chip is closed
 * once the line is requested.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpiod.h>

#include "gpio.h"
#include "gpio_lookup.h"

struct mfw_gpio {
	struct gpiod_line_request *req;
	unsigned int offset;
};

/* -errno of the libgpiod call that just failed (never 0). */
static int mfw_gpiod_err(void)
{
	return errno ? -errno : -EIO;
}

/*
 * The GPIO chip devices of /dev, in number order (mfw_gpio_chips(), less
 * what gpiod_is_gpiochip_device() refuses).  Their number, or -errno;
 * free with mfw_gpio_chips_free().
 */
static int mfw_gpio_chip_list(char ***paths)
{
	int n = mfw_gpio_chips("/dev", paths), i, kept = 0;

	for (i = 0; i < n; i++) {
		if (gpiod_is_gpiochip_device((*paths)[i]))
			(*paths)[kept++] = (*paths)[i];
		else
			free((*paths)[i]);
	}
	return n < 0 ? n : kept;
}

/*
 * Open the chip @desc names: a number, a path, a device name or a label
 * (a label first, as libgpiod 1.6 did).  Its line count in @lines.
 * NULL with -errno in @err (-ENOENT: no such chip).
 */
static struct gpiod_chip *mfw_gpio_open_chip(const char *desc, unsigned int *lines,
					     int *err)
{
	struct gpiod_chip *chip = NULL, *by_name = NULL;
	struct gpiod_chip_info *info;
	char path[MFW_GPIO_CHIP_MAX + 16];
	char **paths;
	int n, i;

	*err = mfw_gpio_chip_path(desc, path, sizeof(path));
	if (*err < 0)
		return NULL;
	if (*err == 1) {
		chip = gpiod_chip_open(path);
		*err = chip ? 0 : mfw_gpiod_err();
	} else {
		n = mfw_gpio_chip_list(&paths);
		*err = n < 0 ? n : -ENOENT;
		for (i = 0; i < n && !chip; i++) {
			const char *base = strrchr(paths[i], '/') + 1;
			struct gpiod_chip *c = gpiod_chip_open(paths[i]);

			if (!c) {
				if (!strcmp(base, desc))
					*err = mfw_gpiod_err();
				continue;
			}
			info = gpiod_chip_get_info(c);
			if (info && !strcmp(gpiod_chip_info_get_label(info), desc))
				chip = c;
			else if (!by_name && !strcmp(base, desc))
				by_name = c;
			else
				gpiod_chip_close(c);
			gpiod_chip_info_free(info);
		}
		if (n >= 0)
			mfw_gpio_chips_free(paths, n);
		if (chip && by_name)
			gpiod_chip_close(by_name);
		else if (!chip)
			chip = by_name;
		if (chip)
			*err = 0;
	}
	if (!chip)
		return NULL;
	info = gpiod_chip_get_info(chip);
	if (!info) {
		*err = mfw_gpiod_err();
		gpiod_chip_close(chip);
		return NULL;
	}
	*lines = gpiod_chip_info_get_num_lines(info);
	gpiod_chip_info_free(info);
	return chip;
}

/*
 * The one line named @name on any chip: its chip (open) in @chip, its
 * offset in @offset.  Every line of every chip is looked at, so that a
 * second line of that name is an error (-ENOTUNIQ), not a guess.
 */
static int mfw_gpio_find(const char *name, struct gpiod_chip **chip,
			 unsigned int *offset)
{
	struct mfw_gpio_seen seen = { .name = name };
	int n, i, ret, denied = 0;
	char **paths;

	*chip = NULL;
	n = mfw_gpio_chip_list(&paths);
	if (n < 0)
		return n;
	for (i = 0; i < n; i++) {
		struct gpiod_chip *c = gpiod_chip_open(paths[i]);
		struct gpiod_chip_info *info = c ? gpiod_chip_get_info(c) : NULL;
		unsigned int off, lines;

		if (!info) {
			/* Gone since the listing, or not ours to read. */
			if (errno == EACCES || errno == EPERM)
				denied = -errno;
			if (c)
				gpiod_chip_close(c);
			continue;
		}
		lines = gpiod_chip_info_get_num_lines(info);
		for (off = 0; off < lines; off++) {
			struct gpiod_line_info *li = gpiod_chip_get_line_info(c, off);
			const char *ln = li ? gpiod_line_info_get_name(li) : NULL;

			if (ln && !strcmp(ln, name)) {
				mfw_gpio_seen_add(&seen, gpiod_chip_info_get_name(info), off);
				if (!*chip) {
					*chip = c;
					*offset = off;
				}
			}
			gpiod_line_info_free(li);
		}
		gpiod_chip_info_free(info);
		if (*chip != c)
			gpiod_chip_close(c);
	}
	mfw_gpio_chips_free(paths, n);
	ret = mfw_gpio_seen_end(&seen);
	if (ret && *chip) {
		gpiod_chip_close(*chip);
		*chip = NULL;
	}
	return ret == -ENOENT && denied ? denied : ret;
}

/* The chip (open) and offset of the line @spec names.  0 or -errno. */
static int mfw_gpio_lookup(const char *spec, struct gpiod_chip **chip,
			   unsigned int *offset)
{
	char desc[MFW_GPIO_CHIP_MAX];
	unsigned int lines;
	int ret;

	ret = mfw_gpio_parse_spec(spec, desc, offset);
	if (ret <= 0)
		return ret ? ret : mfw_gpio_find(spec, chip, offset);
	*chip = mfw_gpio_open_chip(desc, &lines, &ret);
	if (!*chip)
		return ret;
	if (*offset >= lines) {
		gpiod_chip_close(*chip);
		*chip = NULL;
		return -ENOENT;
	}
	return 0;
}

/* One line, its direction, polarity and first level, as mfw asks it. */
static struct gpiod_line_request *
mfw_gpio_request_line(struct gpiod_chip *chip, unsigned int offset, bool active_low,
		      enum mfw_gpio_dir dir, int value)
{
	struct gpiod_line_settings *ls = gpiod_line_settings_new();
	struct gpiod_line_config *lc = gpiod_line_config_new();
	struct gpiod_request_config *rc = gpiod_request_config_new();
	struct gpiod_line_request *req = NULL;
	int err = ENOMEM;

	if (ls && lc && rc) {
		gpiod_line_settings_set_active_low(ls, active_low);
		if (dir == MFW_GPIO_OUT) {
			gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_OUTPUT);
			gpiod_line_settings_set_output_value(ls, value ? GPIOD_LINE_VALUE_ACTIVE
								       : GPIOD_LINE_VALUE_INACTIVE);
		} else {
			gpiod_line_settings_set_direction(ls, GPIOD_LINE_DIRECTION_INPUT);
		}
		gpiod_request_config_set_consumer(rc, MFW_GPIO_CONSUMER);
		if (gpiod_line_config_add_line_settings(lc, &offset, 1, ls) == 0)
			req = gpiod_chip_request_lines(chip, rc, lc);
		err = errno;
	}
	gpiod_request_config_free(rc);
	gpiod_line_config_free(lc);
	gpiod_line_settings_free(ls);
	errno = err;
	return req;
}

int mfw_gpio_request(const char *spec, bool active_low, enum mfw_gpio_dir dir,
		     int value, struct mfw_gpio **out)
{
	struct gpiod_chip *chip;
	struct mfw_gpio *g;
	int ret;

	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	ret = mfw_gpio_lookup(spec, &chip, &g->offset);
	if (ret) {
		free(g);
		return ret;
	}
	g->req = mfw_gpio_request_line(chip, g->offset, active_low, dir, value);
	ret = g->req ? 0 : mfw_gpiod_err();
	gpiod_chip_close(chip);
	if (ret) {
		free(g);
		return ret;
	}
	*out = g;
	return 0;
}

int mfw_gpio_owner(const char *spec, char *owner, size_t size)
{
	struct gpiod_line_info *li;
	struct gpiod_chip *chip;
	unsigned int offset;
	const char *who;
	int ret;

	*owner = '\0';
	ret = mfw_gpio_lookup(spec, &chip, &offset);
	if (ret)
		return ret;
	li = gpiod_chip_get_line_info(chip, offset);
	if (!li) {
		ret = mfw_gpiod_err();
	} else {
		who = gpiod_line_info_get_consumer(li);
		if (gpiod_line_info_is_used(li))
			snprintf(owner, size, "%s", who && *who ? who : "an unnamed holder");
		gpiod_line_info_free(li);
	}
	gpiod_chip_close(chip);
	return ret;
}

int mfw_gpio_set(struct mfw_gpio *g, int value)
{
	enum gpiod_line_value v = value ? GPIOD_LINE_VALUE_ACTIVE : GPIOD_LINE_VALUE_INACTIVE;

	return gpiod_line_request_set_value(g->req, g->offset, v) < 0 ? mfw_gpiod_err() : 0;
}

int mfw_gpio_get(struct mfw_gpio *g)
{
	enum gpiod_line_value v = gpiod_line_request_get_value(g->req, g->offset);

	if (v == GPIOD_LINE_VALUE_ERROR)
		return mfw_gpiod_err();
	return v == GPIOD_LINE_VALUE_ACTIVE;
}

void mfw_gpio_release(struct mfw_gpio *g)
{
	if (!g)
		return;
	gpiod_line_request_release(g->req);
	free(g);
}
