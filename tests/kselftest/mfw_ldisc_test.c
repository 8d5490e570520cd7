// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw line discipline: attach it to a modem's AT port and see the bytes the
 * simulated module sends reach both the port's reader and the driver.
 *
 * The port's tests run on two transports: a pty pair (simulator on the
 * master) and a USB gadget (simulator on ttyGS0, the driver on the ttyACM
 * the USB core enumerated).  The slow line's run on a pty, the simulator
 * pacing the module's output at a UART's rate.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mfw_port.h"
#include "rig.h"

#define TIMEOUT_MS	15000
/* Text messages on the simulated SIM: their PDU listing is 12 KiB. */
#define SIM_SMS		64
#define STR_(x)		#x
#define STR(x)		STR_(x)

FIXTURE(port) {
	int tty;
	int master;
	pid_t sim;
	char path[64];
	char user_timeout[32];	/* the parameter as found, put back after */
};

FIXTURE_VARIANT(port) {
	bool usb;
};

FIXTURE_VARIANT_ADD(port, pty) {
	.usb = false,
};

FIXTURE_VARIANT_ADD(port, usb_gadget) {
	.usb = true,
};

FIXTURE_SETUP(port)
{
	self->master = -1;
	self->sim = -1;
	ASSERT_EQ(0, rig_param_read("user_timeout_ms", self->user_timeout,
				    sizeof(self->user_timeout)));
	if (variant->usb) {
		char udc[64], dir[128], udc_arg[80], dir_arg[160];

		ASSERT_EQ(0, rig_gadget("create", self->path, sizeof(self->path)));
		ASSERT_EQ(0, rig_gadget("udc", udc, sizeof(udc)));
		ASSERT_EQ(0, rig_gadget("dir", dir, sizeof(dir)));
		self->tty = rig_open_tty(self->path);
		ASSERT_LE(0, self->tty) TH_LOG("open %s: %m", self->path);
		ASSERT_EQ(0, rig_attach(self->tty));
		snprintf(udc_arg, sizeof(udc_arg), "%s", udc);
		snprintf(dir_arg, sizeof(dir_arg), "%s", dir);
		{
			const char *argv[] = { "--tty", "/dev/ttyGS0",
				"--gadget", dir_arg, "--udc", udc_arg,
				"--boot-ms", "200", "--sms", STR(SIM_SMS), NULL };

			self->sim = rig_sim_start(argv, -1, TIMEOUT_MS);
		}
	} else {
		const char *argv[] = { "--boot-ms", "200",
				       "--sms", STR(SIM_SMS), NULL };

		self->master = rig_open_pty(self->path, sizeof(self->path));
		ASSERT_LE(0, self->master);
		self->tty = rig_open_tty(self->path);
		ASSERT_LE(0, self->tty) TH_LOG("open %s: %m", self->path);
		/* Attach before the module talks, so no byte bypasses mfw. */
		ASSERT_EQ(0, rig_attach(self->tty));
		self->sim = rig_sim_start(argv, self->master, TIMEOUT_MS);
	}
	ASSERT_LT(0, self->sim) TH_LOG("simulator did not start");
}

FIXTURE_TEARDOWN(port)
{
	if (self->user_timeout[0] &&
	    rig_param_write("user_timeout_ms", self->user_timeout))
		TH_LOG("cannot put user_timeout_ms back to %s",
		       self->user_timeout);
	rig_sim_stop(self->sim);
	if (self->tty >= 0)
		close(self->tty);
	if (self->master >= 0)
		close(self->master);
	if (variant->usb)
		rig_gadget("destroy", NULL, 0);
}

/* The module's boot URC reaches the port's reader and the driver. */
TEST_F_TIMEOUT(port, boot_urc_seen_by_reader_and_driver, 180)
{
	char urc[128] = "";

	ASSERT_EQ(0, rig_expect_line(self->tty, "+MATREADY", TIMEOUT_MS));
	/* mfw acts on what n_tty consumed, a moment after the reader may. */
	EXPECT_EQ(0, rig_port_wait_attr(self->path, "last_urc", "+MATREADY",
					urc, sizeof(urc), TIMEOUT_MS))
		TH_LOG("last_urc is '%s'", urc);
	EXPECT_LE(1, rig_port_num(self->path, "statistics/urcs"));
}

/* An ordinary AT client keeps working through the discipline. */
TEST_F_TIMEOUT(port, at_round_trip, 180)
{
	ASSERT_EQ(0, rig_expect_line(self->tty, "+MATREADY", TIMEOUT_MS));
	ASSERT_EQ(0, rig_write_str(self->tty, "ATI\r"));
	ASSERT_EQ(0, rig_expect_line(self->tty, "CMCC", TIMEOUT_MS));
	ASSERT_EQ(0, rig_expect_line(self->tty, "OK", TIMEOUT_MS));
	/* The driver saw the user's command and its final result. */
	EXPECT_LE(1, rig_port_wait_num(self->path, "statistics/user_commands",
				       1, TIMEOUT_MS));
	EXPECT_LE(4, rig_port_wait_num(self->path, "statistics/rx_lines", 4,
				       TIMEOUT_MS));
}

/* Switching back to N_TTY detaches mfw and leaves a working port. */
TEST_F_TIMEOUT(port, detach_restores_n_tty, 180)
{
	char state[32];
	int ld = N_TTY;

	ASSERT_EQ(0, rig_expect_line(self->tty, "+MATREADY", TIMEOUT_MS));
	ASSERT_LT(0, rig_port_attr(self->path, "state", state, sizeof(state)));
	EXPECT_STREQ("idle", state);
	ASSERT_EQ(0, ioctl(self->tty, TIOCSETD, &ld));
	ld = -1;
	ASSERT_EQ(0, ioctl(self->tty, TIOCGETD, &ld));
	EXPECT_EQ(N_TTY, ld);
	/* The port and its sysfs directory are gone with the discipline. */
	EXPECT_EQ(-ENOENT, rig_port_attr(self->path, "state", state,
					 sizeof(state)));
	ASSERT_EQ(0, rig_write_str(self->tty, "AT\r"));
	ASSERT_EQ(0, rig_expect_line(self->tty, "OK", TIMEOUT_MS));
}

/*
 * Wait until the driver identified the module: its own AT+CGMR and ATI,
 * right after boot, would otherwise share the module with a burst of
 * the test's commands.
 */
static int wait_identified(const char *path)
{
	long long end = rig_now_ms() + TIMEOUT_MS;
	char fw[64];

	while (rig_now_ms() < end) {
		if (rig_port_attr(path, "firmware", fw, sizeof(fw)) > 0 && *fw)
			return 0;
		usleep(100000);
	}
	return -ETIMEDOUT;
}

/*
 * Wait until counter @attr reached @min and then stayed still for a
 * second (the module has said all it had to).  Its value, or -1.
 */
static long wait_still(const char *path, const char *attr, long min)
{
	long long end = rig_now_ms() + TIMEOUT_MS, since = 0;
	long v, last = -1;

	while (rig_now_ms() < end) {
		v = rig_port_num(path, attr);
		if (v != last) {
			last = v;
			since = rig_now_ms();
		} else if (v >= min && rig_now_ms() - since >= 1000) {
			return v;
		}
		usleep(100000);
	}
	return -1;
}

/*
 * What a reader opened on @fd finds: nothing waiting, and to AT+CGMR sent
 * through @w an answer with none of the old ATI answers before its OK.
 * 0, or which of these failed (printed).
 */
static int only_new_input(int fd, int w)
{
	char line[256];
	int n, waiting = -1;

	if (ioctl(fd, TIOCINQ, &waiting) || waiting) {
		fprintf(stderr, "# %d bytes wait for a new reader\n", waiting);
		return -1;
	}
	if (rig_write_str(w, "AT+CGMR\r"))
		return -1;
	for (n = 0; n < 10; n++) {
		if (rig_read_line(fd, line, sizeof(line), TIMEOUT_MS) <= 0)
			return -1;
		if (!strcmp(line, "CMCC")) {
			fprintf(stderr, "# an old ATI answer reached the new reader\n");
			return -1;
		}
		if (!strcmp(line, "OK"))
			return 0;
	}
	fprintf(stderr, "# no OK in the reader's first ten lines\n");
	return -1;
}

/* ATI @n times through @fd: about 60 bytes of answer each. */
static int send_ati(int fd, int n)
{
	int i;

	for (i = 0; i < n; i++)
		if (rig_write_str(fd, "ATI\r"))
			return -1;
	return 0;
}

/*
 * With no file open to read the tty, the driver still sees every answer
 * and keeps none of it (statistics/rx_unread): n_tty never fills, and a
 * reader opened later gets only what comes after it.
 */
TEST_F_TIMEOUT(port, nobody_reads_nothing_is_kept, 180)
{
	long unread0, cmds0;
	int w;

	ASSERT_EQ(0, rig_expect_line(self->tty, "+MATREADY", TIMEOUT_MS));
	ASSERT_EQ(0, wait_identified(self->path));
	w = open(self->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, w) TH_LOG("open %s write-only: %m", self->path);
	/* What came while it could read stays for a reader: the LF left. */
	ASSERT_EQ(0, tcflush(self->tty, TCIFLUSH));
	close(self->tty);
	self->tty = -1;
	unread0 = rig_port_num(self->path, "statistics/rx_unread");
	cmds0 = rig_port_num(self->path, "statistics/user_commands");
	ASSERT_LE(0, unread0);
	/* 6 KiB of answers: more than n_tty's 4 KiB buffer. */
	ASSERT_EQ(0, send_ati(w, 100));
	EXPECT_LE(cmds0 + 100,
		  rig_port_wait_num(self->path, "statistics/user_commands",
				    cmds0 + 100, TIMEOUT_MS));
	/* Every answer seen, none kept: about 63 bytes each, with the echo. */
	EXPECT_LE(unread0 + 5000,
		  wait_still(self->path, "statistics/rx_unread",
			     unread0 + 5000));
	/* A reader now gets what comes now, none of the old answers. */
	self->tty = rig_open_tty(self->path);
	ASSERT_LE(0, self->tty);
	EXPECT_EQ(0, only_new_input(self->tty, w));
	close(w);
}

/*
 * Read ATI answers from @fd up to the @n-th OK.  How many OKs came; in
 * @revisions how many "Revision:" lines.
 */
static int read_ati(int fd, int n, int *revisions)
{
	char line[256];
	int oks = 0;

	*revisions = 0;
	while (oks < n &&
	       rig_read_line(fd, line, sizeof(line), TIMEOUT_MS) > 0) {
		oks += !strcmp(line, "OK");
		*revisions += !strncmp(line, "Revision: ", 10);
	}
	return oks;
}

/*
 * A reader that does not read for a while loses nothing: 100 answers,
 * more than n_tty holds, wait for it (flow control holds the module
 * back), and none of them counts as unread.
 */
TEST_F_TIMEOUT(port, silent_reader_keeps_every_byte, 180)
{
	int revisions;
	long unread0;

	ASSERT_EQ(0, rig_expect_line(self->tty, "+MATREADY", TIMEOUT_MS));
	ASSERT_EQ(0, wait_identified(self->path));
	unread0 = rig_port_num(self->path, "statistics/rx_unread");
	ASSERT_EQ(0, send_ati(self->tty, 100));
	sleep(2);
	EXPECT_EQ(100, read_ati(self->tty, 100, &revisions));
	EXPECT_EQ(100, revisions);
	EXPECT_EQ(unread0, rig_port_num(self->path, "statistics/rx_unread"));
}

struct identify_call {
	const char *path;
	int ret;
	long long end_ms;	/* rig_now_ms() when the write returned */
};

static void *identify_main(void *arg)
{
	struct identify_call *c = arg;

	c->ret = rig_port_write(c->path, "identify", "1");
	c->end_ms = rig_now_ms();
	return NULL;
}

/* The listing of the fixture's SIM_SMS messages, in PDU mode: 12 KiB. */
#define LISTING		"AT+CMGL=4\r"
#define LISTING_MAX	(64 * 1024)

/*
 * Read what n_tty holds now (TIOCINQ), no more, onto @buf at *@len (at
 * most @size in all): a reader that reads in bursts.  0, or -1.
 */
static int read_burst(int fd, char *buf, size_t size, size_t *len)
{
	int waiting = 0;
	ssize_t n;

	if (ioctl(fd, TIOCINQ, &waiting))
		return -1;
	while (waiting > 0 && *len < size) {
		n = read(fd, buf + *len, (size_t)waiting < size - *len ?
			 (size_t)waiting : size - *len);
		if (n <= 0)
			return -1;
		*len += n;
		waiting -= n;
	}
	return 0;
}

/*
 * What a reader of the listing got in @buf: 0 when it is the whole
 * listing (SIM_SMS entries and the final OK) with none of the driver's
 * lines in it (its commands' echo, the version @fw that answers AT+CGMR,
 * ATI's "Revision:"), else -1 (printed).
 */
static int whole_listing(const char *buf, const char *fw)
{
	const char *p = buf;
	int entries = 0;

	while ((p = strstr(p, "+CMGL: ")))
		entries++, p++;
	if (entries != SIM_SMS || !strstr(buf, "\r\nOK\r\n") ||
	    strstr(buf, "AT+CGMR") || strstr(buf, "ATI") ||
	    strstr(buf, "Revision") || strstr(buf, fw)) {
		size_t len = strlen(buf), i;

		fprintf(stderr, "# %d of %d entries, %s OK, %s of the driver's lines; it ends '",
			entries, SIM_SMS, strstr(buf, "\r\nOK\r\n") ? "an" : "no",
			strstr(buf, "AT+CGMR") || strstr(buf, "ATI") ||
			strstr(buf, "Revision") || strstr(buf, fw) ?
			"some" : "none");
		for (i = len > 24 ? len - 24 : 0; i < len; i++)
			fprintf(stderr, buf[i] == '\r' ? "\\r" :
				buf[i] == '\n' ? "\\n" : "%c", buf[i]);
		fprintf(stderr, "'\n");
		return -1;
	}
	return 0;
}

/*
 * Once the module on @fd (port @path) is identified, its version in @fw
 * (@size bytes), set user_timeout_ms to @timeout and ask for the
 * listing.  0, or -1.
 */
static int ask_listing(int fd, const char *path, const char *timeout,
		       char *fw, size_t size)
{
	if (rig_expect_line(fd, "+MATREADY", TIMEOUT_MS) ||
	    wait_identified(path) ||
	    rig_port_attr(path, "firmware", fw, size) <= 0 ||
	    rig_param_write("user_timeout_ms", timeout))
		return -1;
	return rig_write_str(fd, LISTING) ? -1 : 0;
}

/*
 * Wait (at most TIMEOUT_MS) until n_tty's 4 KiB are nearly all waiting on
 * @fd, so that the module's output waits for its reader.  0, or -1.
 */
static int wait_full(int fd)
{
	long long end = rig_now_ms() + TIMEOUT_MS;
	int waiting = 0;

	while (rig_now_ms() < end) {
		if (ioctl(fd, TIOCINQ, &waiting))
			return -1;
		if (waiting >= 4000)
			return 0;
		usleep(20000);
	}
	fprintf(stderr, "# only %d bytes wait for the reader\n", waiting);
	return -1;
}

/* How a reader read the listing: for the log of a failed check. */
struct listing_read {
	long long start_ms;	/* rig_now_ms() at its first burst */
	long long end_ms;	/* ... and after its last */
	int bursts;		/* bursts that found bytes */
	char trace[512];	/* "+<ms>:<bytes>" for each of those */
};

/*
 * Read the listing from @fd into @buf (LISTING_MAX + 1 bytes, zeroed) in
 * bursts @pause_us apart, until its OK, for at most a minute; how, in @r.
 */
static void read_listing(int fd, char *buf, useconds_t pause_us,
			 struct listing_read *r)
{
	long long end = rig_now_ms() + 60000;
	size_t len = 0, before, used = 0;

	memset(r, 0, sizeof(*r));
	r->start_ms = rig_now_ms();
	while (!strstr(buf, "\r\nOK\r\n") && rig_now_ms() < end) {
		before = len;
		if (read_burst(fd, buf, LISTING_MAX, &len))
			break;
		if (len > before) {
			r->bursts++;
			if (used < sizeof(r->trace))
				used += snprintf(r->trace + used,
						 sizeof(r->trace) - used,
						 " +%lld:%zu",
						 rig_now_ms() - r->start_ms,
						 len - before);
		}
		usleep(pause_us);
	}
	r->end_ms = rig_now_ms();
}

/*
 * A reader that reads a long answer in bursts keeps all of it, even when
 * it takes longer than user_timeout_ms: a driver command asked for
 * meanwhile waits while the reader reads (the bound counts from its last
 * burst, not from the user's write) instead of taking the lines before
 * its own answer, and then gets its own answer, none of which reaches the
 * reader.
 */
TEST_F_TIMEOUT(port, reader_in_bursts_keeps_its_answer, 180)
{
	struct identify_call c = { .path = self->path, .ret = 1 };
	char *buf = calloc(1, LISTING_MAX + 1);
	char fw[64], now[64];
	struct listing_read r;
	pthread_t t;

	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(0, ask_listing(self->tty, self->path, "2500", fw, sizeof(fw)));
	ASSERT_EQ(0, wait_full(self->tty));
	ASSERT_EQ(0, pthread_create(&t, NULL, identify_main, &c));
	/*
	 * A second later, what n_tty holds every second, until the OK: the
	 * bursts take the reader past the 2.5 s the command waits at first,
	 * with a third of the listing still to read then.
	 */
	usleep(1000000);
	read_listing(self->tty, buf, 1000000, &r);
	pthread_join(t, NULL);
	EXPECT_EQ(0, whole_listing(buf, fw))
		TH_LOG("%d bursts in %lld ms:%s", r.bursts,
		       r.end_ms - r.start_ms, r.trace);
	EXPECT_EQ(0, c.ret) TH_LOG("identify %lld ms after the first burst",
				   c.end_ms - r.start_ms);
	/* Nothing more for the reader: the driver's answer was the driver's. */
	EXPECT_EQ(-ETIMEDOUT, rig_read_line(self->tty, now, sizeof(now),
					    1500)) TH_LOG("then '%s'", now);
	EXPECT_LT(0, rig_port_attr(self->path, "firmware", now, sizeof(now)));
	EXPECT_STREQ(fw, now);
	free(buf);
}

/*
 * A reader that does not read keeps the driver out instead of losing its
 * input: a driver command asked for while a long answer waits for that
 * reader fails with -EBUSY once the reader has not made room for
 * user_timeout_ms, and the reader then still gets all of it.
 */
TEST_F_TIMEOUT(port, silent_reader_not_overridden, 180)
{
	char *buf = calloc(1, LISTING_MAX + 1);
	struct listing_read r;
	char fw[64];

	ASSERT_TRUE(buf != NULL);
	ASSERT_EQ(0, ask_listing(self->tty, self->path, "1000", fw, sizeof(fw)));
	ASSERT_EQ(0, wait_full(self->tty));
	EXPECT_EQ(-EBUSY, rig_port_write(self->path, "identify", "1"));
	EXPECT_EQ(0, rig_param_write("user_timeout_ms", self->user_timeout));
	read_listing(self->tty, buf, 100000, &r);
	EXPECT_EQ(0, whole_listing(buf, fw))
		TH_LOG("%d bursts in %lld ms:%s", r.bursts,
		       r.end_ms - r.start_ms, r.trace);
	/* Caught up, the driver's command goes at once. */
	EXPECT_EQ(0, rig_port_write(self->path, "identify", "1"));
	free(buf);
}

/*
 * A reader that closes the tty without reading what it let pile up
 * leaves nobody to read it: within seconds, with no other traffic, the
 * driver takes what was held back for it (the tty unthrottled), and a
 * reader opened later finds none of the old input.
 */
TEST_F_TIMEOUT(port, reader_leaves_without_reading, 180)
{
	long unread0;
	int w;

	ASSERT_EQ(0, rig_expect_line(self->tty, "+MATREADY", TIMEOUT_MS));
	ASSERT_EQ(0, wait_identified(self->path));
	ASSERT_EQ(0, send_ati(self->tty, 100));
	sleep(2);
	w = open(self->path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
	ASSERT_LE(0, w) TH_LOG("open %s write-only: %m", self->path);
	unread0 = rig_port_num(self->path, "statistics/rx_unread");
	ASSERT_LE(0, unread0);
	close(self->tty);
	self->tty = -1;
	/* n_tty took 4 KiB of the 6 KiB of answers; the rest was held. */
	EXPECT_LE(unread0 + 1000,
		  wait_still(self->path, "statistics/rx_unread",
			     unread0 + 1000));
	self->tty = rig_open_tty(self->path);
	ASSERT_LE(0, self->tty);
	EXPECT_EQ(0, only_new_input(self->tty, w));
	close(w);
}

/* Only CAP_SYS_ADMIN may attach, even to a tty the user may open. */
TEST_F_TIMEOUT(port, unprivileged_attach_refused, 180)
{
	int status, ld = N_TTY;
	pid_t pid;

	/* Setting the discipline already attached would be a no-op. */
	ASSERT_EQ(0, ioctl(self->tty, TIOCSETD, &ld));
	ASSERT_EQ(0, chmod(self->path, 0666));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd, ld;

		if (setgid(65534) || setuid(65534))
			_exit(10);
		fd = rig_open_tty(self->path);
		if (fd < 0) {
			fprintf(stderr, "# open %s as nobody: %m\n", self->path);
			_exit(11);
		}
		ld = rig_ldisc_num();
		if (ioctl(fd, TIOCSETD, &ld) == 0)
			_exit(12);
		if (errno != EPERM) {
			fprintf(stderr, "# TIOCSETD as nobody: %m\n");
			_exit(13);
		}
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* --- a module on a slow line ----------------------------------------- */

/* The module's line, in the simulator's pace: 1920 bytes a second. */
#define SLOW_BAUD	"19200"
#define SLOW_STATE	"/tmp/mfw-ldisc-slow.state"

FIXTURE(slow) {
	struct mfw_port_rig r;
	char user_timeout[32];	/* the parameter as found, put back after */
};

FIXTURE_SETUP(slow)
{
	const char *const extra[] = { "--baud", SLOW_BAUD,
				      "--sms", STR(SIM_SMS), NULL };

	self->r.tty = self->r.master = -1;
	self->r.sim = -1;
	ASSERT_EQ(0, rig_param_read("user_timeout_ms", self->user_timeout,
				    sizeof(self->user_timeout)));
	unlink(SLOW_STATE);
	ASSERT_EQ(0, port_up_model(&self->r, false, "ML307R-DC", SLOW_STATE,
				   extra));
}

FIXTURE_TEARDOWN(slow)
{
	if (self->user_timeout[0] &&
	    rig_param_write("user_timeout_ms", self->user_timeout))
		TH_LOG("cannot put user_timeout_ms back to %s",
		       self->user_timeout);
	port_down(&self->r);
	unlink(SLOW_STATE);
}

/*
 * A long answer that the module sends slower than user_timeout_ms keeps
 * its command in flight while it comes without a pause: at 19200 baud the
 * 12 KiB listing takes 6.5 s, three times the 2 s set here, and a reader
 * reads it as it comes (n_tty never fills).  A driver command asked for
 * half a second into it waits for the listing's OK instead of taking the
 * rest of it as the lines before its own answer, and then succeeds.
 */
TEST_F_TIMEOUT(slow, slow_answer_keeps_its_command_in_flight, 180)
{
	struct identify_call c = { .path = self->r.path, .ret = 1 };
	char *buf = calloc(1, LISTING_MAX + 1);
	char fw[64], now[64];
	struct listing_read r;
	pthread_t t;

	ASSERT_TRUE(buf != NULL);
	ASSERT_LT(0, rig_port_attr(self->r.path, "firmware", fw, sizeof(fw)));
	ASSERT_EQ(0, rig_param_write("user_timeout_ms", "2000"));
	ASSERT_EQ(0, rig_write_str(self->r.tty, LISTING));
	usleep(500000);
	ASSERT_EQ(0, pthread_create(&t, NULL, identify_main, &c));
	read_listing(self->r.tty, buf, 20000, &r);
	pthread_join(t, NULL);
	EXPECT_EQ(0, whole_listing(buf, fw))
		TH_LOG("%d bursts in %lld ms", r.bursts, r.end_ms - r.start_ms);
	/* It took the line longer than the command waits at first. */
	EXPECT_LT(4000, r.end_ms - r.start_ms);
	EXPECT_EQ(0, c.ret);
	EXPECT_LE(r.end_ms - 1000, c.end_ms)
		TH_LOG("identify returned %lld ms before the listing's OK",
		       r.end_ms - c.end_ms);
	EXPECT_EQ(-ETIMEDOUT, rig_read_line(self->r.tty, now, sizeof(now),
					    1500)) TH_LOG("then '%s'", now);
	EXPECT_LT(0, rig_port_attr(self->r.path, "firmware", now, sizeof(now)));
	EXPECT_STREQ(fw, now);
	free(buf);
}

/* --- the test plays the module --------------------------------------- */

#define BARE_FW		"ML307R-DC-MBRH0S01"
#define BARE_ATI	"\r\nCMCC\r\nML307R-DC\r\nRevision: " BARE_FW "\r\n\r\nOK\r\n"
#define BARE_IMEI	"490154203237518"
#define NMEA		"$GPGGA,123519,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*47\r\n"

FIXTURE(bare) {
	int master, tty;
	char path[64];
	char user_timeout[32];	/* the parameters as found, put back after */
	char cmd_timeout[32];
};

/* Read the driver's next command on @master; answer it as a module does. */
static int bare_answer(int master, char *cmd, size_t size, int timeout_ms)
{
	if (rig_read_line(master, cmd, size, timeout_ms) <= 0)
		return -1;
	if (!strcmp(cmd, "AT+CGMR"))
		return rig_write_str(master, "\r\n" BARE_FW "\r\n\r\nOK\r\n");
	if (!strcmp(cmd, "ATI"))
		return rig_write_str(master, BARE_ATI);
	if (!strcmp(cmd, "AT+CGSN"))
		return rig_write_str(master, "\r\n" BARE_IMEI "\r\n\r\nOK\r\n");
	return -1;
}

/* Answer the rest of an identification: ATI, then AT+CGSN. */
static int bare_answer_rest(int master, int timeout_ms)
{
	char cmd[64];

	if (bare_answer(master, cmd, sizeof(cmd), timeout_ms) ||
	    strcmp(cmd, "ATI"))
		return -1;
	if (bare_answer(master, cmd, sizeof(cmd), timeout_ms) ||
	    strcmp(cmd, "AT+CGSN"))
		return -1;
	return 0;
}

FIXTURE_SETUP(bare)
{
	char cmd[64];

	self->tty = -1;
	ASSERT_EQ(0, rig_param_read("user_timeout_ms", self->user_timeout,
				    sizeof(self->user_timeout)));
	ASSERT_EQ(0, rig_param_read("cmd_timeout_ms", self->cmd_timeout,
				    sizeof(self->cmd_timeout)));
	self->master = rig_open_pty(self->path, sizeof(self->path));
	ASSERT_LE(0, self->master);
	self->tty = rig_open_tty(self->path);
	ASSERT_LE(0, self->tty) TH_LOG("open %s: %m", self->path);
	ASSERT_EQ(0, rig_attach(self->tty));
	/* The identification at attach: AT+CGMR, ATI, AT+CGSN. */
	ASSERT_EQ(0, bare_answer(self->master, cmd, sizeof(cmd), TIMEOUT_MS));
	ASSERT_STREQ("AT+CGMR", cmd);
	ASSERT_EQ(0, bare_answer_rest(self->master, TIMEOUT_MS));
	ASSERT_EQ(0, wait_identified(self->path));
}

FIXTURE_TEARDOWN(bare)
{
	if (self->user_timeout[0] &&
	    rig_param_write("user_timeout_ms", self->user_timeout))
		TH_LOG("cannot put user_timeout_ms back to %s",
		       self->user_timeout);
	if (self->cmd_timeout[0] &&
	    rig_param_write("cmd_timeout_ms", self->cmd_timeout))
		TH_LOG("cannot put cmd_timeout_ms back to %s",
		       self->cmd_timeout);
	if (self->tty >= 0)
		close(self->tty);
	close(self->master);
}

/*
 * A command the module dropped is not kept in flight by the lines that
 * come after it in bursts (a GNSS engine's NMEA sentences once a second,
 * five lines each): the first burst may be its answer, the pause after it
 * ends that.  A driver command asked for meanwhile goes once
 * user_timeout_ms (1.5 s) have passed since that burst: before 3 s
 * (three bursts would have kept it to 3.5 s), not only when the bursts
 * stop 8 s on.
 */
TEST_F_TIMEOUT(bare, reports_do_not_keep_a_dropped_command, 120)
{
	struct identify_call c = { .path = self->path, .ret = 1 };
	long long t0, left, asked = -1;
	char cmd[64];
	pthread_t t;
	int i, n;

	ASSERT_EQ(0, rig_param_write("user_timeout_ms", "1500"));
	ASSERT_EQ(0, rig_write_str(self->tty, "AT+CSQ\r"));
	ASSERT_LT(0, rig_read_line(self->master, cmd, sizeof(cmd), TIMEOUT_MS));
	ASSERT_STREQ("AT+CSQ", cmd);
	t0 = rig_now_ms();
	ASSERT_EQ(0, pthread_create(&t, NULL, identify_main, &c));
	/* Bursts a second apart; between them, look for the driver. */
	for (i = 0; i < 8 && asked < 0; i++) {
		for (n = 0; n < 5; n++)
			ASSERT_EQ(0, rig_write_str(self->master, NMEA));
		left = t0 + (i + 1) * 1000 - rig_now_ms();
		n = rig_read_line(self->master, cmd, sizeof(cmd),
				  left > 0 ? (int)left : 1);
		if (n > 0) {
			ASSERT_STREQ("AT+CGMR", cmd);
			asked = rig_now_ms() - t0;
		}
	}
	ASSERT_LE(0, asked) TH_LOG("no driver command while the bursts came");
	/* Its own answer, then ATI's and AT+CGSN's. */
	ASSERT_EQ(0, rig_write_str(self->master,
				   "\r\n" BARE_FW "\r\n\r\nOK\r\n"));
	ASSERT_EQ(0, bare_answer_rest(self->master, TIMEOUT_MS));
	pthread_join(t, NULL);
	EXPECT_EQ(0, c.ret);
	/* user_timeout_ms from the first burst at the earliest. */
	EXPECT_LE(1400, asked);
	EXPECT_GT(3000, asked);
}

/*
 * A user's final result whose CR and LF come in two chunks, a driver
 * command taking the channel in between (it waited for that result): the
 * LF is still the user's.  A reader that got "OK\r" alone would wait on
 * for the end of the response (ModemManager does).
 */
TEST_F_TIMEOUT(bare, final_result_split_before_its_lf, 120)
{
	static const char answer[] = "\r\n+CSQ: 20,99\r\n\r\nOK\r\n";
	struct identify_call c = { .path = self->path, .ret = 1 };
	char cmd[64], got[256] = "";
	size_t len = 0;
	pthread_t t;

	ASSERT_EQ(0, rig_write_str(self->tty, "AT+CSQ\r"));
	ASSERT_LT(0, rig_read_line(self->master, cmd, sizeof(cmd), TIMEOUT_MS));
	ASSERT_STREQ("AT+CSQ", cmd);
	ASSERT_EQ(0, pthread_create(&t, NULL, identify_main, &c));
	usleep(200000);
	/* All but the LF; the driver's command goes once the OK is seen. */
	ASSERT_EQ(0, rig_write_str(self->master, "\r\n+CSQ: 20,99\r\n\r\nOK\r"));
	ASSERT_LT(0, rig_read_line(self->master, cmd, sizeof(cmd), TIMEOUT_MS));
	ASSERT_STREQ("AT+CGMR", cmd);
	/* The LF, then the driver's answer. */
	ASSERT_EQ(0, rig_write_str(self->master,
				   "\n\r\n" BARE_FW "\r\n\r\nOK\r\n"));
	ASSERT_EQ(0, bare_answer_rest(self->master, TIMEOUT_MS));
	pthread_join(t, NULL);
	EXPECT_EQ(0, c.ret);
	/* What the reader has: the whole answer, none of the driver's. */
	usleep(500000);
	ASSERT_EQ(0, read_burst(self->tty, got, sizeof(got) - 1, &len));
	EXPECT_STREQ(answer, got);
}

/*
 * Commands a user writes in one go (a script's printf, a paste into a
 * terminal) are answered one by one: a driver command waits for the last
 * one's final result, not the first's, or it would take the next user's
 * OK for its own answer and leave the user one short.  Each answer comes
 * 1.5 s after the last, 4 s in all, more than user_timeout_ms (3 s):
 * each final result starts the next command's time.  After the last, the
 * driver's command goes at once, not when that time is up.  With the
 * module's echo off and on.
 */
TEST_F_TIMEOUT(bare, driver_waits_for_every_command_of_a_write, 120)
{
	static const char *const answers[] = {
		"\r\n+CSQ: 20,99\r\n\r\nOK\r\n",
		"\r\n+CREG: 0,1\r\n\r\nOK\r\n",
		"\r\n+CEREG: 0,1\r\n\r\nOK\r\n",
	};
	static const char *const cmds[] = { "AT+CSQ", "AT+CREG?", "AT+CEREG?" };
	char cmd[64], got[512], want[512];
	int echo, i;

	ASSERT_EQ(0, rig_param_write("user_timeout_ms", "3000"));
	for (echo = 0; echo < 2; echo++) {
		struct identify_call c = { .path = self->path, .ret = 1 };
		size_t len = 0;
		pthread_t t;

		want[0] = '\0';
		ASSERT_EQ(0, rig_write_str(self->tty,
					   "AT+CSQ\rAT+CREG?\rAT+CEREG?\r"));
		for (i = 0; i < 3; i++) {
			ASSERT_LT(0, rig_read_line(self->master, cmd, sizeof(cmd),
						   TIMEOUT_MS));
			ASSERT_STREQ(cmds[i], cmd);
		}
		ASSERT_EQ(0, pthread_create(&t, NULL, identify_main, &c));
		/* The driver's command now waits (or would be out). */
		EXPECT_EQ(-ETIMEDOUT, rig_read_line(self->master, cmd,
						    sizeof(cmd), 1000))
			TH_LOG("echo %d: '%s' sent before any answer", echo, cmd);
		for (i = 0; i < 3; i++) {
			if (echo) {
				ASSERT_EQ(0, rig_write_str(self->master, cmds[i]));
				ASSERT_EQ(0, rig_write_str(self->master, "\r"));
				strcat(want, cmds[i]);
				strcat(want, "\r");
			}
			ASSERT_EQ(0, rig_write_str(self->master, answers[i]));
			strcat(want, answers[i]);
			if (i < 2)
				EXPECT_EQ(-ETIMEDOUT,
					  rig_read_line(self->master, cmd,
							sizeof(cmd), 1500))
					TH_LOG("echo %d: '%s' sent after %d of 3 answers",
					       echo, cmd, i + 1);
		}
		/* Then the driver's turn, well before user_timeout_ms. */
		ASSERT_EQ(0, bare_answer(self->master, cmd, sizeof(cmd), 2000))
			TH_LOG("echo %d: no driver command within 2 s of the last answer",
			       echo);
		ASSERT_STREQ("AT+CGMR", cmd);
		ASSERT_EQ(0, bare_answer_rest(self->master, TIMEOUT_MS));
		pthread_join(t, NULL);
		EXPECT_EQ(0, c.ret) TH_LOG("echo %d", echo);
		/* The user has every answer, none of the driver's. */
		usleep(500000);
		ASSERT_EQ(0, read_burst(self->tty, got, sizeof(got) - 1, &len));
		got[len] = '\0';
		EXPECT_STREQ(want, got) TH_LOG("echo %d", echo);
	}
}

/*
 * The same split, the user's answer filling n_tty to its last byte (4095
 * bytes for a reader that does not read, ending on the OK's CR): n_tty
 * refuses the LF, which then goes to the driver rather than hold its
 * answer behind the reader.  The driver's command gets its answer, and the
 * reader gets none of it.
 */
TEST_F_TIMEOUT(bare, final_result_split_with_n_tty_full, 120)
{
	struct identify_call c = { .path = self->path, .ret = 1 };
	char answer[4096], cmd[64], *got;
	size_t len = 0, n;
	pthread_t t;
	int waiting;

	/* Lines of 64 bytes, the last one shorter, then "\r\nOK\r". */
	memcpy(answer, "\r\n", 2);
	for (len = 2; len < 4095 - 5; len += n) {
		n = 4095 - 5 - len < 64 ? 4095 - 5 - len : 64;
		memset(answer + len, 'A' + len / 64 % 26, n - 2);
		memcpy(answer + len + n - 2, "\r\n", 2);
	}
	memcpy(answer + len, "\r\nOK\r", 5);
	len += 5;
	answer[len] = '\0';
	ASSERT_EQ(4095, (int)len);

	ASSERT_EQ(0, rig_write_str(self->tty, "AT+CSQ\r"));
	ASSERT_LT(0, rig_read_line(self->master, cmd, sizeof(cmd), TIMEOUT_MS));
	ASSERT_STREQ("AT+CSQ", cmd);
	ASSERT_EQ(0, pthread_create(&t, NULL, identify_main, &c));
	usleep(200000);
	ASSERT_EQ(0, rig_write_str(self->master, answer));
	ASSERT_LT(0, rig_read_line(self->master, cmd, sizeof(cmd), TIMEOUT_MS));
	ASSERT_STREQ("AT+CGMR", cmd);
	ASSERT_EQ(0, ioctl(self->tty, TIOCINQ, &waiting));
	EXPECT_EQ(4095, waiting);
	ASSERT_EQ(0, rig_write_str(self->master,
				   "\n\r\n" BARE_FW "\r\n\r\nOK\r\n"));
	ASSERT_EQ(0, bare_answer_rest(self->master, TIMEOUT_MS));
	pthread_join(t, NULL);
	EXPECT_EQ(0, c.ret);
	/* The reader: the answer up to the OK's CR, nothing of the driver's. */
	got = calloc(1, 8192);
	ASSERT_TRUE(got != NULL);
	usleep(500000);
	len = 0;
	ASSERT_EQ(0, read_burst(self->tty, got, 8191, &len));
	EXPECT_EQ(0, strcmp(answer, got));
	EXPECT_TRUE(strstr(got, BARE_FW) == NULL);
	free(got);
}

/*
 * The IMEI is what the module answers AT+CGSN, and only an IMEI: both of
 * 3GPP TS 27.007's forms count.  An answer that is no IMEI (a wrong check
 * digit, the echo of the command, a UUID as NB-IoT firmware gives) or a
 * refusal makes the driver ask AT+CGSN=1; no IMEI from either, or a bare
 * OK, leaves the attribute empty; no answer in time keeps the IMEI known.
 * The identification is good in every case.
 */
TEST_F_TIMEOUT(bare, imei_only_from_a_valid_answer, 180)
{
	static const struct {
		const char *answer;	/* to AT+CGSN; NULL: none */
		const char *answer1;	/* to AT+CGSN=1; NULL: not asked */
		const char *imei;
	} t[] = {
		{ "\r\n+CGSN: \"869999000000029\"\r\n\r\nOK\r\n", NULL, "869999000000029" },
		/* the command's echo is no answer: a bare OK, no IMEI */
		{ "\r\nAT+CGSN\r\n\r\nOK\r\n", NULL, "" },
		{ "\r\nIMEI\r\n\r\nOK\r\n",
		  "\r\n+CGSN: 869999000000011\r\n\r\nOK\r\n", "869999000000011" },
		{ "\r\n869999000000028\r\n\r\nOK\r\n", "\r\nERROR\r\n", "" },
		{ "\r\n+CGSN: \"a3f1c2d4-0b5e-4c6f-9a7b-8c9d0e1f2a3b\"\r\n\r\nOK\r\n",
		  "\r\n+CGSN: " BARE_IMEI "\r\n\r\nOK\r\n", BARE_IMEI },
		{ "\r\nOK\r\n", NULL, "" },
		{ "\r\n000000001234566\r\n\r\nOK\r\n", "\r\n+CME ERROR: 4\r\n", "" },
		{ "\r\n+CME ERROR: 4\r\n", "\r\n+CGSN: " BARE_IMEI "\r\n\r\nOK\r\n", BARE_IMEI },
		{ "\r\nERROR\r\n", "\r\nERROR\r\n", "" },
		{ "\r\n" BARE_IMEI "\r\n\r\nOK\r\n", NULL, BARE_IMEI },
		/* unanswered: the IMEI known stays */
		{ NULL, NULL, BARE_IMEI },
	};
	char cmd[64], imei[64];

	/* The attach's identification: its answer may still be on its way. */
	EXPECT_EQ(0, rig_port_wait_attr(self->path, "imei", BARE_IMEI, imei,
					sizeof(imei), TIMEOUT_MS)) TH_LOG("imei '%s'", imei);
	/* The case with no answer waits a second, not five (put back after). */
	ASSERT_EQ(0, rig_param_write("cmd_timeout_ms", "1000"));
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct identify_call c = { .path = self->path, .ret = 1 };
		pthread_t th;

		ASSERT_EQ(0, pthread_create(&th, NULL, identify_main, &c));
		ASSERT_EQ(0, bare_answer(self->master, cmd, sizeof(cmd), TIMEOUT_MS));
		ASSERT_STREQ("AT+CGMR", cmd);
		ASSERT_EQ(0, bare_answer(self->master, cmd, sizeof(cmd), TIMEOUT_MS));
		ASSERT_STREQ("ATI", cmd);
		ASSERT_LT(0, rig_read_line(self->master, cmd, sizeof(cmd), TIMEOUT_MS));
		ASSERT_STREQ("AT+CGSN", cmd);
		if (t[i].answer)
			ASSERT_EQ(0, rig_write_str(self->master, t[i].answer));
		if (t[i].answer1) {
			ASSERT_LT(0, rig_read_line(self->master, cmd, sizeof(cmd),
						   TIMEOUT_MS)) TH_LOG("answer %zu", i);
			ASSERT_STREQ("AT+CGSN=1", cmd);
			ASSERT_EQ(0, rig_write_str(self->master, t[i].answer1));
		}
		pthread_join(th, NULL);
		EXPECT_EQ(0, c.ret) TH_LOG("answer %zu: identify gave %d", i, c.ret);
		ASSERT_LE(0, rig_port_attr(self->path, "imei", imei, sizeof(imei)));
		EXPECT_STREQ(t[i].imei, imei) TH_LOG("answer %zu", i);
	}
}

TEST_HARNESS_MAIN
