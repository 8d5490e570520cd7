// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - "mfw manifest create|sign|verify", the vendor's side:
 * describe an image in a manifest and sign files with a private key.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "manifest.h"
#include "out.h"
#include "pkcs11.h"
#include "util.h"

#define MFW_SIGN_MAX	(512u << 20)

struct sign_args {
	const char *family, *version, *base, *out, *key, *pubkey, *image;
	const char *file;
};

/*
 * The verb's file and options.  -1 when the verb goes on, else the exit
 * code to return at once (0 after --help).
 */
static int sign_parse(const char *cmd, int argc, char **argv, struct sign_args *a)
{
	struct mfw_getopt g;
	int c;

	memset(a, 0, sizeof(*a));
	mfw_getopt_init(&g, mfw_cmd_find("manifest"), argc, argv);
	while ((c = mfw_getopt_next(&g)) > 0) {
		switch (c) {
		case 'F':
			a->family = optarg;
			break;
		case 'R':
			a->version = optarg;
			break;
		case 'B':
			a->base = optarg;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'k':
			a->key = optarg;
			break;
		case 'P':
			a->pubkey = optarg;
			break;
		case 'i':
			a->image = optarg;
			break;
		}
	}
	if (c < 0)
		return g.exit;
	if (optind != argc - 1) {
		mfw_err("manifest %s: give one file; see 'mfw manifest --help'", cmd);
		return MFW_EXIT_USAGE;
	}
	a->file = argv[optind];
	return -1;
}

/*
 * The "manifest" event of create and verify: what the manifest @file says;
 * for verify, whether its signature was checked (@verified) and the @image
 * found to match it (NULL: none given).
 */
static void manifest_event(const char *action, const char *file,
			   const struct mfw_manifest *m, const bool *verified,
			   const char *image)
{
	struct mfw_json j;

	mfw_json_begin(&j, "manifest");
	mfw_json_str(&j, "action", action);
	mfw_json_str(&j, "file", file);
	mfw_json_str(&j, "family", m->family);
	mfw_json_str(&j, "version", m->version);
	if (*m->base)
		mfw_json_str(&j, "base", m->base);
	mfw_json_str(&j, "sha256", m->sha256);
	mfw_json_int(&j, "size", (int64_t)m->size);
	if (verified)
		mfw_json_bool(&j, "verified", *verified);
	if (image)
		mfw_json_str(&j, "image", image);
	if (*m->signer) {
		char id[MFW_KEYID_HEX];

		/* "key <id> (<file>)": the id for machines, all of it too. */
		if (sscanf(m->signer, "key %16[0-9a-f]", id) == 1)
			mfw_json_str(&j, "key", id);
		mfw_json_str(&j, "signer", m->signer);
	}
	mfw_json_emit(&j);
}

static int manifest_create(const struct sign_args *a)
{
	struct mfw_manifest m = { 0 };
	char out[PATH_MAX], text[1024], why[256];
	unsigned char *img;
	size_t len;
	int ret, n;

	if (!a->family || !a->version) {
		mfw_err("manifest create: --family and --version are required");
		return MFW_EXIT_USAGE;
	}
	ret = mfw_read_file(a->file, &img, &len, MFW_SIGN_MAX);
	if (ret) {
		mfw_err("manifest create: cannot read %s: %s", a->file, strerror(-ret));
		return MFW_EXIT_USAGE;
	}
	ret = mfw_sha256_hex(img, len, m.sha256);
	free(img);
	if (ret)
		return MFW_EXIT_FAIL;
	m.size = len;
	snprintf(m.family, sizeof(m.family), "%s", a->family);
	snprintf(m.version, sizeof(m.version), "%s", a->version);
	if (a->base)
		snprintf(m.base, sizeof(m.base), "%s", a->base);
	n = mfw_manifest_format(&m, text, sizeof(text));
	/* What we write must be what we accept. */
	if (n < 0 || mfw_manifest_parse(text, n, &m, why, sizeof(why))) {
		mfw_err("manifest create: %s; give a family of 'mfw-modemsim --list-models' and versions without blanks",
			n < 0 ? "too long" : why);
		return MFW_EXIT_USAGE;
	}
	snprintf(out, sizeof(out), "%s%s", a->out ? a->out : a->file,
		 a->out ? "" : ".manifest");
	ret = mfw_write_atomic(out, text, n, 0644);
	if (ret) {
		mfw_err("manifest create: cannot write %s: %s", out, strerror(-ret));
		return MFW_EXIT_FAIL;
	}
	if (mfw_json)
		manifest_event("create", out, &m, NULL, NULL);
	mfw_info("wrote %s; sign it with 'mfw manifest sign %s --key KEY'", out, out);
	return MFW_EXIT_OK;
}

static int manifest_sign(const struct sign_args *a)
{
	char sig[PATH_MAX], id[MFW_KEYID_HEX];
	unsigned char *data;
	size_t len;
	int ret;

	if (!a->key) {
		mfw_err("manifest sign: --key PRIVATE.pem (or a pkcs11: URI) is required");
		return MFW_EXIT_USAGE;
	}
	ret = mfw_read_file(a->file, &data, &len, MFW_SIGN_MAX);
	if (ret) {
		mfw_err("manifest sign: cannot read %s: %s", a->file, strerror(-ret));
		return MFW_EXIT_USAGE;
	}
	snprintf(sig, sizeof(sig), "%s.sig", a->out ? a->out : a->file);
	if (a->out)
		snprintf(sig, sizeof(sig), "%s", a->out);
	ret = mfw_sig_sign(a->key, data, len, sig, id);
	free(data);
	if (ret == -EKEYREJECTED) {
		char shown[1024];

		mfw_err("manifest sign: cannot load the private key %s (PEM expected)",
			mfw_key_printable(a->key, shown, sizeof(shown)));
		return MFW_EXIT_USAGE;
	}
	/* The token's refusal has been told (pkcs11.c). */
	if (mfw_pkcs11_uri(a->key) &&
	    (ret == -ENOPKG || ret == -EACCES || ret == -ENOKEY))
		return MFW_EXIT_USAGE;
	if (ret) {
		mfw_err("manifest sign: %s: %s", sig, strerror(-ret));
		return MFW_EXIT_FAIL;
	}
	if (mfw_json)
		mfw_out_event("signature", "file", a->file, "signature", sig,
			      "key", id, NULL);
	mfw_info("wrote %s, signed with key %s", sig, id);
	return MFW_EXIT_OK;
}

static int manifest_verify(struct mfw_config *cfg, const struct sign_args *a)
{
	const char *key = a->pubkey ? a->pubkey : cfg->pubkey;
	struct mfw_manifest m;
	bool ok = false;
	char why[256];

	/* A verification that checks nothing must not read as a good one. */
	if (!*key) {
		mfw_err("manifest verify: nothing to verify against: give --pubkey PUBLIC.pem (or a directory of keys), or set pubkey= in the configuration");
		return MFW_EXIT_VERIFY;
	}
	if (mfw_manifest_load(key, a->file, &m, &ok))
		return MFW_EXIT_VERIFY;
	if (a->image) {
		char sha[MFW_SHA256_HEX];
		unsigned char *img;
		size_t len;
		int ret;

		ret = mfw_read_file(a->image, &img, &len, MFW_SIGN_MAX);
		if (ret) {
			mfw_err("manifest verify: cannot read %s: %s", a->image, strerror(-ret));
			return MFW_EXIT_USAGE;
		}
		ret = mfw_sha256_hex(img, len, sha);
		free(img);
		if (ret)
			return MFW_EXIT_FAIL;
		/* The signed manifest binds the image: no second signature. */
		if (mfw_manifest_check_image(&m, sha, len, why, sizeof(why))) {
			mfw_err("%s does not match %s: %s; the image was altered or belongs to another package: do not use it",
				a->image, a->file, why);
			return MFW_EXIT_VERIFY;
		}
	}
	if (mfw_json)
		manifest_event("verify", a->file, &m, &ok, a->image);
	mfw_info("%s: signature good, %s: family %s version %s%s%s%s", a->file, m.signer,
		 m.family, m.version, *m.base ? " base " : "", m.base,
		 a->image ? "; the image matches it" : "");
	return MFW_EXIT_OK;
}

int mfw_cmd_manifest(struct mfw_config *cfg, int argc, char **argv)
{
	struct mfw_getopt g;
	struct sign_args a;
	const char *verb;
	int ret;

	if (argc < 2 || argv[1][0] == '-') {
		/* Options before the verb: --help, or a mistake. */
		mfw_getopt_init(&g, mfw_cmd_find("manifest"), argc, argv);
		while ((ret = mfw_getopt_next(&g)) > 0)
			;
		if (ret < 0)
			return g.exit;
		mfw_err("manifest: give create, sign or verify first; see 'mfw manifest --help'");
		return MFW_EXIT_USAGE;
	}
	verb = argv[1];
	ret = sign_parse(verb, argc - 1, argv + 1, &a);
	if (ret >= 0)
		return ret;
	if (!strcmp(verb, "create"))
		return manifest_create(&a);
	if (!strcmp(verb, "sign"))
		return manifest_sign(&a);
	if (!strcmp(verb, "verify"))
		return manifest_verify(cfg, &a);
	mfw_err("manifest: unknown '%s'; give create, sign or verify", verb);
	return MFW_EXIT_USAGE;
}
