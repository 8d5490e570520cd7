// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - AT+MFWUPGRADE, reboots, boot and power loss.
 *
 * An upgrade flashes in as many segments as the row's reboots, with a
 * planned reboot after each. The stage is persisted before every step, so
 * a simulator restart in the middle behaves like the power going away:
 * during UP_FLASHING the module rolls back when its row says so and is
 * bricked otherwise; after a planned reboot it carries on.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

#define PERCENT_STEP	4	/* "+MFWUPGRADE: 1,64", "...,68" as the manual */

static const struct mfw_upgrade *behaviour(struct sim *sim)
{
	return sim->p.up_special ? &sim->model->special : &sim->model->stored;
}

static void finish_package(struct sim *sim)
{
	state_pkg_reset(sim);
	sim->p.dl_state = DL_IDLE;
	sim->p.dl_total = -1;
	sim->p.dl_resumable = false;
	sim->p.dl_interrupts = 0;
	sim->p.erased = false;
	sim->p.up_stage = UP_NONE;
	sim->p.up_reboots = 0;
	sim->p.up_early = false;
}

/* Percent range of flash segment @seg; the special mode's download
 * counts as the first half.
 */
static void segment(struct sim *sim, int seg, int *from, int *to)
{
	const struct mfw_upgrade *b = behaviour(sim);
	int base = sim->p.up_special ? 50 : 0, span = 100 - base;
	int r = b->reboots ? (int)b->reboots : 1;

	*from = base + span * seg / r;
	*to = base + span * (seg + 1) / r;
}

static void early_reboot(struct sim *sim, long arg)
{
	(void)arg;
	sim_reboot(sim);
}

/* The "early" fault, if it fired at this AT+MFWUPGRADE, applies to it. */
static void take_early(struct sim *sim)
{
	sim->p.up_early = sim->early_armed;
	sim->early_armed = false;
}

static void flash_step(struct sim *sim, long pct)
{
	const struct mfw_upgrade *b = behaviour(sim);
	int from, to, r = b->reboots ? (int)b->reboots : 1;
	int steps;
	struct fault *f;
	long ms;

	segment(sim, sim->p.up_reboots, &from, &to);
	f = fault_upgrade(sim, (int)pct);
	if (f && f->act == FA_POWERLOSS) {
		sim_power_loss(sim);
		return;
	}
	/* A URC, an SMS, noise before the next line (the reboot's). */
	if (f)
		at_fault_line(sim, f);
	if (b->percent && pct > from && pct != sim->up_last_percent) {
		at_report(sim, "+MFWUPGRADE: 1,%ld", pct);
		sim->up_last_percent = (int)pct;
	}
	if (pct >= to) {
		sim->p.up_stage = UP_REBOOTING;
		sim->p.up_reboots++;
		state_save(sim);
		/*
		 * Some modules say how it went, go on answering with the old
		 * firmware for a moment, then reboot into the new one.
		 */
		if (sim->p.up_early && sim->p.up_reboots >= (int)b->reboots) {
			at_report(sim, "+MFWUPGRADE: %d", sim->p.up_fail ? 3 : 2);
			sim->mode = M_CMD;
			sim->early_pending = true;
			sim_timer_add(sim, sim->early_ms, early_reboot, 0);
			return;
		}
		sim_reboot(sim);
		return;
	}
	steps = (to - from + PERCENT_STEP - 1) / PERCENT_STEP;
	pct += PERCENT_STEP;
	if (pct > to)
		pct = to;
	/* Cued (--flash-until-signal): the rest of the steps at once. */
	ms = sim->flash_until_signal && sim->cued ? 0 :
	     sim->flash_ms / r / (steps ? steps : 1);
	sim_timer_add(sim, ms, flash_step, pct);
}

static void flash_segment(struct sim *sim)
{
	int from, to;

	segment(sim, sim->p.up_reboots, &from, &to);
	sim->p.up_stage = UP_FLASHING;
	state_save(sim);
	sim->mode = M_BUSY;
	flash_step(sim, from);
}

static bool package_bad(struct sim *sim, const struct pkg_info *pi)
{
	return pi->digest_bad ||
	       (pi->base[0] && strcmp(pi->base, sim->p.version));
}

static void start_flash(struct sim *sim, const struct pkg_info *pi,
			bool fail)
{
	sim->p.up_fail = fail;
	snprintf(sim->p.up_target, sizeof(sim->p.up_target), "%s",
		 pi->has_version ? pi->version : sim->p.version);
	sim->p.up_reboots = 0;
	sim->up_last_percent = -1;
	transcript_event("upgrade to %s%s", sim->p.up_target,
			 fail ? " (will fail)" : "");
	flash_segment(sim);
}

/* AT+MFWUPGRADE refused: no upgrade starts, so no early outcome either. */
static void refuse(struct sim *sim, int code)
{
	sim->p.up_early = false;
	at_cme(sim, code);
}

void upgrade_cmd(struct sim *sim, const char *args, char form)
{
	const struct mfw_model *m = sim->model;
	bool stored_path = m->paths & (MFW_PATH_HEX | MFW_PATH_TRANSPARENT |
				       MFW_PATH_REMOTE);
	struct pkg_info pi;
	bool bad;

	(void)args;
	/* An upgrade under way keeps its own; a refused one takes none. */
	if (!at_exec_form(sim, form)) {
		sim->early_armed = false;
		return;
	}
	/* Reported, about to reboot into it: nothing new starts now. */
	if (remote_active(sim) || sim->early_pending) {
		sim->early_armed = false;
		at_cme(sim, MFW_CME_UPGRADE);
		return;
	}
	take_early(sim);
	if (stored_path && fota_pkg_complete(sim)) {
		pkg_inspect(sim->pkg, sim->p.pkg_len, &pi);
		bad = package_bad(sim, &pi) || pi.kind != MFW_PKG_SYSTEM;
		/* Without rollback the module checks before it starts. */
		if (bad && !m->stored.rollback) {
			refuse(sim, MFW_CME_UPGRADE);
			return;
		}
		sim->p.up_special = false;
		if (m->stored.ok || sim->p.up_early)
			at_line(sim, "OK");
		start_flash(sim, &pi, bad);
		return;
	}
	if (!(m->paths & MFW_PATH_SPECIAL)) {
		refuse(sim, MFW_CME_UPGRADE);
		return;
	}
	if (!sim->p.url[0]) {
		refuse(sim, MFW_CME_CONFIG);
		return;
	}
	if (sim->p.network_off) {
		refuse(sim, MFW_CME_NO_NETWORK);
		return;
	}
	/* Special mode: fetch into the package area, then flash. */
	sim->p.up_special = true;
	state_pkg_reset(sim);
	sim->p.dl_total = -1;
	sim->p.dl_interrupts = 0;
	sim->p.pkg_src = SRC_SPECIAL;
	sim->up_last_percent = -1;
	if (remote_start(sim, true))
		refuse(sim, MFW_CME_DOWNLOAD);
}

void upgrade_special_progress(struct sim *sim)
{
	long pct;

	if (!sim->model->special.percent || sim->p.dl_total <= 0)
		return;
	pct = (long)(sim->p.pkg_len * 50 / sim->p.dl_total);
	pct -= pct % PERCENT_STEP;
	if (pct > sim->up_last_percent) {
		at_report(sim, "+MFWUPGRADE: 1,%ld", pct);
		sim->up_last_percent = (int)pct;
	}
}

void upgrade_special_done(struct sim *sim, int err)
{
	struct pkg_info pi;

	if (!err) {
		pkg_inspect(sim->pkg, sim->p.pkg_len, &pi);
		err = mfw_model_pkg_error(sim->model, pi.kind, true);
		if (!err && package_bad(sim, &pi))
			err = MFW_CME_UPGRADE;
	}
	if (err) {
		finish_package(sim);
		state_save(sim);
		at_cme(sim, err);
		return;
	}
	start_flash(sim, &pi, false);
}

static void boot_step(struct sim *sim, long arg)
{
	if (tp_restore(sim)) {
		sim_timer_add(sim, 100, boot_step, arg);
		return;
	}
	sim_boot_done(sim, arg);
}

void sim_reboot(struct sim *sim)
{
	/*
	 * What the module said before it went down goes out first, and so
	 * into the transcript before the reboot.
	 */
	tp_hangup(sim);
	transcript_event("reboot");
	sim->early_pending = false;
	remote_abort(sim);
	sim->dload_waiting = false;
	/* It boots at the rate it saved, else at its power-up rate. */
	tp_set_rate(sim, sim->p.ipr >= 0 ? sim->p.ipr : sim->rate_boot);
	sim->mode = M_DOWN;
	sim->inq_len = 0;
	sim->line_len = 0;
	sim->line_long = false;
	sim->echo = true;
	sim->cmee = sim->cmee_default;
	sim->sms_text = 0;	/* AT+CMGF is not stored: PDU mode again */
	sim->stalled = false;
	for (int i = 0; i < SIM_TIMERS; i++)
		sim->timers[i].used = false;
	/*
	 * A reboot the upgrade makes boots new firmware, which may take
	 * longer the first time (--upgrade-boot-ms).
	 */
	sim_timer_add(sim, sim->p.up_stage == UP_REBOOTING &&
		      sim->upgrade_boot_ms >= 0 ? sim->upgrade_boot_ms :
		      sim->boot_ms, boot_step, 0);
}

/*
 * Boot finished (arg 0), or the port came back after a disconnect fault
 * (arg 1, the module itself kept running).
 */
void sim_boot_done(struct sim *sim, long arg)
{
	struct persist *p = &sim->p;
	const struct mfw_upgrade *b = behaviour(sim);

	if (arg == 1) {
		if (tp_restore(sim))
			sim_timer_add(sim, 100, sim_boot_done, 1);
		else if (sim->mode == M_DOWN)
			sim->mode = M_CMD;
		return;
	}
	if (p->bricked) {
		transcript_event("bricked: silent");
		sim->mode = M_BRICKED;
		return;
	}
	switch (p->up_stage) {
	case UP_FLASHING:
		/* The power went while flashing. */
		if (!b->rollback) {
			p->bricked = true;
			state_save(sim);
			transcript_event("bricked by power loss");
			sim->mode = M_BRICKED;
			return;
		}
		finish_package(sim);
		state_save(sim);
		sim->mode = sim->autobaud ? M_AUTOBAUD : M_CMD;
		at_line(sim, "+MATREADY");
		at_report(sim, "+MFWUPGRADE: 3");
		break;
	case UP_REBOOTING:
		if (p->up_reboots < (int)b->reboots) {
			flash_segment(sim);	/* still upgrading: no AT yet */
			return;
		}
		if (!p->up_fail)
			snprintf(p->version, sizeof(p->version), "%s",
				 p->up_target);
		sim->mode = sim->autobaud ? M_AUTOBAUD : M_CMD;
		at_line(sim, "+MATREADY");
		if (!p->up_early)
			at_report(sim, "+MFWUPGRADE: %d", p->up_fail ? 3 : 2);
		finish_package(sim);
		state_save(sim);
		break;
	default:
		sim->mode = sim->autobaud ? M_AUTOBAUD : M_CMD;
		at_line(sim, "+MATREADY");
		break;
	}
}

void sim_power_loss(struct sim *sim)
{
	transcript_event("power loss");
	state_save(sim);
	transcript_close();
	_exit(3);
}

void sim_recover(struct sim *sim)
{
	transcript_event("recovery flash");
	sim->p.bricked = false;
	finish_package(sim);
	state_save(sim);
	sim_reboot(sim);
}
