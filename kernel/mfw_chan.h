/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw - the command channel (mfw_chan.c): one AT command in flight.
 */
#ifndef _MFW_CHAN_H
#define _MFW_CHAN_H

#include <linux/fs.h>
#include <linux/types.h>

struct mfw_port;

/**
 * struct mfw_txn - one command the driver sends and the answer it collects
 * @cmd: the command, without the terminating CR
 * @cmd_len: length of @cmd
 * @resp: buffer for the information lines of the answer, one per line,
 *	each terminated by '\n'; may be NULL
 * @resp_size: size of @resp
 * @resp_len: bytes used in @resp
 * @echo_seen: the module's echo of @cmd has been swallowed
 * @raw: a transparent write: the module prompts for raw bytes
 * @prompt: the module's "> " prompt arrived
 * @done: a final result arrived
 * @flushed: the tty driver's buffer was dropped after the module ended
 *	this transparent write early (done once: parked user writes may
 *	follow it)
 * @result: 0 for OK, -EIO for ERROR, -EREMOTEIO for a +CME/CMS/CIS error
 * @cme: the error code of a +CME ERROR, or -1
 */
struct mfw_txn {
	const char *cmd;
	size_t cmd_len;
	char *resp;
	size_t resp_size;
	size_t resp_len;
	bool echo_seen;
	bool raw;
	bool prompt;
	bool done;
	bool flushed;
	int result;
	int cme;
};

int mfw_chan_command(struct mfw_port *port, const char *cmd, char *resp,
		     size_t resp_size, unsigned int timeout_ms);
ssize_t mfw_chan_user_enter(struct mfw_port *port, struct file *file,
			    const u8 *buf, size_t len);
bool mfw_chan_user_try_control(struct mfw_port *port);
void mfw_chan_user_leave(struct mfw_port *port);
bool mfw_chan_user_blocked(struct mfw_port *port);
void mfw_chan_user_started(struct mfw_port *port, bool write);
bool mfw_chan_driver_owns(struct mfw_port *port);
int mfw_chan_raw_start(struct mfw_port *port, struct mfw_txn *txn,
		       unsigned int timeout_ms);
int mfw_chan_raw_send(struct mfw_port *port, struct mfw_txn *txn,
		      const u8 *buf, size_t len, unsigned int timeout_ms,
		      size_t *sent);
int mfw_chan_raw_end(struct mfw_port *port, struct mfw_txn *txn,
		     unsigned int timeout_ms);

/* mfw_park.c: user writes parked while the driver owns the channel */

/* Most bytes of user writes parked per port. */
#define MFW_PARK_MAX	8192

bool mfw_park_user_blocked(struct mfw_port *port);
ssize_t mfw_park_write(struct mfw_port *port, struct file *file,
		       const u8 *buf, size_t len);
void mfw_park_kick(struct mfw_port *port);
void mfw_park_flush(struct mfw_port *port);
void mfw_park_drop_all(struct mfw_port *port);
void mfw_park_init(struct mfw_port *port);

#endif /* _MFW_CHAN_H */
