// SPDX-License-Identifier: GPL-2.0
/*
 * mfw helper - command line parsing and dispatch.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "config.h"
#include "out.h"
#include "power.h"
#include "upgrade.h"
#include "util.h"

#ifndef MFW_VERSION
#define MFW_VERSION "unknown"
#endif

static void mfw_usage(FILE *f)
{
	int i;

	fprintf(f,
		"Usage: mfw [--config FILE] [--json] [--verbose] [--sysfs-root DIR]\n"
		"           [--state-dir DIR] <command> ...\n"
		"\n"
		"Commands:\n"
		"  attach <tty> [--speed N] [--no-drain] [--timeout S]\n"
		"                         attach the mfw line discipline, hold the port,\n"
		"                         attach again after the module re-enumerates\n"
		"  power on|off|reset|status [--blind]\n"
		"                         the module's PWRKEY, RESET and STATUS lines\n"
		"  upgrade <image> [--manifest F] [--port TTY] [--force] [--recover]\n"
		"          [--timeout S]  verify, write and apply a firmware package\n"
		"  upgrade --url URL [--manifest F] [...]\n"
		"                         let the module download the package itself\n"
		"  upgrade --auto [--port TTY] [...]\n"
		"                         the newest package for the module in the\n"
		"                         firmware directory, if any\n"
		"  resume [--recover]     finish or recover an interrupted upgrade\n"
		"  status [--port TTY]    ports, module, power and the journal\n"
		"  manifest create <image> --family F --version V [--base B] [-o FILE]\n"
		"  manifest sign <file> --key PRIVATE.pem\n"
		"  manifest verify <manifest> [--image IMG] [--pubkey PUBLIC.pem]\n"
		"\n"
		"Exit codes:\n");
	for (i = 0; mfw_exit_text(i); i++)
		fprintf(f, "  %2d  %s\n", i, mfw_exit_text(i));
	fprintf(f, "\nSee mfw(8).\n");
}

enum { OPT_SYSFS = 256, OPT_STATE };

static const struct option mfw_global_opts[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "sysfs-root", required_argument, NULL, OPT_SYSFS },
	{ "state-dir", required_argument, NULL, OPT_STATE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 }
};

static const struct {
	const char *name;
	int (*fn)(struct mfw_config *cfg, int argc, char **argv);
} mfw_cmds[] = {
	{ "attach", mfw_cmd_attach },
	{ "power", mfw_cmd_power },
	{ "upgrade", mfw_cmd_upgrade },
	{ "resume", mfw_cmd_resume },
	{ "status", mfw_cmd_status },
	{ "manifest", mfw_cmd_manifest },
};

/* Global options, configuration, then the subcommand: an exit code. */
static int mfw_dispatch(int argc, char **argv)
{
	const char *config = NULL, *sysfs = NULL, *state = NULL;
	struct mfw_config cfg;
	size_t i;
	int c;

	optind = 0;	/* 0: glibc starts over, ordering included */
	opterr = 1;
	while ((c = getopt_long(argc, argv, "+c:jvhV", mfw_global_opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case 'j':
			mfw_json = true;
			break;
		case 'v':
			mfw_verbose++;
			break;
		case OPT_SYSFS:
			sysfs = optarg;
			break;
		case OPT_STATE:
			state = optarg;
			break;
		case 'h':
			/* Standard output carries JSON lines only. */
			mfw_usage(mfw_json ? stderr : stdout);
			return MFW_EXIT_OK;
		case 'V':
			if (mfw_json)
				mfw_out_event("version", "version", MFW_VERSION, NULL);
			else
				printf("mfw %s\n", MFW_VERSION);
			return MFW_EXIT_OK;
		default:
			mfw_usage(stderr);
			return MFW_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		mfw_err("no command given; see 'mfw --help'");
		return MFW_EXIT_USAGE;
	}
	mfw_config_defaults(&cfg);
	if (!config)
		config = getenv("MFW_CONFIG");
	if (config && *config) {
		if (mfw_config_load(&cfg, config, false))
			return MFW_EXIT_CONFIG;
	} else if (mfw_config_load(&cfg, MFW_CONFIG_FILE, true)) {
		return MFW_EXIT_CONFIG;
	}
	mfw_config_env(&cfg);
	if (sysfs)
		snprintf(cfg.sysfs_root, sizeof(cfg.sysfs_root), "%s", sysfs);
	if (state)
		snprintf(cfg.state_dir, sizeof(cfg.state_dir), "%s", state);
	for (i = 0; i < sizeof(mfw_cmds) / sizeof(mfw_cmds[0]); i++)
		if (!strcmp(argv[optind], mfw_cmds[i].name))
			return mfw_cmds[i].fn(&cfg, argc - optind, argv + optind);
	mfw_err("unknown command '%s'; see 'mfw --help'", argv[optind]);
	return MFW_EXIT_USAGE;
}

/*
 * Whether the command line asks for JSON: "--json" or "-j" anywhere before
 * a "--".  Looked for before parsing so that errors found before the
 * subcommand reads its own options (a bad global option, the configuration,
 * an option the subcommand refuses before reaching --json) come as JSON
 * too.  A "-j" among other short options ("-vj") counts only once its
 * command parses it.
 */
static bool mfw_argv_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++)
		if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j"))
			return true;
	return false;
}

int mfw_main(int argc, char **argv)
{
	int ret;

	mfw_json = mfw_argv_json(argc, argv);
	mfw_verbose = 0;
	ret = mfw_dispatch(argc, argv);
	/* Every path ends here: one result event, whatever happened. */
	if (mfw_json)
		mfw_out_result(ret);
	return ret;
}

/* Options every subcommand takes as well. */
#define MFW_COMMON_OPTS \
	{ "json", no_argument, NULL, 'j' }, \
	{ "verbose", no_argument, NULL, 'v' }

static int mfw_common_opt(int c)
{
	if (c == 'j')
		mfw_json = true;
	else if (c == 'v')
		mfw_verbose++;
	else
		return -1;
	return 0;
}

static int mfw_bad_usage(const char *cmd, const char *what)
{
	mfw_err("%s: %s; see 'mfw --help'", cmd, what);
	return MFW_EXIT_USAGE;
}

static int mfw_get_seconds(const char *cmd, const char *arg, long *out)
{
	if (mfw_parse_long(arg, 1, 86400, out))
		return mfw_bad_usage(cmd, "--timeout takes 1..86400 seconds");
	return 0;
}

/* The "power" event of 'mfw power status': the STATUS line says on or off. */
static void mfw_power_event(bool on)
{
	struct mfw_json j;

	mfw_json_begin(&j, "power");
	mfw_json_bool(&j, "on", on);
	mfw_json_emit(&j);
}

int mfw_cmd_power(struct mfw_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {
		MFW_COMMON_OPTS,
		{ "blind", no_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	bool blind = false;
	const char *verb;
	int c, ret;

	optind = 0;	/* 0: glibc starts over, ordering included */
	while ((c = getopt_long(argc, argv, "jvb", opts, NULL)) != -1) {
		if (!mfw_common_opt(c))
			continue;
		if (c == 'b')
			blind = true;
		else
			return MFW_EXIT_USAGE;
	}
	if (optind != argc - 1)
		return mfw_bad_usage("power", "give one of on, off, reset, status");
	verb = argv[optind];
	if (!strcmp(verb, "status")) {
		ret = mfw_power_status(cfg);
		if (ret < 0) {
			mfw_err("cannot read the status line %s: %s; set status= in the configuration",
				cfg->status.spec, strerror(-ret));
			return MFW_EXIT_GPIO;
		}
		if (mfw_json)
			mfw_power_event(ret);
		else
			printf("%s\n", ret ? "on" : "off");
		return MFW_EXIT_OK;
	}
	if (!strcmp(verb, "on"))
		ret = mfw_power_on(cfg, blind);
	else if (!strcmp(verb, "off"))
		ret = mfw_power_off(cfg, blind);
	else if (!strcmp(verb, "reset"))
		ret = mfw_power_reset(cfg);
	else
		return mfw_bad_usage("power", "give one of on, off, reset, status");
	switch (ret) {
	case 0:
		return MFW_EXIT_OK;
	case -ENOENT:
		mfw_err("power %s: a GPIO line (%s, %s, %s) does not exist; set pwrkey=, reset=, status= in the configuration (or --blind without a status line)",
			verb, cfg->pwrkey.spec, cfg->reset.spec, cfg->status.spec);
		break;
	case -EBUSY:
		mfw_err("power %s: the line is held by another program (an upgrade in progress?); see gpioinfo and wait",
			verb);
		break;
	case -ETIMEDOUT:
		mfw_err("power %s: STATUS did not follow within %ld ms; check the wiring and the active_low settings",
			verb, cfg->status_timeout_ms);
		break;
	default:
		mfw_err("power %s: %s", verb, strerror(-ret));
	}
	return MFW_EXIT_GPIO;
}

static int mfw_upgrade_args(const char *cmd, struct mfw_config *cfg, int argc,
			    char **argv, struct mfw_upgrade_opts *o)
{
	static const struct option opts[] = {
		MFW_COMMON_OPTS,
		{ "url", required_argument, NULL, 'u' },
		{ "manifest", required_argument, NULL, 'm' },
		{ "port", required_argument, NULL, 'p' },
		{ "force", no_argument, NULL, 'f' },
		{ "auto", no_argument, NULL, 'a' },
		{ "recover", no_argument, NULL, 'r' },
		{ "timeout", required_argument, NULL, 't' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	(void)cfg;
	memset(o, 0, sizeof(*o));
	optind = 0;	/* 0: glibc starts over, ordering included */
	while ((c = getopt_long(argc, argv, "jvu:m:p:frt:", opts, NULL)) != -1) {
		if (!mfw_common_opt(c))
			continue;
		switch (c) {
		case 'u':
			o->url = optarg;
			break;
		case 'm':
			o->manifest = optarg;
			break;
		case 'p':
			o->port = optarg;
			break;
		case 'f':
			o->force = true;
			break;
		case 'a':
			o->automatic = true;
			break;
		case 'r':
			o->recover = true;
			break;
		case 't':
			if (mfw_get_seconds(cmd, optarg, &o->timeout_s))
				return MFW_EXIT_USAGE;
			break;
		default:
			return MFW_EXIT_USAGE;
		}
	}
	if (optind < argc)
		o->image = argv[optind++];
	if (optind < argc)
		return mfw_bad_usage(cmd, "too many arguments");
	return MFW_EXIT_OK;
}

int mfw_cmd_upgrade(struct mfw_config *cfg, int argc, char **argv)
{
	struct mfw_upgrade_opts o;
	int ret;

	ret = mfw_upgrade_args("upgrade", cfg, argc, argv, &o);
	if (ret)
		return ret;
	if ((o.automatic && (o.image || o.url)) ||
	    (!o.automatic && !o.image == !o.url))
		return mfw_bad_usage("upgrade", "give an image file, --url URL or --auto (one of them)");
	if (o.url && strlen(o.url) > 256)
		return mfw_bad_usage("upgrade", "the url is longer than 256 bytes");
	return mfw_upgrade(cfg, &o);
}

int mfw_cmd_resume(struct mfw_config *cfg, int argc, char **argv)
{
	struct mfw_upgrade_opts o;
	int ret;

	ret = mfw_upgrade_args("resume", cfg, argc, argv, &o);
	if (ret)
		return ret;
	if (o.image || o.url || o.manifest || o.automatic)
		return mfw_bad_usage("resume", "takes no image, url or manifest (the journal has them)");
	return mfw_resume(cfg, &o);
}
