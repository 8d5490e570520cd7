/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - the upgrade history (<state_dir>/history): every finished
 * upgrade's journal, oldest first, for "mfw history" and "mfw status".
 * Each record is the journal's own text (key=value lines closed by their
 * checksum line), so a record is checked exactly as a journal is; the
 * file is replaced atomically when a record is added and keeps the newest
 * MFW_HISTORY_KEEP records.
 */
#ifndef MFW_HISTORY_H
#define MFW_HISTORY_H

#include <stddef.h>

#include "journal.h"

#define MFW_HISTORY_NAME	"history"
#define MFW_HISTORY_KEEP	100

/* Records read from a history file. */
struct mfw_history {
	struct mfw_journal *rec;	/* oldest first */
	size_t n;
	unsigned int bad;		/* records that failed their checksum */
};

/*
 * Add the finished journal @j to @dir/history (created mode 0600), the
 * oldest records dropped beyond MFW_HISTORY_KEEP.  Damaged records there
 * are kept (and counted) until they are the oldest; a file mfw cannot use
 * (larger than any history it writes, or not a regular file) is moved to
 * history.corrupt, with a warning.  0 or -errno.
 */
int mfw_history_add(const char *dir, const struct mfw_journal *j);

/*
 * Read @dir/history into @h (release with mfw_history_free()).  0 (no
 * file: no records), or -errno (-EFBIG: larger than any history mfw
 * writes; -EINVAL, -EISDIR: not a regular file).  Records that do not
 * parse, or are not of a finished upgrade, are counted in @h->bad.
 */
int mfw_history_read(const char *dir, struct mfw_history *h);

void mfw_history_free(struct mfw_history *h);

#endif /* MFW_HISTORY_H */
