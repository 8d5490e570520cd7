// SPDX-License-Identifier: GPL-2.0
/*
 * mfw - sysfs attributes of /sys/class/mfw/mfwN (see
 * Documentation/ABI/testing/sysfs-class-mfw).
 */
#include <linux/device.h>
#include <linux/kstrtox.h>
#include <linux/sysfs.h>

#include "mfw.h"
#include "mfw_cme.h"

static ssize_t tty_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	return sysfs_emit(buf, "%s\n", tty_name(to_mfw_port(dev)->tty));
}
static DEVICE_ATTR_RO(tty);

/* Show a string field of the port, copied under its lock. */
static ssize_t mfw_show_string(struct device *dev, char *buf,
			       const char *field, size_t size)
{
	struct mfw_port *port = to_mfw_port(dev);
	ssize_t len;

	spin_lock(&port->lock);
	len = sysfs_emit(buf, "%.*s\n", (int)strnlen(field, size), field);
	spin_unlock(&port->lock);
	return len;
}

static ssize_t model_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);

	return mfw_show_string(dev, buf, port->model, sizeof(port->model));
}
static DEVICE_ATTR_RO(model);

static ssize_t firmware_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);

	return mfw_show_string(dev, buf, port->firmware,
			       sizeof(port->firmware));
}
static DEVICE_ATTR_RO(firmware);

static ssize_t last_urc_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);

	return mfw_show_string(dev, buf, port->last_urc,
			       sizeof(port->last_urc));
}
static DEVICE_ATTR_RO(last_urc);

static ssize_t family_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);
	const struct mfw_model *caps;

	spin_lock(&port->lock);
	caps = port->caps;
	spin_unlock(&port->lock);
	return sysfs_emit(buf, "%s\n", caps ? caps->name : "unknown");
}
static DEVICE_ATTR_RO(family);

static ssize_t state_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);
	enum mfw_state state;

	spin_lock(&port->lock);
	state = port->state;
	spin_unlock(&port->lock);
	return sysfs_emit(buf, "%s\n", mfw_state_name(state));
}
static DEVICE_ATTR_RO(state);

/* "<done> <total>": bytes of the current operation; total 0 = unknown. */
static ssize_t progress_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);
	unsigned long long done, total;

	spin_lock(&port->lock);
	done = port->done;
	total = port->total;
	spin_unlock(&port->lock);
	return sysfs_emit(buf, "%llu %llu\n", done, total);
}
static DEVICE_ATTR_RO(progress);

static ssize_t percent_show(struct device *dev, struct device_attribute *attr,
			    char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);
	int percent;

	spin_lock(&port->lock);
	percent = port->percent;
	spin_unlock(&port->lock);
	if (percent < 0)
		return sysfs_emit(buf, "unknown\n");
	return sysfs_emit(buf, "%d\n", percent);
}
static DEVICE_ATTR_RO(percent);

/* "<code> <meaning>" of the last failure, or "none". */
static ssize_t last_error_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);
	const char *text;
	int code;

	spin_lock(&port->lock);
	code = port->last_error;
	spin_unlock(&port->lock);
	if (!code)
		return sysfs_emit(buf, "none\n");
	text = mfw_cme_text(code);
	return sysfs_emit(buf, "%d %s\n", code, text ? text : "unknown error");
}
static DEVICE_ATTR_RO(last_error);

static ssize_t urc_passthrough_show(struct device *dev,
				    struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n",
			  READ_ONCE(to_mfw_port(dev)->urc_passthrough));
}

static ssize_t urc_passthrough_store(struct device *dev,
				     struct device_attribute *attr,
				     const char *buf, size_t count)
{
	struct mfw_port *port = to_mfw_port(dev);
	bool on;
	int ret;

	ret = kstrtobool(buf, &on);
	if (ret)
		return ret;
	spin_lock(&port->lock);
	port->urc_passthrough = on;
	spin_unlock(&port->lock);
	return count;
}
static DEVICE_ATTR_RW(urc_passthrough);

/* Writing 1 asks the module again for its firmware and model. */
static ssize_t identify_store(struct device *dev,
			      struct device_attribute *attr,
			      const char *buf, size_t count)
{
	bool on;
	int ret;

	ret = kstrtobool(buf, &on);
	if (ret)
		return ret;
	if (!on)
		return -EINVAL;
	ret = mfw_port_identify(to_mfw_port(dev));
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(identify);

static struct attribute *mfw_attrs[] = {
	&dev_attr_identify.attr,
	&dev_attr_tty.attr,
	&dev_attr_model.attr,
	&dev_attr_family.attr,
	&dev_attr_firmware.attr,
	&dev_attr_state.attr,
	&dev_attr_progress.attr,
	&dev_attr_percent.attr,
	&dev_attr_last_error.attr,
	&dev_attr_last_urc.attr,
	&dev_attr_urc_passthrough.attr,
	NULL
};

static const struct attribute_group mfw_group = {
	.attrs = mfw_attrs,
};

/* One counter of struct mfw_stats, found by its offset. */
struct mfw_stat_attr {
	struct device_attribute attr;
	size_t offset;
};

static ssize_t mfw_stat_show(struct device *dev,
			     struct device_attribute *attr, char *buf)
{
	struct mfw_stat_attr *sa = container_of(attr, struct mfw_stat_attr,
						attr);
	struct mfw_port *port = to_mfw_port(dev);
	unsigned long v;

	spin_lock(&port->lock);
	v = *(unsigned long *)((char *)&port->stats + sa->offset);
	spin_unlock(&port->lock);
	return sysfs_emit(buf, "%lu\n", v);
}

#define MFW_STAT(field) {						\
	.attr = {							\
		.attr = { .name = #field, .mode = 0444 },		\
		.show = mfw_stat_show,					\
	},								\
	.offset = offsetof(struct mfw_stats, field),			\
}

static struct mfw_stat_attr mfw_stat_attrs[] = {
	MFW_STAT(rx_bytes),
	MFW_STAT(rx_lines),
	MFW_STAT(urcs),
	MFW_STAT(user_commands),
	MFW_STAT(driver_commands),
	MFW_STAT(driver_timeouts),
	MFW_STAT(user_waits),
	MFW_STAT(urcs_dropped),
};

static struct attribute *mfw_stats_attrs[] = {
	&mfw_stat_attrs[0].attr.attr,
	&mfw_stat_attrs[1].attr.attr,
	&mfw_stat_attrs[2].attr.attr,
	&mfw_stat_attrs[3].attr.attr,
	&mfw_stat_attrs[4].attr.attr,
	&mfw_stat_attrs[5].attr.attr,
	&mfw_stat_attrs[6].attr.attr,
	&mfw_stat_attrs[7].attr.attr,
	NULL
};

static const struct attribute_group mfw_stats_group = {
	.name = "statistics",
	.attrs = mfw_stats_attrs,
};

const struct attribute_group *mfw_groups[] = {
	&mfw_group,
	&mfw_stats_group,
	NULL
};
