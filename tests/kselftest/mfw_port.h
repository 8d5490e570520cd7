/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A module on a port for mfw's selftests: the simulator on one side, the
 * mfw discipline attached to the other, over a pty or the USB gadget.
 */
#ifndef MFW_PORT_H
#define MFW_PORT_H

#include <stdbool.h>
#include <stddef.h>
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

/*
 * port_up() for the simulated @model keeping its state in @state (and
 * @state.pkg), flashing in 300 ms, with @extra arguments (NULL-terminated,
 * may be NULL); then wait up to 20 s until mfw identified the module.
 * Returns 0 or a negative errno.
 */
int port_up_model(struct mfw_port_rig *r, bool usb, const char *model,
		  const char *state, const char *const extra[]);

/*
 * Write a package of @size bytes to @path: pseudo-random data from @seed
 * without 'A' or 'a' (so the rest of a transparent write that a module
 * reads as commands after an error can never start one), ending with the
 * "MFWVER:@version" trailer.  Returns 0 or a negative errno.
 */
int port_make_image(const char *path, size_t size, const char *version,
		    unsigned int seed);

/*
 * Whether the simulated module whose state file is @state stored exactly
 * the package @path (its pkg_len and first bytes).  Says why not on stderr.
 */
bool port_module_holds(const char *state, const char *path);

#endif /* MFW_PORT_H */
