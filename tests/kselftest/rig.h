/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Helpers shared by mfw's kernel selftests: ttys, the simulated modem, the
 * USB gadget, the kernel log.  Every helper that waits takes a timeout.
 */
#ifndef MFW_RIG_H
#define MFW_RIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

/* Line discipline number the loaded mfw module registered, or -1. */
int rig_ldisc_num(void);

/*
 * Make @fd's tty raw, 115200 8N1, whatever an earlier user left: a tty
 * driver keeps the termios of a line between opens.  0 or -errno.
 */
int rig_set_raw(int fd);

/* Open a tty O_RDWR|O_NOCTTY, raw, 115200 8N1.  Returns the fd or -1. */
int rig_open_tty(const char *path);

/* Attach the mfw line discipline to @fd.  Returns 0 or -errno. */
int rig_attach(int fd);

/* Create a pty pair; the master fd is returned, the slave path written. */
int rig_open_pty(char *slave, size_t len);

/*
 * Start mfw-modemsim with @argv (NULL-terminated, without the program
 * name).  When @pass_fd >= 0 it is handed to the simulator as fd 3 and
 * "--fd 3" is added.  Waits up to @timeout_ms for its ready line.
 * Returns the pid or -1.
 */
pid_t rig_sim_start(const char *const argv[], int pass_fd, int timeout_ms);

/* Stop a simulator (SIGTERM, then SIGKILL after 5 s). */
void rig_sim_stop(pid_t pid);

/* Write all of @s.  Returns 0 or -errno. */
int rig_write_str(int fd, const char *s);

/*
 * The mfw module's parameter @name (under /sys/module/mfw/parameters):
 * read into @buf of @len bytes without its newline (-ENODATA if empty,
 * -EOVERFLOW if it does not fit), or @value written whole (-EINVAL if
 * empty).  0 or -errno.
 */
int rig_param_read(const char *name, char *buf, size_t len);
int rig_param_write(const char *name, const char *value);

/*
 * Read and drop what waits to be read on @fd now, as a reader that reads
 * but does not care does: the driver never takes a reader's input, so a
 * tty the test holds open and lets fill keeps the driver's commands out
 * (-EBUSY).  The bytes dropped, or -errno.
 */
long rig_read_away(int fd);

/*
 * Read one non-empty line (CR/LF stripped) within @timeout_ms.
 * Returns its length, or -ETIMEDOUT / -errno.
 */
int rig_read_line(int fd, char *buf, size_t len, int timeout_ms);

/* Read lines until one equals @want.  Returns 0 or -ETIMEDOUT / -errno. */
int rig_expect_line(int fd, const char *want, int timeout_ms);

/*
 * Read attribute @attr (e.g. "state", "statistics/urcs") of the mfw port
 * attached to tty @path into @buf, newline stripped.  Returns its length
 * or -ENOENT when no port is attached to @path.
 */
int rig_port_attr(const char *path, const char *attr, char *buf, size_t len);

/*
 * Wait up to @timeout_ms until attribute @attr of the port on @path reads
 * @want.  A tty reader may see a line a moment before mfw, which inspects
 * only what n_tty consumed, has acted on it: a test that reads a line and
 * then the state waits here.  Returns 0, or -ETIMEDOUT with the last value
 * read in @last.
 */
int rig_port_wait_attr(const char *path, const char *attr, const char *want,
		       char *last, size_t len, int timeout_ms);

/*
 * Directory of the mfw port attached to tty @path, e.g.
 * "/sys/class/mfw/mfw0", and its device node "/dev/mfw0".  Return 0 or
 * -ENOENT.
 */
int rig_port_dir(const char *path, char *dir, size_t len);
int rig_port_node(const char *path, char *node, size_t len);

/* Write @value to attribute @attr of the port on @path.  0 or -errno. */
int rig_port_write(const char *path, const char *attr, const char *value);

/* Like rig_port_attr(), as a number; -1 on failure. */
long rig_port_num(const char *path, const char *attr);

/*
 * Wait up to @timeout_ms until the counter @attr reaches @min (see
 * rig_port_wait_attr() for why).  Returns its last value, -1 on failure.
 */
long rig_port_wait_num(const char *path, const char *attr, long min,
		       int timeout_ms);

/* A socket receiving kernel uevents, or -1. */
int rig_uevent_open(void);

/*
 * Wait up to @timeout_ms for a uevent of action @action on a device whose
 * DEVPATH ends in @devname and that carries variable @var (e.g.
 * "MFW_STATE=idle").  Returns 0 or -ETIMEDOUT.
 */
int rig_uevent_wait(int sock, const char *action, const char *devname,
		    const char *var, int timeout_ms);

/* Milliseconds on the monotonic clock. */
long long rig_now_ms(void);

/* Whether the kernel log holds a record containing @needle. */
bool rig_kmsg_contains(const char *needle);

/* /dev/kmsg opened at its end: rig_kmsg_since() reads what comes after. */
int rig_kmsg_mark(void);

/*
 * Whether a kernel log record read from @fd (rig_kmsg_mark()) holds
 * @needle.  Closes @fd.
 */
bool rig_kmsg_since(int fd, const char *needle);

/*
 * Run "mfw-gadget @verb"; its first output line (the host-side tty for
 * create/plug) is copied to @out when @out is not NULL.  Returns 0 on
 * success.
 */
int rig_gadget(const char *verb, char *out, size_t len);

/*
 * The whole file @path in a malloc()ed buffer (one spare byte after it,
 * for a NUL); its length in *@len.  NULL on failure.
 */
unsigned char *rig_slurp(const char *path, size_t *len);

/* Whether the file @path holds the text @needle. */
bool rig_file_contains(const char *path, const char *needle);

/*
 * Copy the text file @path to @out as TAP diagnostics ("# | " before each
 * line), a failure's evidence; lines holding @skip (may be NULL) are left
 * out.  Nothing when the file cannot be read.
 */
void rig_dump_file(FILE *out, const char *path, const char *skip);

/*
 * Everything the host sent the module, from the simulator's transcript
 * @path: its "<" records unescaped and joined (at a low rate a command
 * spans several records).  malloc()ed and NUL-terminated, its length in
 * *@len when @len is not NULL; NULL on failure.
 */
char *rig_host_stream(const char *path, size_t *len);

/*
 * Write the package @path to /dev/mfwN @node from offset @from, in
 * pwrite()s of @chunk bytes, declaring its size first when @declare, then
 * close().  *@acked (if not NULL) follows the bytes written.  Returns 0 or
 * the first -errno of a write or of close().
 */
int rig_write_package(const char *node, const char *path, off_t from,
		      size_t chunk, bool declare, off_t *acked);

#endif /* MFW_RIG_H */
