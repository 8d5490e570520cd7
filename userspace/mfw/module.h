/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - which [module NAME] section of the configuration a port
 * belongs to, on a board with several modules (mfw.conf(5)).
 */
#ifndef MFW_MODULE_H
#define MFW_MODULE_H

#include <stdbool.h>

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
 * (@which and @also then index two of them), -EMEDIUMTYPE when section
 * @which names a USB tty by its name (tty: or port=), which a
 * re-enumeration changes, -ENOMEM.
 */
int mfw_module_of_port(const struct mfw_config *cfg, const char *port,
		       int *which, int *also);

/*
 * Whether the settings in use (@cfg->module's section, or with none the
 * global ones) may work on @port: its own section's, or for the global
 * settings a port in no section.  A port not there now passes with a
 * section in use (it was named) and fails otherwise.  An exit code (enum mfw_exit), with the
 * message given: MFW_EXIT_CONFIG (another section's port, a port two
 * sections claim, a USB tty matched by name), MFW_EXIT_PORT (not there).
 */
int mfw_module_check_port(const struct mfw_config *cfg, const char *port);

/*
 * Use the section @port belongs to (mfw_config_use_module()), or with one
 * in use already, check it is @port's (mfw_module_check_port()).  A port
 * in no section keeps the global settings.  An exit code, with the
 * message given.
 */
int mfw_module_select(struct mfw_config *cfg, const char *port);

/*
 * The directories of <state_dir>/modules that no section names (see
 * mfw_config_use_orphan()), at most @max of them, sorted, into @names.
 * Their number; 0 when there is no such directory.
 */
int mfw_module_orphans(const struct mfw_config *cfg,
		       char names[][MFW_MODULE_NAME_MAX], int max);

#endif /* MFW_MODULE_H */
