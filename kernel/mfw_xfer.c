// SPDX-License-Identifier: GPL-2.0
/*
 * mfw - writing a package into the module over the serial line.
 *
 * The family's row picks the path.  The hex path sends the package as
 * AT+MFWDLOAD=<offset>,<len>,"<hex>" commands of at most hex_max bytes,
 * one command per acknowledged chunk, so a write() returns once the module
 * holds its bytes and no more than a chunk is ever kept.  The transparent
 * path announces the whole length with AT+MFWDLOAD=0,<len>, waits for the
 * module's prompt and streams the raw bytes; it needs the length first,
 * from a declared size or by buffering a plain write until commit.
 *
 * Writers are serialised by the session mutex.  What sysfs shows (offset,
 * digests, check) is published under the port's lock, so readers never
 * wait for the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/hash.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/mm.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "mfw.h"
#include "mfw_cme.h"

static unsigned int mfw_write_timeout_ms = 30000;
module_param_named(write_timeout_ms, mfw_write_timeout_ms, uint, 0644);
MODULE_PARM_DESC(write_timeout_ms, "how long the module may take to acknowledge package data");

static unsigned int mfw_raw_idle_ms = 30000;
module_param_named(raw_idle_ms, mfw_raw_idle_ms, uint, 0644);
MODULE_PARM_DESC(raw_idle_ms, "longest pause of a transparent writer before the driver ends its transfer (ms)");

static unsigned int mfw_buffer_max = 16 << 20;
module_param_named(buffer_max, mfw_buffer_max, uint, 0644);
MODULE_PARM_DESC(buffer_max, "largest package of unknown size kept for a transparent write (bytes)");

/* Names the crypto API knows the digests by, and AT+MFWCHECK's numbers. */
static const char * const mfw_digest_alg[MFW_DIGEST_NR] = {
	[MFW_DIGEST_MD5]	= "md5",
	[MFW_DIGEST_SHA1]	= "sha1",
	[MFW_DIGEST_SHA256]	= "sha256",
};

/* Longest hex write: AT+MFWDLOAD=<20 digits>,<3 digits>,"<2 x 512>". */
#define MFW_HEX_CMD_MAX	(sizeof("AT+MFWDLOAD=,,\"\"") + 20 + 10 + \
			 2 * MFW_HEX_CHUNK_MAX)

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

/* Start the three digests over.  Caller holds the session mutex. */
static void mfw_xfer_hash_reset(struct mfw_xfer *x)
{
	int i;

	lockdep_assert_held(&x->mutex);
	for (i = 0; i < MFW_DIGEST_NR; i++)
		if (x->desc[i] && crypto_shash_init(x->desc[i]))
			x->whole = false;
}

static void mfw_xfer_hash(struct mfw_xfer *x, const u8 *data, size_t len)
{
	int i;

	if (!x->whole)
		return;
	for (i = 0; i < MFW_DIGEST_NR; i++)
		if (x->desc[i] && crypto_shash_update(x->desc[i], data, len))
			x->whole = false;
}

/*
 * Publish the digests of the bytes hashed so far, without ending the
 * running hashes (a resumed session continues them).  Caller: mutex.
 */
static void mfw_xfer_hash_publish(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	u8 out[MFW_DIGEST_NR][MFW_DIGEST_MAX] = { };
	bool ok = x->whole;
	int i;

	lockdep_assert_held(&x->mutex);
	for (i = 0; ok && i < MFW_DIGEST_NR; i++) {
		if (!x->desc[i])
			continue;
		/* Finish a copy: the running state stays as it is. */
		memcpy(x->scratch, x->desc[i],
		       sizeof(*x->desc[i]) + crypto_shash_descsize(x->tfm[i]));
		if (crypto_shash_final(x->scratch, out[i]))
			ok = false;
	}
	spin_lock(&port->lock);
	memcpy(x->digest, out, sizeof(out));
	x->digest_valid = ok;
	x->check = MFW_CHECK_NONE;
	spin_unlock(&port->lock);
	memzero_explicit(out, sizeof(out));
}

/* Progress of the session, for sysfs.  Caller: mutex, not the lock. */
static void mfw_xfer_progress(struct mfw_port *port)
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

/* The session failed for good with @ret.  Caller: mutex. */
static int mfw_xfer_fail(struct mfw_port *port, int ret)
{
	struct mfw_xfer *x = &port->xfer;

	lockdep_assert_held(&x->mutex);
	ret = mfw_xfer_error(port, ret);
	if (!x->result)
		x->result = ret;
	return ret;
}

static int mfw_xfer_erase(struct mfw_port *port)
{
	int ret;

	ret = mfw_chan_command(port, "AT+MFWERASE", NULL, 0,
			       mfw_write_timeout_ms);
	if (ret)
		dev_err(&port->dev, "AT+MFWERASE failed (%d)\n", ret);
	return ret;
}

/* The writer just handed over raw bytes: the idle limit starts again. */
static void mfw_xfer_raw_alive(struct mfw_xfer *x)
{
	lockdep_assert_held(&x->mutex);
	x->raw_last = jiffies;
	mod_delayed_work(system_wq, &x->raw_idle,
			 msecs_to_jiffies(READ_ONCE(mfw_raw_idle_ms)));
}

/* Open the transparent write of @len bytes.  Caller: mutex. */
static int mfw_xfer_raw_open(struct mfw_port *port, u64 len)
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
	if (ret)
		return ret;
	x->raw = true;
	x->raw_total = len;
	mfw_xfer_raw_alive(x);
	return 0;
}

/* Wait for the module's verdict on a transparent write.  Caller: mutex. */
static int mfw_xfer_raw_close(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	int ret;

	lockdep_assert_held(&x->mutex);
	/* Not _sync: the idle work takes the mutex; it checks x->raw. */
	cancel_delayed_work(&x->raw_idle);
	ret = mfw_chan_raw_end(port, &x->raw_txn, mfw_write_timeout_ms);
	x->raw = false;
	if (!ret && x->pos != x->raw_total)
		ret = -EIO;
	return ret;
}

/*
 * mfw_xfer_raw_stop() - end a transparent write its writer will not finish
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
static void mfw_xfer_raw_stop(struct mfw_port *port, const char *why)
{
	struct mfw_xfer *x = &port->xfer;

	lockdep_assert_held(&x->mutex);
	if (READ_ONCE(x->raw_txn.done) || READ_ONCE(port->dead)) {
		mfw_xfer_raw_close(port);
		return;
	}
	cancel_delayed_work(&x->raw_idle);
	dev_err(&port->dev,
		"transparent write abandoned after %llu of %llu bytes (%s): filling the rest to end it\n",
		x->pos, x->raw_total, why);
	x->raw = false;
	x->filling = true;
	x->fill_left = x->raw_total - x->pos;
	spin_lock(&port->lock);
	x->abandon_pos = x->pos;
	x->abandon_total = x->raw_total;
	x->abandon_why = why;
	spin_unlock(&port->lock);
	queue_work(system_unbound_wq, &x->raw_fill);
}

/* raw_fill: see mfw_xfer_raw_stop(). */
static void mfw_xfer_raw_fill(struct work_struct *work)
{
	struct mfw_xfer *x = container_of(work, struct mfw_xfer, raw_fill);
	struct mfw_port *port = container_of(x, struct mfw_port, xfer);
	u64 left = x->fill_left;
	u8 *zeros;
	size_t n;
	int ret = 0;

	zeros = kzalloc(PAGE_SIZE, GFP_KERNEL);
	while (zeros && left && !ret) {
		n = min_t(u64, left, PAGE_SIZE);
		ret = mfw_chan_raw_send(port, &x->raw_txn, zeros, n,
					mfw_write_timeout_ms);
		if (!ret)
			left -= n;
	}
	kfree(zeros);
	ret = mfw_chan_raw_end(port, &x->raw_txn, mfw_write_timeout_ms);
	dev_info(&port->dev, "abandoned transparent write ended (%d), %llu filler bytes unsent\n",
		 ret, left);
	if (!READ_ONCE(port->dead) && x->caps && x->caps->erase)
		mfw_xfer_erase(port);
	spin_lock(&port->lock);
	port->last_error = MFW_ERROR_ABANDONED;
	spin_unlock(&port->lock);
	mutex_lock(&x->mutex);
	x->filling = false;
	mutex_unlock(&x->mutex);
	wake_up_all(&port->wq);
}

/* raw_idle: a transparent writer that stops sending for raw_idle_ms. */
static void mfw_xfer_raw_idle(struct work_struct *work)
{
	struct mfw_xfer *x = container_of(to_delayed_work(work),
					  struct mfw_xfer, raw_idle);
	struct mfw_port *port = container_of(x, struct mfw_port, xfer);
	unsigned long limit = msecs_to_jiffies(READ_ONCE(mfw_raw_idle_ms));

	mutex_lock(&x->mutex);
	if (!x->raw)
		goto out;
	if (time_before(jiffies, x->raw_last + limit)) {
		mod_delayed_work(system_wq, &x->raw_idle,
				 x->raw_last + limit - jiffies);
		goto out;
	}
	mfw_xfer_raw_stop(port, "the writer stopped sending");
	mfw_xfer_fail(port, -ETIMEDOUT);
out:
	mutex_unlock(&x->mutex);
}

/* Send @len raw bytes of an open transparent write.  Caller: mutex. */
static int mfw_xfer_raw_send(struct mfw_port *port, const u8 *data,
			     size_t len)
{
	struct mfw_xfer *x = &port->xfer;
	int ret;

	lockdep_assert_held(&x->mutex);
	if (x->pos + len > x->raw_total)
		return -EFBIG;
	ret = mfw_chan_raw_send(port, &x->raw_txn, data, len,
				mfw_write_timeout_ms);
	if (ret)
		return ret;
	mfw_xfer_hash(x, data, len);
	x->pos += len;
	mfw_xfer_progress(port);
	if (x->pos == x->raw_total)
		return mfw_xfer_raw_close(port);
	mfw_xfer_raw_alive(x);
	return 0;
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
		mfw_xfer_hash_reset(x);
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
		return mfw_xfer_raw_open(port, x->declared);
	return 0;
}

/* One hex chunk of at most hex_max bytes.  Caller: mutex. */
static int mfw_xfer_hex_chunk(struct mfw_port *port, const u8 *data,
			      size_t len)
{
	struct mfw_xfer *x = &port->xfer;
	char *p;
	int n, ret;

	lockdep_assert_held(&x->mutex);
	n = scnprintf(x->cmd, MFW_HEX_CMD_MAX, "AT+MFWDLOAD=%llu,%zu,\"",
		      x->pos, len);
	p = bin2hex(x->cmd + n, data, len);
	*p++ = '"';
	*p = '\0';
	ret = mfw_chan_command(port, x->cmd, NULL, 0, mfw_write_timeout_ms);
	if (ret)
		return ret;
	mfw_xfer_hash(x, data, len);
	x->pos += len;
	x->failed = 0;
	mfw_xfer_progress(port);
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

int mfw_xfer_open(struct mfw_port *port, u64 size)
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
	left = wait_event_killable_timeout(port->wq, !READ_ONCE(x->filling),
					   msecs_to_jiffies(mfw_user_wait_ms));
	if (left < 0)
		return -EINTR;
	if (!left)
		return -EBUSY;

	mutex_lock(&x->mutex);
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
	WRITE_ONCE(x->cancel, false);
	spin_lock(&port->lock);
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
			ret = mfw_xfer_raw_send(port, data + done, n);
		} else {
			n = min_t(size_t, len - done, x->caps->hex_max);
			ret = mfw_xfer_hex_chunk(port, data + done, n);
		}
		if (ret)
			break;
		done += n;
	}
	if (ret && ret != -ECANCELED && ret != -EINTR) {
		/* A transparent write cannot go on after a failure. */
		if (x->raw || !(x->caps->paths & MFW_PATH_HEX)) {
			if (x->raw)
				mfw_xfer_raw_stop(port, "the line stopped taking bytes");
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
		mfw_xfer_hash_publish(port);
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
		mfw_xfer_raw_stop(port, READ_ONCE(x->cancel) ?
				  "the writer cancelled it" :
				  "the writer closed it early");
		return mfw_xfer_fail(port, -EIO);
	}
	if (x->buf_len) {
		/* A plain write of unknown size: now its size is known. */
		ret = mfw_xfer_raw_open(port, x->buf_len);
		if (!ret) {
			size_t off, n;

			for (off = 0; !ret && off < x->buf_len; off += n) {
				n = min_t(size_t, x->buf_len - off, PAGE_SIZE);
				if (READ_ONCE(x->cancel))
					ret = -ECANCELED;
				else
					ret = mfw_xfer_raw_send(port,
								x->buf + off,
								n);
			}
			if (ret && x->raw)
				mfw_xfer_raw_stop(port, ret == -ECANCELED ?
						  "the writer cancelled it" :
						  "the line stopped taking bytes");
		}
		mfw_xfer_buffer_free(port);
		if (ret)
			return mfw_xfer_fail(port, ret);
	} else if (x->declared && x->pos != x->declared) {
		dev_err(&port->dev, "package ended after %llu of %llu bytes\n",
			x->pos, x->declared);
		return mfw_xfer_fail(port, -EIO);
	}

	mfw_xfer_hash_publish(port);
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
	}
	mutex_unlock(&x->mutex);
	return ret;
}

void mfw_xfer_cancel(struct mfw_port *port)
{
	WRITE_ONCE(port->xfer.cancel, true);
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

int mfw_xfer_verify(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	u8 mine[MFW_DIGEST_MAX];
	const struct mfw_model *caps;
	char *resp, *hex;
	u8 theirs[MFW_DIGEST_MAX];
	bool valid;
	int ret;

	spin_lock(&port->lock);
	caps = port->caps;
	valid = x->digest_valid;
	memcpy(mine, x->digest[MFW_DIGEST_SHA256], sizeof(mine));
	spin_unlock(&port->lock);
	if (!caps || !caps->check || !valid || !x->tfm[MFW_DIGEST_SHA256])
		return 0;

	resp = kzalloc(MFW_RESP_MAX, GFP_KERNEL);
	if (!resp)
		return -ENOMEM;
	ret = mfw_chan_command(port, "AT+MFWCHECK=2", resp, MFW_RESP_MAX,
			       mfw_write_timeout_ms);
	if (ret)
		goto out;
	hex = strstr(resp, "+MFWCHECK:");
	if (!hex) {
		ret = -EPROTO;
		goto out;
	}
	hex = skip_spaces(hex + strlen("+MFWCHECK:"));
	if (strcspn(hex, "\n") != 2 * sizeof(theirs) ||
	    hex2bin(theirs, hex, sizeof(theirs))) {
		ret = -EPROTO;
		goto out;
	}
	ret = memcmp(mine, theirs, sizeof(mine)) ? -EBADMSG : 0;
	spin_lock(&port->lock);
	x->check = ret ? MFW_CHECK_MISMATCH : MFW_CHECK_MATCH;
	spin_unlock(&port->lock);
	if (ret)
		dev_err(&port->dev,
			"the module's package is not what was written (SHA-256 %*phN, written %*phN): not upgrading\n",
			(int)sizeof(theirs), theirs, (int)sizeof(mine), mine);
out:
	if (ret == -EPROTO)
		dev_err(&port->dev, "unexpected answer to AT+MFWCHECK=2\n");
	kfree(resp);
	return ret;
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
	size_t scratch = 0;
	int i;

	mutex_init(&x->mutex);
	INIT_DELAYED_WORK(&x->raw_idle, mfw_xfer_raw_idle);
	INIT_WORK(&x->raw_fill, mfw_xfer_raw_fill);
	x->alloc = sizeof(*port);
	for (i = 0; i < MFW_DIGEST_NR; i++) {
		struct crypto_shash *tfm;

		tfm = crypto_alloc_shash(mfw_digest_alg[i], 0, 0);
		if (IS_ERR(tfm)) {
			/* A kernel without the hash: no such digest. */
			dev_info(&port->dev, "no %s digest (%ld)\n",
				 mfw_digest_alg[i], PTR_ERR(tfm));
			continue;
		}
		x->tfm[i] = tfm;
		x->desc[i] = kzalloc(sizeof(*x->desc[i]) +
				     crypto_shash_descsize(tfm), GFP_KERNEL);
		if (!x->desc[i])
			goto err_free;
		x->desc[i]->tfm = tfm;
		x->alloc += sizeof(*x->desc[i]) + crypto_shash_descsize(tfm);
		scratch = max_t(size_t, scratch, sizeof(*x->desc[i]) +
				crypto_shash_descsize(tfm));
	}
	if (scratch) {
		x->scratch = kzalloc(scratch, GFP_KERNEL);
		if (!x->scratch)
			goto err_free;
		x->alloc += scratch;
	}
	port->stats.mem_peak = x->alloc;
	return 0;

err_free:
	mfw_xfer_destroy(port);
	return -ENOMEM;
}

void mfw_xfer_destroy(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	int i;

	/* The port is dead: a filler still running ends at its next send. */
	cancel_delayed_work_sync(&x->raw_idle);
	cancel_work_sync(&x->raw_fill);

	kfree_sensitive(x->scratch);
	x->scratch = NULL;
	for (i = 0; i < MFW_DIGEST_NR; i++) {
		kfree_sensitive(x->desc[i]);
		x->desc[i] = NULL;
		if (x->tfm[i])
			crypto_free_shash(x->tfm[i]);
		x->tfm[i] = NULL;
	}
	kvfree(x->buf);
	x->buf = NULL;
	kfree(x->cmd);
	x->cmd = NULL;
}
