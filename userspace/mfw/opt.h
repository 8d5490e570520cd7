/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - each command's options described once, in a table: the
 * getopt_long() arguments and the --help text are both made from it.
 */
#ifndef MFW_OPT_H
#define MFW_OPT_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

struct mfw_config;

/* Keys from here up have no short form. */
#define MFW_OPT_LONG	256
/* Options of one command, the common ones (--json, --verbose, --help) included. */
#define MFW_OPT_MAX	24

struct mfw_opt {
	const char *name;	/* long form, without the dashes */
	int key;		/* its short letter, or MFW_OPT_LONG and up */
	const char *arg;	/* the argument's name in --help; NULL: none */
	const char *help;	/* one line */
};

struct mfw_cmd {
	const char *name;	/* NULL: mfw itself, the global options */
	const char *synopsis;	/* after "mfw <name>", a line per form */
	const char *summary;	/* one line, for the list of commands */
	const char *about;	/* what it does, a few lines */
	const struct mfw_opt *opts;	/* its own options, ending with a NULL name */
	int (*fn)(struct mfw_config *cfg, int argc, char **argv);
	void (*help)(FILE *f);	/* NULL: made from the fields above */
};

/* The command line of one command, being read. */
struct mfw_getopt {
	const struct mfw_cmd *cmd;
	int argc;
	char **argv;
	int exit;		/* when mfw_getopt_next() returned -1 */
	bool help;
	struct option lopts[MFW_OPT_MAX + 1];
	char sopts[2 * MFW_OPT_MAX + 3];
};

/*
 * Start reading @argv (argv[0] the command's name) with @cmd's options.
 * The global options of mfw itself (@cmd->name NULL) end at the first
 * operand; a command's options may come anywhere among its operands.
 */
void mfw_getopt_init(struct mfw_getopt *g, const struct mfw_cmd *cmd,
		     int argc, char **argv);

/*
 * The next option of the command's own: its key, with optarg set when it
 * takes an argument.  0 once the options are over (optind is the first
 * operand).  -1 when the command is to return @g->exit at once: after
 * --help, printed (on standard error with --json), or after a bad option,
 * reported.  --json and --verbose are taken care of here.
 */
int mfw_getopt_next(struct mfw_getopt *g);

/* A command's --help text. */
void mfw_cmd_help(const struct mfw_cmd *cmd, FILE *f);

/* The option lines of @cmd's --help, the common options last. */
void mfw_opt_help(const struct mfw_cmd *cmd, FILE *f);

#endif /* MFW_OPT_H */
