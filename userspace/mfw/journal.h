/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - the upgrade journal (<state_dir>/journal): where an upgrade
 * stands, so "mfw resume" can finish it or recover after a crash or a power
 * cut.  key=value lines ending with a checksum line; replaced atomically on
 * every step (tmp file, fsync, rename, fsync of the directory).
 */
#ifndef MFW_JOURNAL_H
#define MFW_JOURNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "manifest.h"
#include "udev.h"

#define MFW_JOURNAL_NAME	"journal"
#define MFW_JOURNAL_FORMAT	1
#define MFW_JSTR		256
/* An IMEI: 15 digits and a NUL (3GPP TS 23.003 6.2.1). */
#define MFW_IMEI_SIZE		16
/* Largest journal text (every field full fits). */
#define MFW_JOURNAL_MAX		8192

/* Steps of an upgrade, in order. */
enum mfw_phase {
	MFW_PHASE_NONE,		/* no upgrade recorded */
	MFW_PHASE_PREPARED,	/* verified and checked, module untouched */
	MFW_PHASE_WRITING,	/* package going to the module */
	MFW_PHASE_DOWNLOADING,	/* the module fetches the package (url) */
	MFW_PHASE_WRITTEN,	/* package in the module, upgrade not started */
	MFW_PHASE_FLASHING,	/* upgrade triggered: the module may be flashing */
	MFW_PHASE_DONE,		/* new version confirmed */
	MFW_PHASE_FAILED,	/* the module reported a failure or did not return */
	MFW_PHASE_NR
};

struct mfw_journal {
	enum mfw_phase phase;
	char image[MFW_JSTR];		/* local image path, or empty */
	char url[MFW_JSTR];		/* remote url, or empty */
	char manifest[MFW_JSTR];
	char sha256[MFW_SHA256_HEX];
	uint64_t size;
	char port[MFW_JSTR];		/* tty path as configured */
	/*
	 * The AT port's USB identity (mfw_tty_identity()), or empty; an
	 * older mfw wrote "<devpath>:<interface>" alone.
	 */
	char usbpath[MFW_IDENT_MAX];
	/*
	 * The module's IMEI (the port's imei, AT+CGSN) when the upgrade
	 * first identified it, or empty (none given; an older mfw): mfw
	 * resume touches no module with another.
	 */
	char imei[MFW_IMEI_SIZE];
	char family[MFW_VERSION_MAX];
	char from[MFW_VERSION_MAX];	/* version before the upgrade */
	char target[MFW_VERSION_MAX];	/* version expected after, or empty */
	uint64_t offset;		/* bytes acknowledged by the module */
	uint64_t inflight;		/* bytes past offset it may hold too */
	int64_t started;		/* wall-clock seconds */
	int64_t updated;
	long pid;
	/*
	 * The faster line rate of the transfer (rate.h): @rate the module's
	 * UART may run at now instead of the board's @board_rate (0: the
	 * lane is not in use), @board_ipr its AT+IPR setting to restore
	 * (0: autobaud).  All in bit/s.  @echo_off: 1 once the lane may
	 * have turned the module's echo off (ATE0), until it is on again.
	 */
	long rate;
	long board_rate;
	long board_ipr;
	long echo_off;
	char note[MFW_JSTR];		/* last event, for people */
};

const char *mfw_phase_name(enum mfw_phase phase);
/* Phase of a name, or -1. */
int mfw_phase_find(const char *name);

/* True when the module may be flashing: never cut its power then. */
bool mfw_phase_flashing(enum mfw_phase phase);

/* Text of @j with its checksum line.  Length, -EINVAL (newline in a value), -ENOSPC. */
int mfw_journal_format(const struct mfw_journal *j, char *buf, size_t size);

/* Parse journal text.  0, or -EBADMSG when corrupt (reason in @why). */
int mfw_journal_parse(const char *text, size_t len, struct mfw_journal *j,
		      char *why, size_t whylen);

/* Write @j to @dir/journal atomically (creating @dir, mode 0700).  0 or -errno. */
int mfw_journal_write(const char *dir, const struct mfw_journal *j);

/* Read @dir/journal.  0, -ENOENT when there is none, -EBADMSG when corrupt. */
int mfw_journal_read(const char *dir, struct mfw_journal *j, char *why,
		     size_t whylen);

/*
 * The upgrade is over (done, or failed with the module safe): the journal
 * becomes journal.last, so its presence always means "in flight".  0 or -errno.
 */
int mfw_journal_finish(const char *dir);

/* Read the last finished upgrade (journal.last), as mfw_journal_read(). */
int mfw_journal_read_last(const char *dir, struct mfw_journal *j, char *why,
			  size_t whylen);

/* Keep a corrupt journal as journal.corrupt for inspection.  0 or -errno. */
int mfw_journal_set_aside(const char *dir);

#endif /* MFW_JOURNAL_H */
