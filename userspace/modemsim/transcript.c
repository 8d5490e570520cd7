// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - timestamped log of both directions of the wire.
 *
 * One record per line: "<seconds>.<microseconds> <dir> <bytes>", where dir
 * is '<' for bytes from the host, '>' for bytes to the host and '*' for an
 * event of the simulator (reboot, fault, ...). Bytes are printable ASCII
 * as is, and \r, \n, \\ and \xHH otherwise.
 */
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "sim.h"

static FILE *transcript;

int transcript_open(const char *path)
{
	transcript = fopen(path, "a");
	return transcript ? 0 : -1;
}

static void stamp(char dir)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	fprintf(transcript, "%lld.%06ld %c ", (long long)ts.tv_sec,
		ts.tv_nsec / 1000, dir);
}

void transcript_log(char dir, const void *buf, size_t len)
{
	const unsigned char *b = buf;

	if (!transcript || !len)
		return;
	stamp(dir);
	for (size_t i = 0; i < len; i++) {
		if (b[i] == '\r')
			fputs("\\r", transcript);
		else if (b[i] == '\n')
			fputs("\\n", transcript);
		else if (b[i] == '\\')
			fputs("\\\\", transcript);
		else if (b[i] >= 0x20 && b[i] < 0x7f)
			fputc(b[i], transcript);
		else
			fprintf(transcript, "\\x%02x", b[i]);
	}
	fputc('\n', transcript);
	fflush(transcript);
}

void transcript_event(const char *fmt, ...)
{
	va_list ap;

	if (!transcript)
		return;
	stamp('*');
	va_start(ap, fmt);
	vfprintf(transcript, fmt, ap);
	va_end(ap);
	fputc('\n', transcript);
	fflush(transcript);
}

void transcript_close(void)
{
	if (transcript)
		fclose(transcript);
	transcript = NULL;
}
