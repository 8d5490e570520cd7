/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw - state shared by the files of the line discipline.
 *
 * One struct mfw_port exists per tty the discipline is attached to.  It is
 * a class device (/dev/mfwN, /sys/class/mfw/mfwN) whose reference count
 * keeps the memory alive; the tty behind it is only used while the port is
 * not dead.
 */
#ifndef _MFW_H
#define _MFW_H

#include <linux/cdev.h>
#include <linux/firmware.h>
#include <linux/device.h>
#include <linux/kfifo.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/tty.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <uapi/linux/mfw.h>

#include "mfw_at.h"
#include "mfw_chan.h"
#include "mfw_echo.h"
#include "mfw_fota.h"
#include "mfw_models.h"
#include "mfw_xfer.h"

/* Longest model and firmware strings kept from ATI / AT+CGMR. */
#define MFW_IDENT_MAX		64
/* Longest response a driver command collects (info lines). */
#define MFW_RESP_MAX		512
/* Bytes of captured FOTA and boot URCs kept for readers of /dev/mfwN. */
#define MFW_URC_FIFO		4096
/* State changes queued for uevents. */
#define MFW_EVENT_FIFO		16

struct mfw_parked;

/* Who owns the command channel. */
enum mfw_owner {
	MFW_OWNER_NONE,
	MFW_OWNER_DRIVER,
};

/**
 * struct mfw_stats - counters shown under statistics/
 * @rx_bytes: bytes received from the module
 * @rx_lines: lines received
 * @urcs: FOTA and boot URCs captured
 * @user_commands: commands users sent through the port
 * @driver_commands: commands the driver sent
 * @driver_timeouts: driver commands that got no final result in time
 * @user_waits: user writes that had to wait for a driver command, or were
 *	parked behind it
 * @urcs_dropped: URC bytes /dev/mfwN readers lost to a full buffer
 * @rx_unread: bytes received while no file had the tty open for reading:
 *	inspected by the driver, given to nobody (mfw_ldisc_has_reader())
 * @rx_refused: bytes of lines the driver passed on to readers (during its
 *	own command, or with URC passthrough off) that n_tty's full buffer
 *	did not take
 * @mem_peak: most bytes the port had allocated at once (its structure,
 *	hash states and write buffers)
 */
struct mfw_stats {
	unsigned long rx_bytes;
	unsigned long rx_lines;
	unsigned long urcs;
	unsigned long user_commands;
	unsigned long driver_commands;
	unsigned long driver_timeouts;
	unsigned long user_waits;
	unsigned long urcs_dropped;
	unsigned long rx_unread;
	unsigned long rx_refused;
	unsigned long mem_peak;
};

/*
 * A pause that ends a text-mode SMS's data (mfw_at_quiet()): the time
 * between two runs of the receive hook.  A module writes a message's
 * header and data in one go (at 9600 baud a byte every ms, a few ms
 * between a UART's FIFO interrupts, one USB transfer); the rest of the
 * margin is for a receive worker that runs late on a busy board.
 */
#define MFW_RX_QUIET_MS		500

/**
 * struct mfw_port - the discipline's state for one attached tty
 * @dev: class device; its reference count owns this structure
 * @cdev: /dev/mfwN
 * @node: entry in the list of attached ports (mfw_ldisc.c)
 * @tty: the tty, referenced from attach until the port is freed
 * @rwsem: read-held by every operation that uses @tty or the channel,
 *	write-held by mfw_port_disconnect() to wait for them to leave
 * @dead: the tty is gone (detach, hangup, unplug); set once, never cleared
 * @opened: /dev/mfwN is open (it is exclusive)
 * @lock: protects the channel (@owner, @user_writers, @user_busy,
 *	@user_deadline, @user_heard, @user_paused, @txn, @echo, @parked,
 *	@parked_bytes, @park_busy),
 *	the state fields (@state, @done,
 *	@total, @percent, @last_error, @last_urc), @model, @firmware, @imei,
 *	@caps, @urc_passthrough and @stats
 * @owner: who owns the command channel
 * @user_writers: user writes currently passing through n_tty
 * @user_busy: a user command is in flight (sent, no final result yet)
 * @user_deadline: jiffies after which a user command counts as finished:
 *	mfw_user_timeout_ms after the user's last write, after the last line
 *	of its answer while the module sends that answer without a pause,
 *	after the last line a reader caught up on (a receive run after input
 *	was held), or after a final result that leaves more of the users'
 *	commands to be answered; see mfw_chan_user_started()
 * @user_heard: a line came after the user's command (its answer, or any
 *	line but its echo and a FOTA or boot report)
 * @user_paused: the module paused since then (a pause of the reader's
 *	making aside): the answer no longer moves @user_deadline on
 * @txn: the driver's command in flight, when @owner is MFW_OWNER_DRIVER
 * @echo: what users wrote that the module has not echoed yet
 * @parked: user writes parked while the driver owns the channel, oldest
 *	first (mfw_park.c)
 * @parked_bytes: bytes in @parked, at most MFW_PARK_MAX
 * @park_busy: the parked write n_tty is writing now, or NULL
 * @park_work: hands @parked to n_tty once the driver lets go
 * @wq: woken on channel changes, transaction completion and death
 * @cmd_mutex: serialises the driver's commands (one in flight)
 * @fota_mutex: makes a FOTA trigger's look at @state and the command it
 *	then sends one step (upgrade, and the download query that must
 *	never reach a flashing module); taken before @cmd_mutex
 * @parser: the AT framer; only the receive hook touches it
 * @inject: a line being handed to n_tty by the receive hook
 * @user_cr: the last byte handed to n_tty raw was a CR (received without
 *	an error flag); a LF right after it still goes to n_tty if the
 *	driver took the channel between the two, unless n_tty is full
 *	(receive hook only)
 * @eat_lf: a driver command just ended on a CR; a LF right after it is
 *	the driver's too (receive hook only)
 * @rx_stamp: jiffies when the receive hook last ran (written by the
 *	receive hook only)
 * @rx_held: bytes stayed behind at that run, or the tty was throttled,
 *	so the next run is no pause of the module's (written by the receive
 *	hook only)
 * @rx_left: bytes stayed behind at that run (written by the receive hook
 *	only)
 * @rx_taken: jiffies when the receive hook last took a byte: a reader
 *	that makes room moves it on (written by the receive hook only)
 * @rx_running: the receive hook is handing out a chunk (written by the
 *	receive hook only; mfw_rx_running())
 * @rx_idle: while @rx_held, looks whether any file can still read the
 *	tty, and lets go of what nobody can read (mfw_rx_idle())
 * @state: enum mfw_state
 * @done: bytes downloaded or written so far
 * @total: bytes expected, 0 when unknown
 * @percent: progress of the operation, -1 when unknown
 * @last_error: error code of the last failure (850-860), 0 for none,
 *	MFW_ERROR_ABANDONED (the driver ended a transparent write its writer
 *	gave up; details in @xfer) or MFW_ERROR_NO_CODE (a plain ERROR)
 * @last_urc: the last FOTA URC, NUL-terminated
 * @model: module model from ATI, NUL-terminated
 * @firmware: firmware version from AT+CGMR, NUL-terminated
 * @imei: the module's IMEI from AT+CGSN (mfw_at_imei()), empty while
 *	unknown or when the module gave none
 * @caps: capability row of the module, NULL while unknown
 * @urc_passthrough: FOTA URCs reach user readers of the tty too
 * @fota: AT+MFWCFG values set through this port, under @lock
 * @stats: counters
 * @events: state changes waiting to be sent as uevents
 * @uevent_state: the state the change uevent being sent announces;
 *	event work only
 * @event_work: sends the queued uevents
 * @ident_work: asks the module for its model and firmware
 * @ident_seq: counts the module's +MATREADY reports and the
 *	identifications that succeeded, under @lock; an identification
 *	waiting to ask again stops when it moves
 * @ident_due: set at attach and by +MATREADY, cleared as @ident_work
 *	starts asking, under @lock: a run of the work queued while another
 *	run was already asking after the same report has nothing to do
 * @urcs: captured FOTA and boot URCs for /dev/mfwN readers, '\n'-separated;
 *	the receive hook is its only producer
 * @read_mutex: the reader end of @urcs: one reader of /dev/mfwN at a time
 * @read_wq: readers of /dev/mfwN
 * @xfer: the package being written (mfw_xfer.c)
 * @fwl: the firmware-upload front end, when the kernel has one
 * @fwl_cancel: its cancel file was written during the current upload
 *	(read without locks; see mfw_fwul.c)
 */
struct mfw_port {
	struct device dev;
	struct cdev cdev;
	struct list_head node;
	struct tty_struct *tty;

	struct rw_semaphore rwsem;
	bool dead;
	atomic_t opened;

	spinlock_t lock;	/* channel, state, identity, stats */
	enum mfw_owner owner;
	unsigned int user_writers;
	bool user_busy;
	unsigned long user_deadline;
	bool user_heard;
	bool user_paused;
	struct mfw_txn *txn;
	struct mfw_echo echo;
	struct list_head parked;
	size_t parked_bytes;
	struct mfw_parked *park_busy;
	struct work_struct park_work;
	wait_queue_head_t wq;
	struct mutex cmd_mutex;	/* one driver command at a time */
	struct mutex fota_mutex;	/* state check + FOTA command */

	struct mfw_at_parser parser;
	u8 inject[MFW_AT_LINE_MAX + 4];
	bool user_cr;
	bool eat_lf;
	unsigned long rx_stamp;
	bool rx_held;
	bool rx_left;
	unsigned long rx_taken;
	bool rx_running;
	struct delayed_work rx_idle;

	enum mfw_state state;
	unsigned long long done;
	unsigned long long total;
	int percent;
	int last_error;
	char last_urc[MFW_AT_LINE_MAX + 1];
	char model[MFW_IDENT_MAX];
	char firmware[MFW_IDENT_MAX];
	char imei[MFW_AT_IMEI_SIZE];
	const struct mfw_model *caps;
	bool urc_passthrough;
	struct mfw_fota fota;
	struct mfw_stats stats;

	DECLARE_KFIFO(events, u8, MFW_EVENT_FIFO);
	enum mfw_state uevent_state;
	struct work_struct event_work;
	struct work_struct ident_work;
	unsigned int ident_seq;
	bool ident_due;
	DECLARE_KFIFO(urcs, char, MFW_URC_FIFO);
	struct mutex read_mutex;	/* reader end of @urcs */
	wait_queue_head_t read_wq;
	struct mfw_xfer xfer;
	struct fw_upload *fwl;
	bool fwl_cancel;
};

#define to_mfw_port(d) container_of(d, struct mfw_port, dev)

/* mfw_core.c */
struct mfw_port *mfw_port_create(struct tty_struct *tty);
void mfw_port_disconnect(struct mfw_port *port);
void mfw_port_hangup(struct mfw_port *port);
const struct mfw_model *mfw_port_caps(struct mfw_port *port);
int mfw_port_identify(struct mfw_port *port);
void mfw_port_set_state(struct mfw_port *port, enum mfw_state state);
const char *mfw_state_name(enum mfw_state state);
int mfw_core_init(void);
void mfw_core_exit(void);

/* mfw_cdev.c */
extern const struct file_operations mfw_cdev_fops;

/* mfw_fwul.c: mfw_fwul_register(), mfw_fwul_unregister() in mfw_compat.h */

/* mfw_rx.c */
size_t mfw_rx(struct mfw_port *port, const u8 *cp, const u8 *fp, size_t count);
bool mfw_rx_held(struct mfw_port *port);
bool mfw_rx_running(struct mfw_port *port);
void mfw_rx_idle(struct work_struct *work);

/* mfw_sysfs.c */
extern const struct attribute_group *mfw_groups[];

/* mfw_ldisc.c */
size_t mfw_ldisc_n_tty_receive(struct tty_struct *tty, const u8 *cp,
			       const u8 *fp, size_t count);
bool mfw_ldisc_has_reader(struct tty_struct *tty);
ssize_t mfw_ldisc_n_tty_write(struct tty_struct *tty, struct file *file,
			      const u8 *buf, size_t nr);
/* last_error of a transparent write the driver ended (not a module code). */
#define MFW_ERROR_ABANDONED	(-1)
/*
 * last_error of a command the module refused with a plain ERROR: no code
 * (V.250; a module answers so with AT+CMEE=0, which any client may set).
 */
#define MFW_ERROR_NO_CODE	(-2)

extern unsigned int mfw_cmd_timeout_ms;
extern unsigned int mfw_user_timeout_ms;
extern unsigned int mfw_user_wait_ms;

#endif /* _MFW_H */
