// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the write session: one package going into the module over the
 * serial line, from /dev/mfwN or the firmware-upload front end.
 *
 * The family's row picks the path.  The hex path (mfw_hex.c) sends the
 * package as AT+MFWDLOAD=<offset>,<len>,"<hex>" commands of at most
 * hex_max bytes, one command per acknowledged chunk, so a write() returns
 * once the module holds its bytes and no more than a chunk is ever kept.
 * The transparent path (mfw_raw.c) announces the whole length with
 * AT+MFWDLOAD=0,<len>, waits for the module's prompt and streams the raw
 * bytes; it needs the length first, from a declared size or by buffering a
 * plain write here until commit.  mfw_digest.c hashes what went in.
 *
 * Writers are serialised by the session mutex.  What sysfs shows (offset,
 * digests, check) is published under the port's lock, so readers never
 * wait for the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "mfw.h"
#include "mfw_cme.h"

unsigned int mfw_write_timeout_ms = 30000;
module_param_named(write_timeout_ms, mfw_write_timeout_ms, uint, 0644);
MODULE_PARM_DESC(write_timeout_ms, "how long the module may take to acknowledge package data");

static unsigned int mfw_buffer_max = 16 << 20;
module_param_named(buffer_max, mfw_buffer_max, uint, 0644);
MODULE_PARM_DESC(buffer_max, "largest package of unknown size kept for a transparent write (bytes)");

/* Account @delta bytes of write buffers; keeps the peak.  Caller: mutex. */
static void mfw_xfer_account(struct mfw_port *port, long delta)
{
	struct mfw_xfer *x = &port->xfer;

	lockdep_assert_held(&x->mutex);
	x->alloc += delta;
	spin_lock(&port->lock);
	if (x->alloc > port->stats.mem_peak)
		port->stats.mem_peak = x->alloc;
	spin_unlock(&port->lock);
}

/* The module's error code as the errno a writer understands. */
static int mfw_xfer_errno(struct mfw_port *port, int ret)
{
	int code;

	if (ret != -EREMOTEIO)
		return ret;
	spin_lock(&port->lock);
	code = port->last_error;
	spin_unlock(&port->lock);
	switch (code) {
	case MFW_CME_NO_SPACE:
		return -ENOSPC;
	case MFW_CME_PKG_FS:
	case MFW_CME_PKG_MINI:
		return -ENOEXEC;
	case MFW_CME_CONFIG:
		return -EINVAL;
	case MFW_CME_WRITE:
	case MFW_CME_UNKNOWN:
		return -EIO;
	default:
		return -EREMOTEIO;
	}
}

/* Progress of the session, for sysfs.  Caller: mutex, not the lock. */
void mfw_xfer_progress(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	u64 total = x->declared ? x->declared : x->raw_total;

	lockdep_assert_held(&x->mutex);
	spin_lock(&port->lock);
	x->pub_pos = x->pos;
	port->done = x->pos;
	port->total = total;
	port->percent = total ? (int)div64_u64(x->pos * 100, total) : -1;
	spin_unlock(&port->lock);
	sysfs_notify(&port->dev.kobj, NULL, "progress");
}

static void mfw_xfer_set_state(struct mfw_port *port, enum mfw_state state)
{
	spin_lock(&port->lock);
	mfw_port_set_state(port, state);
	spin_unlock(&port->lock);
}

/* An operation failed with @ret: say so in sysfs.  Caller: mutex. */
static int mfw_xfer_error(struct mfw_port *port, int ret)
{
	lockdep_assert_held(&port->xfer.mutex);
	ret = mfw_xfer_errno(port, ret);
	if (ret != -ENODEV)
		mfw_xfer_set_state(port, MFW_STATE_ERROR);
	return ret;
}

/*
 * The session failed for good with @ret.  The first failure goes to the
 * kernel log too: a writer that never checks close() (busybox cat) sees
 * nothing else when the module went away with the port.  Caller: mutex.
 */
int mfw_xfer_fail(struct mfw_port *port, int ret)
{
	struct mfw_xfer *x = &port->xfer;
	u64 total, sent;

	lockdep_assert_held(&x->mutex);
	ret = mfw_xfer_error(port, ret);
	if (!x->result) {
		x->result = ret;
		/* Bytes that went to the module; the package's size. */
		sent = x->raw ? x->raw_sent : x->pos;
		if (x->declared)
			total = x->declared;
		else
			total = x->raw ? x->raw_total : x->buf_len;
		if (ret == -ECANCELED || ret == -EINTR)
			dev_info(&port->dev,
				 "package write stopped by its writer after %llu of %llu bytes\n",
				 sent, total);
		else
			dev_err(&port->dev,
				"package write failed after %llu of %llu bytes (%pe): the module does not hold a whole package; last_error tells the module's reason\n",
				sent, total, ERR_PTR(ret));
	}
	return ret;
}

int mfw_xfer_erase(struct mfw_port *port)
{
	int ret;

	ret = mfw_chan_command(port, "AT+MFWERASE", NULL, 0,
			       mfw_write_timeout_ms);
	if (ret)
		dev_err(&port->dev, "AT+MFWERASE failed (%d)\n", ret);
	return ret;
}

/*
 * First write of a session, at @offset: erase for a fresh start, or check
 * that the family can continue there.  Caller: mutex.
 */
static int mfw_xfer_start(struct mfw_port *port, u64 offset)
{
	struct mfw_xfer *x = &port->xfer;
	const struct mfw_model *caps = x->caps;
	bool hex = caps->paths & MFW_PATH_HEX;
	int ret;

	lockdep_assert_held(&x->mutex);
	if (offset && (!hex || !caps->resume)) {
		dev_err(&port->dev,
			"%s cannot continue a package at offset %llu; write it again from 0\n",
			caps->name, offset);
		return -ESPIPE;
	}
	if (offset && offset != x->pos)
		/* Resuming what another port wrote: digests are partial. */
		x->whole = false;

	mfw_xfer_set_state(port, MFW_STATE_WRITING);
	if (!offset) {
		if (caps->erase) {
			ret = mfw_xfer_erase(port);
			if (ret)
				return ret;
		}
		x->whole = true;
		mfw_digest_reset(x);
		spin_lock(&port->lock);
		x->digest_valid = false;
		x->check = MFW_CHECK_NONE;
		port->last_error = 0;
		spin_unlock(&port->lock);
	}
	x->pos = offset;
	x->started = true;
	mfw_xfer_progress(port);

	if (!hex && x->declared)
		return mfw_raw_open(port, x->declared);
	return 0;
}

/* Keep bytes of a transparent package of unknown size.  Caller: mutex. */
static int mfw_xfer_buffer(struct mfw_port *port, const u8 *data, size_t len)
{
	struct mfw_xfer *x = &port->xfer;
	/* Root may change the parameter at any time: read it once. */
	size_t max = READ_ONCE(mfw_buffer_max);
	size_t need = x->buf_len + len, size;
	u8 *buf;

	lockdep_assert_held(&x->mutex);
	if (need > max) {
		dev_err(&port->dev,
			"package larger than buffer_max (%zu bytes): declare its size first (image_size or MFW_IOC_SET_SIZE)\n",
			max);
		return -EFBIG;
	}
	if (need > x->buf_size) {
		size = max_t(size_t, PAGE_SIZE, x->buf_size);
		while (size < need)
			size *= 2;
		size = min_t(size_t, size, max);
		buf = kvmalloc(size, GFP_KERNEL);
		if (!buf)
			return -ENOMEM;
		if (x->buf)
			memcpy(buf, x->buf, x->buf_len);
		mfw_xfer_account(port, size);
		kvfree(x->buf);
		mfw_xfer_account(port, -(long)x->buf_size);
		x->buf = buf;
		x->buf_size = size;
	}
	memcpy(x->buf + x->buf_len, data, len);
	x->buf_len += len;
	return 0;
}

static void mfw_xfer_buffer_free(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;

	lockdep_assert_held(&x->mutex);
	kvfree(x->buf);
	mfw_xfer_account(port, -(long)x->buf_size);
	x->buf = NULL;
	x->buf_len = 0;
	x->buf_size = 0;
}

static int mfw_xfer_set_size(struct mfw_port *port, u64 size);

int mfw_xfer_open(struct mfw_port *port, u64 size, const bool *cancel)
{
	struct mfw_xfer *x = &port->xfer;
	const struct mfw_model *caps = mfw_port_caps(port);
	int ret = 0;
	long left;

	if (!caps) {
		dev_err(&port->dev, "the module is not identified yet\n");
		return -ENXIO;
	}
	if (!(caps->paths & (MFW_PATH_HEX | MFW_PATH_TRANSPARENT))) {
		dev_err(&port->dev,
			"%s takes no package over the serial line: set url and write 1 to upgrade\n",
			caps->name);
		return -EOPNOTSUPP;
	}

	/*
	 * The previous writer's abandoned transparent write is still being
	 * ended (a restarted helper comes back at once): wait for it, as a
	 * tty writer waits for the channel.
	 */
	left = wait_event_killable_timeout(port->wq, !READ_ONCE(x->filling) ||
					   READ_ONCE(port->dead) ||
					   (cancel && READ_ONCE(*cancel)),
					   msecs_to_jiffies(mfw_user_wait_ms));
	if (left < 0)
		return -EINTR;
	if (cancel && READ_ONCE(*cancel))
		return -ECANCELED;
	if (!left)
		return -EBUSY;
	if (READ_ONCE(port->dead))
		return -ENODEV;

	mutex_lock(&x->mutex);
	if (cancel && READ_ONCE(*cancel)) {
		ret = -ECANCELED;
		goto out;
	}
	if (x->active || x->filling) {
		ret = -EBUSY;
		goto out;
	}
	x->cmd = kmalloc(MFW_HEX_CMD_MAX, GFP_KERNEL);
	if (!x->cmd) {
		ret = -ENOMEM;
		goto out;
	}
	mfw_xfer_account(port, MFW_HEX_CMD_MAX);
	x->active = true;
	x->caps = caps;
	x->started = false;
	x->raw = false;
	x->result = 0;
	x->failed = 0;
	x->pending = false;
	x->declared = 0;
	spin_lock(&port->lock);
	/* A cancel that came meanwhile still counts (mfw_xfer_cancel()). */
	x->cancel_src = cancel;
	WRITE_ONCE(x->cancel, cancel && READ_ONCE(*cancel));
	if (!size)
		size = x->next_size;
	x->next_size = 0;
	spin_unlock(&port->lock);
	if (size)
		ret = mfw_xfer_set_size(port, size);
out:
	mutex_unlock(&x->mutex);
	if (ret == -EFBIG || ret == -EINVAL)
		mfw_xfer_close(port);
	return ret;
}

/* Whether a package of @size fits the protocol: 0, -EINVAL or -EFBIG. */
static int mfw_xfer_size_ok(u64 size)
{
	/* The module's numbers are 31-bit (MFW_AT_NUM_MAX). */
	if (!size)
		return -EINVAL;
	if (size > MFW_AT_NUM_MAX)
		return -EFBIG;
	return 0;
}

/* Declare the size of the open session.  Caller: mutex. */
static int mfw_xfer_set_size(struct mfw_port *port, u64 size)
{
	struct mfw_xfer *x = &port->xfer;
	int ret;

	lockdep_assert_held(&x->mutex);
	ret = mfw_xfer_size_ok(size);
	if (ret)
		return ret;
	if (!x->active)
		return -EINVAL;
	if (x->started)
		return -EBUSY;
	x->declared = size;
	return 0;
}

int mfw_xfer_declare(struct mfw_port *port, u64 size)
{
	struct mfw_xfer *x = &port->xfer;
	int ret;

	if (size) {
		ret = mfw_xfer_size_ok(size);
		if (ret)
			return ret;
	}
	if (mutex_lock_interruptible(&x->mutex))
		return -EINTR;
	if (x->active && size) {
		ret = mfw_xfer_set_size(port, size);
	} else {
		spin_lock(&port->lock);
		x->next_size = size;
		spin_unlock(&port->lock);
		ret = 0;
	}
	mutex_unlock(&x->mutex);
	return ret;
}

ssize_t mfw_xfer_write(struct mfw_port *port, const u8 *data, size_t len,
		       u64 offset)
{
	struct mfw_xfer *x = &port->xfer;
	size_t done = 0, n;
	int ret = 0;

	if (mutex_lock_killable(&x->mutex))
		return -EINTR;
	if (!x->active) {
		ret = -EBADF;
		goto out;
	}
	if (x->result) {
		ret = x->result;
		goto out;
	}
	if (x->pending) {
		/* The failure that cut the previous write short. */
		x->pending = false;
		ret = x->failed;
		goto out;
	}
	if (!len)
		goto out;
	/* Cancelled before the first byte: nothing reaches the module. */
	if (!x->started && READ_ONCE(x->cancel)) {
		ret = -ECANCELED;
		goto out;
	}
	if (!x->started) {
		ret = mfw_xfer_start(port, offset);
		if (ret)
			goto err_fail;
	} else if (offset != x->pos + x->buf_len) {
		ret = -ESPIPE;
		goto out;
	} else {
		/* After a failed hex chunk the writer tries again. */
		mfw_xfer_set_state(port, MFW_STATE_WRITING);
	}
	if (x->raw && x->pos + len > x->raw_total) {
		ret = -EFBIG;
		goto out;
	}

	if (!(x->caps->paths & MFW_PATH_HEX) && !x->raw) {
		if (x->declared) {
			/* The module said the transfer is over already. */
			ret = -ENOSPC;
			goto out;
		}
		ret = mfw_xfer_buffer(port, data, len);
		if (!ret)
			done = len;
		goto out;
	}

	while (done < len) {
		if (READ_ONCE(x->cancel)) {
			ret = -ECANCELED;
			break;
		}
		if (x->raw) {
			n = min_t(size_t, len - done, PAGE_SIZE);
			ret = mfw_raw_send(port, data + done, n);
		} else {
			n = min_t(size_t, len - done, x->caps->hex_max);
			ret = mfw_hex_chunk(port, data + done, n);
		}
		if (ret)
			break;
		done += n;
	}
	if (ret && ret != -ECANCELED && ret != -EINTR) {
		/* A transparent write cannot go on after a failure. */
		if (x->raw || !(x->caps->paths & MFW_PATH_HEX)) {
			if (x->raw)
				mfw_raw_stop(port, "the line stopped taking bytes");
			goto err_fail;
		}
		/*
		 * A hex write may be tried again at the offset reached; the
		 * failure is reported now, or by the next call when bytes
		 * before it went in.
		 */
		x->failed = mfw_xfer_error(port, ret);
		x->pending = done > 0;
		ret = x->failed;
	}
	if (!ret && x->declared && x->pos == x->declared)
		mfw_digest_publish(port);
	goto out;

err_fail:
	ret = mfw_xfer_fail(port, ret);
out:
	mutex_unlock(&x->mutex);
	if (done)
		return done;
	return ret;
}

/* Commit with the mutex held. */
static int mfw_xfer_commit_locked(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	int ret;

	lockdep_assert_held(&x->mutex);
	if (x->result)
		return x->result;
	if (!x->started)
		return 0;
	if (x->failed) {
		/* The last hex chunk did not go in: the package is not whole. */
		x->pending = false;
		return x->failed;
	}

	if (x->raw) {
		ret = mfw_raw_stop(port, READ_ONCE(x->cancel) ?
				   "the writer cancelled it" :
				   "the writer closed it early");
		return mfw_xfer_fail(port, ret ? ret : -EIO);
	}
	if (x->buf_len) {
		/* A plain write of unknown size: now its size is known. */
		ret = mfw_raw_open(port, x->buf_len);
		if (!ret) {
			size_t off, n;

			for (off = 0; !ret && off < x->buf_len; off += n) {
				n = min_t(size_t, x->buf_len - off, PAGE_SIZE);
				if (READ_ONCE(x->cancel))
					ret = -ECANCELED;
				else
					ret = mfw_raw_send(port, x->buf + off,
							   n);
			}
			if (ret && x->raw)
				mfw_raw_stop(port, ret == -ECANCELED ?
					     "the writer cancelled it" :
					     "the line stopped taking bytes");
		}
		/* Failed while the buffer still tells the package's size. */
		if (ret)
			ret = mfw_xfer_fail(port, ret);
		mfw_xfer_buffer_free(port);
		if (ret)
			return ret;
	} else if (x->declared && x->pos != x->declared) {
		dev_err(&port->dev, "package ended after %llu of %llu bytes\n",
			x->pos, x->declared);
		return mfw_xfer_fail(port, -EIO);
	}

	mfw_digest_publish(port);
	x->started = false;
	x->declared = 0;
	mfw_xfer_set_state(port, MFW_STATE_IDLE);
	return 0;
}

int mfw_xfer_commit(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	int ret;

	mutex_lock(&x->mutex);
	ret = x->active ? mfw_xfer_commit_locked(port) : -EBADF;
	mutex_unlock(&x->mutex);
	return ret;
}

int mfw_xfer_close(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	int ret = 0;

	mutex_lock(&x->mutex);
	if (x->active) {
		ret = mfw_xfer_commit_locked(port);
		mfw_xfer_buffer_free(port);
		kfree(x->cmd);
		x->cmd = NULL;
		mfw_xfer_account(port, -(long)MFW_HEX_CMD_MAX);
		x->active = false;
		x->started = false;
		spin_lock(&port->lock);
		x->cancel_src = NULL;
		spin_unlock(&port->lock);
	}
	mutex_unlock(&x->mutex);
	return ret;
}

void mfw_xfer_cancel(struct mfw_port *port, const bool *src)
{
	struct mfw_xfer *x = &port->xfer;

	spin_lock(&port->lock);
	if (src && x->cancel_src == src)
		WRITE_ONCE(x->cancel, true);
	spin_unlock(&port->lock);
}

bool mfw_xfer_busy(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	bool busy;

	/* An open session owns the package even between its writes. */
	if (!mutex_trylock(&x->mutex))
		return true;
	busy = x->active || x->filling;
	mutex_unlock(&x->mutex);
	return busy;
}

void mfw_xfer_forget(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;

	spin_lock(&port->lock);
	x->digest_valid = false;
	x->check = MFW_CHECK_NONE;
	x->pub_pos = 0;
	spin_unlock(&port->lock);
	if (mutex_trylock(&x->mutex)) {
		if (!x->active) {
			x->pos = 0;
			x->whole = false;
		}
		mutex_unlock(&x->mutex);
	}
}

int mfw_xfer_init(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	int ret;

	mutex_init(&x->mutex);
	mfw_raw_init(x);
	x->alloc = sizeof(*port);
	ret = mfw_digest_init(port);
	if (ret) {
		mfw_xfer_destroy(port);
		return ret;
	}
	port->stats.mem_peak = x->alloc;
	return 0;
}

void mfw_xfer_destroy(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;

	mfw_raw_destroy(x);
	mfw_digest_destroy(x);
	kvfree(x->buf);
	x->buf = NULL;
	kfree(x->cmd);
	x->cmd = NULL;
}
