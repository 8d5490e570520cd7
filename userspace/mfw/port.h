/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - ports: a tty with the mfw line discipline, seen through
 * <sysfs>/class/mfw/mfwN and /dev/mfwN.
 */
#ifndef MFW_PORT_H
#define MFW_PORT_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define MFW_NAME_MAX	64

struct mfw_port {
	char name[MFW_NAME_MAX];	/* "mfw0" */
	char dir[PATH_MAX];		/* <sysfs>/class/mfw/mfw0 */
	char tty[MFW_NAME_MAX];		/* "ttyACM0", "pts3" */
};

/*
 * Kernel name of the tty behind @path (symlinks followed): "/dev/ttyUSB2"
 * is "ttyUSB2", "/dev/pts/3" is "pts3".  0 or -errno.
 */
int mfw_tty_name(const char *path, char *name, size_t size);

/*
 * The node of the tty the kernel names @tty: "pts3" is /dev/pts/3
 * (drivers/tty/pty.c), anything else /dev/<tty>.  Into @node, @size bytes.
 */
void mfw_tty_node(const char *tty, char *node, size_t size);

/*
 * The kernel name ModemManager and sysfs know a port by, from @port as the
 * helper may hold it: a kernel name ("ttyUSB2") as it is, a path
 * ("/dev/ttyUSB2", a /dev/serial/by-id link) resolved like mfw_tty_name(),
 * or, when the node is gone (a module re-enumerating, a journal written
 * before a reboot), the last component of a dangling link's target or of
 * the path itself ("/dev/pts/3" gives "pts3").  Always fills @name
 * (truncated to @size, at least 1).
 */
void mfw_tty_kernel_name(const char *port, char *name, size_t size);

/*
 * The port attached to tty @tty (a kernel name); with @tty NULL or empty
 * the only port there is.  0, -ENOENT (none), -ENOTUNIQ (several and no
 * tty given).
 */
int mfw_port_find(const char *sysfs_root, const char *tty, struct mfw_port *p);

/* Read attribute @attr ("state", "digest/sha256").  Length or -errno. */
int mfw_port_get(const struct mfw_port *p, const char *attr, char *buf,
		 size_t size);

/* Write attribute @attr.  0 or -errno. */
int mfw_port_set(const struct mfw_port *p, const char *attr, const char *value);

/*
 * What keeps @p busy (EBUSY from the driver) and how to find it, for an
 * error message: another program with /dev/mfwN open or running an
 * operation, or one that holds the tty open and does not read it (the
 * driver does not take a reader's input; the kernel log names the tty).
 * Always NUL-terminated in @buf.
 */
void mfw_port_busy_hint(const struct mfw_port *p, char *buf, size_t size);

/* Path of an attribute, for poll(). */
void mfw_port_attr_path(const struct mfw_port *p, const char *attr,
			char *buf, size_t size);

/* /dev/mfwN of the port. */
void mfw_port_dev(const struct mfw_port *p, char *buf, size_t size);

/* Line discipline number of the loaded module, or -errno. */
int mfw_ldisc_number(const char *sysfs_root);

/*
 * Open @path like ldattach, but write-only (O_WRONLY|O_NOCTTY): the holder
 * reads nothing, and a tty no file can read has the driver keep none of
 * its input (mfw_ldisc_has_reader() in the kernel module).  Then raw,
 * @speed, and the line discipline @ldisc.  @only_n_tty: a tty on another
 * discipline is left alone (-EBUSY).  Returns the fd or -errno.
 */
int mfw_tty_attach(const char *path, long speed, int ldisc, bool only_n_tty);

#endif /* MFW_PORT_H */
