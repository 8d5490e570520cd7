// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the receive path: route what the module sends, capture its URCs.
 *
 * While no driver command owns the channel, received bytes go to n_tty
 * first and mfw inspects exactly the bytes n_tty consumed.  While a driver
 * command owns it, mfw consumes the bytes itself up to the command's final
 * result; URCs and "+NAME:" lines that do not answer the command (as
 * "+CEREG: 1" does not answer AT+CGMR) are passed on to users.  With URC passthrough
 * off, every line reaches users only once it is complete and known not to
 * be a FOTA URC.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kfifo.h>
#include <linux/math64.h>
#include <linux/minmax.h>
#include <linux/string.h>
#include <linux/sysfs.h>
#include <linux/workqueue.h>

#include "mfw.h"
#include "mfw_cme.h"

/* Per-feed context of the framer callback. */
struct mfw_rx_ctx {
	struct mfw_port *port;
	bool driver;	/* the bytes answer a driver command */
	bool lines;	/* deliver complete lines to users (no passthrough) */
	bool unread;	/* no file has the tty open for reading */
};

/*
 * Give one complete line to n_tty, framed as the module framed it.  A
 * reader that let n_tty's buffer fill loses what does not fit; it is
 * counted (statistics/rx_refused).
 */
static void mfw_rx_inject(struct mfw_port *port, const char *line,
			  size_t len)
{
	size_t n = min_t(size_t, len, MFW_AT_LINE_MAX), taken;

	port->inject[0] = '\r';
	port->inject[1] = '\n';
	memcpy(port->inject + 2, line, n);
	port->inject[n + 2] = '\r';
	port->inject[n + 3] = '\n';
	taken = mfw_ldisc_n_tty_receive(port->tty, port->inject, NULL, n + 4);
	if (taken < n + 4) {
		spin_lock(&port->lock);
		port->stats.rx_refused += n + 4 - taken;
		spin_unlock(&port->lock);
	}
}

/* A FOTA or boot URC: update the port's state.  Caller holds the lock. */
static void mfw_rx_urc(struct mfw_port *port, const struct mfw_at_event *ev)
{
	/* The report as the module wrote it, without the noise before it. */
	const char *text = ev->line + ev->noise;
	size_t n = min_t(size_t, ev->len - ev->noise, MFW_AT_LINE_MAX);

	lockdep_assert_held(&port->lock);
	port->stats.urcs++;
	memcpy(port->last_urc, text, n);
	port->last_urc[n] = '\0';
	if (kfifo_avail(&port->urcs) >= n + 1) {
		kfifo_in(&port->urcs, text, n);
		kfifo_put(&port->urcs, '\n');
	} else {
		port->stats.urcs_dropped += n + 1;
	}

	switch (ev->type) {
	case MFW_AT_MFWDLOAD:
		switch (ev->state) {
		case 1:		/* downloading */
		case 2:		/* downloaded */
			port->done = ev->dlength;
			if (ev->has_total)
				port->total = ev->total;
			port->percent = port->total ?
				(int)div64_u64(port->done * 100, port->total) : -1;
			mfw_port_set_state(port, ev->state == 1 ?
					   MFW_STATE_DOWNLOADING :
					   MFW_STATE_IDLE);
			break;
		case 3:		/* failed; a following state 0 makes it resumable */
			port->last_error = MFW_CME_DOWNLOAD;
			mfw_port_set_state(port, MFW_STATE_ERROR);
			break;
		case 0:		/* interrupted, resumable */
			mfw_port_set_state(port, MFW_STATE_IDLE);
			break;
		}
		break;
	case MFW_AT_MFWUPGRADE:
		switch (ev->state) {
		case 1:
			port->percent = ev->percent;
			mfw_port_set_state(port, MFW_STATE_UPGRADING);
			break;
		case 2:
			port->percent = 100;
			mfw_port_set_state(port, MFW_STATE_IDLE);
			break;
		case 3:
			port->last_error = MFW_CME_UPGRADE;
			mfw_port_set_state(port, MFW_STATE_ERROR);
			break;
		}
		break;
	case MFW_AT_MATREADY:
		if (port->state == MFW_STATE_UPGRADING ||
		    port->state == MFW_STATE_REBOOTING)
			mfw_port_set_state(port, MFW_STATE_IDLE);
		/*
		 * The module (re)started: learn its firmware again; an
		 * identification waiting to ask again leaves it to this one.
		 */
		port->ident_seq++;
		port->ident_due = true;
		wake_up(&port->wq);
		schedule_work(&port->ident_work);
		break;
	default:
		break;
	}
}

/*
 * The driver's command has its result: wake it and free the channel, so
 * the bytes after this line go to users.  Caller holds the lock.
 *
 * A transparent write keeps the channel: package bytes may still wait in
 * the tty driver, and its sender drops them before it lets go
 * (mfw_chan_raw_over(), mfw_chan_raw_end()).  A user write or driver
 * command sent before that flush would go with them.  The lines after
 * this one still reach users (the command is done).  A writer between
 * two write() calls is not sending: mfw_raw_ended() has the transfer
 * ended for it.
 */
static void mfw_rx_txn_end(struct mfw_port *port, struct mfw_txn *txn)
{
	lockdep_assert_held(&port->lock);
	WRITE_ONCE(txn->done, true);
	if (txn->raw) {
		mfw_raw_ended(port);
		return;
	}
	port->owner = MFW_OWNER_NONE;
	port->txn = NULL;
	/* Writes parked meanwhile go out first (mfw_park.c). */
	mfw_park_kick(port);
}

/*
 * Whether an information line answers the command @cmd: a "+NAME:" line
 * answers only "AT+NAME..."; anything else ("+CEREG: 1" while the driver
 * asked AT+CGMR) is unsolicited and belongs to users.
 */
static bool mfw_rx_answers(const char *cmd, size_t cmd_len,
			   const struct mfw_at_event *ev)
{
	const char *colon = memchr(ev->line, ':', ev->len);
	size_t name;

	if (!ev->len || ev->line[0] != '+' || !colon)
		return true;
	name = colon - ev->line;
	/* "AT" then the name, then "=", "?" or the end. */
	return cmd_len >= name + 2 && !memcmp(cmd + 2, ev->line, name) &&
	       (cmd_len == name + 2 || cmd[name + 2] == '=' ||
		cmd[name + 2] == '?');
}

/*
 * Whether @ev is the module's echo of the command.  A hex write's echo
 * is longer than a line the framer keeps: its start must match.  The
 * echo may also end a line that something else began (bytes a freshly
 * opened tty echoed back to the module before it was set raw): a line
 * that ends with the whole command is its echo.
 */
static bool mfw_rx_is_echo(const struct mfw_txn *txn,
			   const struct mfw_at_event *ev)
{
	if (ev->truncated)
		return ev->len <= txn->cmd_len &&
		       !memcmp(ev->line, txn->cmd, ev->len);
	return ev->len >= txn->cmd_len &&
	       !memcmp(ev->line + ev->len - txn->cmd_len, txn->cmd,
		       txn->cmd_len);
}

/*
 * Whether @txn is a FOTA command that acts: AT+MFW..., but not a read
 * form ("AT+MFWDLOAD?", or AT+MFWCFG with a key and no value).  Its
 * refusal is the failure of an operation, which last_error reports, with
 * or without a code.  Identification and queries fail without touching
 * it: their errors say nothing of the last operation.
 */
static bool mfw_rx_txn_acts(const struct mfw_txn *txn)
{
	static const char cfg[] = "AT+MFWCFG=";

	if (txn->cmd_len <= 6 || memcmp(txn->cmd, "AT+MFW", 6) ||
	    txn->cmd[txn->cmd_len - 1] == '?')
		return false;
	return txn->cmd_len < sizeof(cfg) - 1 ||
	       memcmp(txn->cmd, cfg, sizeof(cfg) - 1) ||
	       memchr(txn->cmd, ',', txn->cmd_len);
}

/*
 * A line while the driver's command owns the channel.  Caller holds the
 * lock.  Returns true when it completed the command; *@unsolicited tells
 * that the line is not the driver's and goes to users, *@prompted that it
 * was the prompt a transparent write waits for.
 */
static bool mfw_rx_txn_line(struct mfw_port *port,
			    const struct mfw_at_event *ev, bool *unsolicited,
			    bool *prompted)
{
	struct mfw_txn *txn = port->txn;

	lockdep_assert_held(&port->lock);
	*unsolicited = false;
	*prompted = false;
	if (!txn || txn->done) {
		*unsolicited = true;
		return false;
	}
	/* A call's codes and message data answer no command of ours. */
	if (ev->type == MFW_AT_V250 || ev->type == MFW_AT_PAYLOAD) {
		*unsolicited = true;
		return false;
	}
	if (mfw_at_is_final(ev->type)) {
		txn->cme = ev->code;
		if (ev->type == MFW_AT_OK) {
			txn->result = 0;
		} else if (ev->type == MFW_AT_ERROR) {
			txn->result = -EIO;
			/* Never an older failure's code: this one has none. */
			if (mfw_rx_txn_acts(txn))
				port->last_error = MFW_ERROR_NO_CODE;
		} else {
			txn->result = -EREMOTEIO;
			if (mfw_rx_txn_acts(txn))
				port->last_error = ev->code > 0 ? ev->code :
						   MFW_ERROR_NO_CODE;
		}
		mfw_rx_txn_end(port, txn);
		return true;
	}
	if (ev->type == MFW_AT_PROMPT) {
		/* Only a transparent write asked for it; raw bytes follow. */
		if (txn->raw && !txn->prompt) {
			txn->prompt = true;
			*prompted = true;
			return false;
		}
		*unsolicited = true;
		return false;
	}
	if (!txn->echo_seen && mfw_rx_is_echo(txn, ev)) {
		txn->echo_seen = true;
		/* Lines before the echo were sent before the command came. */
		txn->resp_len = 0;
		if (txn->resp && txn->resp_size)
			txn->resp[0] = '\0';
	} else if (!mfw_rx_answers(txn->cmd, txn->cmd_len, ev)) {
		*unsolicited = true;
	} else if (txn->resp &&
		   txn->resp_len + ev->len - ev->noise + 2 <= txn->resp_size) {
		/* The answer as the module wrote it, without line noise. */
		memcpy(txn->resp + txn->resp_len, ev->line + ev->noise,
		       ev->len - ev->noise);
		txn->resp_len += ev->len - ev->noise;
		txn->resp[txn->resp_len++] = '\n';
		txn->resp[txn->resp_len] = '\0';
	}
	return false;
}

/* End the driver's command with -EAGAIN.  Caller holds the lock. */
static bool mfw_rx_txn_abort(struct mfw_port *port)
{
	struct mfw_txn *txn = port->txn;

	lockdep_assert_held(&port->lock);
	if (!txn || txn->done)
		return false;
	txn->result = -EAGAIN;
	mfw_rx_txn_end(port, txn);
	return true;
}

/*
 * The users' own text coming back (the module's echo of what they wrote,
 * see mfw_echo.c): in @echo, the line as users' data that is nothing
 * else.  Caller holds the lock.
 */
static const struct mfw_at_event *
mfw_rx_unecho(struct mfw_port *port, const struct mfw_at_event *ev,
	      struct mfw_at_event *echo)
{
	lockdep_assert_held(&port->lock);
	if (ev->type == MFW_AT_PROMPT || ev->type == MFW_AT_PAYLOAD ||
	    !mfw_echo_line(&port->echo, ev->line, ev->len, ev->truncated))
		return ev;
	/* An echoed SMS header announces nothing. */
	if (ev->payload)
		mfw_at_cancel_payload(&port->parser);
	*echo = *ev;
	echo->type = MFW_AT_OTHER;
	echo->payload = false;
	echo->noise = 0;
	return echo;
}

static bool mfw_rx_event(const struct mfw_at_event *line, void *data)
{
	struct mfw_rx_ctx *ctx = data;
	struct mfw_port *port = ctx->port;
	const struct mfw_at_event *ev;
	struct mfw_at_event echo;
	bool urc, fota, passthrough, completed = false, user_done = false;
	bool unsolicited = false, prompted = false;

	spin_lock(&port->lock);
	ev = mfw_rx_unecho(port, line, &echo);
	urc = mfw_at_is_urc(ev->type);
	fota = urc && ev->type != MFW_AT_MATREADY;
	port->stats.rx_lines++;
	passthrough = port->urc_passthrough;
	if (urc)
		mfw_rx_urc(port, ev);
	if (ev->type == MFW_AT_MATREADY) {
		/* The module restarted: no command in flight gets an answer. */
		completed = mfw_rx_txn_abort(port);
		user_done = port->user_busy;
		port->user_busy = false;
		mfw_echo_forget(&port->echo);
	}
	if (ctx->driver && !urc) {
		completed = mfw_rx_txn_line(port, ev, &unsolicited,
					    &prompted);
	} else if (!ctx->driver && port->user_busy &&
		   (mfw_at_is_final(ev->type) ||
		    (mfw_at_ends_user_command(ev) &&
		     mfw_echo_dial(&port->echo)))) {
		/* A call's codes end a dial only, not other commands. */
		user_done = true;
		mfw_echo_final(&port->echo);
		/*
		 * Commands a user wrote in one go are answered one by one:
		 * the channel stays the user's until the last one's final
		 * result, or until the module pauses for mfw_user_timeout_ms
		 * (a command it dropped).  A driver command sent after the
		 * first would take the next user's final result for its own.
		 * The final result shows the module alive: the next one's
		 * time starts now, also past the last one's.  A write under
		 * way (admitted, its bytes not yet counted) is a command too.
		 */
		if (mfw_echo_pending(&port->echo) || port->user_writers)
			mfw_chan_user_started(port, false);
		else
			port->user_busy = false;
	} else if (!ctx->driver && port->user_busy && !urc && ev != &echo &&
		   (!port->user_paused || port->rx_held)) {
		/*
		 * The user's command stays in flight while its answer comes:
		 * the module sends it without a pause (a long listing on a
		 * slow line takes longer than mfw_user_timeout_ms), or input
		 * waited for a reader that now reads (this run takes what
		 * the last one left).  One pause of the module's ends the
		 * first: reports and NMEA that follow a command the module
		 * dropped keep it in flight for one burst at most.
		 */
		unsigned long until = jiffies +
				      msecs_to_jiffies(mfw_user_timeout_ms);

		port->user_heard = true;
		if (time_after(until, port->user_deadline))
			port->user_deadline = until;
	}
	spin_unlock(&port->lock);

	if (urc)
		wake_up_all(&port->read_wq);
	if (fota) {
		/* Process context, no lock held: pollers of progress wake. */
		sysfs_notify(&port->dev.kobj, NULL, "progress");
		sysfs_notify(&port->dev.kobj, NULL, "percent");
	}
	if (completed || user_done || prompted)
		wake_up_all(&port->wq);
	if (completed)
		wake_up_interruptible_all(&port->tty->write_wait);

	/*
	 * What users get of a line that n_tty has not seen, if anybody can
	 * read it (mfw_ldisc_has_reader()).
	 */
	if (!ctx->unread &&
	    (ctx->driver ? unsolicited || (urc && (passthrough || !fota)) :
	     ctx->lines && !(fota && !passthrough)))
		mfw_rx_inject(port, ev->line, ev->len);

	/*
	 * Stop at the driver's final result: the rest belongs to users, but
	 * for the LF that may end the result's CR.
	 */
	if (completed)
		port->eat_lf = true;
	return !completed;
}

static size_t mfw_rx_feed(struct mfw_port *port, const u8 *cp, const u8 *fp,
			  size_t count, bool driver, bool lines, bool unread)
{
	struct mfw_rx_ctx ctx = {
		.port = port, .driver = driver, .lines = lines,
		.unread = unread,
	};
	size_t i = 0, n;

	/* Bytes received with an error flag are not the module's text. */
	while (i < count) {
		size_t run = 0;

		while (i + run < count && (!fp || fp[i + run] == TTY_NORMAL))
			run++;
		if (run) {
			n = mfw_at_feed(&port->parser, (const char *)cp + i,
					run, mfw_rx_event, &ctx);
			i += n;
			if (n < run)
				break;
		} else {
			i++;
		}
	}
	spin_lock(&port->lock);
	port->stats.rx_bytes += i;
	if (unread)
		port->stats.rx_unread += i;
	spin_unlock(&port->lock);
	return i;
}

/*
 * Bytes mfw took never reach n_tty's reader, and on a pty only that
 * reader wakes the writer on the other side once room is made
 * (n_tty_check_unthrottle() in drivers/tty/n_tty.c): a simulator, or a
 * CMUX daemon whose channels are ptys, would stall until a user read.
 * Wake it here instead, as that reader would.
 */
static void mfw_rx_wake_link(struct tty_struct *tty)
{
	if (tty->driver->type == TTY_DRIVER_TYPE_PTY && tty->link)
		tty_wakeup(tty->link);
}

/* How often input held back for a reader is looked at (mfw_rx_idle()). */
#define MFW_RX_IDLE_MS	1000

/**
 * mfw_rx_idle() - let go of input held back for a reader that left
 * @work: the port's @rx_idle
 *
 * Input held back for a reader (n_tty full, the tty throttled) waits for
 * that reader to read.  A reader that closes the tty without reading
 * leaves it held: n_tty unthrottles the tty and has the tty buffer's
 * bytes offered again only from its read() (n_tty_check_unthrottle() in
 * drivers/tty/n_tty.c), and a throttled cdc-acm port submits no reads at
 * all.  Every %MFW_RX_IDLE_MS ms while input is held, this looks whether
 * a file can still read the tty.  With none, it empties n_tty's buffer,
 * which nobody can read now (a file opened later gets what comes from
 * then on); n_tty then has the tty buffer's work restarted, and the
 * receive hook inspects what waited there.  Then it unthrottles the tty.
 *
 * Runs from the system workqueue under an ldisc reference; while the
 * discipline is being changed it looks again later, and the close
 * cancels it (mfw_port_disconnect()).
 */
void mfw_rx_idle(struct work_struct *work)
{
	struct mfw_port *port = container_of(to_delayed_work(work),
					     struct mfw_port, rx_idle);
	struct tty_struct *tty = port->tty;
	struct tty_ldisc *ld;

	if (!READ_ONCE(port->rx_held) || READ_ONCE(port->dead))
		return;
	if (mfw_ldisc_has_reader(tty)) {
		/*
		 * Look again while it is still behind.  Caught up, it has
		 * n_tty restart the tty buffer's work if bytes stayed there,
		 * and the tty is no longer throttled: nothing to watch.
		 */
		if (mfw_rx_held(port))
			schedule_delayed_work(&port->rx_idle,
					      msecs_to_jiffies(MFW_RX_IDLE_MS));
		return;
	}
	/* Busy with a discipline change (a TIOCSETD): look again later. */
	ld = tty_ldisc_ref(tty);
	if (!ld) {
		schedule_delayed_work(&port->rx_idle,
				      msecs_to_jiffies(MFW_RX_IDLE_MS));
		return;
	}
	if (ld->ops->flush_buffer)
		ld->ops->flush_buffer(tty);
	/* Not on a port being shut down (the last close runs before ours). */
	if (!test_bit(TTY_IO_ERROR, &tty->flags))
		tty_unthrottle(tty);
	tty_ldisc_deref(ld);
	dev_dbg(&port->dev, "no reader left: let go of the input held for one\n");
}

/**
 * mfw_rx_held() - whether input waits for a reader
 * @port: the port
 *
 * Input waits for a reader while n_tty's buffer is full and the reader
 * has not made room: bytes stayed in the tty buffer at the receive hook's
 * last run, or the tty is throttled (flow control holds the module back;
 * a pty, whose writer waits for room instead, always has TTY_THROTTLED
 * set).  The receive hook has not seen those bytes, so nobody knows yet
 * whose they are: the rest of a user's answer, a user's final result,
 * reports.  A reader's read() has n_tty restart the tty buffer's work
 * (n_tty_check_unthrottle() in drivers/tty/n_tty.c), whose run of the
 * hook says again; a reader that closes the tty leaves it to
 * mfw_rx_idle().  Lock-free: the caller acts on a look that one receive
 * run may make stale, and looks again.
 *
 * Return: true while input waits for a reader.
 */
bool mfw_rx_held(struct mfw_port *port)
{
	struct tty_struct *tty = port->tty;

	return READ_ONCE(port->rx_left) ||
	       (tty->driver->type != TTY_DRIVER_TYPE_PTY &&
		test_bit(TTY_THROTTLED, &tty->flags));
}

/**
 * mfw_rx_running() - whether the receive hook is handing out a chunk
 * @port: the port
 *
 * A driver command waits for the run to end: a user's final result in the
 * chunk wakes it, and the bytes after that result, which the module sent
 * before the command, are still to be handed out.  The run writes
 * @port->rx_left before it ends, and wakes @port->wq.
 *
 * Return: true during a run of mfw_rx().
 */
bool mfw_rx_running(struct mfw_port *port)
{
	/* Pairs with the release in mfw_rx(): its rx_left is then seen. */
	return smp_load_acquire(&port->rx_running);
}

/**
 * mfw_rx() - the receive hook's work for one chunk
 * @port: the port
 * @cp: received bytes
 * @fp: their TTY_* flags, or NULL
 * @count: number of bytes
 *
 * Called only from the line discipline's receive hook, never concurrently
 * for one port.  With no file open to read the tty, nothing reaches n_tty
 * (mfw_ldisc_has_reader()); the driver still inspects every byte.
 *
 * Return: bytes consumed (fewer than @count when n_tty is full).
 */
size_t mfw_rx(struct mfw_port *port, const u8 *cp, const u8 *fp, size_t count)
{
	bool unread = !mfw_ldisc_has_reader(port->tty);
	size_t done = 0, taken = 0;

	/* No driver command takes the channel meanwhile: mfw_rx_running(). */
	WRITE_ONCE(port->rx_running, true);

	/*
	 * The module paused since the last chunk: open message data is
	 * over.  A pause of our own making (bytes left behind for a full
	 * n_tty, a throttled tty) is none of the module's.
	 */
	if (!port->rx_held &&
	    jiffies - port->rx_stamp > msecs_to_jiffies(MFW_RX_QUIET_MS)) {
		mfw_at_quiet(&port->parser);
		/* A user's answer under way no longer moves its deadline on. */
		spin_lock(&port->lock);
		port->user_paused = port->user_heard;
		spin_unlock(&port->lock);
	}
	while (done < count) {
		const u8 *f = fp ? fp + done : NULL;
		size_t left = count - done, n;

		if (port->eat_lf) {
			port->eat_lf = false;
			if (cp[done] == '\n' && (!f || *f == TTY_NORMAL)) {
				done++;
				continue;
			}
		}
		/*
		 * A user's final result ended on a CR at the end of the last
		 * chunk, and a driver command took the channel before its LF
		 * came: that LF is still the users' ("OK\r" alone ends no
		 * response for ModemManager).  Whoever owns the channel now
		 * sent nothing before it.
		 */
		if (port->user_cr) {
			port->user_cr = false;
			/*
			 * A full n_tty refuses it: then it goes to the driver
			 * (a blank line to its framer), whose answer must not
			 * wait behind a reader.
			 */
			if (cp[done] == '\n' && (!f || *f == TTY_NORMAL) &&
			    !unread && READ_ONCE(port->urc_passthrough) &&
			    mfw_chan_driver_owns(port) &&
			    mfw_ldisc_n_tty_receive(port->tty, cp + done, f, 1)) {
				mfw_rx_feed(port, cp + done, f, 1, false, false,
					    false);
				done++;
				continue;
			}
		}
		if (mfw_chan_driver_owns(port)) {
			n = mfw_rx_feed(port, cp + done, f, left, true, false,
					unread);
			taken += n;
		} else if (unread || !READ_ONCE(port->urc_passthrough)) {
			n = mfw_rx_feed(port, cp + done, f, left, false, true,
					unread);
			taken += n;
		} else {
			n = mfw_ldisc_n_tty_receive(port->tty, cp + done, f,
						    left);
			mfw_rx_feed(port, cp + done, f, n, false, false, false);
			port->user_cr = n && cp[done + n - 1] == '\r' &&
					(!f || f[n - 1] == TTY_NORMAL);
			if (n < left) {
				done += n;
				break;
			}
		}
		done += n;
	}
	if (taken)
		mfw_rx_wake_link(port->tty);
	WRITE_ONCE(port->rx_stamp, jiffies);
	/* A reader made room (or nobody reads): mfw_chan_acquire() sees it. */
	if (done)
		WRITE_ONCE(port->rx_taken, jiffies);
	/*
	 * n_tty throttled the tty (flow control holds the module back) until
	 * a reader makes room.  A pty always has TTY_THROTTLED set; its
	 * writer waits for room instead, which @done < @count shows.
	 */
	WRITE_ONCE(port->rx_left, done < count);
	WRITE_ONCE(port->rx_held, mfw_rx_held(port));
	/* Pairs with mfw_rx_running(): rx_left is seen once this is. */
	smp_store_release(&port->rx_running, false);
	/* Held for a reader: watch that one remains (mfw_rx_idle()). */
	if (port->rx_held)
		schedule_delayed_work(&port->rx_idle,
				      msecs_to_jiffies(MFW_RX_IDLE_MS));
	/* A driver command waiting for this run, or for the reader, may go. */
	if (wq_has_sleeper(&port->wq))
		wake_up_all(&port->wq);
	return done;
}
