// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - exit codes, messages and small file helpers.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "out.h"
#include "util.h"

int mfw_verbose;
bool mfw_json;

static const char *const mfw_exit_texts[] = {
	[MFW_EXIT_OK] = "success, or nothing to do",
	[MFW_EXIT_FAIL] = "other failure (see the message)",
	[MFW_EXIT_USAGE] = "bad command line",
	[MFW_EXIT_CONFIG] = "bad or unreadable configuration file",
	[MFW_EXIT_VERIFY] = "image, signature or manifest refused",
	[MFW_EXIT_UNSAFE] = "power check refused the upgrade (--ignore-battery overrides)",
	[MFW_EXIT_PORT] = "no mfw port, module not answering, or port busy",
	[MFW_EXIT_UPGRADE] = "the module refused or failed the upgrade",
	[MFW_EXIT_TIMEOUT] = "the module did not come back in time",
	[MFW_EXIT_INTERRUPTED] = "stopped by a signal at a safe point",
	[MFW_EXIT_GPIO] = "power, reset or status line failed",
	[MFW_EXIT_JOURNAL] = "journal unreadable, corrupt or unwritable",
};

const char *mfw_file_strerror(int err)
{
	return err == -EINVAL || err == -EISDIR ? "not a regular file" :
	       err == -EFBIG ? "too large" : strerror(-err);
}

const char *mfw_exit_text(int code)
{
	if (code < 0 || (size_t)code >= sizeof(mfw_exit_texts) / sizeof(mfw_exit_texts[0]))
		return NULL;
	return mfw_exit_texts[code];
}

/*
 * Whether standard error is the journal's stream: systemd names the
 * stream in JOURNAL_STREAM as "<device>:<inode>" (systemd.exec(5)), and
 * reads a "<N>" at the start of a line as its syslog priority
 * (SyslogLevelPrefix=, on by default).  Checked once.
 */
static bool mfw_stderr_is_journal(void)
{
	static int known = -1;
	unsigned long long dev, ino;
	const char *e;
	struct stat st;

	if (known >= 0)
		return known;
	e = getenv("JOURNAL_STREAM");
	known = e && sscanf(e, "%llu:%llu", &dev, &ino) == 2 &&
		!fstat(STDERR_FILENO, &st) &&
		(unsigned long long)st.st_dev == dev &&
		(unsigned long long)st.st_ino == ino;
	return known;
}

const char *mfw_log_prefix(int prio)
{
	static const char *const prefix[] = {
		"<0>", "<1>", "<2>", "<3>", "<4>", "<5>", "<6>", "<7>",
	};

	if (!mfw_stderr_is_journal() || prio < 0 || prio > 7)
		return "";
	return prefix[prio];
}

int mfw_quiet;

static void mfw_vlog(int prio, const char *level, const char *fmt, va_list ap)
{
	char msg[1024];

	/* While quiet, errors and warnings are the caller's to sum up. */
	if (mfw_quiet && *level) {
		if (!mfw_verbose)
			return;
		prio = 7;
		level = "";
	}
	vsnprintf(msg, sizeof(msg), fmt, ap);
	mfw_out_clear_bar();
	fprintf(stderr, "%smfw: %s%s\n", mfw_log_prefix(prio), level, msg);
	if (!mfw_json || !*level)
		return;
	mfw_out_event("log", "level", *level == 'e' ? "error" : "warning",
		      "message", msg, NULL);
	if (*level == 'e')
		mfw_out_result_str("error", msg);
}

void mfw_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mfw_vlog(3, "error: ", fmt, ap);
	va_end(ap);
}

void mfw_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mfw_vlog(4, "warning: ", fmt, ap);
	va_end(ap);
}

void mfw_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	mfw_vlog(6, "", fmt, ap);
	va_end(ap);
}

void mfw_dbg(const char *fmt, ...)
{
	va_list ap;

	if (!mfw_verbose)
		return;
	va_start(ap, fmt);
	mfw_vlog(7, "", fmt, ap);
	va_end(ap);
}

int64_t mfw_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void mfw_sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int mfw_read_text(const char *path, char *buf, size_t size)
{
	ssize_t n;
	int fd, err;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		n--;
	buf[n] = '\0';
	return (int)n;
}

int mfw_write_text(const char *path, const char *text)
{
	size_t len = strlen(text);
	ssize_t n;
	int fd, err;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, text, len);
	err = errno;
	if (close(fd) < 0 && n >= 0)
		return -errno;
	if (n < 0)
		return -err;
	return (size_t)n == len ? 0 : -EIO;
}

int mfw_read_file(const char *path, unsigned char **data, size_t *len,
		  size_t max)
{
	unsigned char *buf = NULL;
	size_t used = 0, cap = 0;
	struct stat st = { 0 };
	int fd, err = 0;

	/*
	 * O_NONBLOCK: a FIFO (or a device) must not hold the open; only a
	 * regular file is read, so that every read ends.
	 */
	if (stat(path, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	for (;;) {
		ssize_t n;

		if (used == cap) {
			unsigned char *nb;

			if (cap >= max) {
				char probe;

				/* Exactly @max bytes is fine; one more is not. */
				n = read(fd, &probe, 1);
				if (n < 0 && errno == EINTR)
					continue;
				err = n < 0 ? -errno : n ? -EFBIG : 0;
				break;
			}
			cap = cap ? cap * 2 : 65536;
			if (cap > max)
				cap = max;
			nb = realloc(buf, cap + 1);
			if (!nb) {
				err = -ENOMEM;
				break;
			}
			buf = nb;
		}
		n = read(fd, buf + used, cap - used);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		if (n == 0)
			break;
		used += n;
	}
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	if (!buf) {
		buf = malloc(1);
		if (!buf)
			return -ENOMEM;
	}
	buf[used] = '\0';
	*data = buf;
	*len = used;
	return 0;
}

static int mfw_fsync_dir(const char *path)
{
	char copy[PATH_MAX];
	int fd, ret = 0;

	snprintf(copy, sizeof(copy), "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int mfw_file_sync(const char *path)
{
	struct stat st;
	int fd, ret = 0;

	/* Non-blocking: a FIFO in a package's place must not hang us. */
	fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	if (fsync(fd) < 0 && errno != EINVAL && errno != EROFS)
		ret = -errno;
	close(fd);
	if (ret)
		return ret;
	ret = mfw_fsync_dir(path);
	return ret == -EINVAL || ret == -EROFS ? 0 : ret;
}

int mfw_mkdirs(const char *dir, mode_t mode)
{
	char path[PATH_MAX], *p;

	if (!mkdir(dir, mode) || errno == EEXIST)
		return 0;
	if (errno != ENOENT)
		return -errno;
	if (snprintf(path, sizeof(path), "%s", dir) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	for (p = strchr(path + 1, '/'); p; p = strchr(p + 1, '/')) {
		*p = '\0';
		if (mkdir(path, mode) < 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	if (mkdir(path, mode) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

int mfw_write_atomic(const char *path, const void *data, size_t len,
		     unsigned int mode)
{
	const unsigned char *p = data;
	char tmp[PATH_MAX];
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		p += n;
		len -= n;
	}
	if (!err && fsync(fd) < 0)
		err = -errno;
	if (close(fd) < 0 && !err)
		err = -errno;
	if (!err && rename(tmp, path) < 0)
		err = -errno;
	if (err) {
		unlink(tmp);
		return err;
	}
	return mfw_fsync_dir(path);
}

int mfw_parse_u64(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	*out = v;
	return 0;
}

int mfw_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
	long long v;
	char *end;

	if (!s || !*s || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno)
		return -ERANGE;
	if (*end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int mfw_parse_long(const char *s, long min, long max, long *out)
{
	int64_t v;
	int ret = mfw_parse_i64(s, min, max, &v);

	if (!ret)
		*out = (long)v;
	return ret;
}

int mfw_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on", NULL };
	static const char *const no[] = { "0", "no", "false", "off", NULL };
	int i;

	for (i = 0; yes[i]; i++)
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return 0;
		}
	for (i = 0; no[i]; i++)
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return 0;
		}
	return -EINVAL;
}

char *mfw_strip(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			 e[-1] == '\n'))
		*--e = '\0';
	return s;
}

void mfw_hex(const unsigned char *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}
