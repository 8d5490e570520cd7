// SPDX-License-Identifier: GPL-2.0-only
/*
 * The faster lane on a UART (mfw upgrade --fast-rate): mfw raises the line
 * rate for the transfer and brings it back before the upgrade, over the
 * guest's real 8250 UART and QEMU's 16550, to the bench's simulated module
 * on the host (tests/vm/uart-bench.py).  The board's UART clock allows
 * 921600 (MFW_UART_BASE); the module garbles what crosses while the two
 * ends disagree on the rate, as a real UART does, so a wrong switch shows
 * as a failed upgrade.  Also: the driver lives through a speed change of
 * its tty between commands and during its own command.
 *
 * Without the bench (MFW_UART_BENCH) every case skips.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mfw_bench.h"
#include "mfw_ipr.h"
#include "mfw_port.h"
#include "rig.h"

#define DIR		"/tmp/mfw-lane"
#define IMAGE		DIR "/pkg.bin"
#define LOG		DIR "/mfw.log"
#define OLD		"ML307R-DC-MBRH0S01"
#define NEW		"ML307R-DC-MBRH0S02"
/* Bounds on a hang: 64 KiB at 115200 is 6 s, under TCG several times more. */
#define MFW_TIMEOUT_S	240
#define TIMEOUT_MS	15000

FIXTURE(lane) {
	struct mfw_port_rig r;
	char write_timeout[32];	/* write_timeout_ms to restore, if changed */
};

FIXTURE_SETUP(lane)
{
	self->r.tty = self->r.master = self->r.bench = -1;
	self->r.sim = -1;
	mkdir(DIR, 0755);
	ASSERT_EQ(0, system("rm -rf " DIR "/state " LOG));
}

FIXTURE_TEARDOWN(lane)
{
	if (self->write_timeout[0] &&
	    rig_param_write("write_timeout_ms", self->write_timeout))
		TH_LOG("cannot restore write_timeout_ms");
	port_down(&self->r);
}

/* The module (ML307R-DC, transparent writes) at 115200, with @extra. */
static int lane_up(FIXTURE_DATA(lane) *self, const char *extra)
{
	char opts[200];
	const char *const args[] = { opts, NULL };

	snprintf(opts, sizeof(opts), "--rate 115200%s%s", extra ? " " : "",
		 extra ? extra : "");
	return port_up_uart_model(&self->r, "ML307R-DC", args);
}

/* mfw with @args (NULL-terminated, after "mfw"), output in LOG. */
static pid_t mfw_start(const char *const args[])
{
	return port_mfw_start(LOG, DIR "/state", args);
}

static int mfw_wait(pid_t pid, int timeout_s)
{
	return port_mfw_wait(pid, timeout_s * 1000);
}

static int mfw_run(const char *const args[])
{
	pid_t pid = mfw_start(args);

	return pid < 0 ? pid : mfw_wait(pid, MFW_TIMEOUT_S);
}

/* mfw's output as TAP diagnostics (a failure's evidence). */
static void show_log(void)
{
	rig_dump_file(stderr, LOG, NULL);
}

static bool log_has(const char *needle)
{
	return rig_file_contains(LOG, needle);
}

/* The rate the guest's side of the UART is set to, bit/s; 0: unknown. */
static long host_rate(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -errno;
	return mfw_ipr_rate(cfgetospeed(&t));
}

static int set_host_rate(int fd, speed_t speed)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -errno;
	cfsetspeed(&t, speed);
	return tcsetattr(fd, TCSANOW, &t) ? -errno : 0;
}

/* Wait until the driver shows @want as the module's firmware: 0 or -errno. */
static int firmware_is(FIXTURE_DATA(lane) *self, const char *want)
{
	char fw[128] = "";
	int ret;

	ret = rig_port_wait_attr(self->r.path, "firmware", want, fw, sizeof(fw),
				 TIMEOUT_MS);
	if (ret)
		fprintf(stderr, "# firmware is '%s', not '%s'\n", fw, want);
	return ret;
}

/*
 * The upgrade every case runs: IMAGE on the bench's UART (filled in by
 * lane_args()), with the lane to 921600.
 */
static const char *lane_upgrade[] = {
	"upgrade", IMAGE, "--port", NULL, "--fast-rate", "921600",
	"--timeout", "240", NULL
};

static const char *const *lane_args(void)
{
	lane_upgrade[3] = port_uart_tty();
	return lane_upgrade;
}

static long long upgrade_ms;

/* mfw upgrade of a @kib KiB package with the lane to 921600. */
static int upgrade(size_t kib, unsigned int seed)
{
	long long t0;
	int ret;

	ret = port_make_image(IMAGE, kib * 1024, NEW, seed);
	if (ret)
		return ret;
	t0 = rig_now_ms();
	ret = mfw_run(lane_args());
	upgrade_ms = rig_now_ms() - t0;
	return ret;
}

/*
 * The lane as it is meant: AT+IPR=921600, the host follows, the package
 * goes at 921600, both ends go back to 115200, then the upgrade.  The
 * module verified the package (a byte garbled by a rate mismatch fails
 * its digest) and runs the new version.
 */
TEST_F_TIMEOUT(lane, transfer_at_921600, 300)
{
	NEED_BENCH();
	ASSERT_EQ(0, lane_up(self, NULL));
	EXPECT_EQ(0, upgrade(64, 21)) show_log();
	TH_LOG("64 KiB with the lane: %lld ms", upgrade_ms);
	EXPECT_TRUE(log_has("transferring at 921600 bit/s")) show_log();
	EXPECT_TRUE(log_has("back at the board's 115200 bit/s"));
	EXPECT_TRUE(log_has("done: " NEW));
	EXPECT_EQ(1, port_bench_sent(&self->r, "AT+IPR=921600\\r"));
	EXPECT_EQ(1, port_bench_sent(&self->r, "AT+IPR=115200\\r"));
	EXPECT_EQ(1, port_bench_sent(&self->r, "AT+MFWUPGRADE"));
	EXPECT_EQ(115200, host_rate(self->r.tty));
	EXPECT_EQ(0, firmware_is(self, NEW));
}

/* The module refuses the rate: the transfer runs at 115200, said. */
TEST_F_TIMEOUT(lane, module_refuses_the_rate, 300)
{
	NEED_BENCH();
	/* The first AT+IPR is the question (AT+IPR?), the second the set. */
	ASSERT_EQ(0, lane_up(self, "--fault error@cmd=IPR#2"));
	EXPECT_EQ(0, upgrade(16, 22)) show_log();
	EXPECT_TRUE(log_has("the module refused 921600 bit/s")) show_log();
	EXPECT_TRUE(log_has("done: " NEW));
	EXPECT_EQ(0, port_bench_sent(&self->r, "AT+IPR=115200\\r"));
	EXPECT_EQ(115200, host_rate(self->r.tty));
}

/*
 * The board's wiring garbles the module's output above 460800: the probe
 * at 921600 fails, both ends go back within the probe's 3 tries, and the
 * package goes at 115200.
 */
TEST_F_TIMEOUT(lane, board_cannot_carry_the_rate, 300)
{
	NEED_BENCH();
	ASSERT_EQ(0, lane_up(self, "--max-rate 460800"));
	EXPECT_EQ(0, upgrade(16, 23)) show_log();
	EXPECT_TRUE(log_has("does not carry it")) show_log();
	EXPECT_TRUE(log_has("done: " NEW));
	EXPECT_EQ(1, port_bench_sent(&self->r, "AT+IPR=115200\\r"));
	EXPECT_EQ(115200, host_rate(self->r.tty));
}

/*
 * A host UART whose clock stops at 115200 (a PC's 1.8432 MHz one): the
 * kernel sets the nearest rate it can and says so only when the termios
 * is read back.  mfw sees that before it asks the module anything and
 * writes at the board's rate.  (The module here does not check the host's
 * rate: QEMU's 16550 keeps its own faster clock.)
 */
TEST_F_TIMEOUT(lane, host_uart_clock_too_slow, 300)
{
	NEED_BENCH();
	ASSERT_EQ(0, port_up_uart_model(&self->r, "ML307R-DC", NULL));
	ASSERT_EQ(0, port_uart_set_base(self->r.tty, 115200));
	EXPECT_EQ(0, upgrade(16, 26)) show_log();
	EXPECT_TRUE(log_has("cannot take it (it runs at 115200 when asked for 921600")) show_log();
	EXPECT_TRUE(log_has("done: " NEW));
	EXPECT_EQ(0, port_bench_sent(&self->r, "AT+IPR=921600"));
	EXPECT_EQ(115200, host_rate(self->r.tty));
}

/*
 * Start the upgrade of a 192 KiB package (@seed) and return once mfw has
 * written 32 KiB, well into the transfer at 921600: mfw's pid, or -1
 * (mfw stopped, its output shown) when it got nowhere in 120 s.
 */
static pid_t midway(FIXTURE_DATA(lane) *self, unsigned int seed)
{
	long long end = rig_now_ms() + 120000;
	pid_t pid;

	if (port_make_image(IMAGE, 192 * 1024, NEW, seed))
		return -1;
	pid = mfw_start(lane_args());
	if (pid < 0)
		return -1;
	while (rig_now_ms() < end) {
		if (rig_port_num(self->r.path, "offset") >= 32 * 1024)
			return pid;
		usleep(20000);
	}
	mfw_wait(pid, 1);
	fprintf(stderr, "# the transfer did not reach 32 KiB\n");
	show_log();
	return -1;
}

/*
 * Power lost at the fast rate: the upgrade fails, the journal says where
 * the transfer ran; the module comes back at 921600 (its rate is saved)
 * or at 115200 (--ipr-volatile), and mfw resume finds it at either,
 * finishes the job and leaves both ends at 115200.
 */
static void power_loss(struct __test_metadata *_metadata,
		       FIXTURE_DATA(lane) *self, bool volatile_rate)
{
	const char *const resume[] = { "resume", NULL };
	char on[200];
	pid_t pid;
	int ret;

	/*
	 * The failed upgrade ends when the driver gives up waiting for the
	 * powered-off module's verdict: write_timeout_ms, 30 s by default,
	 * 8 s here (a live module's verdict takes well under 1 s), and back
	 * to the default for the resume (the teardown restores it too, if
	 * the case ends before).
	 */
	ASSERT_EQ(0, rig_param_read("write_timeout_ms", self->write_timeout,
				     sizeof(self->write_timeout)));
	ASSERT_EQ(0, rig_param_write("write_timeout_ms", "8000"));
	ASSERT_EQ(0, lane_up(self, volatile_rate ? "--ipr-volatile" : NULL));
	pid = midway(self, 24);
	ASSERT_LT(0, pid);
	ASSERT_EQ(0, port_bench_order(&self->r, "off", NULL, 0, TIMEOUT_MS));
	ret = mfw_wait(pid, MFW_TIMEOUT_S);
	EXPECT_NE(0, ret) show_log();
	EXPECT_TRUE(log_has("transferring at 921600 bit/s"));
	ASSERT_EQ(0, rig_param_write("write_timeout_ms", self->write_timeout));

	snprintf(on, sizeof(on), "on --model ML307R-DC --boot-ms 200 --flash-ms 300 --rate 115200%s",
		 volatile_rate ? " --ipr-volatile" : "");
	ASSERT_EQ(0, port_bench_order(&self->r, on, NULL, 0, TIMEOUT_MS));
	EXPECT_EQ(0, mfw_run(resume)) show_log();
	EXPECT_TRUE(log_has(volatile_rate ? "found the module at the board's rate" :
			    "found the module at the faster rate")) show_log();
	EXPECT_TRUE(log_has("done: " NEW));
	EXPECT_EQ(115200, host_rate(self->r.tty));
	EXPECT_EQ(0, firmware_is(self, NEW));
}

TEST_F_TIMEOUT(lane, power_lost_at_the_fast_rate_saved, 600)
{
	NEED_BENCH();
	power_loss(_metadata, self, false);
}

TEST_F_TIMEOUT(lane, power_lost_at_the_fast_rate_volatile, 600)
{
	NEED_BENCH();
	power_loss(_metadata, self, true);
}

/*
 * The host goes down mid-transfer at 921600: mfw killed, what the UART
 * still had to send gone with the reboot, the line discipline attached
 * anew at the board's rate (mfw-attach@ at boot), whose identification the
 * module, still at 921600, cannot understand.  The module's transparent
 * write ends by its own idle limit.  mfw resume looks for the module at
 * the journal's rate first, finds it there, brings it back and finishes
 * the job.
 */
TEST_F_TIMEOUT(lane, host_reboot_at_the_fast_rate, 600)
{
	const char *const resume[] = { "resume", NULL };
	pid_t pid;

	NEED_BENCH();
	ASSERT_EQ(0, lane_up(self, "--transparent-timeout-ms 2000"));
	pid = midway(self, 25);
	ASSERT_LT(0, pid);
	kill(pid, SIGKILL);
	EXPECT_EQ(128, mfw_wait(pid, 30));
	/* The reboot: the queue is lost, the tty starts again at 115200. */
	ASSERT_EQ(0, ioctl(self->r.tty, TIOCSETD, &(int){ N_TTY }));
	ASSERT_EQ(0, tcflush(self->r.tty, TCIOFLUSH));
	ASSERT_EQ(0, set_host_rate(self->r.tty, B115200));
	usleep(2500 * 1000);		/* the module's write times out */
	ASSERT_EQ(0, rig_attach(self->r.tty));
	EXPECT_EQ(0, mfw_run(resume)) show_log();
	EXPECT_TRUE(log_has("found the module at the faster rate")) show_log();
	EXPECT_TRUE(log_has("done: " NEW));
	EXPECT_EQ(1, port_bench_sent(&self->r, "AT+IPR=115200\\r"));
}

struct identify_job {
	const char *path;
	int ret;
};

static void *identify_thread(void *arg)
{
	struct identify_job *job = arg;

	job->ret = rig_port_write(job->path, "identify", "1");
	return NULL;
}

/*
 * The driver and the tty's speed.  Between commands: a user moves module
 * and host to 921600 (AT+IPR, then tcsetattr) and the driver's next
 * identification works at the new rate.  During the driver's own
 * command: the host's rate changes while the module takes its time, the
 * answer arrives garbled, the command ends in its timeout, and the port
 * works again once the rates agree.  Nothing splats (the rig's gate).
 */
TEST_F_TIMEOUT(lane, driver_survives_rate_changes, 300)
{
	struct identify_job job = { .path = port_uart_tty() };
	long long end;
	pthread_t t;
	long cmds;

	NEED_BENCH();
	ASSERT_EQ(0, lane_up(self, "--cmd-delay-ms 1500"));
	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT+IPR=921600\r"));
	ASSERT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	ASSERT_EQ(0, set_host_rate(self->r.tty, B921600));
	EXPECT_EQ(0, rig_port_write(self->r.path, "identify", "1"));
	EXPECT_EQ(0, firmware_is(self, OLD));

	/*
	 * Once the driver has the channel its AT+CGMR goes out at 921600
	 * (a fraction of a millisecond); the module answers 1.5 s later,
	 * after the host went back to 115200.
	 */
	cmds = rig_port_num(self->r.path, "statistics/driver_commands");
	ASSERT_EQ(0, pthread_create(&t, NULL, identify_thread, &job));
	end = rig_now_ms() + TIMEOUT_MS;
	while (rig_port_num(self->r.path, "statistics/driver_commands") <= cmds &&
	       rig_now_ms() < end)
		usleep(10000);
	usleep(300 * 1000);
	ASSERT_EQ(0, set_host_rate(self->r.tty, B115200));
	pthread_join(t, NULL);
	EXPECT_EQ(-ETIMEDOUT, job.ret);

	/* Back at the module's rate, the driver's commands work again. */
	ASSERT_EQ(0, set_host_rate(self->r.tty, B921600));
	EXPECT_EQ(0, rig_port_write(self->r.path, "identify", "1"));
	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT+IPR=115200\r"));
	ASSERT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	ASSERT_EQ(0, set_host_rate(self->r.tty, B115200));
	EXPECT_EQ(0, rig_port_write(self->r.path, "identify", "1"));
	EXPECT_EQ(0, firmware_is(self, OLD));
}

TEST_HARNESS_MAIN
