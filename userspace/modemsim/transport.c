// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - the wire: a pty pair, an existing tty (optionally behind a
 * USB gadget), or an inherited fd; plus the baud-rate throttle.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "mfw_ipr.h"
#include "sim.h"

static void set_raw(int fd, long baud)
{
	speed_t code = mfw_ipr_speed(baud);
	struct termios t;

	if (tcgetattr(fd, &t) < 0)
		return;
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	if (code != B0) {
		cfsetispeed(&t, code);
		cfsetospeed(&t, code);
	}
	tcsetattr(fd, TCSANOW, &t);
}

/*
 * What the wire does to the bytes of one read or write, from the rates at
 * both ends.  A pty carries no rate of its own, but tcgetattr() on the
 * master gives the termios of the slave, the host's end: the rate the
 * host set.  That holds for a master handed over with --fd too (the UART
 * bench's, whose slave QEMU sets to the guest UART's rate).  On other
 * transports the host's rate cannot be seen and nothing is garbled.
 */
enum wire {
	WIRE_CLEAN,
	WIRE_MISMATCH,		/* the two ends run at different rates */
	WIRE_TOO_FAST,		/* --max-rate: the board cannot carry the rate */
};

static long host_rate(struct sim *sim)
{
	struct termios t;
	unsigned int ptn;

	if (sim->tp.fd < 0 || sim->tp.kind == TP_TTY)
		return 0;
	/* TIOCGPTN answers on a pty master only. */
	if (sim->tp.kind == TP_FD && ioctl(sim->tp.fd, TIOCGPTN, &ptn) < 0)
		return 0;
	if (tcgetattr(sim->tp.fd, &t) < 0)
		return 0;
	return mfw_ipr_rate(cfgetospeed(&t));
}

static enum wire wire_state(struct sim *sim, long *host)
{
	enum wire w = WIRE_CLEAN;

	*host = host_rate(sim);
	if (sim->rate && *host && *host != sim->rate)
		w = WIRE_MISMATCH;
	else if (sim->rate && sim->max_rate && sim->rate > sim->max_rate)
		w = WIRE_TOO_FAST;
	if ((int)w != sim->garbling) {
		if (w == WIRE_MISMATCH)
			transcript_event("rate mismatch: host %ld, module %ld: garbled",
					 *host, sim->rate);
		else if (w == WIRE_TOO_FAST)
			transcript_event("rate %ld above the board's %ld: the module's output garbled",
					 sim->rate, sim->max_rate);
		else
			transcript_event("rate %ld on both ends: clean", sim->rate);
		sim->garbling = (int)w;
	}
	return w;
}

/*
 * A UART receiver at @rx bit/s sampling @len bytes sent at @tx: a slower
 * receiver sees fewer characters (about one per rx/tx of the sender's,
 * framing errors), a faster one several per sent byte (the long low and
 * high stretches of the slow bits), and both read values that are runs of
 * ones and zeros rather than text.  Deterministic: the same bytes give
 * the same garbage.  Returns the length written to @out (at most 8 * @len).
 */
static size_t garble_mismatch(const unsigned char *in, size_t len, long tx,
			      long rx, unsigned char *out)
{
	static const unsigned char runs[8] = {
		0x00, 0x80, 0xc0, 0xe0, 0xf0, 0xf8, 0xfe, 0xff
	};
	size_t n = 0;

	if (rx < tx) {
		size_t want = (size_t)((double)len * rx / tx + 0.5);

		if (!want && len)
			want = 1;
		for (size_t i = 0; i < want; i++) {
			size_t k = i * len / want;

			out[n++] = runs[(in[k] ^ (unsigned char)(k * 37)) & 7];
		}
		return n;
	}
	for (size_t i = 0; i < len; i++) {
		long per = rx / tx > 8 ? 8 : rx / tx;

		for (long b = 0; b < per; b++)
			out[n++] = runs[((in[i] >> b) ^ (unsigned char)(i + b)) & 7];
	}
	return n;
}

/*
 * Edges too slow for the rate: every bit is sampled one bit late, so each
 * character reads shifted, its top bit from the stop bit.
 */
static void garble_too_fast(unsigned char *buf, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)(0x80 | (buf[i] >> 1));
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
	/*
	 * Holding the slave keeps the master readable while no client is.
	 * Write-only, as a module's own end of a wire: a file that may read
	 * the host's tty is one of its readers to the mfw line discipline,
	 * which keeps the input for it.
	 */
	t->slave_fd = open(t->slave_name, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (t->slave_fd < 0) {
		close(m);
		return -1;
	}
	/* A host that never sets a rate runs at the module's. */
	set_raw(t->slave_fd, t->line_rate ? t->line_rate : t->baud);
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

	if (t->kind == TP_FD || t->keep) {
		/* Nothing to close: the port just goes silent. */
		drain(sim);
		t->up = false;
	} else {
		if (t->gadget)
			write_file(t->gadget, "UDC", "\n");
		tp_close(sim);
	}
	/*
	 * After the drain, so that what the module sent before it went
	 * down comes first in the transcript.  (A gadget is unbound first:
	 * its last bytes may never reach the host, as on a real module
	 * that resets its USB controller.)
	 */
	transcript_event("port down");
}

/* "@dir/@name" into @out (PATH_MAX bytes); 0, or -1 with ENAMETOOLONG. */
static int path_in(char out[PATH_MAX], const char *dir, const char *name)
{
	if (snprintf(out, PATH_MAX, "%s/%s", dir, name) >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/*
 * --usb-other-layout, entering: the gadget's configuration (its first,
 * the one the host takes) must have exactly one function, the AT port's.
 * Its link is taken out and put back after a new generic serial
 * function's, which so gets the AT port's interface numbers; the AT port
 * follows on the next ones.  0, or -1 with errno (the configuration as
 * it was, as far as it can be put back).
 */
static int other_layout_enter(struct transport *t)
{
	char path[PATH_MAX], func[PATH_MAX], other[PATH_MAX];
	char found[NAME_MAX + 1] = "";
	struct dirent *e;
	int links = 0, err;
	DIR *dir;

	if (path_in(path, t->gadget, "configs"))
		return -1;
	dir = opendir(path);
	if (!dir)
		return -1;
	while ((e = readdir(dir)))
		if (e->d_name[0] != '.' && !found[0])
			snprintf(found, sizeof(found), "%s", e->d_name);
	closedir(dir);
	if (!found[0]) {
		errno = ENOENT;
		return -1;
	}
	if (path_in(t->other_cfg, path, found))
		return -1;
	dir = opendir(t->other_cfg);
	if (!dir)
		return -1;
	while ((e = readdir(dir))) {
		struct stat st;

		if (path_in(path, t->other_cfg, e->d_name) || lstat(path, &st) ||
		    !S_ISLNK(st.st_mode))
			continue;
		/*
		 * configfs reads a link back relative to the link, but takes
		 * a new link's target relative to the caller's working
		 * directory: keep the whole path.
		 */
		if (!realpath(path, t->other_target)) {
			closedir(dir);
			return -1;
		}
		snprintf(t->other_link, sizeof(t->other_link), "%s", e->d_name);
		links++;
	}
	closedir(dir);
	if (links != 1) {
		errno = links ? E2BIG : ENOENT;
		return -1;
	}
	if (path_in(func, t->gadget, "functions/" MFW_SIM_OTHER_FUNC) ||
	    path_in(other, t->other_cfg, MFW_SIM_OTHER_FUNC) ||
	    path_in(path, t->other_cfg, t->other_link))
		return -1;
	if (mkdir(func, 0755) && errno != EEXIST)
		return -1;
	if (unlink(path)) {
		err = errno;
		rmdir(func);
		errno = err;
		return -1;
	}
	/* Linked in this order, the functions take interfaces in it. */
	if (symlink(func, other) || symlink(t->other_target, path)) {
		err = errno;
		unlink(other);
		rmdir(func);
		if (symlink(t->other_target, path) && errno != EEXIST)
			transcript_event("usb: could not put %s back: %s", path, strerror(errno));
		errno = err;
		return -1;
	}
	return 0;
}

/*
 * --usb-other-layout: the gadget side's tty of the generic serial
 * function (u_serial's port_num) in t->other_gs; true when known.
 */
static bool other_layout_gs(struct transport *t)
{
	char path[PATH_MAX], num[16] = "";
	FILE *f;

	if (t->other_gs[0])
		return true;
	if (path_in(path, t->gadget, "functions/" MFW_SIM_OTHER_FUNC "/port_num"))
		return false;
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(num, sizeof(num), f))
		num[0] = '\0';
	fclose(f);
	num[strcspn(num, "\n")] = '\0';
	if (!num[0] || strspn(num, "0123456789") != strlen(num))
		return false;
	snprintf(t->other_gs, sizeof(t->other_gs), "/dev/ttyGS%s", num);
	return true;
}

/* --usb-other-layout, leaving: the generic serial function goes. */
static void other_layout_leave(struct transport *t)
{
	char path[PATH_MAX];

	if (!path_in(path, t->other_cfg, MFW_SIM_OTHER_FUNC) && unlink(path))
		transcript_event("usb: could not unlink %s: %s", path, strerror(errno));
	if (!path_in(path, t->gadget, "functions/" MFW_SIM_OTHER_FUNC) && rmdir(path))
		transcript_event("usb: could not remove %s: %s", path, strerror(errno));
}

/*
 * The other mode over (or never fully entered): the gadget's own layout,
 * or its own product ID, again.  The UDC stays as the caller left it.
 */
static void other_restore(struct transport *t)
{
	if (t->other_layout)
		other_layout_leave(t);
	else
		write_file(t->gadget, "idProduct", t->pid);
}

/* Open @path raw into *@fd for counting the host's bytes, once it opens. */
static void other_watch(int *fd, const char *path)
{
	if (*fd >= 0)
		return;
	*fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (*fd >= 0) {
		/* Raw: no echo, and every byte counted as it comes. */
		set_raw(*fd, 0);
		transcript_event("usb: another mode: reading %s", path);
	}
}

/* Count what the host sent to *@fd (if open) so far. */
static void other_count(struct transport *t, int fd)
{
	char buf[256];
	ssize_t n;

	while (fd >= 0 && (n = read(fd, buf, sizeof(buf))) > 0)
		t->other_bytes += n;
}

/*
 * --usb-other-mode (--usb-other-layout): the first time the gadget comes
 * back, enumerate under another product ID (in another layout) for
 * other_ms, answering nothing, and count what the host sends to the tty
 * that is the AT port in the normal mode.  Returns true while that lasts
 * (the caller retries every 100 ms).
 */
static bool tp_other_mode(struct sim *sim)
{
	struct transport *t = &sim->tp;

	if (t->other_state == 1) {
		FILE *f;
		char path[PATH_MAX];

		snprintf(path, sizeof(path), "%s/idProduct", t->gadget);
		f = fopen(path, "r");
		if (!f || !fgets(t->pid, sizeof(t->pid), f))
			snprintf(t->pid, sizeof(t->pid), "0x3012");
		if (f)
			fclose(f);
		t->pid[strcspn(t->pid, "\n")] = 0;
		write_file(t->gadget, "UDC", "\n");
		if (t->other_layout ? other_layout_enter(t) :
		    write_file(t->gadget, "idProduct", MFW_SIM_OTHER_PID)) {
			transcript_event("usb: another mode failed: %s", strerror(errno));
			t->other_state = 3;
			return false;
		}
		if (write_file(t->gadget, "UDC", t->udc)) {
			transcript_event("usb: another mode failed: %s", strerror(errno));
			/* Back as it was; tp_restore() binds it again. */
			other_restore(t);
			t->other_state = 3;
			return false;
		}
		t->other_state = 2;
		t->other_until = sim_now_ms() + t->other_ms;
		t->other_fd = -1;
		t->other_gs_fd = -1;
		t->other_gs[0] = '\0';
		t->other_bytes = 0;
		if (t->other_layout)
			transcript_event("usb: back in another layout (%s first, then %s)"
					 " for %ld ms", MFW_SIM_OTHER_FUNC, t->other_link,
					 t->other_ms);
		else
			transcript_event("usb: back as product %s (another mode) for %ld ms",
					 MFW_SIM_OTHER_PID, t->other_ms);
		return true;
	}
	if (t->other_state != 2)
		return false;
	other_watch(&t->other_fd, t->path);
	/* Another layout: the generic serial function's tty counts too. */
	if (t->other_layout && other_layout_gs(t))
		other_watch(&t->other_gs_fd, t->other_gs);
	other_count(t, t->other_fd);
	other_count(t, t->other_gs_fd);
	if (sim_now_ms() < t->other_until)
		return true;
	if (t->other_gs_fd >= 0) {
		close(t->other_gs_fd);
		t->other_gs_fd = -1;
	}
	if (t->other_fd < 0) {
		transcript_event("usb: another mode: could not read %s", t->path);
	} else {
		close(t->other_fd);
		t->other_fd = -1;
		transcript_event("usb: another mode over, the host sent %ld bytes to it",
				 t->other_bytes);
	}
	write_file(t->gadget, "UDC", "\n");
	other_restore(t);
	t->other_state = 3;
	return false;
}

void tp_other_end(struct sim *sim)
{
	struct transport *t = &sim->tp;

	if (t->other_state != 2)
		return;
	if (t->other_gs_fd >= 0)
		close(t->other_gs_fd);
	if (t->other_fd >= 0)
		close(t->other_fd);
	t->other_gs_fd = t->other_fd = -1;
	/* Its own IDs and layout, bound: the next simulator finds it as made. */
	write_file(t->gadget, "UDC", "\n");
	other_restore(t);
	write_file(t->gadget, "UDC", t->udc);
	t->other_state = 3;
	transcript_event("usb: another mode ended by the exit");
}

int tp_restore(struct sim *sim)
{
	struct transport *t = &sim->tp;

	if (t->up)
		return 0;
	if (t->gadget && t->udc && tp_other_mode(sim))
		return -1;
	if (t->keep && t->fd >= 0) {
		/*
		 * A UART: what the host sent while the module was down never
		 * reached a running parser (tp_read() dropped what it read).
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

/*
 * Send @n queued bytes through a wire in state @st: what the host reads is
 * garbage.  The garbage replaces the bytes whole (a short write of it is
 * not resumed: the host lost those characters anyway).
 */
static int64_t byte_ns(struct transport *t);

static int flush_garbled(struct sim *sim, size_t n, enum wire st, long host)
{
	struct transport *t = &sim->tp;
	unsigned char *g = malloc(8 * n);
	size_t len = n;
	ssize_t w;

	if (!g)
		return -1;
	if (st == WIRE_MISMATCH) {
		len = garble_mismatch(t->out, n, sim->rate, host, g);
	} else {
		memcpy(g, t->out, n);
		garble_too_fast(g, n);
	}
	w = len ? write(t->fd, g, len) : 0;
	if (w < 0 && errno != EAGAIN && errno != EINTR) {
		free(g);
		return -1;
	}
	if (w < 0) {
		free(g);
		return 0;
	}
	transcript_log('>', g, w);
	free(g);
	if (t->baud)
		t->tx_clock += n * byte_ns(t);
	memmove(t->out, t->out + n, t->out_len - n);
	t->out_len -= n;
	return 0;
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
	if (sim->rate) {
		long host;
		enum wire st = wire_state(sim, &host);

		if (st != WIRE_CLEAN)
			return flush_garbled(sim, n, st, host);
	}
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

void tp_flush_all(struct sim *sim)
{
	int64_t end = sim_now_ms() + 500;

	while (sim->tp.out_len && sim->tp.fd >= 0 && sim->tp.up &&
	       sim_now_ms() < end) {
		struct pollfd pfd = { .fd = sim->tp.fd, .events = POLLOUT };

		if (tp_flush(sim) < 0)
			break;
		if (sim->tp.out_len)
			poll(&pfd, 1, 1);
	}
}

void tp_set_rate(struct sim *sim, long rate)
{
	struct transport *t = &sim->tp;

	if (rate == sim->rate)
		return;
	transcript_event("rate %ld", rate);
	sim->rate = rate;
	t->line_rate = rate;
	sim->garbling = -1;
	/* The --baud throttle paces at the module's rate. */
	if (t->baud && rate)
		t->baud = rate;
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
	if (!sim->tp.up) {
		/*
		 * A UART whose module is down (--uart): the bytes cross the
		 * wire, the transcript shows them, and no parser gets them.
		 */
		transcript_log('<', buf, r);
		return 0;
	}
	if (sim->rate) {
		unsigned char g[8 * sizeof(buf)];
		long host;
		size_t len;

		/* The module's receiver runs at its rate, the host sent at its. */
		if (wire_state(sim, &host) == WIRE_MISMATCH) {
			len = garble_mismatch(buf, (size_t)r, host, sim->rate, g);
			transcript_log('<', g, len);
			sim_bytes_in(sim, g, len);
			return 0;
		}
	}
	transcript_log('<', buf, r);
	sim_bytes_in(sim, buf, r);
	return 0;
}
