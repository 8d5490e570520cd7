/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * mfw - userspace interface of the OneMO firmware-upgrade line discipline.
 */
#ifndef _UAPI_LINUX_MFW_H
#define _UAPI_LINUX_MFW_H

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

#endif /* _UAPI_LINUX_MFW_H */
