// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw: only the module speaks for the module.  What a user types comes
 * back as the module's echo; an SMS body, a V.250 code or line noise
 * arrives among the module's own lines.  None of it may change the state,
 * end the driver's command, become the firmware string, restart
 * identification or start an upgrade; all of it still reaches the tty's
 * readers unchanged.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "mfw_port.h"
#include "rig.h"

#define TIMEOUT_MS	20000
#define VERSION		"ML307R-DC-MBRH0S01"
#define STATE		"/tmp/mfw-report-module.state"
#define IMAGE		"/tmp/mfw-report-image.bin"

FIXTURE(report) {
	struct mfw_port_rig r;
	int master, slave;	/* a bare pty, the test playing the module */
	char slave_path[64];
	int sock;
	char dev[32];		/* mfwN */
};

FIXTURE_SETUP(report)
{
	self->r.tty = self->r.master = -1;
	self->r.sim = -1;
	self->master = self->slave = -1;
	self->sock = rig_uevent_open();
	ASSERT_LE(0, self->sock);
	unlink(STATE);
	unlink(STATE ".pkg");
}

FIXTURE_TEARDOWN(report)
{
	char cmd[128];

	if (!_metadata->passed && self->r.transcript[0]) {
		snprintf(cmd, sizeof(cmd), "tail -c 1500 %s | cut -c1-200",
			 self->r.transcript);
		if (system(cmd))
			TH_LOG("no transcript");
	}
	port_down(&self->r);
	if (self->slave >= 0)
		close(self->slave);
	if (self->master >= 0)
		close(self->master);
	close(self->sock);
}

/* The simulated ML307R-DC with @faults, identified. */
static int up_with(FIXTURE_DATA(report) *self, const char *const opts[],
		   const char *const faults[])
{
	const char *args[16] = { "--version", VERSION };
	char dir[64];
	size_t n = 2;
	int ret;

	while (opts && *opts && n < 14)
		args[n++] = *opts++;
	while (faults && *faults && n < 14) {
		args[n++] = "--fault";
		args[n++] = *faults++;
	}
	args[n] = NULL;
	ret = port_up_model(&self->r, false, "ML307R-DC", STATE, args);
	if (ret)
		return ret;
	if (rig_port_dir(self->r.path, dir, sizeof(dir)))
		return -ENOENT;
	snprintf(self->dev, sizeof(self->dev), "%s", strrchr(dir, '/') + 1);
	return 0;
}

static int up(FIXTURE_DATA(report) *self, const char *const faults[])
{
	return up_with(self, NULL, faults);
}

/* An attribute that may change a moment after the line that changes it. */
#define EXPECT_WAIT_ATTR(path, name, want) do {				\
	char _b[256] = "";						\
	EXPECT_EQ(0, rig_port_wait_attr(path, name, want, _b,		\
					sizeof(_b), TIMEOUT_MS))	\
		TH_LOG("%s is '%s', not '%s'", name, _b, want);		\
} while (0)

#define EXPECT_ATTR(path, name, want) do {				\
	char _b[256];							\
	ASSERT_LE(0, rig_port_attr(path, name, _b, sizeof(_b)));	\
	EXPECT_STREQ(want, _b);						\
} while (0)

/*
 * The state never became error, no upgrade began, the firmware is the
 * module's answer, and the module was identified once: a second
 * "identified" uevent would mean a +MATREADY that was not the module's.
 */
static void expect_untouched(struct __test_metadata *_metadata,
			     FIXTURE_DATA(report) *self)
{
	EXPECT_EQ(0, rig_uevent_wait(self->sock, "change", self->dev,
				     "MFW_EVENT=identified", TIMEOUT_MS));
	EXPECT_EQ(-ETIMEDOUT, rig_uevent_wait(self->sock, "change", self->dev,
					      "MFW_EVENT=identified", 1500));
	EXPECT_ATTR(self->r.path, "state", "idle");
	EXPECT_ATTR(self->r.path, "last_error", "none");
	EXPECT_ATTR(self->r.path, "firmware", VERSION);
}

/*
 * Whether the module got command @name again after its fault fired (the
 * driver asked again): the transcript's lines after the fault's.
 */
static bool asked_again(const char *transcript, const char *name)
{
	char fired[64], again[64];
	const char *at;
	size_t len = 0;
	char *t;
	bool ret;

	t = (char *)rig_slurp(transcript, &len);
	if (!t)
		return false;
	t[len] = '\0';
	snprintf(fired, sizeof(fired), "fault at command %s", name);
	snprintf(again, sizeof(again), "< AT%s\\r", name);
	at = strstr(t, fired);
	ret = at && strstr(at, again);
	free(t);
	return ret;
}

/*
 * The example from the field: a text-mode SMS whose body is "OK" arrives
 * during AT+CGMR.  The body does not end the command: the firmware is the
 * real answer, and both SMS lines reach the tty's readers.
 */
TEST_F_TIMEOUT(report, sms_ok_during_identification, 120)
{
	const char *const faults[] = { "sms=OK@cmd=CGMR", NULL };

	ASSERT_EQ(0, up(self, faults));
	EXPECT_EQ(0, rig_expect_line(self->r.tty,
				     "+CMT: \"+10000000000\",,\"26/11/30,08:00:00+32\"",
				     TIMEOUT_MS));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	expect_untouched(_metadata, self);
}

/* SMS bodies that look like reports are data too. */
TEST_F_TIMEOUT(report, sms_reports_are_data, 120)
{
	const char *const faults[] = {
		"sms=+MATREADY@cmd=CGMR", "sms=+MFWUPGRADE: 3@cmd=I",
		"sms=+MFWDLOAD: 3,100,5@cmd=I", NULL };

	ASSERT_EQ(0, up(self, faults));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "+MATREADY", TIMEOUT_MS));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "+MFWUPGRADE: 3",
				     TIMEOUT_MS));
	expect_untouched(_metadata, self);
	EXPECT_EQ(0, rig_port_num(self->r.path, "statistics/urcs") -
		  1 /* the real +MATREADY at boot */);
}

/*
 * A text-mode SMS whose header gives no length (AT+CSDH=0) may hold line
 * breaks, so that nothing in the text tells its last line from the
 * module's next one.  Every line of it is data until the module pauses:
 * the reports, OK and +MATREADY inside it act as nothing, and reach the
 * tty's readers; the answer that comes 1 s later is the driver's.
 */
TEST_F_TIMEOUT(report, sms_of_several_lines, 120)
{
	const char *const faults[] = {
		"sms=hi\\r\\n+MFWUPGRADE: 3\\r\\nOK\\r\\n+MATREADY@cmd=CGMR",
		"sms=\\r\\n+MFWDLOAD: 3,100,5\\r\\n\\r\\nERROR@cmd=I", NULL };

	ASSERT_EQ(0, up(self, faults));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "hi", TIMEOUT_MS));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "+MFWUPGRADE: 3",
				     TIMEOUT_MS));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "+MATREADY", TIMEOUT_MS));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "+MFWDLOAD: 3,100,5",
				     TIMEOUT_MS));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "ERROR", TIMEOUT_MS));
	expect_untouched(_metadata, self);
	EXPECT_ATTR(self->r.path, "model", "ML307R-DC");
	EXPECT_EQ(0, rig_port_num(self->r.path, "statistics/urcs") -
		  1 /* the real +MATREADY at boot */);
}

/*
 * A module with a SIM card, in PDU mode (AT+CMGF=0, its default): the
 * message that arrives is "+CMT: ,<length>" and a line of hex, whatever
 * its text says (here reports, OK and +MATREADY, packed in the GSM 7-bit
 * alphabet: 45 octets of TPDU).  Both lines reach the tty's readers, the
 * driver takes the answer after them, and nothing acts.
 */
TEST_F_TIMEOUT(report, sms_in_pdu_mode, 120)
{
	const char *const opts[] = { "--sms", "1", NULL };
	const char *const faults[] = {
		"sms=+MFWUPGRADE: 3\\r\\nOK\\r\\n+MATREADY@cmd=CGMR", NULL };

	ASSERT_EQ(0, up_with(self, opts, faults));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "+CMT: ,45", TIMEOUT_MS));
	EXPECT_EQ(0, rig_expect_line(self->r.tty,
				     "00040B910100000000F00000621103800000231DABA6F15A851EA5416251079A3514CF6543B16A06A9D262909805",
				     TIMEOUT_MS));
	expect_untouched(_metadata, self);
	EXPECT_ATTR(self->r.path, "model", "ML307R-DC");
	EXPECT_EQ(0, rig_port_num(self->r.path, "statistics/urcs") -
		  1 /* the real +MATREADY at boot */);
}

/*
 * The same message with the module's answer right behind it in one
 * burst: the answer is data too (it reaches users), the driver's command
 * goes unanswered, and the driver asks again.  Nothing the sender wrote
 * acts; the firmware is the module's, found on the second asking.
 */
TEST_F_TIMEOUT(report, sms_glued_to_the_answer, 120)
{
	const char *const faults[] = {
		"sms-burst=+MFWUPGRADE: 3\\r\\n\\r\\nOK\\r\\n+MATREADY@cmd=CGMR",
		NULL };

	ASSERT_EQ(0, up(self, faults));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "+MFWUPGRADE: 3",
				     TIMEOUT_MS));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "+MATREADY", TIMEOUT_MS));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, VERSION, TIMEOUT_MS));
	expect_untouched(_metadata, self);
	EXPECT_EQ(0, rig_port_num(self->r.path, "statistics/urcs") -
		  1 /* the real +MATREADY at boot */);
	EXPECT_TRUE(asked_again(self->r.transcript, "+CGMR"));
}

/* V.250 codes of a call during the driver's command reach users only. */
TEST_F_TIMEOUT(report, v250_codes_during_identification, 120)
{
	const char *const faults[] = {
		"ring@cmd=CGMR", "urc=NO CARRIER@cmd=I", NULL };

	ASSERT_EQ(0, up(self, faults));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "RING", TIMEOUT_MS));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "NO CARRIER", TIMEOUT_MS));
	expect_untouched(_metadata, self);
	EXPECT_ATTR(self->r.path, "model", "ML307R-DC");
}

/* Line noise before the answer: the firmware string is clean. */
TEST_F_TIMEOUT(report, noise_before_the_answer, 120)
{
	const char *const faults[] = { "noise=5@cmd=CGMR", NULL };

	ASSERT_EQ(0, up(self, faults));
	expect_untouched(_metadata, self);
}

/*
 * A user who may write the tty types what would be the module's reports
 * and results: each such line is refused before it reaches the module
 * (its echo would read as the module's), with echo on or off.  Lines in
 * pieces are refused at the piece that completes them.  The state stays,
 * nothing re-identifies; ordinary text still goes out and comes back.
 */
static void type_forgeries(struct __test_metadata *_metadata,
			   FIXTURE_DATA(report) *self)
{
	static const char *const refused[] = {
		"+MFWUPGRADE: 3\r", "+MATREADY\r", "+matready\r",
		"+MFWDLOAD: 3,100,5\r", "\xff+MATREADY\r", "AT\r+MATREADY\r",
		"OK\r", "ERROR\r", "+CME ERROR: 854\r", "ok",
	};
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		EXPECT_EQ(-EPERM, rig_write_str(self->r.tty, refused[i]))
			TH_LOG("typed %s", refused[i]);
	}
	/* In pieces: the start goes, the piece that completes it does not. */
	EXPECT_EQ(0, rig_write_str(self->r.tty, "+MFWUPG"));
	EXPECT_EQ(-EPERM, rig_write_str(self->r.tty, "RADE: 2\r"));
	EXPECT_EQ(0, rig_write_str(self->r.tty, "\r"));
}

TEST_F_TIMEOUT(report, typed_reports_are_refused, 120)
{
	ASSERT_EQ(0, up(self, NULL));
	type_forgeries(_metadata, self);
	/* Ordinary text goes out and its echo comes back as written. */
	ASSERT_EQ(0, rig_write_str(self->r.tty, "hello OK\r"));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "hello OK", TIMEOUT_MS));
	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT\r"));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	expect_untouched(_metadata, self);
}

TEST_F_TIMEOUT(report, typed_reports_with_echo_off, 120)
{
	ASSERT_EQ(0, up(self, NULL));
	ASSERT_EQ(0, rig_write_str(self->r.tty, "ATE0\r"));
	ASSERT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	type_forgeries(_metadata, self);
	expect_untouched(_metadata, self);
}

struct typist {
	int tty;
	volatile bool stop;
	int refused, other;
};

static void *typist_main(void *arg)
{
	struct typist *t = arg;

	while (!t->stop) {
		int ret = rig_write_str(t->tty, "OK\r");

		if (ret == -EPERM)
			t->refused++;
		else
			t->other++;
		usleep(30000);
	}
	return NULL;
}

/*
 * A user types "OK" over and over while a hex package goes in: every one
 * is refused, none ends a chunk early, and the module holds the package
 * whole.
 */
TEST_F_TIMEOUT(report, typed_ok_during_hex_upload, 300)
{
	struct typist t = { 0 };
	char node[64];
	pthread_t th;
	int ret;

	/* MN316: the hex path, one command per chunk. */
	ASSERT_EQ(0, port_up_model(&self->r, false, "MN316", STATE, NULL));
	ASSERT_EQ(0, rig_port_node(self->r.path, node, sizeof(node)));
	ASSERT_EQ(0, port_make_image(IMAGE, 12000, "MN316-DBRS-MBRH0S02", 21));
	t.tty = self->r.tty;
	ASSERT_EQ(0, pthread_create(&th, NULL, typist_main, &t));
	ret = rig_write_package(node, IMAGE, 0, 4096, false, NULL);
	t.stop = true;
	pthread_join(th, NULL);
	EXPECT_EQ(0, ret) TH_LOG("the write failed: %s", strerror(-ret));
	EXPECT_LT(0, t.refused);
	EXPECT_EQ(0, t.other);
	EXPECT_TRUE(port_module_holds(STATE, IMAGE));
}

/*
 * Line noise before a report on a bare pty: still the report.  Printable
 * text before it: not a report.
 */
TEST_F_TIMEOUT(report, noise_before_a_report, 60)
{
	char line[128];
	int i;

	self->master = rig_open_pty(self->slave_path, sizeof(self->slave_path));
	ASSERT_LE(0, self->master);
	self->slave = rig_open_tty(self->slave_path);
	ASSERT_LE(0, self->slave);
	ASSERT_EQ(0, rig_attach(self->slave));
	/* The identification: AT+CGMR, ATI, AT+CGSN. */
	for (i = 0; i < 3; i++) {
		ASSERT_LT(0, rig_read_line(self->master, line, sizeof(line),
					   TIMEOUT_MS));
		ASSERT_EQ(0, rig_write_str(self->master, "\r\nOK\r\n"));
	}
	ASSERT_EQ(0, rig_write_str(self->master,
				   "\r\nX+MFWUPGRADE: 3\r\n"));
	ASSERT_EQ(0, rig_expect_line(self->slave, "X+MFWUPGRADE: 3",
				     TIMEOUT_MS));
	ASSERT_EQ(0, rig_write_str(self->master,
				   "\r\n\xff\xfe+MFWUPGRADE: 1,42\r\n"));
	ASSERT_EQ(0, rig_expect_line(self->slave, "\xff\xfe+MFWUPGRADE: 1,42",
				     TIMEOUT_MS));
	/*
	 * The reader sees each line as n_tty takes it, a moment before mfw
	 * acts on it: wait for the report's effect.  By then the text line
	 * before it has been judged too, and was no report: one report
	 * counted, no error recorded.
	 */
	EXPECT_WAIT_ATTR(self->slave_path, "state", "upgrading");
	EXPECT_WAIT_ATTR(self->slave_path, "last_urc", "+MFWUPGRADE: 1,42");
	EXPECT_ATTR(self->slave_path, "last_error", "none");
	EXPECT_EQ(1, rig_port_num(self->slave_path, "statistics/urcs"));
}

TEST_HARNESS_MAIN
