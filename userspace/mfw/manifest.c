// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - image manifests.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "manifest.h"
#include "mfw_models.h"
#include "util.h"

/* Largest manifest file taken. */
#define MFW_MANIFEST_MAX	4096

static int why_set(char *why, size_t whylen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int why_set(char *why, size_t whylen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whylen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Printable ASCII without blanks: a version as the module prints it. */
static bool mfw_token_ok(const char *s)
{
	if (!*s || strlen(s) >= MFW_VERSION_MAX)
		return false;
	for (; *s; s++)
		if (*s < 0x21 || *s > 0x7e)
			return false;
	return true;
}

static bool mfw_sha256_ok(const char *s)
{
	size_t i;

	if (strlen(s) != MFW_SHA256_HEX - 1)
		return false;
	for (i = 0; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

int mfw_manifest_parse(const char *text, size_t len, struct mfw_manifest *m,
		       char *why, size_t whylen)
{
	enum { K_FAMILY, K_VERSION, K_BASE, K_SHA256, K_SIZE, K_NR };
	static const char *const names[K_NR] = {
		"family", "version", "base", "sha256", "size"
	};
	unsigned int seen = 0;
	size_t pos = 0;
	int lineno = 0;

	memset(m, 0, sizeof(*m));
	if (memchr(text, '\0', len))
		return why_set(why, whylen, "NUL byte in manifest");
	while (pos < len) {
		char line[512], *eq, *key, *val;
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - text - pos) : len - pos;
		int k;

		lineno++;
		if (n >= sizeof(line))
			return why_set(why, whylen, "line %d too long", lineno);
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos += n + (nl ? 1 : 0);
		key = mfw_strip(line);
		if (!*key || *key == '#')
			continue;
		eq = strchr(key, '=');
		if (!eq)
			return why_set(why, whylen, "line %d: expected key=value", lineno);
		*eq = '\0';
		key = mfw_strip(key);
		val = mfw_strip(eq + 1);
		for (k = 0; k < K_NR; k++)
			if (!strcmp(key, names[k]))
				break;
		if (k == K_NR)
			return why_set(why, whylen, "line %d: unknown key '%s'", lineno, key);
		if (seen & (1u << k))
			return why_set(why, whylen, "line %d: '%s' given twice", lineno, key);
		seen |= 1u << k;
		switch (k) {
		case K_FAMILY:
		case K_VERSION:
		case K_BASE:
			if (!mfw_token_ok(val))
				return why_set(why, whylen, "line %d: bad %s '%s'",
					       lineno, key, val);
			snprintf(k == K_FAMILY ? m->family : k == K_VERSION ?
				 m->version : m->base, MFW_VERSION_MAX, "%s", val);
			break;
		case K_SHA256:
			if (!mfw_sha256_ok(val))
				return why_set(why, whylen,
					       "line %d: sha256 must be 64 lower-case hex digits",
					       lineno);
			memcpy(m->sha256, val, MFW_SHA256_HEX);
			break;
		case K_SIZE:
			if (mfw_parse_u64(val, &m->size) || !m->size)
				return why_set(why, whylen, "line %d: bad size '%s'",
					       lineno, val);
			break;
		}
	}
	for (int k = 0; k < K_NR; k++)
		if (k != K_BASE && !(seen & (1u << k)))
			return why_set(why, whylen, "'%s' missing", names[k]);
	if (!mfw_model_find(m->family, strlen(m->family), NULL))
		return why_set(why, whylen, "family '%s' is not a known module family",
			       m->family);
	return 0;
}

int mfw_manifest_format(const struct mfw_manifest *m, char *buf, size_t size)
{
	int n;

	n = snprintf(buf, size, "family=%s\nversion=%s\n%s%s%ssha256=%s\nsize=%" PRIu64 "\n",
		     m->family, m->version, *m->base ? "base=" : "", m->base,
		     *m->base ? "\n" : "", m->sha256, m->size);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

int mfw_manifest_check_image(const struct mfw_manifest *m, const char *sha256,
			     uint64_t size, char *why, size_t whylen)
{
	if (size != m->size) {
		snprintf(why, whylen, "image has %" PRIu64 " bytes, manifest says %" PRIu64,
			 size, m->size);
		return -EBADMSG;
	}
	if (strcmp(sha256, m->sha256)) {
		snprintf(why, whylen, "image SHA-256 %s, manifest says %s", sha256,
			 m->sha256);
		return -EBADMSG;
	}
	return 0;
}

int mfw_manifest_check_module(const struct mfw_manifest *m, const char *family,
			      const char *firmware, char *why, size_t whylen)
{
	const struct mfw_model *want, *have;

	want = mfw_model_find(m->family, strlen(m->family), NULL);
	have = family ? mfw_model_find(family, strlen(family), NULL) : NULL;
	if (!have) {
		snprintf(why, whylen, "module family '%s' is not known (not identified yet?)",
			 family ? family : "");
		return -EXDEV;
	}
	if (want != have) {
		snprintf(why, whylen, "image is for %s, the module is %s", want->name,
			 have->name);
		return -EXDEV;
	}
	if (*m->base && (!firmware || strcmp(firmware, m->base))) {
		snprintf(why, whylen,
			 "differential package for base %s, the module runs %s",
			 m->base, firmware && *firmware ? firmware : "an unknown version");
		return -ESTALE;
	}
	return 0;
}

int mfw_manifest_load(const char *pubkey, const char *path,
		      struct mfw_manifest *m, bool *verified)
{
	unsigned char *text;
	char why[256], signer[sizeof(m->signer)];
	size_t len;
	int ret;

	ret = mfw_read_file(path, &text, &len, MFW_MANIFEST_MAX);
	if (ret) {
		mfw_err("cannot read manifest %s: %s; get it from the image's vendor or create it with 'mfw manifest create'",
			path, mfw_file_strerror(ret));
		return ret;
	}
	ret = mfw_verify_file(pubkey, path, text, len, verified, signer,
			      sizeof(signer));
	if (!ret) {
		ret = mfw_manifest_parse((const char *)text, len, m, why, sizeof(why));
		if (ret)
			mfw_err("manifest %s: %s; fix or recreate it with 'mfw manifest create'",
				path, why);
		else
			snprintf(m->signer, sizeof(m->signer), "%s", signer);
	}
	free(text);
	return ret;
}
