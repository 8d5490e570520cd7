/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * mfw - userspace interface of the OneMO firmware-upgrade line discipline.
 *
 * The sysfs attributes of /sys/class/mfw/mfwN are described in
 * Documentation/ABI/testing/sysfs-class-mfw; this header holds what a
 * program needs in C: the state names' order and the ioctls of /dev/mfwN.
 */
#ifndef _UAPI_LINUX_MFW_H
#define _UAPI_LINUX_MFW_H

#include <linux/ioctl.h>
#include <linux/types.h>

/*
 * States of a port, as /sys/class/mfw/mfwN/state names them and as the
 * MFW_STATE variable of its change uevents carries them.
 */
enum mfw_state {
	MFW_STATE_IDLE,		/* nothing in progress */
	MFW_STATE_WRITING,	/* the host is writing a package */
	MFW_STATE_DOWNLOADING,	/* the module is fetching a package */
	MFW_STATE_UPGRADING,	/* the module is applying a package */
	MFW_STATE_REBOOTING,	/* the module restarts as part of an upgrade */
	MFW_STATE_ERROR,	/* the last operation failed; see last_error */
	MFW_STATE_NR
};

/*
 * Free in Documentation/userspace-api/ioctl/ioctl-number.rst and in the
 * kernels' uapi headers (tests/style/ioctl-magic.sh checks both).  0xB8,
 * used before, is the Marvell CN10K DPI driver's since 6.11.
 */
#define MFW_IOC_MAGIC		0xD1

/*
 * MFW_IOC_SET_SIZE: declare the size in bytes of the package about to be
 * written through this file, before the first write().  Families with the
 * transparent path then stream the package instead of buffering it until
 * close().  Fails with -EBUSY once a write has started, -EINVAL for 0 and
 * -EFBIG for a size the module's protocol cannot carry.
 */
#define MFW_IOC_SET_SIZE	_IOW(MFW_IOC_MAGIC, 0x01, __u64)

/*
 * MFW_IOC_COMMIT: finish the write session now, as close() would, and
 * return its result: 0 once the module acknowledged every byte.
 */
#define MFW_IOC_COMMIT		_IO(MFW_IOC_MAGIC, 0x02)

#endif /* _UAPI_LINUX_MFW_H */
