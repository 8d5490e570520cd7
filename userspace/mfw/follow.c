// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - waiting for the module: its port coming back after a
 * reboot, its readiness, its reports while it flashes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "inhibit.h"
#include "out.h"
#include "session.h"
#include "sig.h"
#include "trace.h"
#include "util.h"

/* A tty nobody attaches to within this long gets attached by us. */
#define MFW_HOLDER_GRACE_MS	5000
/* Tick of every wait loop. */
#define MFW_TICK_MS		500
/* Identification is retried this often while the module boots. */
#define MFW_IDENTIFY_EVERY_MS	3000
/* Identifications a port on another USB path gets to give its IMEI. */
#define MFW_PROVE_TRIES		3
/*
 * A module that says nothing for this long while it upgrades is asked
 * what it runs (AT+CGMR, through the kernel's identify), then again after
 * twice the silence, up to MFW_PROBE_MAX_MS apart.  The question is what
 * wakes a module in autobaud mode, which after a reboot says nothing until
 * the host sends AT (its +MATREADY and outcome are never printed), and
 * what settles an upgrade whose report was lost; a module that is still
 * flashing answers with its old version or not at all, which settles
 * nothing, and is asked again later.
 */
#define MFW_PROBE_FIRST_MS	10000
#define MFW_PROBE_MAX_MS	60000

int mfw_left_ms(int64_t deadline)
{
	int64_t left = deadline - mfw_now_ms();

	return left < 0 ? 0 : left > 0x7fffffff ? 0x7fffffff : (int)left;
}

static void mfw_sess_service(struct mfw_session *s, struct pollfd *p)
{
	char a[64], sub[64], n[64];

	if (p[0].fd >= 0 &&
	    mfw_link_service(&s->link, p[0].revents, true) == -ENODEV) {
		mfw_trace("tty %s hung up", s->link.tty);
		mfw_link_drop(&s->link);
	}
	while (s->watch && p[1].revents &&
	       mfw_watch_read(s->watch, a, sub, n, sizeof(a)) > 0) {
		mfw_trace("uevent %s %s %s", a, sub, n);
		if (mfw_link_removed(&s->link, a, sub, n))
			mfw_link_drop(&s->link);
	}
}

/* Let the port found go for good: it is another module's, or unproven. */
static int mfw_sess_refuse(struct mfw_session *s)
{
	mfw_trace("refused %s (%s)", s->link.tty, s->link.found);
	mfw_inhibit_let_go(s->inh, s->link.tty);
	mfw_sess_close_dev(s);
	mfw_link_refuse(&s->link);
	s->have_port = false;
	return -EXDEV;
}

/*
 * Whether the module on s->port is the one the upgrade is for, by its IMEI
 * (the port's imei attribute: the kernel asks AT+CGSN at each
 * identification) against the journal's, which is the IMEI of the module
 * the upgrade first identified.  @learn: the IMEI comes from the helper's
 * own identification (mfw_sess_identify()), from which a journal without
 * one (a fresh upgrade), or mfw resume --port (s->take_any), learns it.
 *
 * Another IMEI is another module.  USB serial numbers may be alike on two
 * modules of one model, so a port found by them on another USB path
 * (s->link.moved) is the module only when both IMEIs are known and equal;
 * with either unknown (a module or kernel module that gives none, a
 * journal of an older mfw) nothing proves it, and it is left alone.  A
 * port where the module was is the module unless its IMEI says otherwise.
 * 0: it is the module, and the link follows it from now on; -EXDEV: it
 * was refused and let go (s->have_port false).
 */
static int mfw_sess_check_module(struct mfw_session *s, bool learn)
{
	char imei[64];

	if (mfw_port_get(&s->port, "imei", imei, sizeof(imei)) < 0 ||
	    strlen(imei) >= sizeof(s->j.imei))
		*imei = '\0';
	/* mfw resume --port: the module there, whatever its IMEI. */
	if (s->take_any && !s->link.moved) {
		if (learn && *imei) {
			snprintf(s->j.imei, sizeof(s->j.imei), "%s", imei);
			s->take_any = false;
		}
		mfw_link_confirm(&s->link);
		return 0;
	}
	if (learn && *imei && !*s->j.imei && !s->link.moved)
		snprintf(s->j.imei, sizeof(s->j.imei), "%s", imei);
	if (*imei && *s->j.imei && strcmp(imei, s->j.imei)) {
		mfw_warn("%s: the module there has IMEI %s, not %s, the module this upgrade is for: another module of the same model (modules may share a USB serial number); sending it nothing more, waiting for the module itself",
			 s->link.tty, imei, s->j.imei);
		return mfw_sess_refuse(s);
	}
	if (s->link.moved && !*s->j.imei) {
		mfw_warn("%s: the module's USB IDs and serial number on another USB path, but the journal has no IMEI to tell it from another module of the same model (an upgrade of an older mfw, or a module or kernel module that gives none): leaving it alone, waiting for the module where it was; if it is the module, run 'mfw resume --port %s'",
			 s->link.tty, s->link.node);
		return mfw_sess_refuse(s);
	}
	if (s->link.moved && !*imei) {
		mfw_warn("%s: the module's USB IDs and serial number on another USB path, but it gives no IMEI to compare with the journal's %s: leaving it alone, waiting for the module itself; if it is the module, run 'mfw resume --port %s'",
			 s->link.tty, s->j.imei, s->link.node);
		return mfw_sess_refuse(s);
	}
	if (s->link.moved)
		mfw_info("%s: its IMEI %s is the journal's: it is the module",
			 s->link.tty, imei);
	mfw_link_confirm(&s->link);
	return 0;
}

/*
 * A port mfw_link_locate() found: is it the module?  The kernel's word
 * (sysfs imei), and for a port on another USB path whose IMEI the kernel
 * has not read yet, the module's own answer to an identification
 * (AT+CGMR, ATI, AT+CGSN: questions, nothing that changes it), asked
 * only while the port is idle, MFW_IDENTIFY_EVERY_MS apart, and at most
 * MFW_PROVE_TRIES times before a port that gives no IMEI is left alone.
 * 0: use it; -EXDEV: refused; -EAGAIN: cannot be told yet (not due, the
 * port busy or flashing, the identification failed).
 */
static int mfw_sess_prove(struct mfw_session *s)
{
	char imei[64], state[32];
	int ret;

	if (!s->link.moved || !*s->j.imei ||
	    mfw_port_get(&s->port, "imei", imei, sizeof(imei)) < 0 || *imei)
		return mfw_sess_check_module(s, false);
	if (strcmp(s->prove_found, s->link.found)) {
		snprintf(s->prove_found, sizeof(s->prove_found), "%s", s->link.found);
		s->prove_tries = 0;
	}
	if (s->prove_tries >= MFW_PROVE_TRIES)
		return mfw_sess_check_module(s, false);
	if (mfw_now_ms() < s->prove_next ||
	    mfw_port_get(&s->port, "state", state, sizeof(state)) < 0 ||
	    (strcmp(state, "idle") && strcmp(state, "error")))
		return -EAGAIN;
	ret = mfw_port_set(&s->port, "identify", "1");
	s->prove_next = mfw_now_ms() + MFW_IDENTIFY_EVERY_MS;
	/* Every try counts: a port that answers badly is left alone too. */
	s->prove_tries++;
	if (ret)
		mfw_trace("%s: no identification yet: %s", s->link.tty,
			  strerror(-ret));
	/* (the port gone meanwhile: found again or not, it is not refused) */
	if (mfw_port_get(&s->port, "imei", imei, sizeof(imei)) < 0)
		return -EAGAIN;
	if (!*imei && s->prove_tries < MFW_PROVE_TRIES)
		return -EAGAIN;
	return mfw_sess_check_module(s, false);
}

/*
 * The located tty has no port: attach to it once nobody else has within
 * MFW_HOLDER_GRACE_MS of *@seen (the first time it was found), or at once
 * when we held it before.  0 when attached, -ENOPKG (no kernel module),
 * -EAGAIN (not yet, or the attach failed).
 */
static int mfw_sess_attach(struct mfw_session *s, int64_t *seen)
{
	int ret;

	if (!*seen)
		*seen = mfw_now_ms();
	if (s->link.fd >= 0 ||
	    (!s->own_link && mfw_now_ms() - *seen <= MFW_HOLDER_GRACE_MS))
		return -EAGAIN;
	ret = mfw_link_attach(&s->link);
	if (ret == -ENOPKG) {
		mfw_err("the mfw kernel module is not loaded; run 'modprobe mfw'");
		return ret;
	}
	if (ret)
		return -EAGAIN;
	s->own_link = true;
	mfw_trace("attached %s", s->link.node);
	return 0;
}

int mfw_sess_wait_port(struct mfw_session *s, int timeout_ms)
{
	int64_t end = mfw_now_ms() + timeout_ms, seen = 0;

	s->have_port = false;
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = s->link.fd, .events = 0 },
			{ .fd = s->watch ? mfw_watch_fd(s->watch) : -1, .events = POLLIN },
		};
		int ret;

		if (!mfw_link_locate(&s->link)) {
			/* A port held before, elsewhere: let it go first. */
			if (s->link.fd >= 0 && strcmp(s->link.held, s->link.tty))
				mfw_link_drop(&s->link);
			/* Nothing could prove it: not even attached. */
			if (s->link.moved && !*s->j.imei)
				return mfw_sess_check_module(s, false);
			if (mfw_port_find(s->cfg->sysfs_root, s->link.tty, &s->port)) {
				ret = mfw_sess_attach(s, &seen);
				if (ret == -ENOPKG)
					return ret;
				if (!ret)
					continue;
			} else {
				ret = mfw_sess_prove(s);
				if (ret == -EXDEV)
					return ret;
				if (!ret) {
					s->have_port = true;
					mfw_trace("port %s on %s", s->port.name, s->link.tty);
					/* ModemManager keeps off the module, not its twin. */
					if (mfw_inhibit_follow(s->inh, s->link.tty,
							       s->link.relocated) == -EINTR)
						return -EINTR;
					s->link.relocated = false;
					return 0;
				}
			}
		}
		if (mfw_now_ms() >= end)
			return -ETIMEDOUT;
		ret = mfw_poll(p, 2, mfw_left_ms(end) < MFW_TICK_MS ?
			       mfw_left_ms(end) : MFW_TICK_MS);
		if (ret == -EINTR)
			return ret;
		if (ret >= 0)
			mfw_sess_service(s, p);
	}
}

int mfw_sess_open_dev(struct mfw_session *s)
{
	char path[PATH_MAX];

	mfw_sess_close_dev(s);
	mfw_port_dev(&s->port, path, sizeof(path));
	s->dev = open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (s->dev < 0)
		return -errno;
	s->urc_len = 0;
	return 0;
}

void mfw_sess_close_dev(struct mfw_session *s)
{
	if (s->dev >= 0)
		close(s->dev);
	s->dev = -1;
}

int mfw_sess_urc(struct mfw_session *s, char *line, size_t size)
{
	for (;;) {
		char *nl = memchr(s->urc, '\n', s->urc_len);
		ssize_t n;

		if (nl) {
			size_t len = nl - s->urc;

			snprintf(line, size, "%.*s", (int)len, s->urc);
			memmove(s->urc, nl + 1, s->urc_len - len - 1);
			s->urc_len -= len + 1;
			mfw_trace("module: %s", line);
			return 1;
		}
		if (s->dev < 0)
			return -ENODEV;
		if (s->urc_len == sizeof(s->urc))
			s->urc_len = 0;		/* a line longer than any report */
		n = read(s->dev, s->urc + s->urc_len, sizeof(s->urc) - s->urc_len);
		if (n > 0) {
			s->urc_len += n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		return -ENODEV;
	}
}

void mfw_sess_drain_reports(struct mfw_session *s)
{
	char line[256];
	int n = 0;

	while (mfw_sess_urc(s, line, sizeof(line)) > 0)
		n++;
	if (n)
		mfw_trace("%d earlier report%s set aside", n, n == 1 ? "" : "s");
}

int mfw_sess_identify(struct mfw_session *s)
{
	int ret;

	ret = mfw_port_set(&s->port, "identify", "1");
	if (ret)
		return ret;
	/* Nothing of another module may pass for the module's. */
	ret = mfw_sess_check_module(s, true);
	if (ret)
		return ret;
	if (mfw_port_get(&s->port, "family", s->family, sizeof(s->family)) < 0 ||
	    mfw_port_get(&s->port, "firmware", s->firmware, sizeof(s->firmware)) < 0)
		return -EIO;
	s->model = mfw_model_find(s->family, strlen(s->family), NULL);
	mfw_trace("identified: family %s firmware %s", s->family, s->firmware);
	return 0;
}

int mfw_sess_ready(struct mfw_session *s, int timeout_ms)
{
	int64_t end = mfw_now_ms() + timeout_ms, next = 0;
	int ret, last = -ETIMEDOUT;
	char line[256];

	for (;;) {
		struct pollfd p[3] = {
			{ .fd = s->link.fd, .events = 0 },
			{ .fd = s->watch ? mfw_watch_fd(s->watch) : -1, .events = POLLIN },
			{ .fd = s->dev, .events = POLLIN },
		};

		while ((ret = mfw_sess_urc(s, line, sizeof(line))) > 0)
			if (!strcmp(line, "+MATREADY"))
				next = 0;
		if (mfw_now_ms() >= next) {
			ret = mfw_sess_identify(s);
			if (!ret)
				return 0;
			if (ret == -ENODEV || ret == -ENOENT)
				return -ENODEV;
			if (ret == -EXDEV)
				return ret;
			mfw_dbg("module not answering yet: %s", strerror(-ret));
			/* A busy port is not a silent module: say which. */
			last = ret == -EBUSY ? -EBUSY : -ETIMEDOUT;
			next = mfw_now_ms() + MFW_IDENTIFY_EVERY_MS;
		}
		if (mfw_now_ms() >= end)
			return last;
		ret = mfw_poll(p, 3, mfw_left_ms(end) < MFW_TICK_MS ?
			       mfw_left_ms(end) : MFW_TICK_MS);
		if (ret == -EINTR)
			return ret;
		if (ret >= 0)
			mfw_sess_service(s, p);
	}
}

/* Verdict of a +MFWUPGRADE report: 1 success, -1 failure, 0 neither. */
static int mfw_upgrade_urc(const char *line, int *percent)
{
	int state, pct;

	if (sscanf(line, "+MFWUPGRADE: %d,%d", &state, &pct) == 2 && state == 1) {
		*percent = pct;
		return 0;
	}
	if (sscanf(line, "+MFWUPGRADE: %d", &state) != 1)
		return 0;
	return state == 2 ? 1 : state == 3 ? -1 : 0;
}

/* After a boot without a report: decide from the version the module runs. */
static int mfw_version_verdict(struct mfw_session *s)
{
	if (*s->j.target)
		return !strcmp(s->firmware, s->j.target) ? 1 : 0;
	return strcmp(s->firmware, s->j.from) ? 1 : 0;
}

static int mfw_not_back(struct mfw_session *s, const char *what)
{
	mfw_sig_defer(false);
	mfw_err("%s. Do NOT power it off: it may still be flashing. Wait, then run 'mfw resume'; if it never answers again, recover it with the vendor's tools",
		what);
	snprintf(s->j.note, sizeof(s->j.note), "%s", what);
	mfw_journal_write(s->cfg->state_dir, &s->j);
	mfw_trace_dump(40);
	return MFW_EXIT_TIMEOUT;
}

static int mfw_confirm(struct mfw_session *s, int verdict)
{
	char err[128] = "";
	int ret;

	mfw_sig_defer(false);
	if (verdict < 0) {
		mfw_port_get(&s->port, "last_error", err, sizeof(err));
		if (mfw_sess_identify(s) == -EXDEV)
			return mfw_not_back(s, "a failure was reported, but the port then held another module (by its IMEI), so the module's outcome is not known");
		mfw_err("the module reports the upgrade FAILED (%s); it runs %s. Check the package against the module (mfw status) and run the upgrade again",
			*err ? err : "no error code", *s->firmware ? s->firmware : "an unknown version");
		mfw_sess_journal(s, MFW_PHASE_FAILED, "module reported failure");
		return MFW_EXIT_UPGRADE;
	}
	ret = mfw_sess_identify(s);
	if (ret && ret != -EXDEV)
		ret = mfw_sess_ready(s, s->cfg->ready_timeout_s * 1000);
	if (ret == -EXDEV)
		return mfw_not_back(s, "the module reported success, but its port then held another module (by its IMEI), so its version is not confirmed");
	/* Only the module's own answer says what it runs now. */
	if (ret == -EBUSY) {
		char why[640], hint[512];

		mfw_port_busy_hint(&s->port, hint, sizeof(hint));
		snprintf(why, sizeof(why), "the module reported success, but the port stayed busy since, so its version is not confirmed (%s)",
			 hint);
		return mfw_not_back(s, why);
	}
	if (ret)
		return mfw_not_back(s, "the module reported success but does not answer since");
	if (*s->j.target && strcmp(s->firmware, s->j.target)) {
		mfw_err("the module reports success but runs %s, not %s; check the package (mfw status) and upgrade again",
			s->firmware, s->j.target);
		mfw_sess_journal(s, MFW_PHASE_FAILED, "unexpected version after upgrade");
		return MFW_EXIT_UPGRADE;
	}
	mfw_out_phase("done", s->firmware);
	mfw_sess_journal(s, MFW_PHASE_DONE, s->firmware);
	return MFW_EXIT_OK;
}

/*
 * The module answers, runs s->firmware and is not flashing, and that is
 * not what the upgrade was for: it refused the package or rolled back.
 */
static int mfw_did_not_take(struct mfw_session *s)
{
	char retry[MFW_JSTR + 32] = "";

	mfw_sig_defer(false);
	if (*s->j.image)
		snprintf(retry, sizeof(retry), " ('mfw upgrade %s')", s->j.image);
	else if (*s->j.url)
		snprintf(retry, sizeof(retry), " ('mfw upgrade --url %s')", s->j.url);
	mfw_err("the module answers and runs %s%s%s: the upgrade did not take (it kept or rolled back to its firmware) and it is not flashing. Run the upgrade again%s",
		s->firmware, *s->j.target ? ", not " : "", s->j.target, retry);
	mfw_sess_journal(s, MFW_PHASE_FAILED, "upgrade did not take");
	return MFW_EXIT_UPGRADE;
}

/*
 * The wait is over without a verdict.  After a resume, a module that
 * answers and reports its version settles the journal: the target runs,
 * or the upgrade did not take (a rollback whose report nobody saw).
 * Otherwise it may still be flashing and the journal stays as it is.
 */
static int mfw_follow_expired(struct mfw_session *s, const char *what)
{
	if (!s->resolve || !s->have_port || mfw_sess_identify(s) || !*s->firmware)
		return mfw_not_back(s, what);
	mfw_trace("at the timeout the module answers: %s", s->firmware);
	if (mfw_version_verdict(s) > 0)
		return mfw_confirm(s, 1);
	return mfw_did_not_take(s);
}

/*
 * A package the host wrote is applied with model->stored.reboots restarts
 * (kernel/mfw_models.c, from SPEC section 2): once the module has come
 * back that often, seen by this follow, it runs what it will run.  Its
 * outcome report comes as it boots, and on USB often before anyone has
 * opened the new port.  Only an upgrade to a named other version can be
 * told from one that did not take by the version alone (a manifest's
 * target; a package flashed again without one runs the version it ran).
 */
static bool mfw_booted_for_good(const struct mfw_session *s, int boots)
{
	unsigned int n = s->model ? s->model->stored.reboots : 0;

	return *s->j.image && *s->j.target && strcmp(s->j.target, s->j.from) &&
	       boots >= (int)(n ? n : 1);
}

/* The driver says the module is idle: not upgrading, not rebooting. */
static bool mfw_port_idle(struct mfw_session *s)
{
	char state[32];

	return mfw_port_get(&s->port, "state", state, sizeof(state)) >= 0 &&
	       !strcmp(state, "idle");
}

/*
 * Follow the module from the trigger to its verdict.  The module speaks
 * for itself: a +MFWUPGRADE report, or after a boot the version it runs
 * (AT+CGMR).  A boot is the port coming back (USB) or +MATREADY on a port
 * that never went away (a UART).  A success reported before any boot is
 * held until the module has booted into the new firmware: some firmware
 * reports first and reboots after, and until then it still runs the old
 * version.  Silence is met with questions (MFW_PROBE_FIRST_MS).
 */
int mfw_sess_follow(struct mfw_session *s)
{
	long total_s = s->o->timeout_s ? s->o->timeout_s : s->cfg->upgrade_timeout_s;
	int64_t deadline = mfw_now_ms() + total_s * 1000, heard = mfw_now_ms();
	int64_t gap = MFW_PROBE_FIRST_MS, old_since = 0;
	int percent = -1, boots = 0;
	char line[256], state[32];
	bool ask = false, reported = false, reopened = false;
	/*
	 * A port that returns is a boot only if this follow had it open
	 * before: "mfw resume" (and an upgrade that could not open
	 * /dev/mfwN) first finds the port as it is, which says nothing of
	 * whether the module restarted.
	 */
	bool had_port = s->have_port && s->dev >= 0;

	mfw_sig_defer(true);
	mfw_out_phase("flashing", "do not power off the module");
	for (;;) {
		struct pollfd p[3];
		int verdict = 0, ret, pct = -1;

		if (!s->have_port || s->dev < 0) {
			mfw_sess_close_dev(s);
			mfw_trace("waiting for the module to come back");
			ret = mfw_sess_wait_port(s, mfw_left_ms(deadline) <
						 s->cfg->reboot_timeout_s * 1000 ?
						 mfw_left_ms(deadline) :
						 s->cfg->reboot_timeout_s * 1000);
			if (ret == -ETIMEDOUT)
				return mfw_not_back(s, "the module did not come back");
			if (ret == -EXDEV && mfw_now_ms() < deadline)
				continue;	/* another module: wait on */
			if (ret == -EXDEV)
				return mfw_follow_expired(s, "the module did not come back (only another module did)");
			if (ret)
				return MFW_EXIT_FAIL;
			ret = mfw_sess_open_dev(s);
			if (ret) {
				mfw_trace("cannot open /dev/%s: %s", s->port.name, strerror(-ret));
				/* Another holder never lets go: stop at the deadline. */
				if (mfw_now_ms() >= deadline)
					return mfw_follow_expired(s, ret == -EBUSY ?
						"the module's port stayed busy (another program holds it open: 'fuser /dev/mfw*')" :
						"no result from the module before the timeout");
				s->have_port = false;
				mfw_sig_sleep(mfw_left_ms(deadline) < MFW_TICK_MS ?
					      mfw_left_ms(deadline) : MFW_TICK_MS);
				continue;
			}
			if (had_port) {
				boots++;
				reopened = true;
				mfw_out_phase("rebooted", s->link.tty);
			} else {
				mfw_trace("found the module's port %s", s->port.name);
			}
			had_port = true;
			old_since = 0;
			heard = mfw_now_ms();
			gap = MFW_PROBE_FIRST_MS;
			/*
			 * Its +MATREADY and +MFWUPGRADE may have come before
			 * anyone attached to the new tty, and then they are
			 * gone: ask the module at once what it runs.
			 */
			ask = true;
		}
		while ((ret = mfw_sess_urc(s, line, sizeof(line))) > 0) {
			heard = mfw_now_ms();
			gap = MFW_PROBE_FIRST_MS;
			verdict = mfw_upgrade_urc(line, &pct);
			if (pct >= 0 && pct != percent) {
				percent = pct;
				mfw_out_progress("flashing", pct, 100);
			}
			if (!strcmp(line, "+MATREADY")) {
				/*
				 * On a UART the port stays: this is the boot.
				 * On USB it is the boot the port's return
				 * already counted, now ready for AT.
				 */
				if (!reopened) {
					boots++;
					mfw_out_phase("rebooted", s->link.tty);
				}
				reopened = false;
				old_since = 0;
				ask = true;
			}
			if (verdict > 0 && !boots) {
				mfw_trace("success reported before a reboot: waiting for the module to run it");
				reported = true;
				verdict = 0;
			}
			if (verdict)
				break;
		}
		if (verdict)
			return mfw_confirm(s, verdict);
		if (ret == -ENODEV) {
			mfw_trace("port %s went away", s->port.name);
			s->have_port = false;
			old_since = 0;
			continue;
		}
		if (mfw_port_get(&s->port, "state", state, sizeof(state)) >= 0 &&
		    !strcmp(state, "error"))
			return mfw_confirm(s, -1);
		/*
		 * Booted again, or silent for a while: the version the module
		 * runs settles it as soon as it answers with one that does;
		 * after a boot, a success it reported before settles it too
		 * (mfw_confirm() compares the version with the target).
		 */
		if (ask || mfw_now_ms() - heard >= gap) {
			bool silence = !ask;
			int64_t asked = mfw_now_ms();

			ret = mfw_sess_identify(s);
			mfw_trace("%s: %s", silence ? "after a silence" : "after the boot",
				  ret ? strerror(-ret) : s->firmware);
			if (!ret && (mfw_version_verdict(s) > 0 || (reported && boots)))
				return mfw_confirm(s, 1);
			/*
			 * After its last restart the module, idle, still runs
			 * another version when asked, and again when asked
			 * MFW_PROBE_FIRST_MS later with no restart between:
			 * the package did not take, and the report saying so
			 * was lost.  (Without this the wait would last
			 * upgrade_timeout=.)
			 */
			if (ret || !*s->firmware || !mfw_booted_for_good(s, boots) ||
			    !mfw_port_idle(s)) {
				old_since = 0;
			} else if (!old_since) {
				old_since = asked;
				/* the second question, MFW_PROBE_FIRST_MS on */
				ask = false;
				heard = asked;
				gap = MFW_PROBE_FIRST_MS;
				continue;
			} else if (asked - old_since >= MFW_PROBE_FIRST_MS) {
				return mfw_did_not_take(s);
			}
			ask = false;
			if (silence) {
				heard = mfw_now_ms();
				gap = gap * 2 > MFW_PROBE_MAX_MS ? MFW_PROBE_MAX_MS : gap * 2;
			}
		}
		if (mfw_now_ms() >= deadline)
			return mfw_follow_expired(s, reported ?
				"the module reported success but has not rebooted into it before the timeout" :
				"no result from the module before the timeout");
		p[0] = (struct pollfd){ .fd = s->link.fd, .events = 0 };
		p[1] = (struct pollfd){ .fd = s->watch ? mfw_watch_fd(s->watch) : -1,
					.events = POLLIN };
		p[2] = (struct pollfd){ .fd = s->dev, .events = POLLIN };
		ret = mfw_poll(p, 3, MFW_TICK_MS);
		if (ret >= 0) {
			mfw_sess_service(s, p);
			if (p[2].revents & (POLLHUP | POLLERR)) {
				mfw_trace("port %s went away", s->port.name);
				s->have_port = false;
				old_since = 0;
			}
		}
	}
}
