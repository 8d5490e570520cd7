// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - "mfw attach": hold the module's port with the mfw line
 * discipline, like ldattach, and take it again whenever the module comes
 * back from a reboot or a re-plug.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "link.h"
#include "sig.h"
#include "util.h"

/* Default wait for the port to come back, in seconds. */
#define MFW_ATTACH_WAIT_S	3600
/* How often the held tty's input is looked at. */
#define MFW_ATTACH_TICK_MS	1000

int mfw_cmd_attach(struct mfw_config *cfg, int argc, char **argv)
{
	long speed = 0, wait_s = MFW_ATTACH_WAIT_S;
	struct mfw_watch *w = NULL;
	const char *tty;
	struct mfw_link l;
	struct mfw_getopt g;
	bool drain = true;
	int c, ret;

	mfw_getopt_init(&g, mfw_cmd_find("attach"), argc, argv);
	while ((c = mfw_getopt_next(&g)) > 0) {
		switch (c) {
		case 's':
			if (mfw_parse_long(optarg, 1200, 4000000, &speed)) {
				mfw_err("attach: bad --speed '%s'; give a baud rate such as 115200",
					optarg);
				return MFW_EXIT_USAGE;
			}
			break;
		case 'n':
			drain = false;
			break;
		case 't':
			if (mfw_parse_long(optarg, 1, 86400 * 365, &wait_s)) {
				mfw_err("attach: bad --timeout '%s'; give seconds", optarg);
				return MFW_EXIT_USAGE;
			}
			break;
		}
	}
	if (c < 0)
		return g.exit;
	tty = optind < argc ? argv[optind++] : cfg->port;
	if (!tty || !*tty || optind < argc) {
		mfw_err("attach: give one tty (or port= in the configuration); see 'mfw attach --help'");
		return MFW_EXIT_USAGE;
	}
	/* speed= of the module's [module] section, if it has one. */
	ret = mfw_cli_module(cfg, tty);
	if (ret)
		return ret;
	if (!speed)
		speed = cfg->speed;
	if (mfw_sig_init())
		return MFW_EXIT_FAIL;
	mfw_link_init(&l, tty, speed, cfg->sysfs_root);
	ret = mfw_link_attach(&l);
	if (ret == -ENOPKG) {
		mfw_err("attach: the mfw kernel module is not loaded; run 'modprobe mfw'");
		return MFW_EXIT_PORT;
	}
	if (ret) {
		mfw_err("attach: %s: %s; check the path and that no other program set a line discipline on it",
			tty, strerror(-ret));
		return ret == -EINVAL ? MFW_EXIT_USAGE : MFW_EXIT_PORT;
	}
	if (mfw_watch_open(&w))
		mfw_info("no uevent monitor: noticing the port's return by polling");
	mfw_info("attached to %s (%s%s%s)", l.node, l.tty, *l.ident ? ", USB " : "", l.ident);
	for (;;) {
		struct pollfd p[2] = {
			{ .fd = l.fd, .events = 0 },
			{ .fd = w ? mfw_watch_fd(w) : -1, .events = POLLIN },
		};
		char a[64], s[64], n[64];
		bool gone = false;

		ret = mfw_poll(p, 2, MFW_ATTACH_TICK_MS);
		if (ret == -EINTR)
			break;
		if (ret < 0) {
			mfw_err("attach: %s", strerror(-ret));
			break;
		}
		if (mfw_link_service(&l, p[0].revents, drain) == -ENODEV)
			gone = true;
		while (w && p[1].revents && mfw_watch_read(w, a, s, n, sizeof(a)) > 0)
			if (mfw_link_removed(&l, a, s, n))
				gone = true;
		if (!gone)
			continue;
		mfw_info("%s went away; waiting up to %ld s for it to come back", l.tty, wait_s);
		ret = mfw_link_reattach(&l, w, (int)(wait_s > 2000000 ? 2000000000 : wait_s * 1000));
		if (ret == -EINTR)
			break;
		if (ret == -ETIMEDOUT) {
			mfw_err("attach: %s did not come back in %ld s; check the module's power (mfw power status)",
				tty, wait_s);
			mfw_watch_close(w);
			return MFW_EXIT_TIMEOUT;
		}
		if (ret) {
			mfw_watch_close(w);
			return MFW_EXIT_PORT;
		}
		mfw_info("attached again to %s (%s)", l.node, l.tty);
	}
	mfw_info("detaching from %s", l.tty);
	mfw_link_drop(&l);
	mfw_watch_close(w);
	return MFW_EXIT_OK;
}
