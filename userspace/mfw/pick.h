/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - which package an automatic upgrade (mfw upgrade --auto)
 * would install on a module, and why: the choice "mfw status" shows and
 * "--auto" acts on, made in one place.
 */
#ifndef MFW_PICK_H
#define MFW_PICK_H

#include <limits.h>
#include <stdbool.h>

#include "config.h"
#include "manifest.h"
#include "port.h"

enum mfw_pick_verdict {
	MFW_PICK_FOUND,		/* @image is the package to install */
	MFW_PICK_UNIDENTIFIED,	/* the module has not said what it runs */
	MFW_PICK_URL_ONLY,	/* the family upgrades only from a url */
	MFW_PICK_NO_DIR,	/* no <firmware_dir>/<family> directory */
	MFW_PICK_NONE,		/* no package there is newer and fits */
	MFW_PICK_REFUSED_BEFORE, /* the best one was refused last time */
};

struct mfw_pick {
	enum mfw_pick_verdict verdict;
	char family[MFW_VERSION_MAX];	/* as the port reports it */
	char firmware[MFW_VERSION_MAX];	/* the running version */
	char dir[PATH_MAX];		/* where packages were looked for */
	char image[PATH_MAX];		/* FOUND, REFUSED_BEFORE: the image */
	struct mfw_manifest man;	/* and its manifest */
	unsigned int seen;		/* manifests in @dir */
	unsigned int rejected;		/* of them, refused by their loader */
	unsigned int incomplete;	/* image missing or not the manifest's size */
	unsigned int fitting;		/* of them, upgrades for this module */
	char why[512];			/* one sentence for people */
};

/*
 * Whether the package of manifest @m upgrades a module of family @family
 * running @fw: the module's family (and a differential package's base),
 * a version of the same line (mfw_same_line()) and newer.
 */
bool mfw_pick_fits(const struct mfw_manifest *m, const char *family,
		   const char *fw);

/*
 * Choose the newest package in <firmware_dir>/<family>/ that upgrades the
 * module on @port (its family, firmware and paths attributes), preferring
 * a differential package to a full one of the same version, and not one
 * the module refused last time (the journal in state_dir).  Manifests
 * whose signature or text is bad are passed over (their loader says why
 * on stderr, unless mfw_quiet), and so are packages whose image is
 * missing or not of the manifest's size (still being copied); among
 * packages alike, the first by name.  Fills @out and returns its verdict;
 * never fails otherwise.
 */
enum mfw_pick_verdict mfw_pick_package(const struct mfw_config *cfg,
				       const struct mfw_port *port,
				       struct mfw_pick *out);

/* Short name of a verdict for machines ("found", "none", ...). */
const char *mfw_pick_verdict_name(enum mfw_pick_verdict v);

#endif /* MFW_PICK_H */
