// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the transparent path: AT+MFWDLOAD=0,<len>, the module's prompt,
 * then <len> raw bytes across as many write() calls as the writer makes,
 * with the command channel held for the module until they are all in.
 *
 * The module leaves transparent mode only when the length is in or on a
 * write error (SPEC, AT+MFWDLOAD), so a transfer its writer gives up is
 * fed to its end here before the channel is let go.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/workqueue.h>

#include "mfw.h"

static unsigned int mfw_raw_idle_ms = 30000;

/* What the filler sends: the module counts bytes, their value is moot. */
static const u8 mfw_raw_zeros[1024];
module_param_named(raw_idle_ms, mfw_raw_idle_ms, uint, 0644);
MODULE_PARM_DESC(raw_idle_ms, "longest pause of a transparent writer before the driver ends its transfer (ms)");

static void mfw_raw_abandon(struct mfw_port *port, const char *why);

/*
 * Run the idle work after @delay jiffies, or at once if the module ended
 * the transfer already: under the port lock, as mfw_raw_ended() queues it
 * at once, so that no re-arm can push that run back by raw_idle_ms.
 */
static void mfw_raw_arm(struct mfw_port *port, unsigned long delay)
{
	struct mfw_xfer *x = &port->xfer;

	spin_lock(&port->lock);
	mod_delayed_work(system_wq, &x->raw_idle,
			 x->raw_txn.done ? 0 : delay);
	spin_unlock(&port->lock);
}

/* The writer just handed over raw bytes: the idle limit starts again. */
static void mfw_raw_alive(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;

	lockdep_assert_held(&x->mutex);
	x->raw_last = jiffies;
	mfw_raw_arm(port, msecs_to_jiffies(READ_ONCE(mfw_raw_idle_ms)));
}

/* Open the transparent write of @len bytes.  Caller: mutex. */
int mfw_raw_open(struct mfw_port *port, u64 len)
{
	struct mfw_xfer *x = &port->xfer;
	int ret;

	lockdep_assert_held(&x->mutex);
	if (x->filling)
		return -EBUSY;
	memset(&x->raw_txn, 0, sizeof(x->raw_txn));
	x->raw_txn.cmd = x->raw_cmd;
	x->raw_txn.cmd_len = scnprintf(x->raw_cmd, sizeof(x->raw_cmd),
				       "AT+MFWDLOAD=0,%llu", len);
	ret = mfw_chan_raw_start(port, &x->raw_txn, mfw_write_timeout_ms);
	if (ret && ret != -EINPROGRESS && ret != -ETIMEDOUT)
		return ret;
	x->raw = true;
	x->raw_total = len;
	x->raw_sent = x->pos;
	if (ret) {
		/*
		 * Killed, or no prompt in time: the prompt may still come,
		 * and the filler waits for it.
		 */
		mfw_raw_stop(port, ret == -ETIMEDOUT ?
			     "no prompt within write_timeout_ms" :
			     "the writer was killed before the module's prompt");
		/* What a process sharing the file gets from now on. */
		mfw_xfer_fail(port, -EIO);
		return ret == -ETIMEDOUT ? -ETIMEDOUT : -EINTR;
	}
	mfw_raw_alive(port);
	return 0;
}

/* Wait for the module's verdict on a transparent write.  Caller: mutex. */
int mfw_raw_close(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	int ret;

	lockdep_assert_held(&x->mutex);
	/* Not _sync: the idle work takes the mutex; it checks x->raw. */
	cancel_delayed_work(&x->raw_idle);
	ret = mfw_chan_raw_end(port, &x->raw_txn, mfw_write_timeout_ms);
	if (ret == -EINTR) {
		/*
		 * Killed before the verdict: the channel is still held for
		 * it, and the filler (with nothing left to send) takes it.
		 * The session never ends well without the module's word.
		 */
		mfw_raw_abandon(port, "the writer was killed before the module's verdict");
		mfw_xfer_fail(port, -EIO);
		return -EINTR;
	}
	x->raw = false;
	if (!ret && x->pos != x->raw_total)
		ret = -EIO;
	return ret;
}

/*
 * mfw_raw_stop() - end a transparent write its writer will not finish
 * @port: the port
 * @why: what happened, for last_error ("the writer closed it early")
 *
 * The module leaves transparent mode only when the announced length has
 * arrived or on a write error (SPEC, AT+MFWDLOAD): it has no timeout of
 * its own.  Releasing the channel before then would make the next user
 * command package data, so unless the module ended the transfer already
 * (or the port is gone), the rest of the length is sent as filler by
 * @x->raw_fill, which then takes the module's verdict, releases the
 * channel and erases the package it now holds.  The session's writer is
 * told at once; the filler takes as long as the remaining bytes take on
 * the line.  Caller: mutex, with a transparent write open.
 */
int mfw_raw_stop(struct mfw_port *port, const char *why)
{
	struct mfw_xfer *x = &port->xfer;

	lockdep_assert_held(&x->mutex);
	if (READ_ONCE(x->raw_txn.done) || READ_ONCE(port->dead))
		return mfw_raw_close(port);
	mfw_raw_abandon(port, why);
	return 0;
}

/*
 * Hand the open transparent write, whose channel is still held, to the
 * filler: the rest of the length, the verdict, the erase.  Caller: mutex.
 */
static void mfw_raw_abandon(struct mfw_port *port, const char *why)
{
	struct mfw_xfer *x = &port->xfer;

	lockdep_assert_held(&x->mutex);
	cancel_delayed_work(&x->raw_idle);
	dev_err(&port->dev,
		"transparent write abandoned after %llu of %llu bytes (%s): %llu filler bytes and the module's verdict end it\n",
		x->pos, x->raw_total, why, x->raw_total - x->raw_sent);
	x->raw = false;
	x->filling = true;
	/* What the line took counts, acknowledged or not. */
	x->fill_left = x->raw_total - x->raw_sent;
	spin_lock(&port->lock);
	x->abandon_pos = x->pos;
	x->abandon_total = x->raw_total;
	x->abandon_why = why;
	port->last_error = MFW_ERROR_ABANDONED;
	spin_unlock(&port->lock);
	queue_work(system_unbound_wq, &x->raw_fill);
}

/* raw_fill: see mfw_raw_stop(). */
static void mfw_raw_fill(struct work_struct *work)
{
	struct mfw_xfer *x = container_of(work, struct mfw_xfer, raw_fill);
	struct mfw_port *port = container_of(x, struct mfw_port, xfer);
	u64 left = x->fill_left;
	size_t sent;
	int ret = 0;

	while (left && !ret) {
		sent = 0;
		ret = mfw_chan_raw_send(port, &x->raw_txn, mfw_raw_zeros,
					min_t(u64, left, sizeof(mfw_raw_zeros)),
					mfw_write_timeout_ms, &sent);
		left -= sent;
	}
	ret = mfw_chan_raw_end(port, &x->raw_txn, mfw_write_timeout_ms);
	if (ret == -ETIMEDOUT || ret == -ENODEV || ret == -EINTR) {
		/* No verdict: an erase now could be package data too. */
		dev_err(&port->dev,
			"the module did not end the abandoned transparent write (%d, %llu filler bytes unsent); reset or power-cycle it\n",
			ret, left);
	} else {
		dev_info(&port->dev, "abandoned transparent write ended (%d)\n",
			 ret);
		if (x->caps && x->caps->erase)
			mfw_xfer_erase(port);
	}
	mutex_lock(&x->mutex);
	x->filling = false;
	mutex_unlock(&x->mutex);
	wake_up_all(&port->wq);
}

/* raw_idle: a transparent writer that stops sending for raw_idle_ms. */
static void mfw_raw_idle(struct work_struct *work)
{
	struct mfw_xfer *x = container_of(to_delayed_work(work),
					  struct mfw_xfer, raw_idle);
	struct mfw_port *port = container_of(x, struct mfw_port, xfer);
	unsigned long limit = msecs_to_jiffies(READ_ONCE(mfw_raw_idle_ms));
	int ret;

	mutex_lock(&x->mutex);
	if (!x->raw)
		goto out;
	/* The module ended it (mfw_raw_ended()): no need to wait longer. */
	if (!READ_ONCE(x->raw_txn.done) &&
	    time_before(jiffies, x->raw_last + limit)) {
		mfw_raw_arm(port, x->raw_last + limit - jiffies);
		goto out;
	}
	ret = mfw_raw_stop(port, "the writer stopped sending");
	mfw_xfer_fail(port, ret ? ret : -ETIMEDOUT);
out:
	mutex_unlock(&x->mutex);
}

/*
 * The module ended the transfer; its writer may be between two write()
 * calls.  Caller: port lock (the receive path).
 */
void mfw_raw_ended(struct mfw_port *port)
{
	lockdep_assert_held(&port->lock);
	mod_delayed_work(system_wq, &port->xfer.raw_idle, 0);
}

/* Send @len raw bytes of an open transparent write.  Caller: mutex. */
int mfw_raw_send(struct mfw_port *port, const u8 *data, size_t len)
{
	struct mfw_xfer *x = &port->xfer;
	size_t sent = 0;
	int ret;

	lockdep_assert_held(&x->mutex);
	if (x->pos + len > x->raw_total)
		return -EFBIG;
	ret = mfw_chan_raw_send(port, &x->raw_txn, data, len,
				mfw_write_timeout_ms, &sent);
	x->raw_sent += sent;
	if (ret)
		return ret;
	mfw_digest_update(x, data, len);
	x->pos += len;
	mfw_xfer_progress(port);
	if (x->pos == x->raw_total)
		return mfw_raw_close(port);
	mfw_raw_alive(port);
	return 0;
}

void mfw_raw_init(struct mfw_xfer *x)
{
	INIT_DELAYED_WORK(&x->raw_idle, mfw_raw_idle);
	INIT_WORK(&x->raw_fill, mfw_raw_fill);
}

void mfw_raw_destroy(struct mfw_xfer *x)
{
	/* The port is dead: a filler still running ends at its next send. */
	cancel_delayed_work_sync(&x->raw_idle);
	cancel_work_sync(&x->raw_fill);
}
