/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - the module's tty as something that comes and goes: attach
 * the line discipline and hold the port, notice when it goes away, find it
 * again after the module re-enumerates, attach again.  Used by "mfw attach"
 * and by the upgrade.
 */
#ifndef MFW_LINK_H
#define MFW_LINK_H

#include <limits.h>
#include <stdbool.h>

#include "port.h"
#include "udev.h"

/*
 * Ports whose module proved to be another that a link remembers: more
 * modules of one model than any board carries.
 */
#define MFW_LINK_REFUSED_MAX	16

struct mfw_link {
	char path[PATH_MAX];		/* the tty as configured */
	char node[PATH_MAX];		/* device node used at the last attach */
	char tty[MFW_NAME_MAX];		/* its kernel name */
	char ident[MFW_IDENT_MAX];	/* USB identity, empty for other ttys */
	/*
	 * What mfw_link_locate() found last: the port's USB identity (or
	 * "tty:<name>" for another tty), and whether it was found only by
	 * the module's IDs and serial number on another USB path than
	 * @ident's.  Such a port is not proven to be the module until
	 * mfw_link_confirm().
	 */
	char found[MFW_IDENT_MAX];
	bool moved;
	/*
	 * Look for the module on another USB path when its own is empty.
	 * Only for a user that proves what it finds there (the upgrade, by
	 * the module's IMEI); mfw attach stays where the module was.
	 */
	bool follow_moves;
	/*
	 * mfw_link_confirm() took a port on another USB path for the module
	 * (its ident changed); whoever keeps something of the old place
	 * (ModemManager's inhibition) clears it once that follows.
	 */
	bool relocated;
	/* Ports never located again: their module proved to be another. */
	char refused[MFW_LINK_REFUSED_MAX][MFW_IDENT_MAX];
	int n_refused;
	char sysfs_root[PATH_MAX];
	long speed;
	int fd;				/* held tty (write-only), -1 when none */
	char held[MFW_NAME_MAX];	/* the kernel name of the tty @fd holds */
	int drain_fd;			/* read end for an older module, or -1 */
	bool other_said;		/* told that another device is at its place */
	/* @fd holds an unproven port (@moved): n_tty again when let go. */
	bool restore;
	bool legacy_said;		/* told that the module is older */
};

void mfw_link_init(struct mfw_link *l, const char *path, long speed,
		   const char *sysfs_root);

/*
 * Resolve the current node of the tty and its identity.  A USB port is
 * looked for where @l->ident says it is plugged in; when nothing is there
 * and @l->follow_moves, the same module (mfw_tty_by_module()) on another
 * USB path is taken (@l->moved): bus numbers change across boots, and a
 * module may be moved to another port.  Refused ports (mfw_link_refuse())
 * are passed over.
 * 0, -ENOENT (not there now), other -errno.
 */
int mfw_link_locate(struct mfw_link *l);

/*
 * The port located last is the module (its IMEI said so, or nothing can
 * tell it from the module): follow it from now on where it is plugged in.
 */
void mfw_link_confirm(struct mfw_link *l);

/*
 * The port located last holds another module (its IMEI is not the
 * module's): let it go and never locate it again (past
 * MFW_LINK_REFUSED_MAX refusals, the oldest is forgotten).
 */
void mfw_link_refuse(struct mfw_link *l);

/* Locate, open, set raw and speed, set the discipline.  0 or -errno. */
int mfw_link_attach(struct mfw_link *l);

/*
 * Whether the loaded mfw module keeps a tty's input even when no file can
 * read it (a module older than statistics/rx_unread).  A port not found
 * counts as a current module.
 */
bool mfw_link_module_keeps_unread(const struct mfw_link *l);

/* Let the port go (closing the last holder detaches the discipline). */
void mfw_link_drop(struct mfw_link *l);

/*
 * Call on every wake-up, the link's fd polled for no events (a hangup is
 * reported anyway) and with a timeout of a second or so.  0, or -ENODEV
 * when the tty hung up or went away.
 *
 * The current module keeps none of the input that no file can read, and
 * the link holds the port write-only, so there is nothing to throw away.
 * With an older module loaded (mfw_link_module_keeps_unread()), and
 * @discard, input that waits past half of n_tty's buffer is read and
 * thrown away, as helpers before did, since n_tty stops taking bytes, and
 * that module stops seeing them, once it is full.
 */
int mfw_link_service(struct mfw_link *l, short revents, bool discard);

/* Whether uevent (@action, @subsystem, @name) says our tty went away. */
bool mfw_link_removed(const struct mfw_link *l, const char *action,
		      const char *subsystem, const char *name);

/*
 * Wait up to @timeout_ms for the tty to exist again and attach to it
 * (@w may be NULL: polling only).  0, -ETIMEDOUT, -EINTR (signal).
 */
int mfw_link_reattach(struct mfw_link *l, struct mfw_watch *w, int timeout_ms);

/* Drain the watch's queued events without acting on them. */
void mfw_watch_drain(struct mfw_watch *w);

#endif /* MFW_LINK_H */
