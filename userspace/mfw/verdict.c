// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - what an error from the driver means for the upgrade.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mfw_cme.h"
#include "mfw_models.h"
#include "resume.h"
#include "util.h"
#include "verdict.h"

/*
 * A refusal without a code: a plain ERROR, which is what a module answers
 * with AT+CMEE=0 (ModemManager, a terminal or a library's init may have
 * set it).
 */
#define MFW_NO_CODE "a plain ERROR, without an error code (another program may have set AT+CMEE=0; AT+CMEE=1 brings the codes back)"

/* The module's error as "860 (not enough file-system space)", or "". */
static void mfw_code_text(int code, const char *last, char *buf, size_t size)
{
	const char *text = NULL;

	if (!code) {
		snprintf(buf, size, "%s", MFW_NO_CODE);
		return;
	}

	if (last && mfw_last_error_code(last) == code) {
		text = strchr(last, ' ');
		text = text ? text + 1 : NULL;
	}
	if (!text || !*text)
		text = mfw_cme_text(code);
	if (text && *text)
		snprintf(buf, size, "error %d (%s)", code, text);
	else
		snprintf(buf, size, "error %d", code);
}

/* What to do about a package the module refused with @code. */
static const char *mfw_refusal_advice(int code)
{
	switch (code) {
	case MFW_CME_NO_SPACE:
		return "the module has no room for the package: erase its old package (write 1 to the port's erase attribute) or choose a differential package, which is smaller, then run the upgrade again";
	case MFW_CME_PKG_FS:
	case MFW_CME_PKG_MINI:
		return "the package is not one this module takes, or it is corrupt: get the package built for this module and its version (mfw status shows both) and run the upgrade again";
	case MFW_CME_CONFIG:
		return "the module refused a parameter of the write (bad parameter): check the port's settings and the package size against the family (mfw status), then run the upgrade again";
	case MFW_CME_URL_TYPE:
		return "the module does not take this kind of url: use one of the schemes its family takes (mfw(8)), then run the upgrade again";
	case MFW_CME_DOWNLOAD:
	case MFW_CME_RETRIES:
		return "the module could not download the package: check the url and the module's network, then run the upgrade again";
	case MFW_CME_NO_NETWORK:
		return "the module has no network: check its SIM and signal, then run the upgrade again";
	case MFW_CME_WRITE:
		return "the module could not store the package: check the package suits it, then run the upgrade again";
	default:
		return "check the package suits the module (mfw status), then run the upgrade again";
	}
}

bool mfw_write_refusal(int err, const char *last, char *msg, size_t size)
{
	int code = mfw_last_error_code(last);
	char what[160];

	switch (err) {
	case ENOSPC:
		if (code != MFW_CME_NO_SPACE)
			code = MFW_CME_NO_SPACE;
		break;
	case ENOEXEC:
		if (code != MFW_CME_PKG_FS && code != MFW_CME_PKG_MINI)
			code = MFW_CME_PKG_FS;
		break;
	case EINVAL:
		/* Without 851 the driver itself refused: not the module. */
		if (code != MFW_CME_CONFIG)
			return false;
		break;
	case EIO:
	case EREMOTEIO:
		break;
	default:
		return false;
	}
	mfw_code_text(code, last, what, sizeof(what));
	snprintf(msg, size, "the module refused the package with %s; %s",
		 what, mfw_refusal_advice(code));
	return true;
}

int mfw_trigger_failure(int err, const char *last, const char *fw,
			const char *busy, enum mfw_phase *phase, char *msg,
			size_t size)
{
	const char *runs = fw && *fw ? fw : "its firmware";
	int code = mfw_last_error_code(last);
	char what[160];

	*phase = MFW_PHASE_WRITTEN;
	switch (err) {
	case EBADMSG:
		*phase = MFW_PHASE_FAILED;
		snprintf(msg, size, "the module's checksum of its package does not match the package written, so the upgrade was not started; it keeps running %s. Run the upgrade again to write the package anew",
			 runs);
		return MFW_EXIT_UPGRADE;
	case EREMOTEIO:
	case EIO:
		*phase = MFW_PHASE_FAILED;
		mfw_code_text(code, last, what, sizeof(what));
		snprintf(msg, size, "the module refused the upgrade with %s; it keeps running %s. Check the package against the module (mfw status) and run the upgrade again",
			 what, runs);
		return MFW_EXIT_UPGRADE;
	case EOPNOTSUPP:
		*phase = MFW_PHASE_FAILED;
		snprintf(msg, size, "the module's family cannot start an upgrade this way; it keeps running %s. See mfw(8) for the family's path",
			 runs);
		return MFW_EXIT_UPGRADE;
	case EINVAL:
		*phase = MFW_PHASE_FAILED;
		snprintf(msg, size, "the upgrade was not started: the module has no url for its special mode (%s); it keeps running %s. Run 'mfw upgrade --url URL'",
			 strerror(err), runs);
		return MFW_EXIT_UPGRADE;
	case ETIMEDOUT:
		snprintf(msg, size, "the module did not answer the check before the upgrade, so the upgrade was not started; it keeps running %s and is not flashing. Run 'mfw resume' once it answers (mfw status)",
			 runs);
		return MFW_EXIT_TIMEOUT;
	case EPROTO:
		snprintf(msg, size, "the module's answer to the check before the upgrade was not understood, so the upgrade was not started; it keeps running %s and is not flashing. Run 'mfw resume' to try again",
			 runs);
		return MFW_EXIT_UPGRADE;
	case EBUSY:
		snprintf(msg, size, "the port is busy with another operation or a reader that does not read%s%s%s, so the upgrade was not started; it keeps running %s. Run 'mfw resume' once it is free",
			 busy && *busy ? " (" : "", busy && *busy ? busy : "",
			 busy && *busy ? ")" : "", runs);
		return MFW_EXIT_PORT;
	case ENXIO:
	case ENODEV:
	case ENOENT:
		snprintf(msg, size, "the module went away or is not identified (%s), so the upgrade was not started. Run 'mfw resume' once it answers (mfw status)",
			 strerror(err));
		return MFW_EXIT_PORT;
	case EINTR:
		snprintf(msg, size, "stopped by a signal before the upgrade started; the module is not flashing. Run 'mfw resume' to continue");
		return MFW_EXIT_INTERRUPTED;
	default:
		snprintf(msg, size, "the upgrade was not started (%s); the module keeps running %s and is not flashing. Run 'mfw resume' to try again",
			 strerror(err), runs);
		return MFW_EXIT_FAIL;
	}
}

int mfw_paths_parse(const char *text, unsigned int *bits)
{
	static const struct {
		const char *word;
		unsigned int bit;
	} words[] = {
		{ "hex", MFW_PATH_HEX },
		{ "transparent", MFW_PATH_TRANSPARENT },
		{ "remote", MFW_PATH_REMOTE },
		{ "special", MFW_PATH_SPECIAL },
	};
	const char *p = text;
	unsigned int out = 0;

	if (!text)
		return -EINVAL;
	for (;;) {
		size_t n, i;

		p += strspn(p, " \t\n");
		if (!*p)
			break;
		n = strcspn(p, " \t\n");
		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].word) == n && !strncmp(p, words[i].word, n))
				break;
		if (i == sizeof(words) / sizeof(words[0]))
			return -EINVAL;
		out |= words[i].bit;
		p += n;
	}
	if (!out)
		return -EINVAL;
	*bits = out;
	return 0;
}

bool mfw_refused_before(const struct mfw_journal *last, const char *sha256,
			const char *fw)
{
	if (last->phase != MFW_PHASE_FAILED || !*last->sha256 || !sha256 ||
	    strcmp(last->sha256, sha256))
		return false;
	if (strncmp(last->note, MFW_NOTE_PKG_REFUSED, strlen(MFW_NOTE_PKG_REFUSED)) &&
	    strncmp(last->note, MFW_NOTE_UPGRADE_REFUSED, strlen(MFW_NOTE_UPGRADE_REFUSED)))
		return false;
	/* Once the module runs something else, the package may suit it. */
	return !*last->from || !fw || !strcmp(last->from, fw);
}

bool mfw_same_line(const char *a, const char *b)
{
	const char *da = strrchr(a, '-'), *db = strrchr(b, '-');
	size_t la = da ? (size_t)(da - a) : 0, lb = db ? (size_t)(db - b) : 0;

	return la == lb && !strncmp(a, b, la);
}
