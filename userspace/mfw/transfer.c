// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - putting the package into the module: a write through
 * /dev/mfwN (hex or transparent, the driver picks the family's path) or a
 * remote download the module does itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/mfw.h>

#include "mfw_cme.h"
#include "out.h"
#include "resume.h"
#include "session.h"
#include "sig.h"
#include "trace.h"
#include "util.h"
#include "verdict.h"

/* Record the offset in the journal at least every this many bytes. */
#define MFW_JOURNAL_EVERY	(64 * 1024)
/* Interrupted remote downloads retried before giving up. */
#define MFW_DOWNLOAD_RETRIES	3
/* Refused questions in a row after which mfw stops asking. */
#define MFW_DL_QUERY_FAILS	2

static int mfw_write_errno(struct mfw_session *s, int err, const char *what)
{
	char last[128] = "", msg[512];

	mfw_port_get(&s->port, "last_error", last, sizeof(last));
	if (mfw_write_refusal(err, last, msg, sizeof(msg))) {
		mfw_err("%s: %s", what, msg);
		snprintf(s->fail_note, sizeof(s->fail_note), "%s: %s",
			 MFW_NOTE_PKG_REFUSED,
			 *last && strcmp(last, "none") ? last : strerror(err));
		return MFW_EXIT_UPGRADE;
	}
	switch (err) {
	case EBUSY: {
		char hint[512];

		mfw_port_busy_hint(&s->port, hint, sizeof(hint));
		mfw_err("%s: the port is busy (%s) and retry", what, hint);
		return MFW_EXIT_PORT;
	}
	case ENODEV:
		mfw_err("%s: the port went away; run 'mfw resume' once the module is back",
			what);
		return MFW_EXIT_PORT;
	case ENXIO:
		mfw_err("%s: the module is not identified; check it answers (mfw status) and retry",
			what);
		return MFW_EXIT_PORT;
	case EOPNOTSUPP:
		mfw_err("%s: the %s family does not take a package this way; see mfw(8) for its path",
			what, s->family);
		return MFW_EXIT_USAGE;
	case EFBIG:
		mfw_err("%s: the package is too large for the module's protocol; check the image",
			what);
		return MFW_EXIT_VERIFY;
	case EBADMSG:
		mfw_err("%s: the module's checksum of the package does not match; run the upgrade again",
			what);
		return MFW_EXIT_UPGRADE;
	case ETIMEDOUT:
		mfw_err("%s: the module stopped answering; run 'mfw resume' to continue",
			what);
		return MFW_EXIT_TIMEOUT;
	default:
		mfw_err("%s: %s", what, strerror(err));
		return MFW_EXIT_FAIL;
	}
}

/* The offset the port's driver says the module acknowledged, or 0. */
static uint64_t mfw_port_offset(struct mfw_session *s)
{
	char buf[32];
	uint64_t off;

	if (mfw_port_get(&s->port, "offset", buf, sizeof(buf)) < 0 ||
	    mfw_parse_u64(buf, &off))
		return 0;
	return off;
}

/* Whether the module's last answer was 853, a package write error. */
static bool mfw_write_refused(struct mfw_session *s, int err)
{
	char last[128] = "";

	if (err != EIO && err != EREMOTEIO)
		return false;
	mfw_port_get(&s->port, "last_error", last, sizeof(last));
	return mfw_last_error_code(last) == MFW_CME_WRITE;
}

static int mfw_check_digest(struct mfw_session *s)
{
	char dig[MFW_SHA256_HEX + 8], chk[32];

	if (mfw_port_get(&s->port, "digest/sha256", dig, sizeof(dig)) > 0 &&
	    strcmp(dig, s->j.sha256)) {
		mfw_err("the module holds a package with SHA-256 %s, not the image's %s; run the upgrade again",
			dig, s->j.sha256);
		return MFW_EXIT_UPGRADE;
	}
	if (mfw_port_get(&s->port, "check", chk, sizeof(chk)) > 0 &&
	    !strcmp(chk, "mismatch")) {
		mfw_err("the module's checksum of the package does not match the image; run the upgrade again");
		return MFW_EXIT_UPGRADE;
	}
	return MFW_EXIT_OK;
}

/*
 * Write the package from byte @pos to its end through a fresh write
 * session.  With @probe, the module refusing the very first chunk with
 * 853 (the package it holds is not @pos bytes long) is not reported but
 * sets *@refused, so that the caller may try another offset.
 */
static int mfw_write_pass(struct mfw_session *s, uint64_t pos, bool probe,
			  bool *refused)
{
	unsigned int hex_max = s->model && (s->model->paths & MFW_PATH_HEX) ?
			       s->model->hex_max : 0;
	uint64_t size = s->size, step = mfw_hex_write_size(s->cfg->chunk, hex_max);
	uint64_t noted, first = pos;
	char path[PATH_MAX];
	int fd, ret = MFW_EXIT_OK;

	*refused = false;
	mfw_port_dev(&s->port, path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return mfw_write_errno(s, errno, path);
	if (ioctl(fd, MFW_IOC_SET_SIZE, &size) < 0) {
		if (errno == ENOTTY)
			mfw_warn("%s does not take a declared size; the driver buffers the package", path);
		else {
			ret = mfw_write_errno(s, errno, "declaring the package size");
			goto out;
		}
	}
	if (pos && lseek(fd, (off_t)pos, SEEK_SET) != (off_t)pos) {
		mfw_warn("cannot resume at byte %" PRIu64 " (%s); starting over", pos,
			 strerror(errno));
		pos = 0;
	}
	/* A kill from now on may leave the next chunk in the module. */
	s->j.offset = pos;
	s->j.inflight = mfw_hex_inflight(size, hex_max, pos);
	ret = mfw_sess_journal(s, MFW_PHASE_WRITING, "writing");
	if (ret)
		goto out;
	mfw_trace("write %s from %" PRIu64 " of %" PRIu64, path, pos, size);
	noted = pos;
	while (pos < size) {
		size_t n = size - pos < step ? size - pos : step;
		ssize_t w;

		if (mfw_sig_pending()) {
			s->j.offset = pos;
			s->j.inflight = 0;
			mfw_sess_journal(s, MFW_PHASE_WRITING, "interrupted");
			mfw_err("stopped by a signal at byte %" PRIu64 "; the module is not flashing. Run 'mfw resume' to continue",
				pos);
			ret = MFW_EXIT_INTERRUPTED;
			goto out;
		}
		w = write(fd, s->image + pos, n);
		if (w < 0) {
			int err = errno;

			if (err == EINTR)
				continue;
			if (probe && pos == first && mfw_write_refused(s, err)) {
				mfw_trace("module refused the write at %" PRIu64, pos);
				*refused = true;
				ret = MFW_EXIT_UPGRADE;
				goto out;
			}
			/* Recording the step may change errno: keep the module's. */
			s->j.offset = pos;
			s->j.inflight = mfw_hex_inflight(size, hex_max, pos);
			mfw_sess_journal(s, MFW_PHASE_WRITING, strerror(err));
			ret = mfw_write_errno(s, err, "writing the package");
			goto out;
		}
		pos += w;
		mfw_out_progress("writing", pos, size);
		if (pos - noted >= MFW_JOURNAL_EVERY) {
			s->j.offset = pos;
			s->j.inflight = mfw_hex_inflight(size, hex_max, pos);
			noted = pos;
			ret = mfw_sess_journal(s, MFW_PHASE_WRITING, "writing");
			if (ret)
				goto out;
		}
	}
	if (ioctl(fd, MFW_IOC_COMMIT) < 0 && errno != ENOTTY) {
		ret = mfw_write_errno(s, errno, "finishing the write");
		goto out;
	}
out:
	/* After a refusal close() repeats it: nothing new to report. */
	if (close(fd) < 0 && !ret)
		ret = mfw_write_errno(s, errno, "finishing the write");
	return ret;
}

int mfw_sess_write(struct mfw_session *s, bool resume)
{
	bool hex = s->model && (s->model->paths & MFW_PATH_HEX) && s->model->resume;
	struct mfw_resume r;
	bool refused;
	int ret;

	if (resume && hex) {
		uint64_t port_off = mfw_port_offset(s);

		mfw_trace("resume: port offset %" PRIu64 ", journal offset %" PRIu64 " (+%" PRIu64 " in flight)",
			  port_off, s->j.offset, s->j.inflight);
		mfw_resume_plan(&r, s->size, s->model->hex_max, port_off,
				s->j.offset, s->j.inflight);
	} else
		mfw_resume_plan(&r, s->size, 0, 0, 0, 0);
	for (;;) {
		uint64_t at = mfw_resume_offset(&r);

		if (at)
			mfw_info("resuming the write at byte %" PRIu64 " of %" PRIu64,
				 at, (uint64_t)s->size);
		ret = mfw_write_pass(s, at, at > 0, &refused);
		if (!refused)
			break;
		if (!mfw_resume_refused(&r)) {
			/* Cannot happen: the plan always ends at 0. */
			ret = mfw_write_errno(s, EIO, "writing the package");
			break;
		}
		if (mfw_resume_offset(&r))
			mfw_warn("the module does not continue at byte %" PRIu64 " (853); the chunk in flight when the write stopped may have reached it: trying byte %" PRIu64,
				 at, mfw_resume_offset(&r));
		else
			mfw_warn("the module does not continue at byte %" PRIu64 " (853); erasing its package and writing it again from the start",
				 at);
	}
	if (ret)
		return ret;
	ret = mfw_check_digest(s);
	if (ret)
		return ret;
	s->j.offset = s->size;
	s->j.inflight = 0;
	mfw_trace("package written");
	return mfw_sess_journal(s, MFW_PHASE_WRITTEN, "package in the module");
}

/*
 * Ask the module where its download stands: the driver sends AT+MFWDLOAD?
 * and the answer comes as a report.  The manual defines the query during
 * a download; what a module answers once it ended is not documented (the
 * simulator answers with the last state).  false once asking is
 * pointless: the driver does not know the question (an older mfw module:
 * *@fails is then -1, for good), or the module refused it
 * MFW_DL_QUERY_FAILS times in a row (until its next report).
 */
static bool mfw_query_download(struct mfw_session *s, int *fails)
{
	int ret;

	mfw_trace("no download report for a while: asking the module");
	ret = mfw_port_set(&s->port, "download", "query");
	if (ret == -EINVAL) {
		mfw_dbg("the mfw module cannot ask for the download's state; waiting for reports only");
		*fails = -1;
		return false;
	}
	if (!ret) {
		*fails = 0;
		return true;
	}
	mfw_trace("asking for the download's state: %s", strerror(-ret));
	if (++*fails < MFW_DL_QUERY_FAILS)
		return true;
	mfw_info("the module does not answer AT+MFWDLOAD? (%s); asking again after its next report",
		 strerror(-ret));
	return false;
}

/*
 * Follow a remote download: 1 done, 0 interrupted (resumable), or an exit
 * code < 0.  A report can be lost, so after download_quiet seconds without
 * one the module is asked, and again after each such silence: a lost
 * outcome is known within that time plus one command's.  Questions the
 * module refused twice in a row stop until it reports again (a module
 * still connecting may refuse them; with a short download_quiet that
 * came within seconds).  After a failure (3) whose "0" (resumable) does
 * not follow within 2 s, the module is asked once before the failure
 * counts as final.
 */
static int mfw_follow_download(struct mfw_session *s, int64_t deadline)
{
	bool failed = false, ask = true, asked_after_failure = false;
	int64_t heard = mfw_now_ms();
	char line[256];
	int fails = 0;

	for (;;) {
		struct pollfd p = { .fd = s->dev, .events = POLLIN };
		unsigned long long a, b;
		int st, ret;

		while ((ret = mfw_sess_urc(s, line, sizeof(line))) > 0) {
			int n = sscanf(line, "+MFWDLOAD: %d,%llu,%llu", &st, &a, &b);

			if (n < 1)
				continue;
			heard = mfw_now_ms();
			/* It speaks again: the questions it refused may do. */
			if (fails > 0) {
				fails = 0;
				ask = true;
			}
			if (st == 1 || st == 2)
				mfw_out_progress("download", n == 3 ? b : n == 2 ? a : 0,
						 n == 3 ? a : 0);
			if (st == 2)
				return 1;
			if (st == 3)
				failed = true;	/* "0" next means interrupted */
			/*
			 * Not downloading: after a 3, an interruption to
			 * resume; asked, a download that stopped unsaid.
			 */
			if (st == 0)
				return 0;
		}
		if (ret == -ENODEV)
			return -mfw_write_errno(s, ENODEV, "downloading");
		if (mfw_now_ms() >= deadline) {
			mfw_err("the module's download did not finish in %ld s; check its network and the url, then run 'mfw resume'",
				s->cfg->download_timeout_s);
			return -MFW_EXIT_TIMEOUT;
		}
		if (ask && !failed &&
		    mfw_now_ms() - heard >= s->cfg->download_quiet_s * 1000) {
			ask = mfw_query_download(s, &fails);
			heard = mfw_now_ms();
		}
		ret = mfw_poll(&p, 1, failed ? 2000 : 500);
		if (ret == -EINTR) {
			mfw_err("stopped by a signal during the download; the module is not flashing. Run 'mfw resume' to continue");
			return -MFW_EXIT_INTERRUPTED;
		}
		if (failed && ret == 0) {
			/* The "0" of a resumable failure may be the lost one. */
			if (!ask || asked_after_failure)
				break;
			asked_after_failure = true;
			ask = mfw_query_download(s, &fails);
		}
	}
	return -mfw_write_errno(s, EREMOTEIO, "the module's download failed");
}

int mfw_sess_download(struct mfw_session *s)
{
	int64_t deadline = mfw_now_ms() + s->cfg->download_timeout_s * 1000;
	int tries, ret;

	ret = mfw_port_set(&s->port, "url", s->o->url ? s->o->url : s->j.url);
	if (ret) {
		if (ret == -EINVAL || ret == -EREMOTEIO)
			mfw_err("the module refused the url (%s); it must be one of the schemes its family takes (see mfw(8))",
				strerror(-ret));
		else
			return mfw_write_errno(s, -ret, "setting the url");
		return MFW_EXIT_USAGE;
	}
	if (!(s->model->paths & MFW_PATH_REMOTE))
		return mfw_sess_journal(s, MFW_PHASE_WRITTEN, "url set");
	ret = mfw_sess_journal(s, MFW_PHASE_DOWNLOADING, "downloading");
	if (ret)
		return ret;
	ret = mfw_sess_open_dev(s);
	if (ret)
		return mfw_write_errno(s, -ret, "opening the port's reports");
	for (tries = 0; tries <= MFW_DOWNLOAD_RETRIES; tries++) {
		mfw_trace("download try %d", tries + 1);
		ret = mfw_port_set(&s->port, "download", "1");
		if (ret)
			return mfw_write_errno(s, -ret, "starting the download");
		ret = mfw_follow_download(s, deadline);
		if (ret == 1)
			return mfw_sess_journal(s, MFW_PHASE_WRITTEN, "downloaded");
		if (ret < 0)
			return -ret;
		mfw_warn("download interrupted; resuming it");
	}
	mfw_err("the download was interrupted %d times; check the module's network and run 'mfw resume'",
		tries);
	return MFW_EXIT_UPGRADE;
}
