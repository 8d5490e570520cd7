/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfw - every difference between the kernel versions mfw builds against.
 *
 * The rest of the driver is written against one internal API; whatever the
 * tty layer changed between 6.1 and later kernels is absorbed here and only
 * here.
 */
#ifndef _MFW_COMPAT_H
#define _MFW_COMPAT_H

#include <linux/tty.h>
#include <linux/tty_ldisc.h>
#include <linux/types.h>
#include <linux/version.h>

/*
 * Since 6.6 the ldisc receive hooks take u8 data, u8 flags and a size_t
 * count, and return size_t.  Before, they took unsigned char data, char
 * flags and int counts.  The driver's receive hook always sees u8 and
 * size_t; MFW_DEFINE_RECEIVE_BUF2() emits the wrapper with the signature the
 * running kernel's tty_ldisc_ops expects.
 */
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 6, 0)
#define MFW_DEFINE_RECEIVE_BUF2(name, impl)				\
static size_t name(struct tty_struct *tty, const u8 *cp,		\
		   const u8 *fp, size_t count)				\
{									\
	return impl(tty, cp, fp, count);				\
}
#else
#define MFW_DEFINE_RECEIVE_BUF2(name, impl)				\
static int name(struct tty_struct *tty, const unsigned char *cp,	\
		const char *fp, int count)				\
{									\
	return impl(tty, cp, (const u8 *)fp, count);			\
}
#endif

/* Type of n_tty's receive_buf2 hook, whichever version this is. */
#define mfw_receive_buf2_t typeof(((struct tty_ldisc_ops *)NULL)->receive_buf2)

#endif /* _MFW_COMPAT_H */
