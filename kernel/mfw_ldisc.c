// SPDX-License-Identifier: GPL-2.0
/*
 * mfw - line discipline for the AT port of CMIoT OneMO cellular modules.
 *
 * The discipline is n_tty plus a receive hook: every client of the port
 * keeps full N_TTY semantics, and mfw sees exactly the bytes n_tty consumed.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/list.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/tty.h>
#include <linux/tty_ldisc.h>

#include "mfw_compat.h"

/* Longest line kept for the log; the rest of a longer line is dropped. */
#define MFW_LINE_MAX	128

static int ldisc = N_DEVELOPMENT;
module_param(ldisc, int, 0444);
MODULE_PARM_DESC(ldisc, "line discipline number to register (default N_DEVELOPMENT)");

/**
 * struct mfw_port - per-tty state of an attached port
 * @node: entry in mfw_ports
 * @tty: the tty this discipline is attached to
 * @line: bytes of the line being received
 * @len: bytes in @line
 * @dropped: bytes of the current line that did not fit in @line
 *
 * n_tty owns tty->disc_data, so the port is found by looking the tty up.
 * @line, @len and @dropped are only touched by the receive hook, which the
 * tty buffer layer never runs concurrently for one tty.
 */
struct mfw_port {
	struct list_head node;
	struct tty_struct *tty;
	u8 line[MFW_LINE_MAX];
	size_t len;
	size_t dropped;
};

/* Protects mfw_ports (adds, removals and lookups). */
static DEFINE_SPINLOCK(mfw_ports_lock);
static LIST_HEAD(mfw_ports);

static struct tty_ldisc_ops mfw_ldisc_ops;
static int (*n_tty_open)(struct tty_struct *tty);
static void (*n_tty_close)(struct tty_struct *tty);
static mfw_receive_buf2_t n_tty_receive_buf2;

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

static void mfw_port_log_line(struct mfw_port *port)
{
	if (port->len || port->dropped)
		pr_info_ratelimited("%s: rx \"%*pE\"%s\n", tty_name(port->tty),
				    (int)port->len, port->line,
				    port->dropped ? " (truncated)" : "");
	port->len = 0;
	port->dropped = 0;
}

static void mfw_port_rx(struct mfw_port *port, const u8 *cp, const u8 *fp,
			size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		if (fp && fp[i] != TTY_NORMAL)
			continue;
		if (cp[i] == '\r' || cp[i] == '\n') {
			mfw_port_log_line(port);
			continue;
		}
		if (port->len < MFW_LINE_MAX)
			port->line[port->len++] = cp[i];
		else
			port->dropped++;
	}
}

size_t mfw_ldisc_receive(struct tty_struct *tty, const u8 *cp, const u8 *fp,
			 size_t count)
{
	struct mfw_port *port = mfw_port_lookup(tty);
	size_t done;

	done = n_tty_receive_buf2(tty, cp, (const void *)fp, count);
	/* The ldisc reference held by our caller keeps the port alive. */
	if (!WARN_ON_ONCE(!port))
		mfw_port_rx(port, cp, fp, done);
	return done;
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

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	port->tty = tty;

	spin_lock(&mfw_ports_lock);
	list_add(&port->node, &mfw_ports);
	spin_unlock(&mfw_ports_lock);

	ret = n_tty_open(tty);
	if (ret)
		goto err_unlist;

	pr_info("%s: attached\n", tty_name(tty));
	return 0;

err_unlist:
	spin_lock(&mfw_ports_lock);
	list_del(&port->node);
	spin_unlock(&mfw_ports_lock);
	kfree(port);
	return ret;
}

static void mfw_close(struct tty_struct *tty)
{
	struct mfw_port *port = mfw_port_lookup(tty);

	n_tty_close(tty);
	if (WARN_ON_ONCE(!port))
		return;

	spin_lock(&mfw_ports_lock);
	list_del(&port->node);
	spin_unlock(&mfw_ports_lock);
	pr_info("%s: detached\n", tty_name(tty));
	kfree(port);
}

static int __init mfw_init(void)
{
	int ret;

	n_tty_inherit_ops(&mfw_ldisc_ops);
	n_tty_open = mfw_ldisc_ops.open;
	n_tty_close = mfw_ldisc_ops.close;
	n_tty_receive_buf2 = mfw_ldisc_ops.receive_buf2;

	mfw_ldisc_ops.owner = THIS_MODULE;
	mfw_ldisc_ops.num = ldisc;
	mfw_ldisc_ops.name = "mfw";
	mfw_ldisc_ops.open = mfw_open;
	mfw_ldisc_ops.close = mfw_close;
	mfw_ldisc_ops.receive_buf2 = mfw_compat_receive_buf2;

	ret = tty_register_ldisc(&mfw_ldisc_ops);
	if (ret) {
		pr_err("cannot register line discipline %d: %d\n", ldisc, ret);
		return ret;
	}
	pr_info("line discipline %d registered\n", ldisc);
	return 0;
}

static void __exit mfw_exit(void)
{
	tty_unregister_ldisc(&mfw_ldisc_ops);
}

module_init(mfw_init);
module_exit(mfw_exit);

MODULE_DESCRIPTION("Firmware upgrade line discipline for CMIoT OneMO modules");
MODULE_LICENSE("GPL");
