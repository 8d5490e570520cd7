/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw - what each OneMO module family supports for a firmware upgrade.
 *
 * One row per family of the vendor's FOTA manual. The module, the simulator
 * and the helper read the same rows, so a family's behaviour is data here
 * and never a chain of model tests in code.
 */
#ifndef _MFW_MODELS_H
#define _MFW_MODELS_H

#include "mfw_types.h"

/* How a package reaches the module (bits of mfw_model.paths). */
#define MFW_PATH_HEX		0x1u	/* AT+MFWDLOAD=<off>,<len>,"<hex>" */
#define MFW_PATH_TRANSPARENT	0x2u	/* AT+MFWDLOAD=<off>,<len>, "> " */
#define MFW_PATH_REMOTE		0x4u	/* AT+MFWDLOAD from the url */
#define MFW_PATH_SPECIAL	0x8u	/* AT+MFWUPGRADE fetches and applies */

/* URL schemes (bits of mfw_model.schemes and mfw_submodel.schemes). */
#define MFW_URL_HTTP		0x1u
#define MFW_URL_HTTPS		0x2u
#define MFW_URL_FTP		0x4u
#define MFW_URL_FTPS		0x8u
#define MFW_URL_FILE		0x10u

/* Longest url and auth strings AT+MFWCFG takes. */
#define MFW_URL_MAX		256
#define MFW_AUTH_MAX		48

/* Largest chunk of one serial (hex) write. */
#define MFW_HEX_CHUNK_MAX	512

/* Sub-models per family, at most. */
#define MFW_SUBMODELS_MAX	6

/* Reboots of a minimal-system upgrade (the manual says "several"). */
#define MFW_MINI_REBOOTS	3

/* Keys of AT+MFWCFG. */
enum mfw_cfg_key {
	MFW_CFG_URL,
	MFW_CFG_AUTH,
	MFW_CFG_TIMEOUT,
	MFW_CFG_MODE,
	MFW_CFG_PROGIND,
	MFW_CFG_SSL,
	MFW_CFG_PKGSIZE,
	MFW_CFG_NR
};

#define MFW_CFG_BIT(key)	(1u << (key))

/* Package types a module can tell apart (manual, errors 858 and 859). */
enum mfw_pkg_kind {
	MFW_PKG_SYSTEM,		/* what the family's own path expects */
	MFW_PKG_MINI,		/* minimal-system package */
	MFW_PKG_FS,		/* file-system package */
	MFW_PKG_NR
};

#define MFW_PKG_BIT(kind)	(1u << (kind))

/**
 * struct mfw_range - accepted values of an integer AT+MFWCFG key
 * @min: smallest value
 * @max: largest value
 * @step: the value must be a multiple of this (1: any)
 * @def: value after reset
 */
struct mfw_range {
	long min;
	long max;
	long step;
	long def;
};

/**
 * struct mfw_upgrade - how AT+MFWUPGRADE behaves on one path
 * @reboots: times the module restarts (and the port goes away)
 * @percent: reports "+MFWUPGRADE: 1,<percent>" while upgrading
 * @ok: answers OK before the upgrade starts
 * @rollback: a failed or interrupted upgrade restores the old firmware;
 *	without it a power loss while flashing leaves the module unbootable
 */
struct mfw_upgrade {
	unsigned int reboots;
	bool percent;
	bool ok;
	bool rollback;
};

/**
 * struct mfw_submodel - one orderable variant of a family
 * @name: full name, e.g. "ML307A-DSLN"
 * @schemes: MFW_URL_* bits this variant adds to its family's
 */
struct mfw_submodel {
	const char *name;
	unsigned int schemes;
};

/**
 * struct mfw_model - one family's FOTA capabilities
 * @name: family name as given on a command line, e.g. "ML307R-DC"
 * @nb: NB-IoT module
 * @subs: its sub-models, terminated by an entry with a NULL name
 * @paths: MFW_PATH_* bits
 * @hex_max: largest hex write chunk, in binary bytes
 * @whole: a transparent write starts at offset 0 and carries the whole
 *	package in one go (it may exceed @hex_max)
 * @resume: a serial write may continue at offset > 0 after an interruption
 * @check: has AT+MFWCHECK
 * @erase: has AT+MFWERASE
 * @erase_first: a serial write needs AT+MFWERASE first
 * @schemes: MFW_URL_* bits every sub-model accepts
 * @https_verify: HTTPS checks the server certificate
 * @cfg: MFW_CFG_BIT() of the AT+MFWCFG keys the family honours
 * @range: accepted values of the integer keys, indexed by enum mfw_cfg_key
 * @refuse: MFW_PKG_BIT() of package kinds AT+MFWDLOAD refuses
 * @special_refuse: MFW_PKG_BIT() of kinds the special mode refuses
 * @fs_reserve: bytes the file system needs beyond the package (0: no check)
 * @stored: upgrade of a package put in with AT+MFWDLOAD
 * @special: download-and-upgrade inside AT+MFWUPGRADE (MFW_PATH_SPECIAL)
 */
struct mfw_model {
	const char *name;
	bool nb;
	struct mfw_submodel subs[MFW_SUBMODELS_MAX + 1];
	unsigned int paths;
	unsigned int hex_max;
	bool whole;
	bool resume;
	bool check;
	bool erase;
	bool erase_first;
	unsigned int schemes;
	bool https_verify;
	unsigned int cfg;
	const struct mfw_range *range;
	unsigned int refuse;
	unsigned int special_refuse;
	unsigned int fs_reserve;
	struct mfw_upgrade stored;
	struct mfw_upgrade special;
};

/**
 * mfw_model_count() - number of rows in the capability table
 *
 * Return: the number of families.
 */
size_t mfw_model_count(void);

/**
 * mfw_model_get() - one row of the capability table
 * @index: 0 to mfw_model_count() - 1
 *
 * Return: the row, or NULL when @index is out of range.
 */
const struct mfw_model *mfw_model_get(size_t index);

/**
 * mfw_model_find() - row of a family or sub-model name
 * @name: e.g. "ML307R-DC" or "ML307A-DSLN" (ASCII case is ignored)
 * @len: length of @name
 * @sub: if not NULL, gets the named sub-model, or the family's first one
 *	when @name is a family name
 *
 * Return: the row, or NULL when the name is unknown.
 */
const struct mfw_model *mfw_model_find(const char *name, size_t len,
				       const struct mfw_submodel **sub);

/**
 * mfw_model_from_ident() - row of a module from its ATI or AT+CGMR answer
 * @text: the answer, possibly several lines (e.g. "ML307R-DC-MBRH0S01")
 * @len: length of @text
 * @sub: if not NULL, gets the sub-model, as for mfw_model_find()
 *
 * The longest family or sub-model name that starts a word of @text wins,
 * so "MN316-S-DLVS..." is an MN316-S and not an MN316.
 *
 * Return: the row, or NULL when no known name appears in @text.
 */
const struct mfw_model *mfw_model_from_ident(const char *text, size_t len,
					     const struct mfw_submodel **sub);

/**
 * mfw_model_schemes() - URL schemes a sub-model accepts
 * @model: the family
 * @sub: its sub-model, or NULL for what every sub-model accepts
 *
 * Return: MFW_URL_* bits.
 */
unsigned int mfw_model_schemes(const struct mfw_model *model,
			       const struct mfw_submodel *sub);

/**
 * mfw_url_scheme() - MFW_URL_* bit of a URL's scheme
 * @url: the URL
 * @len: length of @url
 *
 * Return: one MFW_URL_* bit, or 0 when the scheme is missing or unknown.
 */
unsigned int mfw_url_scheme(const char *url, size_t len);

/**
 * mfw_cfg_key_find() - AT+MFWCFG key of a name
 * @name: the key without quotes, e.g. "progind" (ASCII case is ignored)
 * @len: length of @name
 *
 * Return: an enum mfw_cfg_key, or -1 when unknown.
 */
int mfw_cfg_key_find(const char *name, size_t len);

/**
 * mfw_cfg_key_name() - name of an AT+MFWCFG key
 * @key: an enum mfw_cfg_key
 *
 * Return: the name, or NULL when @key is out of range.
 */
const char *mfw_cfg_key_name(int key);

/**
 * mfw_model_cfg_int() - validate an integer AT+MFWCFG value
 * @model: the family
 * @key: an integer key (timeout, mode, progind, ssl, pkgsize)
 * @value: the value
 *
 * Return: 0 when the family honours @key and accepts @value, otherwise
 * the module's error (851, configuration error).
 */
int mfw_model_cfg_int(const struct mfw_model *model, int key, long value);

/**
 * mfw_model_cfg_str() - validate a string AT+MFWCFG value
 * @model: the family
 * @sub: the sub-model (FTP depends on it), or NULL
 * @key: MFW_CFG_URL, or MFW_CFG_AUTH for the user or the password
 * @str: the string without quotes
 * @len: length of @str
 *
 * Return: 0 when accepted; 852 (URL type error) for a scheme the
 * sub-model does not take; 851 (configuration error) otherwise.
 */
int mfw_model_cfg_str(const struct mfw_model *model,
		      const struct mfw_submodel *sub, int key,
		      const char *str, size_t len);

/**
 * mfw_model_pkg_error() - the error a family gives for a package kind
 * @model: the family
 * @kind: an enum mfw_pkg_kind
 * @special: checked by the special mode rather than by AT+MFWDLOAD
 *
 * Return: 0 when the kind is accepted, else 858 or 859.
 */
int mfw_model_pkg_error(const struct mfw_model *model, int kind,
			bool special);

/**
 * mfw_model_fits() - whether a package fits the module's file system
 * @model: the family
 * @size: package size in bytes
 * @fs_free: free file-system bytes
 *
 * Return: 0 when it fits or the family does not check, else 860.
 */
int mfw_model_fits(const struct mfw_model *model, unsigned long size,
		   unsigned long fs_free);

#endif /* _MFW_MODELS_H */
