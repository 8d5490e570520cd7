/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * TAP output and scratch directories for the mfw helper's unit tests.
 */
#ifndef MFW_TEST_TAP_H
#define MFW_TEST_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int tap_tests, tap_failures;

static void __attribute__((format(printf, 2, 3), unused))
check(int cond, const char *fmt, ...)
{
	va_list ap;

	tap_tests++;
	if (!cond)
		tap_failures++;
	printf("%s %d - ", cond ? "ok" : "not ok", tap_tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static int __attribute__((unused)) tap_done(void)
{
	printf("1..%d\n", tap_tests);
	return tap_failures ? 1 : 0;
}

/* A fresh directory under $TMPDIR; removed by tap_rmtree(). */
static __attribute__((unused)) char *tap_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	static char dir[512];

	snprintf(dir, sizeof(dir), "%s/mfw-test-XXXXXX", base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(99);
	}
	return dir;
}

static void __attribute__((unused)) tap_rmtree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "# cannot remove %s\n", dir);
}

/* Write @text to @dir/@name, creating parent directories. */
static void __attribute__((unused)) tap_put(const char *dir, const char *name, const char *text)
{
	char path[1024], cmd[1200];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	if (system(cmd) != 0)
		exit(99);
	f = fopen(path, "w");
	if (!f) {
		perror(path);
		exit(99);
	}
	fputs(text, f);
	fclose(f);
}

#endif /* MFW_TEST_TAP_H */
