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

/* What the logind lock says mfw is doing. */
#define MFW_INHIBIT_WHY "firmware upgrade of the cellular module"

struct mfw_inhibit;

/*
 * Take the logind lock and, when ModemManager owns or is probing a modem
 * with tty @tty, inhibit that modem.  @tty is a kernel name ("ttyUSB2", as
 * ModemManager lists its ports) or a device path ("/dev/ttyUSB2", a
 * /dev/serial/by-id link), which is reduced to that name
 * (mfw_tty_kernel_name()).  ModemManager lists a modem only after probing
 * its ports, which takes seconds after the port appears (right after the
 * module booted, say): while it does not know the port, mfw asks again
 * every second until the port is @mm_wait_ms old (from udev's
 * USEC_INITIALIZED; for a port udev does not know, for @mm_wait_ms), and
 * not at all when udev tells ModemManager to ignore the port.  Never
 * fails for lack of a bus or service; returns 0, -EBUSY when ModemManager
 * refused (the caller decides), or -EINTR for a signal to honour during
 * the wait.  Every outcome is said on stderr.
 */
int mfw_inhibit_take(const char *tty, const char *why, unsigned int mm_wait_ms,
		     struct mfw_inhibit **out);

/* Release both (NULL is fine).  Safe on every exit path. */
void mfw_inhibit_release(struct mfw_inhibit *in);

#endif /* MFW_INHIBIT_H */
