// SPDX-License-Identifier: GPL-2.0-only
/*
 * The name a port is known by to ModemManager and sysfs, from what the
 * helper holds: a kernel name, a device path, a by-id link, or the path a
 * journal kept for a node that is gone.  The inhibitor compares it with
 * ModemManager's port names, so a path must never reach it as a path.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "port.h"
#include "tap.h"

static char name[MFW_NAME_MAX];

static const char *kname(const char *port)
{
	memset(name, 'x', sizeof(name));
	mfw_tty_kernel_name(port, name, sizeof(name));
	return name;
}

int main(void)
{
	char *dir = tap_tmpdir();
	char link[600], pts[64], want[64];
	char small[4];
	int m;

	check(!strcmp(kname("ttyUSB2"), "ttyUSB2"), "a kernel name stays as it is (%s)", name);
	check(!strcmp(kname("/dev/ttyMFWGONE7"), "ttyMFWGONE7"),
	      "a path whose node is gone gives its last component (%s)", name);
	check(!strcmp(kname("/dev/pts/4077"), "pts4077"),
	      "a pty path whose node is gone gives sysfs's pts name (%s)", name);

	/* A by-id style link to a real tty resolves to the tty's own name. */
	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m >= 0 && !grantpt(m) && !unlockpt(m) && ptsname_r(m, pts, sizeof(pts)) == 0) {
		snprintf(link, sizeof(link), "%s/usb-CMIOT_ML307R-if02-port0", dir);
		snprintf(want, sizeof(want), "pts%s", pts + strlen("/dev/pts/"));
		check(symlink(pts, link) == 0, "made a link to %s", pts);
		check(!strcmp(kname(link), want),
		      "a /dev/serial/by-id style link gives the tty it points at (%s, want %s)",
		      name, want);
		check(!strcmp(kname(pts), want), "the pty's own path gives %s (%s)", want, name);
	} else {
		check(0, "no pty to link to");
	}
	if (m >= 0)
		close(m);

	/* The module re-enumerating: its by-id link dangles for a while. */
	snprintf(link, sizeof(link), "%s/usb-CMIOT_ML307R-if02-port0-gone", dir);
	check(symlink("../../ttyMFWGONE3", link) == 0, "made a dangling link");
	check(!strcmp(kname(link), "ttyMFWGONE3"),
	      "a dangling by-id link gives the tty it named, not its own name (%s)", name);

	/* A link to a pty that has closed since. */
	snprintf(link, sizeof(link), "%s/sim-gone", dir);
	check(symlink("/dev/pts/4078", link) == 0, "made a link to a gone pty");
	check(!strcmp(kname(link), "pts4078"),
	      "a dangling link to /dev/pts/N gives ptsN (%s)", name);

	mfw_tty_kernel_name("/dev/ttyUSB2", small, sizeof(small));
	check(!strcmp(small, "tty"), "a short buffer gets a terminated prefix (%s)", small);

	tap_rmtree(dir);
	return tap_done();
}
