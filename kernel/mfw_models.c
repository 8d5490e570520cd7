// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the capability table of the OneMO module families.
 *
 * ML307R-DC is one row with two upgrade behaviours: @stored describes the
 * full-system differential upgrade of a package put in with AT+MFWDLOAD,
 * @special the minimal-system download-and-upgrade inside AT+MFWUPGRADE.
 * The module itself picks one by whether a complete package is stored, so
 * a single row keeps one name, one set of sub-models and one config, and
 * each behaviour stays a handful of fields instead of a model test.
 *
 * No built-in row enables file:// (the manual marks it "not applicable" to
 * every model) nor ftps:// (every family that names FTPS refuses it).
 */
#include "mfw_models.h"
#include "mfw_cme.h"

/* Every key the manual defines. */
#define MFW_CFG_ALL	(MFW_CFG_BIT(MFW_CFG_NR) - 1)

/* Keys of the families that fetch a package with AT+MFWDLOAD only. */
#define MFW_CFG_DLOAD	(MFW_CFG_BIT(MFW_CFG_URL) | \
			 MFW_CFG_BIT(MFW_CFG_AUTH) | \
			 MFW_CFG_BIT(MFW_CFG_TIMEOUT) | \
			 MFW_CFG_BIT(MFW_CFG_PROGIND) | \
			 MFW_CFG_BIT(MFW_CFG_SSL))

/* Keys of the special-mode families. */
#define MFW_CFG_SPECIAL	(MFW_CFG_BIT(MFW_CFG_URL) | MFW_CFG_BIT(MFW_CFG_AUTH))

/* The file-system package is no good to any special mode. */
#define MFW_REFUSE_SPECIAL	MFW_PKG_BIT(MFW_PKG_FS)

/* A full-system module refuses both foreign kinds on AT+MFWDLOAD. */
#define MFW_REFUSE_FULL	(MFW_PKG_BIT(MFW_PKG_MINI) | MFW_PKG_BIT(MFW_PKG_FS))

/* Value ranges of the manual (section 3.1). */
static const struct mfw_range mfw_range_std[MFW_CFG_NR] = {
	[MFW_CFG_TIMEOUT]	= { .min = 30, .max = 180, .step = 1, .def = 60 },
	[MFW_CFG_MODE]		= { .min = 0, .max = 1, .step = 1, .def = 0 },
	[MFW_CFG_PROGIND]	= { .min = 0, .max = 0x7ffffc00, .step = 1024,
				    .def = 0 },
	[MFW_CFG_SSL]		= { .min = 0, .max = 4, .step = 1, .def = 0 },
	[MFW_CFG_PKGSIZE]	= { .min = 512, .max = 3072, .step = 512,
				    .def = 512 },
};

/* MN318 takes HTTP blocks of 512 bytes only. */
static const struct mfw_range mfw_range_mn318[MFW_CFG_NR] = {
	[MFW_CFG_TIMEOUT]	= { .min = 30, .max = 180, .step = 1, .def = 60 },
	[MFW_CFG_MODE]		= { .min = 0, .max = 1, .step = 1, .def = 0 },
	[MFW_CFG_PROGIND]	= { .min = 0, .max = 0x7ffffc00, .step = 1024,
				    .def = 0 },
	[MFW_CFG_SSL]		= { .min = 0, .max = 4, .step = 1, .def = 0 },
	[MFW_CFG_PKGSIZE]	= { .min = 512, .max = 512, .step = 512,
				    .def = 512 },
};

/* NB-IoT: remote or hex write after an erase, one reboot, OK first. */
#define MFW_NB_ROW					\
	.nb = true,					\
	.paths = MFW_PATH_HEX | MFW_PATH_REMOTE,	\
	.hex_max = MFW_HEX_CHUNK_MAX,			\
	.resume = true,					\
	.erase = true,					\
	.erase_first = true,				\
	.stored = { .reboots = 1, .ok = true }

/* Cat.1 minimal-system modules: everything happens in AT+MFWUPGRADE. */
#define MFW_MINI_ROW						\
	.paths = MFW_PATH_SPECIAL,				\
	.cfg = MFW_CFG_SPECIAL,					\
	.range = mfw_range_std,					\
	.special_refuse = MFW_REFUSE_SPECIAL,			\
	.special = { .reboots = MFW_MINI_REBOOTS, .percent = true }

static const struct mfw_model mfw_models[] = {
	{
		.name = "MN316",
		.subs = { { .name = "MN316-DBRS" }, { .name = "MN316-DLVS" } },
		MFW_NB_ROW,
		.schemes = MFW_URL_HTTP | MFW_URL_HTTPS,
		.https_verify = true,
		.cfg = MFW_CFG_ALL,
		.range = mfw_range_std,
	}, {
		.name = "MN316-S",
		.subs = { { .name = "MN316-S-DLVS" } },
		MFW_NB_ROW,
		.schemes = MFW_URL_HTTP | MFW_URL_HTTPS,
		.https_verify = true,
		.cfg = MFW_CFG_ALL,
		.range = mfw_range_std,
	}, {
		.name = "MN318",
		.subs = {
			{ .name = "MN318-BX" },
			{ .name = "MN318-LC" },
			{ .name = "MN318-LX" },
		},
		MFW_NB_ROW,
		.schemes = MFW_URL_HTTP,
		.cfg = MFW_CFG_ALL & ~MFW_CFG_BIT(MFW_CFG_SSL),
		.range = mfw_range_mn318,
	}, {
		.name = "MN319",
		.subs = { { .name = "MN319-DL" } },
		MFW_NB_ROW,
		.schemes = MFW_URL_HTTP | MFW_URL_HTTPS,
		.https_verify = true,
		.cfg = MFW_CFG_ALL,
		.range = mfw_range_std,
	}, {
		.name = "ML305U",
		.subs = { { .name = "ML305U-DBLN" } },
		.paths = MFW_PATH_TRANSPARENT | MFW_PATH_REMOTE,
		.hex_max = MFW_HEX_CHUNK_MAX,
		.whole = true,
		.check = true,
		.erase = true,
		.schemes = MFW_URL_HTTP | MFW_URL_HTTPS,
		.https_verify = true,
		.cfg = MFW_CFG_DLOAD,
		.range = mfw_range_std,
		.refuse = MFW_REFUSE_FULL,
		.stored = { .reboots = 1 },
	}, {
		.name = "ML307R-DC",
		.subs = { { .name = "ML307R-DC" } },
		.paths = MFW_PATH_TRANSPARENT | MFW_PATH_REMOTE |
			 MFW_PATH_SPECIAL,
		.hex_max = MFW_HEX_CHUNK_MAX,
		.whole = true,
		.erase = true,
		.schemes = MFW_URL_HTTP | MFW_URL_HTTPS,
		.cfg = MFW_CFG_DLOAD,
		.range = mfw_range_std,
		.refuse = MFW_REFUSE_FULL,
		.special_refuse = MFW_REFUSE_SPECIAL,
		.fs_reserve = 152 * 1024,
		.stored = { .reboots = 1, .rollback = true },
		.special = { .reboots = MFW_MINI_REBOOTS, .percent = true },
	}, {
		.name = "ML307R-DL",
		.subs = { { .name = "ML307R-DL" } },
		MFW_MINI_ROW,
		.schemes = MFW_URL_HTTP | MFW_URL_HTTPS,
	}, {
		.name = "ML302A",
		.subs = {
			{ .name = "ML302A-DCLM" },
			{ .name = "ML302A-DSLM", .schemes = MFW_URL_FTP },
			{ .name = "ML302A-GCLM" },
			{ .name = "ML302A-GSLM", .schemes = MFW_URL_FTP },
		},
		MFW_MINI_ROW,
		.schemes = MFW_URL_HTTP | MFW_URL_HTTPS,
	}, {
		.name = "ML305A",
		.subs = {
			{ .name = "ML305A-DC" },
			{ .name = "ML305A-DS", .schemes = MFW_URL_FTP },
			{ .name = "ML305A-DL" },
		},
		MFW_MINI_ROW,
		.schemes = MFW_URL_HTTP | MFW_URL_HTTPS,
	}, {
		.name = "ML307A",
		.subs = {
			{ .name = "ML307A-DCLN" },
			{ .name = "ML307A-DSLN", .schemes = MFW_URL_FTP },
			{ .name = "ML307A-GCLN" },
			{ .name = "ML307A-GSLN", .schemes = MFW_URL_FTP },
			{ .name = "ML307A-DL" },
		},
		MFW_MINI_ROW,
		.schemes = MFW_URL_HTTP | MFW_URL_HTTPS,
	}, {
		.name = "ML302S",
		.subs = { { .name = "ML302S-DNLM" } },
		MFW_MINI_ROW,
		.schemes = MFW_URL_HTTP | MFW_URL_FTP,
	}, {
		.name = "ML307S",
		.subs = { { .name = "ML307S-DNLM" } },
		MFW_MINI_ROW,
		.schemes = MFW_URL_HTTP | MFW_URL_FTP,
	},
	{ }	/* a NULL name ends the table */
};

static const char * const mfw_cfg_names[MFW_CFG_NR] = {
	[MFW_CFG_URL]		= "url",
	[MFW_CFG_AUTH]		= "auth",
	[MFW_CFG_TIMEOUT]	= "timeout",
	[MFW_CFG_MODE]		= "mode",
	[MFW_CFG_PROGIND]	= "progind",
	[MFW_CFG_SSL]		= "ssl",
	[MFW_CFG_PKGSIZE]	= "pkgsize",
};

static const struct {
	const char *prefix;
	unsigned int bit;
} mfw_schemes[] = {
	{ "http://", MFW_URL_HTTP },
	{ "https://", MFW_URL_HTTPS },
	{ "ftp://", MFW_URL_FTP },
	{ "ftps://", MFW_URL_FTPS },
	{ "file://", MFW_URL_FILE },
	{ }
};

static char mfw_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

static bool mfw_alnum(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

/* Whether @s (length @len) starts with @word, ignoring ASCII case. */
static bool mfw_prefix(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);
	size_t i;

	if (n > len)
		return false;
	for (i = 0; i < n; i++)
		if (mfw_lower(s[i]) != mfw_lower(word[i]))
			return false;
	return true;
}

size_t mfw_model_count(void)
{
	size_t n = 0;

	while (mfw_models[n].name)
		n++;
	return n;
}

const struct mfw_model *mfw_model_get(size_t index)
{
	return index < mfw_model_count() ? &mfw_models[index] : NULL;
}

const struct mfw_model *mfw_model_find(const char *name, size_t len,
				       const struct mfw_submodel **sub)
{
	size_t i, j;

	for (i = 0; mfw_models[i].name; i++) {
		const struct mfw_model *m = &mfw_models[i];

		if (strlen(m->name) == len && mfw_prefix(name, len, m->name)) {
			if (sub)
				*sub = &m->subs[0];
			return m;
		}
		for (j = 0; m->subs[j].name; j++) {
			if (strlen(m->subs[j].name) != len ||
			    !mfw_prefix(name, len, m->subs[j].name))
				continue;
			if (sub)
				*sub = &m->subs[j];
			return m;
		}
	}
	return NULL;
}

/* Length of @word if it stands as a whole word at @s, else 0. */
static size_t mfw_word_at(const char *s, size_t len, const char *word)
{
	size_t n = strlen(word);

	if (!mfw_prefix(s, len, word))
		return 0;
	if (n < len && mfw_alnum(s[n]))
		return 0;
	return n;
}

const struct mfw_model *mfw_model_from_ident(const char *text, size_t len,
					     const struct mfw_submodel **sub)
{
	const struct mfw_model *best = NULL;
	const struct mfw_submodel *best_sub = NULL;
	size_t best_len = 0;
	size_t pos, i, j, n;

	for (pos = 0; pos < len; pos++) {
		if (pos > 0 && mfw_alnum(text[pos - 1]))
			continue;
		for (i = 0; mfw_models[i].name; i++) {
			const struct mfw_model *m = &mfw_models[i];

			n = mfw_word_at(text + pos, len - pos, m->name);
			if (n > best_len) {
				best = m;
				best_sub = &m->subs[0];
				best_len = n;
			}
			for (j = 0; m->subs[j].name; j++) {
				n = mfw_word_at(text + pos, len - pos,
						m->subs[j].name);
				/* A sub-model beats its equally long family. */
				if (n >= best_len && n) {
					best = m;
					best_sub = &m->subs[j];
					best_len = n;
				}
			}
		}
	}
	if (best && sub)
		*sub = best_sub;
	return best;
}

unsigned int mfw_model_schemes(const struct mfw_model *model,
			       const struct mfw_submodel *sub)
{
	return model->schemes | (sub ? sub->schemes : 0);
}

unsigned int mfw_url_scheme(const char *url, size_t len)
{
	size_t i;

	for (i = 0; mfw_schemes[i].prefix; i++)
		if (mfw_prefix(url, len, mfw_schemes[i].prefix))
			return mfw_schemes[i].bit;
	return 0;
}

int mfw_cfg_key_find(const char *name, size_t len)
{
	int key;

	for (key = 0; key < MFW_CFG_NR; key++)
		if (strlen(mfw_cfg_names[key]) == len &&
		    mfw_prefix(name, len, mfw_cfg_names[key]))
			return key;
	return -1;
}

const char *mfw_cfg_key_name(int key)
{
	if (key < 0 || key >= MFW_CFG_NR)
		return NULL;
	return mfw_cfg_names[key];
}

int mfw_model_cfg_int(const struct mfw_model *model, int key, long value)
{
	const struct mfw_range *r;

	if (key < 0 || key >= MFW_CFG_NR ||
	    !(model->cfg & MFW_CFG_BIT(key)) ||
	    key == MFW_CFG_URL || key == MFW_CFG_AUTH)
		return MFW_CME_CONFIG;
	r = &model->range[key];
	if (value < r->min || value > r->max || value % r->step)
		return MFW_CME_CONFIG;
	return 0;
}

int mfw_model_cfg_str(const struct mfw_model *model,
		      const struct mfw_submodel *sub, int key,
		      const char *str, size_t len)
{
	unsigned int scheme;

	if (key < 0 || key >= MFW_CFG_NR || !(model->cfg & MFW_CFG_BIT(key)))
		return MFW_CME_CONFIG;
	if (key == MFW_CFG_AUTH)
		return len <= MFW_AUTH_MAX ? 0 : MFW_CME_CONFIG;
	if (key != MFW_CFG_URL || len > MFW_URL_MAX)
		return MFW_CME_CONFIG;
	scheme = mfw_url_scheme(str, len);
	if (!scheme || !(mfw_model_schemes(model, sub) & scheme))
		return MFW_CME_URL_TYPE;
	return 0;
}

int mfw_model_pkg_error(const struct mfw_model *model, int kind,
			bool special)
{
	unsigned int refuse = special ? model->special_refuse : model->refuse;

	if (kind <= MFW_PKG_SYSTEM || kind >= MFW_PKG_NR ||
	    !(refuse & MFW_PKG_BIT(kind)))
		return 0;
	return kind == MFW_PKG_MINI ? MFW_CME_PKG_MINI : MFW_CME_PKG_FS;
}

int mfw_model_fits(const struct mfw_model *model, unsigned long size,
		   unsigned long fs_free)
{
	if (!model->fs_reserve)
		return 0;
	if (size > fs_free || fs_free - size < model->fs_reserve)
		return MFW_CME_NO_SPACE;
	return 0;
}
