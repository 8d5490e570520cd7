// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - user writes parked while the driver owns the command channel.
 *
 * The tty core calls a discipline's write hook holding the tty's
 * atomic_write_lock (drivers/tty/tty_io.c: file_tty_write() in 6.x,
 * tty_write() in 5.10), and tcsendbreak(), tty_write_message() and every
 * other writer of the tty need that lock too.  A blocking writer that slept
 * in the hook for a whole driver transaction (a transparent write takes
 * about 91 s per MiB at 115200 baud) would hold all of them up as long.
 *
 * So a blocking writer that finds the channel owned leaves its bytes here
 * and returns at once, as n_tty returns once its bytes are in the tty
 * driver's buffer.  When the driver releases the channel, a work item hands
 * the parked writes to n_tty in the order they came, each as a user write
 * (it starts a user command the driver then waits for), before any other
 * user write or driver command.  Each parked write keeps a reference to the
 * writer's file, so n_tty sees the file's own hangup and O_NONBLOCK; the
 * tty stays open until its parked bytes are out or dropped.
 *
 * At most MFW_PARK_MAX bytes are parked per port; a blocking writer whose
 * chunk does not fit waits in the hook (mfw_chan_user_enter()).
 * Parked bytes are dropped when the port dies (detach, hangup, unplug),
 * when the writer's file is hung up, when the tty has had no room for them
 * for user_wait_ms (its output stopped), and by an output flush
 * (TCOFLUSH), which discards what was written and not yet sent.  tcdrain()
 * does not wait for them: they are not in the tty driver's queue yet.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/file.h>
#include <linux/jiffies.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mfw.h"
#include "mfw_compat.h"

/**
 * struct mfw_parked - one parked chunk of a user write
 * @node: entry in the port's @parked list, oldest first
 * @file: the writer's file, referenced until the chunk is gone
 * @len: bytes in @buf
 * @buf: the bytes, as the writer gave them to the discipline
 */
struct mfw_parked {
	struct list_head node;
	struct file *file;
	size_t len;
	u8 buf[];
};

/**
 * mfw_park_user_blocked() - whether a user write must not go out now
 * @port: the port
 *
 * Caller holds @port->lock.
 *
 * Return: true while the driver owns the channel or parked writes wait
 * for it (a new write goes after them).
 */
bool mfw_park_user_blocked(struct mfw_port *port)
{
	lockdep_assert_held(&port->lock);
	return port->owner == MFW_OWNER_DRIVER || !list_empty(&port->parked);
}

/**
 * mfw_park_write() - park a blocking user write the channel cannot take now
 * @port: the port
 * @file: the writer's file
 * @buf: the bytes (one chunk of the write, at most the tty core's chunk)
 * @len: their number
 *
 * Called from the discipline's write hook, after the echo check.  Parks
 * only while mfw_park_user_blocked() and while the port's parked bytes
 * stay within MFW_PARK_MAX.  Sleeps (GFP_KERNEL).
 *
 * Return: @len when parked (the write is done, as far as the writer is
 * concerned), 0 when not parked (the channel came free, or no room: the
 * caller waits for the channel), -ENOMEM, or tty_check_change()'s error
 * for a background writer under TOSTOP.
 */
ssize_t mfw_park_write(struct mfw_port *port, struct file *file,
		       const u8 *buf, size_t len)
{
	struct mfw_parked *p;
	bool parked = false;

	if (!len || len > MFW_PARK_MAX)
		return 0;
	/*
	 * n_tty stops a background writer under TOSTOP (SIGTTOU); the work
	 * item that sends parked bytes has no process group to check.
	 */
	if (L_TOSTOP(port->tty)) {
		int ret = tty_check_change(port->tty);

		if (ret)
			return ret;
	}
	p = kmalloc(struct_size(p, buf, len), GFP_KERNEL);
	if (!p)
		return -ENOMEM;
	memcpy(p->buf, buf, len);
	p->len = len;
	p->file = get_file(file);

	spin_lock(&port->lock);
	if (!port->dead && mfw_park_user_blocked(port) &&
	    port->parked_bytes + len <= MFW_PARK_MAX) {
		list_add_tail(&p->node, &port->parked);
		port->parked_bytes += len;
		port->stats.user_waits++;
		parked = true;
		/* Freed while this one was allocated: drain now. */
		if (port->owner != MFW_OWNER_DRIVER)
			schedule_work(&port->park_work);
	}
	spin_unlock(&port->lock);
	if (parked)
		return len;
	fput(p->file);
	kfree(p);
	return 0;
}

/**
 * mfw_park_kick() - the driver released the channel: drain parked writes
 * @port: the port
 *
 * Caller holds @port->lock.  A dead port drains nothing: its parked writes
 * are dropped by mfw_park_drop_all().
 */
void mfw_park_kick(struct mfw_port *port)
{
	lockdep_assert_held(&port->lock);
	if (!port->dead && !list_empty(&port->parked))
		schedule_work(&port->park_work);
}

static void mfw_park_free(struct mfw_parked *p)
{
	fput(p->file);
	kfree(p);
}

/* Take the oldest parked write off the list, if it may go out now. */
static struct mfw_parked *mfw_park_next(struct mfw_port *port)
{
	struct mfw_parked *p;

	spin_lock(&port->lock);
	p = list_first_entry_or_null(&port->parked, struct mfw_parked, node);
	if (p && (port->dead || port->owner == MFW_OWNER_DRIVER)) {
		p = NULL;
	} else if (p) {
		/*
		 * The chunk leaves the list only once it is out, so that
		 * user writes and the driver keep waiting behind it;
		 * @park_busy keeps mfw_park_flush() from freeing it.
		 */
		port->user_writers++;
		mfw_chan_user_started(port, true);
		if (memchr(p->buf, '\r', p->len))
			port->stats.user_commands++;
		port->park_busy = p;
		/* Before they go: the echo may be back before n_tty returns. */
		mfw_echo_sent(&port->echo, (const char *)p->buf, p->len);
	}
	spin_unlock(&port->lock);
	return p;
}

/*
 * n_tty will not take more of @p: its file or the port is going.  Not a
 * discipline change as such: n_tty refuses writes while one is under way
 * (-EAGAIN, see tty_io_nonblock()), but a TIOCSETD to mfw itself changes
 * nothing, and a real change marks the port dead before it waits for this
 * work (mfw_port_disconnect()).
 */
static bool mfw_park_gone(struct mfw_port *port, struct mfw_parked *p)
{
	return READ_ONCE(port->dead) || tty_hung_up_p(p->file);
}

/*
 * Most bytes one byte of a write can become under output processing: a
 * tab expanded to spaces (XTABS, do_output_char() in n_tty.c).
 */
#define MFW_PARK_OPOST_MAX	8
/* Longest wait for room in the tty driver before looking again. */
#define MFW_PARK_POLL_MS	20

/*
 * How many of @len bytes n_tty can take now without waiting for room: the
 * drain runs in a work item, which no signal wakes, and n_tty would wait
 * for room without a bound (a flow-stopped UART keeps it at none).
 */
static size_t mfw_park_fits(struct tty_struct *tty, size_t len)
{
	unsigned int room = tty_write_room(tty);

	if (O_OPOST(tty))
		room /= MFW_PARK_OPOST_MAX;
	return min_t(size_t, len, room);
}

/*
 * Hand all of @p to n_tty, never more at a time than the tty driver has
 * room for, and wait for room here: until the port dies or the file is
 * hung up, and no later than @end (jiffies).  Returns the bytes n_tty
 * took.
 */
static size_t mfw_park_send(struct mfw_port *port, struct mfw_parked *p,
			    unsigned long end)
{
	struct tty_struct *tty = port->tty;
	size_t done = 0, n;
	ssize_t ret = 0;

	while (done < p->len && !mfw_park_gone(port, p)) {
		n = mfw_park_fits(tty, p->len - done);
		if (n) {
			ret = mfw_ldisc_n_tty_write(tty, p->file, p->buf + done,
						    n);
			if (ret > 0) {
				done += ret;
				continue;
			}
			if (ret != -EAGAIN)
				break;
		}
		if (time_after_eq(jiffies, end))
			break;
		/*
		 * The room did not last (n_tty's echoes took some): look
		 * again later rather than at once.  A work item takes no
		 * signal, and tty_wakeup() wakes only interruptible sleeps.
		 */
		if (n)
			msleep(MFW_PARK_POLL_MS);
		else
			wait_event_interruptible_timeout(tty->write_wait,
							 mfw_park_fits(tty, 1) ||
							 mfw_park_gone(port, p),
							 msecs_to_jiffies(MFW_PARK_POLL_MS));
	}
	return done;
}

static void mfw_park_drain(struct work_struct *work)
{
	struct mfw_port *port = container_of(work, struct mfw_port, park_work);
	/* What a blocking writer waits for the channel, for this run. */
	unsigned long end = jiffies + msecs_to_jiffies(mfw_user_wait_ms);
	bool cut = false;
	struct mfw_parked *p;
	size_t done;

	down_read(&port->rwsem);
	while ((p = mfw_park_next(port))) {
		/*
		 * After a chunk was cut short, the rest of its command up to
		 * the next CR goes too: the module would read the pieces as
		 * one mangled command.
		 */
		done = cut ? 0 : mfw_park_send(port, p, end);
		if (cut)
			cut = !memchr(p->buf, '\r', p->len);
		else if (done < p->len)
			cut = !memchr(p->buf + done, '\r', p->len - done);
		spin_lock(&port->lock);
		if (done < p->len)
			mfw_echo_unsent(&port->echo, p->len - done);
		list_del(&p->node);
		port->parked_bytes -= p->len;
		port->park_busy = NULL;
		spin_unlock(&port->lock);
		if (done < p->len)
			dev_warn_ratelimited(&port->dev,
					     "a user write parked during a driver command was cut short (%zu of %zu bytes sent)\n",
					     done, p->len);
		mfw_chan_user_leave(port);
		mfw_park_free(p);
	}
	up_read(&port->rwsem);
	/* Non-blocking writers polled for this (see mfw_poll()). */
	wake_up_interruptible_all(&port->tty->write_wait);
}

/**
 * mfw_park_flush() - an output flush drops the parked writes
 * @port: the port
 *
 * What users wrote and was not sent is discarded, as TCOFLUSH discards the
 * tty driver's queue; a chunk n_tty is writing right now is left to it.
 */
void mfw_park_flush(struct mfw_port *port)
{
	struct mfw_parked *p, *tmp;
	LIST_HEAD(gone);

	spin_lock(&port->lock);
	list_for_each_entry_safe(p, tmp, &port->parked, node) {
		if (p == port->park_busy)
			continue;
		list_move_tail(&p->node, &gone);
		port->parked_bytes -= p->len;
	}
	spin_unlock(&port->lock);
	list_for_each_entry_safe(p, tmp, &gone, node)
		mfw_park_free(p);
	wake_up_all(&port->wq);
	wake_up_interruptible_all(&port->tty->write_wait);
}

/**
 * mfw_park_drop_all() - the port is dead: drop what is still parked
 * @port: the port, dead, with no operation left inside (after the
 *	rwsem was taken for writing in mfw_port_disconnect())
 */
void mfw_park_drop_all(struct mfw_port *port)
{
	struct mfw_parked *p, *tmp;
	LIST_HEAD(gone);

	cancel_work_sync(&port->park_work);
	spin_lock(&port->lock);
	list_splice_init(&port->parked, &gone);
	port->parked_bytes = 0;
	spin_unlock(&port->lock);
	list_for_each_entry_safe(p, tmp, &gone, node)
		mfw_park_free(p);
}

/**
 * mfw_park_init() - set up a port's parking
 * @port: the port being created
 */
void mfw_park_init(struct mfw_port *port)
{
	INIT_LIST_HEAD(&port->parked);
	INIT_WORK(&port->park_work, mfw_park_drain);
}
