// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw line discipline: URC capture, sysfs and uevents, and the
 * arbitration of the AT channel between users and the driver.
 *
 * Each test runs over a pty and over the USB gadget, against the simulator.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mfw_port.h"
#include "rig.h"

#define TIMEOUT_MS	15000
#define VERSION		"ML307R-DC-MBRH0S01"

FIXTURE(chan) {
	struct mfw_port_rig r;
	char user_wait[32];	/* user_wait_ms to restore, if changed */
};

FIXTURE_VARIANT(chan) {
	bool usb;
};

FIXTURE_VARIANT_ADD(chan, pty) {
	.usb = false,
};

FIXTURE_VARIANT_ADD(chan, usb_gadget) {
	.usb = true,
};

FIXTURE_SETUP(chan)
{
	self->r.tty = self->r.master = -1;
	self->r.sim = -1;
	self->r.usb = variant->usb;
}

FIXTURE_TEARDOWN(chan)
{
	if (self->user_wait[0] && rig_param_write("user_wait_ms", self->user_wait))
		TH_LOG("cannot restore user_wait_ms");
	port_down(&self->r);
}

/* Wait until the driver identified the module (it does so after boot). */
static int wait_identified(const char *path)
{
	long long end = rig_now_ms() + TIMEOUT_MS;
	char fw[128];

	while (rig_now_ms() < end) {
		if (rig_port_attr(path, "firmware", fw, sizeof(fw)) > 0 &&
		    !strcmp(fw, VERSION))
			return 0;
		usleep(50000);
	}
	return -ETIMEDOUT;
}

#define EXPECT_ATTR(path, attr, want) do {				\
	char __v[256] = "";						\
	EXPECT_EQ(0, rig_port_wait_attr(path, attr, want, __v,	\
					 sizeof(__v), 2000))	\
		TH_LOG("%s is '%s', not '%s'", attr, __v, want);	\
} while (0)

/* Send @cmd and read lines up to its final result; 0 if it was OK. */
static int at(int fd, const char *cmd, char *seen, size_t seen_len)
{
	char line[1024];
	size_t used = 0;

	if (rig_write_str(fd, cmd) || rig_write_str(fd, "\r"))
		return -EIO;
	for (;;) {
		int n = rig_read_line(fd, line, sizeof(line), TIMEOUT_MS);

		if (n < 0)
			return n;
		if (seen && used + n + 2 < seen_len) {
			memcpy(seen + used, line, n);
			used += n;
			seen[used++] = '\n';
			seen[used] = '\0';
		}
		if (!strcmp(line, "OK"))
			return 0;
		if (!strcmp(line, "ERROR") || !strncmp(line, "+CME ERROR", 10))
			return -EREMOTEIO;
	}
}

/* FOTA URCs reach the reader, sysfs, /dev/mfwN and uevents. */
TEST_F_TIMEOUT(chan, urcs_in_sysfs_devnode_and_uevents, 180)
{
	const char *args[] = {
		"--fault", "urc=+MFWDLOAD: 1,1000,500@cmd=AT#1",
		"--fault", "urc=+MFWDLOAD: 2,1000,1000@cmd=AT#2", NULL };
	char dir[64], node[64], buf[256], seen[1024];
	int sock, dev;
	ssize_t n;

	sock = rig_uevent_open();
	ASSERT_LE(0, sock);
	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, rig_port_dir(self->r.path, dir, sizeof(dir)));
	ASSERT_EQ(0, rig_port_node(self->r.path, node, sizeof(node)));
	dev = open(node, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, dev) TH_LOG("open %s: %m", node);
	ASSERT_EQ(0, wait_identified(self->r.path));

	ASSERT_EQ(0, at(self->r.tty, "AT", seen, sizeof(seen)));
	EXPECT_TRUE((strstr(seen, "+MFWDLOAD: 1,1000,500\n")) != NULL) TH_LOG("%s", seen);
	EXPECT_ATTR(self->r.path, "state", "downloading");
	EXPECT_ATTR(self->r.path, "progress", "500 1000");
	EXPECT_ATTR(self->r.path, "percent", "50");
	EXPECT_ATTR(self->r.path, "last_urc", "+MFWDLOAD: 1,1000,500");
	EXPECT_EQ(0, rig_uevent_wait(sock, "change", strrchr(dir, '/') + 1,
				     "MFW_STATE=downloading", TIMEOUT_MS));

	ASSERT_EQ(0, at(self->r.tty, "AT", seen, sizeof(seen)));
	EXPECT_ATTR(self->r.path, "state", "idle");
	EXPECT_EQ(0, rig_uevent_wait(sock, "change", strrchr(dir, '/') + 1,
				     "MFW_STATE=idle", TIMEOUT_MS));

	/* /dev/mfwN keeps what it captured, one URC per line. */
	n = read(dev, buf, sizeof(buf) - 1);
	ASSERT_LT(0, n) TH_LOG("read %s: %m", node);
	buf[n] = '\0';
	EXPECT_TRUE((strstr(buf, "+MFWDLOAD: 1,1000,500\n+MFWDLOAD: 2,1000,1000\n")) != NULL)
		TH_LOG("%s", buf);
	EXPECT_LE(2, rig_port_num(self->r.path, "statistics/urcs"));
	close(dev);
	close(sock);
}

/* With passthrough off users never see FOTA URCs; the driver still does. */
TEST_F_TIMEOUT(chan, urc_passthrough_off, 180)
{
	const char *args[] = {
		"--fault", "urc=+MFWDLOAD: 1,4096,1024@cmd=AT#1", NULL };
	char seen[1024];

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, wait_identified(self->r.path));
	ASSERT_EQ(0, rig_port_write(self->r.path, "urc_passthrough", "0"));
	ASSERT_EQ(0, at(self->r.tty, "AT", seen, sizeof(seen)));
	EXPECT_TRUE((strstr(seen, "+MFWDLOAD")) == NULL) TH_LOG("%s", seen);
	EXPECT_ATTR(self->r.path, "last_urc", "+MFWDLOAD: 1,4096,1024");
	EXPECT_ATTR(self->r.path, "percent", "25");
	/* Ordinary answers still come through, line by line. */
	ASSERT_EQ(0, at(self->r.tty, "ATI", seen, sizeof(seen)));
	EXPECT_TRUE((strstr(seen, "CMCC\n")) != NULL) TH_LOG("%s", seen);
}

/*
 * Under --cmd-delay-after-signal: wait until the identification after
 * boot is over (its ATI answered: the model is shown), then start the
 * simulator's --cmd-delay-ms (SIGUSR2).  The delay then falls on the
 * commands a case is about, not on the identification before it.
 * Returns 0, -ETIMEDOUT after TIMEOUT_MS, or kill()'s negative errno.
 */
static int slow_commands(struct mfw_port_rig *r)
{
	long long end = rig_now_ms() + TIMEOUT_MS;
	char model[128];

	while (rig_now_ms() < end) {
		if (rig_port_attr(r->path, "model", model, sizeof(model)) > 0)
			return kill(r->sim, SIGUSR2) ? -errno : 0;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

struct identify_job {
	const char *path;
	int ret;
	long long started, finished;
};

static void *identify_thread(void *arg)
{
	struct identify_job *job = arg;

	job->started = rig_now_ms();
	job->ret = rig_port_write(job->path, "identify", "1");
	job->finished = rig_now_ms();
	return NULL;
}

/*
 * In the module's transcript, after the user's "AT+MFWDLOAD?", the
 * module's "OK" for it must come before the driver's next "AT+CGMR".
 */
static int user_answered_first(const char *transcript)
{
	static char text[1 << 16];
	char *ati, *cgmr, *ok;
	FILE *f = fopen(transcript, "r");
	size_t n;

	if (!f)
		return -errno;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	ati = strstr(text, "< AT+MFWDLOAD?\\r");
	if (!ati)
		return -ENOENT;
	cgmr = strstr(ati, "< AT+CGMR");
	ok = strstr(ati, "OK\\r\\n");
	if (!cgmr || !ok)
		return -ENOENT;
	return ok < cgmr ? 0 : -EINVAL;
}

/* A driver command waits until the user's command in flight finished. */
TEST_F_TIMEOUT(chan, driver_waits_for_user_command, 180)
{
	const char *args[] = { "--cmd-delay-ms", "1500",
			       "--cmd-delay-after-signal", NULL };
	struct identify_job job = { .path = self->r.path };
	pthread_t t;

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, wait_identified(self->r.path));
	ASSERT_EQ(0, slow_commands(&self->r));

	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT+MFWDLOAD?\r"));
	usleep(300000);
	ASSERT_EQ(0, pthread_create(&t, NULL, identify_thread, &job));
	ASSERT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, job.ret);

	/* The module answered the user before it got the driver's command. */
	EXPECT_EQ(0, user_answered_first(self->r.transcript));
}

/* User writes wait while the driver owns the channel; its answers stay hidden. */
TEST_F_TIMEOUT(chan, user_write_waits_for_driver_command, 180)
{
	const char *args[] = { "--cmd-delay-ms", "1000",
			       "--cmd-delay-after-signal", NULL };
	struct identify_job job = { .path = self->r.path };
	struct pollfd pfd;
	long long t0, waited;
	char seen[1024] = "";
	pthread_t t;
	int flags, ret;

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, wait_identified(self->r.path));
	ASSERT_EQ(0, slow_commands(&self->r));
	ASSERT_EQ(0, pthread_create(&t, NULL, identify_thread, &job));
	usleep(300000);

	/* Non-blocking: refused at once, and poll() does not say writable. */
	flags = fcntl(self->r.tty, F_GETFL);
	ASSERT_EQ(0, fcntl(self->r.tty, F_SETFL, flags | O_NONBLOCK));
	EXPECT_EQ(-1, write(self->r.tty, "AT\r", 3));
	EXPECT_EQ(EAGAIN, errno);
	pfd.fd = self->r.tty;
	pfd.events = POLLOUT;
	ret = poll(&pfd, 1, 200);
	/*
	 * The identification is three commands, with the channel free for a
	 * moment between them.  The first went out after the thread started
	 * and is answered 1000 ms after it went out: a poll that ended
	 * before then fell inside it.  A crowded machine can put this
	 * thread's turn later; then only the write above counts.
	 */
	if (rig_now_ms() < job.started + 1000) {
		EXPECT_EQ(0, ret) TH_LOG("revents %#x", pfd.revents);
	} else {
		TH_LOG("poll() ended %lld ms after the identification began: not inside its first command",
		       rig_now_ms() - job.started);
	}
	ASSERT_EQ(0, fcntl(self->r.tty, F_SETFL, flags));

	/* Blocking: goes out once the driver is done. */
	t0 = rig_now_ms();
	ret = at(self->r.tty, "AT", seen, sizeof(seen));
	if (ret) {
		fprintf(stderr, "# user saw:\n%s", seen);
		rig_dump_file(stderr, self->r.transcript, NULL);
	}
	ASSERT_EQ(0, ret);
	waited = rig_now_ms() - t0;
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, job.ret);
	EXPECT_LE(1000, waited) TH_LOG("user write went out after %lld ms", waited);
	/* Writable again once the driver's commands are over. */
	EXPECT_EQ(1, poll(&pfd, 1, 5000));
	EXPECT_TRUE(pfd.revents & POLLOUT);
	/* The driver's AT+CGMR answer (the bare version) never reached us. */
	EXPECT_TRUE((strstr(seen, VERSION "\n")) == NULL) TH_LOG("%s", seen);
	EXPECT_LE(1, rig_port_num(self->r.path, "statistics/user_waits"));
}

/*
 * What the module received (rig_host_stream()), kept until the next call:
 * one caller at a time.
 */
static const char *received(const char *transcript)
{
	static char *text;

	free(text);
	text = rig_host_stream(transcript, NULL);
	return text ? text : "";
}

static int count_of(const char *text, const char *needle)
{
	int n = 0;

	for (text = strstr(text, needle); text; text = strstr(text + 1, needle))
		n++;
	return n;
}

/*
 * Start a driver identification and return once its AT+CGMR reached the
 * module (the driver then owns the channel for --cmd-delay-ms).
 */
static int identify_started(FIXTURE_DATA(chan) *self, pthread_t *t,
			    struct identify_job *job)
{
	int before = count_of(received(self->r.transcript), "AT+CGMR\r");
	long long end = rig_now_ms() + TIMEOUT_MS;

	if (pthread_create(t, NULL, identify_thread, job))
		return -1;
	while (rig_now_ms() < end) {
		if (count_of(received(self->r.transcript), "AT+CGMR\r") > before)
			return 0;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

/*
 * A blocking write while the driver's command owns the channel does not
 * sleep in the write hook, where the tty core holds the tty's write lock
 * (tcsendbreak() and every other writer need it): the bytes are parked and
 * write() returns at once.  They go out, whole and in order, when the
 * driver lets go: between its AT+CGMR and its ATI, and the user gets the
 * module's answer.
 */
TEST_F_TIMEOUT(chan, blocked_write_is_parked, 180)
{
	const char *args[] = { "--cmd-delay-ms", "3000",
			       "--cmd-delay-after-signal", NULL };
	struct identify_job job = { .path = self->r.path };
	const char *text, *user;
	char line[256] = "";
	long long t0, wrote;
	bool info = false;
	pthread_t t;
	long waits;

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, wait_identified(self->r.path));
	ASSERT_EQ(0, slow_commands(&self->r));
	waits = rig_port_num(self->r.path, "statistics/user_waits");
	ASSERT_EQ(0, identify_started(self, &t, &job));

	/* A terminal's way: the command in pieces, each a blocking write. */
	t0 = rig_now_ms();
	EXPECT_EQ(6, write(self->r.tty, "AT+MFW", 6));
	EXPECT_EQ(6, write(self->r.tty, "DLOAD?", 6));
	EXPECT_EQ(1, write(self->r.tty, "\r", 1));
	wrote = rig_now_ms() - t0;
	EXPECT_EQ(0, job.finished) TH_LOG("the driver's command was over first");
	EXPECT_GT(1000, wrote) TH_LOG("write() took %lld ms", wrote);
	EXPECT_LE(waits + 3, rig_port_num(self->r.path, "statistics/user_waits"));

	while (strcmp(line, "OK")) {
		ASSERT_LT(0, rig_read_line(self->r.tty, line, sizeof(line),
					   TIMEOUT_MS));
		info |= !strncmp(line, "+MFWDLOAD:", 10);
		/* The driver's answers are not the user's. */
		EXPECT_TRUE((strstr(line, VERSION)) == NULL) TH_LOG("%s", line);
	}
	EXPECT_TRUE(info) TH_LOG("no +MFWDLOAD: line before the OK");
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, job.ret);
	/* Whole, after the driver's AT+CGMR, before its ATI. */
	text = received(self->r.transcript);
	user = strstr(text, "AT+MFWDLOAD?\r");
	ASSERT_TRUE((user) != NULL) TH_LOG("the module got: %s", text);
	EXPECT_TRUE((strstr(user, "ATI\r")) != NULL);
}

/*
 * Parked bytes do not hold up a detach, and they are dropped with the
 * port: the discipline goes at once, the module never gets them, and the
 * port works as a plain tty.
 */
TEST_F_TIMEOUT(chan, detach_drops_parked_write, 180)
{
	const char *args[] = { "--cmd-delay-ms", "3000",
			       "--cmd-delay-after-signal", NULL };
	struct identify_job job = { .path = self->r.path };
	int n_tty = N_TTY;
	long long t0, wrote, took;
	pthread_t t;

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, wait_identified(self->r.path));
	ASSERT_EQ(0, slow_commands(&self->r));
	ASSERT_EQ(0, identify_started(self, &t, &job));
	t0 = rig_now_ms();
	EXPECT_EQ(13, write(self->r.tty, "AT+MFWDLOAD?\r", 13));
	wrote = rig_now_ms() - t0;
	EXPECT_GT(1000, wrote) TH_LOG("write() took %lld ms", wrote);
	t0 = rig_now_ms();
	ASSERT_EQ(0, ioctl(self->r.tty, TIOCSETD, &n_tty));
	took = rig_now_ms() - t0;
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_NE(0, job.ret);
	EXPECT_GT(2000, took) TH_LOG("detach took %lld ms", took);
	/* A plain tty now: the module answers a user directly. */
	ASSERT_EQ(0, rig_write_str(self->r.tty, "ATI\r"));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "CMCC", TIMEOUT_MS));
	EXPECT_TRUE((strstr(received(self->r.transcript), "AT+MFWDLOAD?")) == NULL);
}

/*
 * A parked write whose turn comes while the tty's output is stopped
 * (TCOOFF here; CTS low on a UART with hardware flow control) waits for
 * room in the driver, never inside n_tty, where the work item that sends
 * it would wait without a bound, holding the channel: the write is
 * dropped after user_wait_ms (as long as a blocking writer waits for the
 * channel), and the driver's next command goes out when the output
 * starts again.  Over the pty only: a USB serial port's room does not
 * stop with its output.
 */
TEST_F_TIMEOUT(chan, parked_write_waits_for_room_with_a_bound, 180)
{
	const char *args[] = { "--cmd-delay-ms", "2000",
			       "--cmd-delay-after-signal", NULL };
	struct identify_job job = { .path = self->r.path };
	pthread_t t;

	if (variant->usb)
		SKIP(return, "a USB serial port's room does not stop with its output");
	ASSERT_EQ(0, rig_param_read("user_wait_ms", self->user_wait,
				     sizeof(self->user_wait)));
	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, wait_identified(self->r.path));
	ASSERT_EQ(0, slow_commands(&self->r));
	ASSERT_EQ(0, rig_param_write("user_wait_ms", "3000"));
	ASSERT_EQ(0, identify_started(self, &t, &job));
	EXPECT_EQ(13, write(self->r.tty, "AT+MFWDLOAD?\r", 13));
	ASSERT_EQ(0, tcflow(self->r.tty, TCOOFF));
	/* AT+CGMR answered after 2 s, then 3 s of no room. */
	usleep(6500000);
	EXPECT_EQ(0, tcflow(self->r.tty, TCOON));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, job.ret);
	EXPECT_TRUE((strstr(received(self->r.transcript), "AT+MFWDLOAD?")) == NULL)
		TH_LOG("the parked write still went out after the bound");
	/* The port works on. */
	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT\r"));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
}

/*
 * A TIOCSETD to mfw itself changes nothing (the tty core returns early),
 * but it marks the discipline as changing while it runs: a parked write
 * waiting for room then (its output stopped) must not be taken as going,
 * and goes out whole once the output starts again.
 */
TEST_F_TIMEOUT(chan, same_discipline_keeps_parked_write, 180)
{
	const char *args[] = { "--cmd-delay-ms", "2000",
			       "--cmd-delay-after-signal", NULL };
	struct identify_job job = { .path = self->r.path };
	int mfw = rig_ldisc_num(), i;
	long long t0;
	pthread_t t;

	if (variant->usb)
		SKIP(return, "a USB serial port's room does not stop with its output");
	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, wait_identified(self->r.path));
	ASSERT_EQ(0, slow_commands(&self->r));
	ASSERT_EQ(0, identify_started(self, &t, &job));
	EXPECT_EQ(13, write(self->r.tty, "AT+MFWDLOAD?\r", 13));
	ASSERT_EQ(0, tcflow(self->r.tty, TCOOFF));
	/* AT+CGMR answered after 2 s: the drain waits for room. */
	usleep(3000000);
	/*
	 * Each call marks the discipline as changing for a moment only, and
	 * wakes the drain's wait: a second of them, back to back.
	 */
	for (i = 0, t0 = rig_now_ms(); rig_now_ms() - t0 < 1000; i++)
		ASSERT_EQ(0, ioctl(self->r.tty, TIOCSETD, &mfw));
	TH_LOG("%d TIOCSETD calls", i);
	EXPECT_EQ(0, tcflow(self->r.tty, TCOON));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, job.ret);
	EXPECT_TRUE((strstr(received(self->r.transcript), "AT+MFWDLOAD?\r")) != NULL)
		TH_LOG("the parked write was dropped");
}

/*
 * An output flush discards parked bytes, as it discards what the tty
 * driver holds: written, not sent.
 */
TEST_F_TIMEOUT(chan, output_flush_drops_parked_write, 180)
{
	const char *args[] = { "--cmd-delay-ms", "2000",
			       "--cmd-delay-after-signal", NULL };
	struct identify_job job = { .path = self->r.path };
	pthread_t t;

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, wait_identified(self->r.path));
	ASSERT_EQ(0, slow_commands(&self->r));
	ASSERT_EQ(0, identify_started(self, &t, &job));
	EXPECT_EQ(13, write(self->r.tty, "AT+MFWDLOAD?\r", 13));
	EXPECT_EQ(0, tcflush(self->r.tty, TCOFLUSH));
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, job.ret);
	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT\r"));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	EXPECT_TRUE((strstr(received(self->r.transcript), "AT+MFWDLOAD?")) == NULL);
}

/*
 * A report unrelated to the driver's command ("+CEREG: 1" during its
 * AT+CGMR) still reaches users; the driver still gets its answer.
 */
TEST_F_TIMEOUT(chan, unsolicited_line_during_driver_command, 180)
{
	const char *args[] = { "--fault", "urc=+CEREG: 1@cmd=CGMR#2", NULL };

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, wait_identified(self->r.path));
	/* The boot identification or this one meets the fault. */
	ASSERT_EQ(0, rig_port_write(self->r.path, "identify", "1"));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "+CEREG: 1", TIMEOUT_MS));
	EXPECT_ATTR(self->r.path, "firmware", VERSION);
}

/*
 * A module answers ERROR to a line it could not parse: leftovers in its
 * line buffer ahead of the driver's command.  The driver asks again, so
 * two such answers in a row still end with the module identified.
 */
TEST_F_TIMEOUT(chan, identification_retries_after_error, 180)
{
	const char *args[] = { "--fault", "error@cmd=CGMR#1",
			       "--fault", "error@cmd=CGMR#2", NULL };

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	EXPECT_EQ(0, wait_identified(self->r.path));
}

/*
 * A module that lets the identification go unanswered once (busy, or its
 * +MATREADY came and went before anyone asked) is asked again: silence
 * does not leave the port unidentified until the module restarts.  The
 * first AT+CGMR the module hears is answered only after the driver's 5 s
 * have passed; the driver's next one gets its answer.
 */
TEST_F_TIMEOUT(chan, identification_retries_after_silence, 180)
{
	const char *args[] = { "--fault", "stall=6000@cmd=CGMR#1", NULL };
	long long end;
	char fw[128] = "";
	int asked;

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	/* Its answer is late by 1 s; then 2 and 4 s pauses at most. */
	end = rig_now_ms() + 60000;
	while (rig_now_ms() < end &&
	       (rig_port_attr(self->r.path, "firmware", fw, sizeof(fw)) <= 0 ||
		strcmp(fw, VERSION)))
		usleep(100000);
	EXPECT_STREQ(VERSION, fw);
	asked = count_of(received(self->r.transcript), "AT+CGMR\r");
	EXPECT_LE(2, asked) TH_LOG("the module heard %d AT+CGMR", asked);
	EXPECT_LE(1, rig_port_num(self->r.path, "statistics/driver_timeouts"));
}

/* /dev/mfwN: one opener at a time, and only root. */
TEST_F_TIMEOUT(chan, devnode_exclusive_and_root_only, 180)
{
	char node[64];
	int a, b, status;
	pid_t pid;

	ASSERT_EQ(0, port_up(&self->r, variant->usb, NULL));
	ASSERT_EQ(0, rig_port_node(self->r.path, node, sizeof(node)));
	a = open(node, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, a);
	b = open(node, O_RDONLY | O_CLOEXEC);
	EXPECT_EQ(-1, b);
	EXPECT_EQ(EBUSY, errno);
	close(a);
	b = open(node, O_RDONLY | O_CLOEXEC);
	EXPECT_LE(0, b);
	close(b);

	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(10);
		if (open(node, O_RDONLY) >= 0)
			_exit(11);
		if (errno != EACCES)
			_exit(12);
		/* Nor may it write an attribute. */
		if (rig_port_write(self->r.path, "urc_passthrough", "0") != -EACCES)
			_exit(13);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* poll() on progress wakes when a FOTA URC moves it. */
TEST_F_TIMEOUT(chan, progress_poll_wakes, 180)
{
	const char *args[] = {
		"--fault", "urc=+MFWDLOAD: 1,2048,1024@cmd=AT#1", NULL };
	char dir[64], file[128], buf[64];
	struct pollfd p;
	int fd;

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, wait_identified(self->r.path));
	ASSERT_EQ(0, rig_port_dir(self->r.path, dir, sizeof(dir)));
	snprintf(file, sizeof(file), "%s/progress", dir);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_LT(0, read(fd, buf, sizeof(buf)));
	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT\r"));
	p.fd = fd;
	p.events = POLLPRI | POLLERR;
	ASSERT_EQ(1, poll(&p, 1, TIMEOUT_MS));
	EXPECT_TRUE(p.revents & POLLPRI);
	ASSERT_EQ(0, lseek(fd, 0, SEEK_SET));
	buf[read(fd, buf, sizeof(buf) - 1)] = '\0';
	EXPECT_STREQ("1024 2048\n", buf);
	close(fd);
}

/* A canonical-mode client reads whole lines, URCs included. */
TEST_F_TIMEOUT(chan, canonical_client_with_urcs, 180)
{
	const char *args[] = {
		"--fault", "urc=+MFWUPGRADE: 1,30@cmd=AT#1", NULL };
	char buf[256], all[1024] = "";
	struct termios tio;
	int i;

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, wait_identified(self->r.path));
	ASSERT_EQ(0, tcgetattr(self->r.tty, &tio));
	tio.c_lflag |= ICANON;
	tio.c_lflag &= ~(ECHO | ISIG);
	tio.c_iflag |= IGNCR;
	ASSERT_EQ(0, tcsetattr(self->r.tty, TCSANOW, &tio));
	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT\r"));
	/* Each read() returns one line: echo, URC, OK (blank lines too). */
	for (i = 0; i < 8 && !strstr(all, "OK\n"); i++) {
		struct pollfd p = { .fd = self->r.tty, .events = POLLIN };
		ssize_t n;

		ASSERT_EQ(1, poll(&p, 1, TIMEOUT_MS));
		n = read(self->r.tty, buf, sizeof(buf) - 1);
		ASSERT_LT(0, n);
		buf[n] = '\0';
		ASSERT_EQ('\n', buf[n - 1]) TH_LOG("not a whole line: %s", buf);
		strncat(all, buf, sizeof(all) - strlen(all) - 1);
	}
	EXPECT_TRUE((strstr(all, "+MFWUPGRADE: 1,30\n")) != NULL) TH_LOG("%s", all);
	EXPECT_TRUE((strstr(all, "OK\n")) != NULL) TH_LOG("%s", all);
	EXPECT_ATTR(self->r.path, "state", "upgrading");
	EXPECT_ATTR(self->r.path, "percent", "30");
}

/*
 * A 64 KiB line without a newline from the module: the reader gets every
 * byte, and the driver's framer resynchronises on the next line.
 */
TEST(long_line_64k)
{
	char slave[64], line[128], chunk[4096];
	size_t sent = 0, got = 0;
	int m, s;

	m = rig_open_pty(slave, sizeof(slave));
	ASSERT_LE(0, m);
	s = rig_open_tty(slave);
	ASSERT_LE(0, s);
	ASSERT_EQ(0, rig_attach(s));
	/* Play the module: answer the driver's identification (three commands). */
	for (int i = 0; i < 3; i++) {
		ASSERT_LT(0, rig_read_line(m, line, sizeof(line), TIMEOUT_MS));
		ASSERT_EQ(0, rig_write_str(m, "\r\nOK\r\n"));
	}
	memset(chunk, 'x', sizeof(chunk));
	/* Interleave writes and reads: the pty buffers only a few KiB. */
	while (got < 65536) {
		struct pollfd p[2] = {
			{ .fd = m, .events = sent < 65536 ? POLLOUT : 0 },
			{ .fd = s, .events = POLLIN },
		};
		ssize_t n;

		ASSERT_LT(0, poll(p, 2, TIMEOUT_MS));
		if (p[0].revents & POLLOUT) {
			n = write(m, chunk, sizeof(chunk));
			ASSERT_LT(0, n);
			sent += n;
		}
		if (p[1].revents & POLLIN) {
			n = read(s, chunk, sizeof(chunk));
			ASSERT_LT(0, n);
			got += n;
			memset(chunk, 'x', sizeof(chunk));
		}
	}
	EXPECT_EQ((size_t)65536, got);
	ASSERT_EQ(0, rig_write_str(m, "\r\n+MFWUPGRADE: 1,42\r\n"));
	ASSERT_EQ(0, rig_expect_line(s, "+MFWUPGRADE: 1,42", TIMEOUT_MS));
	EXPECT_ATTR(slave, "last_urc", "+MFWUPGRADE: 1,42");
	EXPECT_ATTR(slave, "state", "upgrading");
	EXPECT_LE(65536, rig_port_wait_num(slave, "statistics/rx_bytes", 65536,
					   TIMEOUT_MS));
	close(s);
	close(m);
}

TEST_HARNESS_MAIN
