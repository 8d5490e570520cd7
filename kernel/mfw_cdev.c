// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - /dev/mfwN: the captured URCs to read, and the package to write.
 *
 * The node may be open once at a time, but one open file can be shared:
 * threads, a child after fork(), dup() and descriptors passed over a
 * socket all reach the same struct file.  So every operation serialises
 * itself: readers on the port's read mutex (the URC FIFO has one reader
 * end), writers, ioctl() and the commit on the file's own mutex.
 *
 * Writing opens a write session (mfw_xfer.c) on the first write(),
 * ioctl(MFW_IOC_SET_SIZE) or fsync(); the file position is the offset in
 * the package, so pwrite() and lseek() resume a hex write where the module
 * stopped.  The writer's close() commits: a transparent package of unknown
 * size is sent then, and close() returns its result.  A close by anyone
 * else who shares the file (a forked child exiting) commits nothing,
 * unless it drops the file's last reference.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/compat.h>
#include <linux/fs.h>
#include <linux/minmax.h>
#include <linux/module.h>
#include <linux/poll.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "mfw.h"

/* Bytes copied from userspace at a time. */
#define MFW_CDEV_CHUNK	PAGE_SIZE

/**
 * struct mfw_file - one open file of /dev/mfwN
 * @port: the port
 * @lock: serialises write(), ioctl(), fsync() and the commit in flush()
 *	of this file; protects @session, @bounce and @writer
 * @session: this file opened the port's write session
 * @bounce: @MFW_CDEV_CHUNK bytes from userspace, while @session
 * @writer: the file table (fl_owner_t) of the last task that wrote or
 *	declared a size; only compared, never dereferenced
 */
struct mfw_file {
	struct mfw_port *port;
	struct mutex lock;	/* session, bounce, writer */
	bool session;
	u8 *bounce;
	fl_owner_t writer;
};

static int mfw_cdev_open(struct inode *inode, struct file *file)
{
	struct mfw_port *port = container_of(inode->i_cdev, struct mfw_port,
					     cdev);
	struct mfw_file *mf;
	int ret = 0;

	mf = kzalloc(sizeof(*mf), GFP_KERNEL);
	if (!mf)
		return -ENOMEM;
	get_device(&port->dev);
	down_read(&port->rwsem);
	if (port->dead)
		ret = -ENODEV;
	else if (atomic_cmpxchg(&port->opened, 0, 1))
		ret = -EBUSY;
	up_read(&port->rwsem);
	if (ret) {
		put_device(&port->dev);
		kfree(mf);
		return ret;
	}
	mutex_init(&mf->lock);
	mf->port = port;
	file->private_data = mf;
	return 0;
}

/* Open the write session of @mf, with @size declared (0: unknown). */
static int mfw_cdev_session(struct mfw_file *mf, u64 size)
{
	int ret;

	lockdep_assert_held(&mf->lock);
	WRITE_ONCE(mf->writer, current->files);
	if (mf->session)
		return size ? mfw_xfer_declare(mf->port, size) : 0;
	mf->bounce = kmalloc(MFW_CDEV_CHUNK, GFP_KERNEL);
	if (!mf->bounce)
		return -ENOMEM;
	ret = mfw_xfer_open(mf->port, size, NULL);
	if (ret) {
		kfree(mf->bounce);
		mf->bounce = NULL;
		return ret;
	}
	WRITE_ONCE(mf->session, true);
	return 0;
}

static int mfw_cdev_release(struct inode *inode, struct file *file)
{
	struct mfw_file *mf = file->private_data;
	struct mfw_port *port = mf->port;

	/* flush() already committed and reported; this only cleans up. */
	if (mf->session)
		mfw_xfer_close(port);
	kfree(mf->bounce);
	mutex_destroy(&mf->lock);
	kfree(mf);
	atomic_set(&port->opened, 0);
	put_device(&port->dev);
	return 0;
}

/*
 * Reading /dev/mfwN gives the FOTA and boot URCs the driver captured, one
 * per line, whether or not they were also passed to the tty's readers.
 *
 * The FIFO lives in the port, which the open file keeps alive, so a read
 * needs no lock a detach waits for: a reader whose buffer faults slowly
 * (userfaultfd, FUSE) holds up nobody but other readers of this port.
 */
static ssize_t mfw_cdev_read(struct file *file, char __user *buf,
			     size_t count, loff_t *pos)
{
	struct mfw_port *port = ((struct mfw_file *)file->private_data)->port;
	unsigned int copied = 0;
	int ret;

	/* A non-blocking reader does not queue behind a slow one. */
	if (file->f_flags & O_NONBLOCK) {
		if (!mutex_trylock(&port->read_mutex))
			return -EAGAIN;
	} else if (mutex_lock_interruptible(&port->read_mutex)) {
		return -ERESTARTSYS;
	}
	for (;;) {
		if (READ_ONCE(port->dead)) {
			ret = -ENODEV;
			break;
		}
		if (!kfifo_is_empty(&port->urcs)) {
			ret = kfifo_to_user(&port->urcs, buf, count, &copied);
			break;
		}
		if (file->f_flags & O_NONBLOCK) {
			ret = -EAGAIN;
			break;
		}
		mutex_unlock(&port->read_mutex);
		ret = wait_event_interruptible(port->read_wq,
					       READ_ONCE(port->dead) ||
					       !kfifo_is_empty(&port->urcs));
		if (ret)
			return ret;
		if (mutex_lock_interruptible(&port->read_mutex))
			return -ERESTARTSYS;
	}
	mutex_unlock(&port->read_mutex);
	/* Not "ret ? ret : copied": that would make -errno unsigned. */
	if (ret)
		return ret;
	return copied;
}

/*
 * Write package bytes at *@pos.  Each chunk returns once the module holds
 * it (hex), took it (transparent, size declared) or it was buffered.
 */
static ssize_t mfw_cdev_write(struct file *file, const char __user *buf,
			      size_t count, loff_t *pos)
{
	struct mfw_file *mf = file->private_data;
	size_t done = 0;
	ssize_t ret = 0;

	if (*pos < 0)
		return -EINVAL;
	if (READ_ONCE(mf->port->dead))
		return -ENODEV;
	if (mutex_lock_killable(&mf->lock))
		return -EINTR;
	ret = mfw_cdev_session(mf, 0);
	if (ret)
		goto out;
	while (done < count) {
		size_t n = min_t(size_t, count - done, MFW_CDEV_CHUNK);

		if (copy_from_user(mf->bounce, buf + done, n)) {
			ret = -EFAULT;
			break;
		}
		ret = mfw_xfer_write(mf->port, mf->bounce, n, *pos);
		if (ret <= 0)
			break;
		*pos += ret;
		done += ret;
		if ((size_t)ret < n)
			break;
		ret = 0;
		if (fatal_signal_pending(current))
			break;
	}
out:
	mutex_unlock(&mf->lock);
	if (done)
		return done;
	return ret;
}

/*
 * close(): the writer's close commits the package and reports the result.
 * A close by a task that shares the file but did not write (a child that
 * inherited the descriptor) leaves the session as it is, unless it drops
 * the last reference to the file.
 */
static int mfw_cdev_flush(struct file *file, fl_owner_t id)
{
	struct mfw_file *mf = file->private_data;
	int ret = 0;

	/*
	 * Not the writer's close: nothing to wait for (a write may hold
	 * the file's lock for as long as a package takes).
	 */
	if (!READ_ONCE(mf->session) ||
	    (id != READ_ONCE(mf->writer) && file_count(file) > 1))
		return 0;
	if (mutex_lock_killable(&mf->lock))
		return -EINTR;
	if (mf->session && (id == mf->writer || file_count(file) == 1))
		ret = mfw_xfer_commit(mf->port);
	mutex_unlock(&mf->lock);
	return ret;
}

/* fsync(): whoever calls it commits, as MFW_IOC_COMMIT does. */
static int mfw_cdev_fsync(struct file *file, loff_t start, loff_t end,
			  int datasync)
{
	struct mfw_file *mf = file->private_data;
	int ret = 0;

	if (mutex_lock_killable(&mf->lock))
		return -EINTR;
	if (mf->session)
		ret = mfw_xfer_commit(mf->port);
	mutex_unlock(&mf->lock);
	return ret;
}

static long mfw_cdev_ioctl(struct file *file, unsigned int cmd,
			   unsigned long arg)
{
	struct mfw_file *mf = file->private_data;
	u64 size;
	int ret;

	switch (cmd) {
	case MFW_IOC_SET_SIZE:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		if (copy_from_user(&size, (void __user *)arg, sizeof(size)))
			return -EFAULT;
		if (!size)
			return -EINVAL;
		if (READ_ONCE(mf->port->dead))
			return -ENODEV;
		if (mutex_lock_killable(&mf->lock))
			return -EINTR;
		ret = mfw_cdev_session(mf, size);
		mutex_unlock(&mf->lock);
		return ret;
	case MFW_IOC_COMMIT:
		if (!(file->f_mode & FMODE_WRITE))
			return -EBADF;
		return mfw_cdev_fsync(file, 0, LLONG_MAX, 0);
	default:
		return -ENOTTY;
	}
}

static __poll_t mfw_cdev_poll(struct file *file, poll_table *wait)
{
	struct mfw_port *port = ((struct mfw_file *)file->private_data)->port;
	__poll_t mask = 0;

	poll_wait(file, &port->read_wq, wait);
	if (READ_ONCE(port->dead))
		mask = EPOLLHUP | EPOLLERR;
	else if (!kfifo_is_empty(&port->urcs))
		mask = EPOLLIN | EPOLLRDNORM;
	return mask;
}

const struct file_operations mfw_cdev_fops = {
	.owner		= THIS_MODULE,
	.open		= mfw_cdev_open,
	.release	= mfw_cdev_release,
	.read		= mfw_cdev_read,
	.write		= mfw_cdev_write,
	.flush		= mfw_cdev_flush,
	.fsync		= mfw_cdev_fsync,
	.poll		= mfw_cdev_poll,
	.unlocked_ioctl	= mfw_cdev_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
	.llseek		= no_seek_end_llseek,
};
