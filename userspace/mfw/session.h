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
#include "rate.h"
#include "upgrade.h"

struct mfw_inhibit;

struct mfw_session {
	const struct mfw_config *cfg;
	const struct mfw_upgrade_opts *o;
	struct mfw_journal j;
	struct mfw_link link;
	bool own_link;			/* we attach (nobody else holds the port) */
	/*
	 * mfw resume --port: the module there is taken whatever its IMEI,
	 * which the journal learns at its first identification.
	 */
	bool take_any;
	/*
	 * An unproven port on another USB path (follow.c): when it may be
	 * asked to identify itself next, which port, and how often it was.
	 */
	int64_t prove_next;
	char prove_found[MFW_IDENT_MAX];
	int prove_tries;
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
	struct mfw_rate rate;		/* the tty of the faster transfer */
	bool lane;			/* the transfer runs at the faster rate */
};

/* Record a phase (and a note) in the journal.  0 or an exit code. */
int mfw_sess_journal(struct mfw_session *s, enum mfw_phase phase,
		     const char *note);

/* Milliseconds left until @deadline, at least 0. */
int mfw_left_ms(int64_t deadline);

/* follow.c */
/*
 * Wait up to @timeout_ms for the module's port (attaching to its tty when
 * nobody else does).  0 with s->port set; -ETIMEDOUT; -EINTR; -ENOPKG (no
 * kernel module); -EXDEV when the port found held another module, by its
 * IMEI (it was refused and let go: wait again for the module).
 */
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
/*
 * Ask the kernel to identify the module (AT+CGMR, ATI, AT+CGSN) and read
 * its family and firmware.  0; -EXDEV when its IMEI is not the journal's
 * (another module: refused and let go); else the identify write's error.
 */
int mfw_sess_identify(struct mfw_session *s);
/*
 * Ask the module to identify itself (every 3 s, and at each +MATREADY)
 * until it answers or @timeout_ms pass.  0; -ENODEV when the port went;
 * -EXDEV as mfw_sess_identify(); -EBUSY when the driver's last try found the port busy (another
 * operation, a user's write, output waiting for a reader), else
 * -ETIMEDOUT; -EINTR on a signal.
 */
int mfw_sess_ready(struct mfw_session *s, int timeout_ms);
int mfw_sess_follow(struct mfw_session *s);

/* lane.c: the faster line rate of a transfer on a UART */
/*
 * Before a package write: move both ends to the fast rate asked for
 * (--fast-rate, fast_rate=), when the port is a UART and the module's
 * family takes the rate.  A refusal or a failed probe leaves both ends at
 * the board's rate, said as a warning; 0 then too.  An exit code when
 * the module is lost (it answers at neither rate) or the journal fails.
 */
int mfw_lane_up(struct mfw_session *s);
/*
 * After the write, whatever its outcome: both ends back at the board's
 * rate, recorded in the journal.  0 (also when the lane was not in use),
 * or MFW_EXIT_PORT when the module answers at neither rate.
 */
int mfw_lane_down(struct mfw_session *s);
/*
 * The journal says the module's UART may run at another rate than the
 * board's (a crash or power cut during a faster transfer): look for it at
 * the journal's rate, then at the board's, and bring it back.  0 (also
 * when there is nothing to do), or MFW_EXIT_PORT when it answers at
 * neither.
 */
int mfw_lane_recover(struct mfw_session *s);

/* transfer.c */
int mfw_sess_write(struct mfw_session *s, bool resume);
int mfw_sess_download(struct mfw_session *s);

#endif /* MFW_SESSION_H */
