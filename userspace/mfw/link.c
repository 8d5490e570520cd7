// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - attach, hold, lose and find again the module's tty.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "link.h"
#include "sig.h"
#include "util.h"

/* Re-check for the tty this often even without uevents. */
#define MFW_LINK_RETRY_MS	500
/*
 * With an mfw module older than the helper loaded (the package upgraded,
 * the module not reloaded yet), the tty's input fills n_tty's 4 KiB
 * buffer when nobody reads it, and the module stops seeing the module's
 * reports.  Then, as helpers before did, input waiting past this many
 * bytes is thrown away.  A reader such as ModemManager keeps the buffer
 * far below it; a slower reader can lose an answer, which is why the
 * current module keeps no input that no file can read instead
 * (mfw_ldisc_has_reader() in kernel/mfw_ldisc.c) and the link holds the
 * port write-only.
 */
#define MFW_LINK_DISCARD_ABOVE	2048

void mfw_link_init(struct mfw_link *l, const char *path, long speed,
		   const char *sysfs_root)
{
	memset(l, 0, sizeof(*l));
	snprintf(l->path, sizeof(l->path), "%s", path);
	snprintf(l->sysfs_root, sizeof(l->sysfs_root), "%s", sysfs_root);
	l->speed = speed;
	l->fd = -1;
	l->drain_fd = -1;
}

static bool mfw_link_is_refused(const struct mfw_link *l, const char *found)
{
	int i;

	for (i = 0; i < l->n_refused; i++)
		if (!strcmp(l->refused[i], found))
			return true;
	return false;
}

/* The port at l->node was located, with identity @found. */
static int mfw_link_found(struct mfw_link *l, const char *found, bool moved)
{
	if (moved && (!l->moved || strcmp(l->found, found)))
		mfw_info("%s: the module's USB IDs, serial number and interface on another USB path: %s; its IMEI decides whether it is the module",
			 l->path, found);
	snprintf(l->found, sizeof(l->found), "%s", found);
	l->moved = moved;
	return mfw_tty_name(l->node, l->tty, sizeof(l->tty));
}

int mfw_link_locate(struct mfw_link *l)
{
	char ident[MFW_IDENT_MAX];
	int ret;

	if (*l->ident) {
		/* A USB port is found where it is plugged in, whatever its name now. */
		ret = mfw_link_is_refused(l, l->ident) ? -ENOENT :
		      mfw_tty_by_identity(l->ident, l->node, sizeof(l->node));
		if (!ret) {
			l->other_said = false;
			return mfw_link_found(l, l->ident, false);
		}
		if (ret == -EXDEV && !l->other_said) {
			l->other_said = true;
			mfw_info("%s: the USB port has a device that is not the module's AT port now (another product ID or serial number: a boot or download mode, or another device); sending it nothing, waiting for the module itself",
				 l->path);
		}
		/* Elsewhere: another bus number after a boot, another port. */
		if (l->follow_moves &&
		    !mfw_tty_by_module(l->ident, l->refused, l->n_refused, ident,
				       sizeof(ident), l->node, sizeof(l->node)))
			return mfw_link_found(l, ident, true);
		return -ENOENT;
	}
	snprintf(l->node, sizeof(l->node), "%s", l->path);
	ret = mfw_tty_name(l->node, l->tty, sizeof(l->tty));
	if (ret)
		return ret;
	if (!mfw_tty_identity(l->tty, ident, sizeof(ident)) && *ident) {
		memcpy(l->ident, ident, sizeof(ident));
		mfw_dbg("%s is USB port %s", l->tty, l->ident);
		return mfw_link_found(l, ident, false);
	}
	snprintf(ident, sizeof(ident), "tty:%s", l->tty);
	if (mfw_link_is_refused(l, ident))
		return -ENOENT;
	return mfw_link_found(l, ident, false);
}

void mfw_link_confirm(struct mfw_link *l)
{
	l->restore = false;	/* the module's own port: ours to keep */
	if (l->moved && strncmp(l->found, "tty:", 4) && strcmp(l->ident, l->found)) {
		snprintf(l->ident, sizeof(l->ident), "%s", l->found);
		l->relocated = true;
	}
	l->moved = false;
}

void mfw_link_refuse(struct mfw_link *l)
{
	/* Past MFW_LINK_REFUSED_MAX the oldest is forgotten. */
	if (l->n_refused == MFW_LINK_REFUSED_MAX) {
		memmove(l->refused[0], l->refused[1],
			sizeof(l->refused) - sizeof(l->refused[0]));
		l->n_refused--;
	}
	snprintf(l->refused[l->n_refused++], sizeof(l->refused[0]), "%s", l->found);
	mfw_link_drop(l);
	l->moved = false;
}

int mfw_link_attach(struct mfw_link *l)
{
	bool moved;
	int ldisc, fd, ret;

	ret = mfw_link_locate(l);
	if (ret)
		return ret;
	ldisc = mfw_ldisc_number(l->sysfs_root);
	if (ldisc < 0)
		return -ENOPKG;
	moved = l->moved;
	/*
	 * An unproven port only from n_tty, looked at on the fd that sets it
	 * raw at once: a tty open in its own cooked mode echoes what the
	 * module sends back to it.
	 */
	fd = mfw_tty_attach(l->node, l->speed, ldisc, moved);
	if (fd < 0)
		return fd;
	mfw_link_drop(l);
	l->fd = fd;
	snprintf(l->held, sizeof(l->held), "%s", l->tty);
	l->restore = moved;
	mfw_dbg("attached discipline %d to %s (%s)", ldisc, l->node, l->tty);
	if (!mfw_link_module_keeps_unread(l))
		return 0;
	l->drain_fd = open(l->node, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (l->drain_fd < 0) {
		mfw_warn("%s: cannot open it for reading (%s): with the older mfw module loaded, input nobody reads will fill it; reload the module ('modprobe -r mfw; modprobe mfw')",
			 l->tty, strerror(errno));
	} else if (!l->legacy_said) {
		l->legacy_said = true;
		mfw_info("the loaded mfw module is older than this helper: input on %s that nobody reads is thrown away past %d bytes, as before; reload the module ('modprobe -r mfw; modprobe mfw') so that no reader loses input",
			 l->tty, MFW_LINK_DISCARD_ABOVE);
	}
	return 0;
}

bool mfw_link_module_keeps_unread(const struct mfw_link *l)
{
	struct mfw_port p;
	char buf[32];

	/* No port to look at says nothing of the module: take it as current. */
	if (mfw_port_find(l->sysfs_root, l->tty, &p))
		return false;
	if (mfw_port_get(&p, "statistics/rx_unread", buf, sizeof(buf)) != -ENOENT)
		return false;
	/* The port may have gone meanwhile (a USB module re-enumerating). */
	return mfw_port_get(&p, "statistics/rx_bytes", buf, sizeof(buf)) >= 0;
}

void mfw_link_drop(struct mfw_link *l)
{
	/*
	 * An unproven port we attached goes back to n_tty: closing our fd
	 * alone leaves the discipline on while another program
	 * (ModemManager on the other module) holds it.  Its termios stay
	 * raw: those it had (a tty nobody set up echoes) would send the
	 * module's late output straight back to it.
	 */
	if (l->fd >= 0 && l->restore) {
		int disc = N_TTY;

		if (ioctl(l->fd, TIOCSETD, &disc))
			mfw_dbg("%s: back to n_tty: %s", l->tty, strerror(errno));
	}
	l->restore = false;
	if (l->fd >= 0)
		close(l->fd);
	if (l->drain_fd >= 0)
		close(l->drain_fd);
	l->fd = -1;
	l->drain_fd = -1;
}

int mfw_link_service(struct mfw_link *l, short revents, bool discard)
{
	char buf[512];
	int queued;
	ssize_t n;

	if (l->fd < 0)
		return 0;
	if (revents & (POLLHUP | POLLERR | POLLNVAL))
		return -ENODEV;
	if (!discard || l->drain_fd < 0)
		return 0;
	if (ioctl(l->drain_fd, TIOCINQ, &queued) < 0)
		return errno == EIO ? -ENODEV : 0;	/* EIO: hung up */
	if (queued < MFW_LINK_DISCARD_ABOVE)
		return 0;
	mfw_dbg("nobody reads %s: discarding %d bytes", l->tty, queued);
	while (queued > 0) {
		n = read(l->drain_fd, buf, (size_t)queued < sizeof(buf) ? (size_t)queued : sizeof(buf));
		if (n > 0) {
			queued -= (int)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		return -ENODEV;		/* EOF after hangup, EIO */
	}
	return 0;
}

bool mfw_link_removed(const struct mfw_link *l, const char *action,
		      const char *subsystem, const char *name)
{
	return !strcmp(action, "remove") && !strcmp(subsystem, "tty") &&
	       !strcmp(name, l->tty);
}

void mfw_watch_drain(struct mfw_watch *w)
{
	char a[64], s[64], n[64];

	while (w && mfw_watch_read(w, a, s, n, sizeof(a)) > 0)
		;
}

int mfw_link_reattach(struct mfw_link *l, struct mfw_watch *w, int timeout_ms)
{
	int64_t end = mfw_now_ms() + timeout_ms;
	int last = 0;

	mfw_link_drop(l);
	for (;;) {
		struct pollfd pfd = { .fd = w ? mfw_watch_fd(w) : -1, .events = POLLIN };
		int left, ret;

		ret = mfw_link_attach(l);
		if (!ret)
			return 0;
		if (ret == -ENOPKG) {
			mfw_err("the mfw kernel module is not loaded; run 'modprobe mfw'");
			return ret;
		}
		if (ret != last)
			mfw_dbg("%s not back yet: %s", l->path, strerror(-ret));
		last = ret;
		left = (int)(end - mfw_now_ms());
		if (left <= 0)
			return -ETIMEDOUT;
		ret = mfw_poll(&pfd, 1, left < MFW_LINK_RETRY_MS ? left : MFW_LINK_RETRY_MS);
		if (ret == -EINTR)
			return ret;
		if (ret > 0)
			mfw_watch_drain(w);
	}
}
