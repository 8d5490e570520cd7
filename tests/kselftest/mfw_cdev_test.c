// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw: one open file of /dev/mfwN shared by threads and processes, and a
 * port that dies under it.  Readers that share a file each get whole,
 * real URC bytes; a write racing ioctl(MFW_IOC_SET_SIZE) or another write
 * on one file; buffer_max changed under a buffered write; a forked child
 * whose exit must not commit its parent's half-written package; a write
 * after detach (no change uevent after "remove"); a reader whose buffer
 * faults slowly must not hold up a detach; a transparent writer that
 * gives up, stalls, or is killed before the module's prompt or verdict
 * (the channel stays the module's until it has left transparent mode),
 * and a tty user's output flushes and flow control meanwhile.  On the debug kernel KASAN,
 * lockdep and kmemleak watch every case.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <linux/mfw.h>

#include "kselftest_harness.h"
#include "mfw_port.h"
#include "rig.h"

#define TIMEOUT_MS	20000
#define IMAGE		"/tmp/mfw-cdev-image.bin"
#define STATE		"/tmp/mfw-cdev-module.state"

FIXTURE(cdev) {
	struct mfw_port_rig r;	/* a simulated module */
	int master, slave;	/* or a bare pty this test plays the module on */
	char slave_path[64];
	char node[64];
	char buffer_max[32];	/* the parameter's value before the test */
	char raw_idle[32];	/* raw_idle_ms before the test */
};

FIXTURE_SETUP(cdev)
{
	self->r.tty = self->r.master = -1;
	self->r.sim = -1;
	self->master = self->slave = -1;
	ASSERT_EQ(0, rig_param_read("buffer_max", self->buffer_max,
				     sizeof(self->buffer_max)));
	ASSERT_EQ(0, rig_param_read("raw_idle_ms", self->raw_idle,
				     sizeof(self->raw_idle)));
	unlink(STATE);
	unlink(STATE ".pkg");
}

FIXTURE_TEARDOWN(cdev)
{
	if (self->buffer_max[0] &&
	    rig_param_write("buffer_max", self->buffer_max))
		TH_LOG("cannot restore buffer_max");
	if (self->raw_idle[0] && rig_param_write("raw_idle_ms", self->raw_idle))
		TH_LOG("cannot restore raw_idle_ms");
	port_down(&self->r);
	if (self->slave >= 0)
		close(self->slave);
	if (self->master >= 0)
		close(self->master);
}

/*
 * A port on a bare pty, the test playing the module on the master side:
 * answer the driver's identification, keep FOTA URCs from the tty's
 * readers (nobody reads the slave here), find /dev/mfwN.
 */
static int bare_up(FIXTURE_DATA(cdev) *self)
{
	char line[128];
	int i;

	self->master = rig_open_pty(self->slave_path, sizeof(self->slave_path));
	if (self->master < 0)
		return -errno;
	self->slave = rig_open_tty(self->slave_path);
	if (self->slave < 0)
		return -errno;
	if (rig_attach(self->slave))
		return -EIO;
	/* AT+CGMR, ATI, AT+CGSN: each gets a bare OK. */
	for (i = 0; i < 3; i++) {
		if (rig_read_line(self->master, line, sizeof(line),
				  TIMEOUT_MS) <= 0 ||
		    rig_write_str(self->master, "\r\nOK\r\n"))
			return -EIO;
	}
	if (rig_port_write(self->slave_path, "urc_passthrough", "0"))
		return -EIO;
	return rig_port_node(self->slave_path, self->node, sizeof(self->node));
}

/* The simulated @model on a pty, identified; /dev/mfwN found. */
static int sim_up(FIXTURE_DATA(cdev) *self, const char *model,
		  const char *const extra[])
{
	int ret = port_up_model(&self->r, false, model, STATE, extra);

	if (ret)
		return ret;
	return rig_port_node(self->r.path, self->node, sizeof(self->node));
}

/* --- readers sharing one file ---------------------------------------- */

#define URC_LINES	3000

struct reader {
	int fd;
	volatile bool *done;
	size_t got;		/* bytes read */
	size_t bad;		/* bytes that no URC line holds */
	size_t over;		/* reads that returned more than asked */
};

static void *reader_main(void *arg)
{
	struct reader *rd = arg;
	char buf[4096];

	for (;;) {
		struct pollfd p = { .fd = rd->fd, .events = POLLIN };
		size_t ask = 1 + rand() % sizeof(buf);
		ssize_t n = read(rd->fd, buf, ask);

		if (n > 0) {
			if ((size_t)n > ask)
				rd->over++;
			for (ssize_t i = 0; i < n && (size_t)i < ask; i++)
				if (!buf[i] ||
				    !strchr("+MFWUPGRADE: 1,0123456789\n", buf[i]))
					rd->bad++;
			rd->got += n;
			continue;
		}
		if (n < 0 && errno != EAGAIN)
			break;
		if (*rd->done)
			break;
		poll(&p, 1, 100);
	}
	return NULL;
}

/* A user of the tty, reading whatever reaches it. */
struct drainer {
	int fd;
	volatile bool *done;
};

static void *drainer_main(void *arg)
{
	struct drainer *dr = arg;
	char buf[4096];

	while (!*dr->done) {
		struct pollfd p = { .fd = dr->fd, .events = POLLIN };

		if (poll(&p, 1, 100) > 0 && read(dr->fd, buf, sizeof(buf)) < 0 &&
		    errno != EAGAIN && errno != EINTR)
			break;
	}
	return NULL;
}

/*
 * Three threads read one non-blocking file while the module sends 3000
 * URCs: every byte read is a URC byte, no read returns more than it was
 * asked for, and what was read plus what the driver dropped is exactly
 * what was sent.
 */
TEST_F_TIMEOUT(cdev, readers_share_a_file, 300)
{
	struct reader rd[3];
	struct drainer dr;
	pthread_t th[3], dt;
	volatile bool done = false;
	size_t sent = 0, got = 0;
	long long end;
	char batch[2048];
	int fd, i, n, len = 0;

	ASSERT_EQ(0, bare_up(self));
	dr = (struct drainer){ .fd = self->slave, .done = &done };
	ASSERT_EQ(0, pthread_create(&dt, NULL, drainer_main, &dr));
	fd = open(self->node, O_RDONLY | O_NONBLOCK);
	ASSERT_LE(0, fd);
	for (i = 0; i < 3; i++) {
		rd[i] = (struct reader){ .fd = fd, .done = &done };
		ASSERT_EQ(0, pthread_create(&th[i], NULL, reader_main, &rd[i]));
	}
	for (n = 0; n < URC_LINES; n++) {
		int l = snprintf(batch + len, sizeof(batch) - len,
				 "\r\n+MFWUPGRADE: 1,%d\r\n", n % 100);

		sent += l - 4 + 1;	/* the line and its '\n' */
		len += l;
		if (len > (int)sizeof(batch) - 64 || n == URC_LINES - 1) {
			ASSERT_EQ(0, rig_write_str(self->master, batch));
			len = 0;
		}
	}
	/* Every line reached the driver before the readers may stop. */
	end = rig_now_ms() + TIMEOUT_MS;
	while (rig_port_num(self->slave_path, "statistics/urcs") < URC_LINES &&
	       rig_now_ms() < end)
		usleep(20000);
	EXPECT_EQ(URC_LINES, rig_port_num(self->slave_path, "statistics/urcs"));
	done = true;
	for (i = 0; i < 3; i++) {
		pthread_join(th[i], NULL);
		EXPECT_EQ(0U, rd[i].bad);
		EXPECT_EQ(0U, rd[i].over);
		got += rd[i].got;
	}
	pthread_join(dt, NULL);
	EXPECT_EQ(sent, got + rig_port_num(self->slave_path,
					   "statistics/urcs_dropped"));
	close(fd);
}

/* --- writers, ioctl() and the commit on one file ---------------------- */

struct racer {
	int fd;
	pthread_barrier_t *go;
	int op;			/* 0: write(0 bytes), 1: MFW_IOC_SET_SIZE */
	int ret, err;
};

static void *racer_main(void *arg)
{
	struct racer *rc = arg;
	__u64 size = 4096;

	pthread_barrier_wait(rc->go);
	if (rc->op)
		rc->ret = ioctl(rc->fd, MFW_IOC_SET_SIZE, &size);
	else
		rc->ret = (int)write(rc->fd, "", 0);
	rc->err = errno;
	return NULL;
}

/*
 * A write() and an ioctl(MFW_IOC_SET_SIZE) race to open one file's write
 * session, 100 times: both succeed, and the session they share takes a
 * byte (the hex path holds it in the module) and ends as a short package.
 */
TEST_F_TIMEOUT(cdev, write_races_set_size, 600)
{
	pthread_barrier_t go;
	int i;

	ASSERT_EQ(0, sim_up(self, "MN316", NULL));
	ASSERT_EQ(0, pthread_barrier_init(&go, NULL, 2));
	for (i = 0; i < 100; i++) {
		struct racer rc[2];
		pthread_t th[2];
		int fd = open(self->node, O_WRONLY), j;

		ASSERT_LE(0, fd);
		for (j = 0; j < 2; j++) {
			rc[j] = (struct racer){ .fd = fd, .go = &go, .op = j };
			ASSERT_EQ(0, pthread_create(&th[j], NULL, racer_main,
						    &rc[j]));
		}
		for (j = 0; j < 2; j++) {
			pthread_join(th[j], NULL);
			EXPECT_EQ(0, rc[j].ret) TH_LOG("op %d: %s", j,
						       strerror(rc[j].err));
		}
		/* Only every tenth round sends bytes: the module is slow. */
		if (i % 10 == 0) {
			EXPECT_EQ(1, write(fd, "x", 1));
			/* 1 of the 4096 bytes declared: a short package. */
			EXPECT_EQ(-1, close(fd));
			EXPECT_EQ(EIO, errno);
		} else {
			EXPECT_EQ(0, close(fd));
		}
	}
	pthread_barrier_destroy(&go);
}

struct pumper {
	int fd;
	const unsigned char *img;
	size_t len, chunk;
	unsigned char *kept;	/* the bytes the driver accepted, in order */
	size_t kept_len;
	int refused;		/* writes refused with EFBIG */
	int other;		/* writes that failed otherwise */
	volatile bool done;
};

static void *pumper_main(void *arg)
{
	struct pumper *pm = arg;
	size_t off;

	for (off = 0; off < pm->len; off += pm->chunk) {
		size_t n = pm->len - off < pm->chunk ? pm->len - off : pm->chunk;
		ssize_t w = write(pm->fd, pm->img + off, n);

		if (w > 0) {
			memcpy(pm->kept + pm->kept_len, pm->img + off, w);
			pm->kept_len += w;
		} else if (errno == EFBIG) {
			pm->refused++;
		} else {
			pm->other++;
		}
	}
	pm->done = true;
	return NULL;
}

/*
 * root changes buffer_max all the time while a transparent package of
 * unknown size is buffered: each write either goes in whole or is
 * refused with EFBIG, and the module stores exactly the bytes that went
 * in, in order.
 */
TEST_F_TIMEOUT(cdev, buffer_max_changes_under_a_write, 600)
{
	static const char *const sizes[] = { "4096", "65536", "1024", "40000" };
	struct pumper pm = { .chunk = 997 };
	pthread_t th;
	FILE *f;
	int i = 0;

	ASSERT_EQ(0, sim_up(self, "ML305U", NULL));
	ASSERT_EQ(0, port_make_image(IMAGE, 48000, "ML305U-DBLN-MBRH0S02",
				     11));
	pm.img = rig_slurp(IMAGE, &pm.len);
	ASSERT_TRUE((pm.img) != NULL);
	pm.kept = malloc(pm.len);
	ASSERT_TRUE((pm.kept) != NULL);
	pm.fd = open(self->node, O_WRONLY);
	ASSERT_LE(0, pm.fd);
	ASSERT_EQ(0, pthread_create(&th, NULL, pumper_main, &pm));
	while (!pm.done)
		ASSERT_EQ(0, rig_param_write("buffer_max", sizes[i++ % 4]));
	pthread_join(th, NULL);
	ASSERT_EQ(0, rig_param_write("buffer_max", self->buffer_max));
	EXPECT_EQ(0, pm.other);
	TH_LOG("%d parameter changes, %d writes refused, %zu of %zu bytes kept",
	       i, pm.refused, pm.kept_len, pm.len);
	EXPECT_EQ(0, close(pm.fd));
	/* What the module stored is what went in. */
	f = fopen(IMAGE, "w");
	ASSERT_TRUE((f) != NULL);
	ASSERT_EQ(pm.kept_len, fwrite(pm.kept, 1, pm.kept_len, f));
	ASSERT_EQ(0, fclose(f));
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
	free((void *)pm.img);
	free(pm.kept);
}

/*
 * The writer forks (a helper, a hook); the child's exit closes its copy
 * of the descriptor.  That close is not the writer's: nothing reaches the
 * module until the parent, the writer, closes; then all of it does.
 */
TEST_F_TIMEOUT(cdev, forked_child_does_not_commit, 300)
{
	unsigned char *img;
	size_t len = 0;
	char state[32];
	pid_t pid;
	int fd, st;

	ASSERT_EQ(0, sim_up(self, "ML305U", NULL));
	ASSERT_EQ(0, port_make_image(IMAGE, 20000, "ML305U-DBLN-MBRH0S02",
				     12));
	img = rig_slurp(IMAGE, &len);
	ASSERT_TRUE((img) != NULL);
	fd = open(self->node, O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(10000, write(fd, img, 10000));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(0);	/* closes the inherited descriptor */
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	/* A second child that closes explicitly, before exiting. */
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0)
		_exit(close(fd) ? 1 : 0);
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_EQ(0, WEXITSTATUS(st));
	/* Nothing was sent: the package is still buffered, unannounced. */
	ASSERT_LT(0, rig_port_attr(self->r.path, "state", state,
				   sizeof(state)));
	EXPECT_STREQ("writing", state);
	EXPECT_FALSE(rig_file_contains(self->r.transcript, "AT+MFWDLOAD"));
	ASSERT_EQ((ssize_t)(len - 10000), write(fd, img + 10000, len - 10000));
	EXPECT_EQ(0, close(fd));
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
	free(img);
}

/* --- a transparent write its writer gives up ---------------------------- */

#define RAW_SIZE	65536
#define RAW_SENT	4096

/*
 * The simulated ML305U (transparent writes only) with @extra, and an
 * image of @size bytes for it read into *@img, which the caller frees.
 * Returns 0, or -1 with nothing to free.
 */
static int raw_prepare(FIXTURE_DATA(cdev) *self, const char *const extra[],
		       unsigned long long size, unsigned char **img,
		       size_t *len)
{
	*img = NULL;
	if (sim_up(self, "ML305U", extra) ||
	    port_make_image(IMAGE, size, "ML305U-DBLN-MBRH0S02", 21))
		return -1;
	*img = rig_slurp(IMAGE, len);
	return *img ? 0 : -1;
}

/*
 * /dev/mfwN opened for writing, @size bytes announced with
 * MFW_IOC_SET_SIZE.  Returns the descriptor, or -1 with errno set.
 */
static int raw_open(FIXTURE_DATA(cdev) *self, unsigned long long size)
{
	int fd = open(self->node, O_WRONLY), err;

	if (fd >= 0 && ioctl(fd, MFW_IOC_SET_SIZE, &size)) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

/*
 * Open a transparent write of RAW_SIZE bytes on ML305U (transparent only)
 * and hand it RAW_SENT of them.  Returns the open descriptor.
 */
static int raw_half_written(FIXTURE_DATA(cdev) *self,
			    struct __test_metadata *_metadata, bool uart)
{
	/*
	 * The manual gives transparent mode no end but the length and a
	 * write error: the simulator's own inactivity end is put out of
	 * reach, so only the driver can end the transfer.  @uart: at
	 * 115200 baud, where the filler takes seconds.
	 */
	const char *const never[] = { "--transparent-timeout-ms", "3600000",
				      uart ? "--baud" : NULL, "115200", NULL };
	unsigned char *img;
	size_t len = 0;
	int fd;

	if (raw_prepare(self, never, RAW_SIZE, &img, &len))
		return -1;
	fd = raw_open(self, RAW_SIZE);
	if (fd < 0 || write(fd, img, RAW_SENT) != RAW_SENT) {
		TH_LOG("opening the write: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	free(img);
	return fd;
}

/*
 * The module counts raw bytes until the announced length is in: a user
 * command sent before then would be package data.  "AT" from a tty user
 * must get its "OK", the module must end up erased (its partial package
 * can never be upgraded) and last_error says what happened.
 */
static void raw_ended_cleanly(FIXTURE_DATA(cdev) *self,
			      struct __test_metadata *_metadata,
			      int sent, const char *why)
{
	char want[160], last[256] = "", state[32] = "";
	long long end;
	int ret;

	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT\r"));
	ret = rig_expect_line(self->r.tty, "OK", 60000);
	EXPECT_EQ(0, ret) TH_LOG("a user's AT got no OK: it became package data");
	snprintf(want, sizeof(want), "write abandoned after %d of %d bytes: %s",
		 sent, RAW_SIZE, why);
	for (end = rig_now_ms() + 60000; rig_now_ms() < end; usleep(50000)) {
		rig_port_attr(self->r.path, "last_error", last, sizeof(last));
		if (!strcmp(last, want))
			break;
	}
	EXPECT_STREQ(want, last);
	ASSERT_LT(0, rig_port_attr(self->r.path, "state", state, sizeof(state)));
	EXPECT_STREQ("error", state);
	/*
	 * The erase follows the module's verdict; a tty user may get the
	 * channel before it, so it is waited for.
	 */
	for (end = rig_now_ms() + 30000; rig_now_ms() < end; usleep(50000))
		if (rig_file_contains(STATE, "\npkg_len=0\n") &&
		    rig_file_contains(self->r.transcript, "AT+MFWERASE"))
			break;
	EXPECT_TRUE(rig_file_contains(self->r.transcript, "AT+MFWERASE"));
	EXPECT_TRUE(rig_file_contains(STATE, "\npkg_len=0\n"));
	/* The module answers commands again, not bytes of a package. */
	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT+CGMR\r"));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
}

/* The writer closes with most of the announced length still unsent. */
TEST_F_TIMEOUT(cdev, raw_closed_early_keeps_the_channel, 300)
{
	int fd = raw_half_written(self, _metadata, false);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, close(fd));
	EXPECT_EQ(EIO, errno);
	raw_ended_cleanly(self, _metadata, RAW_SENT, "the writer closed it early");
}

/*
 * A writer killed mid-transfer comes back at once (a restarted helper):
 * its new session waits for the filler to end the old transfer, then
 * the whole package goes in.
 */
TEST_F_TIMEOUT(cdev, raw_restart_waits_for_the_filler, 300)
{
	unsigned char *img;
	size_t len = 0;
	int fd = raw_half_written(self, _metadata, true);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, close(fd));
	img = rig_slurp(IMAGE, &len);
	ASSERT_TRUE((img) != NULL);
	fd = raw_open(self, RAW_SIZE);
	ASSERT_LE(0, fd);
	EXPECT_EQ((ssize_t)len, write(fd, img, len)) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(0, close(fd));
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
	EXPECT_TRUE(rig_file_contains(self->r.transcript, "AT+MFWERASE"));
	free(img);
}

/*
 * The writer keeps the file open and stops sending: after raw_idle_ms
 * the driver ends the transfer; tty users wait no longer than that and
 * the filler, and the writer's next write fails with ETIMEDOUT.
 */
TEST_F_TIMEOUT(cdev, raw_stalled_writer_is_bounded, 300)
{
	int fd;

	ASSERT_EQ(0, rig_param_write("raw_idle_ms", "1500"));
	fd = raw_half_written(self, _metadata, false);
	ASSERT_LE(0, fd);
	raw_ended_cleanly(self, _metadata, RAW_SENT, "the writer stopped sending");
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(ETIMEDOUT, errno);
	close(fd);
}

struct out_flusher {
	int tty;
	volatile bool stop;
	long flushes, failures;
};

/*
 * A tty user flushing output as fast as it can.  (Not input: the tty
 * core flushes that before mfw sees the call, and could drop the
 * module's verdict.)
 */
static void *out_flusher(void *arg)
{
	struct out_flusher *f = arg;

	while (!f->stop) {
		if (tcflush(f->tty, TCOFLUSH))
			f->failures++;
		f->flushes++;
		usleep(500);
	}
	return NULL;
}

/*
 * Output flushes while a whole transparent write goes out: the output
 * queue then holds package bytes the module counts, so the flushes drop
 * nothing of them, return at once and succeed; the module ends up with
 * the exact package.
 */
TEST_F_TIMEOUT(cdev, raw_output_flush_drops_no_package_byte, 300)
{
	const char *const slow[] = { "--transparent-timeout-ms", "3600000",
				     "--baud", "115200", NULL };
	struct out_flusher f = { 0 };
	unsigned char *img;
	size_t len = 0;
	pthread_t t;
	int fd;

	ASSERT_EQ(0, raw_prepare(self, slow, RAW_SIZE, &img, &len));
	fd = raw_open(self, RAW_SIZE);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(errno));
	f.tty = self->r.tty;
	ASSERT_EQ(0, pthread_create(&t, NULL, out_flusher, &f));
	EXPECT_EQ((ssize_t)len, write(fd, img, len)) TH_LOG("%s", strerror(errno));
	f.stop = true;
	ASSERT_EQ(0, pthread_join(t, NULL));
	EXPECT_EQ(0, close(fd));
	EXPECT_LT(100, f.flushes) TH_LOG("only %ld flushes", f.flushes);
	EXPECT_EQ(0, f.failures);
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
	free(img);
}

/*
 * Bytes the module received after the command @cmd and before @until
 * (to the end if @until is NULL); -1 if it never got @cmd, or never got
 * @until after it.
 */
static long bytes_between(const char *transcript, const char *cmd,
			  const char *until)
{
	size_t len = 0;
	char *text = rig_host_stream(transcript, &len);
	char *start = text ? memmem(text, len, cmd, strlen(cmd)) : NULL;
	char *end = NULL;
	long n = -1;

	if (start) {
		start += strlen(cmd);
		end = until ? memmem(start, len - (start - text), until,
				     strlen(until)) : text + len;
	}
	if (end)
		n = end - start;
	free(text);
	return n;
}

/*
 * The module ends a transparent write early, with a write error at byte
 * 2000 of 12000, on a 38400-baud line.  The whole package fits in the
 * tty's buffers, so the driver has queued all of it and waits for the
 * verdict when the error comes.  Whatever follows the error the module
 * reads as commands, so the driver drops what the tty still holds.  What
 * was already on its way still arrives: on the rig's pty, the far end's
 * read buffer (N_TTY_BUF_SIZE, 4 KiB), which no flush of ours reaches, as
 * none reaches a module's receive FIFO; not the other 6 KiB.
 */
TEST_F_TIMEOUT(cdev, raw_stops_at_the_modules_error, 300)
{
	const char *const args[] = { "--baud", "38400",
				     "--fault", "error=853@offset=2000", NULL };
	unsigned char *img;
	size_t len = 0;
	long got;
	char buf[64];
	int fd;

	ASSERT_EQ(0, raw_prepare(self, args, 12000, &img, &len));
	fd = raw_open(self, 12000);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(errno));
	EXPECT_GT((ssize_t)len, write(fd, img, len));
	close(fd);
	free(img);
	ASSERT_LT(0, rig_port_attr(self->r.path, "last_error", buf, sizeof(buf)));
	EXPECT_EQ(853, atoi(buf));
	/* The whole rest would take 2.6 s on the line. */
	usleep(4000000);
	got = bytes_between(self->r.transcript, "AT+MFWDLOAD=0,12000\r", NULL);
	ASSERT_LE(2000, got);
	EXPECT_GT(2000 + 4096 + 1024, got) TH_LOG("%ld bytes past the error reached the module",
						  got - 2000);
}

/*
 * The same error, but the writer is between two write() calls when it
 * comes: 11000 of 12000 bytes handed over (the tty took them all at once),
 * then a pause longer than the line needs for them.  The driver may not
 * wait for the writer's next call (or raw_idle_ms) to drop what the tty
 * still holds, and it must not let a user command out before that flush:
 * ModemManager's AT+CSQ, written 1.5 s in, reaches the module behind the
 * far end's read buffer of package bytes and what the line took while the
 * driver reacted (3000 bytes allowed, 780 ms at 38400 baud), not behind
 * all 9000 bytes past the error.  The writer's next write() then fails at
 * once.
 */
TEST_F_TIMEOUT(cdev, raw_error_while_the_writer_pauses, 300)
{
	const char *const args[] = { "--baud", "38400",
				     "--fault", "error=853@offset=2000", NULL };
	unsigned char *img;
	size_t len = 0;
	long long t0;
	long got;
	char buf[64];
	int fd;

	ASSERT_EQ(0, raw_prepare(self, args, 12000, &img, &len));
	fd = raw_open(self, 12000);
	ASSERT_LE(0, fd) TH_LOG("%s", strerror(errno));
	EXPECT_EQ(11000, write(fd, img, 11000));
	usleep(1500000);
	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT+CSQ\r"));
	/* 11000 bytes take 2.9 s on the line. */
	usleep(3500000);
	ASSERT_LT(0, rig_port_attr(self->r.path, "last_error", buf, sizeof(buf)));
	EXPECT_EQ(853, atoi(buf));
	t0 = rig_now_ms();
	EXPECT_EQ(-1, write(fd, img + 11000, 1000));
	EXPECT_GT(2000, rig_now_ms() - t0);
	close(fd);
	free(img);

	got = bytes_between(self->r.transcript, "AT+MFWDLOAD=0,12000\r",
			    "AT+CSQ\r");
	ASSERT_LE(0, got) TH_LOG("the user's AT+CSQ never reached the module");
	EXPECT_LE(2000, got);
	EXPECT_GT(2000 + 4096 + 3000, got)
		TH_LOG("%ld package bytes past the error came before the user's AT+CSQ",
		       got - 2000);
}

/*
 * Flow control during a transfer: TCIOFF and TCION would put a STOP or
 * START character among the bytes the module counts, so they fail with
 * EBUSY while the driver holds the channel; TCOOFF and TCOON add no byte
 * and go through.  Once the transfer has ended, TCION goes through too.
 */
TEST_F_TIMEOUT(cdev, raw_flow_characters_refused_during_a_transfer, 300)
{
	long long t0;
	int fd = raw_half_written(self, _metadata, false);

	ASSERT_LE(0, fd);
	t0 = rig_now_ms();
	EXPECT_EQ(-1, tcflow(self->r.tty, TCION));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(-1, tcflow(self->r.tty, TCIOFF));
	EXPECT_EQ(EBUSY, errno);
	EXPECT_EQ(0, tcflow(self->r.tty, TCOOFF));
	EXPECT_EQ(0, tcflow(self->r.tty, TCOON));
	EXPECT_EQ(0, tcflush(self->r.tty, TCOFLUSH));
	/* The module is counting bytes: no answer of its can be dropped. */
	EXPECT_EQ(0, tcflush(self->r.tty, TCIOFLUSH));
	EXPECT_GT(1000, rig_now_ms() - t0) TH_LOG("a control call waited");
	EXPECT_EQ(-1, close(fd));
	EXPECT_EQ(EIO, errno);
	raw_ended_cleanly(self, _metadata, RAW_SENT, "the writer closed it early");
	EXPECT_EQ(0, tcflow(self->r.tty, TCION));
}

/*
 * A child that writes the whole package in one write(): it sleeps in the
 * driver, waiting for the module, when the parent kills it.
 */
static pid_t raw_whole_writer(FIXTURE_DATA(cdev) *self,
			      struct __test_metadata *_metadata,
			      const char *fault)
{
	const char *const extra[] = { "--transparent-timeout-ms", "3600000",
				      "--fault", fault, NULL };
	unsigned char *img;
	size_t len = 0;
	pid_t pid;
	int fd;

	if (raw_prepare(self, extra, RAW_SIZE, &img, &len))
		return -1;
	pid = fork();
	if (pid == 0) {
		fd = raw_open(self, RAW_SIZE);
		if (fd < 0)
			_exit(1);
		if (write(fd, img, len) < 0)
			_exit(2);
		_exit(close(fd) ? 3 : 4);	/* not before the kill */
	}
	free(img);
	return pid;
}

static bool progress_is(const char *path, const char *want)
{
	char now[64] = "";

	rig_port_attr(path, "progress", now, sizeof(now));
	return !strcmp(now, want);
}

/*
 * The writer is killed while the module works out its verdict on the
 * whole package: the channel stays held until the verdict, the session
 * ends in error (never committed without the module's word), and the
 * package is erased.
 */
TEST_F_TIMEOUT(cdev, raw_killed_before_the_verdict, 300)
{
	char whole[64];
	long long end;
	pid_t pid;
	int st;

	snprintf(whole, sizeof(whole), "stall=4000@offset=%d", RAW_SIZE - 1);
	pid = raw_whole_writer(self, _metadata, whole);
	ASSERT_LT(0, pid);
	snprintf(whole, sizeof(whole), "%d %d", RAW_SIZE, RAW_SIZE);
	for (end = rig_now_ms() + 60000; rig_now_ms() < end; usleep(20000))
		if (progress_is(self->r.path, whole))
			break;
	ASSERT_TRUE(progress_is(self->r.path, whole));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st));
	raw_ended_cleanly(self, _metadata, RAW_SIZE,
			  "the writer was killed before the module's verdict");
}

/*
 * The writer is killed after AT+MFWDLOAD=0,<len> went out and before the
 * module's prompt: the prompt still comes, and the module then counts
 * <len> raw bytes, so the channel is held and filled as for a writer that
 * gave up.
 */
TEST_F_TIMEOUT(cdev, raw_killed_before_the_prompt, 300)
{
	long long end;
	pid_t pid;
	int st;

	pid = raw_whole_writer(self, _metadata, "stall=10000@cmd=MFWDLOAD");
	ASSERT_LT(0, pid);
	for (end = rig_now_ms() + 60000; rig_now_ms() < end; usleep(20000))
		if (rig_file_contains(self->r.transcript, "AT+MFWDLOAD=0,"))
			break;
	ASSERT_TRUE(rig_file_contains(self->r.transcript, "AT+MFWDLOAD=0,"));
	usleep(200000);
	/* The transcript escapes CR and LF: this is the prompt. */
	EXPECT_FALSE(rig_file_contains(self->r.transcript, "\\r\\n> "));
	ASSERT_EQ(0, kill(pid, SIGKILL));
	ASSERT_EQ(pid, waitpid(pid, &st, 0));
	EXPECT_TRUE(WIFSIGNALED(st));
	raw_ended_cleanly(self, _metadata, 0,
			  "the writer was killed before the module's prompt");
}

/*
 * The module prompts for a transparent write only after write_timeout_ms
 * (3 s here, the prompt at 4.5 s): the write fails with ETIMEDOUT, but the
 * channel stays held, so the user's AT sent at once does not become
 * package data once the prompt comes; the filler ends the transfer.
 */
TEST_F_TIMEOUT(cdev, raw_prompt_after_the_timeout, 300)
{
	const char *const extra[] = { "--transparent-timeout-ms", "3600000",
				      "--fault", "stall=4500@cmd=MFWDLOAD",
				      NULL };
	char old[32] = "";
	unsigned char *img;
	size_t len = 0;
	int fd, err;
	ssize_t n;

	ASSERT_EQ(0, raw_prepare(self, extra, RAW_SIZE, &img, &len));
	ASSERT_EQ(0, rig_param_read("write_timeout_ms", old, sizeof(old)));
	ASSERT_EQ(0, rig_param_write("write_timeout_ms", "3000"));
	/* Nothing that can return early until the parameter is back. */
	fd = raw_open(self, RAW_SIZE);
	n = fd >= 0 ? write(fd, img, RAW_SENT) : -2;
	err = errno;
	EXPECT_EQ(0, rig_param_write("write_timeout_ms", old));
	free(img);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, n);
	EXPECT_EQ(ETIMEDOUT, err);
	/* The prompt has not come yet: the module still works on it. */
	EXPECT_FALSE(rig_file_contains(self->r.transcript, "\\r\\n> "));
	raw_ended_cleanly(self, _metadata, 0, "no prompt within write_timeout_ms");
	close(fd);
}

/* --- a port that dies under an open file ------------------------------- */

/*
 * The discipline is detached while /dev/mfwN is open; then a write and a
 * close on the dead node.  The write fails with ENODEV, close() succeeds,
 * and no change uevent follows the port's "remove".
 */
TEST_F_TIMEOUT(cdev, write_after_detach, 120)
{
	int n_tty = N_TTY, fd, sock;
	char devname[32];

	ASSERT_EQ(0, sim_up(self, "MN316", NULL));
	snprintf(devname, sizeof(devname), "%s", strrchr(self->node, '/') + 1);
	sock = rig_uevent_open();
	ASSERT_LE(0, sock);
	fd = open(self->node, O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(self->r.tty, TIOCSETD, &n_tty));
	ASSERT_EQ(0, rig_uevent_wait(sock, "remove", devname, "SUBSYSTEM=mfw",
				     TIMEOUT_MS));
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(ENODEV, errno);
	EXPECT_EQ(0, close(fd));
	EXPECT_EQ(-ETIMEDOUT, rig_uevent_wait(sock, "change", devname,
					      "SUBSYSTEM=mfw", 1500));
	close(sock);
}

struct detacher {
	int tty;
	volatile int done;	/* 1 once TIOCSETD returned */
	int ret;
};

static void *detacher_main(void *arg)
{
	struct detacher *d = arg;
	int n_tty = N_TTY;

	d->ret = ioctl(d->tty, TIOCSETD, &n_tty);
	d->done = 1;
	return NULL;
}

struct slow_reader {
	int fd;
	char *buf;
	ssize_t ret;
};

static void *slow_reader_main(void *arg)
{
	struct slow_reader *sr = arg;

	sr->ret = read(sr->fd, sr->buf, 64);
	return NULL;
}

/*
 * A reader of /dev/mfwN whose buffer faults slowly (a userfaultfd page
 * nobody fills yet) must not hold up a detach: TIOCSETD returns while the
 * reader is still stuck in its copy.
 */
TEST_F_TIMEOUT(cdev, slow_reader_does_not_block_detach, 120)
{
	long psz = sysconf(_SC_PAGESIZE);
	struct uffdio_api api = { .api = UFFD_API };
	struct uffdio_register reg = { .mode = UFFDIO_REGISTER_MODE_MISSING };
	struct uffdio_copy copy = { 0 };
	struct slow_reader sr = { 0 };
	struct detacher d = { 0 };
	struct pollfd p;
	struct uffd_msg msg;
	pthread_t rt, dt;
	long long end;
	char *page, *src;
	int uffd;

	uffd = (int)syscall(__NR_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0)
		SKIP(return, "no userfaultfd: %s", strerror(errno));
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_API, &api));
	page = mmap(NULL, psz, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	src = malloc(psz);
	ASSERT_TRUE(page != MAP_FAILED);
	ASSERT_TRUE((src) != NULL);
	memset(src, '.', psz);
	reg.range.start = (unsigned long)page;
	reg.range.len = psz;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_REGISTER, &reg));

	ASSERT_EQ(0, bare_up(self));
	sr.fd = open(self->node, O_RDONLY);
	ASSERT_LE(0, sr.fd);
	ASSERT_EQ(0, rig_write_str(self->master, "\r\n+MFWUPGRADE: 1,5\r\n"));
	sr.buf = page;
	ASSERT_EQ(0, pthread_create(&rt, NULL, slow_reader_main, &sr));
	/* The reader is in the kernel, faulting on its buffer. */
	p = (struct pollfd){ .fd = uffd, .events = POLLIN };
	ASSERT_EQ(1, poll(&p, 1, TIMEOUT_MS));
	ASSERT_EQ((ssize_t)sizeof(msg), read(uffd, &msg, sizeof(msg)));
	ASSERT_EQ(UFFD_EVENT_PAGEFAULT, msg.event);

	d.tty = self->slave;
	ASSERT_EQ(0, pthread_create(&dt, NULL, detacher_main, &d));
	end = rig_now_ms() + 10000;
	while (!d.done && rig_now_ms() < end)
		usleep(20000);
	EXPECT_EQ(1, d.done) TH_LOG("TIOCSETD waits for the stuck reader");

	/* Let the reader finish, whatever happened. */
	copy.dst = (unsigned long)page;
	copy.src = (unsigned long)src;
	copy.len = psz;
	ASSERT_EQ(0, ioctl(uffd, UFFDIO_COPY, &copy));
	pthread_join(rt, NULL);
	pthread_join(dt, NULL);
	EXPECT_EQ(0, d.ret);
	/* The URC was taken before the port died: the reader has it. */
	EXPECT_EQ((ssize_t)strlen("+MFWUPGRADE: 1,5\n"), sr.ret);
	close(sr.fd);
	close(uffd);
	munmap(page, psz);
	free(src);
}

TEST_HARNESS_MAIN
