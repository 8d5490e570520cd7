// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - SHA-256 and detached signatures with OpenSSL.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "pkcs11.h"
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

/* Largest key file taken (an RSA-16384 private key is about 13 KiB). */
#define MFW_KEYFILE_MAX	65536

/*
 * The PEM key in @path: NULL with *@err set to -errno (unreadable, not a
 * regular file), -EKEYREJECTED (no such key in it) or -EPERM (a public
 * key was wanted and the file holds a private one).
 */
static EVP_PKEY *mfw_load_key(const char *path, bool private, int *err)
{
	unsigned char *text;
	EVP_PKEY *key;
	size_t len;
	BIO *bio;

	*err = mfw_read_file(path, &text, &len, MFW_KEYFILE_MAX);
	if (*err)
		return NULL;
	bio = BIO_new_mem_buf(text, (int)len);
	key = !bio ? NULL : private ?
	      PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL) :
	      PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL);
	if (!key)
		*err = !private && strstr((char *)text, "PRIVATE KEY-----") ?
		       -EPERM : -EKEYREJECTED;
	BIO_free(bio);
	free(text);
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

/* One file of the trusted keys, loaded or passed over. */
struct mfw_trust_key {
	char file[PATH_MAX];
	char id[MFW_KEYID_HEX];
	EVP_PKEY *key;		/* NULL: passed over, for @err */
	int err;
	struct stat st;		/* as loaded, to see a change */
};

/*
 * The trusted keys of this run, loaded once (a "mfw status" or "--auto"
 * checks many manifests against them): @path as configured, @err for a
 * key file or directory that cannot be read at all.
 */
static struct {
	char path[PATH_MAX];
	bool loaded;
	int err;
	bool dir;
	struct stat st;
	size_t n, usable;
	struct mfw_trust_key *keys;
} mfw_trust;

static bool mfw_same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec &&
	       a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Whether the keys loaded are still what @pubkey holds. */
static bool mfw_trust_current(const char *pubkey)
{
	struct stat st;
	size_t i;

	if (!mfw_trust.loaded || strcmp(mfw_trust.path, pubkey) ||
	    stat(pubkey, &st) < 0 || !mfw_same_file(&st, &mfw_trust.st))
		return false;
	for (i = 0; i < mfw_trust.n; i++)
		if (stat(mfw_trust.keys[i].file, &st) < 0 ||
		    !mfw_same_file(&st, &mfw_trust.keys[i].st))
			return false;
	return true;
}

static int mfw_trust_filter(const struct dirent *de)
{
	size_t n = strlen(de->d_name);

	return de->d_name[0] != '.' && n > 4 &&
	       (!strcasecmp(de->d_name + n - 4, ".pem") ||
		!strcasecmp(de->d_name + n - 4, ".pub"));
}

const char *mfw_trust_why(int err)
{
	switch (err) {
	case -EPERM:
		return "a PRIVATE key: it does not belong on the board, remove it";
	case -EKEYREJECTED:
		return "no PEM public key";
	case -EINVAL:
	case -EISDIR:
		return "not a regular file";
	default:
		return strerror(-err);
	}
}

static void mfw_trust_add(const char *path)
{
	struct mfw_trust_key *k = &mfw_trust.keys[mfw_trust.n++];

	snprintf(k->file, sizeof(k->file), "%s", path);
	if (stat(path, &k->st) < 0)
		memset(&k->st, 0, sizeof(k->st));
	k->key = mfw_load_key(path, false, &k->err);
	if (k->key && mfw_key_id(k->key, k->id, sizeof(k->id))) {
		EVP_PKEY_free(k->key);
		k->key = NULL;
		k->err = -EKEYREJECTED;
	}
	if (k->key) {
		mfw_trust.usable++;
	} else if (mfw_trust.dir) {
		mfw_warn("trusted keys: %s is passed over: %s", path,
			 mfw_trust_why(k->err));
	}
}

static void mfw_trust_unload(void)
{
	size_t i;

	for (i = 0; i < mfw_trust.n; i++)
		EVP_PKEY_free(mfw_trust.keys[i].key);
	free(mfw_trust.keys);
	memset(&mfw_trust, 0, sizeof(mfw_trust));
}

/*
 * Load the trusted keys @pubkey (a file, or the *.pem and *.pub files of
 * a directory in name order), unless they are loaded already.  0 when at
 * least one key loaded; -errno (the file or directory cannot be read),
 * -EKEYREJECTED (a file holding no public key, or a directory without
 * one) or -EPERM (a single file holding a private key).
 */
static int mfw_trust_load(const char *pubkey)
{
	struct dirent **list = NULL;
	char path[PATH_MAX];
	struct stat st;
	int i, n;

	if (mfw_trust_current(pubkey))
		goto out;
	mfw_trust_unload();
	mfw_trust.loaded = true;
	snprintf(mfw_trust.path, sizeof(mfw_trust.path), "%s", pubkey);
	if (stat(pubkey, &st) < 0) {
		mfw_trust.err = -errno;
		goto out;
	}
	mfw_trust.st = st;
	mfw_trust.dir = S_ISDIR(st.st_mode);
	n = mfw_trust.dir ? scandir(pubkey, &list, mfw_trust_filter, alphasort) : 1;
	if (n < 0) {
		mfw_trust.err = -errno;
		goto out;
	}
	mfw_trust.keys = calloc(n ? n : 1, sizeof(*mfw_trust.keys));
	if (!mfw_trust.keys) {
		mfw_trust.err = -ENOMEM;
		n = 0;
	}
	for (i = 0; i < n; i++) {
		if (!mfw_trust.dir)
			mfw_trust_add(pubkey);
		else if (mfw_trust.keys &&
			 snprintf(path, sizeof(path), "%s/%s", pubkey,
				  list[i]->d_name) < (int)sizeof(path))
			mfw_trust_add(path);
		else if (mfw_trust.keys)
			mfw_warn("trusted keys: %s/%s is passed over: the path is too long",
				 pubkey, list[i]->d_name);
		if (list)
			free(list[i]);
	}
	free(list);
	if (!mfw_trust.err && !mfw_trust.usable)
		mfw_trust.err = !mfw_trust.dir && mfw_trust.n ?
				mfw_trust.keys[0].err : -EKEYREJECTED;
out:
	return mfw_trust.err;
}

int mfw_pubkey_describe(const char *pubkey, char *desc, size_t size)
{
	size_t i, used = 0, shown = 0, left;
	int ret, n;

	if (!size)
		return -ENOSPC;
	*desc = '\0';
	ret = mfw_trust_load(pubkey);
	if (ret && ret != -EKEYREJECTED)
		return ret;
	for (i = 0; i < mfw_trust.n; i++) {
		const struct mfw_trust_key *k = &mfw_trust.keys[i];
		const char *base = strrchr(k->file, '/');

		base = base ? base + 1 : k->file;
		/* Room for the count of what does not fit. */
		left = size - used > 48 ? size - used - 48 : 0;
		n = k->key ?
		    snprintf(desc + used, left, "%skey %s (%s, %s %d bits)",
			     used ? "; " : "", k->id, base,
			     EVP_PKEY_get0_type_name(k->key),
			     EVP_PKEY_get_bits(k->key)) :
		    snprintf(desc + used, left, "%s%s passed over (%s)",
			     used ? "; " : "", base, mfw_trust_why(k->err));
		if (n < 0 || (size_t)n >= left)
			break;
		used += n;
		shown++;
	}
	if (shown < mfw_trust.n)
		snprintf(desc + used, size - used, "%s... and %zu more",
			 used ? "; " : "", mfw_trust.n - shown);
	return ret ? ret : (int)mfw_trust.usable;
}

int mfw_sig_verify_by(const char *pubkey, const void *data, size_t len,
		      const char *sig_path, char *signer, size_t signer_size)
{
	unsigned char *sig = NULL;
	size_t siglen, i;
	int ret;

	if (signer && signer_size)
		*signer = '\0';
	if (mfw_trust_load(pubkey))
		return -EKEYREJECTED;
	ret = mfw_read_file(sig_path, &sig, &siglen, MFW_SIG_MAX);
	if (ret)
		return ret;
	ret = -EBADMSG;
	for (i = 0; i < mfw_trust.n && ret; i++) {
		const struct mfw_trust_key *k = &mfw_trust.keys[i];
		const char *base = strrchr(k->file, '/');
		EVP_MD_CTX *ctx;

		if (!k->key)
			continue;
		ctx = EVP_MD_CTX_new();
		if (!ctx) {
			ret = -ENOMEM;
			break;
		}
		if (EVP_DigestVerifyInit(ctx, NULL, mfw_sig_md(k->key), NULL,
					 k->key) == 1 &&
		    EVP_DigestVerify(ctx, sig, siglen, data, len) == 1) {
			ret = 0;
			if (signer)
				snprintf(signer, signer_size, "key %s (%s)", k->id,
					 base ? base + 1 : k->file);
		}
		EVP_MD_CTX_free(ctx);
		ERR_clear_error();
	}
	free(sig);
	return ret;
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

	key = mfw_pkcs11_uri(privkey) ? mfw_pkcs11_key(privkey, &ret) :
	      mfw_load_key(privkey, true, &ret);
	if (!key)
		return mfw_pkcs11_uri(privkey) ? ret : -EKEYREJECTED;
	ret = -EIO;
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
			path, sig, mfw_trust.dir ? "any key in " : "", pubkey);
		break;
	case -EKEYREJECTED:
		mfw_err("cannot load %s %s (%s); fix pubkey= in the configuration",
			mfw_trust.dir ? "a public key from" : "the public key",
			pubkey, mfw_trust.dir && mfw_trust.err == -EKEYREJECTED ?
			"no PEM public key in it" : mfw_trust_why(mfw_trust.err));
		break;
	default:
		mfw_err("cannot read %s: %s", sig, strerror(-ret));
	}
	return ret;
}
