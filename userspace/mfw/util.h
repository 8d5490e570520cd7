/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - exit codes, messages and small file helpers shared by every
 * part of the program.
 */
#ifndef MFW_UTIL_H
#define MFW_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Exit codes, documented in mfw(8) and in --help. */
enum mfw_exit {
	MFW_EXIT_OK = 0,		/* done (or nothing to do) */
	MFW_EXIT_FAIL = 1,		/* any other failure */
	MFW_EXIT_USAGE = 2,		/* bad command line */
	MFW_EXIT_CONFIG = 3,		/* bad or unreadable configuration */
	MFW_EXIT_VERIFY = 4,		/* image, signature or manifest refused */
	MFW_EXIT_UNSAFE = 5,		/* power check refused (--ignore-battery overrides) */
	MFW_EXIT_PORT = 6,		/* no port, module absent or port busy */
	MFW_EXIT_UPGRADE = 7,		/* the module refused or failed the upgrade */
	MFW_EXIT_TIMEOUT = 8,		/* the module did not come back in time */
	MFW_EXIT_INTERRUPTED = 9,	/* stopped by a signal at a safe point */
	MFW_EXIT_GPIO = 10,		/* power or reset line failed */
	MFW_EXIT_JOURNAL = 11,		/* journal unreadable, corrupt or unwritable */
};

/* One line per exit code for --help and for the tests. */
const char *mfw_exit_text(int code);

/* Message verbosity and output style, set once by the command line. */
extern int mfw_verbose;
/*
 * While non-zero, mfw_err() and mfw_warn() print only with --verbose, as
 * debug lines, and do not reach --json: for a caller that reports the
 * outcome itself ("mfw status" looking through packages).
 */
extern int mfw_quiet;
extern bool mfw_json;

void mfw_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mfw_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void mfw_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * What starts a line of standard error at syslog priority @prio (3 error,
 * 4 warning, 6 info, 7 debug): "<prio>" when standard error is the
 * journal's stream (JOURNAL_STREAM, systemd.exec(5)), which systemd reads
 * as the line's priority; "" otherwise.  mfw_err() and the others use it.
 */
const char *mfw_log_prefix(int prio);
void mfw_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Milliseconds of CLOCK_MONOTONIC. */
int64_t mfw_now_ms(void);

/* Sleep @ms milliseconds, resuming after signals. */
void mfw_sleep_ms(long ms);

/*
 * Read a small text file into @buf (NUL-terminated, trailing newlines
 * stripped).  Returns the length or -errno.
 */
int mfw_read_text(const char *path, char *buf, size_t size);

/* Write @text to an existing file (a sysfs attribute).  0 or -errno. */
int mfw_write_text(const char *path, const char *text);

/*
 * Whole regular file into a malloc'd buffer (NUL-terminated, *len gets
 * the size).  0, -EFBIG beyond @max, -EISDIR or -EINVAL for a directory
 * or anything not a regular file (a FIFO is never waited on), or -errno.
 * *@data and *@len are left alone on failure.
 */
int mfw_read_file(const char *path, unsigned char **data, size_t *len,
		  size_t max);

/* Text for an error of mfw_read_file(): "not a regular file", ... */
const char *mfw_file_strerror(int err);

/*
 * Create directory @dir and any missing parent, each with @mode (a
 * module's state directory, <state_dir>/modules/<name>, may be the first
 * thing made under a fresh state_dir).  An existing @dir is fine.  0 or
 * -errno.
 */
int mfw_mkdirs(const char *dir, mode_t mode);

/*
 * Write @len bytes to @path atomically: @path.tmp, fsync, rename, fsync
 * of the directory.  0 or -errno.
 */
int mfw_write_atomic(const char *path, const void *data, size_t len,
		     unsigned int mode);

/*
 * Make a file that exists already durable: fsync(2) of @path (opened
 * read-only) and of its directory, so that a power loss cannot take the
 * file, or its name, back.  A file system that cannot sync (EINVAL) or is
 * read-only (EROFS) counts as done.  0 or -errno (EIO: the storage
 * failed to write it).
 */
int mfw_file_sync(const char *path);

/* Decimal unsigned number, whole string.  0 or -EINVAL/-ERANGE. */
int mfw_parse_u64(const char *s, uint64_t *out);
/*
 * Decimal signed number in [@min, @max], whole string: 64 bits whatever
 * the size of long (32 on armhf).  0 or -EINVAL/-ERANGE.
 */
int mfw_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);
/* mfw_parse_i64() into a long. */
int mfw_parse_long(const char *s, long min, long max, long *out);
int mfw_parse_bool(const char *s, bool *out);

/* Strip leading and trailing white space in place; returns @s moved. */
char *mfw_strip(char *s);

/* Lower-case hex of @len bytes into @out (2 * len + 1 bytes). */
void mfw_hex(const unsigned char *in, size_t len, char *out);

#endif /* MFW_UTIL_H */
