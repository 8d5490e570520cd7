// SPDX-License-Identifier: GPL-2.0
/*
 * mfw helper - the upgrade transcript.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "trace.h"
#include "util.h"

static FILE *trace_file;
static char trace_path[PATH_MAX];

int mfw_trace_open(const char *dir, int append)
{
	mfw_trace_close();
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return -errno;
	snprintf(trace_path, sizeof(trace_path), "%s/%s", dir, MFW_TRACE_NAME);
	trace_file = fopen(trace_path, append ? "ae" : "we");
	return trace_file ? 0 : -errno;
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
