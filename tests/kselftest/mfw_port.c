// SPDX-License-Identifier: GPL-2.0
/*
 * A module on a port for mfw's selftests.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "mfw_port.h"
#include "rig.h"

#define BOOT_TIMEOUT_MS	15000

int port_up(struct mfw_port_rig *r, bool usb, const char *const args[])
{
	const char *argv[48];
	char udc[64], dir[128];
	size_t n = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	r->usb = usb;
	r->tty = r->master = -1;
	r->sim = -1;
	snprintf(r->transcript, sizeof(r->transcript), "/tmp/modem-%d.log",
		 getpid());
	unlink(r->transcript);

	argv[n++] = "--boot-ms";
	argv[n++] = "200";
	argv[n++] = "--transcript";
	argv[n++] = r->transcript;
	if (usb) {
		if (rig_gadget("create", r->path, sizeof(r->path)) ||
		    rig_gadget("udc", udc, sizeof(udc)) ||
		    rig_gadget("dir", dir, sizeof(dir)))
			return -ENODEV;
		argv[n++] = "--tty";
		argv[n++] = "/dev/ttyGS0";
		argv[n++] = "--gadget";
		argv[n++] = dir;
		argv[n++] = "--udc";
		argv[n++] = udc;
	} else {
		r->master = rig_open_pty(r->path, sizeof(r->path));
		if (r->master < 0)
			return -errno;
	}
	while (args && *args && n < 46)
		argv[n++] = *args++;
	argv[n] = NULL;

	r->tty = rig_open_tty(r->path);
	if (r->tty < 0)
		return -errno;
	/* Attach before the module talks, so no byte bypasses mfw. */
	ret = rig_attach(r->tty);
	if (ret)
		return ret;
	r->sim = rig_sim_start(argv, usb ? -1 : r->master, BOOT_TIMEOUT_MS);
	if (r->sim < 0)
		return -ECHILD;
	return rig_expect_line(r->tty, "+MATREADY", BOOT_TIMEOUT_MS);
}

void port_down(struct mfw_port_rig *r)
{
	rig_sim_stop(r->sim);
	r->sim = -1;
	if (r->tty >= 0)
		close(r->tty);
	if (r->master >= 0)
		close(r->master);
	r->tty = r->master = -1;
	if (r->usb)
		rig_gadget("destroy", NULL, 0);
}
