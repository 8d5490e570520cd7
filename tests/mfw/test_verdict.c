// SPDX-License-Identifier: GPL-2.0-only
/*
 * What the helper makes of the driver's errors: a write the module
 * refused (every FOTA code the driver turns into an errno), a failed
 * upgrade trigger (journal phase and exit code for each errno), the
 * paths attribute, and a refused package that --auto must not offer
 * again.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "journal.h"
#include "mfw_models.h"
#include "tap.h"
#include "util.h"
#include "verdict.h"

static char msg[1024];

static bool refusal(int err, const char *last)
{
	strcpy(msg, "untouched");
	return mfw_write_refusal(err, last, msg, sizeof(msg));
}

static bool has(const char *what)
{
	return strstr(msg, what) != NULL;
}

static void test_write_refusals(void)
{
	check(refusal(ENOSPC, "860 not enough file-system space") &&
	      has("error 860 (not enough file-system space)") && has("erase") &&
	      has("differential"),
	      "860/ENOSPC: names the error, says erase or choose a differential package (%s)", msg);
	check(refusal(ENOSPC, "") && has("error 860 (not enough file-system space)"),
	      "ENOSPC without last_error still names 860 from the table");
	check(refusal(ENOEXEC, "858 wrong package type: file-system package") &&
	      has("error 858 (wrong package type: file-system package)") &&
	      has("not one this module takes") && has("corrupt"),
	      "858/ENOEXEC: package not for this module or corrupt (%s)", msg);
	check(refusal(ENOEXEC, "859 wrong package type: minimal-system package") &&
	      has("error 859 (wrong package type: minimal-system package)") &&
	      has("built for this module"),
	      "859/ENOEXEC: names 859 and what package to get");
	check(refusal(EINVAL, "851 configuration error") &&
	      has("error 851 (configuration error)") && has("bad parameter"),
	      "851/EINVAL: bad parameter (%s)", msg);
	check(!refusal(EINVAL, "none") && !strcmp(msg, "untouched"),
	      "EINVAL without 851 is the driver's, not a module refusal");
	check(!refusal(EINVAL, "860 not enough file-system space"),
	      "EINVAL with a stale other code is not a module refusal");
	check(refusal(EIO, "853 package write error") && has("error 853 (package write error)"),
	      "853/EIO: names the error");
	check(refusal(EIO, "none") && has("a plain ERROR, without an error code") &&
	      has("AT+CMEE=0"),
	      "plain ERROR: says there was no code, and what hides it");
	check(refusal(EIO, "refused without a code (plain ERROR or an unknown text; AT+CMEE=1 gives codes)") &&
	      has("a plain ERROR, without an error code") && !has("855"),
	      "the driver's no-code last_error: no code named (%s)", msg);
	check(refusal(EREMOTEIO, "855 package download failed") && has("network"),
	      "855/EREMOTEIO: points at the url and the network");
	check(!refusal(ETIMEDOUT, "860 not enough file-system space") &&
	      !refusal(ENODEV, "") && !refusal(EBUSY, "") && !refusal(EBADMSG, ""),
	      "timeouts, hangups, busy ports and checksum mismatches are not refusals");
}

static int trigger(int err, const char *last, enum mfw_phase *phase)
{
	*phase = MFW_PHASE_FLASHING;
	return mfw_trigger_failure(err, last, "ML307R-DC-MBRH0S01", NULL, phase,
				   msg, sizeof(msg));
}

static void test_trigger(void)
{
	enum mfw_phase ph;
	int ret;

	ret = trigger(EBADMSG, "none", &ph);
	check(ret == MFW_EXIT_UPGRADE && ph == MFW_PHASE_FAILED && has("checksum") &&
	      has("not started") && has("ML307R-DC-MBRH0S01"),
	      "EBADMSG: 7, journal failed, checksum named (%s)", msg);
	ret = trigger(ETIMEDOUT, "none", &ph);
	check(ret == MFW_EXIT_TIMEOUT && ph == MFW_PHASE_WRITTEN && has("not flashing") &&
	      has("mfw resume"),
	      "ETIMEDOUT of the pre-check: 8, journal written, resume (%s)", msg);
	ret = trigger(EPROTO, "none", &ph);
	check(ret == MFW_EXIT_UPGRADE && ph == MFW_PHASE_WRITTEN && has("not understood") &&
	      has("mfw resume"),
	      "EPROTO of the pre-check: 7, journal written (%s)", msg);
	ret = trigger(EREMOTEIO, "854 upgrade error", &ph);
	check(ret == MFW_EXIT_UPGRADE && ph == MFW_PHASE_FAILED &&
	      has("error 854 (upgrade error)"),
	      "854/EREMOTEIO: 7, journal failed, code and text (%s)", msg);
	ret = trigger(EIO, "none", &ph);
	check(ret == MFW_EXIT_UPGRADE && ph == MFW_PHASE_FAILED &&
	      has("without an error code") && has("AT+CMEE"),
	      "plain ERROR: 7, journal failed, says what hides the code");
	ret = trigger(EIO, "refused without a code (plain ERROR or an unknown text; AT+CMEE=1 gives codes)", &ph);
	check(ret == MFW_EXIT_UPGRADE && has("without an error code"),
	      "the driver's no-code last_error: 7, no code named (%s)", msg);
	ret = trigger(EBUSY, "none", &ph);
	check(ret == MFW_EXIT_PORT && ph == MFW_PHASE_WRITTEN,
	      "EBUSY: 6, journal written (nothing was sent)");
	ret = mfw_trigger_failure(EBUSY, "none", "ML307R-DC-MBRH0S01",
				  "find it with 'fuser -v /dev/mfw0'", &ph, msg,
				  sizeof(msg));
	check(ret == MFW_EXIT_PORT &&
	      has("does not read (find it with 'fuser -v /dev/mfw0'), so"),
	      "EBUSY names who may keep the port (%s)", msg);
	ret = trigger(ENXIO, "none", &ph);
	check(ret == MFW_EXIT_PORT && ph == MFW_PHASE_WRITTEN, "ENXIO: 6, journal written");
	ret = trigger(ENOENT, "none", &ph);
	check(ret == MFW_EXIT_PORT && ph == MFW_PHASE_WRITTEN,
	      "attribute gone (port vanished): 6, journal written");
	ret = trigger(EINVAL, "none", &ph);
	check(ret == MFW_EXIT_UPGRADE && ph == MFW_PHASE_FAILED && has("url"),
	      "EINVAL (special mode without a url): 7, journal failed");
	ret = trigger(EOPNOTSUPP, "none", &ph);
	check(ret == MFW_EXIT_UPGRADE && ph == MFW_PHASE_FAILED, "EOPNOTSUPP: 7, failed");
	ret = trigger(EINTR, "none", &ph);
	check(ret == MFW_EXIT_INTERRUPTED && ph == MFW_PHASE_WRITTEN, "EINTR: 9, written");
	ret = trigger(ENOMEM, "none", &ph);
	check(ret == MFW_EXIT_FAIL && ph == MFW_PHASE_WRITTEN && has("not flashing"),
	      "any other errno: 1, written, not flashing");
	for (ret = 1; ret < 134; ret++) {
		int code = trigger(ret, "none", &ph);

		if (ph == MFW_PHASE_FLASHING || code == MFW_EXIT_OK || !*msg)
			break;
	}
	check(ret == 134, "no errno from the trigger keeps the flashing phase or exits 0");
}

static void test_paths(void)
{
	unsigned int b = 0;

	check(!mfw_paths_parse("transparent remote\n", &b) &&
	      b == (MFW_PATH_TRANSPARENT | MFW_PATH_REMOTE), "paths: transparent remote");
	check(!mfw_paths_parse("special", &b) && b == MFW_PATH_SPECIAL, "paths: special");
	check(!mfw_paths_parse("hex remote", &b) && b == (MFW_PATH_HEX | MFW_PATH_REMOTE),
	      "paths: hex remote");
	check(mfw_paths_parse("unknown", &b) == -EINVAL, "paths: unknown is not parsed");
	check(mfw_paths_parse("", &b) == -EINVAL, "paths: empty is not parsed");
	check(mfw_paths_parse("hex telepathy", &b) == -EINVAL, "paths: unknown word refused");
	check(mfw_paths_parse("hexx", &b) == -EINVAL, "paths: word prefix is not a word");
}

static void test_refused_before(void)
{
	struct mfw_journal j = { 0 };
	const char *sha = "ab12";

	j.phase = MFW_PHASE_FAILED;
	snprintf(j.sha256, sizeof(j.sha256), "%s", sha);
	snprintf(j.from, sizeof(j.from), "V1");
	snprintf(j.note, sizeof(j.note), "%s: 860 not enough file-system space",
		 MFW_NOTE_PKG_REFUSED);
	check(mfw_refused_before(&j, sha, "V1"), "refused write of the same package: skipped");
	check(!mfw_refused_before(&j, "cd34", "V1"), "another package: offered");
	check(!mfw_refused_before(&j, sha, "V2"), "the module runs another version now: offered");
	snprintf(j.note, sizeof(j.note), "%s: 854 upgrade error", MFW_NOTE_UPGRADE_REFUSED);
	check(mfw_refused_before(&j, sha, "V1"), "refused upgrade of the same package: skipped");
	snprintf(j.note, sizeof(j.note), "module reported failure");
	check(!mfw_refused_before(&j, sha, "V1"),
	      "a failure that was not a refusal (rollback, power loss): offered again");
	snprintf(j.note, sizeof(j.note), "%s", MFW_NOTE_PKG_REFUSED);
	j.phase = MFW_PHASE_DONE;
	check(!mfw_refused_before(&j, sha, "V1"), "a finished upgrade is not a refusal");
}

int main(void)
{
	test_write_refusals();
	test_trigger();
	test_paths();
	test_refused_before();
	return tap_done();
}
