// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw: packages into the module through /dev/mfwN.  Every family's serial
 * path end to end (the package the simulated module stored is compared
 * byte for byte, the upgrade's new version read back), every FOTA error
 * at the start, middle and end of a transfer, a disconnect and resume, a
 * checksum mismatch, url-only families, non-root openers and the
 * firmware-upload front end.  The same over a real UART: mfw_uart_test.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mfw.h>

#include "kselftest_harness.h"
#include "mfw_port.h"
#include "rig.h"

#define TIMEOUT_MS	20000
#define IMAGE		"/tmp/mfw-image.bin"
#define STATE		"/tmp/mfw-module.state"

FIXTURE(fw) {
	struct mfw_port_rig r;
	char node[64];
	char dir[64];
};

FIXTURE_SETUP(fw)
{
	self->r.tty = self->r.master = -1;
	self->r.sim = -1;
	unlink(STATE);
	unlink(STATE ".pkg");
}

FIXTURE_TEARDOWN(fw)
{
	char cmd[128];

	if (!_metadata->passed && self->r.transcript[0]) {
		snprintf(cmd, sizeof(cmd), "tail -c 2000 %s | cut -c1-200",
			 self->r.transcript);
		if (system(cmd))
			TH_LOG("no transcript");
	}
	port_down(&self->r);
}

/* Bring the simulated @model up and wait until mfw identified it. */
static int fw_up(struct __test_metadata *_metadata, FIXTURE_DATA(fw) *self,
		 bool usb, const char *model, const char *const extra[])
{
	int ret = port_up_model(&self->r, usb, model, STATE, extra);

	if (ret)
		return ret;
	if (rig_port_dir(self->r.path, self->dir, sizeof(self->dir)) ||
	    rig_port_node(self->r.path, self->node, sizeof(self->node)))
		return -ENOENT;
	return 0;
}

/*
 * The module re-enumerates (USB): wait until its old host tty hung up,
 * so that a ttyACM that has not gone away yet is never mistaken for the
 * new one, then attach to the new tty and wait until mfw identified it
 * again.
 */
static int reattach(FIXTURE_DATA(fw) *self)
{
	long long end = rig_now_ms() + TIMEOUT_MS;
	char fam[64] = "unknown", link[300];
	int i, ret;

	if (self->r.tty >= 0) {
		struct pollfd p = { .fd = self->r.tty };

		/* With no events asked for, only a hangup or error wakes. */
		while (!(p.revents & (POLLHUP | POLLERR))) {
			long long left = end - rig_now_ms();

			if (left <= 0)
				return -ETIMEDOUT;
			if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
				return -errno;
		}
		close(self->r.tty);
	}
	self->r.tty = -1;
	while (self->r.tty < 0 && rig_now_ms() < end) {
		usleep(100000);
		for (i = 0; i < 8 && self->r.tty < 0; i++) {
			snprintf(link, sizeof(link), "/sys/class/tty/ttyACM%d", i);
			if (access(link, F_OK))
				continue;
			snprintf(self->r.path, sizeof(self->r.path),
				 "/dev/ttyACM%d", i);
			self->r.tty = rig_open_tty(self->r.path);
		}
	}
	if (self->r.tty < 0)
		return -ETIMEDOUT;
	ret = rig_attach(self->r.tty);
	if (ret)
		return ret;
	while (rig_now_ms() < end) {
		if (rig_port_attr(self->r.path, "family", fam, sizeof(fam)) > 0 &&
		    strcmp(fam, "unknown"))
			break;
		usleep(20000);
	}
	if (rig_port_dir(self->r.path, self->dir, sizeof(self->dir)) ||
	    rig_port_node(self->r.path, self->node, sizeof(self->node)))
		return -ENOENT;
	return strcmp(fam, "unknown") ? 0 : -ETIMEDOUT;
}

static int attr(FIXTURE_DATA(fw) *self, const char *name, char *buf,
		size_t len)
{
	return rig_port_attr(self->r.path, name, buf, len);
}

/* Wait until attribute @name reads @want. */
static bool attr_becomes(FIXTURE_DATA(fw) *self, const char *name,
			 const char *want, int timeout_ms)
{
	long long end = rig_now_ms() + timeout_ms;
	char buf[128];

	do {
		if (attr(self, name, buf, sizeof(buf)) >= 0 &&
		    !strcmp(buf, want))
			return true;
		usleep(20000);
	} while (rig_now_ms() < end);
	fprintf(stderr, "# %s is \"%s\", not \"%s\"\n", name, buf, want);
	return false;
}

TEST_F_TIMEOUT(fw, hex_write_mn316, 120)
{
	char buf[64];

	ASSERT_EQ(0, fw_up(_metadata, self, false, "MN316", NULL));
	ASSERT_LT(0, attr(self, "paths", buf, sizeof(buf)));
	EXPECT_STREQ("hex remote", buf);
	ASSERT_EQ(0, port_make_image(IMAGE, 20000, "MN316-DBRS-MBRH0S02", 1));
	/* Writes of an odd size: chunks never line up with them. */
	ASSERT_EQ(0, rig_write_package(self->node, IMAGE, 0, 3000, false, NULL));
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
	EXPECT_TRUE(attr_becomes(self, "offset", "20000", 1000));
	EXPECT_TRUE(attr_becomes(self, "state", "idle", 1000));
	EXPECT_TRUE(attr_becomes(self, "last_error", "none", 1000));
	EXPECT_EQ(0, port_digests_match(self->r.path, IMAGE));
	/* Erased before the first chunk, as NB modules need. */
	EXPECT_TRUE(rig_file_contains(self->r.transcript,
				   "< AT+MFWERASE\\r"));
	EXPECT_TRUE(rig_file_contains(self->r.transcript,
				   "< AT+MFWDLOAD=19536,464,\""));

	/* The stored package upgrades; the new version shows after. */
	ASSERT_EQ(0, rig_port_write(self->r.path, "upgrade", "1"));
	EXPECT_TRUE(attr_becomes(self, "firmware", "MN316-DBRS-MBRH0S02",
				 TIMEOUT_MS));
}

TEST_F_TIMEOUT(fw, transparent_declared_ml305u, 120)
{
	char buf[64];

	ASSERT_EQ(0, fw_up(_metadata, self, false, "ML305U", NULL));
	ASSERT_LT(0, attr(self, "paths", buf, sizeof(buf)));
	EXPECT_STREQ("transparent remote", buf);
	ASSERT_EQ(0, port_make_image(IMAGE, 70000, "ML305U-DBLN-MBRH0S02", 2));
	ASSERT_EQ(0, rig_write_package(self->node, IMAGE, 0, 65536, true, NULL));
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
	EXPECT_TRUE(rig_file_contains(self->r.transcript,
				   "< AT+MFWDLOAD=0,70000\\r"));
	EXPECT_EQ(0, port_digests_match(self->r.path, IMAGE));
	EXPECT_TRUE(attr_becomes(self, "check", "unchecked", 1000));
	/* ML305U has AT+MFWCHECK: the upgrade compares first. */
	ASSERT_EQ(0, rig_port_write(self->r.path, "upgrade", "1"));
	EXPECT_TRUE(attr_becomes(self, "check", "match", 1000));
	EXPECT_TRUE(attr_becomes(self, "firmware", "ML305U-DBLN-MBRH0S02",
				 TIMEOUT_MS));
}

TEST_F_TIMEOUT(fw, transparent_cat_ml307r_dc_usb, 120)
{
	char cmd[160];

	ASSERT_EQ(0, fw_up(_metadata, self, true, "ML307R-DC", NULL));
	ASSERT_EQ(0, port_make_image(IMAGE, 50000, "ML307R-DC-MBRH0S02", 3));
	/* What users type: the size is unknown until close(). */
	snprintf(cmd, sizeof(cmd), "cat %s > %s", IMAGE, self->node);
	ASSERT_EQ(0, system(cmd));
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
	EXPECT_TRUE(rig_file_contains(self->r.transcript,
				   "< AT+MFWDLOAD=0,50000\\r"));
	EXPECT_EQ(0, port_digests_match(self->r.path, IMAGE));
	/* The upgrade reboots the module: over USB the port goes away. */
	ASSERT_EQ(0, rig_port_write(self->r.path, "upgrade", "1"));
	ASSERT_EQ(0, reattach(self));
	EXPECT_TRUE(attr_becomes(self, "firmware", "ML307R-DC-MBRH0S02",
				 TIMEOUT_MS));
}

TEST_F_TIMEOUT(fw, url_only_family_refuses_writes, 60)
{
	int fd;

	ASSERT_EQ(0, fw_up(_metadata, self, false, "ML307A", NULL));
	ASSERT_EQ(0, port_make_image(IMAGE, 4096, "ML307A-DCLN-MBRH0S02", 4));
	fd = open(self->node, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-1, write(fd, "x", 1));
	EXPECT_EQ(EOPNOTSUPP, errno);
	close(fd);
	EXPECT_TRUE(rig_kmsg_contains("takes no package over the serial line"));
	EXPECT_FALSE(rig_file_contains(self->r.transcript, "MFWDLOAD"));
}

TEST_F_TIMEOUT(fw, checksum_mismatch_blocks_upgrade, 120)
{
	const char *const faults[] = { "--fault", "corrupt=1@offset=1000",
				       NULL };

	ASSERT_EQ(0, fw_up(_metadata, self, false, "ML305U", faults));
	ASSERT_EQ(0, port_make_image(IMAGE, 8192, "ML305U-DBLN-MBRH0S02", 5));
	ASSERT_EQ(0, rig_write_package(self->node, IMAGE, 0, 4096, true, NULL));
	EXPECT_EQ(-EBADMSG, rig_port_write(self->r.path, "upgrade", "1"));
	EXPECT_TRUE(attr_becomes(self, "check", "mismatch", 1000));
	EXPECT_TRUE(attr_becomes(self, "state", "error", 1000));
	EXPECT_FALSE(rig_file_contains(self->r.transcript, "AT+MFWUPGRADE"));
	EXPECT_TRUE(rig_kmsg_contains("not upgrading"));
}

/* What a write returns for each FOTA error code. */
static int code_errno(int code)
{
	switch (code) {
	case 860:
		return ENOSPC;
	case 858:
	case 859:
		return ENOEXEC;
	case 851:
		return EINVAL;
	case 850:
	case 853:
		return EIO;
	default:
		return EREMOTEIO;
	}
}

/*
 * Every error code at @where (0 start, 1 middle, 2 end) of a transfer of
 * @model: each attempt fails with the code's errno and shows the code in
 * last_error; hex families then resume at the offset sysfs reports,
 * transparent ones start again from 0.  The last attempt succeeds.
 */
static void errors_at(struct __test_metadata *_metadata,
		      FIXTURE_DATA(fw) *self, const char *model, int where)
{
	const size_t size = 6000;
	const size_t at[3] = { 0, size / 2, size - 1 };
	char specs[11][48], buf[128];
	const char *faults[24];
	bool hex = !strcmp(model, "MN316");
	int code, n = 0;
	off_t acked;

	for (code = 850; code <= 860; code++) {
		snprintf(specs[code - 850], sizeof(specs[0]),
			 "error=%d@offset=%zu", code, at[where]);
		faults[n++] = "--fault";
		faults[n++] = specs[code - 850];
	}
	faults[n] = NULL;
	ASSERT_EQ(0, fw_up(_metadata, self, false, model, faults));
	ASSERT_EQ(0, port_make_image(IMAGE, size, "X-MBRH0S02", 6));

	acked = 0;
	for (code = 850; code <= 860; code++) {
		off_t from = hex ? acked : 0;
		int ret;

		/*
		 * What the module told the port's reader (its answers to
		 * the package bytes that reached its command parser after
		 * the error): a reader that let it pile up would keep the
		 * driver's commands out.
		 */
		ASSERT_LE(0, rig_read_away(self->r.tty));
		ret = rig_write_package(self->node, IMAGE, from, 1024, !hex,
					&acked);

		ASSERT_EQ(-code_errno(code), ret) {
			TH_LOG("code %d at %zu: %d", code, at[where], ret);
		}
		ASSERT_LT(0, attr(self, "last_error", buf, sizeof(buf)));
		EXPECT_EQ(code, atoi(buf));
		EXPECT_TRUE(attr_becomes(self, "state", "error", 1000));
		if (hex) {
			/* Nothing past the failed chunk was acknowledged. */
			ASSERT_LT(0, attr(self, "offset", buf, sizeof(buf)));
			acked = atol(buf);
			EXPECT_EQ(0, acked % 512);
			EXPECT_GE((off_t)at[where], acked);
		}
	}
	ASSERT_LE(0, rig_read_away(self->r.tty));
	ASSERT_EQ(0, rig_write_package(self->node, IMAGE, hex ? acked : 0, 1024,
				 !hex, NULL));
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
	EXPECT_TRUE(attr_becomes(self, "state", "idle", 1000));
}

TEST_F_TIMEOUT(fw, hex_errors_at_start, 180) { errors_at(_metadata, self, "MN316", 0); }
TEST_F_TIMEOUT(fw, hex_errors_in_middle, 180) { errors_at(_metadata, self, "MN316", 1); }
TEST_F_TIMEOUT(fw, hex_errors_at_end, 180) { errors_at(_metadata, self, "MN316", 2); }
TEST_F_TIMEOUT(fw, transparent_errors_at_start, 180) { errors_at(_metadata, self, "ML305U", 0); }
TEST_F_TIMEOUT(fw, transparent_errors_in_middle, 180) { errors_at(_metadata, self, "ML305U", 1); }
TEST_F_TIMEOUT(fw, transparent_errors_at_end, 180) { errors_at(_metadata, self, "ML305U", 2); }

/* Unplugged in the middle of a hex write; written on to the end after. */
TEST_F_TIMEOUT(fw, disconnect_then_resume_usb, 180)
{
	const char *const faults[] = { "--fault", "disconnect@cmd=MFWDLOAD#6",
				       NULL };
	off_t acked = 0;
	char buf[32];
	int ret;

	ASSERT_EQ(0, fw_up(_metadata, self, true, "MN316", faults));
	ASSERT_EQ(0, port_make_image(IMAGE, 8000, "MN316-DBRS-MBRH0S02", 7));
	ret = rig_write_package(self->node, IMAGE, 0, 512, false, &acked);
	EXPECT_EQ(-ENODEV, ret);
	EXPECT_EQ(2560, acked);

	/* The module comes back: attach to the new port and go on. */
	ASSERT_EQ(0, reattach(self));
	ASSERT_LT(0, attr(self, "offset", buf, sizeof(buf)));
	EXPECT_STREQ("0", buf);
	ASSERT_EQ(0, rig_write_package(self->node, IMAGE, acked, 512, false, NULL));
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
}

/*
 * Busybox, the userland of most boards: the module goes away in the
 * middle of a transparent package of unknown size, written with @tool.
 * What each tool then says is the admin guide's table ("Without the
 * helper"), checked here against the busybox the guest runs: busybox cat
 * does not check close(), where the driver reports the failure, and exits
 * 0; busybox dd does, and exits 1 with "No such device".  A busybox that
 * changes either makes this fail, and the table must change with it.
 * Whatever the tool says, the kernel log names the failure and how far it
 * got, and the module holds no package.
 */
static void busybox_loses_the_module(struct __test_metadata *_metadata,
				     FIXTURE_DATA(fw) *self, const char *tool,
				     size_t size)
{
	const char *const faults[] = { "--fault", "disconnect@offset=20000",
				       NULL };
	static const char err_file[] = "/tmp/mfw-busybox.err";
	char cmd[256], want[160], err[256] = "";
	int rc, mark;
	FILE *f;

	ASSERT_EQ(0, fw_up(_metadata, self, true, "ML307R-DC", faults));
	/* Only what this write leaves in the log counts. */
	mark = rig_kmsg_mark();
	ASSERT_LE(0, mark);
	ASSERT_EQ(0, port_make_image(IMAGE, size, "ML307R-DC-MBRH0S02", 4));
	if (!strcmp(tool, "cat"))
		snprintf(cmd, sizeof(cmd), "busybox cat %s > %s 2>%s",
			 IMAGE, self->node, err_file);
	else
		snprintf(cmd, sizeof(cmd), "busybox dd if=%s of=%s bs=4096 2>%s",
			 IMAGE, self->node, err_file);
	rc = system(cmd);
	ASSERT_TRUE(WIFEXITED(rc));
	f = fopen(err_file, "r");
	if (f) {
		size_t n = fread(err, 1, sizeof(err) - 1, f);

		err[n] = 0;
		fclose(f);
	}
	unlink(err_file);
	TH_LOG("busybox %s exited %d: %s", tool, WEXITSTATUS(rc), err);
	if (!strcmp(tool, "dd")) {
		EXPECT_EQ(1, WEXITSTATUS(rc));
		EXPECT_TRUE(strstr(err, "No such device") != NULL);
	} else {
		EXPECT_EQ(0, WEXITSTATUS(rc));
	}
	/*
	 * "package write failed after N of SIZE bytes (-ENODEV)": the error
	 * reads -19 on a kernel without CONFIG_SYMBOLIC_ERRNAME.
	 */
	snprintf(want, sizeof(want), "of %zu bytes (", size);
	EXPECT_TRUE(rig_kmsg_since(mark, want)) TH_LOG("no \"%s\" in the kernel log", want);
	EXPECT_FALSE(port_module_holds(STATE, IMAGE));
}

TEST_F_TIMEOUT(fw, busybox_cat_loses_the_module_usb, 120)
{
	busybox_loses_the_module(_metadata, self, "cat", 50000);
}

TEST_F_TIMEOUT(fw, busybox_dd_loses_the_module_usb, 120)
{
	busybox_loses_the_module(_metadata, self, "dd", 60000);
}

/* The port stays usable for others while a package goes in. */
struct user_cmd {
	int tty;
	int ret;
};

static void *user_command(void *arg)
{
	struct user_cmd *u = arg;

	usleep(200000);
	u->ret = rig_write_str(u->tty, "AT+CGMI\r");
	if (!u->ret)
		u->ret = rig_expect_line(u->tty, "CMCC", TIMEOUT_MS);
	return NULL;
}

TEST_F_TIMEOUT(fw, users_talk_during_a_write, 120)
{
	struct user_cmd u;
	pthread_t t;

	ASSERT_EQ(0, fw_up(_metadata, self, false, "MN316",
			   (const char *const[]){ "--baud", "115200", NULL }));
	ASSERT_EQ(0, port_make_image(IMAGE, 30000, "MN316-DBRS-MBRH0S02", 8));
	u.tty = self->r.tty;
	ASSERT_EQ(0, pthread_create(&t, NULL, user_command, &u));
	ASSERT_EQ(0, rig_write_package(self->node, IMAGE, 0, 30000, false, NULL));
	pthread_join(t, NULL);
	EXPECT_EQ(0, u.ret);
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
}

/*
 * Another client of the tty during a transparent write.  The module holds
 * its verdict for 1.5 s once the package is in (stall), so the client's
 * writes land while the driver holds the channel: a non-blocking write
 * gets EAGAIN, a blocking one goes out after the module's verdict.  The
 * module gets the package whole, as one run, and the command after it.
 */
struct raw_user {
	const char *tty;	/* the tty's path, for a non-blocking file */
	int fd;			/* the test's blocking file */
	int nonblock_errno;
	int ret;
};

static void *raw_user(void *arg)
{
	struct raw_user *u = arg;
	int nb;

	usleep(300000);
	nb = open(u->tty, O_RDWR | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	u->nonblock_errno = nb < 0 ? -1 : write(nb, "AT\r", 3) < 0 ? errno : 0;
	if (nb >= 0)
		close(nb);
	u->ret = rig_write_str(u->fd, "AT+CGMI\r");
	if (!u->ret)
		u->ret = rig_expect_line(u->fd, "CMCC", TIMEOUT_MS);
	return NULL;
}

static void users_talk_during_a_transparent_write(struct __test_metadata *_metadata,
						  FIXTURE_DATA(fw) *self,
						  bool usb, const char *model)
{
	const char *const extra[] = { "--fault", "stall=1500@offset=59000", NULL };
	char want[64], version[64];
	struct raw_user u = { 0 };
	const char *pkg, *user;
	size_t len;
	pthread_t t;
	char *sent;

	snprintf(version, sizeof(version), "%s-MBRH0S02",
		 usb ? "ML307R-DC" : "ML305U-DBLN");
	ASSERT_EQ(0, fw_up(_metadata, self, usb, model, extra));
	ASSERT_EQ(0, port_make_image(IMAGE, 60000, version, 9));
	u.tty = self->r.path;
	u.fd = self->r.tty;
	ASSERT_EQ(0, pthread_create(&t, NULL, raw_user, &u));
	EXPECT_EQ(0, rig_write_package(self->node, IMAGE, 0, 65536, true, NULL));
	pthread_join(t, NULL);
	EXPECT_EQ(EAGAIN, u.nonblock_errno);
	EXPECT_EQ(0, u.ret);
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
	EXPECT_TRUE(rig_file_contains(self->r.transcript, "fault fires"));

	sent = rig_host_stream(self->r.transcript, &len);
	ASSERT_TRUE((sent) != NULL);
	snprintf(want, sizeof(want), "AT+MFWDLOAD=0,60000\r");
	pkg = memmem(sent, len, want, strlen(want));
	ASSERT_TRUE((pkg) != NULL);
	pkg += strlen(want);
	user = memmem(sent, len, "AT+CGMI\r", 8);
	EXPECT_TRUE((user) != NULL);
	EXPECT_LE(60000, user ? (long)(user - pkg) : -1L) TH_LOG("the command came %ld bytes into the package",
					    (long)(user - pkg));
	free(sent);
}

TEST_F_TIMEOUT(fw, users_talk_during_a_transparent_write_pty, 120)
{
	users_talk_during_a_transparent_write(_metadata, self, false, "ML305U");
}

TEST_F_TIMEOUT(fw, users_talk_during_a_transparent_write_usb, 120)
{
	users_talk_during_a_transparent_write(_metadata, self, true, "ML307R-DC");
}

TEST_F_TIMEOUT(fw, non_root_is_refused, 60)
{
	pid_t pid;
	int status;

	ASSERT_EQ(0, fw_up(_metadata, self, false, "MN316", NULL));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char file[128];
		int bad = 0;

		if (setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(2);
		if (open(self->node, O_WRONLY) >= 0 || errno != EACCES)
			bad++;
		if (open(self->node, O_RDONLY) >= 0 || errno != EACCES)
			bad++;
		snprintf(file, sizeof(file), "%s/image_size", self->dir);
		if (open(file, O_WRONLY) >= 0 || errno != EACCES)
			bad++;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

/* Write @s to the firmware-upload file @name of @dir. */
static int fwul_write(const char *dir, const char *name, const void *s,
		      size_t len)
{
	char file[160];
	int fd, ret = 0;

	snprintf(file, sizeof(file), "%s/%s", dir, name);
	fd = open(file, O_WRONLY);
	if (fd < 0)
		return -errno;
	/* sysfs takes a page or so per write. */
	while (!ret && len) {
		ssize_t n = write(fd, s, len);

		if (n <= 0) {
			ret = n ? -errno : -EIO;
			break;
		}
		s = (const char *)s + n;
		len -= n;
	}
	close(fd);
	return ret;
}

static int fwul_read(const char *dir, const char *name, char *buf, size_t len)
{
	char file[160];
	ssize_t n;
	int fd;

	snprintf(file, sizeof(file), "%s/%s", dir, name);
	fd = open(file, O_RDONLY);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return n;
}

/*
 * The port's firmware-upload directory in @fwdir; false (the test then
 * skips) on a kernel without CONFIG_FW_UPLOAD, which only the stock
 * Debian kernels may be.
 */
static bool fwul_dir(struct __test_metadata *_metadata,
		     FIXTURE_DATA(fw) *self, char *fwdir, size_t len)
{
	struct utsname u;

	snprintf(fwdir, len, "/sys/class/firmware/%s",
		 strrchr(self->dir, '/') + 1);
	if (!access(fwdir, F_OK))
		return true;
	/* Only kernels with CONFIG_FW_UPLOAD; the rig's debug has it. */
	EXPECT_EQ(0, uname(&u));
	EXPECT_TRUE((strstr(u.release, "-amd64")) != NULL) {
		TH_LOG("%s missing on %s", fwdir, u.release);
	}
	return false;
}

/* Wait until the upload is over; its error in @buf ("" for none). */
static int fwul_finished(const char *fwdir, char *buf, size_t len,
			 int timeout_ms)
{
	long long end = rig_now_ms() + timeout_ms;

	do {
		if (fwul_read(fwdir, "status", buf, len) < 0)
			return -EIO;
		if (!strcmp(buf, "idle"))
			return fwul_read(fwdir, "error", buf, len) < 0 ? -EIO : 0;
		usleep(50000);
	} while (rig_now_ms() < end);
	return -ETIMEDOUT;
}

TEST_F_TIMEOUT(fw, firmware_upload_front_end, 120)
{
	char fwdir[96], buf[64];
	unsigned char *img;
	long long end;
	size_t len = 0;

	ASSERT_EQ(0, fw_up(_metadata, self, false, "ML307R-DC", NULL));
	if (!fwul_dir(_metadata, self, fwdir, sizeof(fwdir)))
		SKIP(return, "kernel without CONFIG_FW_UPLOAD");
	ASSERT_EQ(0, port_make_image(IMAGE, 40000, "ML307R-DC-MBRH0S02", 9));
	img = rig_slurp(IMAGE, &len);
	ASSERT_TRUE((img) != NULL);
	ASSERT_EQ(0, fwul_write(fwdir, "loading", "1", 1));
	ASSERT_EQ(0, fwul_write(fwdir, "data", img, len));
	ASSERT_EQ(0, fwul_write(fwdir, "loading", "0", 1));
	free(img);
	end = rig_now_ms() + TIMEOUT_MS;
	do {
		usleep(50000);
		ASSERT_LT(0, fwul_read(fwdir, "status", buf, sizeof(buf)));
	} while (strcmp(buf, "idle") && rig_now_ms() < end);
	EXPECT_STREQ("idle", buf);
	EXPECT_LE(0, fwul_read(fwdir, "error", buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
	EXPECT_EQ(0, port_digests_match(self->r.path, IMAGE));
}

/*
 * The loader calls the cancel operation for any write of its cancel
 * file, upload or none: a /dev/mfwN writer's session goes on, whole.
 */
TEST_F_TIMEOUT(fw, firmware_upload_cancel_spares_a_dev_writer, 120)
{
	unsigned char *img;
	char fwdir[96];
	size_t len = 0;
	int fd;

	ASSERT_EQ(0, fw_up(_metadata, self, false, "MN316", NULL));
	if (!fwul_dir(_metadata, self, fwdir, sizeof(fwdir)))
		SKIP(return, "kernel without CONFIG_FW_UPLOAD");
	ASSERT_EQ(0, port_make_image(IMAGE, 20000, "MN316-DBRS-MBRH0S02", 4));
	img = rig_slurp(IMAGE, &len);
	ASSERT_TRUE((img) != NULL);
	fd = open(self->node, O_WRONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(8000, write(fd, img, 8000));
	/* No upload in progress: the loader says so, and calls us anyway. */
	EXPECT_EQ(-ENODEV, fwul_write(fwdir, "cancel", "1", 1));
	EXPECT_EQ((ssize_t)len - 8000, write(fd, img + 8000, len - 8000));
	EXPECT_EQ(0, close(fd));
	free(img);
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
	EXPECT_TRUE(attr_becomes(self, "last_error", "none", 1000));
}

/*
 * An upload whose prepare step waits for the filler of a transfer a
 * /dev/mfwN writer abandoned (its verdict held 20 s) is cancelled: it
 * ends at once, as cancelled, and opens no session.
 */
TEST_F_TIMEOUT(fw, firmware_upload_cancel_while_waiting, 180)
{
	const char *const extra[] = { "--transparent-timeout-ms", "3600000",
				      "--fault", "stall=20000@offset=39999",
				      NULL };
	unsigned long long size = 40000;
	char fwdir[96], buf[64];
	unsigned char *img;
	long long t0;
	size_t len = 0;
	int fd;

	ASSERT_EQ(0, fw_up(_metadata, self, false, "ML305U", extra));
	if (!fwul_dir(_metadata, self, fwdir, sizeof(fwdir)))
		SKIP(return, "kernel without CONFIG_FW_UPLOAD");
	ASSERT_EQ(0, port_make_image(IMAGE, 40000, "ML305U-DBLN-MBRH0S02", 5));
	img = rig_slurp(IMAGE, &len);
	ASSERT_TRUE((img) != NULL);
	fd = open(self->node, O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ioctl(fd, MFW_IOC_SET_SIZE, &size));
	EXPECT_EQ(5000, write(fd, img, 5000));
	/* Closed early: the driver fills the rest and awaits the verdict. */
	EXPECT_EQ(-1, close(fd));
	ASSERT_EQ(0, fwul_write(fwdir, "loading", "1", 1));
	ASSERT_EQ(0, fwul_write(fwdir, "data", img, len));
	ASSERT_EQ(0, fwul_write(fwdir, "loading", "0", 1));
	free(img);
	usleep(1000000);
	ASSERT_LT(0, fwul_read(fwdir, "status", buf, sizeof(buf)));
	EXPECT_STREQ("preparing", buf);
	t0 = rig_now_ms();
	EXPECT_EQ(0, fwul_write(fwdir, "cancel", "1", 1));
	EXPECT_EQ(0, fwul_finished(fwdir, buf, sizeof(buf), 60000));
	EXPECT_STREQ("preparing:user-abort", buf);
	EXPECT_GT(5000, rig_now_ms() - t0) {
		TH_LOG("the cancel took %lld ms", rig_now_ms() - t0);
	}
	/* The abandoned transfer still ends with the module's verdict. */
	EXPECT_TRUE(attr_becomes(self, "last_error",
				 "write abandoned after 5000 of 40000 bytes: the writer closed it early",
				 60000));
	EXPECT_FALSE(port_module_holds(STATE, IMAGE));
}

TEST_HARNESS_MAIN
