// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module on a port for mfw's selftests.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include <linux/serial.h>

#include "mfw_port.h"
#include "rig.h"

/*
 * Bounds on a hang, not expectations: a simulator start on the debug
 * kernel under TCG, beside another debug guest, has taken over 15 s.
 */
#define BOOT_TIMEOUT_MS	60000
#define IDENT_TIMEOUT_MS	60000
/*
 * The bench answers at once but for "on", which waits for the host's
 * simulator to start (its own bound: 15 s); the rest is the guest's UART
 * and the host's load.
 */
#define BENCH_TIMEOUT_MS	30000

int port_up(struct mfw_port_rig *r, bool usb, const char *const args[])
{
	const char *argv[48];
	char udc[64], dir[128];
	size_t n = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	r->usb = usb;
	r->tty = r->master = -1;
	r->sim = -1;
	snprintf(r->transcript, sizeof(r->transcript), "/tmp/modem-%d.log",
		 getpid());
	unlink(r->transcript);

	argv[n++] = "--boot-ms";
	argv[n++] = "200";
	argv[n++] = "--transcript";
	argv[n++] = r->transcript;
	if (usb) {
		if (rig_gadget("create", r->path, sizeof(r->path)) ||
		    rig_gadget("udc", udc, sizeof(udc)) ||
		    rig_gadget("dir", dir, sizeof(dir)))
			return -ENODEV;
		argv[n++] = "--tty";
		argv[n++] = "/dev/ttyGS0";
		argv[n++] = "--gadget";
		argv[n++] = dir;
		argv[n++] = "--udc";
		argv[n++] = udc;
	} else {
		r->master = rig_open_pty(r->path, sizeof(r->path));
		if (r->master < 0)
			return -errno;
	}
	while (args && *args && n < 46)
		argv[n++] = *args++;
	argv[n] = NULL;

	r->tty = rig_open_tty(r->path);
	if (r->tty < 0)
		return -errno;
	/* Attach before the module talks, so no byte bypasses mfw. */
	ret = rig_attach(r->tty);
	if (ret)
		return ret;
	r->sim = rig_sim_start(argv, usb ? -1 : r->master, BOOT_TIMEOUT_MS);
	if (r->sim < 0)
		return -ECHILD;
	return rig_expect_line(r->tty, "+MATREADY", BOOT_TIMEOUT_MS);
}

void port_down(struct mfw_port_rig *r)
{
	if (r->uart) {
		/* Power off first: nothing the module says reaches a closed port. */
		if (r->bench >= 0 && port_bench_order(r, "off", NULL, 0,
						      BENCH_TIMEOUT_MS))
			fprintf(stderr, "# the bench did not power the module off\n");
		if (r->tty >= 0)
			close(r->tty);
		if (r->bench >= 0)
			close(r->bench);
		r->tty = r->bench = -1;
		r->uart = false;
		return;
	}
	rig_sim_stop(r->sim);
	r->sim = -1;
	if (r->tty >= 0)
		close(r->tty);
	if (r->master >= 0)
		close(r->master);
	r->tty = r->master = -1;
	if (r->usb)
		rig_gadget("destroy", NULL, 0);
}

/* Wait until mfw identified the module on @r's tty. */
static int wait_identified(struct mfw_port_rig *r)
{
	long long end = rig_now_ms() + IDENT_TIMEOUT_MS;
	char fam[64] = "unknown";

	while (rig_now_ms() < end) {
		if (rig_port_attr(r->path, "family", fam, sizeof(fam)) > 0 &&
		    strcmp(fam, "unknown"))
			return 0;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

int port_up_model(struct mfw_port_rig *r, bool usb, const char *model,
		  const char *state, const char *const extra[])
{
	const char *args[40] = { "--model", model, "--state", state,
				 "--flash-ms", "300" };
	size_t n = 6;
	int ret;

	while (extra && *extra && n < 38)
		args[n++] = *extra++;
	args[n] = NULL;
	ret = port_up(r, usb, args);
	if (ret)
		return ret;
	return wait_identified(r);
}

const char *port_uart_bench(void)
{
	const char *ctl = getenv("MFW_UART_BENCH");

	return ctl && *ctl ? ctl : NULL;
}

int port_bench_order(struct mfw_port_rig *r, const char *order, char *reply,
		     size_t len, int timeout_ms)
{
	/*
	 * Every order carries an id, unique across the test's forked
	 * children too, so that the late answer to an order that timed out
	 * is never taken for the answer to the next.
	 */
	static unsigned int seq;
	long long end = rig_now_ms() + timeout_ms;
	char id[32], line[512];
	size_t idlen;
	int ret;

	snprintf(id, sizeof(id), "%d%04u ", getpid(), ++seq % 10000);
	idlen = strlen(id);
	if (r->bench < 0)
		return -EBADF;
	ret = rig_write_str(r->bench, id);
	if (!ret)
		ret = rig_write_str(r->bench, order);
	if (!ret)
		ret = rig_write_str(r->bench, "\n");
	if (ret)
		return ret;
	for (;;) {
		long long left = end - rig_now_ms();

		if (left <= 0)
			break;
		ret = rig_read_line(r->bench, line, sizeof(line), (int)left);
		if (ret < 0)
			break;
		if (strncmp(line, id, idlen))
			continue;
		if (reply)
			snprintf(reply, len, "%s", line + idlen);
		if (!strncmp(line + idlen, "ok", 2))
			return 0;
		fprintf(stderr, "# bench: \"%s\": %s\n", order, line + idlen);
		return -EREMOTEIO;
	}
	fprintf(stderr, "# bench: no answer to \"%s\" in %d ms\n", order,
		timeout_ms);
	return ret < 0 && ret != -ETIMEDOUT ? ret : -ETIMEDOUT;
}

int port_bench_sent(struct mfw_port_rig *r, const char *text)
{
	char order[400], reply[64];
	int ret;

	snprintf(order, sizeof(order), "sent %s", text);
	ret = port_bench_order(r, order, reply, sizeof(reply), BENCH_TIMEOUT_MS);
	if (ret)
		return ret < 0 ? ret : -EIO;
	if (!strcmp(reply, "ok sent yes"))
		return 1;
	if (!strcmp(reply, "ok sent no"))
		return 0;
	fprintf(stderr, "# the bench answered \"%s\" to \"%s\"\n", reply, order);
	return -EPROTO;
}

const char *port_uart_tty(void)
{
	const char *tty = getenv("MFW_UART_TTY");

	return tty && *tty ? tty : "/dev/ttyS1";
}

int port_uart_set_base(int fd, long base)
{
	struct serial_struct ss;

	if (base < 9600 || base > 4000000)
		return -EINVAL;
	if (ioctl(fd, TIOCGSERIAL, &ss) < 0)
		return -errno;
	if (ss.baud_base != base) {
		struct termios t;

		ss.baud_base = (int)base;
		if (ioctl(fd, TIOCSSERIAL, &ss) < 0)
			return -errno;
		/*
		 * The divisor is worked out again when the line's settings
		 * change (serial_core's uart_set_termios() skips a call
		 * that changes nothing): through 9600 to 115200.
		 */
		if (tcgetattr(fd, &t) || cfsetspeed(&t, B9600) ||
		    tcsetattr(fd, TCSANOW, &t))
			return -errno;
	}
	return rig_set_raw(fd);
}

int port_uart_clock(int fd)
{
	const char *env = getenv("MFW_UART_BASE");
	char *end;
	long base;

	if (!env || !*env)
		return 0;
	base = strtol(env, &end, 10);
	if (*end)
		return -EINVAL;
	return port_uart_set_base(fd, base);
}

int port_up_uart_model(struct mfw_port_rig *r, const char *model,
		       const char *const extra[])
{
	const char *ctl = port_uart_bench();
	char on[400];
	size_t n;
	int ret;

	memset(r, 0, sizeof(*r));
	r->uart = true;
	r->tty = r->master = r->bench = -1;
	r->sim = -1;
	snprintf(r->path, sizeof(r->path), "%s", port_uart_tty());
	if (!ctl)
		return -ENODEV;
	r->bench = rig_open_tty(ctl);
	if (r->bench < 0)
		return -errno;
	tcflush(r->bench, TCIOFLUSH);
	/* A blank module, as the pty tests start from a new state file. */
	ret = port_bench_order(r, "off", NULL, 0, BENCH_TIMEOUT_MS);
	if (!ret)
		ret = port_bench_order(r, "wipe", NULL, 0, BENCH_TIMEOUT_MS);
	if (ret)
		return ret;

	r->tty = rig_open_tty(r->path);
	if (r->tty < 0)
		return -errno;
	ret = port_uart_clock(r->tty);
	if (ret)
		return ret;
	/* Whatever an earlier test left in the UART is not this module's. */
	tcflush(r->tty, TCIOFLUSH);
	/* Attach before the module talks, so no byte bypasses mfw. */
	ret = rig_attach(r->tty);
	if (ret)
		return ret;
	n = snprintf(on, sizeof(on), "on --model %s --boot-ms 200 --flash-ms 300",
		     model);
	while (extra && *extra && n < sizeof(on))
		n += snprintf(on + n, sizeof(on) - n, " %s", *extra++);
	if (n >= sizeof(on))
		return -E2BIG;
	ret = port_bench_order(r, on, NULL, 0, BENCH_TIMEOUT_MS);
	if (ret)
		return ret;
	ret = rig_expect_line(r->tty, "+MATREADY", BOOT_TIMEOUT_MS);
	if (ret)
		return ret;
	return wait_identified(r);
}

int port_make_image(const char *path, size_t size, const char *version,
		    unsigned int seed)
{
	char trailer[96];
	size_t tlen, i;
	unsigned char *buf;
	FILE *f;
	int ret = 0;

	tlen = snprintf(trailer, sizeof(trailer), "\nMFWVER:%s\n", version);
	if (size < tlen + 16)
		return -EINVAL;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	srand(seed);
	for (i = 0; i < size - tlen; i++) {
		buf[i] = rand() & 0xff;
		if (buf[i] == 'A' || buf[i] == 'a')
			buf[i] ^= 0x80;
	}
	memcpy(buf + size - tlen, trailer, tlen);
	f = fopen(path, "w");
	if (!f || fwrite(buf, 1, size, f) != size)
		ret = -EIO;
	if (f && fclose(f))
		ret = -EIO;
	free(buf);
	return ret;
}

bool port_module_holds(const char *state, const char *path)
{
	size_t ilen = 0, plen = 0, slen = 0, want = 0;
	unsigned char *img = rig_slurp(path, &ilen);
	char pkgpath[128];
	unsigned char *pkg;
	char *st = (char *)rig_slurp(state, &slen);
	const char *p;
	bool ok = false;

	snprintf(pkgpath, sizeof(pkgpath), "%s.pkg", state);
	pkg = rig_slurp(pkgpath, &plen);
	if (img && pkg && st) {
		st[slen] = '\0';
		p = strstr(st, "pkg_len=");
		if (p)
			want = strtoul(p + 8, NULL, 10);
		ok = want == ilen && plen >= ilen && !memcmp(img, pkg, ilen);
		if (!ok)
			fprintf(stderr, "# module holds %zu bytes, image %zu\n",
				want, ilen);
	}
	free(img);
	free(pkg);
	free(st);
	return ok;
}

int port_rig_holds(struct mfw_port_rig *r, const char *state,
		   const char *path)
{
	char cmd[160], want[80] = "", reply[200], got[80] = "";
	size_t ilen = 0, plen = 0;
	unsigned char *img;
	FILE *p;

	if (!r->uart)
		return port_module_holds(state, path);
	img = rig_slurp(path, &ilen);
	free(img);
	if (!img)
		return -ENOENT;
	snprintf(cmd, sizeof(cmd), "busybox sha256sum %s", path);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	if (fscanf(p, "%64s", want) != 1)
		want[0] = '\0';
	pclose(p);
	if (port_bench_order(r, "holds", reply, sizeof(reply), BENCH_TIMEOUT_MS) ||
	    sscanf(reply, "ok holds pkg_len=%zu sha256=%64s", &plen, got) != 2) {
		fprintf(stderr, "# the bench did not say what the module holds\n");
		return -EIO;
	}
	if (!want[0]) {
		fprintf(stderr, "# no SHA-256 of %s\n", path);
		return -EIO;
	}
	if (plen == ilen && !strcmp(want, got))
		return 1;
	fprintf(stderr, "# module holds %zu bytes (SHA-256 %s), image %zu (%s)\n",
		plen, got, ilen, want);
	return 0;
}

pid_t port_mfw_start(const char *log, const char *state_dir,
		     const char *const args[])
{
	const char *argv[16] = { "mfw" };
	size_t n = 1;
	pid_t pid;
	int fd;

	while (*args && n < 15)
		argv[n++] = *args++;
	if (*args)
		return -E2BIG;
	argv[n] = NULL;
	pid = fork();
	if (pid)
		return pid < 0 ? -errno : pid;
	fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		_exit(127);
	setenv("MFW_STATE_DIR", state_dir, 1);
	unsetenv("MFW_CONFIG");
	execvp("mfw", (char **)argv);
	_exit(127);
}

int port_mfw_wait(pid_t pid, int timeout_ms)
{
	long long end = rig_now_ms() + timeout_ms;
	int status;

	while (rig_now_ms() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		if (r < 0)
			return -errno;
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -ETIMEDOUT;
}

/* "<algorithm>sum" of busybox over @path, into @hex (at least 129 bytes). */
static int digest_of(const char *alg, const char *path, char *hex)
{
	char cmd[128];
	FILE *p;
	int ok;

	snprintf(cmd, sizeof(cmd), "busybox %ssum %s", alg, path);
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	ok = fscanf(p, "%128s", hex) == 1;
	pclose(p);
	return ok ? 0 : -EIO;
}

int port_digests_match(const char *path, const char *image)
{
	static const char *const algs[] = { "md5", "sha1", "sha256" };
	char want[130], got[130], name[32];
	int ret = 0;
	size_t i;

	for (i = 0; i < 3; i++) {
		if (digest_of(algs[i], image, want)) {
			fprintf(stderr, "# no %s of %s\n", algs[i], image);
			return -EIO;
		}
		snprintf(name, sizeof(name), "digest/%s", algs[i]);
		if (rig_port_attr(path, name, got, sizeof(got)) < 0) {
			fprintf(stderr, "# %s unreadable on %s\n", name, path);
			return -EIO;
		}
		if (strcmp(want, got)) {
			fprintf(stderr, "# %s is %s, the image's %s\n", name,
				got, want);
			ret = -EBADMSG;
		}
	}
	return ret;
}
