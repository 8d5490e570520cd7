// SPDX-License-Identifier: GPL-2.0
/*
 * mfw helper - SHA-256 and detached signatures with OpenSSL.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

int mfw_pubkey_describe(const char *pubkey, char *desc, size_t size)
{
	EVP_PKEY *key;

	if (access(pubkey, R_OK) < 0)
		return -errno;
	key = mfw_load_key(pubkey, false);
	if (!key)
		return -EKEYREJECTED;
	snprintf(desc, size, "%s, %d bits", EVP_PKEY_get0_type_name(key),
		 EVP_PKEY_get_bits(key));
	EVP_PKEY_free(key);
	return 0;
}

int mfw_sig_verify(const char *pubkey, const void *data, size_t len,
		   const char *sig_path)
{
	unsigned char *sig = NULL;
	EVP_MD_CTX *ctx = NULL;
	EVP_PKEY *key;
	size_t siglen;
	int ret;

	key = mfw_load_key(pubkey, false);
	if (!key)
		return -EKEYREJECTED;
	ret = mfw_read_file(sig_path, &sig, &siglen, MFW_SIG_MAX);
	if (ret)
		goto out;
	ctx = EVP_MD_CTX_new();
	if (!ctx) {
		ret = -ENOMEM;
		goto out;
	}
	if (EVP_DigestVerifyInit(ctx, NULL, mfw_sig_md(key), NULL, key) != 1 ||
	    EVP_DigestVerify(ctx, sig, siglen, data, len) != 1)
		ret = -EBADMSG;
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	free(sig);
	return ret;
}

int mfw_sig_sign(const char *privkey, const void *data, size_t len,
		 const char *sig_path)
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
out:
	ERR_clear_error();
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
	free(sig);
	return ret;
}

int mfw_verify_file(const char *pubkey, const char *path, const void *data,
		    size_t len, bool *verified)
{
	static bool warned;
	char sig[4096];
	int ret;

	*verified = false;
	if (!pubkey || !*pubkey) {
		/* Once a run: the verdict is the board's, not the file's. */
		if (warned) {
			mfw_dbg("%s: not verified (no public key)", path);
			return 0;
		}
		warned = true;
		mfw_warn("NO PUBLIC KEY CONFIGURED: %s and every other file of this run are NOT verified; anyone who can place a file here can flash the module. Set pubkey= in the configuration",
			 path);
		return 0;
	}
	if (snprintf(sig, sizeof(sig), "%s.sig", path) >= (int)sizeof(sig))
		return -ENAMETOOLONG;
	ret = mfw_sig_verify(pubkey, data, len, sig);
	switch (ret) {
	case 0:
		*verified = true;
		mfw_dbg("%s: signature good", path);
		break;
	case -ENOENT:
		mfw_err("%s is not signed (no %s) and a public key is configured; get the signature from the vendor or sign it with 'mfw manifest sign'",
			path, sig);
		break;
	case -EBADMSG:
		mfw_err("%s: signature %s does NOT verify with %s; the file was altered or signed with another key, do not use it",
			path, sig, pubkey);
		break;
	case -EKEYREJECTED:
		mfw_err("cannot load the public key %s (PEM expected); fix pubkey= in the configuration",
			pubkey);
		break;
	default:
		mfw_err("cannot read %s: %s", sig, strerror(-ret));
	}
	return ret;
}
