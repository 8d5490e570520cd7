// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - the package an automatic upgrade would install.
 */
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "journal.h"
#include "mfw_models.h"
#include "pick.h"
#include "util.h"
#include "verdict.h"

bool mfw_pick_fits(const struct mfw_manifest *m, const char *family,
		   const char *fw)
{
	char why[128];

	if (mfw_manifest_check_module(m, family, fw, why, sizeof(why)))
		return false;
	return mfw_same_line(m->version, fw) && strverscmp(m->version, fw) > 0;
}

/* Whether @m, of image @image, is a better choice than the one in @out. */
static bool mfw_pick_better(const struct mfw_pick *out,
			    const struct mfw_manifest *m, const char *image)
{
	int cmp;

	if (!*out->image)
		return true;
	cmp = strverscmp(m->version, out->man.version);
	if (cmp)
		return cmp > 0;
	/* Same version: the differential package is the smaller download. */
	if (!*m->base != !*out->man.base)
		return *m->base;
	/* Alike: the first by name, whatever order the directory lists. */
	return strcmp(image, out->image) < 0;
}

/* Whether the image @path is there, whole: the manifest's size. */
static bool mfw_pick_complete(const char *path, const struct mfw_manifest *m)
{
	struct stat st;

	return !stat(path, &st) && S_ISREG(st.st_mode) &&
	       (uint64_t)st.st_size == m->size;
}

static void mfw_pick_scan(const struct mfw_config *cfg, struct mfw_pick *out)
{
	struct dirent *de;
	DIR *d = opendir(out->dir);

	if (!d) {
		out->verdict = MFW_PICK_NO_DIR;
		snprintf(out->why, sizeof(out->why),
			 "no packages for %s in %s (no such directory)",
			 out->family, out->dir);
		return;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);
		struct mfw_manifest m;
		char path[PATH_MAX];
		bool ok;

		if (n <= 9 || strcmp(de->d_name + n - 9, ".manifest"))
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", out->dir,
			     de->d_name) >= (int)sizeof(path))
			continue;
		out->seen++;
		if (mfw_manifest_load(cfg->pubkey, path, &m, &ok)) {
			out->rejected++;
			continue;
		}
		if (!mfw_pick_fits(&m, out->family, out->firmware))
			continue;
		path[strlen(path) - 9] = '\0';	/* the image */
		if (!mfw_pick_complete(path, &m)) {
			out->incomplete++;
			continue;
		}
		out->fitting++;
		if (!mfw_pick_better(out, &m, path))
			continue;
		out->man = m;
		snprintf(out->image, sizeof(out->image), "%s", path);
	}
	closedir(d);
	out->verdict = *out->image ? MFW_PICK_FOUND : MFW_PICK_NONE;
}

enum mfw_pick_verdict mfw_pick_package(const struct mfw_config *cfg,
				       const struct mfw_port *port,
				       struct mfw_pick *out)
{
	const struct mfw_model *model;
	struct mfw_journal last;
	unsigned int bits;
	char paths[64], why[128];

	memset(out, 0, sizeof(*out));
	if (mfw_port_get(port, "family", out->family, sizeof(out->family)) < 0 ||
	    mfw_port_get(port, "firmware", out->firmware,
			 sizeof(out->firmware)) < 0 ||
	    !*out->firmware ||
	    !(model = mfw_model_find(out->family, strlen(out->family), NULL))) {
		out->verdict = MFW_PICK_UNIDENTIFIED;
		snprintf(out->why, sizeof(out->why),
			 "the module on %s is not identified yet (family '%s', firmware '%s')",
			 port->tty, out->family, out->firmware);
		return out->verdict;
	}
	/* A sub-model's packages are in its row's directory. */
	snprintf(out->dir, sizeof(out->dir), "%s/%s", cfg->firmware_dir,
		 model->name);
	/* The driver's view of the paths first; the helper's table otherwise. */
	if (mfw_port_get(port, "paths", paths, sizeof(paths)) < 0 ||
	    mfw_paths_parse(paths, &bits))
		bits = model->paths;
	if (!(bits & (MFW_PATH_HEX | MFW_PATH_TRANSPARENT))) {
		out->verdict = MFW_PICK_URL_ONLY;
		snprintf(out->why, sizeof(out->why),
			 "the %s family upgrades only from a url (mfw upgrade --url URL); packages in %s are not used",
			 model->name, out->dir);
		return out->verdict;
	}
	mfw_pick_scan(cfg, out);
	if (out->verdict == MFW_PICK_NONE) {
		snprintf(out->why, sizeof(out->why),
			 "the module runs %s; no newer package for it in %s (%u manifest%s looked at%s%.0u%s%s%.0u%s)",
			 out->firmware, out->dir, out->seen,
			 out->seen == 1 ? "" : "s",
			 out->rejected ? ", " : "", out->rejected,
			 !out->rejected ? "" : mfw_quiet ?
			 " refused for a bad signature or text: 'mfw --verbose status' says why" :
			 " refused for a bad signature or text: see the errors",
			 out->incomplete ? ", " : "", out->incomplete,
			 out->incomplete ? " whose image is missing or not the manifest's size" : "");
	} else if (out->verdict == MFW_PICK_FOUND &&
		   !mfw_journal_read_last(cfg->state_dir, &last, why,
					  sizeof(why)) &&
		   mfw_refused_before(&last, out->man.sha256, out->firmware)) {
		out->verdict = MFW_PICK_REFUSED_BEFORE;
		snprintf(out->why, sizeof(out->why),
			 "the module refused %s last time (%s); not offering it again automatically. Fix the cause and run 'mfw upgrade %s'",
			 out->image, last.note, out->image);
	} else if (out->verdict == MFW_PICK_FOUND) {
		snprintf(out->why, sizeof(out->why),
			 "%s to %s with %s (the newest of %u package%s for it in %s)",
			 out->firmware, out->man.version, out->image,
			 out->fitting, out->fitting == 1 ? "" : "s", out->dir);
	}
	return out->verdict;
}

const char *mfw_pick_verdict_name(enum mfw_pick_verdict v)
{
	static const char *const names[] = {
		[MFW_PICK_FOUND] = "found",
		[MFW_PICK_UNIDENTIFIED] = "unidentified",
		[MFW_PICK_URL_ONLY] = "url_only",
		[MFW_PICK_NO_DIR] = "no_directory",
		[MFW_PICK_NONE] = "none",
		[MFW_PICK_REFUSED_BEFORE] = "refused_before",
	};

	return (unsigned int)v < sizeof(names) / sizeof(names[0]) ?
	       names[v] : "unknown";
}
