// SPDX-License-Identifier: GPL-2.0-only
/*
 * Where a resumed hex write continues: the offsets tried in order (the
 * port's and the journal's records, the chunk that was in flight, a
 * fresh start), the write size that keeps chunks aligned, the error code
 * of last_error, and a module that held the chunk in flight at every
 * point of a package.
 */
#include <stdint.h>
#include <stdio.h>

#include "journal.h"
#include "resume.h"
#include "tap.h"
#include "util.h"

#define HEX	512u

/* The plan as text: "35840 36352 0". */
static const char *plan(uint64_t size, unsigned int hex_max, uint64_t port_off,
			uint64_t j_off, uint64_t j_inflight)
{
	static char buf[128];
	struct mfw_resume r;
	size_t len = 0;
	int i;

	mfw_resume_plan(&r, size, hex_max, port_off, j_off, j_inflight);
	buf[0] = '\0';
	for (i = 0; i < r.n; i++)
		len += snprintf(buf + len, sizeof(buf) - len, "%s%llu", i ? " " : "",
				(unsigned long long)r.at[i]);
	return buf;
}

#define PLAN(want, ...) do {						\
	const char *got = plan(__VA_ARGS__);				\
	check(!strcmp(got, want), "plan(%s) = '%s' (want '%s')",	\
	      #__VA_ARGS__, got, want);					\
} while (0)

/*
 * A module holding @held bytes accepts a write only at @held (or at 0,
 * after the erase a fresh start does).  The offset the resumed write
 * ends up continuing at, and how many writes the module refused.
 */
static uint64_t resume_against(uint64_t size, uint64_t held, uint64_t port_off,
			       uint64_t j_off, uint64_t j_inflight, int *refusals)
{
	struct mfw_resume r;

	*refusals = 0;
	mfw_resume_plan(&r, size, HEX, port_off, j_off, j_inflight);
	while (mfw_resume_offset(&r) && mfw_resume_offset(&r) != held) {
		(*refusals)++;
		if (!mfw_resume_refused(&r))
			return UINT64_MAX;
	}
	return mfw_resume_offset(&r);
}

static void test_plans(void)
{
	/* Nothing recorded: a fresh start. */
	PLAN("0", 70000, HEX, 0, 0, 0);
	/* Killed on the same port: the port's offset, then one chunk on. */
	PLAN("35840 36352 0", 70000, HEX, 35840, 0, 0);
	/* A port attached since reads 0: the journal's offset and in-flight length. */
	PLAN("65536 66048 0", 70000, HEX, 0, 65536, 512);
	PLAN("65536 66048 0", 70000, HEX, 0, 65536, 0);
	PLAN("65536 65736 0", 70000, HEX, 0, 65536, 200);
	/* The larger of the two wins; the journal's in-flight length is its own. */
	PLAN("70144 70656 0", 100000, HEX, 70144, 65536, 300);
	PLAN("65536 66048 0", 100000, HEX, 1024, 65536, 512);
	PLAN("4096 4608 0", 100000, HEX, 4096, 4096, 512);
	/* Records beyond the package are not trusted. */
	PLAN("0", 70000, HEX, 80000, 0, 0);
	PLAN("0", 70000, HEX, 0, 80000, 512);
	PLAN("1024 1536 0", 70000, HEX, 1024, 80000, 512);
	/* An in-flight length past the end is the package's tail. */
	PLAN("69120 69632 0", 70000, HEX, 0, 69120, 4096);
	/* The last chunk in flight: nothing left to tell, start over. */
	PLAN("69632 0", 70000, HEX, 69632, 0, 0);
	/* All of it acknowledged: nothing left to write. */
	PLAN("70000 0", 70000, HEX, 70000, 0, 0);
	/* A family without hex chunks has no in-flight chunk to skip. */
	PLAN("4096 0", 70000, 0, 4096, 0, 0);
}

static void test_steps(void)
{
	struct mfw_resume r;

	mfw_resume_plan(&r, 70000, HEX, 35840, 0, 0);
	check(mfw_resume_offset(&r) == 35840, "first the recorded offset");
	check(mfw_resume_refused(&r) && mfw_resume_offset(&r) == 36352,
	      "refused: past the chunk in flight");
	check(mfw_resume_refused(&r) && mfw_resume_offset(&r) == 0,
	      "refused again: from the start");
	check(!mfw_resume_refused(&r) && mfw_resume_offset(&r) == 0,
	      "nothing after the start");
	mfw_resume_plan(&r, 70000, HEX, 0, 0, 0);
	check(!mfw_resume_refused(&r) && mfw_resume_offset(&r) == 0,
	      "a fresh write has nothing to fall back to");
}

/*
 * Kill the write at every chunk of a package, with the chunk in flight
 * either lost or held by the module, and the journal recorded every
 * 16 chunks: the resumed write continues exactly where the module is,
 * refused at most once, as long as a record is at most one chunk behind;
 * otherwise it starts over (never at a wrong offset).
 */
static void test_every_kill_point(void)
{
	const uint64_t sizes[] = { 512, 4096, 70000, 72 * 1024 + 37 };
	int bad_port = 0, bad_journal = 0, bad_stale = 0, cases = 0;
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		uint64_t size = sizes[i], acked;

		for (acked = 0; acked < size; acked += HEX) {
			uint64_t inflight = mfw_hex_inflight(size, HEX, acked);
			uint64_t j_off = acked - acked % (16 * HEX);
			int held_next, refusals;

			for (held_next = 0; held_next <= 1; held_next++) {
				uint64_t held = acked + (held_next ? inflight : 0);
				uint64_t got, want;

				/*
				 * Nothing acknowledged yet, or the last chunk held
				 * (nothing left to tell it by): start over.
				 */
				want = !acked || held == size ? 0 : held;
				cases++;
				/* Same port: the driver's offset is the acknowledged one. */
				got = resume_against(size, held, acked, j_off,
						     mfw_hex_inflight(size, HEX, j_off), &refusals);
				if (got != want || refusals > (want ? 1 : 2))
					bad_port++;
				/* New port: the journal recorded exactly (stopped write, lost port). */
				got = resume_against(size, held, 0, acked, inflight, &refusals);
				if (got != want || refusals > (want ? 1 : 2))
					bad_journal++;
				/* New port, journal many chunks behind: start over. */
				got = resume_against(size, held, 0, j_off,
						     mfw_hex_inflight(size, HEX, j_off), &refusals);
				if (got != held && got != 0)
					bad_stale++;
			}
		}
	}
	check(!bad_port, "same port: continues where the module is (%d of %d wrong)",
	      bad_port, cases);
	check(!bad_journal, "new port, exact journal: continues where the module is (%d of %d wrong)",
	      bad_journal, cases);
	check(!bad_stale, "new port, stale journal: where the module is or from 0 (%d of %d wrong)",
	      bad_stale, cases);
}

static void test_write_size(void)
{
	check(mfw_hex_write_size(4096, HEX) == 4096, "4096 is whole chunks");
	check(mfw_hex_write_size(5000, HEX) == 4608, "5000 rounds down to 9 chunks");
	check(mfw_hex_write_size(1000, HEX) == 512, "1000 rounds down to one chunk");
	check(mfw_hex_write_size(100, HEX) == 512, "less than a chunk is one chunk");
	check(mfw_hex_write_size(4097, 0) == 4097, "no hex chunks: as configured");
	check(mfw_hex_write_size(0, HEX) == 512, "0 is one chunk");
	check(mfw_hex_inflight(70000, HEX, 69632) == 368 &&
	      mfw_hex_inflight(70000, HEX, 70000) == 0 &&
	      mfw_hex_inflight(70000, HEX, 1024) == 512, "in-flight lengths");
}

static void test_last_error(void)
{
	check(mfw_last_error_code("853 package write error\n") == 853, "853 with text");
	check(mfw_last_error_code("853") == 853, "853 alone");
	check(mfw_last_error_code("none\n") == 0, "none");
	check(mfw_last_error_code("") == 0 && mfw_last_error_code(NULL) == 0, "empty");
	check(mfw_last_error_code("85x") == 0, "not a number");
}

/* The journal keeps the in-flight length; an older journal reads 0. */
static void test_journal(void)
{
	struct mfw_journal j = { .phase = MFW_PHASE_WRITING, .size = 70000,
				 .offset = 65536, .inflight = 512 }, got;
	char text[4096], why[128];
	int n;

	n = mfw_journal_format(&j, text, sizeof(text));
	check(n > 0 && strstr(text, "\ninflight=512\n") &&
	      !mfw_journal_parse(text, n, &got, why, sizeof(why)) &&
	      got.offset == 65536 && got.inflight == 512, "journal round trip of inflight");
	{
		char old[256], sum[MFW_SHA256_HEX];
		const char *body = "format=1\nphase=writing\nsize=70000\noffset=65536\n";

		mfw_sha256_hex(body, strlen(body), sum);
		snprintf(old, sizeof(old), "%schecksum=%s\n", body, sum);
		check(!mfw_journal_parse(old, strlen(old), &got, why, sizeof(why)) &&
		      got.offset == 65536 && got.inflight == 0,
		      "journal without inflight: 0");
	}
}

int main(void)
{
	test_plans();
	test_steps();
	test_every_kill_point();
	test_write_size();
	test_last_error();
	test_journal();
	return tap_done();
}
