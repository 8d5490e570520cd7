/* SPDX-License-Identifier: GPL-2.0-only */
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

#include <stdbool.h>

/* What the logind lock blocks. */
#define MFW_INHIBIT_WHAT "shutdown:sleep:idle:handle-power-key:" \
	"handle-suspend-key:handle-hibernate-key:handle-lid-switch"

/* What the logind lock says mfw is doing. */
#define MFW_INHIBIT_WHY "firmware upgrade of the cellular module"

struct mfw_inhibit;

/*
 * Take the logind lock and, when ModemManager owns or is probing a modem
 * with tty @tty, inhibit that modem (@tty NULL: the modem is inhibited by
 * mfw_inhibit_follow() once the module is found).  @tty is a kernel name ("ttyUSB2", as
 * ModemManager lists its ports) or a device path ("/dev/ttyUSB2", a
 * /dev/serial/by-id link), which is reduced to that name
 * (mfw_tty_kernel_name()).  ModemManager lists a modem only after probing
 * its ports, which takes seconds after the port appears (right after the
 * module booted, say): while it does not know the port, mfw asks again
 * every second until the port is @mm_wait_ms old (from udev's
 * USEC_INITIALIZED; for a port udev does not know, for @mm_wait_ms); once
 * ModemManager says it is probing the port, until @mm_wait_ms after that
 * (at boot it starts after the ports appeared); and not at all when udev
 * tells ModemManager to ignore the port.  Never
 * fails for lack of a bus or service; returns 0, -EBUSY when ModemManager
 * refused (the caller decides), or -EINTR for a signal to honour during
 * the wait.  Every outcome is said on stderr.
 */
int mfw_inhibit_take(const char *tty, const char *why, unsigned int mm_wait_ms,
		     struct mfw_inhibit **out);

/* What mfw_inhibit_take() would find, without taking anything. */
struct mfw_inhibit_plan {
	bool bus;		/* a D-Bus system bus answers */
	bool logind;		/* logind runs: its lock would be taken */
	bool mm;		/* ModemManager runs */
	char mm_ignore[32];	/* udev keeps ModemManager off the port: the property */
	char mm_uid[128];	/* the modem ModemManager built on the port, or "" */
};

/*
 * Look at the system bus as mfw_inhibit_take() would, for "mfw upgrade
 * --dry-run": whether logind and ModemManager run and whether
 * ModemManager lists a modem with tty @tty (a kernel name or a path, as
 * for mfw_inhibit_take()).  Takes no lock, inhibits nothing and waits for
 * no probing (D-Bus's call timeouts bound it).  Fills @p; never fails.
 */
void mfw_inhibit_probe(const char *tty, struct mfw_inhibit_plan *p);

/*
 * The module proved not to be on tty @tty (its IMEI is another module's):
 * when the modem inhibited is the one on @tty (the inhibition was taken
 * for @tty, or the modem's device UID is @tty's), end that inhibition, so
 * that ModemManager has the other module back, and let
 * mfw_inhibit_follow() inhibit the module once it is found.  The logind
 * lock stays.  @in may be NULL.
 */
void mfw_inhibit_let_go(struct mfw_inhibit *in, const char *tty);

/*
 * The module was found on tty @tty (a kernel name or a path), @moved: on
 * another USB device than when it was inhibited.  When the inhibition was
 * let go (mfw_inhibit_let_go()), or @moved and the modem inhibited is
 * another (the device UID ModemManager or udev gives @tty's modem
 * differs), inhibit @tty's modem instead, with no wait for ModemManager's
 * probing.  Not @moved, nothing changes: the module's own reboots keep
 * its inhibition.  An unknown UID (a port neither ModemManager nor udev
 * has a modem for) changes nothing either.  The logind lock stays.  0,
 * -EBUSY (ModemManager refused), -EINTR; @in may be NULL.
 */
int mfw_inhibit_follow(struct mfw_inhibit *in, const char *tty, bool moved);

/* Release both (NULL is fine).  Safe on every exit path. */
void mfw_inhibit_release(struct mfw_inhibit *in);

#endif /* MFW_INHIBIT_H */
