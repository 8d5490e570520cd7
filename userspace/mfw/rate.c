// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - a faster UART rate for the transfer, through the tty.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "mfw_ipr.h"
#include "rate.h"
#include "trace.h"
#include "util.h"

/* Time for a UART to settle after its rate changed. */
#define MFW_RATE_SETTLE_MS	20
/*
 * What the host still holds for the module leaves at the old rate before
 * the switch, within this bound: a command line takes a few milliseconds
 * at the slowest rate, and a module without power that holds CTS (RTS/CTS
 * flow control) would keep tcdrain() waiting for ever.
 */
#define MFW_RATE_DRAIN_MS	1000
/* Blind requests for the old rate when the new one cannot be read. */
#define MFW_RATE_BLIND_TRIES	2
#define MFW_RATE_BLIND_GAP_MS	100

static long mfw_rate_of_fd(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return 0;
	return mfw_ipr_rate(cfgetospeed(&t));
}

int mfw_rate_open(struct mfw_rate *r, int fd, const char *node)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	if (fd < 0) {
		r->fd = open(node, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		if (r->fd < 0)
			return -errno;
		r->own_fd = true;
	}
	r->board = mfw_rate_of_fd(r->fd);
	r->now = r->board;
	r->parked_ms = MFW_RATE_PARKED_MS;
	return r->board ? 0 : -EINVAL;
}

int mfw_rate_pause(struct mfw_rate *r)
{
	if (!r->own_fd || r->fd < 0)
		return -EBADF;
	close(r->fd);
	r->fd = -1;
	return 0;
}

int mfw_rate_resume(struct mfw_rate *r, const char *node)
{
	if (!r->own_fd || r->fd >= 0)
		return -EBADF;
	r->fd = open(node, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	return r->fd < 0 ? -errno : 0;
}

void mfw_rate_close(struct mfw_rate *r)
{
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->own_fd = false;
}

/*
 * tcdrain() with a bound (MFW_RATE_DRAIN_MS): wait for the tty driver's
 * output queue (TIOCOUTQ) to empty, then let tcdrain() wait for the
 * UART's transmit FIFO and shift register, a wait the serial core bounds
 * itself (uart_wait_until_sent(): twice the port's FIFO time).  What is
 * still queued after the bound is discarded, and the trace says so.
 */
static void mfw_rate_drain(int fd)
{
	int64_t until = mfw_now_ms() + MFW_RATE_DRAIN_MS;
	int queued = 0;

	for (;;) {
		if (ioctl(fd, TIOCOUTQ, &queued) < 0)
			break;
		if (queued <= 0 || mfw_now_ms() >= until)
			break;
		poll(NULL, 0, 2);
	}
	if (queued > 0) {
		mfw_trace("%d bytes still queued for the module after %d ms; discarded",
			  queued, MFW_RATE_DRAIN_MS);
		tcflush(fd, TCOFLUSH);
		return;
	}
	tcdrain(fd);
}

int mfw_rate_host(struct mfw_rate *r, long rate)
{
	speed_t code = mfw_ipr_speed(rate);
	struct termios t;

	if (code == B0)
		return -EINVAL;
	if (tcgetattr(r->fd, &t) < 0)
		return -errno;
	/* What went out at the old rate leaves at it. */
	mfw_rate_drain(r->fd);
	if (cfsetispeed(&t, code) < 0 || cfsetospeed(&t, code) < 0 ||
	    tcsetattr(r->fd, TCSANOW, &t) < 0)
		return -errno;
	/* Whatever arrived meanwhile was read at a rate it was not sent at. */
	poll(NULL, 0, MFW_RATE_SETTLE_MS);
	tcflush(r->fd, TCIFLUSH);
	r->now = rate;
	mfw_trace("host rate %ld", rate);
	return 0;
}

int mfw_rate_host_takes(struct mfw_rate *r, long rate, long *got)
{
	speed_t code = mfw_ipr_speed(rate);
	struct termios before, t;
	int ret = 0;

	*got = 0;
	if (code == B0)
		return -EINVAL;
	if (tcgetattr(r->fd, &before) < 0)
		return -errno;
	t = before;
	mfw_rate_drain(r->fd);
	if (cfsetispeed(&t, code) < 0 || cfsetospeed(&t, code) < 0 ||
	    tcsetattr(r->fd, TCSANOW, &t) < 0)
		return -errno;
	if (tcgetattr(r->fd, &t) < 0)
		ret = -errno;
	else if ((*got = mfw_ipr_rate(cfgetospeed(&t))) && *got != rate)
		ret = -ERANGE;
	if (tcsetattr(r->fd, TCSANOW, &before) < 0 && !ret)
		ret = -errno;
	mfw_trace("host UART at %ld: %s (reads back %ld)", rate,
		  ret ? strerror(-ret) : "taken", *got);
	return ret;
}

/*
 * Write @cmd and CR; a write the discipline parks (EAGAIN) waits up to
 * @wait_ms for the channel.
 */
static int mfw_rate_send(struct mfw_rate *r, const char *cmd, int wait_ms)
{
	char line[64];
	size_t len, off = 0;
	int n = snprintf(line, sizeof(line), "%s\r", cmd);

	if (n < 0 || (size_t)n >= sizeof(line))
		return -EINVAL;
	len = (size_t)n;
	tcflush(r->fd, TCIFLUSH);
	while (off < len) {
		ssize_t w = write(r->fd, line + off, len - off);

		if (w < 0 && errno == EAGAIN) {
			struct pollfd p = { .fd = r->fd, .events = POLLOUT };

			/*
			 * Parked behind the driver's own command (its
			 * identification): that is not the module's silence.
			 */
			if (poll(&p, 1, wait_ms) <= 0)
				return -ETIMEDOUT;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		off += (size_t)w;
	}
	mfw_trace("tty: %s", cmd);
	return 0;
}

/* A final result code (V.250 5.7.1, SPEC §1): 1 OK, -1 an error, 0 none. */
static int mfw_rate_final(const char *line)
{
	if (!strcmp(line, "OK"))
		return 1;
	if (!strcmp(line, "ERROR") || !strncmp(line, "+CME ERROR:", 11) ||
	    !strncmp(line, "+CMS ERROR:", 11))
		return -1;
	return 0;
}

int mfw_rate_cmd(struct mfw_rate *r, const char *cmd, char *info,
		 size_t size, int timeout_ms)
{
	char buf[256];
	size_t len = 0;
	int64_t end;
	int ret;

	if (info && size)
		info[0] = '\0';
	r->echo = false;
	ret = mfw_rate_send(r, cmd, r->parked_ms);
	if (ret)
		return ret;
	/* The module's time starts once the command went out. */
	end = mfw_now_ms() + timeout_ms;
	for (;;) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		int64_t left = end - mfw_now_ms();
		char *nl;
		ssize_t n;

		while ((nl = memchr(buf, '\n', len))) {
			size_t l = (size_t)(nl - buf), e = l;
			int fin;

			*nl = '\0';
			/* An echo ends in the command's CR and the answer's CR LF. */
			while (e && buf[e - 1] == '\r')
				buf[--e] = '\0';
			fin = mfw_rate_final(buf);
			if (fin) {
				mfw_trace("tty: %s", buf);
				return fin > 0 ? 0 : -EREMOTEIO;
			}
			if (!strcmp(buf, cmd))
				r->echo = true;
			/* Not the echo, not an empty line: the answer. */
			else if (*buf && info && size && !*info && buf[0] == '+')
				snprintf(info, size, "%s", buf);
			memmove(buf, nl + 1, len - l - 1);
			len -= l + 1;
		}
		if (len == sizeof(buf))
			len = 0;	/* no line is this long: noise */
		if (left <= 0)
			return -ETIMEDOUT;
		ret = poll(&p, 1, (int)left);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0)
			return -errno;
		if (!ret)
			continue;
		n = read(r->fd, buf + len, sizeof(buf) - len);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n <= 0)
			return n < 0 ? -errno : -ENODEV;
		len += (size_t)n;
	}
}

int mfw_rate_probe(struct mfw_rate *r, int tries)
{
	int i, ret = -ETIMEDOUT;

	for (i = 0; i < tries; i++) {
		ret = mfw_rate_cmd(r, "AT", NULL, 0, MFW_RATE_PROBE_MS);
		if (!ret)
			return 0;
		if (ret == -ENODEV)
			return ret;
	}
	return ret == -EREMOTEIO ? -ETIMEDOUT : ret;
}

int mfw_rate_echo_off(struct mfw_rate *r)
{
	return mfw_rate_cmd(r, "ATE0", NULL, 0, MFW_RATE_CMD_MS);
}

int mfw_rate_echo_on(struct mfw_rate *r)
{
	return mfw_rate_cmd(r, "ATE1", NULL, 0, MFW_RATE_CMD_MS);
}

int mfw_rate_query(struct mfw_rate *r)
{
	char info[64];
	long v;
	int ret;

	ret = mfw_rate_cmd(r, "AT+IPR?", info, sizeof(info), MFW_RATE_CMD_MS);
	if (ret)
		return ret;
	if (strncmp(info, "+IPR: ", 6) || mfw_parse_long(info + 6, 0, LONG_MAX, &v))
		return -EPROTO;
	r->board_ipr = v;
	return 0;
}

/* Ask for @rate (from the current one) and, on OK, follow with the host. */
static int mfw_rate_set(struct mfw_rate *r, long rate)
{
	char cmd[32];
	int ret;

	snprintf(cmd, sizeof(cmd), "AT+IPR=%ld", rate);
	ret = mfw_rate_cmd(r, cmd, NULL, 0, MFW_RATE_CMD_MS);
	if (ret)
		return ret;
	/* 0 is autobaud: the module follows the host's rate from its next AT. */
	return mfw_rate_host(r, rate ? rate : r->board);
}

enum mfw_rate_outcome mfw_rate_up(struct mfw_rate *r, long rate)
{
	int64_t deadline;
	char cmd[32];
	int i, ret;

	ret = mfw_rate_set(r, rate);
	if (ret == -EREMOTEIO)
		return MFW_RATE_REFUSED;
	if (!ret && !mfw_rate_probe(r, MFW_RATE_PROBE_TRIES))
		return MFW_RATE_SWITCHED;
	/*
	 * No answer to AT+IPR (it may have switched all the same), or none
	 * at the new rate: the board does not carry it, in one direction at
	 * least.  Ask for the old rate blind at the new one, go back.
	 */
	deadline = mfw_now_ms() + MFW_RATE_FALLBACK_MS;
	mfw_trace("rate %ld: no answer (%s); going back to %ld", rate,
		  strerror(-ret ? -ret : ETIMEDOUT), r->board);
	if (mfw_rate_host(r, rate) == 0) {
		snprintf(cmd, sizeof(cmd), "AT+IPR=%ld", r->board_ipr);
		for (i = 0; i < MFW_RATE_BLIND_TRIES; i++) {
			int64_t left = deadline - mfw_now_ms();

			/* Within the fallback's bound, parked or not. */
			if (left <= 0 || mfw_rate_send(r, cmd, (int)left))
				break;
			poll(NULL, 0, MFW_RATE_BLIND_GAP_MS);
		}
	}
	mfw_rate_host(r, r->board);
	while (mfw_now_ms() < deadline)
		if (!mfw_rate_probe(r, 1))
			return MFW_RATE_FELL_BACK;
	r->now = 0;
	return MFW_RATE_LOST;
}

long mfw_rate_find(struct mfw_rate *r, long first, long second)
{
	long order[2] = { first, second };
	int i;

	for (i = 0; i < 2; i++) {
		if (!order[i] || (i && order[i] == first))
			continue;
		if (mfw_rate_host(r, order[i]))
			continue;
		if (!mfw_rate_probe(r, 2))
			return order[i];
	}
	r->now = 0;
	return 0;
}

int mfw_rate_restore(struct mfw_rate *r)
{
	long at;

	if (r->now == r->board && !mfw_rate_probe(r, 2))
		return 0;
	if (r->now && r->now != r->board && !mfw_rate_set(r, r->board_ipr) &&
	    !mfw_rate_probe(r, MFW_RATE_PROBE_TRIES))
		return 0;
	/* Where is it?  Its last known rate first, then the board's. */
	at = mfw_rate_find(r, r->now && r->now != r->board ? r->now : r->board,
			   r->board);
	if (at == r->board)
		return 0;
	if (at && !mfw_rate_set(r, r->board_ipr) &&
	    !mfw_rate_probe(r, MFW_RATE_PROBE_TRIES))
		return 0;
	mfw_rate_host(r, r->board);
	return -ETIMEDOUT;
}

bool mfw_rate_uart(const char *sysfs_root, const char *tty, char *why,
		   size_t size)
{
	static const char *const usb_modem[] = {
		"cdc_acm", "option", "qcserial", "sierra", "usb_wwan",
	};
	char path[PATH_MAX], target[PATH_MAX];
	const char *drv;
	ssize_t n;
	size_t i;

	snprintf(why, size, "a UART");
	snprintf(path, sizeof(path), "%s/class/tty/%s/device/driver", sysfs_root, tty);
	n = readlink(path, target, sizeof(target) - 1);
	if (n <= 0)
		return strncmp(tty, "ttyACM", 6) != 0;	/* no driver: a pty, say */
	target[n] = '\0';
	drv = strrchr(target, '/');
	drv = drv ? drv + 1 : target;
	for (i = 0; i < sizeof(usb_modem) / sizeof(usb_modem[0]); i++) {
		if (!strncmp(drv, usb_modem[i], strlen(usb_modem[i]))) {
			snprintf(why, size, "a USB port of the module (driver %s)", drv);
			return false;
		}
	}
	return true;
}
