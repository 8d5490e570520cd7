// SPDX-License-Identifier: GPL-2.0-only
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

static ssize_t imei_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);

	return mfw_show_string(dev, buf, port->imei, sizeof(port->imei));
}
static DEVICE_ATTR_RO(imei);

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
	const struct mfw_model *caps = mfw_port_caps(to_mfw_port(dev));

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

/*
 * "<code> <meaning>" of the module's last failure, "write abandoned ..."
 * for a transparent write the driver ended, or "none".
 */
static ssize_t last_error_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);
	struct mfw_xfer *x = &port->xfer;
	const char *text;
	u64 pos, total;
	int code;

	spin_lock(&port->lock);
	code = port->last_error;
	pos = x->abandon_pos;
	total = x->abandon_total;
	text = x->abandon_why;
	spin_unlock(&port->lock);
	if (!code)
		return sysfs_emit(buf, "none\n");
	if (code == MFW_ERROR_NO_CODE)
		return sysfs_emit(buf, "refused without a code (%s; %s)\n",
				  "plain ERROR or an unknown text",
				  "AT+CMEE=1 gives codes");
	if (code == MFW_ERROR_ABANDONED)
		return sysfs_emit(buf, "write abandoned after %llu of %llu bytes: %s\n",
				  pos, total, text);
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

/* Writing 1 asks the module again for its firmware, model and IMEI. */
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

/* The family's ways in, e.g. "transparent remote special". */
static ssize_t paths_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	static const char * const names[] = {
		"hex", "transparent", "remote", "special",
	};
	const struct mfw_model *caps = mfw_port_caps(to_mfw_port(dev));
	ssize_t len = 0;
	size_t i;

	if (!caps)
		return sysfs_emit(buf, "unknown\n");
	for (i = 0; i < ARRAY_SIZE(names); i++)
		if (caps->paths & (1u << i))
			len += sysfs_emit_at(buf, len, "%s%s", len ? " " : "",
					     names[i]);
	return len + sysfs_emit_at(buf, len, "\n");
}
static DEVICE_ATTR_RO(paths);

/* Size declared for the package being, or about to be, written. */
static ssize_t image_size_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);
	u64 size;

	spin_lock(&port->lock);
	size = port->xfer.next_size;
	spin_unlock(&port->lock);
	return sysfs_emit(buf, "%llu\n", size);
}

static ssize_t image_size_store(struct device *dev,
				struct device_attribute *attr,
				const char *buf, size_t count)
{
	u64 size;
	int ret;

	ret = kstrtou64(buf, 10, &size);
	if (ret)
		return ret;
	ret = mfw_xfer_declare(to_mfw_port(dev), size);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(image_size);

/* Bytes of the package the module acknowledged: where a write resumes. */
static ssize_t offset_show(struct device *dev, struct device_attribute *attr,
			   char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);
	u64 pos;

	spin_lock(&port->lock);
	pos = port->xfer.pub_pos;
	spin_unlock(&port->lock);
	return sysfs_emit(buf, "%llu\n", pos);
}
static DEVICE_ATTR_RO(offset);

static ssize_t check_show(struct device *dev, struct device_attribute *attr,
			  char *buf)
{
	static const char * const names[] = {
		[MFW_CHECK_NONE]	= "unchecked",
		[MFW_CHECK_MATCH]	= "match",
		[MFW_CHECK_MISMATCH]	= "mismatch",
	};
	struct mfw_port *port = to_mfw_port(dev);
	enum mfw_check check;

	spin_lock(&port->lock);
	check = port->xfer.check;
	spin_unlock(&port->lock);
	return sysfs_emit(buf, "%s\n", names[check]);
}
static DEVICE_ATTR_RO(check);

static struct attribute *mfw_xfer_attrs[] = {
	&dev_attr_paths.attr,
	&dev_attr_image_size.attr,
	&dev_attr_offset.attr,
	&dev_attr_check.attr,
	NULL
};

const struct attribute_group mfw_xfer_group = {
	.attrs = mfw_xfer_attrs,
};

/* One digest of what the port wrote, by enum mfw_digest. */
struct mfw_digest_attr {
	struct device_attribute attr;
	enum mfw_digest which;
	size_t len;
};

static ssize_t mfw_digest_show(struct device *dev,
			       struct device_attribute *attr, char *buf)
{
	struct mfw_digest_attr *da = container_of(attr, struct mfw_digest_attr,
						  attr);
	struct mfw_port *port = to_mfw_port(dev);
	u8 digest[MFW_DIGEST_MAX];
	bool valid;

	spin_lock(&port->lock);
	valid = port->xfer.digest_valid && port->xfer.tfm[da->which];
	memcpy(digest, port->xfer.digest[da->which], sizeof(digest));
	spin_unlock(&port->lock);
	if (!valid)
		return sysfs_emit(buf, "\n");
	return sysfs_emit(buf, "%*phN\n", (int)da->len, digest);
}

#define MFW_DIGEST(_name, _which, _len) {				\
	.attr = {							\
		.attr = { .name = _name, .mode = 0444 },		\
		.show = mfw_digest_show,				\
	},								\
	.which = _which,						\
	.len = _len,							\
}

static struct mfw_digest_attr mfw_digest_attrs[] = {
	MFW_DIGEST("md5", MFW_DIGEST_MD5, 16),
	MFW_DIGEST("sha1", MFW_DIGEST_SHA1, 20),
	MFW_DIGEST("sha256", MFW_DIGEST_SHA256, 32),
};

static struct attribute *mfw_digest_attr_list[] = {
	&mfw_digest_attrs[0].attr.attr,
	&mfw_digest_attrs[1].attr.attr,
	&mfw_digest_attrs[2].attr.attr,
	NULL
};

const struct attribute_group mfw_digest_group = {
	.name = "digest",
	.attrs = mfw_digest_attr_list,
};

static struct attribute *mfw_attrs[] = {
	&dev_attr_identify.attr,
	&dev_attr_tty.attr,
	&dev_attr_model.attr,
	&dev_attr_family.attr,
	&dev_attr_firmware.attr,
	&dev_attr_imei.attr,
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
	MFW_STAT(rx_unread),
	MFW_STAT(rx_refused),
	MFW_STAT(mem_peak),
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
	&mfw_stat_attrs[8].attr.attr,
	&mfw_stat_attrs[9].attr.attr,
	&mfw_stat_attrs[10].attr.attr,
	NULL
};

static const struct attribute_group mfw_stats_group = {
	.name = "statistics",
	.attrs = mfw_stats_attrs,
};

const struct attribute_group *mfw_groups[] = {
	&mfw_group,
	&mfw_stats_group,
	&mfw_fota_cfg_group,
	&mfw_fota_group,
	&mfw_xfer_group,
	&mfw_digest_group,
	NULL
};
