/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - the command line: global options, subcommands, exit codes.
 */
#ifndef MFW_CLI_H
#define MFW_CLI_H

#include "config.h"
#include "opt.h"

/* The whole program; returns an exit code (enum mfw_exit). */
int mfw_main(int argc, char **argv);

/* A command by its name, with its options; NULL when there is none. */
const struct mfw_cmd *mfw_cmd_find(const char *name);

/*
 * On a board with [module] sections: use the section of @port (a tty
 * path or kernel name; NULL or empty: port= of the configuration, else
 * the only attached mfw port), unless --module chose one already.  No
 * section is the port's: the global settings.  An exit code: 0,
 * MFW_EXIT_PORT when the port is not there to be matched (a module
 * restarting: its section cannot be told, and the global lock would not
 * keep out its own upgrade), or MFW_EXIT_CONFIG (several sections are the
 * port's, a path too long), with the message given.
 */
int mfw_cli_module(struct mfw_config *cfg, const char *port);

/*
 * The state directories of the board as configurations, in @*out (to be
 * freed): [0] the global settings and state_dir, then each [module]
 * section's, then each directory of <state_dir>/modules no section names
 * any more (with the global settings; see mfw_config_use_orphan()).
 * Their number, at least 1; with --module only that one.
 */
int mfw_cli_modules(const struct mfw_config *cfg, struct mfw_config **out);

/* Subcommands, each given argv from its own name on. */
int mfw_cmd_attach(struct mfw_config *cfg, int argc, char **argv);
int mfw_cmd_power(struct mfw_config *cfg, int argc, char **argv);
int mfw_cmd_upgrade(struct mfw_config *cfg, int argc, char **argv);
int mfw_cmd_resume(struct mfw_config *cfg, int argc, char **argv);
int mfw_cmd_status(struct mfw_config *cfg, int argc, char **argv);
int mfw_cmd_history(struct mfw_config *cfg, int argc, char **argv);
int mfw_cmd_manifest(struct mfw_config *cfg, int argc, char **argv);

#endif /* MFW_CLI_H */
