// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw over a real UART: the module is the bench's simulator on the host
 * (tests/vm/uart-bench.py), behind QEMU's serial device and the guest's
 * own driver (the 8250 on ttyS1 of the x86 guests, the PL011 on ttyAMA0
 * of the Arm ones), paced at 115200 baud (about 11.5 KB/s; a hex
 * package takes twice its size on the line), so the packages are small.
 * A hex and a transparent write byte-exact (the module's length and
 * SHA-256 of what it stored, through the bench, against the image's),
 * each followed by the upgrade and its reboot (a UART has no hangup: the
 * module says +MATREADY on the same port), a corrupted package caught,
 * a power loss in the middle of a write, then its resume, and a whole
 * upgrade through the helper (mfw upgrade), the module's reboot included.
 * Guests without the bench skip every case.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mfw_bench.h"
#include "mfw_port.h"
#include "rig.h"

#define TIMEOUT_MS	20000
#define IMAGE		"/tmp/mfw-image.bin"
#define STATE		"/tmp/mfw-module.state"

#define HELPER_DIR	"/tmp/mfw-uart-helper"
#define HELPER_LOG	HELPER_DIR "/mfw.log"


FIXTURE(uart) {
	struct mfw_port_rig r;
	char node[64];
	char write_timeout[16];	/* the parameter's value to restore */
};

FIXTURE_SETUP(uart)
{
	self->r.tty = self->r.master = self->r.bench = -1;
	self->r.sim = -1;
}

FIXTURE_TEARDOWN(uart)
{
	if (!_metadata->passed && self->r.uart)
		TH_LOG("the module's transcript and the bench's log are on the host, in the run's uart/ directory");
	port_down(&self->r);
	if (self->write_timeout[0] &&
	    rig_param_write("write_timeout_ms", self->write_timeout))
		TH_LOG("write_timeout_ms not restored");
}

/* Power the bench's @model on, attached and identified by mfw. */
static int up(FIXTURE_DATA(uart) *self, const char *model,
	      const char *const extra[])
{
	int ret = port_up_uart_model(&self->r, model, extra);

	if (ret)
		return ret;
	return rig_port_node(self->r.path, self->node, sizeof(self->node));
}

/* Wait up to @timeout_ms until the port's attribute @name reads @want. */
static bool becomes(FIXTURE_DATA(uart) *self, const char *name,
		    const char *want, int timeout_ms)
{
	char last[128] = "";

	if (!rig_port_wait_attr(self->r.path, name, want, last, sizeof(last),
				timeout_ms))
		return true;
	fprintf(stderr, "# %s is \"%s\", not \"%s\"\n", name, last, want);
	return false;
}

TEST_F_TIMEOUT(uart, hex_write_mn316, 120)
{
	char buf[64];

	NEED_BENCH();
	ASSERT_EQ(0, up(self, "MN316", NULL));
	ASSERT_LT(0, rig_port_attr(self->r.path, "paths", buf, sizeof(buf)));
	EXPECT_STREQ("hex remote", buf);
	ASSERT_EQ(0, port_make_image(IMAGE, 12000, "MN316-DBRS-MBRH0S02", 11));
	ASSERT_EQ(0, rig_write_package(self->node, IMAGE, 0, 3000, false, NULL));
	EXPECT_EQ(1, port_rig_holds(&self->r, STATE, IMAGE));
	EXPECT_TRUE(becomes(self, "offset", "12000", 1000));
	EXPECT_TRUE(becomes(self, "state", "idle", 1000));
	EXPECT_TRUE(becomes(self, "last_error", "none", 1000));
	EXPECT_EQ(0, port_digests_match(self->r.path, IMAGE));
	EXPECT_EQ(1, port_bench_sent(&self->r, "AT+MFWERASE\\r"));
	EXPECT_EQ(1, port_bench_sent(&self->r, "AT+MFWDLOAD=11560,440,\""));

	/* The module reboots to flash; on a UART the port stays. */
	ASSERT_EQ(0, rig_port_write(self->r.path, "upgrade", "1"));
	EXPECT_TRUE(becomes(self, "firmware", "MN316-DBRS-MBRH0S02",
				 TIMEOUT_MS));
}

TEST_F_TIMEOUT(uart, transparent_declared_ml305u, 120)
{
	char buf[64];

	NEED_BENCH();
	ASSERT_EQ(0, up(self, "ML305U", NULL));
	ASSERT_LT(0, rig_port_attr(self->r.path, "paths", buf, sizeof(buf)));
	EXPECT_STREQ("transparent remote", buf);
	ASSERT_EQ(0, port_make_image(IMAGE, 20000, "ML305U-DBLN-MBRH0S02", 12));
	ASSERT_EQ(0, rig_write_package(self->node, IMAGE, 0, 8192, true, NULL));
	EXPECT_EQ(1, port_rig_holds(&self->r, STATE, IMAGE));
	EXPECT_EQ(1, port_bench_sent(&self->r, "AT+MFWDLOAD=0,20000\\r"));
	EXPECT_EQ(0, port_digests_match(self->r.path, IMAGE));
	EXPECT_TRUE(becomes(self, "check", "unchecked", 1000));
	ASSERT_EQ(0, rig_port_write(self->r.path, "upgrade", "1"));
	EXPECT_TRUE(becomes(self, "check", "match", 1000));
	EXPECT_TRUE(becomes(self, "firmware", "ML305U-DBLN-MBRH0S02",
				 TIMEOUT_MS));
}

/*
 * The comparison can fail: a module that flips one byte of the package
 * is caught by the bench's SHA-256, and by the module's own check before
 * an upgrade.
 */
TEST_F_TIMEOUT(uart, flipped_byte_is_caught_ml305u, 120)
{
	const char *const faults[] = { "--fault", "corrupt=1@offset=5000",
				       NULL };

	NEED_BENCH();
	ASSERT_EQ(0, up(self, "ML305U", faults));
	ASSERT_EQ(0, port_make_image(IMAGE, 8192, "ML305U-DBLN-MBRH0S02", 13));
	ASSERT_EQ(0, rig_write_package(self->node, IMAGE, 0, 4096, true, NULL));
	EXPECT_EQ(0, port_rig_holds(&self->r, STATE, IMAGE));
	EXPECT_EQ(-EBADMSG, rig_port_write(self->r.path, "upgrade", "1"));
	EXPECT_TRUE(becomes(self, "check", "mismatch", 1000));
	EXPECT_EQ(0, port_bench_sent(&self->r, "AT+MFWUPGRADE"));
}

/* Cut the module's power once mfw has written @at bytes of a package. */
struct power_cut {
	FIXTURE_DATA(uart) *self;
	long at;
	long when;		/* the offset mfw had reached, -1: never */
	int ret;		/* the bench's answer to "off" */
};

static void *power_cut(void *arg)
{
	struct power_cut *c = arg;
	long long end = rig_now_ms() + TIMEOUT_MS;

	c->when = -1;
	c->ret = -ETIMEDOUT;
	while (rig_now_ms() < end) {
		long v = rig_port_num(c->self->r.path, "offset");

		if (v >= c->at) {
			c->when = v;
			c->ret = port_bench_order(&c->self->r, "off", NULL, 0,
						  TIMEOUT_MS);
			break;
		}
		usleep(10000);
	}
	return NULL;
}

/*
 * Power lost in the middle of a hex write: the write fails once the
 * module's answer is overdue, the port says so, nothing splats; the
 * module comes back (+MATREADY on the same UART) and the write resumes
 * where the module's flash says it stopped.
 */
TEST_F_TIMEOUT(uart, power_loss_then_resume_mn316, 180)
{
	struct power_cut cut = { .self = self, .at = 4096 };
	size_t held = 0, acked;
	char buf[200], want[64];
	pthread_t t;
	int ret, mark;

	NEED_BENCH();
	/* The module's silence must end the write in seconds, not 30 s. */
	ASSERT_EQ(0, rig_param_read("write_timeout_ms", self->write_timeout,
				     sizeof(self->write_timeout)));
	ASSERT_EQ(0, rig_param_write("write_timeout_ms", "4000"));

	ASSERT_EQ(0, up(self, "MN316", NULL));
	ASSERT_EQ(0, port_make_image(IMAGE, 16000, "MN316-DBRS-MBRH0S02", 14));
	mark = rig_kmsg_mark();
	ASSERT_LE(0, mark);
	ASSERT_EQ(0, pthread_create(&t, NULL, power_cut, &cut));
	ret = rig_write_package(self->node, IMAGE, 0, 512, false, NULL);
	pthread_join(t, NULL);
	ASSERT_EQ(0, cut.ret);
	TH_LOG("power cut at offset %ld", cut.when);
	EXPECT_EQ(-ETIMEDOUT, ret);
	EXPECT_TRUE(becomes(self, "state", "error", 1000));
	snprintf(want, sizeof(want), "AT+MFWDLOAD: no answer within 4000 ms");
	EXPECT_TRUE(rig_kmsg_since(mark, want)) TH_LOG("no \"%s\" in the kernel log", want);
	ASSERT_LT(0, rig_port_attr(self->r.path, "offset", buf, sizeof(buf)));
	acked = strtoul(buf, NULL, 10);
	EXPECT_LE(4096, (long)acked);
	EXPECT_GT(16000, (long)acked);

	/* Power back: the module boots on the same port. */
	ASSERT_EQ(0, port_bench_order(&self->r,
				      "on --model MN316 --boot-ms 200 --flash-ms 300",
				      NULL, 0, TIMEOUT_MS));
	ASSERT_EQ(0, rig_expect_line(self->r.tty, "+MATREADY", TIMEOUT_MS));
	/*
	 * The module saved each chunk before it acknowledged it: it holds
	 * what mfw saw acknowledged, or one chunk more whose OK the power
	 * cut swallowed.
	 */
	ASSERT_EQ(0, port_bench_order(&self->r, "holds", buf, sizeof(buf),
				      TIMEOUT_MS));
	ASSERT_EQ(1, sscanf(buf, "ok holds pkg_len=%zu", &held));
	EXPECT_EQ(0, (int)(held % 512));
	EXPECT_LE((long)acked, (long)held);
	EXPECT_GE((long)acked + 512, (long)held);
	ASSERT_EQ(0, rig_write_package(self->node, IMAGE, held, 512, false, NULL));
	EXPECT_EQ(1, port_rig_holds(&self->r, STATE, IMAGE));
	EXPECT_TRUE(becomes(self, "state", "idle", 1000));
}

/* Whether @prog is on PATH (the helper is in the guest when it was built). */
static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char file[PATH_MAX];

	while (path && *path) {
		size_t len = strcspn(path, ":");

		snprintf(file, sizeof(file), "%.*s/%s", (int)len, path, prog);
		if (!access(file, X_OK))
			return true;
		path += len + (path[len] == ':');
	}
	return false;
}

/*
 * Whether the board has a GPIO line named @name: gpiolib's list in
 * debugfs (read line by line: its size says 0), " gpio-N (NAME |holder)".
 */
static bool board_has_line(const char *name)
{
	FILE *f = fopen("/sys/kernel/debug/gpio", "r");
	char line[256], want[64];
	bool found = false;

	if (!f)
		return false;
	snprintf(want, sizeof(want), "(%s ", name);
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, want) != NULL;
	fclose(f);
	return found;
}

/*
 * mfw upgrade on the UART, as a board runs it, of a 24 KiB ML307R-DC
 * package to MBRH0S02, the module up with MBRH0S01 first.  @conf, when
 * not NULL, is the configuration mfw is given (one line), else it runs on
 * the defaults.  The helper's log is HELPER_LOG.  Its exit code, or -1
 * when the run could not be set up (the reason is printed).
 */
static int helper_upgrade(FIXTURE_DATA(uart) *self, const char *conf)
{
	const char *args[] = { "--config", HELPER_DIR "/mfw.conf", "upgrade",
			       HELPER_DIR "/pkg.bin", "--port", port_uart_tty(),
			       "--timeout", "240", NULL };
	const char *const *argv = conf ? args : args + 2;
	FILE *f;
	pid_t pid;

	if (system("rm -rf " HELPER_DIR " && mkdir -p " HELPER_DIR)) {
		fprintf(stderr, "cannot make %s\n", HELPER_DIR);
		return -1;
	}
	if (conf) {
		f = fopen(args[1], "w");
		if (!f || fprintf(f, "%s\n", conf) < 0 || fclose(f)) {
			fprintf(stderr, "cannot write %s\n", args[1]);
			return -1;
		}
	}
	if (up(self, "ML307R-DC", NULL) ||
	    !becomes(self, "firmware", "ML307R-DC-MBRH0S01", TIMEOUT_MS) ||
	    port_make_image(args[3], 24 * 1024, "ML307R-DC-MBRH0S02", 15)) {
		fprintf(stderr, "the module did not come up, or no package\n");
		return -1;
	}
	pid = port_mfw_start(HELPER_LOG, HELPER_DIR "/state", argv);
	if (pid <= 0) {
		fprintf(stderr, "cannot start mfw: %d\n", (int)pid);
		return -1;
	}
	return port_mfw_wait(pid, 280000);
}

/*
 * The whole upgrade as a board runs it: mfw upgrade on the UART (the
 * transparent write of an ML307R-DC, the trigger, the module's reboot
 * with no hangup: +MATREADY on the same port, then the new version asked
 * for and confirmed).  The helper exits 0 and the module runs the new
 * version.
 */
TEST_F_TIMEOUT(uart, helper_upgrade_ml307r_dc, 300)
{
	NEED_BENCH();
	if (!on_path("mfw"))
		SKIP(return, "no mfw helper in this guest");
	EXPECT_EQ(0, helper_upgrade(self, NULL))
		rig_dump_file(stderr, HELPER_LOG, NULL);
	EXPECT_TRUE(rig_file_contains(HELPER_LOG, "done: ML307R-DC-MBRH0S02"))
		rig_dump_file(stderr, HELPER_LOG, NULL);
	/*
	 * The module flashed the package and let it go: what went to it is
	 * the driver's digest of what it sent, and the new version the
	 * module runs (its simulator flashes only a package whose length
	 * and trailer it accepted).
	 */
	EXPECT_EQ(0, port_digests_match(self->r.path, HELPER_DIR "/pkg.bin"));
	EXPECT_EQ(1, port_bench_sent(&self->r, "AT+MFWUPGRADE"));
	EXPECT_TRUE(becomes(self, "firmware", "ML307R-DC-MBRH0S02", TIMEOUT_MS));
	EXPECT_TRUE(becomes(self, "state", "idle", TIMEOUT_MS));
}

/*
 * A board whose module supply a kernel driver owns (in
 * dts/onemo-qemu-virt-overlay.dts the fixed regulator holds MODEM_PWREN,
 * the rail's switch, and the GPIO regulator behind it MODEM_VSEL, VBAT's
 * voltage select), one of the lines given to mfw as the module's PWRKEY
 * or RESET (@conf): mfw cannot keep the line from switching the module
 * off while it flashes, so the upgrade is refused with exit status 10,
 * naming the holder (@holder) as gpioinfo does, before the module is sent
 * anything of it.
 */
static void refuses_a_line_a_driver_owns(struct __test_metadata *_metadata,
					 FIXTURE_DATA(uart) *self,
					 const char *line, const char *conf,
					 const char *holder)
{
	char want[160];

	NEED_BENCH();
	if (!on_path("mfw"))
		SKIP(return, "no mfw helper in this guest");
	/* The line must exist; whether the regulator holds it is the test. */
	if (!board_has_line(line))
		SKIP(return, "no %s line on this board (the Arm guests' has one)", line);
	EXPECT_EQ(10, helper_upgrade(self, conf))
		rig_dump_file(stderr, HELPER_LOG, NULL);
	snprintf(want, sizeof(want), "GPIO line %s is held by \"%s\" (gpioinfo shows it)",
		 line, holder);
	EXPECT_TRUE(rig_file_contains(HELPER_LOG, want))
		rig_dump_file(stderr, HELPER_LOG, NULL);
	EXPECT_EQ(0, port_bench_sent(&self->r, "AT+MFW"));
	EXPECT_TRUE(becomes(self, "firmware", "ML307R-DC-MBRH0S01", TIMEOUT_MS));
	EXPECT_TRUE(becomes(self, "state", "idle", TIMEOUT_MS));
}

/* regulator-fixed: the switch of the board's rail, as PWRKEY. */
TEST_F_TIMEOUT(uart, helper_refuses_a_line_a_driver_owns, 300)
{
	refuses_a_line_a_driver_owns(_metadata, self, "MODEM_PWREN",
				     "pwrkey=MODEM_PWREN", "regulator-modem");
}

/* regulator-gpio: VBAT's voltage select, as RESET. */
TEST_F_TIMEOUT(uart, helper_refuses_a_line_a_gpio_regulator_owns, 300)
{
	refuses_a_line_a_driver_owns(_metadata, self, "MODEM_VSEL",
				     "reset=MODEM_VSEL", "modem-vbat");
}

TEST_HARNESS_MAIN
