/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - what one upgrade run holds, shared by its phases
 * (upgrade.c drives them, transfer.c moves the package, follow.c waits
 * for the module).
 */
#ifndef MFW_SESSION_H
#define MFW_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"
#include "journal.h"
#include "link.h"
#include "manifest.h"
#include "mfw_models.h"
#include "port.h"
#include "power.h"
#include "upgrade.h"

struct mfw_inhibit;

struct mfw_session {
	const struct mfw_config *cfg;
	const struct mfw_upgrade_opts *o;
	struct mfw_journal j;
	struct mfw_link link;
	bool own_link;			/* we attach (nobody else holds the port) */
	struct mfw_port port;
	bool have_port;
	struct mfw_watch *watch;
	struct mfw_inhibit *inh;
	struct mfw_power_hold hold;
	unsigned char *image;
	size_t size;
	struct mfw_manifest man;
	bool have_man;
	const struct mfw_model *model;
	char family[MFW_VERSION_MAX];
	char firmware[MFW_VERSION_MAX];
	int dev;			/* /dev/mfwN for reports, -1 */
	char urc[1024];			/* partial report line */
	size_t urc_len;
	char fail_note[MFW_JSTR];	/* journal note of a refusal, or empty */
	bool resolve;			/* settle a flashing journal at the timeout */
};

/* Record a phase (and a note) in the journal.  0 or an exit code. */
int mfw_sess_journal(struct mfw_session *s, enum mfw_phase phase,
		     const char *note);

/* Milliseconds left until @deadline, at least 0. */
int mfw_left_ms(int64_t deadline);

/* follow.c */
int mfw_sess_wait_port(struct mfw_session *s, int timeout_ms);
int mfw_sess_open_dev(struct mfw_session *s);
void mfw_sess_close_dev(struct mfw_session *s);
int mfw_sess_urc(struct mfw_session *s, char *line, size_t size);
/*
 * Read and drop the reports the port queued before now (a +MATREADY from
 * when the module was plugged in, say), so that what follows a command
 * is the module's word on that command.  Each goes to the trace.
 */
void mfw_sess_drain_reports(struct mfw_session *s);
int mfw_sess_identify(struct mfw_session *s);
int mfw_sess_ready(struct mfw_session *s, int timeout_ms);
int mfw_sess_follow(struct mfw_session *s);

/* transfer.c */
int mfw_sess_write(struct mfw_session *s, bool resume);
int mfw_sess_download(struct mfw_session *s);

#endif /* MFW_SESSION_H */
