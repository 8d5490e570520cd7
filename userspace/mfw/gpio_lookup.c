// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - line specs, chip devices and unique line names, for both
 * GPIO backends (no libgpiod here).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gpio.h"
#include "gpio_lookup.h"
#include "util.h"

/* What mfw_gpio_strerror(-ENOTUNIQ) says: the last name found twice. */
static char mfw_gpio_dup_text[512];

int mfw_gpio_parse_spec(const char *spec, char *chip, unsigned int *offset)
{
	const char *colon = strrchr(spec, ':');
	size_t n;
	long v;

	if (!*spec)
		return -ENOENT;
	if (!colon || mfw_parse_long(colon + 1, 0, 65535, &v))
		return 0;
	n = colon - spec;
	if (n == 0 || n >= MFW_GPIO_CHIP_MAX)
		return -ENOENT;
	memcpy(chip, spec, n);
	chip[n] = '\0';
	*offset = (unsigned int)v;
	return 1;
}

int mfw_gpio_chip_path(const char *chip, char *path, size_t size)
{
	int n;

	if (chip[0] == '/')
		n = snprintf(path, size, "%s", chip);
	else if (*chip && strspn(chip, "0123456789") == strlen(chip))
		n = snprintf(path, size, "/dev/gpiochip%s", chip);
	else
		return 0;
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 1;
}

static int mfw_gpio_chip_entry(const struct dirent *e)
{
	return !strncmp(e->d_name, "gpiochip", 8);
}

int mfw_gpio_chips(const char *dir, char ***paths)
{
	struct dirent **ents;
	char **out;
	int n, i, kept = 0;

	*paths = NULL;
	n = scandir(dir, &ents, mfw_gpio_chip_entry, versionsort);
	if (n < 0)
		return -errno;
	out = calloc(n + 1, sizeof(*out));
	for (i = 0; i < n; i++) {
		struct stat st;
		char *p;

		if (out && asprintf(&p, "%s/%s", dir, ents[i]->d_name) < 0) {
			mfw_gpio_chips_free(out, kept);
			out = NULL;
		}
		if (out && (lstat(p, &st) || S_ISLNK(st.st_mode)))
			free(p);
		else if (out)
			out[kept++] = p;
		free(ents[i]);
	}
	free(ents);
	if (!out)
		return -ENOMEM;
	if (!kept) {
		free(out);
		out = NULL;
	}
	*paths = out;
	return kept;
}

void mfw_gpio_chips_free(char **paths, int n)
{
	int i;

	for (i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

void mfw_gpio_seen_add(struct mfw_gpio_seen *seen, const char *chip,
		       unsigned int offset)
{
	size_t len = strlen(seen->where);

	if (!seen->count)
		snprintf(seen->first, sizeof(seen->first), "%s:%u", chip, offset);
	seen->count++;
	/* Each place while there is room; "..." once there is not. */
	if (len + strlen(chip) + 20 < sizeof(seen->where))
		snprintf(seen->where + len, sizeof(seen->where) - len, "%s%s:%u",
			 len ? ", " : "", chip, offset);
	else if (!strstr(seen->where, ", ..."))
		snprintf(seen->where + len, sizeof(seen->where) - len, ", ...");
}

int mfw_gpio_seen_end(const struct mfw_gpio_seen *seen)
{
	if (!seen->count)
		return -ENOENT;
	if (seen->count == 1)
		return 0;
	snprintf(mfw_gpio_dup_text, sizeof(mfw_gpio_dup_text),
		 "%u lines are named %s (%s) and mfw will not guess which one is meant: fix gpio-line-names in the device tree, or give the line as chip:offset (%s, say)",
		 seen->count, seen->name, seen->where, seen->first);
	return -ENOTUNIQ;
}

const char *mfw_gpio_strerror(int err)
{
	if (err != -ENOTUNIQ)
		return strerror(err < 0 ? -err : err);
	if (!*mfw_gpio_dup_text)
		return "more than one GPIO line has that name: fix gpio-line-names in the device tree, or give the line as chip:offset";
	return mfw_gpio_dup_text;
}
