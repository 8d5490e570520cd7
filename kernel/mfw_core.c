// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the port object: class "mfw", /dev/mfwN and its lifetime.
 *
 * A port lives from attach until its last reference goes.  Detach, hangup
 * and USB unplug all end in mfw_port_disconnect(), which marks the port
 * dead, wakes every sleeper and waits for every operation to leave, so
 * that whatever still holds /dev/mfwN open gets -ENODEV and nothing
 * touches the tty afterwards.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/idr.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mfw.h"
#include "mfw_compat.h"

#define MFW_MINORS	256
/* Identification attempts after an ERROR, and the pause between them. */
#define MFW_IDENT_TRIES		3
#define MFW_IDENT_RETRY_MS	1000
/*
 * A module that let the identification go by unanswered is asked again
 * after 2, 4, 8 and 16 s: it may have been busy, or have announced itself
 * (+MATREADY) before the discipline was there to hear it.  Its next
 * +MATREADY starts the identification again in any case.
 */
#define MFW_IDENT_SILENT_TRIES		4
/* Tries more when the port stayed busy (each waited for it first). */
#define MFW_IDENT_BUSY_TRIES		3
#define MFW_IDENT_SILENT_FIRST_MS	2000

static DEFINE_IDA(mfw_minors);
static dev_t mfw_first;

static const char * const mfw_state_names[] = {
	[MFW_STATE_IDLE]	= "idle",
	[MFW_STATE_WRITING]	= "writing",
	[MFW_STATE_DOWNLOADING]	= "downloading",
	[MFW_STATE_UPGRADING]	= "upgrading",
	[MFW_STATE_REBOOTING]	= "rebooting",
	[MFW_STATE_ERROR]	= "error",
};

/**
 * mfw_state_name() - sysfs and uevent name of a state
 * @state: the state
 *
 * Return: the name, or "unknown" for a value out of range.
 */
const char *mfw_state_name(enum mfw_state state)
{
	if ((unsigned int)state >= ARRAY_SIZE(mfw_state_names))
		return "unknown";
	return mfw_state_names[state];
}

/**
 * mfw_port_set_state() - change a port's state and announce it
 * @port: the port
 * @state: the new state
 *
 * Caller holds @port->lock.  The uevent is sent from a work item, so this
 * may be called from the receive path.  A dead port's state is frozen:
 * mfw_port_disconnect() has sent its last change uevent, and "remove"
 * follows.
 */
void mfw_port_set_state(struct mfw_port *port, enum mfw_state state)
{
	lockdep_assert_held(&port->lock);
	if (port->dead || port->state == state)
		return;
	port->state = state;
	/* A full queue drops the oldest change; the newest always goes out. */
	if (kfifo_is_full(&port->events))
		kfifo_skip(&port->events);
	kfifo_put(&port->events, (u8)state);
	schedule_work(&port->event_work);
}

static void mfw_event_work(struct work_struct *work)
{
	struct mfw_port *port = container_of(work, struct mfw_port, event_work);
	u8 state;

	for (;;) {
		bool got;

		spin_lock(&port->lock);
		got = kfifo_get(&port->events, &state);
		spin_unlock(&port->lock);
		if (!got)
			break;
		/* mfw_dev_uevent() adds MFW_STATE from here. */
		port->uevent_state = state;
		kobject_uevent(&port->dev.kobj, KOBJ_CHANGE);
		sysfs_notify(&port->dev.kobj, NULL, "state");
	}
}

/* Copy the first line of @resp (a '\n'-separated answer) to @dst. */
static void mfw_first_line(char *dst, size_t size, const char *resp)
{
	size_t n = strcspn(resp, "\n");

	if (n >= size)
		n = size - 1;
	memcpy(dst, resp, n);
	dst[n] = '\0';
}

/**
 * mfw_port_caps() - the capability row of the module on a port
 * @port: the port
 *
 * Rows are static, so the pointer stays valid once read; it only changes
 * when the module is identified again.
 *
 * Return: the row, or NULL while the module is not identified.
 */
const struct mfw_model *mfw_port_caps(struct mfw_port *port)
{
	const struct mfw_model *caps;

	spin_lock(&port->lock);
	caps = port->caps;
	spin_unlock(&port->lock);
	return caps;
}

/*
 * The module's IMEI into @imei, asking with @resp as the answer's buffer
 * (MFW_RESP_MAX bytes).  The IMEI tells apart two modules of one model,
 * whose USB serial numbers may be alike.  3GPP TS 27.007 5.4: a bare
 * AT+CGSN answers the IMEI on most modules; where it answers another
 * serial number (NB-IoT firmware may give a UUID) or refuses, AT+CGSN=1
 * asks for the IMEI by name.  A bare OK (no serial number) asks nothing
 * more.
 *
 * Return: 0 with @imei set, or empty when the module refused both or
 * answered no IMEI (it gives none); 1 when the IMEI went unanswered (no
 * answer in time, a busy port), @imei untouched, so the one known stays;
 * -EAGAIN when the module restarted meanwhile (the identification its
 * +MATREADY queued follows), -ENODEV or -EINTR as mfw_chan_command().
 */
static int mfw_port_ask_imei(struct mfw_port *port, char *resp, char *imei)
{
	static const char *const cmds[] = { "AT+CGSN", "AT+CGSN=1" };
	unsigned int i;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		ret = mfw_chan_command(port, cmds[i], resp, MFW_RESP_MAX,
				       mfw_cmd_timeout_ms);
		if (ret == -EAGAIN || ret == -ENODEV || ret == -EINTR)
			return ret;
		if (ret == -EIO || ret == -EREMOTEIO)
			continue;	/* refused: the other form may do */
		if (ret) {
			dev_dbg(&port->dev, "%s: %d: IMEI not read\n", cmds[i], ret);
			return 1;
		}
		if (mfw_at_imei(resp, strlen(resp), imei))
			return 0;
		if (!*resp)
			break;		/* a bare OK: no serial number at all */
	}
	imei[0] = '\0';
	return 0;
}

/**
 * mfw_port_identify() - ask the module for its firmware version and model
 * @port: the port
 *
 * Sends AT+CGMR, ATI and AT+CGSN (mfw_port_ask_imei()) through the
 * command channel and updates the firmware, model, family and IMEI the
 * port shows, then announces them with a change uevent carrying
 * MFW_EVENT=identified.  A module that gives no IMEI (mfw_at_imei())
 * shows an empty one; one whose IMEI went unanswered keeps the one known.
 * Sleeps.
 *
 * Return: 0, or the error of the first command that failed (for the IMEI
 * only a restart, the port going away or an interrupted caller).
 */
int mfw_port_identify(struct mfw_port *port)
{
	char event[] = "MFW_EVENT=identified";
	char *envp[2] = { event };
	char imei[MFW_AT_IMEI_SIZE] = "";
	const struct mfw_model *caps;
	const char *model;
	char *resp, *line;
	int ret;

	/* The answer, then the model line kept while AT+CGSN is asked. */
	resp = kzalloc(MFW_RESP_MAX + MFW_IDENT_MAX, GFP_KERNEL);
	if (!resp)
		return -ENOMEM;
	line = resp + MFW_RESP_MAX;

	ret = mfw_chan_command(port, "AT+CGMR", resp, MFW_RESP_MAX,
			       mfw_cmd_timeout_ms);
	if (ret)
		goto out;
	spin_lock(&port->lock);
	mfw_first_line(port->firmware, sizeof(port->firmware), resp);
	spin_unlock(&port->lock);
	sysfs_notify(&port->dev.kobj, NULL, "firmware");

	ret = mfw_chan_command(port, "ATI", resp, MFW_RESP_MAX,
			       mfw_cmd_timeout_ms);
	if (ret)
		goto out;
	/* ATI answers manufacturer, model, revision, one per line. */
	model = strchr(resp, '\n');
	model = model ? model + 1 : resp;
	caps = mfw_model_from_ident(resp, strlen(resp), NULL);
	mfw_first_line(line, MFW_IDENT_MAX, model);

	ret = mfw_port_ask_imei(port, resp, imei);
	if (ret < 0)
		goto out;
	spin_lock(&port->lock);
	memcpy(port->model, line, sizeof(port->model));
	if (!ret)
		memcpy(port->imei, imei, sizeof(port->imei));
	ret = 0;
	if (!caps)
		caps = mfw_model_from_ident(port->firmware,
					    strlen(port->firmware), NULL);
	if (caps)
		port->caps = caps;
	port->ident_seq++;
	spin_unlock(&port->lock);
	wake_up(&port->wq);
	/*
	 * udev learns MFW_FAMILY from here on; what depends on the running
	 * firmware (the automatic upgrade) starts from this event.
	 */
	kobject_uevent_env(&port->dev.kobj, KOBJ_CHANGE, envp);
out:
	kfree(resp);
	return ret;
}

/*
 * Did the identification that just timed out meet silence, so that asking
 * again may help?  It did if nothing came meanwhile, or if whole lines
 * came (answers to users, reports): the module talks at our rate and
 * missed the command.  Bytes that never made a line are a module running
 * at another rate than the host, which only whoever changed the rate can
 * set right.  Not when our command is still in the tty driver's queue
 * (flow control holds it: a module without power), where another would
 * only queue up behind it; and not while the module flashes or reboots:
 * it says when it is back (+MATREADY).
 */
static bool mfw_ident_missed(struct mfw_port *port, unsigned long rx_bytes,
			     unsigned long rx_lines)
{
	bool missed;

	/* Detach waits for this work (cancel_work_sync()): the tty is there. */
	if (READ_ONCE(port->dead) || tty_chars_in_buffer(port->tty))
		return false;
	spin_lock(&port->lock);
	missed = (port->stats.rx_bytes == rx_bytes ||
		  port->stats.rx_lines != rx_lines) &&
		 (port->state == MFW_STATE_IDLE ||
		  port->state == MFW_STATE_ERROR);
	spin_unlock(&port->lock);
	return missed;
}

/*
 * Sleep @ms before asking again, or until the port dies, or a +MATREADY
 * (whose identification is queued) or a write to identify that succeeded
 * moved @port->ident_seq past @seq.  True when there is no need to ask
 * again.
 * TASK_IDLE: a powered-off module keeps this waiting for about a minute
 * at every attach, which is no load.
 */
static bool mfw_ident_pause(struct mfw_port *port, unsigned int seq,
			    unsigned int ms)
{
	return wait_event_idle_timeout(port->wq, READ_ONCE(port->dead) ||
				       READ_ONCE(port->ident_seq) != seq,
				       msecs_to_jiffies(ms)) > 0;
}

static void mfw_ident_work(struct work_struct *work)
{
	struct mfw_port *port = container_of(work, struct mfw_port, ident_work);
	unsigned int pause_ms = MFW_IDENT_SILENT_FIRST_MS;
	unsigned int errors = 1, silences = 0, busy = 0, seq;
	unsigned long rx_bytes, rx_lines;
	int ret;

	for (;;) {
		bool due;

		spin_lock(&port->lock);
		rx_bytes = port->stats.rx_bytes;
		rx_lines = port->stats.rx_lines;
		seq = port->ident_seq;
		due = port->ident_due;
		port->ident_due = false;
		spin_unlock(&port->lock);
		/*
		 * A run queued by a +MATREADY that came before an earlier
		 * run's last question: that answer already told what the
		 * restarted module runs.
		 */
		if (!due && errors == 1 && !silences && !busy)
			return;
		ret = mfw_port_identify(port);
		if (ret == -EIO || ret == -EREMOTEIO) {
			/*
			 * ERROR to a query that cannot fail means the
			 * module's line buffer held something before our
			 * command: what a user left unfinished, or its own
			 * boot lines echoed back by a host tty that was not
			 * yet raw when the module started talking.  Its
			 * answer to that line flushed the buffer; ask again.
			 */
			if (errors++ >= MFW_IDENT_TRIES)
				break;
			if (mfw_ident_pause(port, seq, MFW_IDENT_RETRY_MS))
				return;
			continue;
		}
		if (ret == -EBUSY) {
			/*
			 * Another operation, a user's write or a reader
			 * that leaves the module's output unread kept the
			 * port (each try waited for it already): ask
			 * again a little later.
			 */
			if (busy++ >= MFW_IDENT_BUSY_TRIES)
				break;
			if (mfw_ident_pause(port, seq, MFW_IDENT_RETRY_MS))
				return;
			continue;
		}
		if (ret != -ETIMEDOUT || silences++ >= MFW_IDENT_SILENT_TRIES ||
		    !mfw_ident_missed(port, rx_bytes, rx_lines))
			break;
		if (mfw_ident_pause(port, seq, pause_ms))
			return;
		pause_ms *= 2;
	}
	/*
	 * A module still booting answers nothing, and one that restarts
	 * drops the command (-EAGAIN); its +MATREADY queues us again.
	 */
	if (ret == -EBUSY)
		dev_warn(&port->dev, "cannot identify the module: %s stayed busy (another operation, a user's write, or output waiting for a reader); write 1 to identify once it is free\n",
			 tty_name(port->tty));
	else if (ret && ret != -ETIMEDOUT && ret != -ENODEV && ret != -EAGAIN)
		dev_warn(&port->dev, "cannot identify the module: %d\n", ret);
}

/*
 * Every uevent of a port carries MFW_STATE (the current state for add, the
 * announced one for the change events the event work sends) and
 * MFW_FAMILY (the capability table's name, "unknown" until identified).
 */
static int mfw_dev_uevent(mfw_uevent_dev_t *dev, struct kobj_uevent_env *env)
{
	struct mfw_port *port = to_mfw_port(dev);
	const struct mfw_model *caps;
	int ret;

	ret = add_uevent_var(env, "MFW_STATE=%s",
			     mfw_state_name(port->uevent_state));
	if (ret)
		return ret;
	caps = mfw_port_caps(port);
	return add_uevent_var(env, "MFW_FAMILY=%s",
			      caps ? caps->name : "unknown");
}

/* devtmpfs gives the nodes mode 0600; udev rules may widen that. */
static struct class mfw_class = {
	.name		= "mfw",
	.dev_groups	= mfw_groups,
	.dev_uevent	= mfw_dev_uevent,
};

static void mfw_port_release(struct device *dev)
{
	struct mfw_port *port = to_mfw_port(dev);

	/* Disconnect flushed it, and a dead port queues no more changes. */
	WARN_ON_ONCE(work_pending(&port->event_work));
	mfw_xfer_destroy(port);
	tty_kref_put(port->tty);
	ida_free(&mfw_minors, MINOR(dev->devt));
	kfree(port);
}

/**
 * mfw_port_create() - create the port of a tty being attached
 * @tty: the tty
 *
 * Registers /dev/mfwN and its sysfs directory.  The caller makes the port
 * visible to the receive path and then queues @port->ident_work.
 *
 * Return: the port, or an ERR_PTR().
 */
struct mfw_port *mfw_port_create(struct tty_struct *tty)
{
	struct mfw_port *port;
	int minor, ret;

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return ERR_PTR(-ENOMEM);

	minor = ida_alloc_max(&mfw_minors, MFW_MINORS - 1, GFP_KERNEL);
	if (minor < 0) {
		kfree(port);
		return ERR_PTR(minor);
	}

	port->tty = tty_kref_get(tty);
	init_rwsem(&port->rwsem);
	spin_lock_init(&port->lock);
	init_waitqueue_head(&port->wq);
	init_waitqueue_head(&port->read_wq);
	mutex_init(&port->read_mutex);
	mutex_init(&port->cmd_mutex);
	mutex_init(&port->fota_mutex);
	INIT_KFIFO(port->events);
	INIT_KFIFO(port->urcs);
	INIT_WORK(&port->event_work, mfw_event_work);
	INIT_WORK(&port->ident_work, mfw_ident_work);
	INIT_DELAYED_WORK(&port->rx_idle, mfw_rx_idle);
	mfw_park_init(port);
	mfw_at_init(&port->parser);
	mfw_echo_init(&port->echo);
	ret = mfw_xfer_init(port);
	if (ret) {
		tty_kref_put(port->tty);
		ida_free(&mfw_minors, minor);
		kfree(port);
		return ERR_PTR(ret);
	}
	port->percent = -1;
	port->rx_taken = jiffies;
	port->ident_due = true;
	port->urc_passthrough = true;
	port->state = MFW_STATE_IDLE;

	device_initialize(&port->dev);
	port->dev.class = &mfw_class;
	port->dev.parent = tty->dev;
	port->dev.devt = MKDEV(MAJOR(mfw_first), minor);
	port->dev.release = mfw_port_release;
	dev_set_drvdata(&port->dev, port);
	ret = dev_set_name(&port->dev, "mfw%d", minor);
	if (ret)
		goto err_put;

	cdev_init(&port->cdev, &mfw_cdev_fops);
	port->cdev.owner = THIS_MODULE;
	ret = cdev_device_add(&port->cdev, &port->dev);
	if (ret)
		goto err_put;

	ret = mfw_fwul_register(port);
	if (ret)
		/* /dev/mfwN still works; only the front end is missing. */
		dev_warn(&port->dev, "no firmware-upload interface: %d\n",
			 ret);
	return port;

err_put:
	/* The release callback frees the minor, the tty reference and port. */
	put_device(&port->dev);
	return ERR_PTR(ret);
}

/* Mark the port dead and wake every sleeper; takes the port's lock. */
static void mfw_port_kill(struct mfw_port *port, bool hangup)
{
	spin_lock(&port->lock);
	/* A hangup during an upgrade is the module restarting. */
	if (hangup && port->state == MFW_STATE_UPGRADING)
		mfw_port_set_state(port, MFW_STATE_REBOOTING);
	WRITE_ONCE(port->dead, true);
	spin_unlock(&port->lock);
	wake_up_all(&port->wq);
	wake_up_all(&port->read_wq);
	wake_up_interruptible_all(&port->tty->write_wait);
}

/**
 * mfw_port_hangup() - the tty is being hung up
 * @port: the port
 *
 * Ends every wait on the port at once; mfw_port_disconnect() follows when
 * the tty core closes the discipline.  Does not sleep.
 */
void mfw_port_hangup(struct mfw_port *port)
{
	mfw_port_kill(port, true);
}

/**
 * mfw_port_disconnect() - the tty is going away: end every use of it
 * @port: the port
 *
 * Marks the port dead, wakes everything that sleeps on it, waits for
 * every operation to leave, stops the work items and removes /dev/mfwN.
 * The structure itself lives on until its last reference is dropped.
 * Must not be called with the port's lock held; may sleep.
 */
void mfw_port_disconnect(struct mfw_port *port)
{
	mfw_port_kill(port, false);

	/* Every operation re-checks @dead under the rwsem; wait them out. */
	down_write(&port->rwsem);
	up_write(&port->rwsem);

	cancel_work_sync(&port->ident_work);
	cancel_delayed_work_sync(&port->rx_idle);
	mfw_park_drop_all(port);
	/* Dead: an upload in progress fails at once, and is waited for. */
	mfw_fwul_unregister(port);
	/* Queued state changes still go out, before the device goes. */
	flush_work(&port->event_work);
	cdev_device_del(&port->cdev, &port->dev);
	put_device(&port->dev);
}

/**
 * mfw_core_init() - register the class and the char device region
 *
 * Return: 0 or a negative errno.
 */
int mfw_core_init(void)
{
	int ret;

	mfw_compat_class_init(&mfw_class);
	ret = alloc_chrdev_region(&mfw_first, 0, MFW_MINORS, "mfw");
	if (ret)
		return ret;
	ret = class_register(&mfw_class);
	if (ret)
		goto err_region;
	return 0;

err_region:
	unregister_chrdev_region(mfw_first, MFW_MINORS);
	return ret;
}

/**
 * mfw_core_exit() - undo mfw_core_init()
 */
void mfw_core_exit(void)
{
	class_unregister(&mfw_class);
	unregister_chrdev_region(mfw_first, MFW_MINORS);
	ida_destroy(&mfw_minors);
}
