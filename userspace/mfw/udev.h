/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - finding a module's tty again after it re-enumerates
 * (libudev).  A USB port is recognised by where it is plugged in (the
 * devpath of its USB device) and its interface number, so two identical
 * modules on one board never get mixed up, and by what the device says it
 * is (VID:PID and serial number), so a module that comes back in another
 * mode, with another product ID, is not taken for its AT port: nothing is
 * sent to it, and mfw waits for the real one.  (A mode with the same IDs
 * and another function on the same interface number would still match.)
 */
#ifndef MFW_UDEV_H
#define MFW_UDEV_H

#include <stdbool.h>
#include <stddef.h>

#define MFW_IDENT_MAX	512

/*
 * Identity of tty @name ("ttyACM0"), for a USB tty
 * "<vid>:<pid>:<serial>@<usb device devpath>:<interface>" (an absent
 * attribute reads "-", characters other than letters, digits and "._-"
 * in the serial number "_"), at most MFW_IDENT_MAX bytes; empty for
 * others.  0 or -errno.
 */
int mfw_tty_identity(const char *name, char *ident, size_t size);

/*
 * Device node of the tty with identity @ident, if one exists now.  Only
 * the USB device's subtree is searched.  An identity without its device
 * part ("<devpath>:<interface>", the journal of an older mfw) matches the
 * place alone.  0, -ENOENT (not there now), -EXDEV (a tty is at that place
 * and interface, but its device is another: another mode of the module,
 * or another device), -EINVAL (@ident does not name a USB device), other
 * -errno.
 */
int mfw_tty_by_identity(const char *ident, char *node, size_t size);

/*
 * Device node of a tty of the same module as @ident on another USB path
 * (mfw_ident_same_module(): vendor, product, serial number, interface),
 * its identity in @found.  Identities listed in @skip (@n_skip of them)
 * are passed over, and so is @ident's own path, which
 * mfw_tty_by_identity() looks at.  Only USB devices with @ident's vendor
 * and product IDs are searched.  0, -ENOENT (none now), -EINVAL (@ident
 * has no serial number to go by), other -errno.
 */
int mfw_tty_by_module(const char *ident, const char (*skip)[MFW_IDENT_MAX],
		      int n_skip, char *found, size_t fsize, char *node,
		      size_t nsize);

/*
 * Whether identities @a and @b (mfw_tty_identity()) name the same
 * module's same interface on any USB path: vendor, product, serial number
 * and interface number equal.  A USB path changes when bus numbers do
 * across boots or when the module is moved to another port.  False when
 * either has no serial number ("" or "-"): two modules of one model
 * would then look alike.
 */
bool mfw_ident_same_module(const char *a, const char *b);

/*
 * What udev says about tty @name as ModemManager would see it (its
 * kernel-device and filter code, ModemManager 1.20):
 * @ignore: why ModemManager leaves the port alone ("ID_MM_DEVICE_IGNORE",
 * "ID_MM_PORT_IGNORE"), empty when it may take it;
 * @age_ms: how long ago udev initialised the tty (USEC_INITIALIZED,
 * CLOCK_MONOTONIC), -1 when unknown;
 * @uid: the device UID ModemManager gives the modem the port belongs to
 * (ID_MM_PHYSDEV_UID, else the USB device's sysfs path, else the tty's),
 * which InhibitDevice() takes.
 */
struct mfw_mm_view {
	char ignore[32];
	long long age_ms;
	char uid[MFW_IDENT_MAX];
};

/* 0 with @v filled, -ENOENT when udev has no such tty, other -errno. */
int mfw_tty_mm_view(const char *name, struct mfw_mm_view *v);

/* A uevent monitor for tty and mfw devices. */
struct mfw_watch;

/*
 * Open the monitor: events from udevd when it runs, else straight from
 * the kernel (initramfs, containers).  0 or -errno.
 */
int mfw_watch_open(struct mfw_watch **w);
int mfw_watch_fd(const struct mfw_watch *w);

/*
 * One event, if one is waiting: 1 with @action ("add", "remove", "change"),
 * @subsystem ("tty", "mfw") and @name ("ttyACM0", "mfw1") filled, 0 when
 * none is waiting.
 */
int mfw_watch_read(struct mfw_watch *w, char *action, char *subsystem,
		   char *name, size_t size);
void mfw_watch_close(struct mfw_watch *w);

#endif /* MFW_UDEV_H */
