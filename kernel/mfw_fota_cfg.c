// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the remote download's configuration: url, auth and the integer
 * keys of AT+MFWCFG (see Documentation/ABI/testing/sysfs-class-mfw).
 *
 * A configuration write is validated completely - characters, length, the
 * ranges of the manual and the family's row of the capability table -
 * before any AT+MFWCFG is built from it, so nothing a user writes can end
 * a quoted string or a command early.  Only values the module accepted are
 * cached for reading back.
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

/* Names of the MFW_URL_* bits, for the message about a refused scheme. */
static const struct {
	unsigned int bit;
	const char *name;
} mfw_fota_schemes[] = {
	{ MFW_URL_HTTP, "http" },
	{ MFW_URL_HTTPS, "https" },
	{ MFW_URL_FTP, "ftp" },
	{ MFW_URL_FTPS, "ftps" },
	{ MFW_URL_FILE, "file" },
};

/*
 * Serialises AT+MFWCFG and the cache update that follows it, so that the
 * cached value of a key is the one the module got last even when two
 * writers race.  Configuration writes are rare and short.
 */
static DEFINE_MUTEX(mfw_fota_cfg_mutex);

/*
 * Strip one trailing '\n' and check what may go inside a quoted AT
 * string: printable ASCII without '"' and '\\', at most @max bytes.
 * Returns the length or -EINVAL.
 */
static ssize_t mfw_fota_clean(const char *buf, size_t count, size_t max)
{
	size_t i;

	if (count && buf[count - 1] == '\n')
		count--;
	if (count > max)
		return -EINVAL;
	for (i = 0; i < count; i++) {
		unsigned char c = buf[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			return -EINVAL;
	}
	return count;
}

/*
 * The family, checked to honour @key: -ENXIO while the family is unknown,
 * -EOPNOTSUPP when its row lacks the key.
 */
static const struct mfw_model *mfw_fota_caps_key(struct mfw_port *port,
						 int key)
{
	const struct mfw_model *caps = mfw_port_caps(port);

	if (!caps)
		return ERR_PTR(-ENXIO);
	if (!(caps->cfg & MFW_CFG_BIT(key)))
		return ERR_PTR(-EOPNOTSUPP);
	return caps;
}

/* The sub-model named by the module's ATI answer, if it is of @caps. */
static const struct mfw_submodel *mfw_fota_sub(struct mfw_port *port,
					       const struct mfw_model *caps)
{
	const struct mfw_submodel *sub = NULL;
	const struct mfw_model *m;
	char model[MFW_IDENT_MAX];

	spin_lock(&port->lock);
	strscpy(model, port->model, sizeof(model));
	spin_unlock(&port->lock);
	m = mfw_model_from_ident(model, strlen(model), &sub);
	return m == caps ? sub : NULL;
}

/* Tell which schemes the module takes; the caller returns -EINVAL. */
static void mfw_fota_bad_scheme(struct mfw_port *port,
				const struct mfw_model *caps,
				const struct mfw_submodel *sub)
{
	unsigned int schemes = mfw_model_schemes(caps, sub);
	char names[48] = "";
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mfw_fota_schemes); i++) {
		if (!(schemes & mfw_fota_schemes[i].bit))
			continue;
		if (names[0])
			strlcat(names, " ", sizeof(names));
		strlcat(names, mfw_fota_schemes[i].name, sizeof(names));
	}
	dev_err(&port->dev, "url: %s takes only %s\n",
		sub ? sub->name : caps->name, names[0] ? names : "no url");
}

/*
 * Send a validated AT+MFWCFG command.  Returns 0 or the channel's error;
 * -EREMOTEIO leaves the module's code in last_error.
 */
static int mfw_fota_send_cfg(struct mfw_port *port, const char *cmd)
{
	return mfw_chan_command(port, cmd, NULL, 0, mfw_cmd_timeout_ms);
}

/* An attribute of an integer AT+MFWCFG key. */
struct mfw_fota_attr {
	struct device_attribute attr;
	int key;
};

#define to_mfw_fota_attr(a) container_of(a, struct mfw_fota_attr, attr)

/* Read back an integer key: the value set, else the family's default. */
static ssize_t mfw_fota_int_show(struct device *dev,
				 struct device_attribute *attr, char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);
	int key = to_mfw_fota_attr(attr)->key;
	const struct mfw_model *caps = mfw_fota_caps_key(port, key);
	long value;

	if (IS_ERR(caps))
		return PTR_ERR(caps);
	spin_lock(&port->lock);
	if (port->fota.valid & MFW_CFG_BIT(key))
		value = port->fota.ival[key];
	else
		value = caps->range[key].def;
	spin_unlock(&port->lock);
	return sysfs_emit(buf, "%ld\n", value);
}

/* Validate, send and cache an integer key. */
static ssize_t mfw_fota_int_store(struct device *dev,
				  struct device_attribute *attr,
				  const char *buf, size_t count)
{
	struct mfw_port *port = to_mfw_port(dev);
	int key = to_mfw_fota_attr(attr)->key;
	const struct mfw_model *caps = mfw_fota_caps_key(port, key);
	char cmd[48];
	long value;
	int ret;

	if (IS_ERR(caps))
		return PTR_ERR(caps);
	ret = kstrtol(buf, 10, &value);
	if (ret)
		return ret == -ERANGE ? -EINVAL : ret;
	if (mfw_model_cfg_int(caps, key, value))
		return -EINVAL;
	snprintf(cmd, sizeof(cmd), "AT+MFWCFG=\"%s\",%ld",
		 mfw_cfg_key_name(key), value);

	if (mutex_lock_killable(&mfw_fota_cfg_mutex))
		return -EINTR;
	ret = mfw_fota_send_cfg(port, cmd);
	if (!ret) {
		spin_lock(&port->lock);
		port->fota.ival[key] = value;
		port->fota.valid |= MFW_CFG_BIT(key);
		spin_unlock(&port->lock);
	}
	mutex_unlock(&mfw_fota_cfg_mutex);
	return ret ? ret : count;
}

#define MFW_FOTA_INT(_name, _key) {					\
	.attr = __ATTR(_name, 0644, mfw_fota_int_show, mfw_fota_int_store), \
	.key = (_key),							\
}

static struct mfw_fota_attr mfw_fota_int_attrs[] = {
	MFW_FOTA_INT(timeout, MFW_CFG_TIMEOUT),
	MFW_FOTA_INT(mode, MFW_CFG_MODE),
	MFW_FOTA_INT(progind, MFW_CFG_PROGIND),
	MFW_FOTA_INT(ssl, MFW_CFG_SSL),
	MFW_FOTA_INT(pkgsize, MFW_CFG_PKGSIZE),
};

static ssize_t url_show(struct device *dev, struct device_attribute *attr,
			char *buf)
{
	struct mfw_port *port = to_mfw_port(dev);
	ssize_t len;

	spin_lock(&port->lock);
	len = sysfs_emit(buf, "%s\n", port->fota.url);
	spin_unlock(&port->lock);
	return len;
}

static ssize_t url_store(struct device *dev, struct device_attribute *attr,
			 const char *buf, size_t count)
{
	struct mfw_port *port = to_mfw_port(dev);
	const struct mfw_model *caps = mfw_fota_caps_key(port, MFW_CFG_URL);
	const struct mfw_submodel *sub;
	ssize_t len;
	char *cmd;
	int ret;

	if (IS_ERR(caps))
		return PTR_ERR(caps);
	len = mfw_fota_clean(buf, count, MFW_URL_MAX);
	if (len < 0)
		return len;
	sub = mfw_fota_sub(port, caps);
	ret = mfw_model_cfg_str(caps, sub, MFW_CFG_URL, buf, len);
	if (ret == MFW_CME_URL_TYPE)
		mfw_fota_bad_scheme(port, caps, sub);
	if (ret)
		return -EINVAL;

	cmd = kasprintf(GFP_KERNEL, "AT+MFWCFG=\"url\",\"%.*s\"", (int)len,
			buf);
	if (!cmd)
		return -ENOMEM;
	if (mutex_lock_killable(&mfw_fota_cfg_mutex)) {
		ret = -EINTR;
		goto out_free;
	}
	ret = mfw_fota_send_cfg(port, cmd);
	if (!ret) {
		spin_lock(&port->lock);
		memcpy(port->fota.url, buf, len);
		port->fota.url[len] = '\0';
		port->fota.valid |= MFW_CFG_BIT(MFW_CFG_URL);
		spin_unlock(&port->lock);
	}
	mutex_unlock(&mfw_fota_cfg_mutex);
out_free:
	kfree(cmd);
	return ret ? ret : count;
}
static DEVICE_ATTR_RW(url);

/*
 * Build AT+MFWCFG="auth","<user>","<password>" from "<user>:<password>"
 * (@len bytes, already cleaned).  Returns the command, for
 * kfree_sensitive(), or an ERR_PTR().
 */
static char *mfw_fota_auth_cmd(const struct mfw_model *caps, const char *buf,
			       size_t len)
{
	const char *colon = memchr(buf, ':', len);
	size_t ulen, plen;
	char *cmd;

	if (!colon)
		return ERR_PTR(-EINVAL);
	ulen = colon - buf;
	plen = len - ulen - 1;
	if (mfw_model_cfg_str(caps, NULL, MFW_CFG_AUTH, buf, ulen) ||
	    mfw_model_cfg_str(caps, NULL, MFW_CFG_AUTH, colon + 1, plen))
		return ERR_PTR(-EINVAL);
	cmd = kasprintf(GFP_KERNEL, "AT+MFWCFG=\"auth\",\"%.*s\",\"%.*s\"",
			(int)ulen, buf, (int)plen, colon + 1);
	return cmd ? cmd : ERR_PTR(-ENOMEM);
}

/* Write-only: the credentials are sent and forgotten, never logged. */
static ssize_t auth_store(struct device *dev, struct device_attribute *attr,
			  const char *buf, size_t count)
{
	struct mfw_port *port = to_mfw_port(dev);
	const struct mfw_model *caps = mfw_fota_caps_key(port, MFW_CFG_AUTH);
	ssize_t len;
	char *cmd;
	int ret;

	if (IS_ERR(caps))
		return PTR_ERR(caps);
	len = mfw_fota_clean(buf, count, 2 * MFW_AUTH_MAX + 1);
	if (len < 0)
		return len;
	cmd = mfw_fota_auth_cmd(caps, buf, len);
	if (IS_ERR(cmd))
		return PTR_ERR(cmd);

	if (mutex_lock_killable(&mfw_fota_cfg_mutex)) {
		ret = -EINTR;
		goto out_free;
	}
	ret = mfw_fota_send_cfg(port, cmd);
	if (!ret) {
		spin_lock(&port->lock);
		port->fota.valid |= MFW_CFG_BIT(MFW_CFG_AUTH);
		spin_unlock(&port->lock);
	}
	mutex_unlock(&mfw_fota_cfg_mutex);
out_free:
	kfree_sensitive(cmd);
	return ret ? ret : count;
}
static DEVICE_ATTR_WO(auth);

static struct attribute *mfw_fota_cfg_attrs[] = {
	&dev_attr_url.attr,
	&dev_attr_auth.attr,
	&mfw_fota_int_attrs[0].attr.attr,
	&mfw_fota_int_attrs[1].attr.attr,
	&mfw_fota_int_attrs[2].attr.attr,
	&mfw_fota_int_attrs[3].attr.attr,
	&mfw_fota_int_attrs[4].attr.attr,
	NULL
};

const struct attribute_group mfw_fota_cfg_group = {
	.attrs = mfw_fota_cfg_attrs,
};

