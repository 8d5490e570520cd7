// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - reading a command's options from its table, and writing
 * its --help from the same table.
 */
#include <stdio.h>
#include <string.h>

#include "opt.h"
#include "util.h"

/* Width of the option column in --help. */
#define MFW_OPT_COL	24

/* Options every command takes, mfw itself included. */
static const struct mfw_opt mfw_common_opts[] = {
	{ "json", 'j', NULL, "JSON lines on standard output (see mfw(8))" },
	{ "verbose", 'v', NULL, "more messages" },
	{ "help", 'h', NULL, "this help" },
	{ NULL, 0, NULL, NULL }
};

/* The @i-th option of @cmd, its own first; NULL past the last. */
static const struct mfw_opt *mfw_opt_at(const struct mfw_cmd *cmd, size_t i)
{
	const struct mfw_opt *o;

	for (o = cmd->opts; o && o->name; o++, i--)
		if (!i)
			return o;
	for (o = mfw_common_opts; o->name; o++, i--)
		if (!i)
			return o;
	return NULL;
}

static const struct mfw_opt *mfw_opt_find(const struct mfw_cmd *cmd, int key)
{
	const struct mfw_opt *o;
	size_t i;

	for (i = 0; (o = mfw_opt_at(cmd, i)); i++)
		if (o->key == key)
			return o;
	return NULL;
}

void mfw_getopt_init(struct mfw_getopt *g, const struct mfw_cmd *cmd,
		     int argc, char **argv)
{
	const struct mfw_opt *o;
	char *s = g->sopts;
	size_t i;

	memset(g, 0, sizeof(*g));
	g->cmd = cmd;
	g->argc = argc;
	g->argv = argv;
	if (!cmd->name)
		*s++ = '+';	/* mfw's own options end at the command */
	*s++ = ':';		/* a missing argument is told from a bad option */
	for (i = 0; i < MFW_OPT_MAX && (o = mfw_opt_at(cmd, i)); i++) {
		g->lopts[i].name = o->name;
		g->lopts[i].has_arg = o->arg ? required_argument : no_argument;
		g->lopts[i].val = o->key;
		if (o->key >= MFW_OPT_LONG)
			continue;
		*s++ = (char)o->key;
		if (o->arg)
			*s++ = ':';
	}
	*s = '\0';
	optind = 0;	/* 0: glibc starts over, ordering included */
	opterr = 0;	/* the messages below say what to do */
}

/*
 * How the option getopt_long() stopped at was written: the long form
 * when the word it was in is that option's long form (or a prefix of it),
 * else its short form.  @key is optopt: 0 for a long option that does not
 * exist, in which case the word itself is all there is.
 */
static void mfw_opt_spelling(const struct mfw_getopt *g, int key, char *buf,
			     size_t size)
{
	const char *word = optind > 0 && optind <= g->argc ? g->argv[optind - 1] : "";
	const struct mfw_opt *o = key ? mfw_opt_find(g->cmd, key) : NULL;
	size_t len;

	if (!key || !o) {
		if (key > 0 && key < MFW_OPT_LONG)
			snprintf(buf, size, "-%c", key);
		else
			snprintf(buf, size, "%s", word);
		return;
	}
	len = strcspn(word, "=");
	if (!strncmp(word, "--", 2) && len > 2 && !strncmp(word + 2, o->name, len - 2))
		snprintf(buf, size, "--%s", o->name);
	else if (key < MFW_OPT_LONG)
		snprintf(buf, size, "-%c", key);
	else
		snprintf(buf, size, "--%s", o->name);
}

/*
 * The long options @word ("--ver", "--ver=x") abbreviates, when more
 * than one: "--verbose or --version" in @buf.  false for none or one.
 */
static bool mfw_opt_ambiguous(const struct mfw_getopt *g, const char *word,
			      char *buf, size_t size)
{
	size_t len, used = 0, i;
	const struct mfw_opt *o;
	int n = 0;

	if (strncmp(word, "--", 2))
		return false;
	word += 2;
	len = strcspn(word, "=");
	buf[0] = '\0';
	for (i = 0; (o = mfw_opt_at(g->cmd, i)); i++) {
		if (strncmp(o->name, word, len) || used >= size)
			continue;
		used += snprintf(buf + used, size - used, "%s--%s",
				 n ? " or " : "", o->name);
		n++;
	}
	return n > 1;
}

static int mfw_opt_bad(struct mfw_getopt *g, int c)
{
	const char *cmd = g->cmd->name ?: "";
	const char *sep = g->cmd->name ? ": " : "";
	const struct mfw_opt *o = optopt ? mfw_opt_find(g->cmd, optopt) : NULL;
	char what[128], hint[64], amb[160];

	mfw_opt_spelling(g, optopt, what, sizeof(what));
	snprintf(hint, sizeof(hint), "see 'mfw%s%s --help'",
		 g->cmd->name ? " " : "", cmd);
	if (c == ':')
		mfw_err("%s%s%s needs its argument %s; %s", cmd, sep, what,
			o && o->arg ? o->arg : "", hint);
	else if (o && !o->arg)
		mfw_err("%s%s%s takes no argument; %s", cmd, sep, what, hint);
	else if (!optopt && mfw_opt_ambiguous(g, what, amb, sizeof(amb)))
		mfw_err("%s%s'%s' is ambiguous: %s?; %s", cmd, sep, what, amb,
			hint);
	else
		mfw_err("%s%sunknown option '%s'; %s", cmd, sep, what, hint);
	g->exit = MFW_EXIT_USAGE;
	return -1;
}

int mfw_getopt_next(struct mfw_getopt *g)
{
	int c;

	for (;;) {
		optopt = 0;
		c = getopt_long(g->argc, g->argv, g->sopts, g->lopts, NULL);
		switch (c) {
		case -1:
			if (!g->help)
				return 0;
			/* Standard output carries JSON lines only. */
			mfw_cmd_help(g->cmd, mfw_json ? stderr : stdout);
			g->exit = MFW_EXIT_OK;
			return -1;
		case 'j':
			mfw_json = true;
			break;
		case 'v':
			mfw_verbose++;
			break;
		case 'h':
			/* Printed once the rest is read: a later -j counts. */
			g->help = true;
			break;
		case '?':
		case ':':
			return mfw_opt_bad(g, c);
		default:
			return c;
		}
	}
}

void mfw_opt_help(const struct mfw_cmd *cmd, FILE *f)
{
	const struct mfw_opt *o;
	size_t i;

	for (i = 0; (o = mfw_opt_at(cmd, i)); i++) {
		char left[64];
		int n;

		if (o->key < MFW_OPT_LONG)
			n = snprintf(left, sizeof(left), "-%c, --%s%s%s", o->key,
				     o->name, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			n = snprintf(left, sizeof(left), "    --%s%s%s", o->name,
				     o->arg ? " " : "", o->arg ? o->arg : "");
		/* At least two spaces between an option and its text. */
		if (n <= MFW_OPT_COL - 4)
			fprintf(f, "  %-*s%s\n", MFW_OPT_COL - 2, left, o->help);
		else
			fprintf(f, "  %s\n  %-*s%s\n", left, MFW_OPT_COL - 2, "", o->help);
	}
}

void mfw_cmd_help(const struct mfw_cmd *cmd, FILE *f)
{
	const char *line = cmd->synopsis;
	bool first = true;

	if (cmd->help) {
		cmd->help(f);
		return;
	}
	while (line) {
		const char *end = strchr(line, '\n');
		int len = end ? (int)(end - line) : (int)strlen(line);

		fprintf(f, "%s mfw %s %.*s\n",
			first ? "Usage:" : "   or:", cmd->name, len, line);
		first = false;
		line = end ? end + 1 : NULL;
	}
	fprintf(f, "\n%s\n\nOptions:\n", cmd->about);
	mfw_opt_help(cmd, f);
	fprintf(f, "\nGlobal options come before the command: see 'mfw --help' and mfw(8).\n");
}
