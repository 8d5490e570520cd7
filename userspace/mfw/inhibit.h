/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfw helper - keep the system and ModemManager off the module while it
 * is upgraded: a logind "block" inhibitor lock (no shutdown, sleep, idle
 * action or power/suspend/lid key while we hold its fd) and ModemManager's
 * per-device inhibition (it lets go of the modem and keeps off it across
 * its reboots).  Both are optional: without a system bus, logind or
 * ModemManager the upgrade goes on, and says so.
 */
#ifndef MFW_INHIBIT_H
#define MFW_INHIBIT_H

/* What the logind lock blocks. */
#define MFW_INHIBIT_WHAT "shutdown:sleep:idle:handle-power-key:" \
	"handle-suspend-key:handle-hibernate-key:handle-lid-switch"

struct mfw_inhibit;

/*
 * Take the logind lock and, when ModemManager owns a modem with tty
 * @tty, inhibit that modem.  @tty is a kernel name ("ttyUSB2", as
 * ModemManager lists its ports) or a device path ("/dev/ttyUSB2", a
 * /dev/serial/by-id link), which is reduced to that name
 * (mfw_tty_kernel_name()).  Never fails for lack of a bus or service;
 * returns 0, or -errno when a service refused (the caller decides).
 */
int mfw_inhibit_take(const char *tty, const char *why, struct mfw_inhibit **out);

/* Release both (NULL is fine).  Safe on every exit path. */
void mfw_inhibit_release(struct mfw_inhibit *in);

#endif /* MFW_INHIBIT_H */
