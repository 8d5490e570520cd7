// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - command line parsing and dispatch.
 */
#include <errno.h>
#include <signal.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "gpio.h"
#include "journal.h"
#include "mfw_ipr.h"
#include "module.h"
#include "opt.h"
#include "out.h"
#include "port.h"
#include "power.h"
#include "sig.h"
#include "upgrade.h"
#include "util.h"

#ifndef MFW_VERSION
#define MFW_VERSION "unknown"
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

/* Keys of the options without a short form. */
enum {
	OPT_SYSFS = MFW_OPT_LONG, OPT_STATE, OPT_AUTO, OPT_IGN_BATTERY,
	OPT_SAME, OPT_DOWNGRADE, OPT_START_OVER, OPT_IGN_MM, OPT_IGN_LINES,
	OPT_DRY_RUN, OPT_FAST_RATE, OPT_MODULE,
};

static const struct mfw_opt mfw_global_opts[] = {
	{ "config", 'c', "FILE", "the configuration (default " MFW_CONFIG_FILE ")" },
	{ "sysfs-root", OPT_SYSFS, "DIR", "sysfs below DIR instead of /sys (for tests)" },
	{ "state-dir", OPT_STATE, "DIR", "journal, transcript and lock (default " MFW_STATE_DIR ")" },
	{ "module", OPT_MODULE, "NAME", "the module of section [module NAME] (default: the port's)" },
	{ "version", 'V', NULL, "print the version" },
	{ NULL, 0, NULL, NULL }
};

static const struct mfw_opt attach_opts[] = {
	{ "speed", 's', "N", "baud rate (default speed= of the configuration)" },
	{ "no-drain", 'n', NULL, "with an older kernel module: never discard input nobody reads" },
	{ "timeout", 't', "S", "wait S seconds for the port to return (default 3600)" },
	{ NULL, 0, NULL, NULL }
};

static const struct mfw_opt power_opts[] = {
	{ "blind", 'b', NULL, "on and off without a STATUS line to check" },
	{ NULL, 0, NULL, NULL }
};

static const struct mfw_opt upgrade_opts[] = {
	{ "url", 'u', "URL", "let the module download the package from URL" },
	{ "auto", OPT_AUTO, NULL, "the newest fitting package in firmware_dir, if any" },
	{ "manifest", 'm', "FILE", "the signed manifest (default IMAGE.manifest)" },
	{ "port", 'p', "TTY", "the module's AT port (default port=, or the only one)" },
	{ "recover", 'r', NULL, "reset a silent module first (never while it flashes)" },
	{ "timeout", 't', "S", "wait S seconds for the module (upgrade_timeout=)" },
	{ "dry-run", OPT_DRY_RUN, NULL, "every check and the plan; nothing sent to the module" },
	{ "fast-rate", OPT_FAST_RATE, "RATE", "on a UART: write the package at RATE bit/s (fast_rate=)" },
	{ "ignore-battery", OPT_IGN_BATTERY, NULL, "past the power check (low battery, no supply)" },
	{ "allow-same-version", OPT_SAME, NULL, "flash the version the module runs again" },
	{ "allow-downgrade", OPT_DOWNGRADE, NULL, "install an older version than it runs" },
	{ "start-over", OPT_START_OVER, NULL, "go on past an unfinished upgrade (not a flashing one)" },
	{ "ignore-modemmanager", OPT_IGN_MM, NULL, "go on if ModemManager keeps the module" },
	{ "ignore-power-lines", OPT_IGN_LINES, NULL, "go on if PWRKEY or RESET cannot be held" },
	{ "force", 'f', NULL, "all six overrides above (deprecated: name them)" },
	{ NULL, 0, NULL, NULL }
};

static const struct mfw_opt resume_opts[] = {
	{ "port", 'p', "TTY", "the module's AT port (default the journal's)" },
	{ "recover", 'r', NULL, "reset a silent module first (never while it flashes)" },
	{ "timeout", 't', "S", "wait S seconds for the module (upgrade_timeout=)" },
	{ "fast-rate", OPT_FAST_RATE, "RATE", "on a UART: write the package at RATE bit/s (fast_rate=)" },
	{ "ignore-battery", OPT_IGN_BATTERY, NULL, "past the power check (low battery, no supply)" },
	{ "ignore-modemmanager", OPT_IGN_MM, NULL, "go on if ModemManager keeps the module" },
	{ "ignore-power-lines", OPT_IGN_LINES, NULL, "go on if PWRKEY or RESET cannot be held" },
	{ "force", 'f', NULL, "the three overrides above (deprecated: name them)" },
	{ NULL, 0, NULL, NULL }
};

static const struct mfw_opt status_opts[] = {
	{ "port", 'p', "TTY", "only the port of this tty" },
	{ NULL, 0, NULL, NULL }
};

static const struct mfw_opt history_opts[] = {
	{ "last", 'n', "N", "only the newest N upgrades" },
	{ NULL, 0, NULL, NULL }
};

static const struct mfw_opt manifest_opts[] = {
	{ "family", 'F', "F", "create: the module family the image is for" },
	{ "version", 'R', "V", "create: the version the image installs" },
	{ "base", 'B', "B", "create: the version a differential image applies to" },
	{ "output", 'o', "FILE", "create, sign: write to FILE, not *.manifest or *.sig" },
	{ "key", 'k', "PEM|URI", "sign: the private key, a PEM file or a pkcs11: URI" },
	{ "pubkey", 'P', "PEM", "verify: a public key, or a directory of them (default pubkey=)" },
	{ "image", 'i', "IMAGE", "verify: the image too, its signature and its digest" },
	{ NULL, 0, NULL, NULL }
};

static void mfw_usage(FILE *f);
static int mfw_cmd_help_run(struct mfw_config *cfg, int argc, char **argv);

static const struct mfw_cmd mfw_global = {
	.opts = mfw_global_opts,
	.help = mfw_usage,
};

static const struct mfw_cmd mfw_cmds[] = {
	{
		.name = "attach",
		.synopsis = "[TTY] [options]",
		.summary = "hold a tty with the mfw line discipline, like ldattach",
		.about = "Set the mfw line discipline on TTY (default port= of the configuration)\n"
			 "and hold the port; attach again whenever the module comes back after\n"
			 "a reboot or a re-plug.  SIGTERM, SIGINT and SIGHUP detach.",
		.opts = attach_opts,
		.fn = mfw_cmd_attach,
	}, {
		.name = "power",
		.synopsis = "on|off|reset|status [options]",
		.summary = "the module's PWRKEY, RESET and STATUS lines",
		.about = "Switch the module on or off with PWRKEY, reset it with RESET, or print\n"
			 "what STATUS says.  The lines and timings come from the configuration.",
		.opts = power_opts,
		.fn = mfw_cmd_power,
	}, {
		.name = "upgrade",
		.synopsis = "IMAGE [options]\n--url URL [options]\n--auto [options]",
		.summary = "verify, write and apply a firmware package",
		.about = "Verify the package, check the power, keep the system and ModemManager\n"
			 "off the module, write the package (or let the module download it),\n"
			 "start the upgrade and follow the module until it runs the new version.\n"
			 "Every step is journaled; 'mfw resume' picks up an interrupted upgrade.",
		.opts = upgrade_opts,
		.fn = mfw_cmd_upgrade,
	}, {
		.name = "resume",
		.synopsis = "[options]",
		.summary = "finish or recover an interrupted upgrade",
		.about = "Carry on with the upgrade the journal describes: write again from where\n"
			 "it stopped, or wait for a module that may be flashing, never touching\n"
			 "its power meanwhile.  Nothing to do without a journal.",
		.opts = resume_opts,
		.fn = mfw_cmd_resume,
	}, {
		.name = "status",
		.synopsis = "[options]",
		.summary = "ports, modules, what --auto would do, power, keys, configuration",
		.about = "Print every mfw port with its module's attributes and the package\n"
			 "'mfw upgrade --auto' would install on it (and why), the power verdict,\n"
			 "whether packages' signatures are checked, the journal (or the last\n"
			 "finished upgrade) and the configuration in effect.",
		.opts = status_opts,
		.fn = mfw_cmd_status,
	}, {
		.name = "history",
		.synopsis = "[options]",
		.summary = "the finished upgrades, oldest first",
		.about = "List the upgrades recorded in the state directory, oldest first: when\n"
			 "each started, how it ended, the versions before and after, the port,\n"
			 "how long it took and the journal's last note; the newest 100 are kept\n"
			 "in <state_dir>/history (default /var/lib/mfw/history).",
		.opts = history_opts,
		.fn = mfw_cmd_history,
	}, {
		.name = "manifest",
		.synopsis = "create IMAGE --family F --version V [--base B] [-o FILE]\n"
			    "sign FILE --key PRIVATE.pem [-o FILE]\n"
			    "verify MANIFEST [--image IMAGE] [--pubkey PUBLIC.pem]",
		.summary = "describe an image in a manifest, sign and verify files",
		.about = "The vendor's side: create writes IMAGE.manifest (family, version, base,\n"
			 "size and SHA-256), sign writes FILE.sig with a PEM private key, verify\n"
			 "checks a manifest's signature and, with --image, the image's.",
		.opts = manifest_opts,
		.fn = mfw_cmd_manifest,
	}, {
		.name = "help",
		.synopsis = "[COMMAND]",
		.summary = "the list of commands, or the options of one",
		.about = "Without COMMAND, what 'mfw --help' prints; with one, what\n"
			 "'mfw COMMAND --help' prints.",
		.fn = mfw_cmd_help_run,
	},
};

const struct mfw_cmd *mfw_cmd_find(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mfw_cmds); i++)
		if (!strcmp(name, mfw_cmds[i].name))
			return &mfw_cmds[i];
	return NULL;
}

static void mfw_usage(FILE *f)
{
	size_t i;
	int code;

	fprintf(f, "Usage: mfw [global options] <command> [arguments] [options]\n"
		"\nCommands:\n");
	for (i = 0; i < ARRAY_SIZE(mfw_cmds); i++)
		fprintf(f, "  %-10s%s\n", mfw_cmds[i].name, mfw_cmds[i].summary);
	fprintf(f, "\nGlobal options:\n");
	mfw_opt_help(&mfw_global, f);
	fprintf(f, "\n'mfw help <command>' or 'mfw <command> --help' shows a command's options.\n"
		"\nExit codes:\n");
	for (code = 0; mfw_exit_text(code); code++)
		fprintf(f, "  %2d  %s\n", code, mfw_exit_text(code));
	fprintf(f, "\nSee mfw(8) and mfw.conf(5).\n");
}

static int mfw_bad_usage(const char *cmd, const char *what)
{
	mfw_err("%s: %s; see 'mfw %s --help'", cmd, what, cmd);
	return MFW_EXIT_USAGE;
}

/* mfw help [COMMAND]: runs before, and without, the configuration. */
static int mfw_cmd_help_run(struct mfw_config *cfg, int argc, char **argv)
{
	const struct mfw_cmd *cmd = &mfw_global;
	struct mfw_getopt g;

	(void)cfg;
	mfw_getopt_init(&g, mfw_cmd_find("help"), argc, argv);
	if (mfw_getopt_next(&g))
		return g.exit;
	if (argc - optind > 1)
		return mfw_bad_usage("help", "give one command at most");
	if (optind < argc) {
		cmd = mfw_cmd_find(argv[optind]);
		if (!cmd) {
			mfw_err("help: unknown command '%s'; 'mfw help' lists the commands",
				argv[optind]);
			return MFW_EXIT_USAGE;
		}
	}
	/* Standard output carries JSON lines only. */
	mfw_cmd_help(cmd, mfw_json ? stderr : stdout);
	return MFW_EXIT_OK;
}

/*
 * Every module's state directory, <state_dir>/modules/<name>, must fit a
 * configuration string: checked once state_dir is final, so that no
 * command finds a module missing later.  An exit code.
 */
static int mfw_cli_state_fits(const struct mfw_config *cfg)
{
	size_t base = strlen(cfg->state_dir) + strlen("/" MFW_MODULES_DIR "/");
	int i;

	for (i = 0; i < cfg->n_modules; i++) {
		if (base + strlen(cfg->modules[i].name) < MFW_CFG_STR_MAX)
			continue;
		mfw_err("state directory %s is too long for [module %s]'s, %s/%s/%s (at most %d bytes); shorten state_dir= (or MFW_STATE_DIR, --state-dir) or the module's name",
			cfg->state_dir, cfg->modules[i].name, cfg->state_dir,
			MFW_MODULES_DIR, cfg->modules[i].name, MFW_CFG_STR_MAX - 1);
		return MFW_EXIT_CONFIG;
	}
	return MFW_EXIT_OK;
}

/* Global options, configuration, then the command: an exit code. */
static int mfw_dispatch(int argc, char **argv)
{
	const char *config = NULL, *sysfs = NULL, *state = NULL, *module = NULL;
	const struct mfw_cmd *cmd;
	struct mfw_getopt g;
	struct mfw_config cfg;
	int c, ret;

	mfw_getopt_init(&g, &mfw_global, argc, argv);
	while ((c = mfw_getopt_next(&g)) > 0) {
		switch (c) {
		case 'c':
			config = optarg;
			break;
		case OPT_SYSFS:
			sysfs = optarg;
			break;
		case OPT_STATE:
			state = optarg;
			break;
		case OPT_MODULE:
			module = optarg;
			break;
		case 'V':
			if (mfw_json)
				mfw_out_event("version", "version", MFW_VERSION, NULL);
			else
				printf("mfw %s\n", MFW_VERSION);
			return MFW_EXIT_OK;
		}
	}
	if (c < 0)
		return g.exit;
	if (optind >= argc) {
		mfw_err("no command given; see 'mfw --help'");
		return MFW_EXIT_USAGE;
	}
	cmd = mfw_cmd_find(argv[optind]);
	if (!cmd) {
		mfw_err("unknown command '%s'; see 'mfw --help'", argv[optind]);
		return MFW_EXIT_USAGE;
	}
	if (cmd->fn == mfw_cmd_help_run)
		return cmd->fn(NULL, argc - optind, argv + optind);
	/* Help needs no configuration: one that is broken or unreadable too. */
	for (c = optind + 1; c < argc && strcmp(argv[c], "--"); c++) {
		if (!strcmp(argv[c], "--help") || !strcmp(argv[c], "-h")) {
			char *help[] = { "help", argv[optind], NULL };

			return mfw_cmd_help_run(NULL, 2, help);
		}
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
	ret = mfw_cli_state_fits(&cfg);
	if (ret)
		return ret;
	if (module) {
		ret = mfw_config_use_module(&cfg, module);
		if (ret == -ENOENT) {
			mfw_err("--module %s: the configuration (%s) has no [module %s] section; see mfw.conf(5)",
				module, *cfg.file ? cfg.file : "defaults only", module);
			return MFW_EXIT_CONFIG;
		}
		if (ret) {
			mfw_err("--module %s: %s/%s/%s: %s; shorten state_dir=",
				module, cfg.state_dir, MFW_MODULES_DIR, module, strerror(-ret));
			return MFW_EXIT_CONFIG;
		}
	}
	return cmd->fn(&cfg, argc - optind, argv + optind);
}

int mfw_cli_module(struct mfw_config *cfg, const char *port)
{
	struct mfw_port p;

	if (!cfg->n_modules)
		return MFW_EXIT_OK;
	if (!port || !*port)
		port = cfg->port;
	if ((!port || !*port) && !*cfg->module) {
		if (mfw_port_find(cfg->sysfs_root, NULL, &p))
			return MFW_EXIT_OK;
		port = p.tty;
	}
	if (!port || !*port)
		return MFW_EXIT_OK;	/* --module, and no port named yet */
	return mfw_module_select(cfg, port);
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

/*
 * Why "mfw power VERB" could not take a line: who holds which, as gpioinfo
 * names the holder (mfw_gpio_owner()).  The verb's own lines are looked
 * at, the one it drives first: PWRKEY for on and off, RESET for reset,
 * then STATUS, which all of them read.  mfw itself holds the lines during
 * an upgrade, which ends; a kernel driver (a gpio-hog, gpio-regulator,
 * rfkill-gpio) keeps its line for good.
 */
static void mfw_power_busy(const char *verb, const struct mfw_config *cfg)
{
	bool reset = !strcmp(verb, "reset");
	const struct mfw_line_cfg *lines[] = {
		reset ? &cfg->reset : &cfg->pwrkey, &cfg->status,
	};
	const char *keys[] = { reset ? "reset" : "pwrkey", "status" };
	char owner[64];
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		if (!*lines[i]->spec ||
		    mfw_gpio_owner(lines[i]->spec, owner, sizeof(owner)) ||
		    !*owner)
			continue;
		if (!strcmp(owner, MFW_GPIO_CONSUMER))
			mfw_err("power %s: GPIO line %s (%s=) is held by another program, mfw (an upgrade in progress?); wait for it to end",
				verb, lines[i]->spec, keys[i]);
		else
			mfw_err("power %s: GPIO line %s (%s=) is held by \"%s\" (gpioinfo shows it), a kernel driver or another program, so mfw cannot use it: switch the module through that owner, or give %s= a line nothing else holds",
				verb, lines[i]->spec, keys[i], owner, keys[i]);
		return;
	}
	mfw_err("power %s: a line was held by another program as mfw asked for it, and is free now; see gpioinfo and try again",
		verb);
}

int mfw_cmd_power(struct mfw_config *cfg, int argc, char **argv)
{
	struct mfw_getopt g;
	bool blind = false;
	const char *verb;
	int c, ret;

	mfw_getopt_init(&g, mfw_cmd_find("power"), argc, argv);
	while ((c = mfw_getopt_next(&g)) > 0)
		if (c == 'b')
			blind = true;
	if (c < 0)
		return g.exit;
	if (optind != argc - 1)
		return mfw_bad_usage("power", "give one of on, off, reset, status");
	/* The lines of the section of port= (or of the only port attached). */
	ret = mfw_cli_module(cfg, NULL);
	if (ret)
		return ret;
	verb = argv[optind];
	if (!strcmp(verb, "status")) {
		ret = mfw_power_status(cfg);
		if (ret < 0) {
			mfw_err("cannot read the status line %s: %s; set status= in the configuration%s",
				cfg->status.spec, mfw_gpio_strerror(ret),
				cfg->n_modules && !*cfg->module ?
				", or name the module whose line it is with --module NAME" : "");
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
		mfw_err("power %s: a GPIO line (%s, %s, %s) does not exist; set pwrkey=, reset=, status= in the configuration%s (or --blind without a status line)",
			verb, cfg->pwrkey.spec, cfg->reset.spec, cfg->status.spec,
			cfg->n_modules && !*cfg->module ?
			", or name the module whose lines they are with --module NAME" : "");
		break;
	case -EBUSY:
		mfw_power_busy(verb, cfg);
		break;
	case -ETIMEDOUT:
		mfw_err("power %s: STATUS did not follow within %ld ms; check the wiring and the active_low settings",
			verb, cfg->status_timeout_ms);
		break;
	default:
		/* -ENOTUNIQ among others: the text says which lines. */
		mfw_err("power %s: %s", verb, mfw_gpio_strerror(ret));
	}
	return MFW_EXIT_GPIO;
}

/*
 * The options of upgrade and resume, each command taking those of its
 * table.  -1 when the command goes on, else the exit code to return at
 * once (0 after --help).
 */
static int mfw_upgrade_args(const char *cmd, int argc, char **argv,
			    struct mfw_upgrade_opts *o)
{
	struct mfw_getopt g;
	bool force = false;
	int c;

	memset(o, 0, sizeof(*o));
	o->fast_rate = -1;	/* not given: fast_rate= of the configuration */
	mfw_getopt_init(&g, mfw_cmd_find(cmd), argc, argv);
	while ((c = mfw_getopt_next(&g)) > 0) {
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
			force = true;
			break;
		case OPT_IGN_BATTERY:
			o->allow |= MFW_ALLOW_LOW_POWER;
			break;
		case OPT_SAME:
			o->allow |= MFW_ALLOW_SAME_VERSION;
			break;
		case OPT_DOWNGRADE:
			o->allow |= MFW_ALLOW_DOWNGRADE;
			break;
		case OPT_START_OVER:
			o->allow |= MFW_ALLOW_START_OVER;
			break;
		case OPT_IGN_MM:
			o->allow |= MFW_ALLOW_BUSY_MM;
			break;
		case OPT_IGN_LINES:
			o->allow |= MFW_ALLOW_NO_LINES;
			break;
		case OPT_DRY_RUN:
			o->dry_run = true;
			break;
		case OPT_AUTO:
			o->automatic = true;
			break;
		case 'r':
			o->recover = true;
			break;
		case 't':
			if (mfw_get_seconds(cmd, optarg, &o->timeout_s))
				return MFW_EXIT_USAGE;
			break;
		case OPT_FAST_RATE:
			if (mfw_parse_long(optarg, 0, 921600, &o->fast_rate) ||
			    (o->fast_rate && (mfw_ipr_speed(o->fast_rate) == B0 ||
					      !mfw_ipr_supported(NULL, o->fast_rate)))) {
				char list[160];

				mfw_ipr_list(NULL, list, sizeof(list));
				mfw_err("%s: bad --fast-rate '%s'; give one of the modules' rates: %s",
					cmd, optarg, list);
				return MFW_EXIT_USAGE;
			}
			break;
		}
	}
	if (c < 0)
		return g.exit;
	if (force) {
		/* What --force covered before the overrides had names. */
		o->allow = MFW_ALLOW_ALL;
		mfw_warn("--force is %s at once; name the overrides you mean",
			 strcmp(cmd, "resume") ? "--ignore-battery --allow-same-version --allow-downgrade --start-over --ignore-modemmanager --ignore-power-lines"
					       : "--ignore-battery --ignore-modemmanager --ignore-power-lines");
	}
	if (optind < argc)
		o->image = argv[optind++];
	if (optind < argc)
		return mfw_bad_usage(cmd, "too many arguments");
	return -1;
}

int mfw_cmd_upgrade(struct mfw_config *cfg, int argc, char **argv)
{
	struct mfw_upgrade_opts o;
	int ret;

	ret = mfw_upgrade_args("upgrade", argc, argv, &o);
	if (ret >= 0)
		return ret;
	if ((o.automatic && (o.image || o.url)) ||
	    (!o.automatic && !o.image == !o.url))
		return mfw_bad_usage("upgrade", "give an image file, --url URL or --auto (one of them)");
	if (o.url && strlen(o.url) > 256)
		return mfw_bad_usage("upgrade", "the url is longer than 256 bytes");
	ret = mfw_cli_module(cfg, o.port);
	if (ret)
		return ret;
	return mfw_upgrade(cfg, &o);
}

#define MFW_ORPHANS_MAX	16

int mfw_cli_modules(const struct mfw_config *cfg, struct mfw_config **out)
{
	char orphans[MFW_ORPHANS_MAX][MFW_MODULE_NAME_MAX];
	struct mfw_config *all;
	int n_orph = 0, n = 1, i;

	if (!*cfg->module)
		n_orph = mfw_module_orphans(cfg, orphans, MFW_ORPHANS_MAX);
	all = calloc((size_t)(1 + cfg->n_modules + n_orph), sizeof(*all));
	if (!all) {
		*out = NULL;
		return 0;
	}
	memcpy(&all[0], cfg, sizeof(*all));
	for (i = 0; !*cfg->module && i < cfg->n_modules; i++) {
		memcpy(&all[n], cfg, sizeof(*all));
		/* (fits: mfw_cli_state_fits()) */
		if (!mfw_config_use_module(&all[n], cfg->modules[i].name))
			n++;
	}
	for (i = 0; i < n_orph; i++) {
		memcpy(&all[n], cfg, sizeof(*all));
		if (!mfw_config_use_orphan(&all[n], orphans[i]))
			n++;
	}
	*out = all;
	return n;
}

/* Whether @cfg's state directory holds a journal (anything but ENOENT). */
static bool mfw_has_journal(const struct mfw_config *cfg)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", cfg->state_dir, MFW_JOURNAL_NAME);
	return !access(path, F_OK) || errno != ENOENT;
}

/* One module's resume, named. */
static int mfw_resume_one(const struct mfw_config *one,
			  const struct mfw_upgrade_opts *o)
{
	if (mfw_config_orphan(one))
		mfw_warn("%s holds the journal of a [module %s] the configuration has no more: finishing it with the global settings",
			 one->state_dir, one->module);
	else if (*one->module)
		mfw_info("[module %s]: its journal", one->module);
	return mfw_resume(one, o);
}

/*
 * "mfw resume" on a board with [module] sections (or state left by some),
 * no module named: every module's journal at once, each in a child of its
 * own, so that a module that takes its upgrade_timeout to come back holds
 * up no other (mfw-resume.service runs at boot, before the ports are
 * held).  A stop signal is passed on to each child, which honours it at
 * its next safe point.  The first module's failure (in the order of
 * mfw_cli_modules()) is the exit code, after all have ended.
 */
static int mfw_resume_each(const struct mfw_config *cfg,
			   const struct mfw_upgrade_opts *o)
{
	struct mfw_config *all;
	pid_t pid[1 + MFW_MODULES_MAX + MFW_ORPHANS_MAX];
	int ret[1 + MFW_MODULES_MAX + MFW_ORPHANS_MAX];
	int n, i, live = 0, only = -1, worst = MFW_EXIT_OK, sig = 0, st;

	n = mfw_cli_modules(cfg, &all);
	if (!n) {
		mfw_err("resume: out of memory");
		return MFW_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		pid[i] = 0;
		ret[i] = MFW_EXIT_OK;
		if (mfw_has_journal(&all[i])) {
			only = only < 0 ? i : -2;
			pid[i] = -1;	/* to run */
		}
	}
	if (only == -1) {
		mfw_info("no upgrade to resume");
		free(all);
		return MFW_EXIT_OK;
	}
	if (only >= 0) {
		i = mfw_resume_one(&all[only], o);
		free(all);
		return i;
	}
	if (mfw_sig_init()) {
		free(all);
		return MFW_EXIT_FAIL;
	}
	for (i = 0; i < n; i++) {
		if (pid[i] != -1)
			continue;
		fflush(NULL);
		pid[i] = fork();
		if (pid[i] == 0) {
			/* Whole lines: the children share standard output. */
			setvbuf(stdout, NULL, _IOLBF, 0);
			st = mfw_resume_one(&all[i], o);
			fflush(NULL);
			_exit(st);
		}
		if (pid[i] < 0) {
			mfw_err("resume: cannot start a process for %s: %s; run 'mfw --module %s resume'",
				all[i].state_dir, strerror(errno),
				*all[i].module ? all[i].module : "...");
			ret[i] = MFW_EXIT_FAIL;
			continue;
		}
		live++;
	}
	while (live > 0) {
		pid_t done = waitpid(-1, &st, sig ? 0 : WNOHANG);

		if (done > 0) {
			for (i = 0; i < n; i++) {
				if (pid[i] != done)
					continue;
				ret[i] = WIFEXITED(st) ? WEXITSTATUS(st) : MFW_EXIT_FAIL;
				pid[i] = 0;
				live--;
			}
			continue;
		}
		if (done < 0 && errno != EINTR)
			break;
		if (!sig && mfw_sig_sleep(200) == -EINTR) {
			/* Each child stops at its own next safe point. */
			sig = mfw_sig_pending();
			for (i = 0; i < n; i++)
				if (pid[i] > 0)
					kill(pid[i], sig);
		}
	}
	for (i = 0; i < n; i++)
		if (ret[i] && !worst)
			worst = ret[i];
	free(all);
	return worst;
}

int mfw_cmd_resume(struct mfw_config *cfg, int argc, char **argv)
{
	struct mfw_upgrade_opts o;
	int ret;

	ret = mfw_upgrade_args("resume", argc, argv, &o);
	if (ret >= 0)
		return ret;
	if (o.image)
		return mfw_bad_usage("resume", "takes no image (the journal names it)");
	if (*cfg->module || (o.port && *o.port)) {
		ret = mfw_cli_module(cfg, o.port);
		return ret ? ret : mfw_resume(cfg, &o);
	}
	return mfw_resume_each(cfg, &o);
}
