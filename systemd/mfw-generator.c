// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-generator - point mfw's systemd units at the directories the
 * configuration names.
 *
 * The units are installed with the build's default firmware and state
 * directories (meson.options) in their conditions and paths.  When
 * /etc/mfw/mfw.conf names others (firmware_dir=, state_dir=), systemd runs
 * this generator at boot and at every daemon-reload (systemd.generator(7)),
 * and it writes drop-ins into the generator directory that replace those
 * settings, so that the units and mfw always look at the same places.
 * With the defaults it writes nothing.
 *
 * Usage: mfw-generator NORMAL_DIR [EARLY_DIR LATE_DIR]
 * Environment: MFW_CONFIG, a configuration other than /etc/mfw/mfw.conf
 * (as for mfw itself).
 * Exit: 0, also when there is nothing to do; 1 when the configuration
 * cannot be read or is refused (mfw refuses it too: a directory must be
 * one a unit can name, mfw_config_dir_ok()), the units then keeping their
 * defaults; 2 for a usage error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config.h"

#define DROPIN	"50-mfw-directories.conf"

/*
 * A directory as a unit file value: one mfw_config_dir_ok() accepts (the
 * configuration's loader already refused any other), each '%' doubled (a
 * specifier otherwise).  Returns 0, or -EINVAL with nothing written.
 */
static int unit_path(const char *dir, char *out, size_t size)
{
	size_t n = 0;
	const char *p;

	if (mfw_config_dir_ok(dir))
		return -EINVAL;
	for (p = dir; *p; p++) {
		if (n + 3 > size)
			return -EINVAL;
		if (*p == '%')
			out[n++] = '%';
		out[n++] = *p;
	}
	out[n] = '\0';
	return 0;
}

/* Write @text as @unit's drop-in under @gendir.  0 or -errno. */
static int dropin(const char *gendir, const char *unit, const char *text)
{
	char path[4096];
	FILE *f;
	int ret = 0;

	snprintf(path, sizeof(path), "%s/%s.d", gendir, unit);
	if (mkdir(path, 0755) && errno != EEXIST)
		return -errno;
	snprintf(path, sizeof(path), "%s/%s.d/" DROPIN, gendir, unit);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	if (fprintf(f, "# Written by mfw-generator from the mfw configuration.\n%s",
		    text) < 0)
		ret = -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	return ret;
}

int main(int argc, char **argv)
{
	const char *file = getenv("MFW_CONFIG");
	bool fw_moved, state_moved;
	struct mfw_config cfg;
	char fw[2 * MFW_CFG_STR_MAX + 1], st[2 * MFW_CFG_STR_MAX + 1];
	char text[8192];
	int ret = 0;

	if (argc != 2 && argc != 4) {
		fprintf(stderr, "usage: %s NORMAL_DIR [EARLY_DIR LATE_DIR]\n", argv[0]);
		return 2;
	}
	mfw_config_defaults(&cfg);
	if (mfw_config_load(&cfg, file && *file ? file : MFW_CONFIG_FILE, true)) {
		fprintf(stderr, "mfw-generator: the units keep %s and %s until the configuration is fixed\n",
			MFW_FIRMWARE_DIR, MFW_STATE_DIR);
		return 1;
	}
	fw_moved = strcmp(cfg.firmware_dir, MFW_FIRMWARE_DIR) != 0;
	state_moved = strcmp(cfg.state_dir, MFW_STATE_DIR) != 0;
	if (!fw_moved && !state_moved)
		return 0;
	if (unit_path(cfg.firmware_dir, fw, sizeof(fw)) ||
	    unit_path(cfg.state_dir, st, sizeof(st))) {
		fprintf(stderr, "mfw-generator: firmware_dir=%s or state_dir=%s cannot be named in a systemd unit (an absolute path of printable ASCII without spaces, quotes or backslashes is needed); the units keep %s and %s\n",
			cfg.firmware_dir, cfg.state_dir, MFW_FIRMWARE_DIR, MFW_STATE_DIR);
		return 1;
	}

	if (fw_moved) {
		snprintf(text, sizeof(text),
			 "[Unit]\nDescription=mfw: watch %s/%%i for firmware packages\n\n"
			 "[Path]\nPathChanged=\nPathChanged=%s/%%i\n", fw, fw);
		ret = ret ? ret : dropin(argv[1], "mfw-firmware@.path", text);
		snprintf(text, sizeof(text),
			 "[Service]\nEnvironment=MFW_FIRMWARE_DIR=%s\n", fw);
		ret = ret ? ret : dropin(argv[1], "mfw-firmware@.service", text);
	}
	/* An empty Condition...= resets every condition of the unit. */
	snprintf(text, sizeof(text),
		 "[Unit]\nConditionDirectoryNotEmpty=\nConditionDirectoryNotEmpty=%s\n", fw);
	ret = ret ? ret : dropin(argv[1], "mfw-autoupgrade@.service", text);
	if (state_moved) {
		snprintf(text, sizeof(text),
			 "[Unit]\nConditionPathExists=\nConditionPathExists=!%s/journal\n", st);
		ret = ret ? ret : dropin(argv[1], "mfw-upgrade@.service", text);
		snprintf(text, sizeof(text),
			 "[Unit]\nConditionPathExists=\nConditionPathExists=|%s/journal\n"
			 "ConditionPathExistsGlob=|%s/" MFW_MODULES_DIR "/*/journal\n", st, st);
		ret = ret ? ret : dropin(argv[1], "mfw-resume.service", text);
	}
	if (ret) {
		fprintf(stderr, "mfw-generator: cannot write a drop-in in %s: %s\n",
			argv[1], strerror(-ret));
		return 1;
	}
	return 0;
}
