// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - the faster line rate of a package transfer on a UART: the
 * upgrade's side of rate.c, with the journal and the messages.
 *
 * The order of the steps is what keeps the module reachable after any
 * fault.  The journal names the fast rate before AT+IPR asks for it and
 * names the board's rate again only once the module answers at it, so
 * that a helper killed at any point, or a module that lost its power and
 * came back at a rate it saved, is looked for at both rates by the next
 * run (mfw_lane_recover(), from "mfw resume", which mfw-resume.service
 * runs at boot).  The board's rate comes back before AT+MFWUPGRADE: the
 * module reboots into the upgrade at the rate the board expects (SPEC §5:
 * an upgrade keeps the rate in use).
 *
 * A module that echoes gets ATE0 for the transfer and ATE1 after it.  At
 * the fast rate the echo of each hex line (AT+MFWDLOAD with 1 KiB of hex)
 * is as much again for the host's UART and the line discipline to take
 * in, and a host that takes it in slower than the wire brings it pays
 * that time on every line (SPEC §5: hosts send ATE0 anyway).  A module
 * that refuses either keeps its echo as it is: echo costs time, never
 * bytes.  The journal says echo_off=1 before ATE0 and until an ATE1 was
 * answered or refused twice (then a warning), so that the next run ("mfw
 * resume") turns it back on, whatever the rate.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "mfw_ipr.h"
#include "out.h"
#include "session.h"
#include "trace.h"
#include "util.h"

/* A "rate" event with --json (mfw-events.schema.json). */
static void mfw_lane_event(const char *action, long rate, long board,
			   const char *detail)
{
	struct mfw_json j;

	if (!mfw_json)
		return;
	mfw_json_begin(&j, "rate");
	mfw_json_str(&j, "action", action);
	mfw_json_int(&j, "rate", rate);
	mfw_json_int(&j, "board_rate", board);
	if (detail)
		mfw_json_str(&j, "detail", detail);
	mfw_json_emit(&j);
}

/* The tty's node now. */
static const char *mfw_lane_node(const struct mfw_session *s)
{
	return *s->link.node ? s->link.node : s->link.path;
}

/*
 * The tty of the port for rate.c, opened for its commands: the link's
 * hold is write-only (link.h).  A write parked behind the driver's
 * command waits for its timeout (module parameter cmd_timeout_ms) and a
 * second more.
 */
static int mfw_lane_open(struct mfw_session *s)
{
	char path[PATH_MAX], text[32];
	long ms;
	int ret = mfw_rate_open(&s->rate, -1, mfw_lane_node(s));

	if (ret) {
		mfw_rate_close(&s->rate);
		return ret;
	}
	snprintf(path, sizeof(path), "%s/module/mfw/parameters/cmd_timeout_ms",
		 s->cfg->sysfs_root);
	if (mfw_read_text(path, text, sizeof(text)) > 0 &&
	    !mfw_parse_long(text, 100, 600000, &ms))
		s->rate.parked_ms = (int)ms + 1000;
	return 0;
}

static int mfw_lane_journal(struct mfw_session *s, long rate, const char *fmt,
			    long arg)
{
	char note[MFW_JSTR];

	snprintf(note, sizeof(note), fmt, arg);
	s->j.rate = rate;
	return mfw_sess_journal(s, s->j.phase, note);
}

/*
 * Echo off for the transfer when the last probe came back echoed.  No
 * ATE0 without the journal saying so first: a journal that cannot be
 * written leaves the echo on (the transfer then stops at its own next
 * journal write, and mfw_lane_down() still runs).  An ATE0 that got no
 * answer is followed by a probe, so that a late OK is not taken for the
 * next command's.
 */
static void mfw_lane_quiet(struct mfw_session *s)
{
	int ret;

	if (!s->rate.echo)
		return;
	s->j.echo_off = 1;
	if (mfw_sess_journal(s, s->j.phase, NULL)) {
		s->j.echo_off = 0;
		return;
	}
	ret = mfw_rate_echo_off(&s->rate);
	mfw_trace("echo off for the transfer: %s", ret ? strerror(-ret) : "done");
	if (ret == -ETIMEDOUT)
		mfw_rate_probe(&s->rate, 2);
	/* Refused: the echo is as it was, nothing to turn back on. */
	if (ret == -EREMOTEIO)
		s->j.echo_off = 0;
}

/*
 * Echo on again after mfw_lane_quiet(), at the rate in use; 0 or -errno.
 * echo_off stays set in the journal until the module answered.
 */
static int mfw_lane_loud(struct mfw_session *s)
{
	int ret;

	if (!s->j.echo_off)
		return 0;
	ret = mfw_rate_echo_on(&s->rate);
	mfw_trace("echo on again: %s", ret ? strerror(-ret) : "done");
	if (!ret)
		s->j.echo_off = 0;
	return ret;
}

/* The last try, at the board's rate: a refusal is said and forgotten. */
static void mfw_lane_loud_last(struct mfw_session *s)
{
	if (mfw_lane_loud(s) && s->j.echo_off) {
		mfw_warn("the module did not answer ATE1 after the faster transfer; its echo stays off until it restarts (send ATE1 to it)");
		s->j.echo_off = 0;
	}
}

int mfw_lane_up(struct mfw_session *s)
{
	long want = s->o->fast_rate >= 0 ? s->o->fast_rate : s->cfg->fast_rate;
	char why[128], list[160];
	long board, got;
	int ret;

	if (!want)
		return MFW_EXIT_OK;
	if (!mfw_rate_uart(s->cfg->sysfs_root, s->link.tty, why, sizeof(why))) {
		mfw_warn("fast rate %ld not used: %s is %s, whose rate means nothing to the module; transferring as usual (set fast_rate=0 for this port)",
			 want, s->link.tty, why);
		mfw_lane_event("skipped", 0, 0, why);
		return MFW_EXIT_OK;
	}
	if (mfw_ipr_speed(want) == B0 || !mfw_ipr_supported(s->model->name, want)) {
		mfw_ipr_list(s->model->name, list, sizeof(list));
		mfw_warn("fast rate %ld not used: the %s family takes %s (SPEC: AT+IPR) and Linux must have the termios speed; transferring at the board's rate",
			 want, s->model->name, list);
		mfw_lane_event("skipped", 0, 0, "rate not taken by the family");
		return MFW_EXIT_OK;
	}
	ret = mfw_lane_open(s);
	if (ret) {
		mfw_warn("fast rate %ld not used: cannot use the tty %s (%s); transferring at the board's rate",
			 want, s->link.tty, strerror(-ret));
		mfw_lane_event("skipped", 0, 0, strerror(-ret));
		return MFW_EXIT_OK;
	}
	board = s->rate.board;
	if (want == board) {
		mfw_rate_close(&s->rate);
		return MFW_EXIT_OK;
	}
	ret = mfw_rate_host_takes(&s->rate, want, &got);
	if (ret) {
		if (ret == -ERANGE)
			snprintf(why, sizeof(why), "it runs at %ld when asked for %ld: its clock is too slow",
				 got, want);
		else
			snprintf(why, sizeof(why), "%s", strerror(-ret));
		mfw_warn("fast rate %ld not used: the host's UART %s cannot take it (%s); transferring at the board's %ld (lower fast_rate=, or see 'Faster transfers on a UART' in the admin guide)",
			 want, s->link.tty, why, board);
		mfw_lane_event("skipped", board, board, "the host's UART cannot take the rate");
		mfw_rate_close(&s->rate);
		return MFW_EXIT_OK;
	}
	ret = mfw_rate_query(&s->rate);
	if (ret) {
		mfw_warn("fast rate %ld not used: the module does not say its rate (AT+IPR?: %s); transferring at %ld",
			 want, strerror(-ret), board);
		mfw_lane_event("skipped", board, board, "AT+IPR? not answered");
		mfw_rate_close(&s->rate);
		return MFW_EXIT_OK;
	}
	/* From the AT+IPR on, the module may be at either rate. */
	s->j.board_rate = board;
	s->j.board_ipr = s->rate.board_ipr;
	ret = mfw_lane_journal(s, want, "asking for %ld bit/s", want);
	if (ret)
		return ret;
	mfw_trace("rate: %ld -> %ld (module AT+IPR %ld)", board, want, s->rate.board_ipr);
	switch (mfw_rate_up(&s->rate, want)) {
	case MFW_RATE_SWITCHED:
		mfw_info("transferring at %ld bit/s (the board's rate is %ld)", want, board);
		mfw_lane_event("switched", want, board, NULL);
		s->lane = true;
		mfw_lane_quiet(s);
		/* Nobody reads it during the transfer: mfw_rate_pause(). */
		mfw_rate_pause(&s->rate);
		return MFW_EXIT_OK;
	case MFW_RATE_REFUSED:
		mfw_warn("the module refused %ld bit/s (AT+IPR answered an error); transferring at %ld",
			 want, board);
		mfw_lane_event("refused", board, board, NULL);
		break;
	case MFW_RATE_FELL_BACK:
		mfw_warn("no answer at %ld bit/s: this board's UART or level shifter does not carry it; back at %ld and transferring at it (see 'Faster transfers on a UART' in the admin guide, or lower fast_rate=)",
			 want, board);
		mfw_lane_event("fell_back", board, board, "no answer at the new rate");
		break;
	case MFW_RATE_LOST:
		mfw_err("the module answers neither at %ld nor at %ld bit/s after the rate change; wait for it or reset it (mfw power reset), then run 'mfw resume', which looks for it at both rates",
			want, board);
		mfw_lane_event("lost", 0, board, NULL);
		mfw_sess_journal(s, s->j.phase, "module lost after a rate change");
		return MFW_EXIT_PORT;
	}
	mfw_rate_close(&s->rate);
	return mfw_lane_journal(s, 0, "transfer at the board's %ld bit/s", board);
}

int mfw_lane_down(struct mfw_session *s)
{
	long fast = s->rate.now;
	int ret;

	if (!s->lane)
		return MFW_EXIT_OK;
	s->lane = false;
	ret = mfw_rate_resume(&s->rate, mfw_lane_node(s));
	if (ret) {
		mfw_err("cannot open %s again to bring the module back to the board's %ld bit/s (%s); it is not upgrading. Run 'mfw resume', which looks for it at both rates",
			mfw_lane_node(s), s->rate.board, strerror(-ret));
		mfw_lane_event("lost", 0, s->rate.board, "tty not opened after the transfer");
		mfw_rate_close(&s->rate);
		return MFW_EXIT_PORT;
	}
	/* At the fast rate first; at the board's once more if that failed. */
	mfw_lane_loud(s);
	ret = mfw_rate_restore(&s->rate);
	if (ret) {
		mfw_err("the module does not answer at the board's %ld bit/s nor at %ld after the transfer; it is not upgrading. Wait for it or reset it (mfw power reset), then run 'mfw resume', which looks for it at both rates",
			s->rate.board, fast);
		mfw_lane_event("lost", 0, s->rate.board, "after the transfer");
		mfw_rate_close(&s->rate);
		return MFW_EXIT_PORT;
	}
	mfw_info("back at the board's %ld bit/s", s->rate.board);
	mfw_lane_event("restored", s->rate.board, s->rate.board, NULL);
	mfw_lane_loud_last(s);
	mfw_rate_close(&s->rate);
	/* The note stays the write's: how it ended matters more. */
	s->j.rate = 0;
	return mfw_sess_journal(s, s->j.phase, NULL);
}

int mfw_lane_recover(struct mfw_session *s)
{
	long at, first = s->j.rate, board = s->j.board_rate;
	int ret;

	if (!first || !board || first == board) {
		/* At the board's rate, perhaps with the echo still off. */
		if (!s->j.echo_off)
			return MFW_EXIT_OK;
		if (mfw_lane_open(s)) {
			mfw_warn("the journal says the module's echo may be off, but the tty %s cannot be used; send ATE1 to the module",
				 s->link.tty);
			s->j.echo_off = 0;
		} else {
			mfw_lane_loud_last(s);
			mfw_rate_close(&s->rate);
		}
		return mfw_sess_journal(s, s->j.phase, NULL);
	}
	ret = mfw_lane_open(s);
	if (ret) {
		mfw_err("the journal says the module may run at %ld bit/s, but the tty %s cannot be used (%s); fix that and run 'mfw resume' again",
			first, s->link.tty, strerror(-ret));
		return MFW_EXIT_PORT;
	}
	s->rate.board = board;
	s->rate.board_ipr = s->j.board_ipr;
	mfw_trace("rate: looking for the module at %ld, then %ld", first, board);
	at = mfw_rate_find(&s->rate, first, board);
	if (at && at != board) {
		s->rate.now = at;
		if (mfw_rate_restore(&s->rate))
			at = 0;
	}
	if (!at) {
		mfw_err("the module answers neither at %ld bit/s (where the interrupted transfer ran) nor at the board's %ld; wait for it to boot or reset it (mfw power reset), then run 'mfw resume' again",
			first, board);
		mfw_lane_event("lost", 0, board, "looking for the module");
		mfw_rate_host(&s->rate, board);
		mfw_rate_close(&s->rate);
		return MFW_EXIT_PORT;
	}
	mfw_info("found the module %s; it runs at the board's %ld bit/s again",
		 at == board ? "at the board's rate" : "at the faster rate", board);
	mfw_lane_loud_last(s);
	mfw_lane_event("found", board, board, at == board ? "at the board's rate" : "at the faster rate");
	mfw_rate_close(&s->rate);
	return mfw_lane_journal(s, 0, "module back at the board's %ld bit/s", board);
}
