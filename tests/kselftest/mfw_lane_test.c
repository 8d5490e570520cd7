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
};

FIXTURE_SETUP(lane)
{
	self->r.tty = self->r.master = self->r.bench = -1;
	self->r.sim = -1;
	if (!port_uart_bench())
		SKIP(return, "no UART module bench on this guest (tests/vm/run-vm.sh with MFW_VM_UART_BENCH)");
	mkdir(DIR, 0755);
	ASSERT_EQ(0, system("rm -rf " DIR "/state " LOG));
}

FIXTURE_TEARDOWN(lane)
{
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

/*
 * Start mfw with @args (NULL-terminated, after "mfw"), its output in LOG,
 * its state in DIR/state; the pid, or -errno.
 */
static pid_t mfw_start(const char *const args[])
{
	const char *argv[16] = { "mfw" };
	size_t n = 1;
	pid_t pid;
	int fd;

	while (*args && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	pid = fork();
	if (pid)
		return pid < 0 ? -errno : pid;
	fd = open(LOG, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		_exit(127);
	dup2(fd, 1);
	dup2(fd, 2);
	setenv("MFW_STATE_DIR", DIR "/state", 1);
	/* The defaults: no ModemManager, GPIO lines or battery here. */
	unsetenv("MFW_CONFIG");
	execvp("mfw", (char **)argv);
	_exit(127);
}

/* Wait up to @timeout_s for @pid: its exit code, or -ETIMEDOUT (killed). */
static int mfw_wait(pid_t pid, int timeout_s)
{
	long long end = rig_now_ms() + timeout_s * 1000LL;
	int status;

	while (rig_now_ms() < end) {
		pid_t r = waitpid(pid, &status, WNOHANG);

		if (r == pid)
			return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
		if (r < 0)
			return -errno;
		usleep(50000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -ETIMEDOUT;
}

static int mfw_run(const char *const args[])
{
	pid_t pid = mfw_start(args);

	return pid < 0 ? pid : mfw_wait(pid, MFW_TIMEOUT_S);
}

/* Copy mfw's output to the TAP diagnostics (a failure's evidence). */
static void show_log(void)
{
	char line[512];
	FILE *f = fopen(LOG, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		fprintf(stderr, "# | %s", line);
	fclose(f);
}

static bool log_has(const char *needle)
{
	return rig_file_contains(LOG, needle);
}

/* The rate the guest's side of the UART is set to, bit/s. */
static long host_rate(int fd)
{
	struct termios t;

	if (tcgetattr(fd, &t))
		return -errno;
	switch (cfgetospeed(&t)) {
	case B9600: return 9600;
	case B115200: return 115200;
	case B230400: return 230400;
	case B460800: return 460800;
	case B921600: return 921600;
	default: return 0;
	}
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

static long long upgrade_ms;

/* mfw upgrade of a @kib KiB package with the lane to 921600. */
static int upgrade(size_t kib, unsigned int seed)
{
	const char *const args[] = { "upgrade", IMAGE, "--port", PORT_UART_TTY,
				     "--fast-rate", "921600", "--timeout",
				     "240", NULL };
	long long t0;
	int ret;

	ret = port_make_image(IMAGE, kib * 1024, NEW, seed);
	if (ret)
		return ret;
	t0 = rig_now_ms();
	ret = mfw_run(args);
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
	ASSERT_EQ(0, port_up_uart_model(&self->r, "ML307R-DC", NULL));
	ASSERT_EQ(0, port_uart_set_base(self->r.tty, 115200));
	EXPECT_EQ(0, upgrade(16, 26)) show_log();
	EXPECT_TRUE(log_has("cannot take it (it runs at 115200 when asked for 921600")) show_log();
	EXPECT_TRUE(log_has("done: " NEW));
	EXPECT_EQ(0, port_bench_sent(&self->r, "AT+IPR=921600"));
	EXPECT_EQ(115200, host_rate(self->r.tty));
}

/* Wait until mfw has written @at bytes of the package; false on timeout. */
static bool written(FIXTURE_DATA(lane) *self, long at, int timeout_ms)
{
	long long end = rig_now_ms() + timeout_ms;

	while (rig_now_ms() < end) {
		if (rig_port_num(self->r.path, "offset") >= at)
			return true;
		usleep(20000);
	}
	return false;
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
	const char *const up[] = { "upgrade", IMAGE, "--port", PORT_UART_TTY,
				   "--fast-rate", "921600", "--timeout", "240",
				   NULL };
	const char *const resume[] = { "resume", NULL };
	char on[200];
	pid_t pid;
	int ret;

	ASSERT_EQ(0, lane_up(self, volatile_rate ? "--ipr-volatile" : NULL));
	ASSERT_EQ(0, port_make_image(IMAGE, 192 * 1024, NEW, 24));
	pid = mfw_start(up);
	ASSERT_LT(0, pid);
	/* Well into the transfer, which runs at 921600 by then. */
	if (!written(self, 32 * 1024, 120000)) {
		mfw_wait(pid, 1);
		show_log();
		ASSERT_TRUE(false) TH_LOG("the transfer did not reach 32 KiB");
	}
	ASSERT_EQ(0, port_bench_order(&self->r, "off", NULL, 0, TIMEOUT_MS));
	ret = mfw_wait(pid, MFW_TIMEOUT_S);
	EXPECT_NE(0, ret) show_log();
	EXPECT_TRUE(log_has("transferring at 921600 bit/s"));

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
	power_loss(_metadata, self, false);
}

TEST_F_TIMEOUT(lane, power_lost_at_the_fast_rate_volatile, 600)
{
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
	const char *const up[] = { "upgrade", IMAGE, "--port", PORT_UART_TTY,
				   "--fast-rate", "921600", "--timeout", "240",
				   NULL };
	const char *const resume[] = { "resume", NULL };
	pid_t pid;

	ASSERT_EQ(0, lane_up(self, "--transparent-timeout-ms 2000"));
	ASSERT_EQ(0, port_make_image(IMAGE, 192 * 1024, NEW, 25));
	pid = mfw_start(up);
	ASSERT_LT(0, pid);
	if (!written(self, 32 * 1024, 120000)) {
		mfw_wait(pid, 1);
		show_log();
		ASSERT_TRUE(false) TH_LOG("the transfer did not reach 32 KiB");
	}
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
	struct identify_job job = { .path = PORT_UART_TTY };
	pthread_t t;

	ASSERT_EQ(0, lane_up(self, "--cmd-delay-ms 1500"));
	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT+IPR=921600\r"));
	ASSERT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	ASSERT_EQ(0, set_host_rate(self->r.tty, B921600));
	EXPECT_EQ(0, rig_port_write(self->r.path, "identify", "1"));
	EXPECT_EQ(0, firmware_is(self, OLD));

	/* The driver's AT+CGMR is out; the module answers after 1.5 s. */
	ASSERT_EQ(0, pthread_create(&t, NULL, identify_thread, &job));
	usleep(500 * 1000);
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
