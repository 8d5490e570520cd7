// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - deferred signals through a signalfd.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "sig.h"
#include "util.h"

#define MFW_POLL_MAX	16

static int sig_fd = -1;
static int sig_seen;
static bool sig_deferred;
static bool sig_announced;

int mfw_sig_init(void)
{
	sigset_t set;

	if (sig_fd >= 0)
		return 0;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sig_fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return sig_fd < 0 ? -errno : 0;
}

static void mfw_sig_drain(void)
{
	struct signalfd_siginfo si;

	if (sig_fd < 0)
		return;
	while (read(sig_fd, &si, sizeof(si)) == sizeof(si)) {
		sig_seen = (int)si.ssi_signo;
		if (sig_deferred && !sig_announced) {
			mfw_warn("%s received while the module may be flashing: mfw stops at the next safe point (cutting it now could brick the module)",
				 strsignal(sig_seen));
			sig_announced = true;
		}
	}
}

void mfw_sig_defer(bool defer)
{
	sig_deferred = defer;
	sig_announced = false;
}

int mfw_sig_pending(void)
{
	mfw_sig_drain();
	return sig_seen;
}

int mfw_poll(struct pollfd *fds, int n, int timeout_ms)
{
	struct pollfd all[MFW_POLL_MAX + 1];
	int64_t end = mfw_now_ms() + timeout_ms;
	int i, ret;

	if (n > MFW_POLL_MAX || timeout_ms < 0)
		return -EINVAL;
	for (;;) {
		int left = (int)(end - mfw_now_ms());

		if (left < 0)
			left = 0;
		if (n)
			memcpy(all, fds, n * sizeof(*fds));
		all[n].fd = sig_fd;
		all[n].events = POLLIN;
		all[n].revents = 0;
		ret = poll(all, n + 1, left);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (i = 0; i < n; i++)
			fds[i].revents = all[i].revents;
		if (all[n].revents) {
			mfw_sig_drain();
			ret--;
		}
		if (sig_seen && !sig_deferred)
			return -EINTR;
		if (ret > 0 || left == 0)
			return ret;
	}
}

int mfw_sig_sleep(int ms)
{
	int ret = mfw_poll(NULL, 0, ms);

	return ret < 0 ? ret : 0;
}
