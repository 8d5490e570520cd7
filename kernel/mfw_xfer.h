/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw - writing a package into the module: the session (mfw_xfer.c), the
 * hex and transparent paths (mfw_hex.c, mfw_raw.c), their digests and the
 * check before an upgrade (mfw_digest.c).  /dev/mfwN and the
 * firmware-upload front end both drive one write session at a time
 * through these functions.
 */
#ifndef _MFW_XFER_H
#define _MFW_XFER_H

#include <linux/sysfs.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include "mfw_chan.h"
#include "mfw_models.h"

struct mfw_port;
struct crypto_shash;
struct shash_desc;

/* Digests the driver keeps of what it wrote. */
enum mfw_digest {
	MFW_DIGEST_MD5,		/* AT+MFWCHECK=0 */
	MFW_DIGEST_SHA1,	/* AT+MFWCHECK=1 */
	MFW_DIGEST_SHA256,	/* AT+MFWCHECK=2 */
	MFW_DIGEST_NR
};

/* Largest digest, in bytes (SHA-256). */
#define MFW_DIGEST_MAX		32

/* Outcome of the last comparison with AT+MFWCHECK. */
enum mfw_check {
	MFW_CHECK_NONE,		/* not compared */
	MFW_CHECK_MATCH,
	MFW_CHECK_MISMATCH,
};

/**
 * struct mfw_xfer - the package the driver writes into one module
 * @mutex: serialises writers: held across a whole write(), commit and
 *	close, so one session's chunks never interleave with another's;
 *	protects the fields up to @fill_left
 * @active: a write session is open (one per port)
 * @started: the session's first write happened (erase done, offset set)
 * @caps: the family's row, fixed for the session
 * @declared: package size declared for the session, 0 when unknown
 * @pos: bytes of the package the module acknowledged (hex), or took
 *	(transparent)
 * @whole: the running digests cover the package from its first byte
 * @raw: a transparent write is open: the module counts raw bytes and the
 *	driver owns the command channel until they are all in
 * @raw_total: the length announced with AT+MFWDLOAD=0,<len>
 * @raw_cmd: that command's text (the transaction points at it)
 * @raw_txn: the command of the transparent write; owned by @raw_fill
 *	while @filling
 * @raw_last: jiffies when the writer last handed the driver raw bytes
 * @raw_sent: bytes of the transparent write the tty driver took (at least
 *	@pos: a chunk cut short leaves part of it on the line)
 * @filling: an abandoned transparent write is being fed to its end by
 *	@raw_fill; no session opens meanwhile
 * @fill_left: bytes @raw_fill still has to send
 * @cmd: the command being built (hex chunks need MFW_HEX_CMD_MAX bytes)
 * @buf: a transparent package of unknown size, kept until commit
 * @buf_len: bytes in @buf
 * @buf_size: allocated size of @buf
 * @result: a failure that ends the session; later writes return it
 * @failed: the last hex chunk failed with this errno (0: it went in)
 * @pending: @failed cut a write short and is for the next call to report
 * @alloc: bytes allocated for this port now (for statistics/mem_peak)
 * @tfm: hash transforms, by enum mfw_digest (NULL: not in this kernel)
 * @desc: running hash states, by enum mfw_digest
 * @scratch: a hash state copied to finish without ending the original
 * @cancel: the session's owner asked it to stop; read without the mutex,
 *	set under the port lock
 * @cancel_src: the flag of the front end whose cancel reaches this
 *	session (mfw_xfer_open()), NULL for none (port lock)
 * @next_size: size declared for the next session (port lock)
 * @pub_pos: @pos as sysfs shows it (port lock)
 * @digest: digests of the package this port wrote (port lock)
 * @digest_valid: @digest is meaningful (port lock)
 * @check: enum mfw_check of the last comparison (port lock)
 * @abandon_pos: bytes the writer had given an abandoned transparent
 *	write (port lock)
 * @abandon_total: that write's announced length (port lock)
 * @abandon_why: why it was abandoned, for last_error (port lock)
 * @raw_idle: ends a transparent write whose writer stopped for
 *	raw_idle_ms
 * @raw_fill: feeds an abandoned transparent write to its end, releases
 *	the channel and erases what the module got
 */
struct mfw_xfer {
	struct mutex mutex;	/* the write session, see above */
	bool active;
	bool started;
	const struct mfw_model *caps;
	u64 declared;
	u64 pos;
	bool whole;
	bool raw;
	u64 raw_total;
	char raw_cmd[32];
	struct mfw_txn raw_txn;
	unsigned long raw_last;
	u64 raw_sent;
	bool filling;
	u64 fill_left;
	char *cmd;
	u8 *buf;
	size_t buf_len;
	size_t buf_size;
	int result;
	int failed;
	bool pending;
	long alloc;
	struct crypto_shash *tfm[MFW_DIGEST_NR];
	struct shash_desc *desc[MFW_DIGEST_NR];
	struct shash_desc *scratch;
	bool cancel;
	const bool *cancel_src;

	u64 next_size;
	u64 pub_pos;
	u8 digest[MFW_DIGEST_NR][MFW_DIGEST_MAX];
	bool digest_valid;
	enum mfw_check check;
	u64 abandon_pos;
	u64 abandon_total;
	const char *abandon_why;

	struct delayed_work raw_idle;
	struct work_struct raw_fill;
};

/**
 * mfw_xfer_init() - set up a port's write state at creation
 * @port: the port
 *
 * Return: 0 or -ENOMEM (or the crypto API's error for a missing hash).
 */
int mfw_xfer_init(struct mfw_port *port);

/**
 * mfw_xfer_destroy() - free what mfw_xfer_init() and the sessions allocated
 * @port: the port, no longer reachable by any writer
 */
void mfw_xfer_destroy(struct mfw_port *port);

/**
 * mfw_xfer_open() - start a write session
 * @port: the port
 * @size: size of the package when known, else 0
 * @cancel: the caller's cancel flag (the firmware-upload front end's), or
 *	NULL: once true it ends the wait below, and mfw_xfer_cancel() with
 *	it stops this session and no other
 *
 * Waits (killable, at most user_wait_ms) while the driver still ends a
 * transparent write the previous writer abandoned.
 *
 * Return: 0; -EBUSY when a session is open or the abandoned write did not
 * end in time; -ECANCELED when @cancel became true first; -EINTR on a
 * fatal signal; -ENXIO while the module's family is unknown; -EOPNOTSUPP
 * when the family cannot take a package over the serial line (it
 * upgrades from a url only).
 */
int mfw_xfer_open(struct mfw_port *port, u64 size, const bool *cancel);

/**
 * mfw_xfer_declare() - declare the package size (ioctl, sysfs image_size)
 * @port: the port
 * @size: the size in bytes; it applies to the open session, or to the
 *	next one when none is open (0 withdraws a declaration)
 *
 * Return: 0, -EBUSY once bytes were written, -EINVAL or -EFBIG.
 */
int mfw_xfer_declare(struct mfw_port *port, u64 size);

/**
 * mfw_xfer_write() - write part of the package
 * @port: the port
 * @data: the bytes (kernel memory)
 * @len: their number
 * @offset: their offset in the package
 *
 * Sleeps until the module acknowledged them (hex path), took them
 * (transparent path with a declared size) or they were buffered (size
 * unknown).
 *
 * Return: bytes written (fewer than @len only after a failure that the
 * next call reports) or a negative errno; -ESPIPE when @offset is not
 * where the family can continue.
 */
ssize_t mfw_xfer_write(struct mfw_port *port, const u8 *data, size_t len,
		       u64 offset);

/**
 * mfw_xfer_commit() - finish the session's package
 * @port: the port
 *
 * Sends a buffered package, waits for the module's final answer to a
 * transparent write, and completes the digests.  Idempotent.
 *
 * Return: 0 or the session's failure.
 */
int mfw_xfer_commit(struct mfw_port *port);

/**
 * mfw_xfer_close() - end the session, committing what was written
 * @port: the port
 *
 * Return: the result of mfw_xfer_commit().
 */
int mfw_xfer_close(struct mfw_port *port);

/**
 * mfw_xfer_cancel() - make the session's current and later writes stop
 * @port: the port
 * @src: the cancel flag its caller set, as given to mfw_xfer_open()
 *
 * Stops the session only when it was opened with @src: a front end's
 * cancel never ends another's session.  Does not sleep.
 */
void mfw_xfer_cancel(struct mfw_port *port, const bool *src);

/**
 * mfw_xfer_busy() - whether a write session is open
 * @port: the port
 *
 * Return: true while /dev/mfwN or the firmware upload writes a package.
 */
bool mfw_xfer_busy(struct mfw_port *port);

/**
 * mfw_xfer_verify() - compare the module's package with what was written
 * @port: the port
 *
 * For families with AT+MFWCHECK, when this port wrote the whole package,
 * asks the module for its SHA-256 and compares.  Sleeps.
 *
 * Return: 0 when they match or there is nothing to compare; -EBADMSG on a
 * mismatch; the command's error when the module did not answer.
 */
int mfw_xfer_verify(struct mfw_port *port);

/**
 * mfw_xfer_forget() - the module's package was replaced or erased
 * @port: the port
 *
 * Drops the digests and the resume offset.
 */
void mfw_xfer_forget(struct mfw_port *port);

/*
 * Inside the write engine: the session (mfw_xfer.c) and its paths and
 * digests (mfw_hex.c, mfw_raw.c, mfw_digest.c).  "Caller: mutex" means
 * the session mutex, port->xfer.mutex.
 */

/* Longest hex write: AT+MFWDLOAD=<20 digits>,<3 digits>,"<2 x 512>". */
#define MFW_HEX_CMD_MAX	(sizeof("AT+MFWDLOAD=,,\"\"") + 20 + 10 + \
			 2 * MFW_HEX_CHUNK_MAX)

/* How long the module may take to acknowledge package data (ms). */
extern unsigned int mfw_write_timeout_ms;

/**
 * mfw_xfer_progress() - publish the session's position for sysfs
 * @port: the port
 *
 * Caller: mutex, not the port lock.
 */
void mfw_xfer_progress(struct mfw_port *port);

/**
 * mfw_xfer_fail() - the session failed for good
 * @port: the port
 * @ret: the failure, a negative errno (-EREMOTEIO: the code is in
 *	last_error)
 *
 * Sets state "error" (unless the port died) and makes @ret the answer to
 * every later write.  Caller: mutex.
 *
 * Return: the errno a writer gets for @ret.
 */
int mfw_xfer_fail(struct mfw_port *port, int ret);

/**
 * mfw_xfer_erase() - AT+MFWERASE, bounded by write_timeout_ms
 * @port: the port
 *
 * Return: as mfw_chan_command(); a failure is logged.
 */
int mfw_xfer_erase(struct mfw_port *port);

/**
 * mfw_hex_chunk() - write one chunk of at most hex_max bytes at the
 *	session's position (SPEC, AT+MFWDLOAD hex form)
 * @port: the port
 * @data: the bytes
 * @len: their number, 1 to the family's hex_max
 *
 * Caller: mutex.
 *
 * Return: 0 once the module said OK (the position advances), or the
 * command's error as for mfw_chan_command().
 */
int mfw_hex_chunk(struct mfw_port *port, const u8 *data, size_t len);

/**
 * mfw_raw_open() - announce a transparent write and wait for the prompt
 * @port: the port
 * @len: the whole package's length in bytes
 *
 * Caller: mutex.  The channel stays the driver's until mfw_raw_close(),
 * mfw_raw_stop() or the last byte.
 *
 * Return: 0 at the prompt, -EBUSY while an abandoned write is still being
 * ended, or the command's error as for mfw_chan_command().  -EINTR when a
 * fatal signal came after the command went out, -ETIMEDOUT when no prompt
 * came within write_timeout_ms: the transfer is then abandoned as by
 * mfw_raw_stop() (its filler waits for the prompt) and the session has
 * failed with -EIO (what others sharing the file get).
 */
int mfw_raw_open(struct mfw_port *port, u64 len);

/**
 * mfw_raw_send() - hand the module raw bytes of the open transparent write
 * @port: the port
 * @data: the bytes
 * @len: their number; the session's position plus @len must not pass the
 *	announced length
 *
 * The last byte closes the transfer with the module's verdict.  Caller:
 * mutex.
 *
 * Return: 0, -EFBIG past the announced length, the module's result when
 * it ended the transfer, or -ENODEV, -ETIMEDOUT, -EINTR.
 */
int mfw_raw_send(struct mfw_port *port, const u8 *data, size_t len);

/**
 * mfw_raw_close() - take the module's verdict and free the channel
 * @port: the port
 *
 * Waits at most write_timeout_ms.  Caller: mutex.
 *
 * Return: the module's result; -EIO when it said OK before the whole
 * length was sent.  -EINTR when a fatal signal ended the wait: the verdict
 * is then left to the filler as by mfw_raw_stop(), which keeps the channel
 * until it comes, and the session has failed with -EIO (it never ends well
 * without the module's verdict).
 */
int mfw_raw_close(struct mfw_port *port);

/**
 * mfw_raw_stop() - end a transparent write its writer will not finish
 * @port: the port
 * @why: what happened, for last_error (a constant string)
 *
 * Unless the module ended it already, the rest of the length is sent as
 * filler from a work item, which then takes the verdict, frees the
 * channel and, once the module gave one, erases its package.  Does not
 * wait for that.  last_error reads "write abandoned ..." from now on.
 * Caller: mutex, with a transparent write open.
 *
 * Return: 0 when the filler took over, else the module's verdict as from
 * mfw_raw_close().
 */
int mfw_raw_stop(struct mfw_port *port, const char *why);

/**
 * mfw_raw_ended() - the module ended the open transparent write
 * @port: the port
 *
 * Called by the receive path with @port->lock held, at the module's final
 * result (or restart) for AT+MFWDLOAD=0,<len>.  The channel stays held
 * until the package bytes still in the tty driver are dropped, which the
 * writer's next write() or its close does; a writer between two calls
 * may not come back for raw_idle_ms, so the idle work ends the transfer
 * at once instead.  Never sleeps.
 */
void mfw_raw_ended(struct mfw_port *port);

/**
 * mfw_raw_init() - set up the transparent path's work items
 * @x: the port's write state
 */
void mfw_raw_init(struct mfw_xfer *x);

/**
 * mfw_raw_destroy() - wait for the transparent path's work items to end
 * @x: the write state of a dead port
 */
void mfw_raw_destroy(struct mfw_xfer *x);

/**
 * mfw_digest_init() - allocate the hashes (MD5, SHA-1, SHA-256)
 * @port: the port
 *
 * A hash the kernel lacks is logged and left out.
 *
 * Return: 0 or -ENOMEM (mfw_digest_destroy() frees what was allocated).
 */
int mfw_digest_init(struct mfw_port *port);

/**
 * mfw_digest_destroy() - free the hashes
 * @x: the write state
 */
void mfw_digest_destroy(struct mfw_xfer *x);

/**
 * mfw_digest_reset() - start the running digests over
 * @x: the write state
 *
 * Caller: mutex.
 */
void mfw_digest_reset(struct mfw_xfer *x);

/**
 * mfw_digest_update() - hash bytes the module took
 * @x: the write state
 * @data: the bytes
 * @len: their number
 *
 * Caller: mutex.
 */
void mfw_digest_update(struct mfw_xfer *x, const u8 *data, size_t len);

/**
 * mfw_digest_publish() - show the digests of what was hashed so far
 * @port: the port
 *
 * The running digests go on (a resumed session continues them).  Caller:
 * mutex.
 */
void mfw_digest_publish(struct mfw_port *port);

extern const struct attribute_group mfw_xfer_group;
extern const struct attribute_group mfw_digest_group;

#endif /* _MFW_XFER_H */
