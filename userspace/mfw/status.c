// SPDX-License-Identifier: GPL-2.0
/*
 * mfw helper - "mfw status": every mfw port's attributes, the power
 * supplies' verdict and the journal, for people or as JSON.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "journal.h"
#include "out.h"
#include "port.h"
#include "supply.h"
#include "util.h"

static const char *const mfw_status_attrs[] = {
	"tty", "model", "family", "firmware", "state", "progress", "percent",
	"last_error", "last_urc", "paths", "offset", "check", NULL
};

static void mfw_status_port(const char *dir, const char *name)
{
	struct mfw_port p;
	struct mfw_json j;
	char val[256];
	int i;

	snprintf(p.name, sizeof(p.name), "%s", name);
	snprintf(p.dir, sizeof(p.dir), "%s/%s", dir, name);
	if (mfw_json)
		mfw_json_begin(&j, "port");
	else
		printf("%s:\n", name);
	if (mfw_json)
		mfw_json_str(&j, "name", name);
	for (i = 0; mfw_status_attrs[i]; i++) {
		if (mfw_port_get(&p, mfw_status_attrs[i], val, sizeof(val)) < 0)
			continue;
		if (mfw_json)
			mfw_json_str(&j, mfw_status_attrs[i], val);
		else
			printf("  %-11s %s\n", mfw_status_attrs[i], val);
	}
	if (mfw_json)
		mfw_json_emit(&j);
}

static int mfw_status_ports(const struct mfw_config *cfg, const char *only)
{
	char dir[PATH_MAX], tty[MFW_NAME_MAX];
	struct dirent *de;
	int n = 0;
	DIR *d;

	if (only && mfw_tty_name(only, tty, sizeof(tty)))
		snprintf(tty, sizeof(tty), "%s", only);
	snprintf(dir, sizeof(dir), "%s/class/mfw", cfg->sysfs_root);
	d = opendir(dir);
	if (d) {
		while ((de = readdir(d))) {
			struct mfw_port p;

			if (de->d_name[0] == '.')
				continue;
			snprintf(p.dir, sizeof(p.dir), "%s/%s", dir, de->d_name);
			if (only && (mfw_port_get(&p, "tty", p.tty, sizeof(p.tty)) < 0 ||
				     strcmp(p.tty, tty)))
				continue;
			mfw_status_port(dir, de->d_name);
			n++;
		}
		closedir(d);
	}
	if (!n && !mfw_json)
		printf("no mfw port%s%s (attach one with 'mfw attach TTY')\n",
		       only ? " on " : "", only ? only : "");
	return n;
}

static void mfw_status_power(const struct mfw_config *cfg)
{
	struct mfw_supply_report r;
	char why[256];
	bool safe;

	mfw_supply_read(cfg->sysfs_root, &r);
	safe = mfw_supply_safe(&r, cfg->battery_min, why, sizeof(why));
	if (mfw_json) {
		struct mfw_json j;

		mfw_json_begin(&j, "power");
		mfw_json_bool(&j, "safe", safe);
		mfw_json_str(&j, "reason", why);
		mfw_json_emit(&j);
	} else {
		printf("power: %s (%s)\n", safe ? "safe to flash" : "NOT safe to flash", why);
	}
}

static int mfw_status_journal(const struct mfw_config *cfg)
{
	struct mfw_journal jn;
	char why[128];
	int ret;

	ret = mfw_journal_read(cfg->state_dir, &jn, why, sizeof(why));
	if (ret == -ENOENT && !mfw_journal_read_last(cfg->state_dir, &jn, why, sizeof(why)))
		ret = 0;	/* the last finished upgrade */
	if (mfw_json) {
		struct mfw_json j;

		mfw_json_begin(&j, "journal");
		if (ret) {
			mfw_json_str(&j, "phase", ret == -ENOENT ? "none" : "corrupt");
			if (ret != -ENOENT)
				mfw_json_str(&j, "error", ret == -EBADMSG ? why : strerror(-ret));
		} else {
			mfw_json_str(&j, "phase", mfw_phase_name(jn.phase));
			mfw_json_bool(&j, "flashing", mfw_phase_flashing(jn.phase));
			mfw_json_str(&j, "image", jn.image);
			mfw_json_str(&j, "url", jn.url);
			mfw_json_str(&j, "port", jn.port);
			mfw_json_str(&j, "family", jn.family);
			mfw_json_str(&j, "from", jn.from);
			mfw_json_str(&j, "target", jn.target);
			mfw_json_int(&j, "offset", (int64_t)jn.offset);
			mfw_json_int(&j, "size", (int64_t)jn.size);
			mfw_json_int(&j, "updated", jn.updated);
			mfw_json_str(&j, "note", jn.note);
		}
		mfw_json_emit(&j);
	} else if (ret == -ENOENT) {
		printf("journal: no upgrade recorded\n");
	} else if (ret) {
		printf("journal: unreadable (%s); 'mfw resume' sets it aside\n",
		       ret == -EBADMSG ? why : strerror(-ret));
	} else {
		printf("journal: %s%s, %s -> %s on %s (%s)\n", mfw_phase_name(jn.phase),
		       mfw_phase_flashing(jn.phase) ? " (module may be flashing: do not power it off)" : "",
		       *jn.from ? jn.from : "?", *jn.target ? jn.target : "?",
		       jn.port, jn.note);
		if (jn.phase > MFW_PHASE_NONE && jn.phase < MFW_PHASE_DONE)
			printf("  run 'mfw resume' to finish it\n");
	}
	return ret == -EBADMSG ? MFW_EXIT_JOURNAL : MFW_EXIT_OK;
}

int mfw_cmd_status(struct mfw_config *cfg, int argc, char **argv)
{
	const char *only = NULL;
	struct mfw_getopt g;
	int c;

	mfw_getopt_init(&g, mfw_cmd_find("status"), argc, argv);
	while ((c = mfw_getopt_next(&g)) > 0)
		if (c == 'p')
			only = optarg;
	if (c < 0)
		return g.exit;
	if (optind < argc) {
		mfw_err("status: unexpected argument '%s'; see 'mfw status --help'", argv[optind]);
		return MFW_EXIT_USAGE;
	}
	mfw_status_ports(cfg, only);
	mfw_status_power(cfg);
	return mfw_status_journal(cfg);
}
