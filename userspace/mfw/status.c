// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - "mfw status": every mfw port's attributes and the package
 * an automatic upgrade would install on it, the power supplies' verdict,
 * whether packages' signatures are checked, the journal and the effective
 * configuration, for people or as JSON; "mfw history": the finished
 * upgrades.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "history.h"
#include "journal.h"
#include "module.h"
#include "out.h"
#include "pick.h"
#include "port.h"
#include "supply.h"
#include "util.h"
#include "verify.h"

static const char *const mfw_status_attrs[] = {
	"tty", "model", "family", "firmware", "imei", "state", "progress",
	"percent", "last_error", "last_urc", "paths", "offset", "check", NULL
};

/*
 * A copy of @board's settings as the module on tty @tty uses them (its
 * [module] section's, else the global ones), or NULL (no memory, or the
 * sections cannot tell: the messages said why).  The caller frees it.
 */
static struct mfw_config *mfw_status_module_cfg(const struct mfw_config *board,
						const char *tty)
{
	struct mfw_config *cfg = malloc(sizeof(*cfg));

	if (!cfg)
		return NULL;
	memcpy(cfg, board, sizeof(*cfg));
	if (*tty && mfw_cli_module(cfg, tty)) {
		free(cfg);
		return NULL;
	}
	return cfg;
}

static void mfw_status_port(const struct mfw_config *board, const char *dir,
			    const char *name)
{
	struct mfw_config *cfg = NULL;
	struct mfw_pick pick;
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
	/* What "mfw upgrade --auto" would do with this module now. */
	if (mfw_port_get(&p, "tty", p.tty, sizeof(p.tty)) < 0)
		*p.tty = '\0';
	/* ... under the settings of its [module] section, if it has one. */
	cfg = mfw_status_module_cfg(board, p.tty);
	if (cfg && *cfg->module) {
		if (mfw_json)
			mfw_json_str(&j, "module", cfg->module);
		else
			printf("  %-11s %s\n", "module", cfg->module);
	}
	/* The package errors are summed up in the reason, not repeated. */
	mfw_quiet++;
	mfw_pick_package(cfg ? cfg : board, &p, &pick);
	mfw_quiet--;
	free(cfg);
	if (mfw_json) {
		mfw_json_str(&j, "auto", mfw_pick_verdict_name(pick.verdict));
		mfw_json_str(&j, "auto_reason", pick.why);
		if (pick.verdict == MFW_PICK_FOUND ||
		    pick.verdict == MFW_PICK_REFUSED_BEFORE) {
			mfw_json_str(&j, "auto_image", pick.image);
			mfw_json_str(&j, "auto_version", pick.man.version);
		}
		mfw_json_emit(&j);
	} else {
		printf("  %-11s %s%s\n", "auto",
		       pick.verdict == MFW_PICK_FOUND ? "would upgrade " :
		       "nothing to install: ", pick.why);
	}
}

/* Whether the port in @p->dir is the one of the module in use. */
static bool mfw_status_is_module(const struct mfw_config *cfg, struct mfw_port *p)
{
	int which, also;

	return mfw_port_get(p, "tty", p->tty, sizeof(p->tty)) >= 0 &&
	       !mfw_module_of_port(cfg, p->tty, &which, &also) &&
	       !strcmp(cfg->modules[which].name, cfg->module);
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
			/* --module: that module's port only. */
			if (*cfg->module && !mfw_status_is_module(cfg, &p))
				continue;
			mfw_status_port(cfg, dir, de->d_name);
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

/* Whether packages' signatures are checked, and against which key. */
static void mfw_status_trust(const struct mfw_config *cfg)
{
	const char *verdict;
	char desc[1024] = "";
	int ret = 0;

	if (!*cfg->pubkey) {
		verdict = "unchecked";
	} else {
		ret = mfw_pubkey_describe(cfg->pubkey, desc, sizeof(desc));
		if (ret > 0)
			ret = 0;
		verdict = ret ? "unusable" : "checked";
	}
	if (mfw_json) {
		struct mfw_json j;

		mfw_json_begin(&j, "trust");
		mfw_json_str(&j, "signatures", verdict);
		mfw_json_str(&j, "pubkey", *cfg->pubkey ? cfg->pubkey : NULL);
		if (*desc)
			mfw_json_str(&j, "keys", desc);
		if (ret)
			mfw_json_str(&j, "error", mfw_trust_why(ret));
		mfw_json_emit(&j);
	} else if (!*cfg->pubkey) {
		printf("signatures: NOT checked: no pubkey= in the configuration, so any package is accepted; set pubkey= to a PEM public key\n");
	} else if (ret) {
		printf("signatures: pubkey=%s is unusable (%s): every upgrade will be refused; fix the file or the key%s%s\n",
		       cfg->pubkey, mfw_trust_why(ret), *desc ? "\n  files: " : "",
		       desc);
	} else {
		printf("signatures: checked against %s (%s)\n", cfg->pubkey, desc);
	}
}

/* For people: how many finished upgrades "mfw history" lists. */
static void mfw_status_history(const struct mfw_config *cfg)
{
	struct mfw_history h;

	if (mfw_history_read(cfg->state_dir, &h)) {
		printf("history: %s/%s cannot be read; 'mfw history' says why\n",
		       cfg->state_dir, MFW_HISTORY_NAME);
		return;
	}
	if (h.n)
		printf("history: %zu finished upgrade%s (mfw history)\n", h.n,
		       h.n == 1 ? "" : "s");
	mfw_history_free(&h);
}

static void mfw_status_config_json(void *ctx, const char *key,
				   const char *value)
{
	mfw_json_str(ctx, key, value);
}

static void mfw_status_config_text(void *ctx, const char *key,
				   const char *value)
{
	(void)ctx;
	printf("  %-19s %s\n", key, *value ? value : "(not set)");
}

/* The configuration in effect: the file's keys over the defaults. */
static void mfw_status_config(const struct mfw_config *cfg)
{
	struct mfw_json j;

	if (mfw_json) {
		mfw_json_begin(&j, "config");
		if (*cfg->module)
			mfw_json_str(&j, "module", cfg->module);
		mfw_json_str(&j, "file", *cfg->file ? cfg->file : NULL);
		mfw_config_each(cfg, mfw_status_config_json, &j);
		mfw_json_emit(&j);
		return;
	}
	if (*cfg->file)
		printf("configuration (%s over the defaults):\n", cfg->file);
	else
		printf("configuration (defaults: no %s):\n", MFW_CONFIG_FILE);
	mfw_config_each(cfg, mfw_status_config_text, NULL);
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
		if (*cfg->module)
			mfw_json_str(&j, "module", cfg->module);
		if (ret) {
			mfw_json_str(&j, "phase", ret == -ENOENT ? "none" :
				     ret == -EBADMSG ? "corrupt" : "unreadable");
			if (ret != -ENOENT)
				mfw_json_str(&j, "error", ret == -EBADMSG ? why :
					     mfw_file_strerror(ret));
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
	} else if (ret == -EBADMSG) {
		printf("journal: unreadable (%s); 'mfw resume' sets it aside\n", why);
	} else if (ret) {
		printf("journal: cannot be read (%s); run as root, or check state_dir= (MFW_STATE_DIR)\n",
		       mfw_file_strerror(ret));
	} else {
		printf("journal: %s%s, %s -> %s on %s (%s)\n", mfw_phase_name(jn.phase),
		       mfw_phase_flashing(jn.phase) ? " (module may be flashing: do not power it off)" : "",
		       *jn.from ? jn.from : "?", *jn.target ? jn.target : "?",
		       jn.port, jn.note);
		if (jn.phase > MFW_PHASE_NONE && jn.phase < MFW_PHASE_DONE)
			printf("  run 'mfw resume' to finish it\n");
	}
	return ret && ret != -ENOENT ? MFW_EXIT_JOURNAL : MFW_EXIT_OK;
}

/*
 * What the section in use sets over the global settings: for people its
 * lines, as JSON the whole configuration in effect for it (a "config"
 * event with its "module").
 */
static void mfw_status_section(const struct mfw_config *cfg)
{
	const struct mfw_module_cfg *m = NULL;
	const char *p, *nl;
	int i;

	if (mfw_json) {
		mfw_status_config(cfg);
		return;
	}
	for (i = 0; i < cfg->n_modules; i++)
		if (!strcmp(cfg->modules[i].name, cfg->module))
			m = &cfg->modules[i];
	if (!m)
		return;
	printf("  section     line %d of %s: %s%s", m->line, cfg->file,
	       *m->match ? "match=" : "", m->match);
	for (p = m->sets; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		printf("%s%.*s", p == m->sets && !*m->match ? "" : ", ", (int)(nl - p), p);
	}
	printf("\n");
}

/* One module's journal and history, under a heading on a board with several. */
static int mfw_status_module(const struct mfw_config *cfg, bool heading)
{
	int ret;

	if (heading && !mfw_json)
		printf("module %s%s:\n", *cfg->module ? cfg->module : "(ports in no [module] section)",
		       mfw_config_orphan(cfg) ? " (no section has it any more; 'mfw resume' finishes its journal with the global settings)" : "");
	if (heading && *cfg->module && !mfw_config_orphan(cfg))
		mfw_status_section(cfg);
	ret = mfw_status_journal(cfg);
	if (!mfw_json)
		mfw_status_history(cfg);
	return ret;
}

/* Whether @dir/@name exists (anything but "no such file" counts). */
static bool mfw_status_has(const char *dir, const char *name)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return !access(path, F_OK) || errno != ENOENT;
}

/* Whether an upgrade ever used @cfg's state directory. */
static bool mfw_status_used(const struct mfw_config *cfg)
{
	return mfw_status_has(cfg->state_dir, MFW_JOURNAL_NAME) ||
	       mfw_status_has(cfg->state_dir, MFW_JOURNAL_NAME ".last") ||
	       mfw_status_has(cfg->state_dir, MFW_HISTORY_NAME);
}

/*
 * The journal and history of the module in use, or on a board with
 * [module] sections and none chosen, of each: the global state directory
 * first, when a port in no section left anything there.
 */
static int mfw_status_modules(const struct mfw_config *cfg)
{
	struct mfw_config *all;
	int i, n, ret, worst = MFW_EXIT_OK;

	n = mfw_cli_modules(cfg, &all);
	if (n <= 1) {
		free(all);
		return mfw_status_module(cfg, false);
	}
	for (i = 0; i < n; i++) {
		/* The global state directory once a port in no section used it. */
		if (!i && !mfw_status_used(&all[i]))
			continue;
		ret = mfw_status_module(&all[i], true);
		if (ret && !worst)
			worst = ret;
	}
	free(all);
	return worst;
}

int mfw_cmd_status(struct mfw_config *cfg, int argc, char **argv)
{
	const char *only = NULL;
	struct mfw_getopt g;
	int c, ret;

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
	mfw_status_trust(cfg);
	if (only && (ret = mfw_cli_module(cfg, only)))
		return ret;
	ret = mfw_status_modules(cfg);
	mfw_status_config(cfg);
	return ret;
}

/*
 * @s for a terminal: the journal copies text from the module and from
 * files, whose control bytes must not reach it; "?" when empty.
 */
static const char *mfw_printable(const char *s, char *buf, size_t size)
{
	size_t i;

	if (!*s)
		return "?";
	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

/* One finished upgrade, for people: when, outcome, versions, port, time. */
static void mfw_history_print(const struct mfw_journal *r)
{
	char when[32] = "?", a[MFW_JSTR], b[MFW_JSTR], c[MFW_JSTR], d[MFW_JSTR];
	struct tm tm;
	time_t t = (time_t)r->started;

	if (r->started && localtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%s  %-6s  %s -> %s  %s", when, mfw_phase_name(r->phase),
	       mfw_printable(r->from, a, sizeof(a)),
	       mfw_printable(r->target, b, sizeof(b)),
	       mfw_printable(r->port, c, sizeof(c)));
	if (r->started && r->updated >= r->started)
		printf("  %" PRId64 " s", r->updated - r->started);
	printf("  (%s)\n", *r->note ? mfw_printable(r->note, d, sizeof(d)) : "no note");
}

static void mfw_history_json(const struct mfw_journal *r, const char *module)
{
	struct mfw_json j;

	mfw_json_begin(&j, "history");
	if (*module)
		mfw_json_str(&j, "module", module);
	mfw_json_str(&j, "phase", mfw_phase_name(r->phase));
	mfw_json_int(&j, "started", r->started);
	mfw_json_int(&j, "ended", r->updated);
	mfw_json_str(&j, "port", r->port);
	mfw_json_str(&j, "family", r->family);
	mfw_json_str(&j, "from", r->from);
	mfw_json_str(&j, "target", r->target);
	mfw_json_str(&j, "image", r->image);
	mfw_json_str(&j, "url", r->url);
	mfw_json_str(&j, "sha256", r->sha256);
	mfw_json_int(&j, "size", (int64_t)r->size);
	mfw_json_str(&j, "note", r->note);
	mfw_json_emit(&j);
}

/*
 * The finished upgrades recorded in @cfg's state directory, the last
 * @last of them (0: all), under a heading on a board with several modules.
 */
static int mfw_history_list(const struct mfw_config *cfg, long last, bool heading)
{
	struct mfw_history h;
	size_t i;
	int ret;

	ret = mfw_history_read(cfg->state_dir, &h);
	if (ret) {
		mfw_err("cannot read %s/%s: %s; %s",
			cfg->state_dir, MFW_HISTORY_NAME,
			ret == -EFBIG ? "larger than any history mfw writes" :
			ret == -EINVAL || ret == -EISDIR ? "not a regular file" :
			strerror(-ret),
			ret == -EFBIG || ret == -EINVAL || ret == -EISDIR ?
			"the next upgrade moves it to history.corrupt (or move it away)" :
			"check state_dir= (or MFW_STATE_DIR) and its permissions (run as root)");
		return MFW_EXIT_JOURNAL;
	}
	if (heading && !mfw_json)
		printf("module %s:\n", *cfg->module ? cfg->module : "(ports in no [module] section)");
	if (h.bad)
		mfw_warn("%u record%s of %s/%s could not be read (cut short or altered) and %s left out; %s kept in the file",
			 h.bad, h.bad == 1 ? "" : "s", cfg->state_dir,
			 MFW_HISTORY_NAME, h.bad == 1 ? "is" : "are",
			 h.bad == 1 ? "it is" : "they are");
	if (!h.n && !mfw_json)
		printf("no finished upgrade recorded in %s/%s\n", cfg->state_dir,
		       MFW_HISTORY_NAME);
	for (i = last && (size_t)last < h.n ? h.n - last : 0; i < h.n; i++) {
		if (mfw_json)
			mfw_history_json(&h.rec[i], cfg->module);
		else
			mfw_history_print(&h.rec[i]);
	}
	mfw_history_free(&h);
	return MFW_EXIT_OK;
}

int mfw_cmd_history(struct mfw_config *cfg, int argc, char **argv)
{
	struct mfw_config *all;
	struct mfw_getopt g;
	long last = 0;
	int c, i, n, ret, worst = MFW_EXIT_OK;

	mfw_getopt_init(&g, mfw_cmd_find("history"), argc, argv);
	while ((c = mfw_getopt_next(&g)) > 0) {
		if (c == 'n' && mfw_parse_long(optarg, 1, MFW_HISTORY_KEEP, &last)) {
			mfw_err("history: --last takes a number from 1 to %d, not '%s'",
				MFW_HISTORY_KEEP, optarg);
			return MFW_EXIT_USAGE;
		}
	}
	if (c < 0)
		return g.exit;
	if (optind < argc) {
		mfw_err("history: unexpected argument '%s'; see 'mfw history --help'",
			argv[optind]);
		return MFW_EXIT_USAGE;
	}
	n = mfw_cli_modules(cfg, &all);
	if (n <= 1) {
		free(all);
		return mfw_history_list(cfg, last, false);
	}
	/* Every module's, each with its own --last; the global one if used. */
	for (i = 0; i < n; i++) {
		if (!i && !mfw_status_has(cfg->state_dir, MFW_HISTORY_NAME))
			continue;
		ret = mfw_history_list(&all[i], last, true);
		if (ret && !worst)
			worst = ret;
	}
	free(all);
	return worst;
}
