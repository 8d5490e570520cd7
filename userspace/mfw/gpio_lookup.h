/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - what the GPIO backends (gpio.c for libgpiod 1.6, gpio_v2.c
 * for libgpiod 2.x) share: reading a line spec, listing the chip devices,
 * and the rule that a line name must name one line only.  Nothing here
 * calls libgpiod, so the host's unit tests run it without a GPIO chip.
 */
#ifndef MFW_GPIO_LOOKUP_H
#define MFW_GPIO_LOOKUP_H

#include <stddef.h>

/* Room for the chip part of "<chip>:<offset>", NUL included. */
#define MFW_GPIO_CHIP_MAX	256

/**
 * mfw_gpio_parse_spec() - tell "<chip>:<offset>" from a line name
 * @spec:   a line as the configuration gives it (pwrkey=, reset=, status=)
 * @chip:   gets the chip part of "<chip>:<offset>", MFW_GPIO_CHIP_MAX bytes
 * @offset: gets the offset (0..65535)
 *
 * A spec whose text after its last ':' is a decimal number is
 * "<chip>:<offset>"; anything else is a line name, colons and all.
 *
 * Return: 1 for "<chip>:<offset>", 0 for a line name (@chip and @offset
 * untouched), -ENOENT for an empty spec, or a chip part that is empty or
 * longer than MFW_GPIO_CHIP_MAX - 1.
 */
int mfw_gpio_parse_spec(const char *spec, char *chip, unsigned int *offset);

/**
 * mfw_gpio_chip_path() - the device a chip part names, when it names one
 * @chip: the chip part of a spec: a number ("0"), a path ("/dev/gpiochip0"),
 *        a device name ("gpiochip0") or a label ("gpio-sim.0-node0")
 * @path: gets "/dev/gpiochip<N>" for a number, @chip itself for a path
 * @size: bytes at @path
 *
 * Return: 1 when @path is filled, 0 for a name or a label, which only a
 * look at every chip can resolve (labels first, as libgpiod 1.6's
 * gpiod_chip_open_lookup() does), -ENAMETOOLONG when @path is too small.
 */
int mfw_gpio_chip_path(const char *chip, char *path, size_t size);

/**
 * mfw_gpio_chips() - the GPIO chip devices of a directory, in number order
 * @dir:   "/dev" (a test gives its own)
 * @paths: gets a malloc'd array of malloc'd paths, "<dir>/gpiochip<N>"
 *
 * The entries named gpiochip*, symbolic links left out (a udev alias
 * would show a chip, and its line names, twice), gpiochip2 before
 * gpiochip10.  Whether each is a GPIO chip is for the backend to check.
 *
 * Return: the number of paths (0: none, *@paths NULL), or -errno.
 * Free them with mfw_gpio_chips_free() whatever the number.
 */
int mfw_gpio_chips(const char *dir, char ***paths);

/* Free what mfw_gpio_chips() returned (@n: its return value). */
void mfw_gpio_chips_free(char **paths, int n);

/*
 * Where a line name was found, while a backend looks at every line of
 * every chip.  Zero it, set @name, add each find.
 */
struct mfw_gpio_seen {
	const char *name;
	unsigned int count;
	char first[MFW_GPIO_CHIP_MAX + 8];	/* "gpiochip0:3" */
	char where[160];			/* "gpiochip0:3, gpiochip1:0" */
};

/* One more line named @seen->name: @offset on the chip named @chip. */
void mfw_gpio_seen_add(struct mfw_gpio_seen *seen, const char *chip,
		       unsigned int offset);

/**
 * mfw_gpio_seen_end() - the verdict on a line name once every line was seen
 * @seen: the finds
 *
 * Return: 0 when one line has the name, -ENOENT when none has, -ENOTUNIQ
 * when more than one has (libgpiod 2's tools call that an error under
 * --strict; so does mfw, always).  mfw_gpio_strerror(-ENOTUNIQ) then
 * says where they are.
 */
int mfw_gpio_seen_end(const struct mfw_gpio_seen *seen);

#endif /* MFW_GPIO_LOOKUP_H */
