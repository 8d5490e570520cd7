/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw - every difference between the kernel versions mfw builds against.
 *
 * The rest of the driver is written against one internal API; whatever the
 * tty layer and the firmware loader changed between 5.10 and later kernels
 * is absorbed here and only here.  Differences are detected by probing the
 * kernel's own headers at build time (see Kbuild), not by comparing version
 * numbers, so backports are handled too.  Documentation/mfw/platforms.rst
 * lists them with the kernel each appeared in.
 */
#ifndef _MFW_COMPAT_H
#define _MFW_COMPAT_H

#include <linux/device.h>
#include <linux/limits.h>
#include <linux/minmax.h>
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
 * The receive hook's types.  MFW_RX_SIZE_T: since 6.6 it takes u8 data and
 * flags and a size_t count and returns size_t; before, unsigned char data,
 * char flags and int counts.  MFW_RX_FLAGS_CONST: from 5.14 to 6.5 the
 * flags are const; in 5.10 they are not, although n_tty only reads them
 * (drivers/tty/n_tty.c).  mfw_compat_rx_flags() gives the driver's flags
 * the type n_tty's own hook takes.
 */
#ifdef MFW_RX_SIZE_T
static inline size_t mfw_compat_receive_buf2(struct tty_struct *tty,
					     const u8 *cp, const u8 *fp,
					     size_t count)
{
	return mfw_ldisc_receive(tty, cp, fp, count);
}

#define mfw_compat_rx_flags(fp) (fp)
#elif defined(MFW_RX_FLAGS_CONST)
static inline int mfw_compat_receive_buf2(struct tty_struct *tty,
					  const unsigned char *cp,
					  const char *fp, int count)
{
	return mfw_ldisc_receive(tty, cp, (const u8 *)fp, count);
}

#define mfw_compat_rx_flags(fp) ((const char *)(fp))
#else
static inline int mfw_compat_receive_buf2(struct tty_struct *tty,
					  const unsigned char *cp,
					  char *fp, int count)
{
	return mfw_ldisc_receive(tty, cp, (const u8 *)fp, count);
}

#define mfw_compat_rx_flags(fp) ((char *)(fp))
#endif

/**
 * mfw_ldisc_hangup() - the driver's hangup hook, in the driver's types
 * @tty: the tty being hung up
 */
void mfw_ldisc_hangup(struct tty_struct *tty);

/*
 * MFW_HANGUP_VOID: since 5.16 a discipline's hangup returns nothing;
 * before, an int the tty core ignored.
 */
#ifdef MFW_HANGUP_VOID
static inline void mfw_compat_hangup(struct tty_struct *tty)
{
	mfw_ldisc_hangup(tty);
}
#else
static inline int mfw_compat_hangup(struct tty_struct *tty)
{
	mfw_ldisc_hangup(tty);
	return 0;
}
#endif

/*
 * MFW_LDISC_REGISTER_OPS: since 5.14 a discipline registers and
 * unregisters by its ops (which carry the number); before, by number.
 */
static inline int mfw_compat_register_ldisc(struct tty_ldisc_ops *ops)
{
#ifdef MFW_LDISC_REGISTER_OPS
	return tty_register_ldisc(ops);
#else
	return tty_register_ldisc(ops->num, ops);
#endif
}

static inline void mfw_compat_unregister_ldisc(struct tty_ldisc_ops *ops)
{
#ifdef MFW_LDISC_REGISTER_OPS
	tty_unregister_ldisc(ops);
#else
	/* Fails only for a discipline still in use: a module reference
	 * (ops->owner) keeps mfw loaded while one is.
	 */
	WARN_ON(tty_unregister_ldisc(ops->num));
#endif
}

/*
 * N_DEVELOPMENT (include/uapi/linux/tty.h), the number kept for
 * disciplines developed out of tree, was named in 5.14 as 29; 5.10's
 * table (NR_LDISCS 30, the last named entry N_NULL 27) has 29 free.
 */
#ifndef N_DEVELOPMENT
#define N_DEVELOPMENT 29
#endif

/**
 * mfw_compat_tty_write() - hand bytes to the tty driver
 * @tty: the tty
 * @buf: the bytes
 * @len: their number; at most INT_MAX are offered at a time
 *
 * The driver op's count and result are size_t and ssize_t since 6.6, int
 * before (include/linux/tty_driver.h).
 *
 * Return: how many bytes the driver took (0 when it has no room), or a
 * negative errno.
 */
static inline ssize_t mfw_compat_tty_write(struct tty_struct *tty,
					   const u8 *buf, size_t len)
{
	return tty->ops->write(tty, buf, min_t(size_t, len, INT_MAX));
}

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

struct mfw_port;

/*
 * MFW_FW_UPLOAD: the firmware-upload class (drivers/base/firmware_loader/
 * sysfs_upload.c, 5.19) is in the headers; mfw_fwul.c is built only then.
 * Before it, /dev/mfwN is the one way a package comes in.
 */
#ifdef MFW_FW_UPLOAD
int mfw_fwul_register(struct mfw_port *port);
void mfw_fwul_unregister(struct mfw_port *port);
#else
static inline int mfw_fwul_register(struct mfw_port *port)
{
	return 0;
}

static inline void mfw_fwul_unregister(struct mfw_port *port)
{
}
#endif

/* Types of n_tty's hooks that mfw wraps, whichever version. */
#define mfw_receive_buf2_t typeof(((struct tty_ldisc_ops *)NULL)->receive_buf2)
#define mfw_ldisc_hangup_t typeof(((struct tty_ldisc_ops *)NULL)->hangup)
#define mfw_ldisc_write_t typeof(((struct tty_ldisc_ops *)NULL)->write)
#define mfw_ldisc_poll_t typeof(((struct tty_ldisc_ops *)NULL)->poll)
#define mfw_ldisc_ioctl_t typeof(((struct tty_ldisc_ops *)NULL)->ioctl)

#endif /* _MFW_COMPAT_H */
