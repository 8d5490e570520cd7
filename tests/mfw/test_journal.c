// SPDX-License-Identifier: GPL-2.0-only
/*
 * The upgrade journal: round trip, atomic replacement, corrupt and
 * truncated journals, set aside and finish.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "journal.h"
#include "tap.h"
#include "util.h"

static char dir[512];

static struct mfw_journal sample(void)
{
	struct mfw_journal j = {
		.phase = MFW_PHASE_WRITING,
		.image = "/var/lib/mfw/firmware/ML307R-DC/fw.bin",
		.sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		.size = 1048576,
		.port = "/dev/ttyUSB2",
		.usbpath = "/devices/pci0000:00/0000:00:14.0/usb1/1-1:02",
		.imei = "490154203237518",
		.family = "ML307R-DC",
		.from = "ML307R-DC-MBRH0S01",
		.target = "ML307R-DC-MBRH0S02",
		.offset = 65536,
		.inflight = 512,
		.started = 1790000000,
		.updated = 1790000100,
		.pid = 4242,
		.rate = 921600,
		.board_rate = 115200,
		.board_ipr = 0,
		.echo_off = 1,
		.note = "writing = still going",
	};
	return j;
}

static int exists(const char *name)
{
	char p[700];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) == 0;
}

static void corrupt_at(long at, int byte)
{
	char p[700];
	FILE *f;

	snprintf(p, sizeof(p), "%s/journal", dir);
	f = fopen(p, "r+");
	fseek(f, at, SEEK_SET);
	fputc(byte, f);
	fclose(f);
}

static void truncate_to(long len)
{
	char p[700];

	snprintf(p, sizeof(p), "%s/journal", dir);
	if (truncate(p, len))
		perror("truncate");
}

int main(void)
{
	struct mfw_journal j = sample(), got;
	char why[128], text[8192], state[700];
	int n, i;

	snprintf(dir, sizeof(dir), "%s", tap_tmpdir());
	snprintf(state, sizeof(state), "%s/state", dir);
	check(mfw_journal_read(state, &got, why, sizeof(why)) == -ENOENT,
	      "no journal yet: -ENOENT");
	check(!mfw_journal_write(state, &j), "write creates the state directory and journal");
	snprintf(dir, sizeof(dir), "%s", state);
	check(!exists("journal.tmp"), "no temporary file left behind");
	check(!mfw_journal_read(dir, &got, why, sizeof(why)) && !memcmp(&j, &got, sizeof(j)),
	      "read gives back every field");
	{
		struct stat st;
		char p[700];

		snprintf(p, sizeof(p), "%s/journal", dir);
		check(!stat(p, &st) && (st.st_mode & 0777) == 0600, "journal is 0600");
	}
	for (i = MFW_PHASE_NONE; i < MFW_PHASE_NR; i++) {
		j.phase = i;
		mfw_journal_write(dir, &j);
		check(!mfw_journal_read(dir, &got, why, sizeof(why)) && got.phase == j.phase,
		      "phase %s survives", mfw_phase_name(i));
	}
	check(mfw_phase_flashing(MFW_PHASE_FLASHING) && !mfw_phase_flashing(MFW_PHASE_WRITING) &&
	      !mfw_phase_flashing(MFW_PHASE_DONE), "only 'flashing' may be flashing");
	check(mfw_phase_find("flashing") == MFW_PHASE_FLASHING && mfw_phase_find("x") == -1,
	      "phase names");

	/*
	 * The rate keys came after format 1: a journal without them reads as
	 * a transfer at the board's rate, and one with them is still format 1
	 * (older helpers skip keys they do not know).
	 */
	j = sample();
	check(mfw_journal_format(&j, text, sizeof(text)) > 0 && !strncmp(text, "format=1\n", 9) &&
	      strstr(text, "\nrate=921600\nboard_rate=115200\nboard_ipr=0\necho_off=1\n"),
	      "the rates and the echo are written, format 1");
	{
		static const char old_body[] = "format=1\nphase=writing\noffset=4096\n";
		char sum[MFW_SHA256_HEX], old_text[256];

		mfw_sha256_hex(old_body, strlen(old_body), sum);
		snprintf(old_text, sizeof(old_text), "%schecksum=%s\n", old_body, sum);
		check(!mfw_journal_parse(old_text, strlen(old_text), &got, why, sizeof(why)) &&
		      got.rate == 0 && got.board_rate == 0 && got.echo_off == 0 &&
		      got.offset == 4096,
		      "a journal without rates: rate 0, the lane not in use, echo as it was");
	}

	/*
	 * Times past 2038 (and past 32 bits) read back whole, wherever long
	 * has 32 bits (armhf).
	 */
	j = sample();
	j.started = 4102444800LL;	/* 2100-01-01 */
	j.updated = 4102444801LL;
	check(!mfw_journal_write(dir, &j) && !mfw_journal_read(dir, &got, why, sizeof(why)) &&
	      got.started == 4102444800LL && got.updated == 4102444801LL,
	      "times past 2038 survive");

	/* A value with a newline would forge lines: refused. */
	j = sample();
	snprintf(j.note, sizeof(j.note), "bad\nphase=done");
	check(mfw_journal_format(&j, text, sizeof(text)) == -EINVAL,
	      "newline in a value is refused");
	check(mfw_journal_format(&j, text, 10) == -ENOSPC, "small buffer: -ENOSPC");

	/* A stale temporary file from a crash does not matter. */
	j = sample();
	mfw_journal_write(dir, &j);
	tap_put(dir, "journal.tmp", "phase=done\n");
	check(!mfw_journal_read(dir, &got, why, sizeof(why)) && got.phase == MFW_PHASE_WRITING,
	      "leftover journal.tmp is ignored");
	check(!mfw_journal_write(dir, &j) && !exists("journal.tmp"),
	      "next write replaces the leftover");

	/* Corruption: any byte changed, truncation, garbage, empty. */
	n = mfw_journal_format(&j, text, sizeof(text));
	corrupt_at(20, 'X');
	check(mfw_journal_read(dir, &got, why, sizeof(why)) == -EBADMSG,
	      "changed byte: corrupt (%s)", why);
	mfw_journal_write(dir, &j);
	truncate_to(n - 10);
	check(mfw_journal_read(dir, &got, why, sizeof(why)) == -EBADMSG,
	      "truncated checksum: corrupt (%s)", why);
	mfw_journal_write(dir, &j);
	truncate_to(n / 2);
	check(mfw_journal_read(dir, &got, why, sizeof(why)) == -EBADMSG,
	      "half a journal: corrupt (%s)", why);
	tap_put(dir, "journal", "");
	check(mfw_journal_read(dir, &got, why, sizeof(why)) == -EBADMSG, "empty: corrupt");
	tap_put(dir, "journal", "\x7f" "ELF garbage\n\n");
	check(mfw_journal_read(dir, &got, why, sizeof(why)) == -EBADMSG, "garbage: corrupt");
	/* A valid checksum over an unknown phase is still refused. */
	{
		char forged[256], sum[MFW_SHA256_HEX];
		const char *body = "format=1\nphase=exploded\n";

		mfw_sha256_hex(body, strlen(body), sum);
		snprintf(forged, sizeof(forged), "%schecksum=%s\n", body, sum);
		tap_put(dir, "journal", forged);
		check(mfw_journal_read(dir, &got, why, sizeof(why)) == -EBADMSG,
		      "unknown phase: corrupt (%s)", why);
		body = "format=1\nphase=written\nfuture_key=1\n";
		mfw_sha256_hex(body, strlen(body), sum);
		snprintf(forged, sizeof(forged), "%schecksum=%s\n", body, sum);
		tap_put(dir, "journal", forged);
		check(!mfw_journal_read(dir, &got, why, sizeof(why)) &&
		      got.phase == MFW_PHASE_WRITTEN, "unknown keys of a later version are skipped");
	}
	check(!mfw_journal_set_aside(dir) && exists("journal.corrupt") && !exists("journal"),
	      "set aside moves it to journal.corrupt");

	j = sample();
	j.phase = MFW_PHASE_DONE;
	mfw_journal_write(dir, &j);
	check(!mfw_journal_finish(dir) && !exists("journal") && exists("journal.last"),
	      "finish: journal becomes journal.last");
	check(!mfw_journal_read_last(dir, &got, why, sizeof(why)) && got.phase == MFW_PHASE_DONE,
	      "last journal readable");
	check(mfw_journal_finish(dir) == -ENOENT, "finish without a journal: -ENOENT");

	snprintf(state, sizeof(state), "%s", dir);
	*strrchr(state, '/') = '\0';
	tap_rmtree(state);
	return tap_done();
}
