// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - the upgrade transcript.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "trace.h"
#include "util.h"

static FILE *trace_file;
static char trace_path[PATH_MAX];

int mfw_trace_open(const char *dir, int append)
{
	struct stat st;
	int fd, ret;

	mfw_trace_close();
	ret = mfw_mkdirs(dir, 0700);
	if (ret)
		return ret;
	snprintf(trace_path, sizeof(trace_path), "%s/%s", dir, MFW_TRACE_NAME);
	/* A regular file only: a FIFO there must not hold the upgrade. */
	fd = open(trace_path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NONBLOCK |
		  (append ? O_APPEND : O_TRUNC), 0600);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    fcntl(fd, F_SETFL, append ? O_APPEND : 0) < 0) {
		close(fd);
		return -EINVAL;
	}
	trace_file = fdopen(fd, append ? "a" : "w");
	if (!trace_file) {
		close(fd);
		return -errno;
	}
	return 0;
}

void mfw_trace(const char *fmt, ...)
{
	struct timespec ts;
	va_list ap;

	if (!trace_file)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(trace_file, "%lld.%03ld ", (long long)ts.tv_sec, ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(trace_file, fmt, ap);
	va_end(ap);
	fputc('\n', trace_file);
	fflush(trace_file);
}

void mfw_trace_dump(int lines)
{
	char buf[512];
	long count = 0, skip;
	FILE *f;

	f = fopen(trace_path, "re");
	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f))
		count++;
	skip = count > lines ? count - lines : 0;
	rewind(f);
	fprintf(stderr, "%smfw: transcript (%s, last %ld lines):\n",
		mfw_log_prefix(6), trace_path, count - skip);
	while (fgets(buf, sizeof(buf), f))
		if (skip-- <= 0)
			fprintf(stderr, "%s  | %s", mfw_log_prefix(6), buf);
	fclose(f);
}

void mfw_trace_close(void)
{
	if (trace_file)
		fclose(trace_file);
	trace_file = NULL;
}
