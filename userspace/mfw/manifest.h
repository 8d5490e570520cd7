/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - the signed manifest beside an image (IMAGE.manifest and
 * IMAGE.manifest.sig): key=value lines naming the family the image is for,
 * the version it installs, the version a differential package applies on
 * (base), and the image's SHA-256 and size.
 */
#ifndef MFW_MANIFEST_H
#define MFW_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "verify.h"

/* Longest family or version string (sysfs firmware holds 63 bytes). */
#define MFW_VERSION_MAX	64

struct mfw_manifest {
	char family[MFW_VERSION_MAX];
	char version[MFW_VERSION_MAX];
	char base[MFW_VERSION_MAX];	/* empty: full package */
	char sha256[MFW_SHA256_HEX];
	uint64_t size;
	char signer[96];	/* mfw_manifest_load(): the key that verified it */
};

/*
 * Parse manifest text.  Every key (family, version, sha256, size; base
 * optional) at most once, no other key, family known to the capability
 * table.  Returns 0, or -EINVAL with the reason in @why.
 */
int mfw_manifest_parse(const char *text, size_t len, struct mfw_manifest *m,
		       char *why, size_t whylen);

/* Manifest text of @m into @buf.  Returns the length, or -ENOSPC. */
int mfw_manifest_format(const struct mfw_manifest *m, char *buf, size_t size);

/* The image matches the manifest: 0, or -EBADMSG with the reason in @why. */
int mfw_manifest_check_image(const struct mfw_manifest *m, const char *sha256,
			     uint64_t size, char *why, size_t whylen);

/*
 * The manifest suits the module: the same family, and for a differential
 * package, the module runs its base.  0, -EXDEV (other family or module
 * not identified) or -ESTALE (wrong base), with the reason in @why.
 */
int mfw_manifest_check_module(const struct mfw_manifest *m, const char *family,
			      const char *firmware, char *why, size_t whylen);

/*
 * Read @path, check @path.sig with the policy of mfw_verify_file() and
 * parse it; @m->signer names the key that verified it (empty: none).  0 or -errno (messages printed).
 */
int mfw_manifest_load(const char *pubkey, const char *path,
		      struct mfw_manifest *m, bool *verified);

#endif /* MFW_MANIFEST_H */
