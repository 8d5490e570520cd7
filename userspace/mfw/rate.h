/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - a faster UART rate for the package transfer: asking the
 * module for it with AT+IPR, following on the host's side of the tty,
 * proving the link, and coming back to the rate the board expects.
 *
 * Everything here goes through the tty itself, as any program on the port
 * would: the kernel's line discipline moves the bytes and holds the
 * driver's own commands apart; the rate is the helper's business.
 *
 * Facts used (SPEC §5 and ITU-T V.250 6.2.10, see mfw_ipr.h): AT+IPR?
 * reads the module's rate (0: autobaud), AT+IPR=<rate> sets it, the new
 * rate starts after the command's result code, which still goes out at the
 * old one; the rates a module takes are mfw_ipr_rates().  Whether the
 * module saves the rate across a power cycle is not documented, so the
 * callers treat every rate change as one that may outlive the module's
 * next reboot.
 */
#ifndef MFW_RATE_H
#define MFW_RATE_H

#include <stdbool.h>
#include <stddef.h>

/* A probe (AT, answered OK) waits this long for its answer, per try. */
#define MFW_RATE_PROBE_MS	300
/* Probes at a new rate before it counts as one the board cannot carry. */
#define MFW_RATE_PROBE_TRIES	3
/* An AT+IPR command waits this long for its result code. */
#define MFW_RATE_CMD_MS		1000
/*
 * A write the line discipline parks behind its own command (SPEC §1: one
 * command at a time) waits this long for it by default: the driver's
 * default command timeout (module parameter cmd_timeout_ms, 5000) and a
 * second more.  mfw_lane_open() reads the parameter where it can.
 */
#define MFW_RATE_PARKED_MS	6000
/*
 * From the failed probe at a new rate to the module answering at the old
 * one again: the fallback takes at most this long.
 */
#define MFW_RATE_FALLBACK_MS	3000

/* The tty whose rate is changed, and the two rates of the lane. */
struct mfw_rate {
	int fd;			/* the tty, -1 when none */
	bool own_fd;		/* opened by mfw_rate_open(), closed by mfw_rate_close() */
	long board;		/* the host's rate before (bit/s): what the board expects */
	long board_ipr;		/* the module's AT+IPR? before: a rate, or 0 (autobaud) */
	long now;		/* the rate both ends run at now, 0 when unknown */
	int parked_ms;		/* a write parked behind the driver's command waits this long */
	bool echo;		/* the last command came back echoed (V.250 E1) */
};

/* What mfw_rate_up() did. */
enum mfw_rate_outcome {
	MFW_RATE_SWITCHED,	/* both ends at the new rate, the link proven */
	MFW_RATE_REFUSED,	/* the module refused it: both ends at the old rate */
	MFW_RATE_FELL_BACK,	/* the new rate failed its probe: back at the old one */
	MFW_RATE_LOST,		/* the module answers at neither rate */
};

/*
 * Use the tty @fd (held by the caller, left open; it must be readable),
 * or, with @fd < 0, open @node (O_RDWR|O_NOCTTY, no change to its line
 * discipline or its settings), and read the host's rate into @r->board.  0, -errno of the
 * open, -EINVAL when the tty's speed is not a rate mfw_ipr_rate() knows.
 */
int mfw_rate_open(struct mfw_rate *r, int fd, const char *node);

/*
 * Between the commands of a lane: close the tty mfw_rate_open() opened,
 * keeping the rates.  A file open for reading gets the module's output
 * kept for it by the mfw line discipline, and nothing reads this one
 * during the transfer; closed, the driver sees the module's reports
 * whatever it sends meanwhile.  The holder keeps the tty, and so its
 * speed.  0, or -EBADF when the fd is not the rate's own or is closed.
 */
int mfw_rate_pause(struct mfw_rate *r);

/* Open @node again after mfw_rate_pause().  0 or -errno of the open. */
int mfw_rate_resume(struct mfw_rate *r, const char *node);

/* Close the tty when mfw_rate_open() opened it. */
void mfw_rate_close(struct mfw_rate *r);

/* The host's side of the tty to @rate bit/s (tcsetattr).  0 or -errno. */
int mfw_rate_host(struct mfw_rate *r, long rate);

/*
 * Can the host's UART run at @rate?  A UART driver that cannot make a
 * rate sets another one without an error and says so only in what
 * tcgetattr() reads back (serial_core's uart_get_baud_rate() keeps the
 * rate before, or the nearest limit: an 8250 on a PC's 1.8432 MHz clock
 * stops at 115200).  Sets @rate, reads it back and returns to the rate
 * before.  0 when it reads back @rate, or as a rate termios has no code
 * for (a driver that writes the rate it really made, a little off: the
 * probe at the rate decides); -ERANGE with the standard rate it got in
 * *@got; or another -errno.
 */
int mfw_rate_host_takes(struct mfw_rate *r, long rate, long *got);

/*
 * Send the command line @cmd ("AT+IPR?", without CR) and wait up to
 * @timeout_ms for its final result, skipping the echo and what came
 * before; @r->echo says whether the echo came.  The first information
 * line (such as "+IPR: 115200") goes to @info when not NULL.  0 on OK, -EREMOTEIO on ERROR or +CME ERROR,
 * -ETIMEDOUT without a final result, -errno of the tty.
 */
int mfw_rate_cmd(struct mfw_rate *r, const char *cmd, char *info,
		 size_t size, int timeout_ms);

/*
 * The module's echo (V.250 6.2.4: E0 off, E1 on; volatile, a reboot
 * brings back its default) off: ATE0.  0 or -errno as mfw_rate_cmd().
 */
int mfw_rate_echo_off(struct mfw_rate *r);

/* ATE1: the module's echo back on.  0 or -errno as mfw_rate_cmd(). */
int mfw_rate_echo_on(struct mfw_rate *r);

/*
 * AT answered OK at the host's rate, in at most @tries tries of
 * MFW_RATE_PROBE_MS.  0, or -ETIMEDOUT.
 */
int mfw_rate_probe(struct mfw_rate *r, int tries);

/*
 * Learn what to come back to: @r->board from the tty (mfw_rate_open())
 * and @r->board_ipr from AT+IPR? at that rate.  0, -EREMOTEIO when the
 * module does not know AT+IPR, -ETIMEDOUT, -EPROTO for an answer that is
 * not "+IPR: <n>".
 */
int mfw_rate_query(struct mfw_rate *r);

/*
 * Move both ends to @rate: AT+IPR=@rate at the old rate, the host follows
 * once OK has arrived, then MFW_RATE_PROBE_TRIES probes.  When the probes
 * fail the module is asked at the new rate, blind, for the old one (what
 * the host sends may well arrive while what the module sends does not),
 * the host goes back and probes there, all within MFW_RATE_FALLBACK_MS.
 * Returns the outcome; @r->now is the rate in use after it (0 when lost).
 */
enum mfw_rate_outcome mfw_rate_up(struct mfw_rate *r, long rate);

/*
 * Back to the board's rate from @r->now: AT+IPR=@r->board_ipr at the
 * current rate, the host to @r->board, a probe.  When that fails the
 * module is looked for at both rates (mfw_rate_find()) and brought back
 * from wherever it answers.  0 once it answers at the board's rate,
 * -ETIMEDOUT when it answers at neither.
 */
int mfw_rate_restore(struct mfw_rate *r);

/*
 * Find the module after the helper lost track (a crash, a power cut): a
 * probe at @first, then at @second (skipped when 0 or equal), the host
 * left at the rate that answered.  That rate, or 0 when neither did (the
 * host is then at @second, or @first).
 */
long mfw_rate_find(struct mfw_rate *r, long first, long second);

/*
 * Whether the tty @tty (kernel name) is one whose rate means something: a
 * UART (serial core, a USB serial adapter) or a pty, not the module's own
 * USB port (cdc_acm, or the USB modem drivers of usb-serial such as
 * option), where the "rate" is a setting nobody reads.  @why names the
 * driver when not.  Reads <sysfs_root>/class/tty/<tty>/device/driver.
 */
bool mfw_rate_uart(const char *sysfs_root, const char *tty, char *why,
		   size_t size);

#endif /* MFW_RATE_H */
