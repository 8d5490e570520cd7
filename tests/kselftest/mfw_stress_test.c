// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw: random operations from several threads at once, in the spirit of
 * syzkaller.  Each epoch brings a simulated module up (it echoes, as real
 * USB AT ports do), lets worker threads hammer one port from every side -
 * shared and separate files of /dev/mfwN (read, write, ioctl, poll, fsync,
 * close, dup, fork), the sysfs attributes and module parameters, the tty
 * (reads, writes blocking and not, forged reports, termios, TIOCSTI) -
 * detaches and re-attaches the discipline under them, and ends with a
 * detach, a hangup or a USB unplug while they still run.  The test itself
 * checks only that every call returns and the port works afterwards; the
 * debug kernel's KASAN, lockdep and kmemleak judge the rest.
 *
 * MFW_STRESS_SECONDS: seconds per transport (default 30).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <linux/mfw.h>

#include "kselftest_harness.h"
#include "mfw_port.h"
#include "rig.h"

#define STATE		"/tmp/mfw-stress.state"
#define WORKERS		4
#define SLOTS		6

enum op {
	OP_OPEN, OP_CLOSE, OP_DUP, OP_READ, OP_WRITE, OP_SET_SIZE, OP_COMMIT,
	OP_POLL, OP_FSYNC, OP_FORK, OP_SYSFS_READ, OP_SYSFS_WRITE,
	OP_BUFFER_MAX, OP_TTY_WRITE, OP_TTY_READ, OP_TERMIOS, OP_TIOCSTI,
	OP_NR
};

static const char *const op_names[OP_NR] = {
	"open", "close", "dup", "read", "write", "set_size", "commit", "poll",
	"fsync", "fork", "sysfs_read", "sysfs_write", "buffer_max",
	"tty_write", "tty_read", "termios", "tiocsti",
};

/* One epoch: a port and what the workers share on it. */
struct epoch {
	struct mfw_port_rig r;
	int tty_nb;			/* a second, non-blocking tty file */
	char node[64];			/* /dev/mfwN of the current attach */
	pthread_mutex_t node_lock;	/* protects node */
	int slot[SLOTS];		/* shared /dev/mfwN files, -1: none */
	pthread_rwlock_t slot_lock;	/* read: using a slot's fd; write: changing one */
	atomic_bool stop;
	atomic_ulong ops[OP_NR];
	atomic_ulong errors;
};

static const char *const attrs[] = {
	"state", "progress", "percent", "firmware", "model", "last_error",
	"last_urc", "offset", "check", "paths", "image_size",
	"statistics/user_waits", "statistics/user_commands",
	"digest/sha256",
};

static const char *const tty_lines[] = {
	"AT\r", "AT+CGMR\r", "ATI\r", "AT+MFWDLOAD?\r", "A", "T\r",
	/* forgeries the driver must refuse (EPERM), never act on */
	"+MFWUPGRADE: 3\r", "+MATREADY\r", "OK\r", "+MFWDLOAD: 2,10,10\r",
	"\xff\xfe+MFWUPGRADE: 2\r", "junk without an end",
	/* a module reboot: +MATREADY for the URC readers, identification */
	"AT+MREBOOT\r",
};

static unsigned int rnd(unsigned int *seed, unsigned int n)
{
	return rand_r(seed) % n;
}

static void node_get(struct epoch *e, char *out, size_t len)
{
	pthread_mutex_lock(&e->node_lock);
	snprintf(out, len, "%s", e->node);
	pthread_mutex_unlock(&e->node_lock);
}

/* Put @fd in slot @i, closing what was there. */
static void slot_set(struct epoch *e, int i, int fd)
{
	int old;

	pthread_rwlock_wrlock(&e->slot_lock);
	old = e->slot[i];
	e->slot[i] = fd;
	pthread_rwlock_unlock(&e->slot_lock);
	if (old >= 0)
		close(old);
}

static void fill(unsigned int *seed, unsigned char *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = rand_r(seed);
}

/* One operation on slot @i's file (the slot lock held for reading). */
static long slot_op(struct epoch *e, enum op op, int fd, unsigned int *seed)
{
	unsigned char buf[2048];
	unsigned long long size;
	struct pollfd pfd = { .fd = fd, .events = POLLIN | POLLOUT };

	switch (op) {
	case OP_READ:
		if (poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1,
			 rnd(seed, 20)) <= 0)
			return 0;
		return read(fd, buf, 1 + rnd(seed, sizeof(buf)));
	case OP_WRITE:
		fill(seed, buf, sizeof(buf));
		return write(fd, buf, 1 + rnd(seed, sizeof(buf)));
	case OP_SET_SIZE:
		size = 1 + rnd(seed, 1 << 20);
		return ioctl(fd, MFW_IOC_SET_SIZE, &size);
	case OP_COMMIT:
		return ioctl(fd, MFW_IOC_COMMIT);
	case OP_POLL:
		return poll(&pfd, 1, rnd(seed, 10));
	case OP_FSYNC:
		return fsync(fd);
	default:
		return 0;
	}
}

/* A forked child: a few operations on the files it inherited, then exit. */
static void child_ops(struct epoch *e, unsigned int seed)
{
	int i, n = 1 + rnd(&seed, 3);

	alarm(10);
	for (i = 0; i < n; i++) {
		int fd = e->slot[rnd(&seed, SLOTS)];

		if (fd >= 0)
			slot_op(e, OP_WRITE + rnd(&seed, 5), fd, &seed);
	}
	_exit(0);
}

static long run_op(struct epoch *e, enum op op, unsigned int *seed)
{
	char node[64], path[160], val[128];
	struct termios tio;
	long ret = 0;
	/* Half the operations share slot 0: one file, many threads. */
	int i = rnd(seed, 2) ? 0 : rnd(seed, SLOTS), fd;
	pid_t pid;

	switch (op) {
	case OP_OPEN:
		node_get(e, node, sizeof(node));
		fd = open(node, O_RDWR | O_CLOEXEC |
			  (rnd(seed, 2) ? O_NONBLOCK : 0));
		if (fd >= 0)
			slot_set(e, i, fd);
		return fd;
	case OP_CLOSE:
		slot_set(e, i, -1);
		return 0;
	case OP_DUP:
		pthread_rwlock_rdlock(&e->slot_lock);
		fd = e->slot[i] >= 0 ? fcntl(e->slot[i], F_DUPFD_CLOEXEC, 0) : -1;
		pthread_rwlock_unlock(&e->slot_lock);
		if (fd >= 0)
			slot_set(e, rnd(seed, SLOTS), fd);
		return fd;
	case OP_FORK:
		pthread_rwlock_rdlock(&e->slot_lock);
		pid = fork();
		if (pid == 0)
			child_ops(e, rand_r(seed));
		pthread_rwlock_unlock(&e->slot_lock);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		return pid;
	case OP_SYSFS_READ:
		ret = rig_port_attr(e->r.path, attrs[rnd(seed, ARRAY_SIZE(attrs))],
				    val, sizeof(val));
		return ret;
	case OP_SYSFS_WRITE:
		return rig_port_write(e->r.path, "identify", "1");
	case OP_BUFFER_MAX:
		snprintf(val, sizeof(val), "%u", 4096 + rnd(seed, 1 << 21));
		return rig_param_write("buffer_max", val) ? -1 : 0;
	case OP_TTY_WRITE: {
		const char *l = tty_lines[rnd(seed, ARRAY_SIZE(tty_lines))];

		return write(rnd(seed, 2) ? e->tty_nb : e->r.tty, l, strlen(l));
	}
	case OP_TTY_READ:
		return read(e->tty_nb, path, sizeof(path));
	case OP_TERMIOS:
		if (tcgetattr(e->r.tty, &tio))
			return -1;
		cfsetspeed(&tio, rnd(seed, 2) ? B57600 : B115200);
		ret = tcsetattr(e->r.tty, TCSANOW, &tio);
		cfsetspeed(&tio, B115200);
		tcsetattr(e->r.tty, TCSANOW, &tio);
		return ret;
	case OP_TIOCSTI: {
		const char *l = "AT\r";

		for (; *l; l++)
			if (ioctl(e->r.tty, TIOCSTI, l))
				return -1;
		return 0;
	}
	default:
		pthread_rwlock_rdlock(&e->slot_lock);
		fd = e->slot[i];
		ret = fd >= 0 ? slot_op(e, op, fd, seed) : 0;
		pthread_rwlock_unlock(&e->slot_lock);
		return ret;
	}
}

struct worker {
	struct epoch *e;
	unsigned int seed;
};

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct epoch *e = w->e;

	while (!atomic_load(&e->stop)) {
		enum op op = rnd(&w->seed, OP_NR);

		if (run_op(e, op, &w->seed) < 0)
			atomic_fetch_add(&e->errors, 1);
		atomic_fetch_add(&e->ops[op], 1);
	}
	return NULL;
}

FIXTURE(stress) {
	struct epoch e;
	char buffer_max[32];
};

FIXTURE_VARIANT(stress) {
	bool usb;
};

FIXTURE_VARIANT_ADD(stress, pty) {
	.usb = false,
};

FIXTURE_VARIANT_ADD(stress, usb_gadget) {
	.usb = true,
};

FIXTURE_SETUP(stress)
{
	ASSERT_EQ(0, rig_param_read("buffer_max", self->buffer_max,
				     sizeof(self->buffer_max)));
	signal(SIGPIPE, SIG_IGN);
}

FIXTURE_TEARDOWN(stress)
{
	if (self->buffer_max[0] &&
	    rig_param_write("buffer_max", self->buffer_max))
		TH_LOG("cannot restore buffer_max");
}

/* Bring the epoch's port up: @model identified, a second tty file, its node. */
static int epoch_up(struct epoch *e, bool usb, const char *model)
{
	int i;

	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->node_lock, NULL);
	pthread_rwlock_init(&e->slot_lock, NULL);
	for (i = 0; i < SLOTS; i++)
		e->slot[i] = -1;
	e->tty_nb = -1;
	unlink(STATE);
	unlink(STATE ".pkg");
	if (port_up_model(&e->r, usb, model, STATE, NULL))
		return -1;
	e->tty_nb = open(e->r.path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (e->tty_nb < 0)
		return -1;
	return rig_port_node(e->r.path, e->node, sizeof(e->node));
}

static void epoch_down(struct epoch *e)
{
	int i;

	for (i = 0; i < SLOTS; i++)
		if (e->slot[i] >= 0)
			close(e->slot[i]);
	if (e->tty_nb >= 0)
		close(e->tty_nb);
	port_down(&e->r);
	pthread_rwlock_destroy(&e->slot_lock);
	pthread_mutex_destroy(&e->node_lock);
}

TEST_F_TIMEOUT(stress, random_operations, 1800)
{
	const char *env = getenv("MFW_STRESS_SECONDS");
	long long end = rig_now_ms() + 1000LL * (env ? atoi(env) : 30);
	static const char *const models[] = { "MN316", "ML305U" };
	unsigned long total[OP_NR] = { 0 }, errors = 0, sum = 0;
	unsigned int seed = 1;
	int epochs = 0, ends[3] = { 0 }, i, n_tty = N_TTY;
	char line[512];

	while (rig_now_ms() < end) {
		struct epoch *e = &self->e;
		struct worker w[WORKERS];
		pthread_t t[WORKERS];
		int how;

		ASSERT_EQ(0, epoch_up(e, variant->usb,
				      models[epochs % ARRAY_SIZE(models)]))
			TH_LOG("epoch %d", epochs);
		for (i = 0; i < WORKERS; i++) {
			w[i].e = e;
			w[i].seed = seed * 131 + i;
			ASSERT_EQ(0, pthread_create(&t[i], NULL, worker_main, &w[i]));
		}
		usleep(500000 + rnd(&seed, 1500000));
		/* Detach and attach again under the workers. */
		if (rnd(&seed, 2)) {
			ASSERT_EQ(0, ioctl(e->r.tty, TIOCSETD, &n_tty));
			usleep(rnd(&seed, 200000));
			ASSERT_EQ(0, rig_attach(e->r.tty));
			pthread_mutex_lock(&e->node_lock);
			rig_port_node(e->r.path, e->node, sizeof(e->node));
			pthread_mutex_unlock(&e->node_lock);
			usleep(300000 + rnd(&seed, 1000000));
		}
		/* The end, while the workers still run. */
		how = epochs % 3;
		ends[how]++;
		if (how == 0) {
			EXPECT_EQ(0, ioctl(e->r.tty, TIOCSETD, &n_tty));
		} else if (how == 1 && variant->usb) {
			EXPECT_EQ(0, rig_gadget("unplug", NULL, 0));
		} else if (how == 1) {
			EXPECT_EQ(0, ioctl(e->r.tty, TIOCVHANGUP));
		} else {
			/* The module goes away. */
			rig_sim_stop(e->r.sim);
			e->r.sim = -1;
			if (e->r.master >= 0) {
				close(e->r.master);
				e->r.master = -1;
			}
		}
		usleep(rnd(&seed, 300000));
		atomic_store(&e->stop, true);
		for (i = 0; i < WORKERS; i++)
			ASSERT_EQ(0, pthread_join(t[i], NULL));
		for (i = 0; i < OP_NR; i++) {
			total[i] += atomic_load(&e->ops[i]);
			sum += atomic_load(&e->ops[i]);
		}
		errors += atomic_load(&e->errors);
		epoch_down(e);
		epochs++;
		seed = seed * 1103515245 + 12345;
	}

	/* Afterwards a port still works: identified, a user's AT answered. */
	ASSERT_EQ(0, port_up_model(&self->e.r, variant->usb, "MN316", STATE,
				   NULL));
	ASSERT_EQ(0, rig_write_str(self->e.r.tty, "AT\r"));
	EXPECT_EQ(0, rig_expect_line(self->e.r.tty, "OK", 15000));
	port_down(&self->e.r);

	snprintf(line, sizeof(line), "%d epochs (ends: %d detach, %d %s, %d module gone), %lu operations, %lu failed as expected:",
		 epochs, ends[0], ends[1], variant->usb ? "unplug" : "hangup",
		 ends[2], sum, errors);
	TH_LOG("%s", line);
	for (i = 0; i < OP_NR; i++)
		TH_LOG("  %-11s %lu", op_names[i], total[i]);
	EXPECT_LT(0, epochs);
}

TEST_HARNESS_MAIN
