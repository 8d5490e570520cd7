// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - line discipline for the AT port of CMIoT OneMO cellular modules.
 *
 * The discipline is n_tty plus the multiplexer: it copies n_tty's
 * operations and wraps open, close, hangup, receive and write.  Every other
 * client of the port keeps full N_TTY semantics.  n_tty owns
 * tty->disc_data, so mfw finds its port by looking the tty up.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/fs.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/spinlock.h>
#include <linux/tty.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/tty_ldisc.h>

#include "mfw.h"
#include "mfw_compat.h"

static int ldisc = N_DEVELOPMENT;
module_param(ldisc, int, 0444);
MODULE_PARM_DESC(ldisc, "line discipline number to register (default N_DEVELOPMENT); a number already registered is refused");

unsigned int mfw_cmd_timeout_ms = 5000;
module_param_named(cmd_timeout_ms, mfw_cmd_timeout_ms, uint, 0644);
MODULE_PARM_DESC(cmd_timeout_ms, "how long the module may take to answer a driver command");

unsigned int mfw_user_timeout_ms = 10000;
module_param_named(user_timeout_ms, mfw_user_timeout_ms, uint, 0644);
MODULE_PARM_DESC(user_timeout_ms, "how long a user's command may keep the driver waiting (ms; from the last line of an answer that keeps coming; up to six times as long while users write, an answer comes or a reader catches up)");

unsigned int mfw_user_wait_ms = 600000;
module_param_named(user_wait_ms, mfw_user_wait_ms, uint, 0644);
MODULE_PARM_DESC(user_wait_ms, "longest a user write waits for the driver's transaction");

/* Protects mfw_ports (adds, removals and lookups). */
static DEFINE_SPINLOCK(mfw_ports_lock);
static LIST_HEAD(mfw_ports);

static struct tty_ldisc_ops mfw_ldisc_ops;
static int (*n_tty_open)(struct tty_struct *tty);
static void (*n_tty_close)(struct tty_struct *tty);
static mfw_ldisc_hangup_t n_tty_hangup;
static mfw_receive_buf2_t n_tty_receive_buf2;
static mfw_ldisc_write_t n_tty_write;
static mfw_ldisc_poll_t n_tty_poll;
static mfw_ldisc_ioctl_t n_tty_ioctl;

static struct mfw_port *mfw_port_lookup(struct tty_struct *tty)
{
	struct mfw_port *port, *found = NULL;

	spin_lock(&mfw_ports_lock);
	list_for_each_entry(port, &mfw_ports, node) {
		if (port->tty == tty) {
			found = port;
			break;
		}
	}
	spin_unlock(&mfw_ports_lock);
	return found;
}

/**
 * mfw_ldisc_n_tty_receive() - hand received bytes to n_tty
 * @tty: the tty
 * @cp: the bytes
 * @fp: their flags, or NULL
 * @count: their number
 *
 * Return: how many n_tty consumed.
 */
size_t mfw_ldisc_n_tty_receive(struct tty_struct *tty, const u8 *cp,
			       const u8 *fp, size_t count)
{
	return n_tty_receive_buf2(tty, cp, mfw_compat_rx_flags(fp), count);
}

/**
 * mfw_ldisc_has_reader() - whether any file open on the tty can read it
 * @tty: the tty
 *
 * n_tty's input buffer (4 KiB) is for the files that may read it.  The
 * programs that hold the port for mfw ("mfw attach", the helper's own
 * link) open it write-only.  With no file open for reading, what the
 * module sends has nobody to go to: the driver inspects it and queues
 * none of it, so n_tty never fills and the module's reports keep
 * reaching the driver.  A file open for reading gets every byte, however
 * slowly it reads: n_tty's flow control holds the module back meanwhile.
 *
 * Walks the tty's open files under files_lock, as
 * security/selinux/hooks.c does; call it from process context (the
 * receive hook runs from the tty buffer's work).
 *
 * Return: true if a file open on @tty has FMODE_READ and is not hung up.
 */
bool mfw_ldisc_has_reader(struct tty_struct *tty)
{
	struct tty_file_private *priv;
	bool found = false;

	spin_lock(&tty->files_lock);
	list_for_each_entry(priv, &tty->tty_files, list) {
		/* A hung-up file reads nothing any more (tty_hung_up_p()). */
		if ((priv->file->f_mode & FMODE_READ) &&
		    !tty_hung_up_p(priv->file)) {
			found = true;
			break;
		}
	}
	spin_unlock(&tty->files_lock);
	return found;
}

size_t mfw_ldisc_receive(struct tty_struct *tty, const u8 *cp, const u8 *fp,
			 size_t count)
{
	struct mfw_port *port = mfw_port_lookup(tty);

	/* The ldisc reference our caller holds keeps the port attached. */
	if (WARN_ON_ONCE(!port))
		return mfw_ldisc_n_tty_receive(tty, cp, fp, count);
	return mfw_rx(port, cp, fp, count);
}

/**
 * mfw_ldisc_n_tty_write() - hand a user's bytes to n_tty
 * @tty: the tty
 * @file: the writer's file
 * @buf: the bytes
 * @nr: their number
 *
 * For writes parked while the driver owned the channel (mfw_park.c).
 *
 * Return: what n_tty's write returns.
 */
ssize_t mfw_ldisc_n_tty_write(struct tty_struct *tty, struct file *file,
			      const u8 *buf, size_t nr)
{
	return n_tty_write(tty, file, buf, nr);
}

static ssize_t mfw_write(struct tty_struct *tty, struct file *file,
			 const u8 *buf, size_t nr)
{
	struct mfw_port *port = mfw_port_lookup(tty);
	bool allowed;
	ssize_t ret;

	if (WARN_ON_ONCE(!port))
		return -EIO;
	/* Only the module speaks for the module: see mfw_echo.c. */
	spin_lock(&port->lock);
	allowed = mfw_echo_allowed(&port->echo, (const char *)buf, nr);
	spin_unlock(&port->lock);
	if (!allowed) {
		dev_warn_ratelimited(&port->dev,
				     "refused a line that would read as the module's own report or result\n");
		return -EPERM;
	}
	/* Parked (positive) or refused: nothing more to do here. */
	ret = mfw_chan_user_enter(port, file, buf, nr);
	if (ret)
		return ret;
	/* Before they go: the echo may be back before n_tty returns. */
	spin_lock(&port->lock);
	mfw_echo_sent(&port->echo, (const char *)buf, nr);
	spin_unlock(&port->lock);
	ret = n_tty_write(tty, file, buf, nr);
	if (ret < (ssize_t)nr) {
		spin_lock(&port->lock);
		mfw_echo_unsent(&port->echo, ret < 0 ? nr : nr - ret);
		spin_unlock(&port->lock);
	}
	mfw_chan_user_leave(port);
	return ret;
}

/*
 * n_tty calls a tty writable when its driver has room.  While mfw's own
 * command owns the channel, or writes parked behind it wait, a
 * non-blocking user write is refused (-EAGAIN), so the tty is not
 * writable then: a non-blocking writer that polls sleeps instead of
 * spinning.  Releasing the channel and draining the parked writes wake
 * write_wait, which n_tty_poll() waits on.
 */
static __poll_t mfw_poll(struct tty_struct *tty, struct file *file,
			 struct poll_table_struct *wait)
{
	struct mfw_port *port = mfw_port_lookup(tty);
	__poll_t mask = n_tty_poll(tty, file, wait);

	if (port && mfw_chan_user_blocked(port))
		mask &= ~(EPOLLOUT | EPOLLWRNORM);
	return mask;
}

/*
 * While the driver owns the channel its bytes are the only ones in the
 * output queue (user writes wait or are parked), and the module counts
 * them.  So an output flush (TCOFLUSH, the output half of TCIOFLUSH)
 * drops only the parked user writes then, and TCIOFF and TCION, whose
 * STOP or START character would become a package byte, fail with -EBUSY.
 * TCOOFF and TCOON add no byte and always go through.  Nothing here waits:
 * ModemManager flushes at every open of a port, from its main loop, with
 * a non-blocking descriptor, and a hook without the file (since 5.16)
 * cannot tell.  (The tty core flushes input before any discipline sees
 * TCFLSH, and TCSBRK, TIOCSBRK and TIOCCBRK never reach one: those are not
 * covered.)
 */
int mfw_ldisc_ioctl(struct tty_struct *tty, struct file *file,
		    unsigned int cmd, unsigned long arg)
{
	struct mfw_port *port = mfw_port_lookup(tty);
	bool flush = cmd == TCFLSH && (arg == TCOFLUSH || arg == TCIOFLUSH);
	bool xchar = cmd == TCXONC && (arg == TCIOFF || arg == TCION);
	int ret;

	if (!port || (!flush && !xchar))
		return mfw_compat_n_tty_ioctl(n_tty_ioctl, tty, file, cmd, arg);
	/*
	 * Written and not sent: parked writes go with the output queue, but
	 * not at a background process's word (n_tty checks the same).
	 */
	if (flush) {
		ret = tty_check_change(tty);
		if (ret)
			return ret;
		mfw_park_flush(port);
	}
	if (mfw_chan_user_try_control(port)) {
		ret = mfw_compat_n_tty_ioctl(n_tty_ioctl, tty, file, cmd, arg);
		mfw_chan_user_leave(port);
		return ret;
	}
	if (xchar)
		return -EBUSY;
	if (arg == TCIOFLUSH)
		return mfw_compat_n_tty_ioctl(n_tty_ioctl, tty, file, TCFLSH,
					      TCIFLUSH);
	return 0;
}

static int mfw_open(struct tty_struct *tty)
{
	struct mfw_port *port;
	int ret;

	/* Attaching to a pty as an ordinary user must not be possible. */
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!tty->ops->write)
		return -EOPNOTSUPP;

	ret = n_tty_open(tty);
	if (ret)
		return ret;

	port = mfw_port_create(tty);
	if (IS_ERR(port)) {
		ret = PTR_ERR(port);
		goto err_n_tty;
	}

	spin_lock(&mfw_ports_lock);
	list_add(&port->node, &mfw_ports);
	spin_unlock(&mfw_ports_lock);

	dev_info(&port->dev, "attached to %s\n", tty_name(tty));
	/* Runs once the tty core has finished attaching us. */
	schedule_work(&port->ident_work);
	return 0;

err_n_tty:
	n_tty_close(tty);
	return ret;
}

static void mfw_close(struct tty_struct *tty)
{
	struct mfw_port *port = mfw_port_lookup(tty);

	if (!WARN_ON_ONCE(!port)) {
		spin_lock(&mfw_ports_lock);
		list_del(&port->node);
		spin_unlock(&mfw_ports_lock);
		dev_info(&port->dev, "detached from %s\n", tty_name(tty));
		mfw_port_disconnect(port);
	}
	n_tty_close(tty);
}

/*
 * The tty is being hung up (module reset, USB unplug): end every wait now;
 * the tty core closes the discipline right after.
 */
void mfw_ldisc_hangup(struct tty_struct *tty)
{
	struct mfw_port *port = mfw_port_lookup(tty);

	if (port)
		mfw_port_hangup(port);
	if (n_tty_hangup)
		n_tty_hangup(tty);
}

/*
 * mfw_ldisc_registered() - whether a line discipline number is taken
 * @num: the number, 0 to NR_LDISCS - 1
 *
 * The tty layer keeps its table of disciplines private
 * (drivers/tty/tty_ldisc.c) and tty_register_ldisc() replaces whatever
 * holds a number without a word, so the table's one public view,
 * /proc/tty/ldiscs (a "<name> <number>" line per registered discipline),
 * is read.  A discipline registering between this check and mfw's own
 * registration is not seen.
 *
 * Return: 0 if @num is free, -EBUSY if it is registered (the holder is
 * logged), or the error that kept /proc/tty/ldiscs from being read.
 */
static int __init mfw_ldisc_registered(int num)
{
	char *buf, *line, *next, name[32];
	struct file *f;
	loff_t pos = 0;
	size_t len = 0;
	ssize_t n;
	int ret = 0, got;

	f = filp_open("/proc/tty/ldiscs", O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!buf) {
		ret = -ENOMEM;
		goto err_close;
	}
	while (len < PAGE_SIZE - 1) {
		n = kernel_read(f, buf + len, PAGE_SIZE - 1 - len, &pos);
		if (n < 0) {
			ret = n;
			goto err_free;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	for (line = buf; line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, "%31s %d", name, &got) == 2 && got == num) {
			pr_err("line discipline %d is registered (%s): load mfw with another ldisc= number\n",
			       num, name);
			ret = -EBUSY;
			break;
		}
	}
err_free:
	kfree(buf);
err_close:
	filp_close(f, NULL);
	return ret;
}

/*
 * mfw_ldisc_number_ok() - refuse an ldisc= number that mfw must not take
 *
 * Numbers outside the kernel's table are refused, and so is any number a
 * discipline holds now (N_TTY, n_null and whatever is loaded): registering
 * over it would silently take that discipline away from every tty using
 * it.  Every number but N_DEVELOPMENT is assigned to an in-tree discipline
 * (include/uapi/linux/tty.h); taking one that is not loaded is allowed
 * with a warning, since that discipline's module would in turn replace mfw
 * when loaded.
 *
 * Return: 0, -EINVAL for a number out of range, -EBUSY for one in use, or
 * the error from reading the registry when a number other than the
 * default cannot be checked.
 */
static int __init mfw_ldisc_number_ok(void)
{
	int ret;

	if (ldisc < 0 || ldisc >= NR_LDISCS) {
		pr_err("ldisc=%d is out of range (0 to %d)\n", ldisc, NR_LDISCS - 1);
		return -EINVAL;
	}
	if (ldisc == N_TTY) {
		pr_err("ldisc=0 is N_TTY, the discipline of every terminal\n");
		return -EBUSY;
	}
	ret = mfw_ldisc_registered(ldisc);
	if (ret == -EBUSY || (ret && ldisc != N_DEVELOPMENT)) {
		if (ret != -EBUSY)
			pr_err("cannot read /proc/tty/ldiscs (%d) to check that line discipline %d is free\n",
			       ret, ldisc);
		return ret;
	}
	if (ret)
		pr_warn("cannot read /proc/tty/ldiscs (%d); registering the default %d unchecked\n",
			ret, ldisc);
	if (ldisc != N_DEVELOPMENT)
		pr_warn("line discipline %d belongs to an in-tree discipline; loading it would replace mfw\n",
			ldisc);
	return 0;
}

static int __init mfw_init(void)
{
	int ret;

	ret = mfw_ldisc_number_ok();
	if (ret)
		return ret;

	ret = mfw_core_init();
	if (ret)
		return ret;

	n_tty_inherit_ops(&mfw_ldisc_ops);
	n_tty_open = mfw_ldisc_ops.open;
	n_tty_close = mfw_ldisc_ops.close;
	n_tty_hangup = mfw_ldisc_ops.hangup;
	n_tty_receive_buf2 = mfw_ldisc_ops.receive_buf2;
	n_tty_write = mfw_ldisc_ops.write;
	n_tty_poll = mfw_ldisc_ops.poll;
	n_tty_ioctl = mfw_ldisc_ops.ioctl;

	mfw_ldisc_ops.owner = THIS_MODULE;
	mfw_ldisc_ops.num = ldisc;
	mfw_ldisc_ops.name = "mfw";
	mfw_ldisc_ops.open = mfw_open;
	mfw_ldisc_ops.close = mfw_close;
	mfw_ldisc_ops.hangup = mfw_compat_hangup;
	mfw_ldisc_ops.receive_buf2 = mfw_compat_receive_buf2;
	mfw_ldisc_ops.write = mfw_write;
	mfw_ldisc_ops.poll = mfw_poll;
	mfw_ldisc_ops.ioctl = mfw_compat_ioctl;

	ret = mfw_compat_register_ldisc(&mfw_ldisc_ops);
	if (ret) {
		pr_err("cannot register line discipline %d: %d\n", ldisc, ret);
		goto err_core;
	}
	pr_info("line discipline %d registered\n", ldisc);
	return 0;

err_core:
	mfw_core_exit();
	return ret;
}

static void __exit mfw_exit(void)
{
	mfw_compat_unregister_ldisc(&mfw_ldisc_ops);
	mfw_core_exit();
}

module_init(mfw_init);
module_exit(mfw_exit);

MODULE_DESCRIPTION("Firmware upgrade line discipline for CMIoT OneMO modules");
MODULE_ALIAS_LDISC(N_DEVELOPMENT);
MODULE_LICENSE("GPL");
MODULE_VERSION(MFW_VERSION);
