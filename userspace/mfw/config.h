/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - the configuration file (/etc/mfw/mfw.conf), key=value lines:
 * the global keys, then one [module NAME] section per module of a board
 * with several, each matched to its port and holding that module's own
 * settings (mfw.conf(5)).
 */
#ifndef MFW_CONFIG_H
#define MFW_CONFIG_H

#include <stdbool.h>

#define MFW_CONFIG_FILE		"/etc/mfw/mfw.conf"
/* Set by the build (meson.options: state_dir, firmware_dir). */
#ifndef MFW_STATE_DIR
#define MFW_STATE_DIR		"/var/lib/mfw"
#endif
#ifndef MFW_FIRMWARE_DIR
#define MFW_FIRMWARE_DIR	"/lib/firmware/mfw"
#endif
#define MFW_CFG_STR_MAX		256
/* Sections: at most this many, names 1..32 of [A-Za-z0-9_-]. */
#define MFW_MODULES_MAX		8
#define MFW_MODULE_NAME_MAX	33
/* A section's settings as "key=value\n" text. */
#define MFW_MODULE_SETS_MAX	2048
/* A module's state: <state_dir>/modules/<name>/. */
#define MFW_MODULES_DIR		"modules"

/* A GPIO line: a line name, or "<chip>:<offset>" (chip name, path or number). */
struct mfw_line_cfg {
	char spec[MFW_CFG_STR_MAX];
	bool active_low;
};

/*
 * One [module NAME] section.  @match says which port is this module's:
 * "usb:<devpath>" (the USB device's kernel name, "1-1.2"), "tty:<name>"
 * (the tty's kernel name, "ttyS1") or "of:<path>" (the UART's device-tree
 * node, "/soc/serial@2800"); empty, the section's port= instead.  @sets
 * are the section's other settings, applied over the global ones when the
 * module is the one in use (mfw_config_use_module()).
 */
struct mfw_module_cfg {
	char name[MFW_MODULE_NAME_MAX];
	char match[MFW_CFG_STR_MAX];
	char port[MFW_CFG_STR_MAX];
	char sets[MFW_MODULE_SETS_MAX];
	int line;			/* of its header in the file */
};

struct mfw_config {
	char file[MFW_CFG_STR_MAX];	/* the file read; empty: defaults only */
	char port[MFW_CFG_STR_MAX];	/* tty of the module's AT port */
	long speed;			/* baud rate set by attach */
	char pubkey[MFW_CFG_STR_MAX];	/* PEM public key; empty: none */
	char firmware_dir[MFW_CFG_STR_MAX];
	char state_dir[MFW_CFG_STR_MAX];
	char sysfs_root[MFW_CFG_STR_MAX];
	struct mfw_line_cfg pwrkey;
	struct mfw_line_cfg reset;
	struct mfw_line_cfg status;
	long pwrkey_on_ms;		/* 2000..3500 */
	long pwrkey_off_ms;		/* 3500..4000 */
	long reset_ms;			/* >= 300 */
	long vbat_settle_ms;		/* >= 100 before a pulse */
	long status_timeout_ms;		/* wait for STATUS to follow */
	bool power_lines_shared;	/* PWRKEY/RESET held elsewhere is fine */
	long battery_min;		/* percent, 0..100 */
	long ready_timeout_s;		/* +MATREADY / answer after attach */
	long reboot_timeout_s;		/* one reboot of the module */
	long upgrade_timeout_s;		/* whole upgrade after the trigger */
	long download_timeout_s;	/* remote download */
	long download_quiet_s;		/* silence before asking how it stands */
	long mm_wait_s;			/* ModemManager to list a new port */
	long chunk;			/* bytes per write() to /dev/mfwN */
	long fast_rate;			/* bit/s of the transfer on a UART, 0: speed= */
	/* The board's modules, when the file has sections. */
	int n_modules;
	struct mfw_module_cfg modules[MFW_MODULES_MAX];
	/* The section in use; empty: the global settings (state_dir as is). */
	char module[MFW_MODULE_NAME_MAX];
};

/*
 * Whether @dir may be firmware_dir= or state_dir=: an absolute path of
 * printable ASCII without spaces, quotes or backslashes, shorter than
 * MFW_CFG_STR_MAX, so that a systemd unit can name it as it is
 * (systemd.unit(5): unit files split at spaces and unquote and unescape
 * some settings).  0, -EINVAL or -ERANGE.
 */
int mfw_config_dir_ok(const char *dir);

/* Built-in defaults. */
void mfw_config_defaults(struct mfw_config *cfg);

/*
 * Apply one "key=value" setting.  Returns 0, -ENOENT for an unknown key,
 * -EINVAL/-ERANGE for a bad value.
 */
int mfw_config_set(struct mfw_config *cfg, const char *key, const char *value);

/*
 * Read a configuration file on top of @cfg.  A missing file is fine when
 * @optional.  Returns 0, or -errno with a message naming file and line.
 */
int mfw_config_load(struct mfw_config *cfg, const char *path, bool optional);

/*
 * Call @fn with every key of the configuration file and its effective
 * value as text ("true"/"false" for switches), in the order mfw.conf(5)
 * lists them.
 */
void mfw_config_each(const struct mfw_config *cfg,
		     void (*fn)(void *ctx, const char *key, const char *value),
		     void *ctx);

/*
 * Use section @name: its settings over the global ones, and its own state
 * directory, <state_dir>/modules/<name> (its journal, lock, history and
 * transcript), so that each module upgrades under its own lock.  Call
 * once, after every override of state_dir.  0, -ENOENT (no such section),
 * -ENAMETOOLONG (the state directory's path is too long), -EALREADY
 * (another section is in use).
 */
int mfw_config_use_module(struct mfw_config *cfg, const char *name);

/*
 * Use the state directory <state_dir>/modules/<name> that no section
 * names any more (a section renamed or removed while its module's upgrade
 * was unfinished), with the global settings, so that its journal can
 * still be finished.  0, -EINVAL (not a module name, or a section has
 * it), -ENAMETOOLONG, -EALREADY (a module is in use).
 */
int mfw_config_use_orphan(struct mfw_config *cfg, const char *name);

/* Whether the state directory in use is such an orphan's. */
bool mfw_config_orphan(const struct mfw_config *cfg);

/*
 * Whether @match may be a section's match=: "usb:", "tty:" or "of:"
 * followed by printable ASCII without spaces.  0 or -EINVAL.
 */
int mfw_config_match_ok(const char *match);

/* Environment overrides: MFW_SYSFS_ROOT, MFW_STATE_DIR. */
void mfw_config_env(struct mfw_config *cfg);

#endif /* MFW_CONFIG_H */
