// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the command channel: one AT command in flight on the port.
 *
 * Users (ModemManager, a terminal, the mfw helper) and the driver share the
 * module's AT port.  A user command is "in flight" from the first byte a
 * user writes (a terminal sends one character at a time) until the
 * module's final result, or until mfw_user_timeout_ms have passed since
 * the user last wrote and since the last line of its answer that the
 * module sent without a pause (mfw_chan_user_started()).  A driver
 * command waits for that, and for a reader to read the module's output
 * that waits for it (a driver command takes the lines before its own
 * answer), then owns the channel: user writes wait (or fail with -EAGAIN
 * when non-blocking), and the lines that answer the driver are kept from
 * users.  Neither side's bytes are ever
 * interleaved with the other's.
 *
 * The driver's waits for the module hold no ldisc reference, only the
 * port's rwsem for reading, and end early when the port dies.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mfw.h"
#include "mfw_compat.h"

/* Longest wait for room in the tty driver before looking again. */
#define MFW_CHAN_ROOM_POLL_MS	20
/* How often a driver command waiting for the channel looks again. */
#define MFW_CHAN_LOOK_MS	200
/* Longest wait for the channel, in user timeouts (mfw_chan_acquire()). */
#define MFW_CHAN_WAIT_MAX	6
/* Longest wait for the module's pause after a text-mode SMS. */
#define MFW_CHAN_DATA_WAIT_MS	(4 * MFW_RX_QUIET_MS)

/* Whether a driver command got the channel, and what else kept it. */
enum mfw_chan_take {
	MFW_CHAN_TAKEN,
	MFW_CHAN_OWNED,		/* a transparent write or another owner */
	MFW_CHAN_KEPT,		/* a user's write, in n_tty or parked */
	MFW_CHAN_USER,		/* a user's command in flight */
	MFW_CHAN_RX,		/* a receive run (mfw_rx_running()) */
	MFW_CHAN_HELD,		/* input waits for a reader (mfw_rx_held()) */
};

/*
 * Take the channel for @txn unless it is owned, a user's write (passing
 * through n_tty or parked) or command is under way (@force: a command in
 * flight no longer counts), or the receive hook has not handed out all
 * the module sent: a driver command takes the lines that come before its
 * echo, so those must be seen first (the rest of a user's answer or its
 * final result may be among them).  The receive hook wakes @port->wq at
 * the end of its runs.
 */
static enum mfw_chan_take mfw_chan_try_acquire(struct mfw_port *port,
					       struct mfw_txn *txn,
					       bool force)
{
	enum mfw_chan_take took;

	spin_lock(&port->lock);
	if (port->owner != MFW_OWNER_NONE)
		took = MFW_CHAN_OWNED;
	else if (port->user_writers || !list_empty(&port->parked))
		took = MFW_CHAN_KEPT;
	else if (!force && port->user_busy &&
		 time_before(jiffies, port->user_deadline))
		took = MFW_CHAN_USER;
	else if (mfw_rx_running(port))
		took = MFW_CHAN_RX;
	else if (mfw_rx_held(port))
		took = MFW_CHAN_HELD;
	else
		took = MFW_CHAN_TAKEN;
	if (took == MFW_CHAN_TAKEN) {
		port->owner = MFW_OWNER_DRIVER;
		port->txn = txn;
		/* A user's command past its time no longer counts. */
		if (port->user_busy)
			mfw_echo_forget(&port->echo);
		port->user_busy = false;
	}
	spin_unlock(&port->lock);
	return took;
}

/* Wait condition of a driver command: channel taken, or port dead. */
static bool mfw_chan_acquire_or_dead(struct mfw_port *port,
				     struct mfw_txn *txn, bool force,
				     enum mfw_chan_take *took)
{
	*took = mfw_chan_try_acquire(port, txn, force);
	return *took == MFW_CHAN_TAKEN || READ_ONCE(port->dead);
}

static void mfw_chan_release(struct mfw_port *port)
{
	spin_lock(&port->lock);
	port->owner = MFW_OWNER_NONE;
	port->txn = NULL;
	/* Writes parked meanwhile go out first (mfw_park.c). */
	mfw_park_kick(port);
	spin_unlock(&port->lock);
	wake_up_all(&port->wq);
	/* User writers wait on the tty's write queue (see user_enter). */
	wake_up_interruptible_all(&port->tty->write_wait);
}

/*
 * Give the channel up unless it is no longer @txn's (a transparent write's
 * sender may have done so already, in mfw_chan_raw_over()).
 */
static void mfw_chan_release_txn(struct mfw_port *port, struct mfw_txn *txn)
{
	bool ours;

	spin_lock(&port->lock);
	ours = port->txn == txn;
	spin_unlock(&port->lock);
	if (ours)
		mfw_chan_release(port);
}

/*
 * The module ended transparent write @raw before all of it was sent (an
 * error result, a restart): whatever package bytes still wait in the tty
 * driver would reach its command parser, so they are dropped, and only
 * then is the channel given up (the receive path left it held, see
 * mfw_rx_txn_end()).  Called by @raw's sender alone, which sends nothing
 * more.  Returns the module's result.
 */
static int mfw_chan_raw_over(struct mfw_port *port, struct mfw_txn *raw)
{
	int ret;

	if (!READ_ONCE(raw->flushed) && !READ_ONCE(port->dead))
		tty_driver_flush_buffer(port->tty);
	spin_lock(&port->lock);
	raw->flushed = true;
	ret = raw->result ? raw->result : -EIO;
	spin_unlock(&port->lock);
	mfw_chan_release_txn(port, raw);
	return ret;
}

/*
 * Write all of @buf to the tty driver, waiting for room as needed.  Once
 * the first byte is out the rest follows even if the port is being
 * detached, so the module never keeps half a command that a later user
 * command would complete.  Package bytes of the transparent write @raw
 * (NULL for a command) stop as soon as the module ends it.  *@sent (when
 * not NULL) counts the bytes the tty driver took, whatever is returned.
 */
static int mfw_chan_send(struct mfw_port *port, const u8 *buf, size_t len,
			 struct mfw_txn *raw, unsigned int timeout_ms,
			 size_t *sent)
{
	struct tty_struct *tty = port->tty;
	unsigned long end = jiffies + msecs_to_jiffies(timeout_ms);
	bool started = false;

	while (len) {
		long left = end - jiffies;
		ssize_t n;

		if (!started && READ_ONCE(port->dead))
			return -ENODEV;
		if (raw && READ_ONCE(raw->done))
			return mfw_chan_raw_over(port, raw);
		if (left <= 0)
			return -ETIMEDOUT;
		n = mfw_compat_tty_write(tty, buf, len);
		if (n < 0)
			return n;
		if (sent)
			*sent += n;
		started |= n > 0;
		buf += n;
		len -= n;
		if (!len)
			break;
		/*
		 * tty_wakeup() wakes only interruptible sleeps on write_wait,
		 * and this one must end on a fatal signal alone (a package
		 * cut short by any signal would need a filler); not every
		 * driver wakes after every drain either (a pty's other end
		 * frees room from a work item after the wakeup).  So look
		 * again every MFW_CHAN_ROOM_POLL_MS.
		 */
		left = wait_event_killable_timeout(tty->write_wait,
						   READ_ONCE(port->dead) ||
						   tty_write_room(tty) > 0,
						   min_t(long, left,
							 msecs_to_jiffies(MFW_CHAN_ROOM_POLL_MS)));
		if (left < 0)
			return -EINTR;
		/* A dead port whose driver takes nothing more: give up. */
		if (READ_ONCE(port->dead) && !tty_write_room(tty))
			return -ENODEV;
	}
	return 0;
}

/*
 * One look of mfw_chan_acquire(): wait up to MFW_CHAN_LOOK_MS for the
 * channel (@force: a user's command in flight no longer counts), *@took
 * saying what kept it.  Positive when taken or the port died, 0 when the
 * look ended, -ERESTARTSYS on a fatal signal.
 */
static long mfw_chan_look(struct mfw_port *port, struct mfw_txn *txn,
			  bool force, enum mfw_chan_take *took)
{
	return wait_event_killable_timeout(port->wq,
					   mfw_chan_acquire_or_dead(port, txn,
								    force, took),
					   msecs_to_jiffies(MFW_CHAN_LOOK_MS));
}

/*
 * Wait for the channel: for at most mfw_user_timeout_ms whatever keeps it,
 * then on while a user's write is under way, a user's command is still
 * in flight (see @port->user_deadline: the module may still be sending
 * its answer, or a reader still reading it), a receive run is handing
 * out a chunk, or input waits for a reader that reads, that is for whom
 * the receive hook took a byte within the last mfw_user_timeout_ms:
 * taking the channel then would give the driver that reader's lines.
 * It looks every MFW_CHAN_LOOK_MS, for at most MFW_CHAN_WAIT_MAX user
 * timeouts in all, and then once more for up to MFW_CHAN_LOOK_MS with a
 * user's command no longer counting (the module may have dropped it, or
 * a client keeps writing).  Another owner, a
 * user's write, or a reader that does not read keep the channel: *@took
 * says which.  Killable only, like the driver's other waits: a signal the
 * helper handles must not fail an upgrade's step.  0, or -EINTR on a
 * fatal signal.
 */
static int mfw_chan_acquire(struct mfw_port *port, struct mfw_txn *txn,
			    enum mfw_chan_take *took)
{
	unsigned long timeout = min_t(unsigned long,
				      msecs_to_jiffies(mfw_user_timeout_ms),
				      MAX_JIFFY_OFFSET / MFW_CHAN_WAIT_MAX);
	unsigned long start = jiffies, end = start + MFW_CHAN_WAIT_MAX * timeout;
	long left;

	for (;;) {
		left = mfw_chan_look(port, txn, false, took);
		if (left < 0)
			return -EINTR;
		if (left > 0)
			return 0;
		if (time_before(jiffies, start + timeout))
			continue;
		if (!time_before(jiffies, end))
			break;
		if (*took == MFW_CHAN_USER || *took == MFW_CHAN_KEPT ||
		    *took == MFW_CHAN_RX)
			continue;
		if (*took == MFW_CHAN_HELD &&
		    time_before(jiffies, READ_ONCE(port->rx_taken) + timeout))
			continue;
		return 0;
	}
	if (*took == MFW_CHAN_USER || *took == MFW_CHAN_RX ||
	    *took == MFW_CHAN_KEPT) {
		/* The last look: a user's command in flight no longer counts. */
		if (mfw_chan_look(port, txn, true, took) < 0)
			return -EINTR;
	}
	return 0;
}

/*
 * Take the command mutex, the port (rwsem read) and the channel for @txn,
 * waiting for a user command in flight to finish and for input held for
 * a reader to be read (mfw_chan_acquire()).  On success all three are held;
 * mfw_chan_unlock() drops the first two.  -EBUSY when a user's write, or
 * a reader that does not read, kept the channel.
 */
static int mfw_chan_lock(struct mfw_port *port, struct mfw_txn *txn)
{
	enum mfw_chan_take took = MFW_CHAN_OWNED;

	if (mutex_lock_killable(&port->cmd_mutex))
		return -EINTR;
	down_read(&port->rwsem);
	if (port->dead)
		goto err_dead;

	if (mfw_chan_acquire(port, txn, &took))
		goto err_intr;
	if (took == MFW_CHAN_TAKEN) {
		spin_lock(&port->lock);
		port->stats.driver_commands++;
		spin_unlock(&port->lock);
		return 0;
	}
	if (READ_ONCE(port->dead))
		goto err_dead;
	if (took == MFW_CHAN_HELD)
		dev_warn_ratelimited(&port->dev,
				     "%.*s not sent: the module's output waits for a reader of %s, and the driver would take it\n",
				     (int)strcspn(txn->cmd, "=?"), txn->cmd,
				     tty_name(port->tty));
	up_read(&port->rwsem);
	mutex_unlock(&port->cmd_mutex);
	return -EBUSY;

err_intr:
	up_read(&port->rwsem);
	mutex_unlock(&port->cmd_mutex);
	return -EINTR;
err_dead:
	up_read(&port->rwsem);
	mutex_unlock(&port->cmd_mutex);
	return -ENODEV;
}

static void mfw_chan_unlock(struct mfw_port *port)
{
	up_read(&port->rwsem);
	mutex_unlock(&port->cmd_mutex);
}

/*
 * Open message data (a text-mode SMS, see mfw_at.c) takes every line
 * until the module pauses: a command sent before the pause would have
 * its echo, its answer or the transparent prompt taken as data.  Wait
 * until no byte came for MFW_RX_QUIET_MS, so that the first byte of the
 * answer ends the data, at most MFW_CHAN_DATA_WAIT_MS (a module that
 * never stops talking).  The receive hook's state is only looked at.
 */
static void mfw_chan_wait_data_end(struct mfw_port *port)
{
	unsigned long end = jiffies + msecs_to_jiffies(MFW_CHAN_DATA_WAIT_MS);

	while (mfw_at_payload_open(&port->parser) &&
	       jiffies - READ_ONCE(port->rx_stamp) <=
	       msecs_to_jiffies(MFW_RX_QUIET_MS) &&
	       time_before(jiffies, end) && !READ_ONCE(port->dead))
		msleep(MFW_CHAN_ROOM_POLL_MS);
}

/* Send @txn's command and its CR in one write. */
static int mfw_chan_send_cmd(struct mfw_port *port, struct mfw_txn *txn,
			     unsigned int timeout_ms)
{
	u8 *line;
	int ret;

	mfw_chan_wait_data_end(port);
	line = kmalloc(txn->cmd_len + 1, GFP_KERNEL);
	if (!line)
		return -ENOMEM;
	memcpy(line, txn->cmd, txn->cmd_len);
	line[txn->cmd_len] = '\r';
	ret = mfw_chan_send(port, line, txn->cmd_len + 1, NULL, timeout_ms,
			    NULL);
	kfree_sensitive(line);
	return ret;
}

/*
 * Wait until @txn has its final result (or, with @prompt, the transparent
 * prompt), the port dies or @timeout_ms pass.  Returns the result, 1 for
 * the prompt, or -ENODEV, -EINTR, -ETIMEDOUT.
 */
static int mfw_chan_wait(struct mfw_port *port, struct mfw_txn *txn,
			 bool prompt, unsigned int timeout_ms)
{
	long left;
	int ret;

	left = wait_event_killable_timeout(port->wq,
					   READ_ONCE(txn->done) ||
					   (prompt && READ_ONCE(txn->prompt)) ||
					   READ_ONCE(port->dead),
					   msecs_to_jiffies(timeout_ms));
	spin_lock(&port->lock);
	if (txn->done) {
		ret = txn->result;
	} else if (prompt && txn->prompt) {
		ret = 1;
	} else if (port->dead) {
		ret = -ENODEV;
	} else if (left < 0) {
		ret = -EINTR;
	} else {
		port->stats.driver_timeouts++;
		ret = -ETIMEDOUT;
	}
	spin_unlock(&port->lock);
	if (ret == -ETIMEDOUT)
		/* The name only: the arguments may be a password. */
		dev_warn(&port->dev, "%.*s: no answer within %u ms\n",
			 (int)strcspn(txn->cmd, "=?"), txn->cmd, timeout_ms);
	return ret;
}

/**
 * mfw_chan_command() - send one AT command and wait for its final result
 * @port: the port
 * @cmd: the command without its CR, e.g. "AT+CGMR"; never user input that
 *	was not validated
 * @resp: gets the answer's information lines, each ended by '\n'; may be
 *	NULL
 * @resp_size: size of @resp
 * @timeout_ms: how long the module may take to answer
 *
 * Waits for a user command in flight to finish first.  Sleeps; must not be
 * called with an ldisc reference held.
 *
 * Return: 0 on OK; -EIO on ERROR; -EREMOTEIO on a +CME/+CMS/+CIS error
 * (the code is in @port->last_error); -EAGAIN when the module restarted
 * (+MATREADY) before answering; -ETIMEDOUT; -ENODEV when the port
 * died; -EBUSY when a user write never let go of the port, or a reader
 * left the module's output unread (mfw_chan_lock()); -EINTR on a
 * fatal signal.
 */
int mfw_chan_command(struct mfw_port *port, const char *cmd, char *resp,
		     size_t resp_size, unsigned int timeout_ms)
{
	struct mfw_txn txn = {
		.cmd = cmd,
		.cmd_len = strlen(cmd),
		.resp = resp,
		.resp_size = resp_size,
		.cme = -1,
	};
	int ret;

	if (resp && resp_size)
		resp[0] = '\0';
	ret = mfw_chan_lock(port, &txn);
	if (ret)
		return ret;
	ret = mfw_chan_send_cmd(port, &txn, timeout_ms);
	if (!ret)
		ret = mfw_chan_wait(port, &txn, false, timeout_ms);
	mfw_chan_release_txn(port, &txn);
	mfw_chan_unlock(port);
	return ret;
}

/**
 * mfw_chan_raw_start() - open a transparent write
 * @port: the port
 * @txn: the AT+MFWDLOAD=<offset>,<len> command, zero-initialised but for
 *	@txn->cmd and @txn->cmd_len; it must live until mfw_chan_raw_end()
 * @timeout_ms: how long the module may take to prompt
 *
 * Sends the command and waits for the module's "> " prompt.  On success
 * the driver keeps the channel (user writes wait) after this returns,
 * across system calls, until the module's final result or
 * mfw_chan_raw_end(); no lock is held meanwhile.
 *
 * Return: 0 at the prompt; -EINPROGRESS when a fatal signal ended the
 * wait for the prompt after the command went out, -ETIMEDOUT when no
 * prompt came within @timeout_ms after it went out: in both cases the
 * module may still prompt and then count <len> raw bytes, so the channel
 * stays held, and the caller ends the transfer with mfw_chan_raw_send()
 * (which waits for the prompt first) and mfw_chan_raw_end(); otherwise
 * the command's result as for mfw_chan_command() (the channel is then
 * free again).
 */
int mfw_chan_raw_start(struct mfw_port *port, struct mfw_txn *txn,
		       unsigned int timeout_ms)
{
	bool held = false;
	int ret;

	txn->cme = -1;
	txn->raw = true;
	ret = mfw_chan_lock(port, txn);
	if (ret)
		return ret;
	/* Before the command leaves, so the prompt cannot come first. */
	mfw_at_expect_prompt(&port->parser, true);
	ret = mfw_chan_send_cmd(port, txn, timeout_ms);
	if (!ret) {
		ret = mfw_chan_wait(port, txn, true, timeout_ms);
		/*
		 * Killed with the whole command out: the prompt may still
		 * come, and after it the module counts <len> raw bytes.
		 */
		if (ret == -EINTR)
			ret = -EINPROGRESS;
		else if (ret == -ETIMEDOUT)
			held = true;
	}
	if (ret == 1)
		ret = 0;
	else if (ret != -EINPROGRESS && !held)
		mfw_chan_release_txn(port, txn);
	mfw_chan_unlock(port);
	return ret;
}

/**
 * mfw_chan_raw_send() - send package bytes after the prompt
 * @port: the port
 * @txn: the transfer opened by mfw_chan_raw_start()
 * @buf: the bytes
 * @len: their number
 * @timeout_ms: how long the tty may take to accept them
 * @sent: incremented by the bytes the tty driver took, also when an error
 *	is returned (part of @buf may be on the line then)
 *
 * Stops as soon as the module has ended the transfer (a write error),
 * before the next byte and dropping what the tty driver still holds: the
 * rest would be read as commands.  Before the module's prompt (after
 * mfw_chan_raw_start() returned -EINPROGRESS) it waits for the prompt
 * first, at most @timeout_ms.
 *
 * Return: 0, the module's result when it ended the transfer early, or
 * -ENODEV, -ETIMEDOUT, -EINTR.
 */
int mfw_chan_raw_send(struct mfw_port *port, struct mfw_txn *txn,
		      const u8 *buf, size_t len, unsigned int timeout_ms,
		      size_t *sent)
{
	int ret;

	down_read(&port->rwsem);
	/* After a killed writer's mfw_chan_raw_start(): the prompt first. */
	if (READ_ONCE(txn->prompt))
		ret = 1;
	else
		ret = mfw_chan_wait(port, txn, true, timeout_ms);
	if (READ_ONCE(port->dead))
		ret = -ENODEV;
	else if (ret != 1)
		/*
		 * No prompt (a refusal, a restart, silence): none of our bytes
		 * is queued; mfw_chan_raw_end() gives the channel up.
		 */
		ret = ret ? ret : -EIO;
	else if (READ_ONCE(txn->done))
		ret = mfw_chan_raw_over(port, txn);
	else
		ret = mfw_chan_send(port, buf, len, txn, timeout_ms, sent);
	up_read(&port->rwsem);
	return ret;
}

/**
 * mfw_chan_raw_end() - wait for the module's answer to a transparent write
 * @port: the port
 * @txn: the transfer opened by mfw_chan_raw_start()
 * @timeout_ms: how long the module may take to answer
 *
 * Called once every byte was sent, or to abandon a transfer: the channel
 * is free again when this returns, but for -EINTR.  After an error
 * verdict, what the tty driver still holds is dropped first (once per
 * transfer), since the module would read it as commands.  A fatal signal ends
 * the wait with the module's verdict still to come: the channel stays
 * held for it, and the caller hands the wait on (to a work item, which no
 * signal interrupts).
 *
 * Return: the module's result, or -ENODEV, -ETIMEDOUT, -EINTR.
 */
int mfw_chan_raw_end(struct mfw_port *port, struct mfw_txn *txn,
		     unsigned int timeout_ms)
{
	int ret = mfw_chan_wait(port, txn, false, timeout_ms);

	/*
	 * An error before the module counted every byte: what the tty
	 * driver still holds (all of the package may have been queued)
	 * would reach its command parser.
	 */
	if (ret != -EINTR && READ_ONCE(txn->done) && txn->result &&
	    !READ_ONCE(txn->flushed)) {
		down_read(&port->rwsem);
		if (!READ_ONCE(port->dead))
			tty_driver_flush_buffer(port->tty);
		spin_lock(&port->lock);
		txn->flushed = true;
		spin_unlock(&port->lock);
		up_read(&port->rwsem);
	}
	if (ret != -EINTR)
		mfw_chan_release_txn(port, txn);
	return ret;
}

/*
 * Let a user write (@bytes) through unless the driver owns the channel or
 * parked writes wait for it; let output control through unless the driver
 * owns the channel.
 */
static bool mfw_chan_user_try_enter(struct mfw_port *port, bool bytes,
				    bool command)
{
	bool ok = false;

	spin_lock(&port->lock);
	if (bytes ? !mfw_park_user_blocked(port) :
		    port->owner != MFW_OWNER_DRIVER) {
		port->user_writers++;
		/*
		 * Any byte starts (or continues) a user's command: a terminal
		 * sends "AT" and the CR in separate writes, and the driver
		 * must not slip its command in between.
		 */
		if (bytes)
			mfw_chan_user_started(port, true);
		if (command)
			port->stats.user_commands++;
		ok = true;
	}
	spin_unlock(&port->lock);
	return ok;
}

/* Wait condition of a user write: admitted, or the port is going away. */
static bool mfw_chan_user_admit(struct mfw_port *port, struct file *file,
				bool command, bool *entered)
{
	struct tty_struct *tty = port->tty;

	*entered = mfw_chan_user_try_enter(port, true, command);
	return *entered || READ_ONCE(port->dead) || tty_hung_up_p(file) ||
	       test_bit(TTY_LDISC_CHANGING, &tty->flags);
}

/**
 * mfw_chan_user_enter() - a user write wants to go out on the port
 * @port: the port
 * @file: the writer's file (for O_NONBLOCK and hangup)
 * @buf: the bytes to be written
 * @len: their number
 *
 * While the driver owns the channel (or writes parked behind it wait), a
 * blocking writer's bytes are parked (mfw_park.c) when they fit, and the
 * writer does not wait; otherwise it waits for the channel.  Admitted, the
 * caller sends @buf and then calls mfw_chan_user_leave().  Called from the
 * ldisc write hook, with the ldisc reference and tty->atomic_write_lock
 * the tty core holds for it: the wait ends on hangup and on a line
 * discipline change, which both wake the tty's write queue.
 *
 * Return: 0 when admitted; @len when the bytes were parked; -EAGAIN for a
 * non-blocking writer, -EIO when the port is going away, -ERESTARTSYS on a
 * signal, -ETIMEDOUT, -ENOMEM.
 */
ssize_t mfw_chan_user_enter(struct mfw_port *port, struct file *file,
			    const u8 *buf, size_t len)
{
	struct tty_struct *tty = port->tty;
	bool command = memchr(buf, '\r', len);
	bool entered = false;
	ssize_t parked;
	long left;

	if (mfw_chan_user_try_enter(port, true, command))
		return 0;
	if (tty_io_nonblock(tty, file))
		return -EAGAIN;
	parked = mfw_park_write(port, file, buf, len);
	if (parked)
		return parked;

	spin_lock(&port->lock);
	port->stats.user_waits++;
	spin_unlock(&port->lock);
	left = wait_event_interruptible_timeout(tty->write_wait,
						mfw_chan_user_admit(port, file, command,
								    &entered),
						msecs_to_jiffies(mfw_user_wait_ms));
	if (entered)
		return 0;
	if (left < 0)
		return -ERESTARTSYS;
	if (left == 0)
		return -ETIMEDOUT;
	return -EIO;
}

/**
 * mfw_chan_user_started() - a user command is in flight
 * @port: the port
 * @write: a user's bytes go out (not the next of the commands users
 *	wrote in one go)
 *
 * The command counts as in flight (a driver command waits for it, see
 * mfw_chan_acquire()) until its final result, and at most until
 * @port->user_deadline: mfw_user_timeout_ms from now, moved on by the
 * receive hook while its answer comes without a pause or waited for a
 * reader (mfw_rx.c).  The receive hook calls it too, @write false, when
 * a user's final result leaves more of the commands users wrote to be
 * answered (mfw_echo_pending()) or comes while a user write is under
 * way.  A write that comes once the commands before it are past their
 * time makes those no longer count: the module dropped them.  Caller
 * holds @port->lock.
 */
void mfw_chan_user_started(struct mfw_port *port, bool write)
{
	lockdep_assert_held(&port->lock);
	if (write && port->user_busy &&
	    !time_before(jiffies, port->user_deadline))
		mfw_echo_forget(&port->echo);
	port->user_busy = true;
	port->user_deadline = jiffies + msecs_to_jiffies(mfw_user_timeout_ms);
	port->user_heard = false;
	port->user_paused = false;
}

/**
 * mfw_chan_user_try_control() - let a tty operation on the output queue
 *	(a flush, a STOP or START character) through now
 * @port: the port
 *
 * Never waits.  Admitted, it keeps the driver from taking the channel
 * until mfw_chan_user_leave(), but starts no user command.
 *
 * Return: true when admitted; false while the driver owns the channel
 * (its bytes are then the only ones in the output queue).
 */
bool mfw_chan_user_try_control(struct mfw_port *port)
{
	return mfw_chan_user_try_enter(port, false, false);
}

/**
 * mfw_chan_user_leave() - a user write admitted by mfw_chan_user_enter(),
 *	or a control operation by mfw_chan_user_try_control(), is done
 * @port: the port
 */
void mfw_chan_user_leave(struct mfw_port *port)
{
	spin_lock(&port->lock);
	port->user_writers--;
	spin_unlock(&port->lock);
	wake_up_all(&port->wq);
}

/**
 * mfw_chan_user_blocked() - whether a user write would not go out now
 * @port: the port
 *
 * Return: true while the driver owns the channel or parked writes wait.
 */
bool mfw_chan_user_blocked(struct mfw_port *port)
{
	bool blocked;

	spin_lock(&port->lock);
	blocked = mfw_park_user_blocked(port);
	spin_unlock(&port->lock);
	return blocked;
}

/**
 * mfw_chan_driver_owns() - whether received lines answer the driver
 * @port: the port
 *
 * Return: true while a driver command owns the channel.
 */
bool mfw_chan_driver_owns(struct mfw_port *port)
{
	bool owns;

	spin_lock(&port->lock);
	owns = port->owner == MFW_OWNER_DRIVER;
	spin_unlock(&port->lock);
	return owns;
}
