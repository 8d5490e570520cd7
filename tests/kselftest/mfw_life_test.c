// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw line discipline: the port's lifetime.  A hangup, a USB unplug or a
 * detach ends every wait on the port, makes /dev/mfwN fail with -ENODEV
 * and leaves nothing behind, however busy the port was.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mfw_port.h"
#include "rig.h"

#define TIMEOUT_MS	15000

FIXTURE(life) {
	struct mfw_port_rig r;
};

FIXTURE_VARIANT(life) {
	bool usb;
};

FIXTURE_VARIANT_ADD(life, pty) {
	.usb = false,
};

FIXTURE_VARIANT_ADD(life, usb_gadget) {
	.usb = true,
};

FIXTURE_SETUP(life)
{
	self->r.tty = self->r.master = -1;
	self->r.sim = -1;
	self->r.usb = variant->usb;
}

FIXTURE_TEARDOWN(life)
{
	port_down(&self->r);
}

struct sleeper {
	int fd;
	const char *path;
	ssize_t ret;
	int err;
	atomic_bool done;
};

/* Read /dev/mfwN until it fails; ret and err keep the failure. */
static void *read_until_gone(void *arg)
{
	struct sleeper *s = arg;
	char buf[256];

	do {
		s->ret = read(s->fd, buf, sizeof(buf));
	} while (s->ret > 0);
	s->err = errno;
	atomic_store(&s->done, true);
	return NULL;
}

static void *identify(void *arg)
{
	struct sleeper *s = arg;

	s->ret = rig_port_write(s->path, "identify", "1");
	atomic_store(&s->done, true);
	return NULL;
}

/*
 * More than the port parks behind a driver command (MFW_PARK_MAX, 8 KiB):
 * the first chunks are parked, the writer then sleeps in the write hook.
 */
static void *write_tty(void *arg)
{
	struct sleeper *s = arg;
	static char big[12288];

	memset(big, 'A', sizeof(big));
	s->ret = write(s->fd, big, sizeof(big));
	s->err = errno;
	atomic_store(&s->done, true);
	return NULL;
}

/* Wait for a sleeper to return, at most @ms. */
static bool returned(struct sleeper *s, int ms)
{
	long long end = rig_now_ms() + ms;

	while (!atomic_load(&s->done) && rig_now_ms() < end)
		usleep(10000);
	return atomic_load(&s->done);
}

/*
 * The module goes away while a /dev/mfwN reader, a driver command and a
 * user writer with more than the port parks all sleep on the port: each
 * returns, /dev/mfwN reports -ENODEV and hangup to poll, and the port's
 * sysfs directory is gone.
 */
TEST_F_TIMEOUT(life, disconnect_wakes_every_sleeper, 120)
{
	const char *args[] = { "--cmd-delay-ms", "4000", NULL };
	struct sleeper rd = { 0 }, id = { 0 }, wr = { 0 };
	pthread_t trd, tid, twr;
	char node[64], dir[64], buf[64];
	struct pollfd p;
	int dev;

	ASSERT_EQ(0, port_up(&self->r, variant->usb, args));
	ASSERT_EQ(0, rig_port_node(self->r.path, node, sizeof(node)));
	ASSERT_EQ(0, rig_port_dir(self->r.path, dir, sizeof(dir)));
	dev = open(node, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, dev);

	/* The boot URC is already captured: a reader drains it, then sleeps. */
	rd.fd = dev;
	ASSERT_EQ(0, pthread_create(&trd, NULL, read_until_gone, &rd));
	/* The boot-time identification may still hold the channel; ours waits. */
	id.path = self->r.path;
	ASSERT_EQ(0, pthread_create(&tid, NULL, identify, &id));
	usleep(500000);
	wr.fd = self->r.tty;
	ASSERT_EQ(0, pthread_create(&twr, NULL, write_tty, &wr));
	usleep(500000);
	EXPECT_FALSE(atomic_load(&rd.done));
	EXPECT_FALSE(atomic_load(&id.done));
	EXPECT_FALSE(atomic_load(&wr.done));

	/* Pull the module: unplug the gadget, or hang the pty up. */
	if (variant->usb) {
		ASSERT_EQ(0, rig_gadget("unplug", NULL, 0));
	} else {
		rig_sim_stop(self->r.sim);
		self->r.sim = -1;
		close(self->r.master);
		self->r.master = -1;
	}

	ASSERT_TRUE(returned(&rd, 5000)) TH_LOG("/dev/mfwN reader still asleep");
	ASSERT_TRUE(returned(&id, 5000)) TH_LOG("driver command still asleep");
	ASSERT_TRUE(returned(&wr, 5000)) TH_LOG("tty writer still asleep");
	pthread_join(trd, NULL);
	pthread_join(tid, NULL);
	pthread_join(twr, NULL);
	EXPECT_EQ(-1, rd.ret);
	EXPECT_EQ(ENODEV, rd.err);
	EXPECT_GT(0, id.ret);

	/* Everything after the disconnect fails cleanly. */
	EXPECT_EQ(-1, read(dev, buf, sizeof(buf)));
	EXPECT_EQ(ENODEV, errno);
	p.fd = dev;
	p.events = POLLIN;
	EXPECT_EQ(1, poll(&p, 1, 1000));
	EXPECT_TRUE(p.revents & POLLHUP);
	/* The tty core closes the discipline just after the hangup. */
	for (int i = 0; i < 500 && !access(dir, F_OK); i++)
		usleep(10000);
	EXPECT_NE(0, access(dir, F_OK)) TH_LOG("%s still there", dir);
	EXPECT_EQ(0, close(dev));
}

/* Module side of a cycle: answer every command with OK until told. */
struct responder {
	int fd;
	atomic_bool stop;
	atomic_bool cut;	/* the port is being taken away */
	unsigned long answered;	/* commands answered */
	int end;		/* why it stopped before the cut: -errno, 0 (EOF) */
	bool early;
};

static void *respond(void *arg)
{
	struct responder *r = arg;
	char buf[256];

	while (!atomic_load(&r->stop)) {
		struct pollfd p = { .fd = r->fd, .events = POLLIN };
		ssize_t n;

		if (poll(&p, 1, 50) <= 0)
			continue;
		n = read(r->fd, buf, sizeof(buf));
		if (n < 0 && errno == EAGAIN)
			continue;
		if (n <= 0) {
			r->early = !atomic_load(&r->cut);
			r->end = n ? -errno : 0;
			break;
		}
		if (!memchr(buf, '\r', n))
			continue;
		if (write(r->fd, "\r\nOK\r\n", 6) < 0) {
			if (errno == EAGAIN)
				continue;
			r->early = !atomic_load(&r->cut);
			r->end = -errno;
			break;
		}
		r->answered++;
	}
	return NULL;
}

/* User side of a cycle: commands and reads until the port goes. */
struct traffic {
	int fd;
	int rfd;	/* non-blocking: a detach may drop what poll() saw */
	atomic_bool stop;
	unsigned long lines;
};

static void *talk(void *arg)
{
	struct traffic *t = arg;
	char line[256];

	while (!atomic_load(&t->stop)) {
		if (write(t->fd, "AT\r", 3) < 0)
			break;
		if (rig_read_line(t->rfd, line, sizeof(line), 200) > 0)
			t->lines++;
	}
	return NULL;
}

/*
 * Attach, talk, and pull the module (or detach) while users, the driver
 * and a /dev/mfwN reader are busy, many times over.  The debug kernel's
 * checkers judge what this leaves behind.
 */
TEST_F_TIMEOUT(life, attach_unplug_cycles_under_traffic, 3600)
{
	const char *env = getenv("MFW_CYCLES");
	int cycles = env ? atoi(env) : 200;
	unsigned long lines = 0, answered = 0;
	int i, ld = N_TTY, early = 0, early_end = 0;

	srand(1);
	for (i = 0; i < cycles; i++) {
		struct responder mod = { .fd = -1 };
		struct traffic user = { .fd = -1 };
		struct sleeper rd = { .fd = -1 };
		pthread_t tm, tu, tr;
		char path[64], node[64];
		bool detach = i % 3 == 2;
		int master = -1, gs = -1;

		if (variant->usb) {
			ASSERT_EQ(0, rig_gadget(i ? "plug" : "create", path,
						sizeof(path)));
			/* Non-blocking: an unbound gadget must not stall us. */
			gs = open("/dev/ttyGS0",
				  O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
			ASSERT_LE(0, gs);
			/*
			 * The module's side answers "\r"-ended commands:
			 * raw, not the canonical mode (ICRNL) the gadget's
			 * tty starts in, whatever a test before us left.
			 */
			ASSERT_EQ(0, rig_set_raw(gs));
			mod.fd = gs;
		} else {
			master = rig_open_pty(path, sizeof(path));
			ASSERT_LE(0, master);
			mod.fd = master;
		}
		user.fd = rig_open_tty(path);
		ASSERT_LE(0, user.fd) TH_LOG("cycle %d: open %s: %m", i, path);
		user.rfd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
		ASSERT_LE(0, user.rfd) TH_LOG("cycle %d: open %s: %m", i, path);
		ASSERT_EQ(0, rig_attach(user.fd)) TH_LOG("cycle %d", i);
		ASSERT_EQ(0, rig_port_node(path, node, sizeof(node)));
		rd.fd = open(node, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, rd.fd) TH_LOG("cycle %d: open %s: %m", i, node);

		ASSERT_EQ(0, pthread_create(&tm, NULL, respond, &mod));
		ASSERT_EQ(0, pthread_create(&tu, NULL, talk, &user));
		ASSERT_EQ(0, pthread_create(&tr, NULL, read_until_gone, &rd));
		usleep(20000 + rand() % 80000);

		atomic_store(&mod.cut, true);
		if (detach) {
			ASSERT_EQ(0, ioctl(user.fd, TIOCSETD, &ld));
		} else if (variant->usb) {
			ASSERT_EQ(0, rig_gadget("unplug", NULL, 0));
		} else {
			/* The module side closing hangs the pty up. */
			atomic_store(&mod.stop, true);
			pthread_join(tm, NULL);
			close(master);
			master = -1;
		}
		ASSERT_TRUE(returned(&rd, 5000)) TH_LOG("cycle %d", i);
		/*
		 * Users first: after a detach only the module side still
		 * drains what they write.
		 */
		atomic_store(&user.stop, true);
		pthread_join(tu, NULL);
		atomic_store(&mod.stop, true);
		pthread_join(tr, NULL);
		if (detach || variant->usb)
			pthread_join(tm, NULL);
		EXPECT_EQ(ENODEV, rd.err) TH_LOG("cycle %d", i);
		lines += user.lines;
		answered += mod.answered;
		if (mod.early && !early++)
			early_end = mod.end;
		close(rd.fd);
		close(user.rfd);
		close(user.fd);
		if (master >= 0)
			close(master);
		if (gs >= 0)
			close(gs);
		if (variant->usb && detach)
			ASSERT_EQ(0, rig_gadget("unplug", NULL, 0));
	}
	if (variant->usb)
		rig_gadget("destroy", NULL, 0);
	TH_LOG("%d cycles, %lu lines answered; the module answered %lu commands, stopped early in %d cycles (first: %d)",
	       cycles, lines, answered, early, early_end);
	EXPECT_LT(0UL, lines);
	/* The module's side stops only when the port is taken away. */
	EXPECT_EQ(0, early);
}

TEST_HARNESS_MAIN
