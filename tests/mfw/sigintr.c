// SPDX-License-Identifier: GPL-2.0-only
/*
 * LD_PRELOAD library for tests/mfw/test_swupdate.py: gives the process
 * what SWUpdate gives its handlers, signals whose handlers are installed
 * without SA_RESTART, so that a blocking read() returns EINTR.  SIGALRM
 * every MFW_SIGINTR_US microseconds (default 2000); at exit the number of
 * signals taken goes to the file MFW_SIGINTR_COUNT names.  The variables
 * are removed from the environment, so that children do not load it.
 * The timer outlives an exec: preload this into the program under test
 * itself, not into a wrapper that execs it.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

static volatile sig_atomic_t taken;
static char count_path[4096];

static void on_alarm(int sig)
{
	(void)sig;
	taken++;
}

__attribute__((constructor)) static void sigintr_start(void)
{
	const char *us = getenv("MFW_SIGINTR_US");
	const char *path = getenv("MFW_SIGINTR_COUNT");
	struct sigaction sa;
	struct itimerval it;
	long period = us ? strtol(us, NULL, 10) : 2000;

	if (path)
		snprintf(count_path, sizeof(count_path), "%s", path);
	unsetenv("LD_PRELOAD");
	unsetenv("MFW_SIGINTR_US");
	unsetenv("MFW_SIGINTR_COUNT");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;	/* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	if (period <= 0 || period > 1000000)
		period = 2000;
	it.it_interval.tv_sec = 0;
	it.it_interval.tv_usec = period;
	it.it_value = it.it_interval;
	setitimer(ITIMER_REAL, &it, NULL);
}

__attribute__((destructor)) static void sigintr_stop(void)
{
	struct itimerval off;
	FILE *f;

	memset(&off, 0, sizeof(off));
	setitimer(ITIMER_REAL, &off, NULL);
	if (!*count_path)
		return;
	f = fopen(count_path, "w");
	if (f) {
		fprintf(f, "%d\n", (int)taken);
		fclose(f);
	}
}
