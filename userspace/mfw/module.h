/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - which [module NAME] section of the configuration a port
 * belongs to, on a board with several modules (mfw.conf(5)).
 */
#ifndef MFW_MODULE_H
#define MFW_MODULE_H

#include "config.h"

/*
 * The section of the port @port (a tty path such as /dev/ttyACM0 or a
 * /dev/serial/by-id link, or a kernel name): the one whose match= names
 * the port's USB device ("usb:1-1.2", from udev), its tty ("tty:ttyS1")
 * or its UART's device-tree node ("of:/soc/serial@2800", from
 * <sysfs_root>/class/tty/<name>/device/of_node), or, without match=, whose
 * port= is the same tty.  0 with the section's index in @which, -ENOENT
 * when no section is the port's, -ENODEV when no section was seen to be
 * the port's but a usb: or of: match could not be looked at (the tty is
 * not there now: a module re-enumerating), -ENOTUNIQ when several are
 * (@which and @also then index two of them), -ENOMEM.
 */
int mfw_module_of_port(const struct mfw_config *cfg, const char *port,
		       int *which, int *also);

#endif /* MFW_MODULE_H */
