// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - the upgrade's phases and "mfw resume".
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gpio.h"
#include "history.h"
#include "inhibit.h"
#include "module.h"
#include "out.h"
#include "pick.h"
#include "power.h"
#include "session.h"
#include "sig.h"
#include "supply.h"
#include "trace.h"
#include "util.h"
#include "verdict.h"

/* Largest package taken into memory. */
#define MFW_IMAGE_MAX	(512u << 20)

int mfw_sess_journal(struct mfw_session *s, enum mfw_phase phase,
		     const char *note)
{
	int ret;

	s->j.phase = phase;
	s->j.updated = time(NULL);
	s->j.pid = getpid();
	if (note)
		snprintf(s->j.note, sizeof(s->j.note), "%s", note);
	ret = mfw_journal_write(s->cfg->state_dir, &s->j);
	if (ret) {
		mfw_err("cannot write the journal in %s: %s; fix the state directory (state_dir=, MFW_STATE_DIR)",
			s->cfg->state_dir, strerror(-ret));
		return MFW_EXIT_JOURNAL;
	}
	mfw_trace("journal: %s (%s)", mfw_phase_name(phase), s->j.note);
	if (phase >= MFW_PHASE_DONE) {
		ret = mfw_history_add(s->cfg->state_dir, &s->j);
		if (ret)
			mfw_warn("cannot add this upgrade to %s/%s: %s; 'mfw history' will not list it",
				 s->cfg->state_dir, MFW_HISTORY_NAME, strerror(-ret));
		ret = mfw_journal_finish(s->cfg->state_dir);
		if (ret)
			mfw_warn("cannot close the journal in %s: %s; remove %s/journal by hand",
				 s->cfg->state_dir, strerror(-ret), s->cfg->state_dir);
	}
	return MFW_EXIT_OK;
}

/* Phase 1: the image, its signature and its manifest. */
static int mfw_phase_verify(struct mfw_session *s, bool resuming)
{
	const char *key = s->cfg->pubkey;
	char man[PATH_MAX], why[256], sha[MFW_SHA256_HEX];
	bool ok;
	int ret;

	if (s->o->manifest)
		snprintf(man, sizeof(man), "%s", s->o->manifest);
	else if (s->o->image)
		snprintf(man, sizeof(man), "%s.manifest", s->o->image);
	else
		man[0] = '\0';
	if (s->o->image) {
		ret = mfw_read_file(s->o->image, &s->image, &s->size, MFW_IMAGE_MAX);
		if (ret) {
			mfw_err("cannot read image %s: %s; check the path", s->o->image,
				mfw_file_strerror(ret));
			return MFW_EXIT_USAGE;
		}
		if (!s->size) {
			mfw_err("image %s is empty; check the file", s->o->image);
			return MFW_EXIT_VERIFY;
		}
		if (mfw_sha256_hex(s->image, s->size, sha))
			return MFW_EXIT_FAIL;
		if (resuming && strcmp(sha, s->j.sha256)) {
			mfw_err("image %s changed since the upgrade started (SHA-256 %s, journal %s)",
				s->o->image, sha, s->j.sha256);
			return MFW_EXIT_VERIFY;
		}
		memcpy(s->j.sha256, sha, sizeof(sha));
		s->j.size = s->size;
		/*
		 * One signature per package: the signed manifest carries the
		 * image's SHA-256 and size, checked below.
		 */
		if (!*key)
			mfw_trust_none_warn(s->o->image);
	}
	if (*man && !resuming) {
		/* The journal keeps it whole: mfw resume runs from "/". */
		char *abs = realpath(man, NULL);

		if (abs) {
			snprintf(man, sizeof(man), "%s", abs);
			free(abs);
		}
	}
	if (*man && (access(man, F_OK) == 0 || *key || s->o->manifest)) {
		if (mfw_manifest_load(key, man, &s->man, &ok))
			return MFW_EXIT_VERIFY;
		if (ok)
			mfw_info("%s: signature good, %s", man, s->man.signer);
		s->have_man = true;
		if (snprintf(s->j.manifest, sizeof(s->j.manifest), "%s", man) >=
		    (int)sizeof(s->j.manifest)) {
			mfw_err("%s: its whole path is %zu bytes; the journal that lets 'mfw resume' finish an interrupted upgrade keeps at most %zu: move the manifest to a shorter path",
				man, strlen(man), sizeof(s->j.manifest) - 1);
			return MFW_EXIT_USAGE;
		}
		snprintf(s->j.target, sizeof(s->j.target), "%s", s->man.version);
		if (s->o->image &&
		    mfw_manifest_check_image(&s->man, sha, s->size, why, sizeof(why))) {
			mfw_err("image %s does not match its manifest %s: %s; the image was altered or belongs to another package: do not use it, get a matching pair from the vendor",
				s->o->image, man, why);
			return MFW_EXIT_VERIFY;
		}
	} else if (*key) {
		mfw_err("a public key is configured, so a signed manifest is required (--manifest FILE); get it from the vendor");
		return MFW_EXIT_VERIFY;
	} else {
		mfw_warn("no manifest: the image's family, base version and version order are NOT checked");
	}
	return MFW_EXIT_OK;
}

/* Phase 2: is the power safe to flash? */
static int mfw_phase_power(struct mfw_session *s)
{
	struct mfw_supply_report r;
	char why[256];
	int ret;

	ret = mfw_supply_read(s->cfg->sysfs_root, &r);
	if (ret)
		mfw_warn("cannot read the power supplies: %s", strerror(-ret));
	if (mfw_supply_safe(&r, s->cfg->battery_min, why, sizeof(why))) {
		mfw_dbg("power: %s", why);
		return MFW_EXIT_OK;
	}
	if (s->o->allow & MFW_ALLOW_LOW_POWER) {
		mfw_warn("power: %s; going on because of --ignore-battery", why);
		return MFW_EXIT_OK;
	}
	mfw_err("power: %s; connect external power or charge the battery (or --ignore-battery, at the risk of a bricked module)",
		why);
	return MFW_EXIT_UNSAFE;
}

/* The tty to use: option, configuration, journal, or the only port. */
static int mfw_pick_tty(struct mfw_session *s, char *path, size_t size)
{
	const char *p = s->o->port;
	struct mfw_port port;
	int ret;

	if (!p || !*p)
		p = s->cfg->port;
	if (p && *p) {
		/* (named on the command line or in the configuration: checked) */
		snprintf(path, size, "%s", p);
		return 0;
	}
	p = s->j.port;
	if (p && *p) {
		/*
		 * The port of the journal in this state directory: its
		 * module's by construction (checked when the upgrade began),
		 * and to be finished even if the sections changed since.
		 */
		snprintf(path, size, "%s", p);
		return 0;
	}
	ret = mfw_port_find(s->cfg->sysfs_root, NULL, &port);
	if (ret == -ENOTUNIQ) {
		mfw_err("several mfw ports; name one with --port or port= in the configuration%s",
			s->cfg->n_modules ? " (the module's section's, with --module NAME)" : "");
		return MFW_EXIT_USAGE;
	}
	if (ret) {
		mfw_err("no port given and no mfw port attached; give --port TTY or set port= in the configuration");
		return MFW_EXIT_USAGE;
	}
	mfw_tty_node(port.tty, path, size);
	/* With --module: the only port may be another module's. */
	return mfw_module_check_port(s->cfg, path);
}

/* Power-cycle a silent module, never one that may be flashing. */
static int mfw_recover_power(struct mfw_session *s)
{
	int ret;

	if (mfw_phase_flashing(s->j.phase)) {
		mfw_err("the journal says the module may be flashing: not power-cycling it. Wait for it, then run 'mfw resume'");
		return MFW_EXIT_UNSAFE;
	}
	mfw_warn("--recover: resetting the silent module");
	mfw_trace("recover: reset");
	ret = mfw_power_reset(s->cfg);
	if (ret) {
		mfw_warn("reset failed (%s); trying PWRKEY off and on", mfw_gpio_strerror(ret));
		mfw_power_off(s->cfg, true);
		ret = mfw_power_on(s->cfg, true);
	}
	if (ret) {
		mfw_err("cannot power-cycle the module: %s; check pwrkey=, reset=, status= in the configuration",
			mfw_gpio_strerror(ret));
		return MFW_EXIT_GPIO;
	}
	return MFW_EXIT_OK;
}

/*
 * mfw resume: the port of the interrupted upgrade, once it is there.  At
 * boot mfw-resume.service can run before the module's port exists (a USB
 * module enumerates seconds after the board powers it; mfw-resume is
 * ordered after udev's coldplug, not after the module), and a USB module
 * may come back under another tty name or on another USB path (found by
 * the journal's identity, set in s->link.ident: mfw_link_locate()).
 * Waits until @end (mfw_now_ms(): reboot_timeout, the module boots once,
 * from the start of the port phase), woken by uevents.  0 once located, -ETIMEDOUT,
 * -EINTR on a signal, or mfw_link_locate()'s error other than a port that
 * is not there (-ENOENT).
 */
static int mfw_resume_wait_port(struct mfw_session *s, const char *path,
				int64_t end)
{
	bool said = false;
	int ret;

	for (;;) {
		struct pollfd p = {
			.fd = s->watch ? mfw_watch_fd(s->watch) : -1,
			.events = POLLIN,
		};

		ret = mfw_link_locate(&s->link);
		if (ret != -ENOENT)
			return ret;
		if (mfw_now_ms() >= end)
			return -ETIMEDOUT;
		if (!said) {
			said = true;
			mfw_info("%s is not there yet (the module may still be booting); waiting up to %ld s for it",
				 path, s->cfg->reboot_timeout_s);
		}
		ret = mfw_poll(&p, 1, mfw_left_ms(end) < 500 ? mfw_left_ms(end) : 500);
		if (ret == -EINTR)
			return ret;
		if (ret > 0)
			mfw_watch_drain(s->watch);
	}
}

/* The wait for the module is over, and only other modules came. */
static int mfw_only_others(const struct mfw_session *s)
{
	mfw_err("the module of the interrupted upgrade did not appear within %ld s (reboot_timeout); only other modules did (see above), and they were left alone. Check the module is powered (mfw power status), then run 'mfw resume' again; if it was replaced, run 'mfw resume --port TTY' to finish the upgrade on the module at TTY",
		s->cfg->reboot_timeout_s);
	return MFW_EXIT_PORT;
}

/*
 * The logind lock and ModemManager's inhibition of the module on
 * s->link.tty, waiting mm_wait for ModemManager to list it.  0 to go on,
 * or an exit code.
 */
static int mfw_phase_inhibit(struct mfw_session *s)
{
	int ret;

	ret = mfw_inhibit_take(s->link.tty, MFW_INHIBIT_WHY,
			       s->cfg->mm_wait_s * 1000, &s->inh);
	if (ret == -EINTR)
		return MFW_EXIT_INTERRUPTED;
	if (ret == -EBUSY && !(s->o->allow & MFW_ALLOW_BUSY_MM)) {
		mfw_info("--ignore-modemmanager goes on without ModemManager's inhibition, at the risk of its commands reaching the module during the upgrade");
		return MFW_EXIT_PORT;
	}
	if (ret == -EBUSY)
		mfw_warn("going on without ModemManager's inhibition because of --ignore-modemmanager");
	return 0;
}

/*
 * Phase 3: find the port, attach when nobody holds it, identify the module.
 * @ident: for mfw resume, the journal's USB identity of the module (NULL
 * or "" to take @path as it is); @resuming: wait for a port that is not
 * there yet (mfw_resume_wait_port()) instead of failing.
 */
static int mfw_phase_port(struct mfw_session *s, bool resuming, const char *ident)
{
	int64_t end = mfw_now_ms() + s->cfg->reboot_timeout_s * 1000;
	char path[PATH_MAX];
	int ret, tries;

	ret = mfw_pick_tty(s, path, sizeof(path));
	if (ret)
		return ret;
	if (strlen(path) >= sizeof(s->j.port)) {
		mfw_err("port %s: its path is %zu bytes; the journal that lets 'mfw resume' finish an interrupted upgrade keeps at most %zu: name the tty by a shorter path (/dev/ttyUSB2)",
			path, strlen(path), sizeof(s->j.port) - 1);
		return MFW_EXIT_USAGE;
	}
	mfw_link_init(&s->link, path, s->cfg->speed, s->cfg->sysfs_root);
	s->link.follow_moves = true;	/* proven by the IMEI: follow.c */
	if (ident && *ident)
		snprintf(s->link.ident, sizeof(s->link.ident), "%s", ident);
	snprintf(s->j.port, sizeof(s->j.port), "%s", path);
	for (tries = 0; tries < 2; tries++) {
		ret = resuming ? mfw_resume_wait_port(s, path, end) :
				 mfw_link_locate(&s->link);
		if (ret == -EINTR) {
			if (resuming)
				mfw_info("stopped by a signal while waiting for %s; the journal stays for the next 'mfw resume'",
					 path);
			return MFW_EXIT_INTERRUPTED;
		}
		if (ret == -ETIMEDOUT && s->link.n_refused)
			return mfw_only_others(s);
		if (ret == -ETIMEDOUT && *s->link.ident && !access(path, F_OK)) {
			mfw_err("%s is there, but it is not the module the journal recorded (%s) and that module did not appear within %ld s (reboot_timeout); if %s is the module now, run 'mfw resume --port %s'",
				path, s->link.ident, s->cfg->reboot_timeout_s, path, path);
			return MFW_EXIT_PORT;
		}
		if (ret == -ETIMEDOUT) {
			mfw_err("port %s did not appear within %ld s (reboot_timeout); check the module is powered (mfw power status), then run 'mfw resume' again",
				path, s->cfg->reboot_timeout_s);
			return MFW_EXIT_PORT;
		}
		if (ret) {
			mfw_err("port %s: %s; check the module is powered (mfw power status) and the path is right",
				path, strerror(-ret));
			return MFW_EXIT_PORT;
		}
		if (ident && *ident)
			snprintf(s->j.port, sizeof(s->j.port), "%s", s->link.node);
		snprintf(s->j.usbpath, sizeof(s->j.usbpath), "%s", s->link.ident);
		s->own_link = mfw_port_find(s->cfg->sysfs_root, s->link.tty, &s->port) != 0;
		/*
		 * A port on another USB path is inhibited only once its IMEI
		 * showed it is the module (below): it may be another's.
		 */
		if (!s->inh && !s->link.moved) {
			ret = mfw_phase_inhibit(s);
			if (ret)
				return ret;
		}
		ret = mfw_sess_wait_port(s, s->cfg->ready_timeout_s * 1000);
		if (ret == -EINTR)
			return MFW_EXIT_INTERRUPTED;
		if (ret && ret != -EXDEV) {
			mfw_err("cannot attach to %s: %s; is the mfw module loaded (modprobe mfw) and the port free?",
				path, strerror(-ret));
			return MFW_EXIT_PORT;
		}
		if (!ret) {
			/* (a port on another USB path: proven by now) */
			int step = s->inh ? 0 : mfw_phase_inhibit(s);

			mfw_dbg("using %s (%s)", s->port.name, s->link.tty);
			if (!step)
				step = mfw_lane_recover(s);
			if (step)
				return step;
			ret = mfw_sess_ready(s, s->cfg->ready_timeout_s * 1000);
			if (ret == -EINTR)
				return MFW_EXIT_INTERRUPTED;
		}
		/*
		 * Another module, by its IMEI, or one on another USB path that
		 * nothing proves to be the module: it was let go.  Wait on for
		 * the module until reboot_timeout, the inhibition taken again
		 * for its port.  (A fresh upgrade learns the IMEI it finds, so
		 * this is a resume's case.)
		 */
		if (ret == -EXDEV) {
			mfw_inhibit_release(s->inh);
			s->inh = NULL;
			if (mfw_now_ms() >= end)
				return mfw_only_others(s);
			tries--;
			continue;
		}
		if (!ret && s->model) {
			/* Where the module is now that it proved itself. */
			if (ident && *ident)
				snprintf(s->j.port, sizeof(s->j.port), "%s", s->link.node);
			snprintf(s->j.usbpath, sizeof(s->j.usbpath), "%s", s->link.ident);
			return MFW_EXIT_OK;
		}
		if (!ret) {
			mfw_err("module on %s not recognised (family '%s', firmware '%s'); it is not a supported OneMO module",
				path, s->family, s->firmware);
			return MFW_EXIT_PORT;
		}
		if (ret == -EBUSY) {
			char hint[512];

			mfw_port_busy_hint(&s->port, hint, sizeof(hint));
			mfw_err("the module on %s cannot be asked: the port is busy (%s); the module is untouched, retry once it is free",
				path, hint);
			return MFW_EXIT_PORT;
		}
		if (!s->o->recover || tries) {
			mfw_err("the module on %s does not answer (%s); check it is powered (mfw power status), or retry with --recover to reset it",
				path, strerror(-ret));
			return MFW_EXIT_PORT;
		}
		ret = mfw_recover_power(s);
		if (ret)
			return ret;
	}
	return MFW_EXIT_PORT;
}

/* Phase 4: the package suits the module and the module can take it. */
static int mfw_phase_match(struct mfw_session *s)
{
	unsigned int need = s->o->image ? MFW_PATH_HEX | MFW_PATH_TRANSPARENT
					: MFW_PATH_REMOTE | MFW_PATH_SPECIAL;
	char why[256];
	int ret;

	snprintf(s->j.family, sizeof(s->j.family), "%s", s->model->name);
	if (!*s->j.from)
		snprintf(s->j.from, sizeof(s->j.from), "%s", s->firmware);
	if (!(s->model->paths & need)) {
		mfw_err("the %s family cannot take %s; use %s", s->model->name,
			s->o->image ? "a package from the host" : "a url",
			s->o->image ? "--url URL (the module downloads it)"
				    : "a local image file");
		return MFW_EXIT_USAGE;
	}
	if (!s->have_man)
		return MFW_EXIT_OK;
	ret = mfw_manifest_check_module(&s->man, s->family, s->firmware, why, sizeof(why));
	if (ret) {
		mfw_err("refusing the package: %s; get the package built for this module and version",
			why);
		return MFW_EXIT_VERIFY;
	}
	return MFW_EXIT_OK;
}

/* mfw_phase_order(): the module runs the package's version already. */
#define MFW_NOTHING_TO_DO	(-1)

/*
 * Phase 4, last: the package's version (its manifest) against the one the
 * module reports running, ordered as GNU version strings (strverscmp(3),
 * as --auto orders packages) when they are of one line
 * (mfw_same_line()).  0 to go on, MFW_NOTHING_TO_DO when the module runs
 * that version, MFW_EXIT_VERIFY for a downgrade, or versions of two lines
 * that cannot be ordered, nobody allowed (--allow-downgrade).
 */
static int mfw_phase_order(struct mfw_session *s)
{
	const char *a = s->man.version, *b = s->firmware;
	int cmp = strverscmp(a, b);
	bool allowed = s->o->allow & MFW_ALLOW_DOWNGRADE;

	if (cmp && !mfw_same_line(a, b)) {
		if (allowed) {
			mfw_warn("the package installs %s and the module runs %s: which is newer cannot be told (they differ before their last part); going on because of --allow-downgrade",
				 a, b);
			return MFW_EXIT_OK;
		}
		mfw_err("the package installs %s and the module runs %s: which is newer cannot be told (they differ before their last part: another variant, or a build suffix); make sure it is meant for this module, then give --allow-downgrade",
			a, b);
		return MFW_EXIT_VERIFY;
	}
	if (cmp > 0)
		return MFW_EXIT_OK;
	if (!cmp && (s->o->allow & MFW_ALLOW_SAME_VERSION)) {
		mfw_info("the module already runs %s; flashing it again because of --allow-same-version",
			 s->firmware);
		return MFW_EXIT_OK;
	}
	if (!cmp) {
		mfw_info("the module already runs %s; nothing to do (--allow-same-version flashes it again)",
			 s->firmware);
		return MFW_NOTHING_TO_DO;
	}
	if (allowed) {
		mfw_warn("the package installs %s, older than the %s the module runs; going on because of --allow-downgrade",
			 a, b);
		return MFW_EXIT_OK;
	}
	mfw_err("the package installs %s, older than the %s the module runs; refusing a downgrade (--allow-downgrade, if the vendor supports going back)",
		a, b);
	return MFW_EXIT_VERIFY;
}

/*
 * Hold the PWRKEY and RESET lines for the upgrade.  0 when held (or when
 * --ignore-power-lines lets it go on without them), -1 when it must stop.
 */
static int mfw_sess_hold_lines(struct mfw_session *s)
{
	if (!mfw_power_hold(s->cfg, &s->hold))
		return 0;
	if (!(s->o->allow & MFW_ALLOW_NO_LINES)) {
		mfw_info("--ignore-power-lines goes on without holding them, at the risk of the module losing power while it flashes");
		return -1;
	}
	mfw_warn("going on without holding the power lines because of --ignore-power-lines");
	return 0;
}

/*
 * --dry-run, phase 3: the port as the driver last saw it (sysfs), without
 * attaching, asking the module anything or taking an inhibitor.  @path
 * gets the tty.  0 or an exit code.
 */
static int mfw_dry_port(struct mfw_session *s, char *path, size_t size)
{
	char tty[MFW_NAME_MAX], state[32];
	int ret;

	ret = mfw_pick_tty(s, path, size);
	if (ret)
		return ret;
	if (mfw_tty_name(path, tty, sizeof(tty)) ||
	    mfw_port_find(s->cfg->sysfs_root, tty, &s->port)) {
		mfw_err("--dry-run: no mfw port on %s, so the module's version is not known without asking it; attach it first (mfw attach %s, as the udev rules do), or upgrade without --dry-run",
			path, path);
		return MFW_EXIT_PORT;
	}
	s->have_port = true;
	if (mfw_port_get(&s->port, "family", s->family, sizeof(s->family)) < 0 ||
	    mfw_port_get(&s->port, "firmware", s->firmware, sizeof(s->firmware)) < 0 ||
	    !*s->firmware ||
	    !(s->model = mfw_model_find(s->family, strlen(s->family), NULL))) {
		mfw_err("--dry-run: the module on %s is not identified (family '%s', firmware '%s'); retry once it answers",
			path, s->family, s->firmware);
		return MFW_EXIT_PORT;
	}
	if (mfw_port_get(&s->port, "state", state, sizeof(state)) >= 0 &&
	    strcmp(state, "idle") && strcmp(state, "error"))
		mfw_warn("--dry-run: the port of %s is busy now (state %s): a package may be on its way to the module, or it is upgrading",
			 path, state);
	return MFW_EXIT_OK;
}

/*
 * --dry-run: what holding GPIO line @line (PWRKEY or RESET) would do, in
 * @out.  0, or MFW_EXIT_GPIO when the upgrade would stop there.
 */
static int mfw_dry_line(const struct mfw_session *s, const char *what,
			const struct mfw_line_cfg *line, char *out, size_t size)
{
	char owner[64];
	int ret;

	if (!*line->spec) {
		snprintf(out, size, "%s none", what);
		return 0;
	}
	ret = mfw_gpio_owner(line->spec, owner, sizeof(owner));
	if (ret == -ENOENT) {
		snprintf(out, size, "%s %s: no such line, not held", what, line->spec);
		return 0;
	}
	if (ret) {
		snprintf(out, size, "%s %s: %s", what, line->spec, mfw_gpio_strerror(ret));
		if (s->o->allow & MFW_ALLOW_NO_LINES)
			return 0;
		mfw_err("cannot look at GPIO line %s: %s; the upgrade could not hold it (--ignore-power-lines goes on without it)",
			line->spec, mfw_gpio_strerror(ret));
		return MFW_EXIT_GPIO;
	}
	if (!*owner) {
		snprintf(out, size, "%s %s: free, held during the upgrade", what, line->spec);
		return 0;
	}
	snprintf(out, size, "%s %s: held by \"%s\"", what, line->spec, owner);
	if (s->cfg->power_lines_shared || (s->o->allow & MFW_ALLOW_NO_LINES)) {
		snprintf(out + strlen(out), size - strlen(out), ", not held by mfw (%s)",
			 s->cfg->power_lines_shared ? "power_lines_shared=yes" : "--ignore-power-lines");
		return 0;
	}
	mfw_err("GPIO line %s is held by \"%s\", so mfw could not keep it from toggling the module's power while it flashes; stop that holder, set power_lines_shared=yes, or --ignore-power-lines",
		line->spec, owner);
	return MFW_EXIT_GPIO;
}

/* One line of the plan: for people on stdout, as a member of @j for JSON. */
static void mfw_dry_item(struct mfw_json *j, const char *key, const char *label,
			 const char *value)
{
	if (mfw_json)
		mfw_json_str(j, key, value);
	else
		printf("  %-13s %s\n", label, value);
}

/*
 * --dry-run, the plan: what the upgrade would do, from the checks above
 * and a look at the system bus.  @verdict is what the checks decided.
 */
static void mfw_dry_plan(struct mfw_session *s, const char *path,
			 const char *verdict, const char *lines, bool verified)
{
	struct mfw_supply_report r;
	struct mfw_inhibit_plan ip;
	char buf[PATH_MAX + 128], why[256];
	struct mfw_json j;

	mfw_inhibit_probe(path, &ip);
	if (mfw_json) {
		mfw_json_begin(&j, "plan");
		mfw_json_str(&j, "verdict", verdict);
	} else {
		printf("dry run: %s; nothing was sent to the module\n", verdict);
	}
	if (*path)
		snprintf(buf, sizeof(buf), "%s (%s)", path, s->have_port ? s->port.name : "no mfw port");
	else
		snprintf(buf, sizeof(buf), "none chosen");
	mfw_dry_item(&j, "port", "port", buf);
	snprintf(buf, sizeof(buf), "%s, running %s", *s->family ? s->family : "unknown",
		 *s->firmware ? s->firmware : "an unknown version");
	if (*s->cfg->module)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
			 "; [module %s], its journal and lock in %s", s->cfg->module,
			 s->cfg->state_dir);
	mfw_dry_item(&j, "module", "module", buf);
	if (s->o->image && !s->image)
		snprintf(buf, sizeof(buf), "%s (unreadable)", s->o->image);
	else if (s->o->image)
		snprintf(buf, sizeof(buf), "%s (%zu bytes), installs %s", s->o->image, s->size,
			 s->have_man ? s->man.version : verified ?
			 "an unchecked version (no manifest)" : "a version not read (see the error above)");
	else
		snprintf(buf, sizeof(buf), "%s, installs %s", s->o->url,
			 s->have_man ? s->man.version : verified ?
			 "an unchecked version (no manifest)" : "a version not read (see the error above)");
	mfw_dry_item(&j, "package", "package", buf);
	if (!verified)
		snprintf(buf, sizeof(buf), "refused or not reached (see the error above)");
	else if (!*s->cfg->pubkey)
		snprintf(buf, sizeof(buf), "NOT checked: no pubkey= configured");
	else if (s->o->image)
		snprintf(buf, sizeof(buf), "manifest verified with %s, the image matches its SHA-256 and size",
			 s->man.signer);
	else
		snprintf(buf, sizeof(buf), "manifest verified with %s; what the module downloads is not seen by mfw",
			 s->man.signer);
	mfw_dry_item(&j, "signature", "signature", buf);
	if (!s->model)
		snprintf(buf, sizeof(buf), "unknown until the module is identified");
	else if (s->o->image && (s->model->paths & MFW_PATH_HEX))
		snprintf(buf, sizeof(buf), "hex lines (AT+MFWDLOAD) through /dev/%s, then AT+MFWUPGRADE",
			 s->port.name);
	else if (s->o->image)
		snprintf(buf, sizeof(buf), "transparent write (AT+MFWDLOAD) through /dev/%s, then AT+MFWUPGRADE",
			 s->port.name);
	else if (s->model->paths & MFW_PATH_REMOTE)
		snprintf(buf, sizeof(buf), "the module downloads the url (AT+MFWDLOAD), then AT+MFWUPGRADE");
	else
		snprintf(buf, sizeof(buf), "the module downloads and flashes the url inside AT+MFWUPGRADE");
	mfw_dry_item(&j, "method", "method", buf);
	mfw_supply_read(s->cfg->sysfs_root, &r);
	snprintf(buf, sizeof(buf), "%s: ", mfw_supply_safe(&r, s->cfg->battery_min, why, sizeof(why)) ?
		 "safe" : (s->o->allow & MFW_ALLOW_LOW_POWER) ? "unsafe, overridden" : "unsafe");
	snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf), "%s", why);
	mfw_dry_item(&j, "power", "power", buf);
	mfw_dry_item(&j, "power_lines", "power lines", lines);
	if (!ip.bus)
		snprintf(buf, sizeof(buf), "no D-Bus system bus: no lock");
	else
		snprintf(buf, sizeof(buf), "%s", ip.logind ? "runs: a lock against shutdown and sleep is asked for"
					       : "not running: no lock");
	mfw_dry_item(&j, "logind", "logind", buf);
	if (!ip.bus || !ip.mm)
		snprintf(buf, sizeof(buf), "not running");
	else if (ip.mm_ignore[0])
		snprintf(buf, sizeof(buf), "kept off the port by udev (%s)", ip.mm_ignore);
	else if (ip.mm_uid[0])
		snprintf(buf, sizeof(buf), "modem %s inhibited during the upgrade", ip.mm_uid);
	else
		snprintf(buf, sizeof(buf), "lists no modem on this port now; the upgrade waits for one to inhibit until the port is %ld s old",
			 s->cfg->mm_wait_s);
	mfw_dry_item(&j, "modemmanager", "ModemManager", buf);
	if (mfw_json)
		mfw_json_emit(&j);
}

/*
 * mfw upgrade --dry-run: every check of an upgrade (package, signature and
 * manifest, power, the port as the driver knows it, the version order, the
 * power lines) and the plan, without sending a byte to the module, taking
 * an inhibitor, holding a line or writing a journal.  Each failed check is
 * said as the upgrade would say it; the exit code is the first one's, 0
 * when the upgrade would go ahead or have nothing to do.
 */
static int mfw_dry_run(struct mfw_session *s, int gate)
{
	char path[PATH_MAX] = "", lines[2][160], both[330];
	int ret, first = gate, nothing = 0;
	bool verified;

#define MFW_DRY(expr) do {					\
		ret = (expr);					\
		if (ret == MFW_NOTHING_TO_DO)			\
			nothing = 1;				\
		else if (ret && !first)				\
			first = ret;				\
	} while (0)

	MFW_DRY(mfw_phase_verify(s, false));
	verified = !ret;
	MFW_DRY(mfw_phase_power(s));
	ret = mfw_dry_port(s, path, sizeof(path));
	MFW_DRY(ret);
	if (!ret) {
		MFW_DRY(mfw_phase_match(s));
		if (!ret && s->have_man)
			MFW_DRY(mfw_phase_order(s));
	}
	if (nothing && !first) {
		/* The upgrade would end here, before it holds a line. */
		snprintf(both, sizeof(both), "not held: nothing to do");
	} else {
		MFW_DRY(mfw_dry_line(s, "PWRKEY", &s->cfg->pwrkey, lines[0], sizeof(lines[0])));
		MFW_DRY(mfw_dry_line(s, "RESET", &s->cfg->reset, lines[1], sizeof(lines[1])));
		snprintf(both, sizeof(both), "%s; %s", lines[0], lines[1]);
	}
#undef MFW_DRY
	mfw_dry_plan(s, path,
		     first ? "the upgrade would stop at the error above" :
		     nothing ? "nothing to do" : "the upgrade would go ahead", both, verified);
	return first;
}

static void mfw_cleanup(struct mfw_session *s)
{
	mfw_rate_close(&s->rate);
	mfw_sess_close_dev(s);
	mfw_power_unhold(&s->hold);
	mfw_inhibit_release(s->inh);
	s->inh = NULL;
	mfw_watch_close(s->watch);
	s->watch = NULL;
	mfw_link_drop(&s->link);
	free(s->image);
	s->image = NULL;
	mfw_trace_close();
}

/*
 * Writing the upgrade attribute failed: the module never got
 * AT+MFWUPGRADE or refused it, so it is not flashing.  The journal leaves
 * the flashing phase for one that "mfw resume" can act on.
 */
static int mfw_trigger_failed(struct mfw_session *s, int err)
{
	char last[128] = "", msg[1024], note[MFW_JSTR], hint[512] = "";
	enum mfw_phase phase;
	int ret;

	mfw_sig_defer(false);
	mfw_sess_close_dev(s);
	mfw_port_get(&s->port, "last_error", last, sizeof(last));
	/* Who keeps it busy: the kernel log names a silent reader. */
	if (err == EBUSY)
		mfw_port_busy_hint(&s->port, hint, sizeof(hint));
	ret = mfw_trigger_failure(err, last, s->firmware, hint, &phase, msg,
				  sizeof(msg));
	mfw_trace("upgrade trigger failed: %s (last error %s)", strerror(err),
		  *last ? last : "none");
	mfw_err("%s", msg);
	if (err == EBADMSG)
		snprintf(note, sizeof(note), "checksum mismatch, upgrade not started");
	else if (phase == MFW_PHASE_FAILED)
		snprintf(note, sizeof(note), "%s: %s", MFW_NOTE_UPGRADE_REFUSED,
			 *last && strcmp(last, "none") ? last : strerror(err));
	else
		snprintf(note, sizeof(note), "upgrade not started: %s", strerror(err));
	mfw_sess_journal(s, phase, note);
	return ret;
}

/*
 * The package on storage before the journal names it: mfw resume reads it
 * again after a power loss, and a package copied into the firmware
 * directory seconds before (a fleet engine's, an automatic upgrade's) may
 * still be only in the page cache.  The image, its manifest and their
 * signatures (those that exist), each with its directory entry, by the
 * paths the journal names (a symbolic link resolved: its target's
 * directory is the one that must keep the entry).
 * MFW_EXIT_OK, or MFW_EXIT_FAIL when the storage cannot keep them.
 */
static int mfw_sess_keep_package(struct mfw_session *s)
{
	/* The paths the journal names, which mfw resume reads. */
	const char *files[2] = { *s->j.image ? s->j.image : s->o->image,
				 s->have_man ? s->j.manifest : NULL };
	char sig[PATH_MAX];
	const char *f;
	unsigned int i;
	int ret;

	for (i = 0; i < 2; i++) {
		if (!files[i] || !*files[i])
			continue;
		f = files[i];
		ret = mfw_file_sync(f);
		if (!ret && snprintf(sig, sizeof(sig), "%s.sig", files[i]) < (int)sizeof(sig)) {
			f = sig;
			ret = mfw_file_sync(sig);
			if (ret == -ENOENT)
				ret = 0;
		}
		if (ret) {
			mfw_err("cannot make %s durable: %s; a power loss during the upgrade would lose the package that 'mfw resume' needs. Check the storage, or copy the package to another file system",
				f, strerror(-ret));
			return MFW_EXIT_FAIL;
		}
	}
	return MFW_EXIT_OK;
}

/* Phases 5 and 6: hold power lines, transfer, trigger, follow. */
static int mfw_run(struct mfw_session *s, bool resuming)
{
	int ret;

	if (mfw_sess_hold_lines(s))
		return MFW_EXIT_GPIO;
	if (!resuming || s->j.phase < MFW_PHASE_FLASHING) {
		if (!resuming) {
			ret = mfw_sess_keep_package(s);
			if (ret)
				return ret;
		}
		ret = mfw_sess_journal(s, MFW_PHASE_PREPARED, "verified");
		if (ret)
			return ret;
		if (s->o->image) {
			ret = mfw_lane_up(s);
			if (ret)
				return ret;
			mfw_out_phase("writing", s->port.name);
			ret = mfw_sess_write(s, resuming);
			/* Never AT+MFWUPGRADE at a rate the board does not expect. */
			if (mfw_lane_down(s) && !ret)
				ret = MFW_EXIT_PORT;
		} else {
			mfw_out_phase("download", s->o->url);
			ret = mfw_sess_download(s);
		}
		if (ret == MFW_EXIT_UPGRADE || ret == MFW_EXIT_VERIFY ||
		    ret == MFW_EXIT_USAGE) {
			/* Refused before flashing: the module is safe, nothing to resume. */
			mfw_sess_journal(s, MFW_PHASE_FAILED,
					 *s->fail_note ? s->fail_note : "package not accepted");
			return ret;
		}
		if (ret)
			return ret;
		if (mfw_sig_pending()) {
			mfw_err("stopped by a signal before the upgrade started; the module is not flashing. Run 'mfw resume' to continue");
			return MFW_EXIT_INTERRUPTED;
		}
		mfw_sess_close_dev(s);
		/* The journal says flashing before the module may start. */
		ret = mfw_sess_journal(s, MFW_PHASE_FLASHING, "upgrade triggered");
		if (ret)
			return ret;
		mfw_sig_defer(true);
		ret = mfw_sess_open_dev(s);
		if (ret)
			mfw_dbg("no reports from /dev/%s: %s", s->port.name, strerror(-ret));
		else
			mfw_sess_drain_reports(s);
		mfw_trace("trigger upgrade on %s", s->port.name);
		ret = mfw_port_set(&s->port, "upgrade", "1");
		if (ret)
			return mfw_trigger_failed(s, -ret);
	}
	return mfw_sess_follow(s);
}

static void mfw_session_init(struct mfw_session *s, const struct mfw_config *cfg,
			     const struct mfw_upgrade_opts *o)
{
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->o = o;
	s->dev = -1;
	s->link.fd = -1;
	s->link.drain_fd = -1;
	s->rate.fd = -1;
}

static int mfw_begin(struct mfw_session *s, bool resuming)
{
	int ret;

	ret = mfw_trace_open(s->cfg->state_dir, resuming);
	if (ret) {
		mfw_err("cannot write in the state directory %s: %s; fix state_dir= or MFW_STATE_DIR",
			s->cfg->state_dir, strerror(-ret));
		return MFW_EXIT_JOURNAL;
	}
	mfw_sig_init();
	/* The monitor exists before anything can make the module go away. */
	ret = mfw_watch_open(&s->watch);
	if (ret)
		mfw_info("no uevent monitor (%s): finding the module again by polling",
			 strerror(-ret));
	return MFW_EXIT_OK;
}

/*
 * The package's URL, or its image's whole path (symbolic links resolved:
 * mfw resume runs from "/"), into the journal.  The journal keeps
 * MFW_JSTR - 1 bytes of each: a longer one is refused here, before the
 * module is touched (and by a dry run), rather than cut.
 * MFW_EXIT_OK or MFW_EXIT_USAGE.
 */
static int mfw_sess_names(struct mfw_session *s)
{
	const struct mfw_upgrade_opts *o = s->o;
	char *abs;
	int ret = MFW_EXIT_OK;

	if (o->url &&
	    snprintf(s->j.url, sizeof(s->j.url), "%s", o->url) >= (int)sizeof(s->j.url)) {
		mfw_err("the URL is %zu bytes; the journal that lets 'mfw resume' finish an interrupted upgrade keeps at most %zu: use a shorter one",
			strlen(o->url), sizeof(s->j.url) - 1);
		return MFW_EXIT_USAGE;
	}
	if (!o->image)
		return MFW_EXIT_OK;
	abs = realpath(o->image, NULL);
	if (snprintf(s->j.image, sizeof(s->j.image), "%s", abs ? abs : o->image) >=
	    (int)sizeof(s->j.image)) {
		mfw_err("%s: its whole path is %zu bytes; the journal that lets 'mfw resume' finish an interrupted upgrade keeps at most %zu: move the package to a shorter path",
			o->image, strlen(abs ? abs : o->image), sizeof(s->j.image) - 1);
		ret = MFW_EXIT_USAGE;
	}
	free(abs);
	return ret;
}

/* End a session: clean up, hand phase and firmware to the result; @ret. */
static int mfw_finish(struct mfw_session *s, int ret)
{
	int sig = mfw_sig_pending();

	mfw_cleanup(s);
	if (mfw_json) {
		/* mfw_main() prints the result event with these. */
		mfw_out_result_str("phase", mfw_phase_name(s->j.phase));
		mfw_out_result_str("firmware", s->firmware);
	}
	if (sig && !ret)
		mfw_info("%s honoured now that the upgrade is over", strsignal(sig));
	return ret;
}

/*
 * How long --auto, with a package to install, waits for another upgrade
 * or resume to let go of the lock, in seconds.  Such an upgrade is bounded
 * by its own timeouts (the transfer, then upgrade_timeout: 20 min by
 * default); mfw-autoupgrade@.service's TimeoutStartSec leaves room for
 * this wait and an upgrade after it.
 */
#define MFW_AUTO_LOCK_WAIT_S	(25 * 60)

/*
 * One upgrade at a time: an exclusive lock on <state_dir>/lock, held until
 * exit.  Another holder gets about a second (a dry run looks at the lock
 * for a moment), then this one fails with exit 6; with @automatic it is
 * waited for instead, once a second for up to MFW_AUTO_LOCK_WAIT_S, and a
 * SIGTERM, SIGINT or SIGHUP ends that wait (exit 9: nothing was started).
 * *@waited says whether the lock was held by another at all: the
 * automatic upgrade of a second module, or of a package that came while
 * an upgrade ran, looks again then.  The lock's file descriptor, or -exit
 * code.
 */
static int mfw_lock(const struct mfw_config *cfg, bool automatic, bool *waited)
{
	char path[PATH_MAX];
	long tries;
	int fd;

	*waited = false;
	fd = mfw_mkdirs(cfg->state_dir, 0700);
	if (fd) {
		mfw_err("cannot create the state directory %s: %s; fix state_dir= or MFW_STATE_DIR",
			cfg->state_dir, strerror(-fd));
		return -MFW_EXIT_JOURNAL;
	}
	snprintf(path, sizeof(path), "%s/lock", cfg->state_dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		mfw_err("cannot open %s: %s; fix the state directory", path, strerror(errno));
		return -MFW_EXIT_JOURNAL;
	}
	for (tries = 0; flock(fd, LOCK_EX | LOCK_NB) < 0; tries++) {
		*waited = true;
		if (tries < 10) {
			usleep(100 * 1000);
			continue;
		}
		if (!automatic) {
			mfw_err("another mfw upgrade or resume is running (it holds %s); wait for it",
				path);
			close(fd);
			return -MFW_EXIT_PORT;
		}
		if (tries == 10) {
			/* (signals taken over before the word that we wait) */
			mfw_sig_init();
			mfw_info("--auto: another mfw upgrade or resume is running (it holds %s); waiting for it to end, at most %d min",
				 path, MFW_AUTO_LOCK_WAIT_S / 60);
		}
		if (tries - 10 >= MFW_AUTO_LOCK_WAIT_S) {
			mfw_err("--auto: another mfw upgrade or resume still held %s after %d min; the package waits for the module's next identification, or run 'mfw upgrade --auto' once it has ended",
				path, MFW_AUTO_LOCK_WAIT_S / 60);
			close(fd);
			return -MFW_EXIT_PORT;
		}
		if (mfw_sig_sleep(1000) == -EINTR) {
			mfw_info("--auto: %s while waiting for %s: nothing was started",
				 strsignal(mfw_sig_pending()), path);
			close(fd);
			return -MFW_EXIT_INTERRUPTED;
		}
	}
	return fd;	/* held until exit */
}

/*
 * --auto on a port the module has not been identified on yet (it was just
 * attached, or its answer got lost): ask the driver to identify it now,
 * unless it flashes or reboots, when it does not answer until it reports
 * +MATREADY.  Bounded by the driver (cmd_timeout_ms and user_timeout_ms
 * per command).  True when the module answered.
 */
static bool mfw_auto_identify(const struct mfw_port *port)
{
	char state[32];
	int ret;

	if (mfw_port_get(port, "state", state, sizeof(state)) < 0 ||
	    (strcmp(state, "idle") && strcmp(state, "error")))
		return false;
	mfw_info("--auto: the module on %s is not identified yet; asking it", port->tty);
	ret = mfw_port_set(port, "identify", "1");
	if (ret)
		mfw_dbg("identify on %s: %s", port->tty, strerror(-ret));
	return !ret;
}

/* How mfw_auto_pick() looks. */
enum {
	MFW_LOOK_DRY = 1 << 0,		/* a dry run's: "would upgrade", nothing asked */
	MFW_LOOK_NO_ASK = 1 << 1,	/* the module is not asked to identify itself */
	MFW_LOOK_DEFER = 1 << 2,	/* a module not identified is no error */
};

/* mfw_auto_pick()'s answer when MFW_LOOK_DEFER left the module unknown. */
#define MFW_LOOK_UNIDENTIFIED	2

/*
 * --auto: the package mfw_pick_package() chooses for the module on
 * @tty_path, looking as @how (MFW_LOOK_*) says.  0 with @image set, 1 when
 * there is none, MFW_LOOK_UNIDENTIFIED, or -exit.
 */
static int mfw_auto_pick(const struct mfw_config *cfg, const char *tty_path,
			 char *image, size_t size, unsigned int how)
{
	bool dry = how & MFW_LOOK_DRY;
	char tty[MFW_NAME_MAX];
	struct mfw_port port;
	struct mfw_pick pick;

	if (!tty_path || mfw_tty_name(tty_path, tty, sizeof(tty)) ||
	    mfw_port_find(cfg->sysfs_root, tty, &port)) {
		mfw_err("--auto: no mfw port on %s; attach it first (mfw attach)",
			tty_path ? tty_path : "(no --port)");
		return -MFW_EXIT_PORT;
	}
	if (mfw_pick_package(cfg, &port, &pick) == MFW_PICK_UNIDENTIFIED &&
	    !(how & (MFW_LOOK_DRY | MFW_LOOK_NO_ASK)) && mfw_auto_identify(&port))
		mfw_pick_package(cfg, &port, &pick);
	switch (pick.verdict) {
	case MFW_PICK_UNIDENTIFIED:
		if (how & MFW_LOOK_DEFER)
			return MFW_LOOK_UNIDENTIFIED;
		mfw_err("--auto: %s; retry once it answers", pick.why);
		return -MFW_EXIT_PORT;
	case MFW_PICK_FOUND:
		mfw_info("%s %s", dry ? "would upgrade" : "upgrading", pick.why);
		snprintf(image, size, "%s", pick.image);
		return 0;
	default:
		mfw_info("--auto: %s", pick.why);
		return 1;
	}
}

/*
 * An unfinished upgrade in the journal blocks another one: always while the
 * module may be flashing, else unless --start-over.  0 or an exit code.
 */
static int mfw_check_unfinished(const struct mfw_session *s)
{
	struct mfw_journal old;
	char why[128];

	if (mfw_journal_read(s->cfg->state_dir, &old, why, sizeof(why)) ||
	    old.phase == MFW_PHASE_NONE || old.phase >= MFW_PHASE_DONE)
		return MFW_EXIT_OK;
	if (old.phase != MFW_PHASE_FLASHING && (s->o->allow & MFW_ALLOW_START_OVER)) {
		mfw_warn("an earlier upgrade of %s to %s is unfinished (phase %s); its journal is replaced once this upgrade starts, because of --start-over",
			 old.port, *old.target ? old.target : "an unknown version",
			 mfw_phase_name(old.phase));
		return MFW_EXIT_OK;
	}
	mfw_err("an earlier upgrade is unfinished (phase %s%s); run 'mfw resume' first%s",
		mfw_phase_name(old.phase),
		old.phase == MFW_PHASE_FLASHING ? ", the module may be flashing" : "",
		old.phase == MFW_PHASE_FLASHING ? "" : " (or --start-over)");
	return MFW_EXIT_JOURNAL;
}

/*
 * Whether another mfw holds the upgrade lock now: a look, not a wait, that
 * creates neither the state directory nor the lock file (neither exists
 * before a first upgrade: then nobody holds it).  0 with *@busy set, or
 * -errno when the lock file exists but cannot be opened.
 */
static int mfw_lock_peek(const struct mfw_config *cfg, bool *busy)
{
	char path[PATH_MAX];
	int fd;

	*busy = false;
	snprintf(path, sizeof(path), "%s/lock", cfg->state_dir);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	*busy = flock(fd, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
	close(fd);
	return 0;
}

/*
 * --dry-run: whether another upgrade holds the lock (mfw_lock_peek()).
 * For --auto (@automatic) a holder is no failure: the real run waits for
 * it; *@busy says there is one.  0 or an exit code.
 */
static int mfw_dry_lock(const struct mfw_config *cfg, bool automatic, bool *busy)
{
	int ret = mfw_lock_peek(cfg, busy);

	if (ret) {
		mfw_err("cannot open %s/lock: %s; an upgrade needs it (run as root, or fix state_dir=)",
			cfg->state_dir, strerror(-ret));
		return MFW_EXIT_JOURNAL;
	}
	if (!*busy)
		return MFW_EXIT_OK;
	if (!automatic) {
		mfw_err("another mfw upgrade or resume is running (it holds %s/lock); wait for it",
			cfg->state_dir);
		return MFW_EXIT_PORT;
	}
	mfw_info("--auto: another mfw upgrade or resume is running (it holds %s/lock); the upgrade would wait for it to end, then look again",
		 cfg->state_dir);
	return MFW_EXIT_OK;
}

/* Whether the journal records an upgrade begun and not ended. */
static bool mfw_journal_open(const struct mfw_config *cfg)
{
	struct mfw_journal j;
	char why[128];

	return !mfw_journal_read(cfg->state_dir, &j, why, sizeof(why)) &&
	       j.phase != MFW_PHASE_NONE && j.phase < MFW_PHASE_DONE;
}

/*
 * --auto and an upgrade begun and not ended (without --start-over): that
 * upgrade is mfw resume's to finish (mfw-resume.service at boot), not a
 * failure of this one, which has nothing to do until then.  True, said
 * as a warning, when that is the case.
 */
static bool mfw_auto_resume_s(const struct mfw_session *s)
{
	if ((s->o->allow & MFW_ALLOW_START_OVER) || !mfw_journal_open(s->cfg))
		return false;
	mfw_warn("an earlier upgrade is unfinished (its journal is in %s): nothing is installed until 'mfw resume' (mfw-resume.service at boot) has finished it",
		 s->cfg->state_dir);
	return true;
}

/*
 * --auto's look and lock (not for --dry-run).  It looks for a package
 * without the lock: every identification of the module starts it, and its
 * look must not fail an upgrade that someone (a fleet engine) starts at
 * that moment.  While another mfw holds the lock the module is not asked
 * anything (that one may be resetting or upgrading it): the look goes by
 * what the driver already knows.  With a package found, or a module not
 * known yet while the lock is held, it takes the lock, waiting for its
 * holder; then it reads the journal (exit 11 for an unfinished upgrade,
 * whose module it leaves alone), and after any wait it looks again: the
 * module may run another version now.  A journal of an upgrade begun and
 * not ended makes it take the lock before looking at all.
 * 0 with @tty set and @image the package, 0 with @image empty when there
 * is nothing to do, or an exit code.
 */
static int mfw_auto_locked(struct mfw_session *s, char *tty, size_t tty_size,
			   char *image, size_t image_size)
{
	bool waited = false, busy;
	int ret, lock;

	*image = '\0';
	ret = mfw_pick_tty(s, tty, tty_size);
	if (ret)
		return ret;
	if (!mfw_journal_open(s->cfg)) {
		/* (a lock file that cannot be opened fails at mfw_lock()) */
		mfw_lock_peek(s->cfg, &busy);
		ret = mfw_auto_pick(s->cfg, tty, image, image_size,
				    busy ? MFW_LOOK_NO_ASK | MFW_LOOK_DEFER : 0);
		if (ret < 0 || ret == 1)
			return ret < 0 ? -ret : MFW_EXIT_OK;
	}
	lock = mfw_lock(s->cfg, true, &waited);
	if (lock < 0)
		return -lock;
	if (mfw_auto_resume_s(s)) {
		*image = '\0';
		return MFW_EXIT_OK;
	}
	ret = mfw_check_unfinished(s);
	if (ret)
		return ret;
	if (!waited && *image)
		return MFW_EXIT_OK;
	*image = '\0';
	ret = mfw_auto_pick(s->cfg, tty, image, image_size, 0);
	return ret < 0 ? -ret : MFW_EXIT_OK;
}

int mfw_upgrade(const struct mfw_config *cfg, const struct mfw_upgrade_opts *uo)
{
	struct mfw_upgrade_opts ao = *uo, *o = &ao;
	char image[PATH_MAX] = "", tty[PATH_MAX];
	struct mfw_session s;
	int ret, lock, gate = MFW_EXIT_OK;
	bool waited, busy;

	mfw_session_init(&s, cfg, o);
	if (o->dry_run) {
		/* Both are checks of their own here: the rest still runs. */
		gate = mfw_dry_lock(cfg, o->automatic, &busy);
		/* As the real run: an unfinished upgrade, nothing to do. */
		if (o->automatic && !busy && !gate && mfw_auto_resume_s(&s))
			return MFW_EXIT_OK;
		/* A running upgrade's own journal is no earlier upgrade. */
		if (!busy)
			gate = gate ? gate : mfw_check_unfinished(&s);
		if (o->automatic) {
			ret = mfw_pick_tty(&s, tty, sizeof(tty));
			if (ret)
				return gate ? gate : ret;
			ret = mfw_auto_pick(cfg, tty, image, sizeof(image), MFW_LOOK_DRY);
			if (ret)
				return gate ? gate : ret < 0 ? -ret : MFW_EXIT_OK;
		}
	} else if (o->automatic) {
		ret = mfw_auto_locked(&s, tty, sizeof(tty), image, sizeof(image));
		/* (nothing to do, with the lock taken or not: 0) */
		if (ret || !*image)
			return ret;
	} else {
		lock = mfw_lock(cfg, false, &waited);
		if (lock < 0)
			return -lock;
		ret = mfw_check_unfinished(&s);
		if (ret)
			return ret;
	}
	if (o->automatic) {
		o->image = image;
		o->port = tty;
	}
	ret = mfw_sess_names(&s);
	if (ret && !o->dry_run)
		return mfw_finish(&s, ret);
	if (o->dry_run) {
		gate = gate ? gate : ret;
		ret = mfw_dry_run(&s, gate);
		return mfw_finish(&s, gate ? gate : ret);
	}
	ret = mfw_begin(&s, false);
	if (ret)
		return mfw_finish(&s, ret);
	s.j.started = time(NULL);
	mfw_out_phase("verify", o->image ? o->image : o->url);
	ret = mfw_phase_verify(&s, false);
	if (!ret)
		ret = mfw_phase_power(&s);
	if (!ret) {
		mfw_out_phase("port", NULL);
		ret = mfw_phase_port(&s, false, NULL);
	}
	if (!ret)
		ret = mfw_phase_match(&s);
	if (!ret && s.have_man)
		ret = mfw_phase_order(&s);
	if (ret == MFW_NOTHING_TO_DO)
		return mfw_finish(&s, MFW_EXIT_OK);
	if (!ret)
		ret = mfw_run(&s, false);
	return mfw_finish(&s, ret);
}

int mfw_resume(const struct mfw_config *cfg, const struct mfw_upgrade_opts *o)
{
	struct mfw_upgrade_opts ro = *o;
	struct mfw_session s;
	char why[128];
	bool waited;
	int ret;

	mfw_session_init(&s, cfg, &ro);
	ret = mfw_lock(cfg, false, &waited);
	if (ret < 0)
		return -ret;
	ret = mfw_journal_read(cfg->state_dir, &s.j, why, sizeof(why));
	if (ret == -ENOENT) {
		mfw_info("no upgrade to resume");
		return MFW_EXIT_OK;
	}
	if (ret == -EBADMSG) {
		mfw_journal_set_aside(cfg->state_dir);
		mfw_err("the journal in %s is corrupt (%s) and was moved to journal.corrupt; the module may have been flashing: do not power it off, check 'mfw status' once it answers and upgrade again",
			cfg->state_dir, why);
		return MFW_EXIT_JOURNAL;
	}
	if (ret) {
		mfw_err("cannot read the journal in %s: %s; fix the state directory",
			cfg->state_dir, strerror(-ret));
		return MFW_EXIT_JOURNAL;
	}
	if (s.j.phase == MFW_PHASE_NONE || s.j.phase >= MFW_PHASE_DONE) {
		mfw_info("nothing to resume: the last upgrade is %s (%s)",
			 mfw_phase_name(s.j.phase), s.j.note);
		return MFW_EXIT_OK;
	}
	ro.image = *s.j.image ? s.j.image : NULL;
	ro.url = *s.j.url ? s.j.url : NULL;
	ro.manifest = *s.j.manifest ? s.j.manifest : NULL;
	if (!ro.port || !*ro.port)
		ro.port = s.j.port;
	mfw_info("resuming the upgrade of %s (phase %s)", s.j.port,
		 mfw_phase_name(s.j.phase));
	/*
	 * --port names the module to take (one that replaced it): its IMEI
	 * becomes the journal's at its first identification.
	 */
	if (o->port && *o->port && *s.j.imei) {
		mfw_info("--port %s: the module there is taken whatever its IMEI (the journal's is %s)",
			 o->port, s.j.imei);
		s.take_any = true;
	}
	ret = mfw_begin(&s, true);
	if (ret)
		return mfw_finish(&s, ret);
	mfw_trace("resume from phase %s", mfw_phase_name(s.j.phase));
	if (mfw_phase_flashing(s.j.phase)) {
		/* Wait it out: no writes, no power changes, only watching. */
		char path[PATH_MAX];

		ret = mfw_pick_tty(&s, path, sizeof(path));
		if (ret)
			return mfw_finish(&s, ret);
		mfw_link_init(&s.link, path, cfg->speed, cfg->sysfs_root);
		s.link.follow_moves = true;	/* proven by the IMEI: follow.c */
		/*
		 * The module where the journal saw it, whatever its tty is
		 * called now; a --port names the tty to take instead (a
		 * module that came back as another USB device).
		 */
		if (!o->port || !*o->port)
			snprintf(s.link.ident, sizeof(s.link.ident), "%s", s.j.usbpath);
		if (mfw_sess_hold_lines(&s))
			return mfw_finish(&s, MFW_EXIT_GPIO);
		/*
		 * No wait for ModemManager to list the port: the module is
		 * flashing, its port may come and go, and what it reports
		 * meanwhile is followed from now on.  Only a port where the
		 * journal saw the module is inhibited now; otherwise (not
		 * there yet, or another module holds its old tty name)
		 * ModemManager's inhibition waits until the module is found
		 * (mfw_inhibit_follow()), and the logind lock does not.
		 */
		ret = mfw_inhibit_take(!mfw_link_locate(&s.link) && !s.link.moved ?
				       s.link.tty : NULL, MFW_INHIBIT_WHY, 0, &s.inh);
		if (ret == -EINTR)
			return mfw_finish(&s, MFW_EXIT_INTERRUPTED);
		/* Leaving would not stop the flash: following is better. */
		if (ret == -EBUSY)
			mfw_warn("following the flashing module without ModemManager's inhibition");
		s.own_link = true;
		s.resolve = true;
		return mfw_finish(&s, mfw_sess_follow(&s));
	}
	ret = mfw_phase_verify(&s, true);
	if (ret == MFW_EXIT_USAGE || ret == MFW_EXIT_VERIFY) {
		/*
		 * Not flashing (that case returned above): the module runs
		 * its firmware and a new upgrade starts from byte 0, so the
		 * journal is closed rather than left to fail every boot's
		 * resume and hold back every later upgrade.  First the
		 * module's UART goes back to the board's rate and echo, if
		 * the transfer changed them (the port phase does that).
		 */
		const char *ident = o->port && *o->port ? NULL : s.j.usbpath;
		int lane;

		if ((s.j.rate && s.j.rate != s.j.board_rate) || s.j.echo_off) {
			lane = mfw_phase_port(&s, true, ident);
			if (lane) {
				mfw_err("the interrupted upgrade cannot go on without its package, and the module's line must first go back to the board's rate and echo: the journal stays; run 'mfw resume' again once the module answers");
				return mfw_finish(&s, lane);
			}
		}
		mfw_err("the interrupted upgrade cannot go on without its package (see above: lost with the power, removed, replaced or refused). The module was not flashing and still runs its firmware; the upgrade is closed as failed: upgrade again with the package");
		ret = mfw_sess_journal(&s, MFW_PHASE_FAILED, "package gone or changed before flashing");
		return mfw_finish(&s, ret ? ret : MFW_EXIT_VERIFY);
	}
	if (!ret)
		ret = mfw_phase_power(&s);
	/* The module where the journal saw it, unless --port names a tty. */
	if (!ret)
		ret = mfw_phase_port(&s, true, o->port && *o->port ? NULL : s.j.usbpath);
	if (!ret)
		ret = mfw_phase_match(&s);
	if (!ret && *s.j.target && !strcmp(s.firmware, s.j.target)) {
		/* It got there (the journal missed the end): nothing to redo. */
		mfw_info("the module already runs %s, the interrupted upgrade's target; closing the journal",
			 s.firmware);
		return mfw_finish(&s, mfw_sess_journal(&s, MFW_PHASE_DONE,
						       "the module runs the target"));
	}
	if (!ret && *s.j.from && strcmp(s.firmware, s.j.from)) {
		/* Something else upgraded it meanwhile: no going back by resuming. */
		mfw_err("the module runs %s, not the %s the interrupted upgrade started from; the journal is closed as failed. Start a new upgrade if it is still wanted ('mfw upgrade %s')",
			s.firmware, s.j.from, *s.j.image ? s.j.image : "--url ...");
		ret = mfw_sess_journal(&s, MFW_PHASE_FAILED, "overtaken: the module runs another version");
		return mfw_finish(&s, ret ? ret : MFW_EXIT_VERIFY);
	}
	if (!ret)
		ret = mfw_run(&s, true);
	return mfw_finish(&s, ret);
}
