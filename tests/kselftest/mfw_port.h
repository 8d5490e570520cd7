/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A module on a port for mfw's selftests: the simulator on one side, the
 * mfw discipline attached to the other, over a pty or the USB gadget.
 */
#ifndef MFW_PORT_H
#define MFW_PORT_H

#include <stdbool.h>
#include <sys/types.h>

struct mfw_port_rig {
	bool usb;
	int tty;		/* the host side, mfw attached */
	int master;		/* pty master (pty only) */
	pid_t sim;
	char path[64];		/* host-side tty */
	char transcript[64];	/* the simulator's transcript */
};

/*
 * Bring a port up: create the transport, attach mfw, start the simulator
 * with @args (NULL-terminated) and wait for its +MATREADY.  Returns 0 or a
 * negative errno; on failure what was set up is left for port_down().
 */
int port_up(struct mfw_port_rig *r, bool usb, const char *const args[]);

/* Take the port down: stop the simulator, close, remove the gadget. */
void port_down(struct mfw_port_rig *r);

#endif /* MFW_PORT_H */
