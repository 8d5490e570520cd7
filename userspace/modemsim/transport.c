// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - the wire: a pty pair, an existing tty (optionally behind a
 * USB gadget), or an inherited fd; plus the baud-rate throttle.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "sim.h"

static void set_raw(int fd, long baud)
{
	static const struct { long rate; speed_t code; } rates[] = {
		{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 },
		{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
		{ 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
		{ 460800, B460800 }, { 921600, B921600 },
	};
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		if (rates[i].rate == baud) {
			cfsetispeed(&t, rates[i].code);
			cfsetospeed(&t, rates[i].code);
		}
	}
	tcsetattr(fd, TCSANOW, &t);
}

static int write_file(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (write(fd, text, strlen(text)) < 0)
		ret = -1;
	close(fd);
	return ret;
}

static int pty_open(struct transport *t)
{
	char tmp[PATH_MAX];
	int m;

	m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (m < 0 || grantpt(m) < 0 || unlockpt(m) < 0 ||
	    ptsname_r(m, t->slave_name, sizeof(t->slave_name))) {
		if (m >= 0)
			close(m);
		return -1;
	}
	/* Holding the slave keeps the master readable while no client is. */
	t->slave_fd = open(t->slave_name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (t->slave_fd < 0) {
		close(m);
		return -1;
	}
	set_raw(t->slave_fd, t->baud);
	snprintf(tmp, sizeof(tmp), "%s.new%d", t->path, (int)getpid());
	unlink(tmp);
	if (symlink(t->slave_name, tmp) < 0 || rename(tmp, t->path) < 0) {
		fprintf(stderr, "mfw-modemsim: %s: %s\n", t->path,
			strerror(errno));
		unlink(tmp);
		close(t->slave_fd);
		close(m);
		return -1;
	}
	t->fd = m;
	return 0;
}

static int tty_open(struct transport *t)
{
	int fd = open(t->path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (isatty(fd))
		set_raw(fd, t->baud);
	t->fd = fd;
	return 0;
}

int tp_open(struct sim *sim)
{
	struct transport *t = &sim->tp;
	int ret = 0;

	t->tx_clock = t->rx_clock = 0;
	switch (t->kind) {
	case TP_PTY:
		ret = pty_open(t);
		break;
	case TP_TTY:
		ret = tty_open(t);
		break;
	case TP_FD:
		ret = fcntl(t->fd, F_SETFL,
			    fcntl(t->fd, F_GETFL) | O_NONBLOCK);
		break;
	}
	t->up = ret == 0;
	return ret;
}

/* Best effort: let queued bytes reach the host before the port goes. */
static void drain(struct sim *sim)
{
	int64_t end = sim_now_ms() + 500;

	while (sim->tp.out_len && sim->tp.fd >= 0 && sim_now_ms() < end) {
		struct pollfd pfd = { .fd = sim->tp.fd, .events = POLLOUT };

		if (tp_flush(sim) < 0)
			break;
		if (sim->tp.out_len)
			poll(&pfd, 1, 10);
	}
	sim->tp.out_len = 0;
	/*
	 * A pty hangup discards what the client has not read yet: let the
	 * bytes reach the slave's queue, then wait for the client to read.
	 */
	if (sim->tp.slave_fd >= 0)
		poll(NULL, 0, 20);
	while (sim->tp.slave_fd >= 0 && sim_now_ms() < end) {
		int pending = 0;

		if (ioctl(sim->tp.slave_fd, FIONREAD, &pending) < 0 ||
		    pending <= 0)
			break;
		poll(NULL, 0, 5);
	}
}

void tp_close(struct sim *sim)
{
	struct transport *t = &sim->tp;

	drain(sim);
	if (t->kind != TP_FD && t->fd >= 0)
		close(t->fd);
	if (t->slave_fd >= 0)
		close(t->slave_fd);
	if (t->kind != TP_FD)
		t->fd = -1;
	t->slave_fd = -1;
	t->up = false;
}

void tp_hangup(struct sim *sim)
{
	struct transport *t = &sim->tp;

	transcript_event("port down");
	if (t->kind == TP_FD || t->keep) {
		/* Nothing to close: the port just goes silent. */
		drain(sim);
		t->up = false;
		return;
	}
	if (t->gadget)
		write_file(t->gadget, "UDC", "\n");
	tp_close(sim);
}

int tp_restore(struct sim *sim)
{
	struct transport *t = &sim->tp;

	if (t->up)
		return 0;
	if (t->keep && t->fd >= 0) {
		/*
		 * A UART: what the host sent while the module was down never
		 * reached a running parser.
		 */
		tcflush(t->fd, TCIFLUSH);
		t->up = true;
		transcript_event("port up %s", tp_name(sim));
		return 0;
	}
	if (t->gadget && t->udc) {
		/* Re-enumerate once, then wait for the tty to come back. */
		char cur[64] = "";
		char path[PATH_MAX];
		FILE *f;

		snprintf(path, sizeof(path), "%s/UDC", t->gadget);
		f = fopen(path, "r");
		if (f) {
			if (!fgets(cur, sizeof(cur), f))
				cur[0] = 0;
			fclose(f);
		}
		if (cur[0] == 0 || cur[0] == '\n')
			write_file(t->gadget, "UDC", t->udc);
	}
	if (tp_open(sim) < 0)
		return -1;
	transcript_event("port up %s", tp_name(sim));
	return 0;
}

void tp_write(struct sim *sim, const void *buf, size_t len)
{
	struct transport *t = &sim->tp;

	if (!t->up || !len)
		return;
	if (t->out_len + len > t->out_cap) {
		size_t cap = (t->out_len + len) * 2 + 256;
		unsigned char *n = realloc(t->out, cap);

		if (!n)
			return;
		t->out = n;
		t->out_cap = cap;
	}
	memcpy(t->out + t->out_len, buf, len);
	t->out_len += len;
}

static int64_t byte_ns(struct transport *t)
{
	return 10000000000LL / t->baud;
}

/* Bytes the schedule allows now in one direction. */
static size_t budget(struct transport *t, int64_t *clock)
{
	int64_t now = sim_now_ns(), bn, burst;

	if (!t->baud)
		return SIZE_MAX;
	bn = byte_ns(t);
	/* Idle time banks at most 16 ms of credit (or one byte). */
	burst = 16000000 > bn ? 16000000 : bn;
	if (*clock < now - burst)
		*clock = now - burst;
	return (size_t)((now - *clock) / bn);
}

int tp_flush(struct sim *sim)
{
	struct transport *t = &sim->tp;
	size_t n = t->out_len, allow;
	ssize_t w;

	if (!n || t->fd < 0 || !t->up)
		return 0;
	allow = budget(t, &t->tx_clock);
	if (allow < n)
		n = allow;
	if (!n)
		return 0;
	w = write(t->fd, t->out, n);
	if (w < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	transcript_log('>', t->out, w);
	if (t->baud)
		t->tx_clock += w * byte_ns(t);
	memmove(t->out, t->out + w, t->out_len - w);
	t->out_len -= w;
	return 0;
}

size_t tp_read_budget(struct sim *sim)
{
	size_t n = budget(&sim->tp, &sim->tp.rx_clock);

	return n;
}

/* Called after a read of @n bytes under the throttle. */
static void rx_spent(struct transport *t, size_t n)
{
	if (t->baud)
		t->rx_clock += n * byte_ns(t);
}

long tp_wait_ms(struct sim *sim)
{
	struct transport *t = &sim->tp;
	int64_t bn, now, next = -1;

	if (!t->baud || !t->up)
		return -1;
	bn = byte_ns(t);
	now = sim_now_ns();
	if (t->out_len && budget(t, &t->tx_clock) == 0)
		next = t->tx_clock + bn - now;
	if (budget(t, &t->rx_clock) == 0) {
		int64_t r = t->rx_clock + bn - now;

		if (next < 0 || r < next)
			next = r;
	}
	if (next < 0)
		return -1;
	return (long)(next / 1000000) + 1;
}

const char *tp_name(struct sim *sim)
{
	static char buf[32];

	switch (sim->tp.kind) {
	case TP_PTY:
		return sim->tp.slave_name;
	case TP_TTY:
		return sim->tp.path;
	default:
		snprintf(buf, sizeof(buf), "fd:%d", sim->tp.fd);
		return buf;
	}
}

/* Read what the throttle allows and hand it to the interpreter. */
int tp_read(struct sim *sim)
{
	unsigned char buf[4096];
	size_t n = tp_read_budget(sim);
	ssize_t r;

	if (n > sizeof(buf))
		n = sizeof(buf);
	if (!n || sim->tp.fd < 0)
		return 0;
	r = read(sim->tp.fd, buf, n);
	if (r < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -1;
	if (r == 0)
		return -1;
	rx_spent(&sim->tp, r);
	transcript_log('<', buf, r);
	sim_bytes_in(sim, buf, r);
	return 0;
}
