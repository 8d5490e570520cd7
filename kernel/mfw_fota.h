/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw - remote download configuration and the download, upgrade and erase
 * triggers of /sys/class/mfw/mfwN.
 */
#ifndef _MFW_FOTA_H
#define _MFW_FOTA_H

#include <linux/sysfs.h>

#include "mfw_models.h"

/**
 * struct mfw_fota - AT+MFWCFG values last set through this port
 * @valid: bits (1 << enum mfw_cfg_key) of the keys set since attach
 * @url: the url last set, NUL-terminated; empty until set
 * @ival: the integer keys last set, indexed by enum mfw_cfg_key; an entry
 *	counts only when its bit is in @valid
 *
 * Every field is protected by the lock of the struct mfw_port that
 * embeds it.  The auth key is never kept: only its bit in @valid says
 * that it was set.
 */
struct mfw_fota {
	unsigned int valid;
	char url[MFW_URL_MAX + 1];
	long ival[MFW_CFG_NR];
};

extern const struct attribute_group mfw_fota_cfg_group;
extern const struct attribute_group mfw_fota_group;

#endif /* _MFW_FOTA_H */
