// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the echo tracker (kernel/mfw_echo.c), TAP output: what a
 * user wrote comes back as echo and is never the module's report, with
 * echo on and off, split, truncated, flooded.
 */
#include "../mfw/tap.h"
#include "mfw_echo.h"

static void sent(struct mfw_echo *e, const char *s)
{
	mfw_echo_sent(e, s, strlen(s));
}

static bool line(struct mfw_echo *e, const char *s)
{
	return mfw_echo_line(e, s, strlen(s), false);
}

int main(void)
{
	struct mfw_echo e;
	char big[700];
	int i, all;

	/* Echo on: the command comes back, then the module's answer. */
	mfw_echo_init(&e);
	sent(&e, "AT+CGMR\r");
	check(line(&e, "AT+CGMR"), "echo on: the command's echo is echo");
	check(!line(&e, "ML307R-DC-MBRH0S01"), "echo on: the answer is not");
	mfw_echo_final(&e);
	check(!line(&e, "+MATREADY"), "echo on: a report after the final is the module's");

	/* What a user types to forge a report is echo. */
	mfw_echo_init(&e);
	sent(&e, "+MFWUPGRADE: 3\r");
	check(line(&e, "+MFWUPGRADE: 3"), "a typed +MFWUPGRADE: 3 is echo");
	mfw_echo_final(&e);	/* the module's ERROR to it */
	check(e.len == 0 && e.echoed == 0, "nothing left after its final");

	/* Two commands in one write, echo on: the second is echoed after
	 * the first one's final result. */
	mfw_echo_init(&e);
	sent(&e, "AT\r+MATREADY\r");
	check(line(&e, "AT"), "two commands: first echo");
	mfw_echo_final(&e);
	check(line(&e, "+MATREADY"), "two commands: the second echo, after the first OK");
	mfw_echo_final(&e);
	check(!line(&e, "+MATREADY"), "two commands: a real +MATREADY after both");

	/* Echo off (ATE0): nothing comes back, finals drop the commands. */
	mfw_echo_init(&e);
	sent(&e, "AT\r+MATREADY\r");
	mfw_echo_final(&e);
	mfw_echo_final(&e);
	check(e.len == 0, "echo off: both commands forgotten at their finals");
	check(!line(&e, "+MATREADY"), "echo off: a real +MATREADY is the module's");

	/* A command still being typed: its echo ends at the module's next
	 * line, and is still echo. */
	mfw_echo_init(&e);
	sent(&e, "+MFWUPG");
	check(line(&e, "+MFWUPG"), "partial command: its echo is echo");
	check(!line(&e, "+MFWDLOAD: 1,10,5"), "partial command: the report after it is not");
	sent(&e, "RADE: 3\r");
	check(line(&e, "RADE: 3"), "partial command: the rest of its echo");

	/* The echo of one command split by a report in the middle. */
	mfw_echo_init(&e);
	sent(&e, "AT+CGMR\r");
	check(line(&e, "AT+C"), "split echo: first part");
	check(!line(&e, "+MFWUPGRADE: 1,5"), "split echo: the report in between");
	check(line(&e, "GMR"), "split echo: second part");
	check(e.echoed == 1, "split echo: one command echoed");

	/* A line the module ignored (no AT in it): the next command's echo
	 * still matches, and the ignored one is forgotten. */
	mfw_echo_init(&e);
	sent(&e, "+MFWUPGRADE: 3\rAT\r");
	check(line(&e, "+MFWUPGRADE: 3"), "ignored line: its echo");
	check(line(&e, "AT"), "ignored line: the next command's echo");
	mfw_echo_final(&e);
	mfw_echo_final(&e);
	check(!line(&e, "+MFWUPGRADE: 3"), "ignored line: a real report later");
	mfw_echo_init(&e);
	sent(&e, "hello\rAT+CSQ\r");
	check(line(&e, "AT+CSQ"), "echo off for a line, on for the next: matched");
	check(e.len == 0, "the unechoed line before it is gone");

	/* Noise is not compared: dropped or added by a module, still echo. */
	mfw_echo_init(&e);
	sent(&e, "\xff" "AT+CSQ\r");
	check(line(&e, "AT+CSQ"), "noise dropped from the echo: echo");
	sent(&e, "AT+CSQ\r");
	check(line(&e, "\x11" "AT+CSQ"), "noise added to the echo: echo");

	/* Bytes that never went out are never echo. */
	mfw_echo_init(&e);
	sent(&e, "AT\r");
	mfw_echo_unsent(&e, 3);
	check(!line(&e, "AT"), "unsent bytes are not echo");

	/* A command longer than the framer keeps: its truncated echo
	 * consumes all of it. */
	mfw_echo_init(&e);
	memset(big, 'A', sizeof(big) - 2);
	big[1] = 'T';
	big[sizeof(big) - 2] = '\r';
	big[sizeof(big) - 1] = '\0';
	sent(&e, big);
	check(mfw_echo_line(&e, big, 512, true), "truncated echo: echo");
	check(e.len == 0 && e.echoed == 1, "truncated echo: the whole command consumed");

	/* A flood larger than what is kept: the oldest commands go whole,
	 * the newest are still matched. */
	mfw_echo_init(&e);
	for (i = 0; i < 200; i++)
		sent(&e, "AT+CSQ\r");
	check(e.len <= MFW_ECHO_MAX, "flood: bounded");
	all = 0;
	for (i = 0; i < 200; i++)
		all += line(&e, "AT+CSQ");
	check(all > 100 && all < 200, "flood: the kept commands match (%d)", all);

	/* Lines that would read as the module's are refused before they go. */
	{
		static const struct {
			const char *in;
			bool ok;
		} cases[] = {
			{ "AT+CGMR\r", true }, { "ATI\r", true },
			{ "+MATREADY\r", false }, { "+matready\r", false },
			{ "\xff+MATREADY\r", false }, { "\x11+MATREADY", false },
			{ "+MFWUPGRADE: 3\r", false }, { "+MFWUPGRADE", false },
			{ "+MFWUPG", true }, { "+MFWDLOAD: 3,1,1\r", false },
			{ "+CME ERROR: 850\r", false }, { "+cms error: 1\r", false },
			{ "OK\r", false }, { "ok", false }, { "OK \r", false },
			{ "ERROR\r", false }, { "OKAY\r", true }, { "O", true },
			{ "AT\rOK\r", false }, { "hello\r", true },
			{ " OK\r", true }, { "X+MATREADY\r", true },
			{ "AT+CMGS=\"+1\"\r", true },
		};
		size_t k;

		for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
			mfw_echo_init(&e);
			check(mfw_echo_allowed(&e, cases[k].in,
					       strlen(cases[k].in)) ==
			      cases[k].ok, "allowed(\"%s\") is %d",
			      cases[k].in, cases[k].ok);
		}
	}
	/* Typed across writes, a character at a time. */
	mfw_echo_init(&e);
	check(mfw_echo_allowed(&e, "+MFWUPG", 7), "split: the start goes");
	check(!mfw_echo_allowed(&e, "R", 1) || !mfw_echo_allowed(&e, "ADE", 3),
	      "split: the byte that completes +MFWUPGRADE is refused");
	mfw_echo_init(&e);
	check(mfw_echo_allowed(&e, "O", 1) && !mfw_echo_allowed(&e, "K", 1),
	      "split: O then K is refused at K");
	check(mfw_echo_allowed(&e, "X\r", 2), "split: the line goes on as OX");
	/* Dial commands: their V.250 codes end them. */
	mfw_echo_init(&e);
	mfw_echo_allowed(&e, "ATD+861234;\r", 12);
	check(mfw_echo_dial(&e), "ATD is a dial");
	mfw_echo_allowed(&e, "at+csq\r", 7);
	check(!mfw_echo_dial(&e), "AT+CSQ is not");
	mfw_echo_allowed(&e, "ata\r", 4);
	check(mfw_echo_dial(&e), "ATA is");

	/* Commands in flight: from the CR going out to the final result. */
	mfw_echo_init(&e);
	check(!mfw_echo_pending(&e), "pending: nothing sent, nothing pending");
	sent(&e, "AT+CS");
	check(!mfw_echo_pending(&e), "pending: a line without its CR is not a command yet");
	sent(&e, "Q\r\nAT+CREG?\r\n");
	check(mfw_echo_pending(&e), "pending: two commands in one go");
	mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "echo off: the second after the first's final");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e), "echo off: none after the second's (its LF left)");
	mfw_echo_init(&e);
	sent(&e, "AT+CSQ\rAT+CREG?\r");
	check(line(&e, "AT+CSQ") && mfw_echo_pending(&e), "echo on: the first echoed, two pending");
	mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "echo on: the second after the first's final");
	check(line(&e, "AT+CREG?") && mfw_echo_pending(&e), "echo on: the second echoed, pending");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e), "echo on: none after the second's final");
	/* Forgotten: a restart, or commands no longer waited for. */
	mfw_echo_init(&e);
	sent(&e, "AT+CSQ\rAT+CREG?\rAT+CO");
	check(line(&e, "AT+CSQ"), "forget: the first echoed");
	mfw_echo_forget(&e);
	check(!mfw_echo_pending(&e) && e.echoed == 0, "forget: nothing pending");
	check(line(&e, "AT+CO"), "forget: the line being written stays tracked");
	sent(&e, "PS?\r");
	check(line(&e, "PS?") && mfw_echo_pending(&e), "forget: the line ended is a command again");
	check(!line(&e, "AT+CREG?"), "forget: a forgotten command's late echo is an ordinary line");
	/* Echoed before its CR was written: pending once the CR goes. */
	mfw_echo_init(&e);
	sent(&e, "AT+CSQ");
	check(line(&e, "AT+CSQ") && !mfw_echo_pending(&e), "echo before CR: not a command yet");
	sent(&e, "\rAT\r");
	check(mfw_echo_pending(&e) && e.echoed == 1, "echo before CR: echoed once its CR went");
	mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "echo before CR: AT after CSQ's final");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e), "echo before CR: none after both");
	/* Only a line with AT in it (or edited) may get an answer. */
	mfw_echo_init(&e);
	sent(&e, "hello\r \r\x1b\rSTOP\n");
	check(!mfw_echo_pending(&e), "pending: no AT in any line, nothing to wait for");
	sent(&e, "AT+CSQ\n");
	check(mfw_echo_pending(&e), "pending: a line ended by LF alone counts (ONLCR makes it CR LF)");
	mfw_echo_init(&e);
	sent(&e, " AT\rxAT+CSQ\rAT+CREG?\r");
	mfw_echo_final(&e);
	mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "echo off: junk before AT still a command, the third still pending");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e) && e.len == 0, "echo off: none after three finals");
	mfw_echo_init(&e);
	sent(&e, "AX\bT+CSQ\rAT\r");
	mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "echo off: a line edited with backspace counts, AT still pending");
	/* Echo of a command cut after its A: the T in the rest still counts. */
	mfw_echo_init(&e);
	sent(&e, "A");
	check(line(&e, "A"), "head: the A echoed alone");
	sent(&e, "T+CSQ\r");
	check(line(&e, "T+CSQ") && e.echoed == 1, "head: AT across the two parts is a command");
	/* LF-ended commands echoed, and a line edited with DEL. */
	mfw_echo_init(&e);
	sent(&e, "AT+CSQ\nAT\n");
	check(line(&e, "AT+CSQ") && e.echoed == 1, "LF: an echoed LF-ended command counts");
	mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "LF: the second still pending");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e), "LF: none after both");
	mfw_echo_init(&e);
	sent(&e, "AX\x7fT\rAT\r");
	mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "DEL: an edited line counts, AT still pending");
	/* A write refused whole while its line is half echoed. */
	mfw_echo_init(&e);
	sent(&e, "AT+CSQ\rAT+C");
	check(line(&e, "AT+CSQ") && line(&e, "AT+C"), "unsent: both echoes");
	sent(&e, "REG?\r");
	mfw_echo_unsent(&e, 5);
	sent(&e, "REG?\r");
	mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "unsent: the half-echoed command still counts after the retry");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e), "unsent: none after both");
	/* A line longer than what is kept: its AT is kept. */
	mfw_echo_init(&e);
	sent(&e, "AT+CSQ\rAT+X=");
	for (i = 0; i < 1100; i++)
		sent(&e, "1");
	sent(&e, "\r");
	mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "long line: echo off, still a command past the bound");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e), "long line: none after both");
	/* A later echo matched: the older commands it passed still count. */
	mfw_echo_init(&e);
	sent(&e, "AT+CSQ\rAT+CREG?\r");
	check(!line(&e, "AT+CQ"), "garbled echo: matches nothing");
	check(line(&e, "AT+CREG?"), "garbled echo: the later command's echo");
	mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "garbled echo: AT+CREG? pending after AT+CSQ's final");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e), "garbled echo: none after both");
	mfw_echo_init(&e);
	sent(&e, "hello\rAT\r");
	check(line(&e, "hello") && mfw_echo_pending(&e), "echo on: an echoed non-AT line, AT still pending");
	check(line(&e, "AT"), "echo on: AT echoed");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e) && e.echoed == 0, "echo on: the non-AT line waits for nothing");
	mfw_echo_init(&e);
	sent(&e, "hello\ra/\r");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e) && e.len == 0, "echo off: a final answers A/, the ignored line before it goes too");
	/* An echo split in two lines still counts as one command. */
	mfw_echo_init(&e);
	sent(&e, "AT+CGMR\rAT\r");
	check(line(&e, "AT+C") && line(&e, "GMR"), "split echo: both halves are echo");
	check(e.echoed == 1, "split echo: one command echoed whole");
	mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "split echo: AT still pending");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e), "split echo: none after both finals");
	/* Commands dropped to make room still wait for their answer. */
	mfw_echo_init(&e);
	for (i = 0; i < 300; i++)
		sent(&e, "AT+CSQ\r");
	for (i = 0; i < 299; i++)
		mfw_echo_final(&e);
	check(mfw_echo_pending(&e), "overflow: echo off, one of 300 still pending after 299 finals");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e), "overflow: echo off, none after 300");
	mfw_echo_init(&e);
	for (i = 0; i < 300; i++)
		sent(&e, "AT+CSQ\r");
	for (i = 0, all = 1; i < 299; i++) {
		all &= line(&e, "AT+CSQ");
		mfw_echo_final(&e);
	}
	check(mfw_echo_pending(&e), "overflow: echo on, one of 300 still pending after 299 finals");
	mfw_echo_final(&e);
	check(!mfw_echo_pending(&e) && e.cut == 0, "overflow: echo on, none after 300");
	mfw_echo_forget(&e);
	check(e.cut == 0 && e.echoed == 0 && e.len == 0, "forget: nothing counted");

	return tap_done();
}
