/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - what an error from the driver means for the upgrade: the
 * message an administrator reads, the exit code, and where the journal
 * goes.  Pure functions, so that every case can be checked on the host.
 */
#ifndef MFW_VERDICT_H
#define MFW_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "journal.h"

/* Notes of a journal closed because the module refused the package. */
#define MFW_NOTE_PKG_REFUSED		"package refused"
#define MFW_NOTE_UPGRADE_REFUSED	"upgrade refused"

/*
 * A /dev/mfwN write (or its close or commit) failed with errno @err while
 * the port's last_error reads @last ("860 not enough file-system space",
 * "none", or empty).  When the module refused the package (ENOSPC,
 * ENOEXEC, EIO, EREMOTEIO, or EINVAL with 851 in @last), writes into @msg
 * which error the module gave and what to do next, and returns true; the
 * exit code is then MFW_EXIT_UPGRADE and nothing should retry the package
 * on its own.  Otherwise returns false and leaves @msg alone.
 */
bool mfw_write_refusal(int err, const char *last, char *msg, size_t size);

/*
 * Writing "1" to the port's upgrade attribute failed with errno @err: the
 * AT+MFWUPGRADE command was never sent, or the module answered it with an
 * error.  Either way the module is not flashing.  Writes the explanation
 * (@last is the port's last_error, @fw the version the module keeps,
 * @busy who may keep the port busy (mfw_port_busy_hint()), said for
 * EBUSY; NULL or "" for none) into @msg, sets *@phase to the journal phase to record (MFW_PHASE_WRITTEN
 * when a retry through "mfw resume" makes sense, MFW_PHASE_FAILED when the
 * package must be written again or the module refused) and returns the
 * exit code.
 */
int mfw_trigger_failure(int err, const char *last, const char *fw,
			const char *busy, enum mfw_phase *phase, char *msg,
			size_t size);

/*
 * MFW_PATH_* bits of the port's paths attribute ("transparent remote").
 * 0 on success, -EINVAL for "unknown", an empty value or an unknown word.
 */
int mfw_paths_parse(const char *text, unsigned int *bits);

/*
 * Whether the finished journal @last says the module refused the very
 * package @sha256 while it ran @fw: an automatic upgrade must not offer it
 * again (it would be refused again on every identification).
 */
bool mfw_refused_before(const struct mfw_journal *last, const char *sha256,
			const char *fw);

/*
 * Whether versions @a and @b are of one line, equal up to their last '-'
 * (ML307R-DC-MBRH0S01, ML307R-DC-MBRH0S02), so that strverscmp(3) orders
 * them; ML307A-GSLN-V1 and ML307A-DCLN-V3, or a version with a build
 * suffix against one without, are not.
 */
bool mfw_same_line(const char *a, const char *b);

#endif /* MFW_VERDICT_H */
