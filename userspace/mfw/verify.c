// SPDX-License-Identifier: GPL-2.0
/*
 * mfw helper - SHA-256 and detached signatures with OpenSSL.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "util.h"
#include "verify.h"

/* Largest signature file taken (RSA-16384 is 2 KiB). */
#define MFW_SIG_MAX	16384

int mfw_sha256_hex(const void *data, size_t len, char *hex)
{
	unsigned char md[MFW_SHA256_LEN];
	unsigned int mdlen = 0;

	if (!EVP_Digest(data, len, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != MFW_SHA256_LEN)
		return -EIO;
	mfw_hex(md, MFW_SHA256_LEN, hex);
	return 0;
}

/* Ed25519 and Ed448 hash internally and take no digest. */
static const EVP_MD *mfw_sig_md(EVP_PKEY *key)
{
	int id = EVP_PKEY_get_id(key);

	if (id == EVP_PKEY_ED25519 || id == EVP_PKEY_ED448)
		return NULL;
	return EVP_sha256();
}

static EVP_PKEY *mfw_load_key(const char *path, bool private)
{
	EVP_PKEY *key;
	FILE *f;

	f = fopen(path, "re");
	if (!f)
		return NULL;
	if (private)
		key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
	else
		key = PEM_read_PUBKEY(f, NULL, NULL, NULL);
	fclose(f);
	ERR_clear_error();
	return key;
}

int mfw_key_id(EVP_PKEY *key, char *id, size_t size)
{
	unsigned char *der = NULL, md[MFW_SHA256_LEN];
	unsigned int mdlen = 0;
	int n;

	n = i2d_PUBKEY(key, &der);
	if (n <= 0) {
		ERR_clear_error();
		return -EKEYREJECTED;
	}
	if (!EVP_Digest(der, n, md, &mdlen, EVP_sha256(), NULL) ||
	    mdlen != MFW_SHA256_LEN) {
		OPENSSL_free(der);
		return -EIO;
	}
	OPENSSL_free(der);
	if (size < MFW_KEYID_HEX)
		return -ENOSPC;
	mfw_hex(md, (MFW_KEYID_HEX - 1) / 2, id);
	return 0;
}

static bool mfw_is_dir(const char *path)
{
	struct stat st;

	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int mfw_trust_filter(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && n > 4 &&
	       (!strcmp(de->d_name + n - 4, ".pem") ||
		!strcmp(de->d_name + n - 4, ".pub"));
}

/*
 * Call @fn for each key file of @trust (the file, or the *.pem and *.pub
 * files of the directory in name order) with its loaded key, or NULL when
 * it holds none, until @fn returns non-zero; that value is returned.
 * -errno when @trust or the directory cannot be read.
 */
static int mfw_trust_each(const char *trust,
			  int (*fn)(void *ctx, const char *file, EVP_PKEY *key),
			  void *ctx)
{
	struct dirent **list;
	char path[PATH_MAX];
	struct stat st;
	int i, n, ret = 0;

	if (stat(trust, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode)) {
		EVP_PKEY *key = mfw_load_key(trust, false);

		ret = fn(ctx, trust, key);
		EVP_PKEY_free(key);
		return ret;
	}
	n = scandir(trust, &list, mfw_trust_filter, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		EVP_PKEY *key = NULL;

		if (!ret && snprintf(path, sizeof(path), "%s/%s", trust,
				     list[i]->d_name) < (int)sizeof(path)) {
			key = mfw_load_key(path, false);
			ret = fn(ctx, path, key);
		}
		EVP_PKEY_free(key);
		free(list[i]);
	}
	free(list);
	return ret;
}

struct mfw_describe_ctx {
	char *desc;
	size_t size, used;
	int keys;
};

static int mfw_describe_one(void *data, const char *file, EVP_PKEY *key)
{
	struct mfw_describe_ctx *c = data;
	const char *base = strrchr(file, '/');
	char id[MFW_KEYID_HEX];
	int n;

	if (!key || mfw_key_id(key, id, sizeof(id)))
		return 0;
	n = snprintf(c->desc + c->used, c->size - c->used, "%skey %s (%s, %s %d bits)",
		     c->keys ? "; " : "", id, base ? base + 1 : file,
		     EVP_PKEY_get0_type_name(key), EVP_PKEY_get_bits(key));
	if (n > 0)
		c->used = c->used + n < c->size ? c->used + n : c->size - 1;
	c->keys++;
	return 0;
}

int mfw_pubkey_describe(const char *pubkey, char *desc, size_t size)
{
	struct mfw_describe_ctx c = { desc, size, 0, 0 };
	int ret;

	if (!size)
		return -ENOSPC;
	*desc = '\0';
	ret = mfw_trust_each(pubkey, mfw_describe_one, &c);
	if (ret)
		return ret;
	return c.keys ? c.keys : -EKEYREJECTED;
}

struct mfw_verify_ctx {
	const void *data, *sig;
	size_t len, siglen;
	char *signer;
	size_t signer_size;
	int keys;
};

static int mfw_verify_one(void *data, const char *file, EVP_PKEY *key)
{
	struct mfw_verify_ctx *c = data;
	const char *base = strrchr(file, '/');
	char id[MFW_KEYID_HEX] = "?";
	EVP_MD_CTX *ctx;
	int ok;

	if (!key)
		return 0;
	c->keys++;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestVerifyInit(ctx, NULL, mfw_sig_md(key), NULL, key) == 1 &&
	     EVP_DigestVerify(ctx, c->sig, c->siglen, c->data, c->len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		return 0;
	mfw_key_id(key, id, sizeof(id));
	if (c->signer)
		snprintf(c->signer, c->signer_size, "key %s (%s)", id,
			 base ? base + 1 : file);
	return 1;
}

int mfw_sig_verify_by(const char *pubkey, const void *data, size_t len,
		      const char *sig_path, char *signer, size_t signer_size)
{
	struct mfw_verify_ctx c = {
		.data = data, .len = len,
		.signer = signer, .signer_size = signer_size,
	};
	unsigned char *sig = NULL;
	int ret;

	if (signer && signer_size)
		*signer = '\0';
	ret = mfw_read_file(sig_path, &sig, &c.siglen, MFW_SIG_MAX);
	if (ret == -ENOENT && access(pubkey, R_OK) < 0)
		return -EKEYREJECTED;	/* the key is the first thing wrong */
	if (ret)
		return ret;
	c.sig = sig;
	ret = mfw_trust_each(pubkey, mfw_verify_one, &c);
	free(sig);
	if (ret < 0)
		return ret == -ENOENT || ret == -EACCES ? -EKEYREJECTED : ret;
	if (ret == 1)
		return 0;
	return c.keys ? -EBADMSG : -EKEYREJECTED;
}

int mfw_sig_verify(const char *pubkey, const void *data, size_t len,
		   const char *sig_path)
{
	return mfw_sig_verify_by(pubkey, data, len, sig_path, NULL, 0);
}

int mfw_sig_sign(const char *privkey, const void *data, size_t len,
		 const char *sig_path, char *id)
{
	unsigned char *sig = NULL;
	EVP_MD_CTX *ctx = NULL;
	size_t siglen = 0;
	EVP_PKEY *key;
	int ret = -EIO;

	key = mfw_load_key(privkey, true);
	if (!key)
		return -EKEYREJECTED;
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		goto out;
	if (EVP_DigestSignInit(ctx, NULL, mfw_sig_md(key), NULL, key) != 1 ||
	    EVP_DigestSign(ctx, NULL, &siglen, data, len) != 1)
		goto out;
	sig = malloc(siglen);
	if (!sig)
		goto out;
	if (EVP_DigestSign(ctx, sig, &siglen, data, len) != 1)
		goto out;
	ret = mfw_write_atomic(sig_path, sig, siglen, 0644);
	if (!ret && id)
		ret = mfw_key_id(key, id, MFW_KEYID_HEX);
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	free(sig);
	return ret;
}

void mfw_trust_none_warn(const char *what)
{
	static bool warned;

	/* Once a run: the verdict is the board's, not the file's. */
	if (warned) {
		mfw_dbg("%s: not verified (no public key)", what);
		return;
	}
	warned = true;
	mfw_warn("NO PUBLIC KEY CONFIGURED: %s and every other file of this run are NOT verified; anyone who can place a file here can flash the module. Set pubkey= in the configuration",
		 what);
}

int mfw_verify_file(const char *pubkey, const char *path, const void *data,
		    size_t len, bool *verified, char *signer, size_t signer_size)
{
	char sig[4096];
	int ret;

	*verified = false;
	if (signer && signer_size)
		*signer = '\0';
	if (!pubkey || !*pubkey) {
		mfw_trust_none_warn(path);
		return 0;
	}
	if (snprintf(sig, sizeof(sig), "%s.sig", path) >= (int)sizeof(sig))
		return -ENAMETOOLONG;
	ret = mfw_sig_verify_by(pubkey, data, len, sig, signer, signer_size);
	switch (ret) {
	case 0:
		*verified = true;
		mfw_dbg("%s: signature good%s%s", path, signer ? ", " : "",
			signer ? signer : "");
		break;
	case -ENOENT:
		mfw_err("%s is not signed (no %s) and a public key is configured; get the signature from the vendor or sign it with 'mfw manifest sign'",
			path, sig);
		break;
	case -EBADMSG:
		mfw_err("%s: signature %s does NOT verify with %s%s; the file was altered or signed with another key, do not use it",
			path, sig, mfw_is_dir(pubkey) ? "any key in " : "", pubkey);
		break;
	case -EKEYREJECTED:
		mfw_err("cannot load %s %s (PEM expected); fix pubkey= in the configuration",
			mfw_is_dir(pubkey) ? "a public key from" : "the public key",
			pubkey);
		break;
	default:
		mfw_err("cannot read %s: %s", sig, strerror(-ret));
	}
	return ret;
}
