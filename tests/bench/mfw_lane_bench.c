// SPDX-License-Identifier: GPL-2.0-only
/*
 * make bench, the faster UART lane: one package written by mfw upgrade over
 * the guest's real 8250 UART to the bench's simulated module on the host
 * (tests/vm/uart-bench.py), once at the board's 115200 and once with
 * --fast-rate 921600, for the transparent path (ML307R-DC) and the hex
 * path (MN316).
 *
 * Timed: from mfw's start to the module's state turning "upgrading" (the
 * trigger, which the lane sends only after both ends are back at 115200),
 * so the rate switches, the probes and the transfer are all inside.  The
 * module verified each package (its digest, else no upgrade) and runs the
 * new version at the end, or the row says FAILED.
 *
 * Usage: mfw_lane_bench [KIB]   (default 1024)
 * Output: TAP lines per run, then a table framed by "BENCH table begin" /
 * "BENCH table end".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "mfw_port.h"
#include "rig.h"

#define LOG	"/tmp/mfw-lane-bench.log"
#define IMAGE	"/tmp/mfw-lane-bench.bin"
/* A bound on one row: 1 MiB in hex at 115200 takes about 200 s. */
#define RUN_TIMEOUT_MS	(8 * 60 * 1000)

struct row {
	const char *path;	/* "transparent", "hex" */
	const char *model;
	long fast;		/* 0: at the board's rate */
	double secs;
	bool ok;
};

static int ntap;

static pid_t mfw_start(long fast)
{
	char rate[16];
	const char *const args[] = { "upgrade", IMAGE, "--port",
				     port_uart_tty(), "--fast-rate", rate,
				     "--timeout", "3600", NULL };

	snprintf(rate, sizeof(rate), "%ld", fast);
	unlink(LOG);
	return port_mfw_start(LOG, "/tmp/mfw-lane-bench-state", args);
}

static void run(struct row *r, size_t kib, unsigned int seed)
{
	static const char *const extra[] = { "--rate 115200", NULL };
	struct mfw_port_rig rig;
	char state[32], version[64];
	long long t0, t1 = 0, end;
	int status = -1, ret;
	pid_t pid;

	snprintf(version, sizeof(version), "%s-MBRH0S02",
		 !strcmp(r->model, "MN316") ? "MN316-DBRS" : r->model);
	r->ok = false;
	ret = port_up_uart_model(&rig, r->model, extra);
	if (ret) {
		printf("# %s: the module did not come up on %s (%d)\n", r->model,
		       port_uart_tty(), ret);
		goto out;
	}
	if (port_make_image(IMAGE, kib * 1024, version, seed)) {
		printf("# cannot write %s\n", IMAGE);
		goto out;
	}
	if (system("rm -rf /tmp/mfw-lane-bench-state"))
		printf("# cannot clear the state directory\n");
	t0 = rig_now_ms();
	pid = mfw_start(r->fast);
	if (pid < 0) {
		printf("# cannot start mfw: %s\n", strerror(-pid));
		goto out;
	}
	end = t0 + RUN_TIMEOUT_MS;
	while (rig_now_ms() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		if (!t1 && rig_port_attr(rig.path, "state", state,
					 sizeof(state)) > 0 &&
		    (!strcmp(state, "upgrading") || !strcmp(state, "rebooting")))
			t1 = rig_now_ms();
		usleep(10000);
	}
	if (rig_now_ms() >= end) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
	}
	r->secs = t1 ? (t1 - t0) / 1000.0 : 0;
	r->ok = t1 && WIFEXITED(status) && !WEXITSTATUS(status) &&
		rig_file_contains(LOG, "done: ") &&
		(!r->fast || rig_file_contains(LOG, "back at the board's"));
	if (!r->ok)
		rig_dump_file(stdout, LOG, "writing  ");
out:
	printf("%sok %d %s/%ld: %.2f s\n", r->ok ? "" : "not ", ++ntap, r->path,
	       r->fast ? r->fast : 115200, r->secs);
	fflush(stdout);
	port_down(&rig);
}

int main(int argc, char **argv)
{
	struct row rows[] = {
		{ .path = "transparent", .model = "ML307R-DC", .fast = 0 },
		{ .path = "transparent", .model = "ML307R-DC", .fast = 921600 },
		{ .path = "hex", .model = "MN316", .fast = 0 },
		{ .path = "hex", .model = "MN316", .fast = 921600 },
	};
	size_t kib = argc > 1 ? strtoul(argv[1], NULL, 10) : 1024;
	bool all = true;
	size_t i;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!port_uart_bench()) {
		printf("1..0 # SKIP no UART module bench (MFW_UART_BENCH)\n");
		return 0;
	}
	if (!kib || kib > 16384) {
		fprintf(stderr, "mfw_lane_bench: KIB must be 1..16384\n");
		return 2;
	}
	printf("TAP version 13\n1..%zu\n", sizeof(rows) / sizeof(rows[0]));
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		run(&rows[i], kib, 40 + i);

	printf("BENCH table begin\n");
	printf("%-12s %-10s %8s %9s %11s %8s\n", "path", "module", "lane",
	       "seconds", "line-bound", "speed-up");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		struct row *r = &rows[i];
		/* The package's time at 115200 on the wire (hex: twice). */
		double bound = kib * 1024.0 * 10 / 115200 *
			       (!strcmp(r->path, "hex") ? 2 : 1);
		const struct row *slow = r->fast ? &rows[i - 1] : NULL;
		char up[16] = "-", secs[16] = "FAILED";

		if (slow && slow->ok && r->ok && r->secs > 0)
			snprintf(up, sizeof(up), "%.2f", slow->secs / r->secs);
		if (r->ok)
			snprintf(secs, sizeof(secs), "%.1f", r->secs);
		all &= r->ok;
		printf("%-12s %-10s %8s %9s %11.1f %8s\n", r->path, r->model,
		       r->fast ? "921600" : "off", secs, bound, up);
	}
	printf("BENCH table end\n");
	return all ? 0 : 1;
}
