// SPDX-License-Identifier: GPL-2.0-only
/*
 * What both GPIO backends share, without a GPIO chip: a spec read as a
 * line name or "<chip>:<offset>", the chip part turned into a device
 * path, the chip devices of a directory (a fake /dev of plain files) in
 * number order without aliases, and the refusal of a line name found on
 * more than one line, with a message that says where and what to do.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "gpio.h"
#include "gpio_lookup.h"
#include "tap.h"

static void test_parse_spec(void)
{
	char chip[MFW_GPIO_CHIP_MAX], long_spec[MFW_GPIO_CHIP_MAX + 8];
	unsigned int off = 999;

	strcpy(chip, "untouched");
	check(mfw_gpio_parse_spec("MODEM_PWRKEY", chip, &off) == 0 &&
	      !strcmp(chip, "untouched") && off == 999, "a plain name is a line name");
	check(mfw_gpio_parse_spec("gpiochip0:17", chip, &off) == 1 &&
	      !strcmp(chip, "gpiochip0") && off == 17, "gpiochip0:17 is chip gpiochip0, offset 17");
	check(mfw_gpio_parse_spec("/dev/gpiochip1:0", chip, &off) == 1 &&
	      !strcmp(chip, "/dev/gpiochip1") && off == 0, "a path as the chip part");
	check(mfw_gpio_parse_spec("2:65535", chip, &off) == 1 && !strcmp(chip, "2") &&
	      off == 65535, "a chip number, the largest offset");
	check(mfw_gpio_parse_spec("gpio-sim.0-node0:3", chip, &off) == 1 &&
	      !strcmp(chip, "gpio-sim.0-node0") && off == 3, "a label as the chip part");
	check(mfw_gpio_parse_spec("soc:gpio:5", chip, &off) == 1 && !strcmp(chip, "soc:gpio") &&
	      off == 5, "the last colon splits: a label with a colon (got '%s')", chip);
	strcpy(chip, "untouched");
	check(mfw_gpio_parse_spec("MODEM:PWRKEY", chip, &off) == 0 && !strcmp(chip, "untouched"),
	      "a name with a colon and no number after it is a line name");
	check(mfw_gpio_parse_spec("gpiochip0:70000", chip, &off) == 0,
	      "an offset beyond 65535 makes the whole a line name, as in gpio.c before");
	check(mfw_gpio_parse_spec("gpiochip0:0x10", chip, &off) == 0, "hex is no offset");
	check(mfw_gpio_parse_spec(":5", chip, &off) == -ENOENT, "no chip before the colon: -ENOENT");
	check(mfw_gpio_parse_spec("", chip, &off) == -ENOENT, "an empty spec: -ENOENT");
	memset(long_spec, 'c', MFW_GPIO_CHIP_MAX);
	strcpy(long_spec + MFW_GPIO_CHIP_MAX, ":1");
	check(mfw_gpio_parse_spec(long_spec, chip, &off) == -ENOENT,
	      "a chip part of %d characters does not fit: -ENOENT", MFW_GPIO_CHIP_MAX);
	long_spec[MFW_GPIO_CHIP_MAX - 1] = '\0';
	strcat(long_spec, ":1");
	check(mfw_gpio_parse_spec(long_spec, chip, &off) == 1 &&
	      strlen(chip) == MFW_GPIO_CHIP_MAX - 1, "one character less fits");
}

static void test_chip_path(void)
{
	char path[64];

	check(mfw_gpio_chip_path("0", path, sizeof(path)) == 1 &&
	      !strcmp(path, "/dev/gpiochip0"), "number 0 is /dev/gpiochip0");
	check(mfw_gpio_chip_path("12", path, sizeof(path)) == 1 &&
	      !strcmp(path, "/dev/gpiochip12"), "number 12 is /dev/gpiochip12");
	check(mfw_gpio_chip_path("/dev/gpiochip3", path, sizeof(path)) == 1 &&
	      !strcmp(path, "/dev/gpiochip3"), "a path is itself");
	check(mfw_gpio_chip_path("gpiochip0", path, sizeof(path)) == 0,
	      "a device name needs a look at the chips (a label could be the same)");
	check(mfw_gpio_chip_path("gpio-sim.0-node0", path, sizeof(path)) == 0,
	      "a label needs a look at the chips");
	check(mfw_gpio_chip_path("1a", path, sizeof(path)) == 0, "not all digits: a name");
	check(mfw_gpio_chip_path("", path, sizeof(path)) == 0, "empty: no device");
	check(mfw_gpio_chip_path("123456", path, 16) == -ENAMETOOLONG,
	      "a path that does not fit: -ENAMETOOLONG");
}

static void test_chips(void)
{
	char *dir = tap_tmpdir(), link[600], target[600], empty[600];
	char **paths;
	int n;

	tap_put(dir, "gpiochip10", "");
	tap_put(dir, "gpiochip2", "");
	tap_put(dir, "gpiochip0", "");
	tap_put(dir, "ttyS0", "");
	tap_put(dir, "gpio/x", "");
	snprintf(link, sizeof(link), "%s/gpiochip-modem", dir);
	snprintf(target, sizeof(target), "%s/gpiochip0", dir);
	if (symlink(target, link))
		perror("symlink");
	n = mfw_gpio_chips(dir, &paths);
	check(n == 3, "three chips: the alias and the other files left out (%d)", n);
	if (n == 3) {
		check(!strcmp(strrchr(paths[0], '/'), "/gpiochip0") &&
		      !strcmp(strrchr(paths[1], '/'), "/gpiochip2") &&
		      !strcmp(strrchr(paths[2], '/'), "/gpiochip10"),
		      "in number order: %s %s %s", paths[0], paths[1], paths[2]);
		check(!strncmp(paths[0], dir, strlen(dir)), "paths under the directory given");
	}
	mfw_gpio_chips_free(paths, n);

	snprintf(empty, sizeof(empty), "%s/gpio", dir);
	n = mfw_gpio_chips(empty, &paths);
	check(n == 0 && !paths, "no chip: 0 and no array");
	mfw_gpio_chips_free(paths, n);
	snprintf(empty, sizeof(empty), "%s/none", dir);
	check(mfw_gpio_chips(empty, &paths) == -ENOENT, "no directory: -ENOENT");
	tap_rmtree(dir);
}

static void test_seen(void)
{
	struct mfw_gpio_seen seen = { .name = "MODEM_RESET" };
	const char *msg;
	unsigned int i;

	check(mfw_gpio_seen_end(&seen) == -ENOENT, "a name on no line: -ENOENT");
	mfw_gpio_seen_add(&seen, "gpiochip1", 4);
	check(mfw_gpio_seen_end(&seen) == 0, "a name on one line: found");
	mfw_gpio_seen_add(&seen, "gpiochip1", 6);
	check(mfw_gpio_seen_end(&seen) == -ENOTUNIQ, "twice on one chip: -ENOTUNIQ");
	msg = mfw_gpio_strerror(-ENOTUNIQ);
	printf("# %s\n", msg);
	check(strstr(msg, "2 lines are named MODEM_RESET") &&
	      strstr(msg, "(gpiochip1:4, gpiochip1:6)"), "the message names both lines");
	check(strstr(msg, "fix gpio-line-names in the device tree") &&
	      strstr(msg, "chip:offset (gpiochip1:4, say)"), "and says what to do");

	memset(&seen, 0, sizeof(seen));
	seen.name = "MODEM_PWRKEY";
	mfw_gpio_seen_add(&seen, "gpiochip0", 0);
	mfw_gpio_seen_add(&seen, "gpiochip3", 1);
	check(mfw_gpio_seen_end(&seen) == -ENOTUNIQ &&
	      strstr(mfw_gpio_strerror(-ENOTUNIQ), "(gpiochip0:0, gpiochip3:1)"),
	      "on two chips: both named, the last verdict's");
	for (i = 0; i < 40; i++)
		mfw_gpio_seen_add(&seen, "gpiochip12", 100 + i);
	msg = mfw_gpio_strerror(mfw_gpio_seen_end(&seen));
	printf("# %s\n", msg);
	check(strstr(msg, "42 lines are named") && strstr(msg, ", ...)") &&
	      strlen(seen.where) < sizeof(seen.where), "42 lines: counted, the list cut short");
	check(!strcmp(mfw_gpio_strerror(-EBUSY), strerror(EBUSY)) &&
	      !strcmp(mfw_gpio_strerror(-ENOENT), strerror(ENOENT)),
	      "other errors read as strerror()");
}

int main(void)
{
	test_parse_spec();
	test_chip_path();
	test_chips();
	test_seen();
	return tap_done();
}
