// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - the little the simulator reads inside an image.
 *
 * Images are opaque to the protocol. Two optional conventions give a test
 * control over what the simulated module does with one:
 *  - a kind marker as the very first bytes: "MFWPKG:mini\n" marks a
 *    minimal-system package, "MFWPKG:fs\n" a file-system package;
 *  - a version trailer as the last line:
 *    "MFWVER:<version>[ base=<version>][ md5=<32 hex>]\n"
 *    A successful upgrade makes <version> the running firmware; base=
 *    makes the package apply only on top of that version (a differential
 *    package); md5= is the MD5 of every byte before the "MFWVER:" line and
 *    the upgrade fails when it does not match.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>

#include "sim.h"

#define MARK_MINI	"MFWPKG:mini\n"
#define MARK_FS		"MFWPKG:fs\n"
#define TRAILER		"MFWVER:"

int pkg_kind(const unsigned char *buf, size_t len)
{
	if (len >= strlen(MARK_MINI) &&
	    !memcmp(buf, MARK_MINI, strlen(MARK_MINI)))
		return MFW_PKG_MINI;
	if (len >= strlen(MARK_FS) && !memcmp(buf, MARK_FS, strlen(MARK_FS)))
		return MFW_PKG_FS;
	return MFW_PKG_SYSTEM;
}

/* Copy a token of version characters; returns its length. */
static size_t take_word(const char *s, const char *end, char *out)
{
	size_t n = 0;

	while (s + n < end && n < SIM_VER_MAX - 1 &&
	       (isalnum((unsigned char)s[n]) || strchr("._-+", s[n])))
		n++;
	memcpy(out, s, n);
	out[n] = 0;
	return n;
}

void pkg_inspect(const unsigned char *buf, size_t len, struct pkg_info *pi)
{
	const char *b = (const char *)buf, *line, *end, *p;
	char md5[SIM_VER_MAX] = "", hex[65];

	memset(pi, 0, sizeof(*pi));
	pi->kind = pkg_kind(buf, len);
	if (len < strlen(TRAILER) + 2 || buf[len - 1] != '\n')
		return;
	end = b + len - 1;
	line = end;
	while (line > b && line[-1] != '\n')
		line--;
	if ((size_t)(end - line) < strlen(TRAILER) ||
	    memcmp(line, TRAILER, strlen(TRAILER)))
		return;
	p = line + strlen(TRAILER);
	p += take_word(p, end, pi->version);
	if (!pi->version[0])
		return;
	pi->has_version = true;
	while (p < end && *p == ' ') {
		p++;
		if ((size_t)(end - p) > 5 && !memcmp(p, "base=", 5))
			p += 5 + take_word(p + 5, end, pi->base);
		else if ((size_t)(end - p) > 4 && !memcmp(p, "md5=", 4))
			p += 4 + take_word(p + 4, end, md5);
		else
			break;
	}
	if (md5[0]) {
		pkg_digest(0, buf, line - b, hex, sizeof(hex));
		pi->digest_bad = strcasecmp(hex, md5) != 0;
	}
}

int pkg_digest(int algo, const unsigned char *buf, size_t len, char *hex,
	       size_t hexlen)
{
	const EVP_MD *md = algo == 0 ? EVP_md5() :
			   algo == 1 ? EVP_sha1() : EVP_sha256();
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(buf, len, out, &n, md, NULL) || hexlen < 2 * n + 1)
		return -1;
	for (unsigned int i = 0; i < n; i++)
		snprintf(hex + 2 * i, 3, "%02X", out[i]);
	return 0;
}
