// SPDX-License-Identifier: GPL-2.0-only
/*
 * Lookups and validation helpers of the shared capability table.
 */
#include <stdio.h>
#include <string.h>

#include "mfw_cme.h"
#include "mfw_models.h"

static int failures;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
		failures++;						\
	}								\
} while (0)

static const char *ident(const char *text, const char **sub)
{
	const struct mfw_submodel *s = NULL;
	const struct mfw_model *m = mfw_model_from_ident(text, strlen(text),
							 &s);

	*sub = s ? s->name : NULL;
	return m ? m->name : NULL;
}

static int url(const char *model, const char *u)
{
	const struct mfw_submodel *s;
	const struct mfw_model *m = mfw_model_find(model, strlen(model), &s);

	return mfw_model_cfg_str(m, s, MFW_CFG_URL, u, strlen(u));
}

int main(void)
{
	const struct mfw_submodel *sub;
	const struct mfw_model *m;
	const char *s;

	CHECK(mfw_model_count() == 12);
	CHECK(mfw_model_get(12) == NULL);
	for (size_t i = 0; i < mfw_model_count(); i++) {
		m = mfw_model_get(i);
		CHECK(m->subs[0].name != NULL);
		CHECK(m->range != NULL);
		CHECK(m->paths != 0);
		CHECK(m->cfg & MFW_CFG_BIT(MFW_CFG_URL));
	}

	m = mfw_model_find("ml307a-gsln", 11, &sub);
	CHECK(m && !strcmp(m->name, "ML307A") &&
	      !strcmp(sub->name, "ML307A-GSLN"));
	m = mfw_model_find("ML305A", 6, &sub);
	CHECK(m && !strcmp(sub->name, "ML305A-DC"));
	CHECK(!mfw_model_find("ML307", 5, NULL));

	CHECK(!strcmp(ident("ML307R-DC-MBRH0S01", &s), "ML307R-DC"));
	CHECK(!strcmp(ident("CMCC\r\nML307R\r\nRevision: ML307R-DL-MBRH0S02",
			    &s), "ML307R-DL"));
	CHECK(!strcmp(ident("MN316-S-DLVS_V1.2", &s), "MN316-S") &&
	      !strcmp(s, "MN316-S-DLVS"));
	CHECK(!strcmp(ident("MN316-DLVS", &s), "MN316"));
	CHECK(!strcmp(ident("x ML307A-DSLN-MBRH", &s), "ML307A") &&
	      !strcmp(s, "ML307A-DSLN"));
	CHECK(ident("XML307A", &s) == NULL);
	CHECK(ident("ML3070", &s) == NULL);

	CHECK(url("ML307A-DSLN", "ftp://h/f") == 0);
	CHECK(url("ML307A-DCLN", "ftp://h/f") == MFW_CME_URL_TYPE);
	CHECK(url("ML307A", "FTP://h/f") == MFW_CME_URL_TYPE);
	CHECK(url("ML302S", "https://h/f") == MFW_CME_URL_TYPE);
	CHECK(url("ML302S", "FTP://h/f") == 0);
	CHECK(url("MN318", "https://h/f") == MFW_CME_URL_TYPE);
	CHECK(url("ML307R-DC", "file://x") == MFW_CME_URL_TYPE);
	CHECK(url("ML307R-DC", "ftps://x") == MFW_CME_URL_TYPE);
	CHECK(url("ML307R-DC", "http") == MFW_CME_URL_TYPE);

	m = mfw_model_find("MN318", 5, NULL);
	CHECK(mfw_model_cfg_int(m, MFW_CFG_PKGSIZE, 512) == 0);
	CHECK(mfw_model_cfg_int(m, MFW_CFG_PKGSIZE, 1024) == MFW_CME_CONFIG);
	CHECK(mfw_model_cfg_int(m, MFW_CFG_SSL, 0) == MFW_CME_CONFIG);
	m = mfw_model_find("MN316", 5, NULL);
	CHECK(mfw_model_cfg_int(m, MFW_CFG_PKGSIZE, 3072) == 0);
	CHECK(mfw_model_cfg_int(m, MFW_CFG_PKGSIZE, 3584) == MFW_CME_CONFIG);
	CHECK(mfw_model_cfg_int(m, MFW_CFG_PROGIND, 1023) == MFW_CME_CONFIG);
	CHECK(mfw_model_cfg_int(m, MFW_CFG_TIMEOUT, 180) == 0);
	CHECK(mfw_model_cfg_int(m, MFW_CFG_URL, 1) == MFW_CME_CONFIG);
	CHECK(mfw_model_cfg_int(m, 99, 1) == MFW_CME_CONFIG);
	m = mfw_model_find("ML305U", 6, NULL);
	CHECK(mfw_model_cfg_int(m, MFW_CFG_MODE, 0) == MFW_CME_CONFIG);
	m = mfw_model_find("ML307S", 6, NULL);
	CHECK(mfw_model_cfg_int(m, MFW_CFG_PKGSIZE, 512) == MFW_CME_CONFIG);
	CHECK(mfw_cfg_key_find("PKGSIZE", 7) == MFW_CFG_PKGSIZE);
	CHECK(mfw_cfg_key_find("pkg", 3) < 0);

	m = mfw_model_find("ML307R-DC", 9, NULL);
	CHECK(m->special.reboots == MFW_MINI_REBOOTS && m->special.percent);
	CHECK(m->stored.reboots == 1 && m->stored.rollback && !m->check);
	CHECK(mfw_model_pkg_error(m, MFW_PKG_MINI, false) == MFW_CME_PKG_MINI);
	CHECK(mfw_model_pkg_error(m, MFW_PKG_MINI, true) == 0);
	CHECK(mfw_model_pkg_error(m, MFW_PKG_FS, true) == MFW_CME_PKG_FS);
	CHECK(mfw_model_fits(m, 1000, 152 * 1024 + 1000) == 0);
	CHECK(mfw_model_fits(m, 1001, 152 * 1024 + 1000) == MFW_CME_NO_SPACE);
	CHECK(mfw_model_fits(m, 5000, 100) == MFW_CME_NO_SPACE);
	CHECK(mfw_model_fits(mfw_model_find("MN316", 5, NULL), 1u << 30, 0)
	      == 0);

	if (failures)
		fprintf(stderr, "%d failures\n", failures);
	return failures ? 1 : 0;
}
