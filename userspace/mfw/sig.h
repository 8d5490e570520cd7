/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - SIGTERM, SIGINT and SIGHUP arrive on a signalfd, never
 * asynchronously.  Every wait of the program goes through mfw_poll(), which
 * returns -EINTR when one arrived, unless the signals are deferred (while
 * the module may be flashing): then they are noted, announced once, and
 * left for the next safe point to honour.
 */
#ifndef MFW_SIG_H
#define MFW_SIG_H

#include <poll.h>
#include <stdbool.h>

/* Block the three signals and open the signalfd.  0 or -errno. */
int mfw_sig_init(void);

/* Defer (true) or honour (false) signals from now on. */
void mfw_sig_defer(bool defer);

/* The signal received and not yet honoured, or 0 (drains the fd). */
int mfw_sig_pending(void);

/*
 * poll() on @fds plus the signalfd.  Returns the number of ready entries
 * of @fds, 0 on timeout, -EINTR for a signal to honour, or -errno.
 * @timeout_ms < 0 is not allowed: every wait has a limit.
 */
int mfw_poll(struct pollfd *fds, int n, int timeout_ms);

/* Sleep @ms, returning -EINTR early for a signal to honour. */
int mfw_sig_sleep(int ms);

#endif /* MFW_SIG_H */
