/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfw - every difference between the kernel versions mfw builds against.
 *
 * The rest of the driver is written against one internal API; whatever the
 * tty layer changed between 6.1 and later kernels is absorbed here and only
 * here.  Differences are detected by probing the kernel's own headers at
 * build time (see Kbuild), not by comparing version numbers, so backports
 * are handled too.
 */
#ifndef _MFW_COMPAT_H
#define _MFW_COMPAT_H

#include <linux/device.h>
#include <linux/module.h>
#include <linux/tty.h>
#include <linux/tty_ldisc.h>
#include <linux/types.h>

/**
 * mfw_ldisc_receive() - the driver's receive hook, in the driver's types
 * @tty: the tty the data arrived on
 * @cp: received bytes
 * @fp: per-byte TTY_* flags, or NULL when every byte is TTY_NORMAL
 * @count: number of bytes at @cp
 *
 * Return: how many bytes n_tty consumed.
 */
size_t mfw_ldisc_receive(struct tty_struct *tty, const u8 *cp, const u8 *fp,
			 size_t count);

/*
 * MFW_RX_SIZE_T: since 6.6 the receive hooks take u8 data and flags and a
 * size_t count and return size_t; before, unsigned char data, char flags and
 * int counts.
 */
#ifdef MFW_RX_SIZE_T
static inline size_t mfw_compat_receive_buf2(struct tty_struct *tty,
					     const u8 *cp, const u8 *fp,
					     size_t count)
{
	return mfw_ldisc_receive(tty, cp, fp, count);
}
#else
static inline int mfw_compat_receive_buf2(struct tty_struct *tty,
					  const unsigned char *cp,
					  const char *fp, int count)
{
	return mfw_ldisc_receive(tty, cp, (const u8 *)fp, count);
}
#endif

/**
 * mfw_compat_class_init() - fill in what a class needs on this kernel
 * @cls: the class, before class_register()
 *
 * MFW_CLASS_OWNER: until 6.4 a class names its owning module.
 */
static inline void mfw_compat_class_init(struct class *cls)
{
#ifdef MFW_CLASS_OWNER
	cls->owner = THIS_MODULE;
#endif
}

/*
 * MFW_UEVENT_CONST: since 6.3 a class's dev_uevent takes a const device.
 */
#ifdef MFW_UEVENT_CONST
#define mfw_uevent_dev_t const struct device
#else
#define mfw_uevent_dev_t struct device
#endif

/**
 * mfw_ldisc_ioctl() - the driver's ioctl hook, in the driver's types
 * @tty: the tty
 * @file: the caller's file; NULL where the tty core does not pass it
 * @cmd: the ioctl
 * @arg: its argument
 *
 * Return: as n_tty's ioctl.
 */
int mfw_ldisc_ioctl(struct tty_struct *tty, struct file *file,
		    unsigned int cmd, unsigned long arg);

/*
 * MFW_LDISC_IOCTL_FILE: until 5.16 a discipline's ioctl also gets the
 * caller's file.  mfw_compat_n_tty_ioctl() calls n_tty's hook @fn either
 * way.
 */
#ifdef MFW_LDISC_IOCTL_FILE
static inline int mfw_compat_ioctl(struct tty_struct *tty, struct file *file,
				   unsigned int cmd, unsigned long arg)
{
	return mfw_ldisc_ioctl(tty, file, cmd, arg);
}

#define mfw_compat_n_tty_ioctl(fn, tty, file, cmd, arg) \
	((fn)(tty, file, cmd, arg))
#else
static inline int mfw_compat_ioctl(struct tty_struct *tty, unsigned int cmd,
				   unsigned long arg)
{
	return mfw_ldisc_ioctl(tty, NULL, cmd, arg);
}

#define mfw_compat_n_tty_ioctl(fn, tty, file, cmd, arg) ((fn)(tty, cmd, arg))
#endif

/*
 * tty_check_change() (drivers/tty/tty_jobctrl.c) is exported by every
 * supported kernel, but since 5.17 its prototype is in drivers/tty/tty.h,
 * out of a module's reach; before, include/linux/tty.h had the same one.
 */
int tty_check_change(struct tty_struct *tty);

/* Types of n_tty's hooks that mfw wraps, whichever version. */
#define mfw_receive_buf2_t typeof(((struct tty_ldisc_ops *)NULL)->receive_buf2)
#define mfw_ldisc_write_t typeof(((struct tty_ldisc_ops *)NULL)->write)
#define mfw_ldisc_poll_t typeof(((struct tty_ldisc_ops *)NULL)->poll)
#define mfw_ldisc_ioctl_t typeof(((struct tty_ldisc_ops *)NULL)->ioctl)

#endif /* _MFW_COMPAT_H */
