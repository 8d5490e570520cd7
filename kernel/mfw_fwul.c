// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the firmware-upload front end: /sys/class/firmware/mfwN/ with the
 * kernel's standard loading, data, status, progress, error and cancel
 * files, for kernels built with CONFIG_FW_UPLOAD.  It drives the same
 * write session as /dev/mfwN; the two exclude each other.
 *
 * Cancel.  The firmware loader calls the cancel operation whenever its
 * cancel file is written, with or without an upload in progress
 * (drivers/base/firmware_loader/sysfs_upload.c, cancel_store()).  So the
 * flag it sets is cleared when an upload's prepare step starts, and it
 * reaches only a session this front end opened: never a /dev/mfwN
 * writer's.  It ends the prepare step's wait for an abandoned transfer
 * too.  A cancel between "loading" 0 and the prepare step, a moment in
 * the loader's work queue, is not seen.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/firmware.h>
#include <linux/minmax.h>
#include <linux/module.h>

#include "mfw.h"
#include "mfw_compat.h"

/* Bytes handed to the write session per call of the write operation. */
#define MFW_FWUL_CHUNK	(64 * 1024)

static enum fw_upload_err mfw_fwul_err(int ret)
{
	switch (ret) {
	case 0:
		return FW_UPLOAD_ERR_NONE;
	case -EBUSY:
		return FW_UPLOAD_ERR_BUSY;
	case -ETIMEDOUT:
		return FW_UPLOAD_ERR_TIMEOUT;
	case -ECANCELED:
		return FW_UPLOAD_ERR_CANCELED;
	case -EFBIG:
	case -EINVAL:
	case -ENOSPC:
		return FW_UPLOAD_ERR_INVALID_SIZE;
	case -EREMOTEIO:
	case -ENOEXEC:
		return FW_UPLOAD_ERR_HW_ERROR;
	default:
		return FW_UPLOAD_ERR_RW_ERROR;
	}
}

static enum fw_upload_err mfw_fwul_prepare(struct fw_upload *fwl,
					   const u8 *data, u32 size)
{
	struct mfw_port *port = fwl->dd_handle;

	WRITE_ONCE(port->fwl_cancel, false);
	return mfw_fwul_err(mfw_xfer_open(port, size, &port->fwl_cancel));
}

static enum fw_upload_err mfw_fwul_write(struct fw_upload *fwl,
					 const u8 *data, u32 offset, u32 size,
					 u32 *written)
{
	struct mfw_port *port = fwl->dd_handle;
	ssize_t ret;

	ret = mfw_xfer_write(port, data + offset,
			     min_t(u32, size, MFW_FWUL_CHUNK), offset);
	if (ret < 0)
		return mfw_fwul_err(ret);
	*written = ret;
	return FW_UPLOAD_ERR_NONE;
}

static enum fw_upload_err mfw_fwul_poll_complete(struct fw_upload *fwl)
{
	return mfw_fwul_err(mfw_xfer_commit(fwl->dd_handle));
}

static void mfw_fwul_cancel(struct fw_upload *fwl)
{
	struct mfw_port *port = fwl->dd_handle;

	WRITE_ONCE(port->fwl_cancel, true);
	/* A prepare step waiting for the channel's filler stops waiting. */
	wake_up_all(&port->wq);
	mfw_xfer_cancel(port, &port->fwl_cancel);
}

static void mfw_fwul_cleanup(struct fw_upload *fwl)
{
	mfw_xfer_close(fwl->dd_handle);
}

static const struct fw_upload_ops mfw_fwul_ops = {
	.prepare	= mfw_fwul_prepare,
	.write		= mfw_fwul_write,
	.poll_complete	= mfw_fwul_poll_complete,
	.cancel		= mfw_fwul_cancel,
	.cleanup	= mfw_fwul_cleanup,
};

/**
 * mfw_fwul_register() - offer the port to the firmware-upload class
 * @port: the port, its device registered
 *
 * Does nothing on kernels without CONFIG_FW_UPLOAD.
 *
 * Return: 0 or a negative errno.
 */
int mfw_fwul_register(struct mfw_port *port)
{
	struct fw_upload *fwl;

	if (!IS_ENABLED(CONFIG_FW_UPLOAD))
		return 0;
	fwl = firmware_upload_register(THIS_MODULE, &port->dev,
				       dev_name(&port->dev), &mfw_fwul_ops,
				       port);
	if (IS_ERR(fwl))
		return PTR_ERR(fwl);
	port->fwl = fwl;
	return 0;
}

/**
 * mfw_fwul_unregister() - withdraw the port from the firmware-upload class
 * @port: the port, already dead so that an upload in progress ends soon
 *
 * Waits for an upload in progress to finish.
 */
void mfw_fwul_unregister(struct mfw_port *port)
{
	if (port->fwl)
		firmware_upload_unregister(port->fwl);
	port->fwl = NULL;
}
