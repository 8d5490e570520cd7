// SPDX-License-Identifier: GPL-2.0-only
/*
 * Manifests and detached signatures: parse, sign, verify, tamper, and the
 * family/base checks against a module.  Keys are generated at test time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "manifest.h"
#include "tap.h"
#include "util.h"
#include "verify.h"

static char dir[512];

/* Generate a key pair of @type ("RSA", "EC", "ED25519"), write both PEMs. */
static void keypair(const char *type, const char *priv, const char *pub)
{
	EVP_PKEY *k;
	FILE *f;

	if (!strcmp(type, "RSA"))
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)2048);
	else if (!strcmp(type, "EC"))
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	else
		k = EVP_PKEY_Q_keygen(NULL, NULL, type);
	if (!k)
		exit(99);
	f = fopen(priv, "w");
	PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL);
	fclose(f);
	f = fopen(pub, "w");
	PEM_write_PUBKEY(f, k);
	fclose(f);
	EVP_PKEY_free(k);
}

static void path(char *buf, const char *name)
{
	snprintf(buf, 600, "%s/%s", dir, name);
}

static void test_parse(void)
{
	static const char good[] =
		"# vendor build 7\nfamily=ML307R-DC\nversion=ML307R-DC-MBRH0S02\n"
		"base=ML307R-DC-MBRH0S01\n"
		"sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
		"size=1234\n";
	static const struct {
		const char *text, *why;
	} bad[] = {
		{ "family=ML307R-DC\nversion=V\nsize=1\n", "sha256 missing" },
		{ "family=ML307R-DC\nversion=V\nsize=1\nsha256=0123\n", "short sha256" },
		{ "family=ML307R-DC\nversion=V\nsize=1\nsize=2\n"
		  "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
		  "duplicate key" },
		{ "family=NOPE\nversion=V\nsize=1\n"
		  "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
		  "unknown family" },
		{ "family=ML307R-DC\nversion=V 2\nsize=1\n"
		  "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
		  "blank in version" },
		{ "family=ML307R-DC\nversion=V\nsize=0\n"
		  "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
		  "size 0" },
		{ "family=ML307R-DC\nversion=V\nsize=1\nextra=1\n"
		  "sha256=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n",
		  "unknown key" },
		{ "family=ML307R-DC\nversion=V\nsize=1\n"
		  "sha256=0123456789ABCDEF0123456789abcdef0123456789abcdef0123456789abcdef\n",
		  "upper-case sha256" },
		{ "family ML307R-DC\n", "no '='" },
	};
	struct mfw_manifest m, m2;
	char why[256], text[1024];
	size_t i;
	int n;

	check(!mfw_manifest_parse(good, strlen(good), &m, why, sizeof(why)) &&
	      !strcmp(m.family, "ML307R-DC") && !strcmp(m.base, "ML307R-DC-MBRH0S01") &&
	      m.size == 1234, "good manifest parses");
	n = mfw_manifest_format(&m, text, sizeof(text));
	check(n > 0 && !mfw_manifest_parse(text, n, &m2, why, sizeof(why)) &&
	      !memcmp(&m, &m2, sizeof(m)), "format and parse round trip");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		check(mfw_manifest_parse(bad[i].text, strlen(bad[i].text), &m, why,
					 sizeof(why)) == -EINVAL,
		      "refused: %s (%s)", bad[i].why, why);
}

static void test_module(void)
{
	struct mfw_manifest m = { .family = "ML307R-DC", .version = "B",
				  .base = "A", .size = 1 };
	char why[256];

	check(!mfw_manifest_check_module(&m, "ML307R-DC", "A", why, sizeof(why)),
	      "differential package on its base is accepted");
	check(!mfw_manifest_check_module(&m, "ml307r-dc", "A", why, sizeof(why)),
	      "family compared without case");
	check(mfw_manifest_check_module(&m, "ML307R-DC", "Z", why, sizeof(why)) == -ESTALE,
	      "differential package on the wrong base is refused: %s", why);
	check(mfw_manifest_check_module(&m, "MN316", "A", why, sizeof(why)) == -EXDEV,
	      "other family refused: %s", why);
	check(mfw_manifest_check_module(&m, "unknown", "A", why, sizeof(why)) == -EXDEV,
	      "unidentified module refused");
	m.base[0] = '\0';
	check(!mfw_manifest_check_module(&m, "ML307R-DC", "Z", why, sizeof(why)),
	      "full package on any version accepted");
	memset(m.sha256, 'a', MFW_SHA256_HEX - 1);
	check(!mfw_manifest_check_image(&m, m.sha256, 1, why, sizeof(why)),
	      "image matching its manifest accepted");
	check(mfw_manifest_check_image(&m, "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
				       1, why, sizeof(why)) == -EBADMSG,
	      "image digest mismatch refused: %s", why);
	check(mfw_manifest_check_image(&m, m.sha256, 2, why, sizeof(why)) == -EBADMSG,
	      "image size mismatch refused: %s", why);
}

static void flip(const char *file, long at)
{
	FILE *f = fopen(file, "r+");
	int c;

	fseek(f, at, SEEK_SET);
	c = fgetc(f);
	fseek(f, at, SEEK_SET);
	fputc(c ^ 0x01, f);
	fclose(f);
}

static void test_signatures(const char *type)
{
	char priv[600], pub[600], pub2[600], priv2[600], img[600], sig[600], man[600];
	char id[MFW_KEYID_HEX] = "", signer[128] = "";
	static const char data[] = "MFWPKG test image\nMFWVER:X\n";
	struct mfw_manifest m;
	unsigned char *buf;
	bool ok;
	size_t len;

	path(priv, "priv.pem");
	path(pub, "pub.pem");
	path(priv2, "other.pem");
	path(pub2, "other.pub");
	path(img, "img.bin");
	path(sig, "img.bin.sig");
	path(man, "img.bin.manifest");
	keypair(type, priv, pub);
	keypair(type, priv2, pub2);
	tap_put(dir, "img.bin", data);
	unlink(sig);

	check(mfw_verify_file(pub, img, data, strlen(data), &ok, NULL, 0) == -ENOENT && !ok,
	      "%s: missing signature with a key is refused", type);
	check(mfw_verify_file("", img, data, strlen(data), &ok, NULL, 0) == 0 && !ok,
	      "%s: no key: accepted, flagged unverified", type);
	check(!mfw_sig_sign(priv, data, strlen(data), sig, id) &&
	      strlen(id) == MFW_KEYID_HEX - 1 && strspn(id, "0123456789abcdef") == strlen(id),
	      "%s: sign, naming the key id %s", type, id);
	check(mfw_verify_file(pub, img, data, strlen(data), &ok, signer, sizeof(signer)) == 0 &&
	      ok && !strncmp(signer, "key ", 4) && !strncmp(signer + 4, id, strlen(id)) &&
	      strstr(signer, "(pub.pem)"),
	      "%s: good signature verifies, by the signing key's id (%s)", type, signer);
	check(mfw_sig_verify(pub2, data, strlen(data), sig) == -EBADMSG,
	      "%s: another key does not verify it", type);
	check(mfw_sig_verify(pub, "MFWPKG test imagf\nMFWVER:X\n", strlen(data), sig) == -EBADMSG,
	      "%s: one changed byte of the image is refused", type);
	check(mfw_sig_verify(pub, data, strlen(data) - 1, sig) == -EBADMSG,
	      "%s: truncated image is refused", type);
	flip(sig, 10);
	check(mfw_verify_file(pub, img, data, strlen(data), &ok, NULL, 0) == -EBADMSG && !ok,
	      "%s: altered signature is refused", type);
	check(mfw_sig_verify(priv, data, strlen(data), sig) == -EKEYREJECTED ||
	      mfw_sig_verify(img, data, strlen(data), sig) == -EKEYREJECTED,
	      "%s: a non-key file is no public key", type);

	/* The manifest round trip, then tampering with it. */
	memset(&m, 0, sizeof(m));
	snprintf(m.family, sizeof(m.family), "MN316");
	snprintf(m.version, sizeof(m.version), "MN316-V2");
	mfw_sha256_hex(data, strlen(data), m.sha256);
	m.size = strlen(data);
	{
		char text[512], mansig[620];
		int n = mfw_manifest_format(&m, text, sizeof(text));
		struct mfw_manifest got;

		tap_put(dir, "img.bin.manifest", text);
		snprintf(mansig, sizeof(mansig), "%s.sig", man);
		check(!mfw_sig_sign(priv, text, n, mansig, NULL), "%s: manifest signed", type);
		check(!mfw_manifest_load(pub, man, &got, &ok) && ok &&
		      !strcmp(got.version, "MN316-V2") && strstr(got.signer, id),
		      "%s: signed manifest loads, naming its key (%s)", type, got.signer);
		/* version=MN316-V2 -> MN316-V3: still parses, must not verify */
		text[strlen("family=MN316\nversion=MN316-V")] = '3';
		tap_put(dir, "img.bin.manifest", text);
		check(mfw_manifest_load(pub, man, &got, &ok) == -EBADMSG,
		      "%s: altered manifest is refused", type);
		unlink(mansig);
		check(mfw_manifest_load(pub, man, &got, &ok) == -ENOENT,
		      "%s: unsigned manifest with a key is refused", type);
		check(!mfw_manifest_load("", man, &got, &ok) && !ok,
		      "%s: unsigned manifest without a key loads, unverified", type);
	}
	check(!mfw_read_file(img, &buf, &len, 1 << 20) && len == strlen(data),
	      "read_file reads the whole image");
	free(buf);
}

/*
 * A directory of trusted keys: any of them verifies, the one that did is
 * named; the key of a retired pair no longer does once its file is gone;
 * files that are no key are passed over, a directory without any key is
 * no key at all.
 */
static void test_key_directory(void)
{
	char keys[600], old[600], new[600], other[600], oldpub[600], newpub[600];
	char junk[600], sig[600], desc[512], signer[128], idold[MFW_KEYID_HEX],
	     idnew[MFW_KEYID_HEX];
	static const char data[] = "family=MN316\n";

	path(keys, "keys");
	mkdir(keys, 0700);
	path(old, "old.pem");
	path(new, "new.pem");
	path(other, "other-priv.pem");
	snprintf(oldpub, sizeof(oldpub), "%s/2025-vendor.pem", keys);
	snprintf(newpub, sizeof(newpub), "%s/2026-vendor.pub", keys);
	snprintf(junk, sizeof(junk), "%s/README.pem", keys);
	path(sig, "dir.sig");
	keypair("ED25519", old, oldpub);
	keypair("EC", new, newpub);
	tap_put(keys, "README.pem", "not a key\n");
	tap_put(keys, "notes.txt", "not a key either\n");

	check(mfw_pubkey_describe(keys, desc, sizeof(desc)) == 2 &&
	      strstr(desc, "(2025-vendor.pem, ED25519") && strstr(desc, "(2026-vendor.pub, EC") &&
	      strstr(desc, "README.pem passed over (no PEM public key)") &&
	      !strstr(desc, "notes"),
	      "a keys directory: two keys described, a *.pem that is no key passed over and "
	      "named, other files ignored (%s)", desc);
	check(!mfw_sig_sign(old, data, strlen(data), sig, idold) &&
	      !mfw_sig_verify_by(keys, data, strlen(data), sig, signer, sizeof(signer)) &&
	      strstr(signer, idold) && strstr(signer, "2025-vendor.pem"),
	      "signed with the old key: verified by it (%s)", signer);
	check(!mfw_sig_sign(new, data, strlen(data), sig, idnew) &&
	      !mfw_sig_verify_by(keys, data, strlen(data), sig, signer, sizeof(signer)) &&
	      strstr(signer, idnew) && strstr(signer, "2026-vendor.pub") &&
	      strcmp(idold, idnew),
	      "signed with the new key: verified by it (%s)", signer);
	keypair("ED25519", other, junk);
	check(!mfw_sig_sign(old, data, strlen(data), sig, NULL) && !unlink(oldpub) &&
	      mfw_sig_verify_by(keys, data, strlen(data), sig, NULL, 0) == -EBADMSG,
	      "the old key retired (its file removed): its signatures no longer verify");
	check(!mfw_sig_sign(other, data, strlen(data), sig, NULL) &&
	      !mfw_sig_verify(keys, data, strlen(data), sig),
	      "a key dropped in as README.pem is a trusted key like any *.pem");
	unlink(junk);
	unlink(newpub);
	check(mfw_sig_verify_by(keys, data, strlen(data), sig, NULL, 0) == -EKEYREJECTED &&
	      mfw_pubkey_describe(keys, desc, sizeof(desc)) == -EKEYREJECTED,
	      "a directory without a key: no key at all");
	path(keys, "no-such-dir");
	check(mfw_pubkey_describe(keys, desc, sizeof(desc)) == -ENOENT &&
	      mfw_sig_verify(keys, data, strlen(data), sig) == -EKEYREJECTED,
	      "a missing key directory: cannot be read, no key");
}

int main(void)
{
	snprintf(dir, sizeof(dir), "%s", tap_tmpdir());
	test_parse();
	test_module();
	test_signatures("RSA");
	test_signatures("EC");
	test_signatures("ED25519");
	test_key_directory();
	tap_rmtree(dir);
	return tap_done();
}
