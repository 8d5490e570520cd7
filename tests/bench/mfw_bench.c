// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw_bench: run in the rig's guest by `make bench` (tests/bench/run.sh).
 *
 * A 1 MiB package goes into a simulated module over a pty, through mfw,
 * at each line rate (the simulator's --baud):
 *
 *   transparent  ML307R-DC, size declared with MFW_IOC_SET_SIZE, then
 *                write(): payload rate against the line rate baud/10.
 *   hex          MN316, plain write(): payload rate against the hex
 *                protocol's own ceiling, line rate x payload / wire bytes,
 *                a chunk's wire bytes being its AT+MFWDLOAD command, its
 *                CR and the module's "\r\nOK\r\n".
 *   shell-hex    the same AT+MFWDLOAD lines sent by a busybox sh loop
 *                (mfw-bench-shell.sh) on a plain N_TTY pty to a second
 *                simulator, without mfw: the baseline.
 *
 * ATE0 goes to the module before every transfer (what ModemManager and
 * hosts do; an echoing module would double each command's time on the
 * line).  CPU is the guest's non-idle time from /proc/stat over the
 * transfer minus the simulator's own utime+stime: the simulator is the
 * peer, not the stack.  After every transfer the simulator's stored
 * package must equal the image.
 *
 * The simulator banks up to 16 ms of line time while a direction is idle,
 * so a host's turnaround shorter than that costs nothing and the hex
 * fractions can come out slightly above 1; a guest whose simulator is not
 * scheduled for longer than that (TCG on a loaded host) loses line time.
 *
 * Usage: mfw_bench [baud...]          (default: 115200 921600)
 *        mfw_bench lines IMAGE OUT    (only write the AT+MFWDLOAD lines)
 * Prints TAP (one case per transfer: the package arrived intact) and a
 * table framed by "BENCH table begin" / "BENCH table end".
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/mfw.h>

#include "rig.h"

#define IMAGE_SIZE	(1 << 20)
#define HEX_CHUNK	512		/* MFW_HEX_CHUNK_MAX */
#define WRITE_SIZE	65536		/* bytes per write() to /dev/mfwN */
#define TARGET		0.95
#define IMAGE		"/tmp/bench-image.bin"
#define LINES		"/tmp/bench-lines.txt"
#define SHELL_LOOP	"/usr/bin/mfw-bench-shell.sh"
#define BOOT_MS		15000
#define OK_WIRE		6		/* "\r\nOK\r\n" */

struct row {
	const char *path;
	long baud;
	bool ok;		/* ran and the package arrived intact */
	double elapsed;		/* s */
	double fraction;	/* of the line rate or of the ceiling */
	const char *of;		/* "line" or "ceiling" */
	bool has_target;
	double cpu;		/* s */
	long mem_peak;		/* bytes, -1 when not mfw */
	double vs_mfw;		/* shell rows: shell time / mfw hex time */
};

static struct row rows[16];
static int nrows, ntap;
static long hz;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void tap(bool ok, const char *fmt, const char *path, long baud)
{
	printf("%sok %d %s/%ld: %s\n", ok ? "" : "not ", ++ntap, path, baud,
	       fmt);
	fflush(stdout);
}

/* Pseudo-random bytes without 'A' or 'a' (as the selftests' images). */
static int make_image(void)
{
	unsigned char *buf = malloc(IMAGE_SIZE);
	unsigned int x = 12345;
	FILE *f;
	size_t i;
	int ret = 0;

	if (!buf)
		return -1;
	for (i = 0; i < IMAGE_SIZE; i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = x >> 16;
		if (buf[i] == 'A' || buf[i] == 'a')
			buf[i] ^= 0x80;
	}
	f = fopen(IMAGE, "w");
	if (!f || fwrite(buf, 1, IMAGE_SIZE, f) != IMAGE_SIZE)
		ret = -1;
	if (f && fclose(f))
		ret = -1;
	free(buf);
	return ret;
}


/*
 * The hex path's commands for IMAGE, as mfw chunks it (512 bytes at
 * offsets 0, 512, ...; lowercase hex, quoted), one per line without CR.
 * Returns the wire bytes of all chunks (command + CR + "\r\nOK\r\n"), or
 * -1.
 */
static long long write_lines(const char *image, const char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t len = 0, off, n, i;
	unsigned char *img = rig_slurp(image, &len);
	char *line;
	long long wire = 0;
	FILE *f;
	int l;

	if (!img)
		return -1;
	line = malloc(64 + 2 * HEX_CHUNK);
	f = fopen(out, "w");
	if (!line || !f) {
		free(img);
		free(line);
		if (f)
			fclose(f);
		return -1;
	}
	for (off = 0; off < len; off += n) {
		n = len - off < HEX_CHUNK ? len - off : HEX_CHUNK;
		l = sprintf(line, "AT+MFWDLOAD=%zu,%zu,\"", off, n);
		for (i = 0; i < n; i++) {
			line[l++] = hex[img[off + i] >> 4];
			line[l++] = hex[img[off + i] & 15];
		}
		line[l++] = '"';
		line[l] = '\0';
		fprintf(f, "%s\n", line);
		wire += l + 1 + OK_WIRE;
	}
	free(img);
	free(line);
	if (fclose(f))
		return -1;
	return wire;
}

/* Non-idle jiffies of all CPUs (USER_HZ). */
static long long busy_ticks(void)
{
	unsigned long long v[10] = { 0 };
	long long busy;
	FILE *f = fopen("/proc/stat", "r");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		   &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
		   &v[8], &v[9]);
	fclose(f);
	if (n < 8)
		return -1;
	/* user nice system [idle iowait] irq softirq steal (guest is in user) */
	busy = v[0] + v[1] + v[2] + v[5] + v[6] + v[7];
	return busy;
}

/* utime + stime of @pid (USER_HZ). */
static long long proc_ticks(pid_t pid)
{
	char path[64], buf[1024], *p;
	unsigned long long ut, st;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* after "pid (comm)": state ppid pgrp sid tty tpgid flags
	 * minflt cminflt majflt cmajflt utime stime */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
			 &ut, &st) != 2)
		return -1;
	return ut + st;
}

/* The module's stored package (first pkg_len bytes) equals IMAGE. */
static bool module_holds(const char *state_file)
{
	char pkg_file[128];
	size_t ilen = 0, plen = 0, slen = 0, want = 0;
	unsigned char *img, *pkg;
	char *state, *p;
	bool ok = false;

	snprintf(pkg_file, sizeof(pkg_file), "%s.pkg", state_file);
	img = rig_slurp(IMAGE, &ilen);
	pkg = rig_slurp(pkg_file, &plen);
	state = (char *)rig_slurp(state_file, &slen);
	if (img && pkg && state) {
		state[slen] = '\0';
		p = strstr(state, "pkg_len=");
		if (p)
			want = strtoul(p + 8, NULL, 10);
		ok = want == ilen && plen >= ilen && !memcmp(img, pkg, ilen);
		if (!ok)
			printf("# module holds %zu bytes (file %zu), image %zu%s\n",
			       want, plen, ilen,
			       want == ilen ? ", contents differ" : "");
	} else {
		printf("# cannot read %s, %s or %s\n", IMAGE, state_file,
		       pkg_file);
	}
	free(img);
	free(pkg);
	free(state);
	return ok;
}

struct link {
	int tty, master;
	pid_t sim;
	char path[64];
	char state[96];
	char node[64];
	char dir[64];
};

static void link_down(struct link *k)
{
	rig_sim_stop(k->sim);
	k->sim = -1;
	if (k->tty >= 0)
		close(k->tty);
	if (k->master >= 0)
		close(k->master);
	k->tty = k->master = -1;
}

/*
 * A pty with the simulated @model (throttled to @baud) on the master and,
 * when @mfw, the discipline on the slave; up when +MATREADY came and, with
 * mfw, the module is identified; then ATE0.
 */
static int link_up(struct link *k, const char *model, long baud, bool mfw,
		   const char *tag)
{
	char b[24], pkg[112];
	const char *argv[12];
	long long end;
	char fam[64] = "unknown";
	int n = 0;

	memset(k, 0, sizeof(*k));
	k->tty = k->master = -1;
	k->sim = -1;
	snprintf(k->state, sizeof(k->state), "/tmp/bench-%s-%ld.state", tag,
		 baud);
	unlink(k->state);
	snprintf(pkg, sizeof(pkg), "%s.pkg", k->state);
	unlink(pkg);
	snprintf(b, sizeof(b), "%ld", baud);
	argv[n++] = "--model";
	argv[n++] = model;
	argv[n++] = "--state";
	argv[n++] = k->state;
	argv[n++] = "--baud";
	argv[n++] = b;
	argv[n++] = "--boot-ms";
	argv[n++] = "200";
	argv[n] = NULL;

	k->master = rig_open_pty(k->path, sizeof(k->path));
	if (k->master < 0)
		return -errno;
	k->tty = rig_open_tty(k->path);
	if (k->tty < 0)
		return -errno;
	if (mfw && rig_attach(k->tty)) {
		printf("# cannot attach mfw to %s\n", k->path);
		return -ENODEV;
	}
	k->sim = rig_sim_start(argv, k->master, BOOT_MS);
	if (k->sim < 0)
		return -ECHILD;
	if (rig_expect_line(k->tty, "+MATREADY", BOOT_MS)) {
		printf("# no +MATREADY on %s\n", k->path);
		return -ETIMEDOUT;
	}
	if (mfw) {
		end = rig_now_ms() + BOOT_MS;
		while (rig_now_ms() < end) {
			if (rig_port_attr(k->path, "family", fam,
					  sizeof(fam)) > 0 &&
			    strcmp(fam, "unknown"))
				break;
			usleep(20000);
		}
		if (!strcmp(fam, "unknown") ||
		    rig_port_dir(k->path, k->dir, sizeof(k->dir)) ||
		    rig_port_node(k->path, k->node, sizeof(k->node))) {
			printf("# mfw did not identify the module on %s\n",
			       k->path);
			return -ENXIO;
		}
	}
	/* Echo off, as hosts do; answers of earlier commands are gone. */
	tcflush(k->tty, TCIFLUSH);
	if (rig_write_str(k->tty, "ATE0\r") ||
	    rig_expect_line(k->tty, "OK", BOOT_MS)) {
		printf("# ATE0 not answered on %s\n", k->path);
		return -ETIMEDOUT;
	}
	return 0;
}

/* Write IMAGE to @node; declare its size first when @declare. */
static int mfw_write(const char *node, bool declare)
{
	return rig_write_package(node, IMAGE, 0, WRITE_SIZE, declare, NULL);
}

static int run_shell(const char *tty)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		execl("/bin/sh", "sh", SHELL_LOOP, tty, LINES, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -errno;
	return WIFEXITED(status) && !WEXITSTATUS(status) ? 0 : -EIO;
}

/*
 * One transfer: @path is "transparent", "hex" or "shell-hex".  @wire is
 * the hex path's wire bytes (for its ceiling).
 */
static struct row *bench(const char *path, long baud, long long wire)
{
	struct row *r = &rows[nrows++];
	bool transparent = !strcmp(path, "transparent");
	bool shell = !strcmp(path, "shell-hex");
	const char *model = transparent ? "ML307R-DC" : "MN316";
	long long busy0, busy1, sim0, sim1;
	double t0, t1, rate, line = baud / 10.0;
	struct link k;
	char buf[64];
	int ret;

	memset(r, 0, sizeof(*r));
	r->path = path;
	r->baud = baud;
	r->mem_peak = -1;
	r->of = transparent ? "line" : "ceiling";
	r->has_target = !shell;

	ret = link_up(&k, model, baud, !shell, path);
	if (ret) {
		printf("# %s/%ld: link setup failed (%d)\n", path, baud, ret);
		link_down(&k);
		tap(false, "link up", path, baud);
		return r;
	}

	busy0 = busy_ticks();
	sim0 = proc_ticks(k.sim);
	t0 = now_s();
	if (shell)
		ret = run_shell(k.path);
	else
		ret = mfw_write(k.node, transparent);
	t1 = now_s();
	busy1 = busy_ticks();
	sim1 = proc_ticks(k.sim);

	if (!shell &&
	    rig_port_attr(k.path, "statistics/mem_peak", buf, sizeof(buf)) > 0)
		r->mem_peak = atol(buf);
	link_down(&k);		/* SIGTERM: the simulator saves its state */

	r->elapsed = t1 - t0;
	rate = IMAGE_SIZE / r->elapsed;
	if (transparent)
		r->fraction = rate / line;
	else
		r->fraction = rate / (line * IMAGE_SIZE / (double)wire);
	if (busy0 >= 0 && busy1 >= 0 && sim0 >= 0 && sim1 >= 0)
		r->cpu = ((busy1 - busy0) - (sim1 - sim0)) / (double)hz;
	else
		r->cpu = -1;
	printf("# %s/%ld: rc %d, %.2f s, %.0f B/s, %.3f of the %s rate, cpu %.2f s (guest busy %.2f s, simulator %.2f s)\n",
	       path, baud, ret, r->elapsed, rate, r->fraction, r->of, r->cpu,
	       (busy1 - busy0) / (double)hz, (sim1 - sim0) / (double)hz);
	if (ret) {
		tap(false, "transfer failed", path, baud);
		return r;
	}
	r->ok = module_holds(k.state);
	tap(r->ok, "stored package equals the image", path, baud);
	return r;
}

static void table(void)
{
	int i;

	printf("BENCH table begin\n");
	printf("%-12s %7s %9s %11s %8s %-8s %6s %6s %8s %6s %9s %9s\n",
	       "path", "baud", "elapsed_s", "payload_B/s", "fraction", "of",
	       "target", "met", "cpu_s", "cpu_%", "mem_peak", "shell/mfw");
	for (i = 0; i < nrows; i++) {
		struct row *r = &rows[i];
		char met[8], peak[24], vs[16], tgt[8], cpu[16], pct[16];

		snprintf(tgt, sizeof(tgt), r->has_target ? "%.2f" : "-",
			 TARGET);
		if (!r->ok)
			snprintf(met, sizeof(met), "FAILED");
		else if (!r->has_target)
			snprintf(met, sizeof(met), "-");
		else
			snprintf(met, sizeof(met), "%s",
				 r->fraction >= TARGET ? "yes" : "no");
		if (r->mem_peak >= 0)
			snprintf(peak, sizeof(peak), "%ld", r->mem_peak);
		else
			snprintf(peak, sizeof(peak), "-");
		if (r->vs_mfw > 0)
			snprintf(vs, sizeof(vs), "%.3f", r->vs_mfw);
		else
			snprintf(vs, sizeof(vs), "-");
		if (r->cpu >= 0) {
			snprintf(cpu, sizeof(cpu), "%.2f", r->cpu);
			snprintf(pct, sizeof(pct), "%.1f",
				 100 * r->cpu / r->elapsed);
		} else {
			snprintf(cpu, sizeof(cpu), "?");
			snprintf(pct, sizeof(pct), "?");
		}
		printf("%-12s %7ld %9.2f %11.0f %8.3f %-8s %6s %6s %8s %6s %9s %9s\n",
		       r->path, r->baud, r->elapsed,
		       r->elapsed > 0 ? IMAGE_SIZE / r->elapsed : 0,
		       r->fraction, r->of, tgt, met, cpu, pct, peak, vs);
	}
	printf("BENCH table end\n");
}

int main(int argc, char **argv)
{
	static const long def_bauds[] = { 115200, 921600 };
	long bauds[8];
	int nb = 0, i, failed = 0;
	long long wire, busy;
	struct row *hex;

	if (argc == 4 && !strcmp(argv[1], "lines")) {
		wire = write_lines(argv[2], argv[3]);
		if (wire < 0)
			return 1;
		printf("%lld wire bytes\n", wire);
		return 0;
	}
	for (i = 1; i < argc && nb < 8; i++)
		bauds[nb++] = atol(argv[i]);
	if (!nb)
		for (i = 0; i < 2; i++)
			bauds[nb++] = def_bauds[i];

	setvbuf(stdout, NULL, _IOLBF, 0);
	hz = sysconf(_SC_CLK_TCK);
	if (make_image() || (wire = write_lines(IMAGE, LINES)) < 0) {
		printf("not ok 1 image and lines\n");
		return 1;
	}
	printf("TAP version 13\n1..%d\n", 3 * nb);
	printf("# image %d bytes; hex path: %d chunks of %d bytes, %lld wire bytes (commands + CR + \"\\r\\nOK\\r\\n\")\n",
	       IMAGE_SIZE, (IMAGE_SIZE + HEX_CHUNK - 1) / HEX_CHUNK, HEX_CHUNK,
	       wire);
	printf("# ATE0 is sent on the tty before every transfer (echo off, as ModemManager and hosts do)\n");
	printf("# transparent: ML307R-DC, MFW_IOC_SET_SIZE then write(); hex: MN316, write(); shell-hex: %s on plain N_TTY, no mfw\n",
	       SHELL_LOOP);
	printf("# cpu: guest non-idle time (/proc/stat) minus the simulator's utime+stime, USER_HZ %ld\n",
	       hz);

	/* What the idle guest spends (the rig's own loop): context for cpu. */
	busy = busy_ticks();
	sleep(5);
	printf("# idle guest before the transfers: %.3f s of CPU per second (not subtracted)\n",
	       (busy_ticks() - busy) / (double)hz / 5);

	for (i = 0; i < nb; i++) {
		struct row *r;

		bench("transparent", bauds[i], wire);
		hex = bench("hex", bauds[i], wire);
		r = bench("shell-hex", bauds[i], wire);
		if (hex->ok && r->ok && hex->elapsed > 0)
			r->vs_mfw = r->elapsed / hex->elapsed;
	}
	table();
	for (i = 0; i < nrows; i++)
		failed += !rows[i].ok;
	return failed ? 1 : 0;
}
