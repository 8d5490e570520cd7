// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the download, upgrade and erase triggers of /sys/class/mfw/mfwN
 * (see Documentation/ABI/testing/sysfs-class-mfw); their configuration
 * is mfw_fota_cfg.c's.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/device.h>
#include <linux/kstrtox.h>
#include <linux/minmax.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/sysfs.h>

#include "mfw.h"
#include "mfw_cme.h"
#include "mfw_xfer.h"

/* AT+MFWDLOAD answers once connected: allow the "timeout" key and this. */
#define MFW_FOTA_DLOAD_MARGIN_MS	5000

/* A trigger takes a true value ("1", "y", "on"); a false one is refused. */
static int mfw_fota_trigger(const char *buf)
{
	bool on;
	int ret;

	ret = kstrtobool(buf, &on);
	if (ret)
		return ret;
	return on ? 0 : -EINVAL;
}

/* The family, or -ENXIO while it is unknown, or -EBUSY while writing. */
static const struct mfw_model *mfw_fota_caps_idle(struct mfw_port *port)
{
	const struct mfw_model *caps = mfw_port_caps(port);

	if (!caps)
		return ERR_PTR(-ENXIO);
	if (mfw_xfer_busy(port))
		return ERR_PTR(-EBUSY);
	return caps;
}

/*
 * Forget the progress and the error of the last operation.  @idle also
 * makes the port idle.
 */
static void mfw_fota_reset(struct mfw_port *port, bool idle)
{
	spin_lock(&port->lock);
	port->done = 0;
	port->total = 0;
	port->percent = -1;
	port->last_error = 0;
	if (idle)
		mfw_port_set_state(port, MFW_STATE_IDLE);
	spin_unlock(&port->lock);
	sysfs_notify(&port->dev.kobj, NULL, "progress");
	sysfs_notify(&port->dev.kobj, NULL, "percent");
}

/* How long AT+MFWDLOAD may take: it answers once it has connected. */
static unsigned int mfw_fota_dload_timeout(struct mfw_port *port,
					   const struct mfw_model *caps)
{
	long secs;

	spin_lock(&port->lock);
	if (port->fota.valid & MFW_CFG_BIT(MFW_CFG_TIMEOUT))
		secs = port->fota.ival[MFW_CFG_TIMEOUT];
	else
		secs = caps->range[MFW_CFG_TIMEOUT].def;
	spin_unlock(&port->lock);
	return max_t(unsigned int, mfw_cmd_timeout_ms,
		     secs * 1000 + MFW_FOTA_DLOAD_MARGIN_MS);
}

static ssize_t download_store(struct device *dev,
			      struct device_attribute *attr,
			      const char *buf, size_t count)
{
	struct mfw_port *port = to_mfw_port(dev);
	const struct mfw_model *caps;
	bool query = sysfs_streq(buf, "query");
	int ret;

	ret = query ? 0 : mfw_fota_trigger(buf);
	if (ret)
		return ret;
	caps = mfw_fota_caps_idle(port);
	if (IS_ERR(caps))
		return PTR_ERR(caps);
	if (!(caps->paths & MFW_PATH_REMOTE))
		return -EOPNOTSUPP;
	/*
	 * Where the download stands, for a report that was lost: the
	 * module answers with a +MFWDLOAD report of the same form, which
	 * the receive path takes as it takes the unsolicited ones.
	 */
	if (query) {
		enum mfw_state state;

		/*
		 * Never while the module flashes: AT then could harm it.  An
		 * upgrade being started sets the state under the same mutex.
		 */
		if (mutex_lock_killable(&port->fota_mutex))
			return -EINTR;
		spin_lock(&port->lock);
		state = port->state;
		spin_unlock(&port->lock);
		if (state == MFW_STATE_UPGRADING || state == MFW_STATE_REBOOTING)
			ret = -EBUSY;
		else
			ret = mfw_chan_command(port, "AT+MFWDLOAD?", NULL, 0,
					       mfw_cmd_timeout_ms);
		mutex_unlock(&port->fota_mutex);
		return ret ? ret : count;
	}

	mfw_fota_reset(port, false);
	mfw_xfer_forget(port);
	ret = mfw_chan_command(port, "AT+MFWDLOAD", NULL, 0,
			       mfw_fota_dload_timeout(port, caps));
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(download);

/*
 * Whether a url is configured for the special mode: set through this
 * port, or reported by the module (set before this port existed).
 */
static int mfw_fota_url_configured(struct mfw_port *port)
{
	bool cached;
	char *resp;
	int ret;

	spin_lock(&port->lock);
	cached = port->fota.url[0];
	spin_unlock(&port->lock);
	if (cached)
		return 0;

	resp = kzalloc(MFW_RESP_MAX, GFP_KERNEL);
	if (!resp)
		return -ENOMEM;
	ret = mfw_chan_command(port, "AT+MFWCFG=\"url\"", resp, MFW_RESP_MAX,
			       mfw_cmd_timeout_ms);
	/* +MFWCFG: "url","<url>": an empty url ends in two quotes. */
	if (!ret && (!strstr(resp, "\"url\",\"") || strstr(resp, ",\"\""))) {
		dev_err(&port->dev, "upgrade: configure a url first\n");
		ret = -EINVAL;
	}
	kfree(resp);
	return ret;
}

/* Checks before AT+MFWUPGRADE; a checksum mismatch also sets error. */
static int mfw_fota_upgrade_ready(struct mfw_port *port,
				  const struct mfw_model *caps)
{
	int ret;

	if (!(caps->paths & ~MFW_PATH_SPECIAL)) {
		ret = mfw_fota_url_configured(port);
		if (ret)
			return ret;
	}
	ret = mfw_xfer_verify(port);
	if (ret == -EBADMSG) {
		spin_lock(&port->lock);
		mfw_port_set_state(port, MFW_STATE_ERROR);
		spin_unlock(&port->lock);
	}
	return ret;
}

/*
 * The outcome of AT+MFWUPGRADE.  A module may go straight into the
 * upgrade without a word: silence, a hangup (-ENODEV) or a restart
 * (-EAGAIN) mean it started.  A refusal leaves the port in error; a
 * command that never left leaves the state it found.
 */
static int mfw_fota_upgrade_result(struct mfw_port *port, int ret,
				   enum mfw_state before)
{
	switch (ret) {
	case 0:
	case -ETIMEDOUT:
	case -ENODEV:
	case -EAGAIN:
		return 0;
	case -EREMOTEIO:
	case -EIO:
		spin_lock(&port->lock);
		mfw_port_set_state(port, MFW_STATE_ERROR);
		spin_unlock(&port->lock);
		return ret;
	default:
		spin_lock(&port->lock);
		if (port->state == MFW_STATE_UPGRADING)
			mfw_port_set_state(port, before);
		spin_unlock(&port->lock);
		return ret;
	}
}

static ssize_t upgrade_store(struct device *dev,
			     struct device_attribute *attr,
			     const char *buf, size_t count)
{
	struct mfw_port *port = to_mfw_port(dev);
	const struct mfw_model *caps;
	enum mfw_state before;
	int ret;

	ret = mfw_fota_trigger(buf);
	if (ret)
		return ret;
	caps = mfw_fota_caps_idle(port);
	if (IS_ERR(caps))
		return PTR_ERR(caps);
	ret = mfw_fota_upgrade_ready(port, caps);
	if (ret)
		return ret;

	if (mutex_lock_killable(&port->fota_mutex))
		return -EINTR;
	spin_lock(&port->lock);
	before = port->state;
	port->percent = -1;
	mfw_port_set_state(port, MFW_STATE_UPGRADING);
	spin_unlock(&port->lock);
	sysfs_notify(&port->dev.kobj, NULL, "percent");

	ret = mfw_chan_command(port, "AT+MFWUPGRADE", NULL, 0,
			       mfw_cmd_timeout_ms);
	ret = mfw_fota_upgrade_result(port, ret, before);
	mutex_unlock(&port->fota_mutex);
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(upgrade);

static ssize_t erase_store(struct device *dev, struct device_attribute *attr,
			   const char *buf, size_t count)
{
	struct mfw_port *port = to_mfw_port(dev);
	const struct mfw_model *caps;
	int ret;

	ret = mfw_fota_trigger(buf);
	if (ret)
		return ret;
	caps = mfw_port_caps(port);
	if (!caps)
		return -ENXIO;
	if (!caps->erase)
		return -EOPNOTSUPP;
	if (mfw_xfer_busy(port))
		return -EBUSY;

	ret = mfw_chan_command(port, "AT+MFWERASE", NULL, 0,
			       mfw_cmd_timeout_ms);
	if (ret)
		return ret;
	mfw_xfer_forget(port);
	mfw_fota_reset(port, true);
	return count;
}
static DEVICE_ATTR_WO(erase);

static struct attribute *mfw_fota_attrs[] = {
	&dev_attr_download.attr,
	&dev_attr_upgrade.attr,
	&dev_attr_erase.attr,
	NULL
};

const struct attribute_group mfw_fota_group = {
	.attrs = mfw_fota_attrs,
};
