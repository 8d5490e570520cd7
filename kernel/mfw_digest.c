// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the digests of a written package and the module's checksum.
 *
 * While a package goes in, the driver hashes it three ways (MD5, SHA-1,
 * SHA-256: the algorithms AT+MFWCHECK knows) with the kernel's crypto API;
 * sysfs shows the results and, before an upgrade, mfw_xfer_verify() asks
 * the module for its SHA-256 of what it holds and compares.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <crypto/hash.h>
#include <linux/kernel.h>
#include <linux/minmax.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mfw.h"

/* Names the crypto API knows the digests by, and AT+MFWCHECK's numbers. */
static const char * const mfw_digest_alg[MFW_DIGEST_NR] = {
	[MFW_DIGEST_MD5]	= "md5",
	[MFW_DIGEST_SHA1]	= "sha1",
	[MFW_DIGEST_SHA256]	= "sha256",
};

/* Start the three digests over.  Caller holds the session mutex. */
void mfw_digest_reset(struct mfw_xfer *x)
{
	int i;

	lockdep_assert_held(&x->mutex);
	for (i = 0; i < MFW_DIGEST_NR; i++)
		if (x->desc[i] && crypto_shash_init(x->desc[i]))
			x->whole = false;
}

void mfw_digest_update(struct mfw_xfer *x, const u8 *data, size_t len)
{
	int i;

	if (!x->whole)
		return;
	for (i = 0; i < MFW_DIGEST_NR; i++)
		if (x->desc[i] && crypto_shash_update(x->desc[i], data, len))
			x->whole = false;
}

/*
 * Publish the digests of the bytes hashed so far, without ending the
 * running hashes (a resumed session continues them).  Caller: mutex.
 */
void mfw_digest_publish(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	u8 out[MFW_DIGEST_NR][MFW_DIGEST_MAX] = { };
	bool ok = x->whole;
	int i;

	lockdep_assert_held(&x->mutex);
	for (i = 0; ok && i < MFW_DIGEST_NR; i++) {
		if (!x->desc[i])
			continue;
		/* Finish a copy: the running state stays as it is. */
		memcpy(x->scratch, x->desc[i],
		       sizeof(*x->desc[i]) + crypto_shash_descsize(x->tfm[i]));
		if (crypto_shash_final(x->scratch, out[i]))
			ok = false;
	}
	spin_lock(&port->lock);
	memcpy(x->digest, out, sizeof(out));
	x->digest_valid = ok;
	x->check = MFW_CHECK_NONE;
	spin_unlock(&port->lock);
	memzero_explicit(out, sizeof(out));
}

int mfw_xfer_verify(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	u8 mine[MFW_DIGEST_MAX];
	const struct mfw_model *caps;
	char *resp, *hex;
	u8 theirs[MFW_DIGEST_MAX];
	bool valid;
	int ret;

	spin_lock(&port->lock);
	caps = port->caps;
	valid = x->digest_valid;
	memcpy(mine, x->digest[MFW_DIGEST_SHA256], sizeof(mine));
	spin_unlock(&port->lock);
	if (!caps || !caps->check || !valid || !x->tfm[MFW_DIGEST_SHA256])
		return 0;

	resp = kzalloc(MFW_RESP_MAX, GFP_KERNEL);
	if (!resp)
		return -ENOMEM;
	ret = mfw_chan_command(port, "AT+MFWCHECK=2", resp, MFW_RESP_MAX,
			       mfw_write_timeout_ms);
	if (ret)
		goto out;
	hex = strstr(resp, "+MFWCHECK:");
	if (!hex) {
		ret = -EPROTO;
		goto out;
	}
	hex = skip_spaces(hex + strlen("+MFWCHECK:"));
	if (strcspn(hex, "\n") != 2 * sizeof(theirs) ||
	    hex2bin(theirs, hex, sizeof(theirs))) {
		ret = -EPROTO;
		goto out;
	}
	ret = memcmp(mine, theirs, sizeof(mine)) ? -EBADMSG : 0;
	spin_lock(&port->lock);
	x->check = ret ? MFW_CHECK_MISMATCH : MFW_CHECK_MATCH;
	spin_unlock(&port->lock);
	if (ret)
		dev_err(&port->dev,
			"the module's package is not what was written (SHA-256 %*phN, written %*phN): not upgrading\n",
			(int)sizeof(theirs), theirs, (int)sizeof(mine), mine);
out:
	if (ret == -EPROTO)
		dev_err(&port->dev, "unexpected answer to AT+MFWCHECK=2\n");
	kfree(resp);
	return ret;
}

int mfw_digest_init(struct mfw_port *port)
{
	struct mfw_xfer *x = &port->xfer;
	size_t scratch = 0;
	int i;

	for (i = 0; i < MFW_DIGEST_NR; i++) {
		struct crypto_shash *tfm;

		tfm = crypto_alloc_shash(mfw_digest_alg[i], 0, 0);
		if (IS_ERR(tfm)) {
			/* A kernel without the hash: no such digest. */
			dev_info(&port->dev, "no %s digest (%ld)\n",
				 mfw_digest_alg[i], PTR_ERR(tfm));
			continue;
		}
		x->tfm[i] = tfm;
		x->desc[i] = kzalloc(sizeof(*x->desc[i]) +
				     crypto_shash_descsize(tfm), GFP_KERNEL);
		if (!x->desc[i])
			return -ENOMEM;
		x->desc[i]->tfm = tfm;
		x->alloc += sizeof(*x->desc[i]) + crypto_shash_descsize(tfm);
		scratch = max_t(size_t, scratch, sizeof(*x->desc[i]) +
				crypto_shash_descsize(tfm));
	}
	if (scratch) {
		x->scratch = kzalloc(scratch, GFP_KERNEL);
		if (!x->scratch)
			return -ENOMEM;
		x->alloc += scratch;
	}
	return 0;
}

void mfw_digest_destroy(struct mfw_xfer *x)
{
	int i;

	kfree_sensitive(x->scratch);
	x->scratch = NULL;
	for (i = 0; i < MFW_DIGEST_NR; i++) {
		kfree_sensitive(x->desc[i]);
		x->desc[i] = NULL;
		if (x->tfm[i])
			crypto_free_shash(x->tfm[i]);
		x->tfm[i] = NULL;
	}
}
