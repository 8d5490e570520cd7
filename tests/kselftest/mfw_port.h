/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A module on a port for mfw's selftests: the simulator on one side, the
 * mfw discipline attached to the other, over a pty, the USB gadget or the
 * guest's UART (the simulator then runs on the host, behind the module
 * bench of tests/vm/uart-bench.py).
 */
#ifndef MFW_PORT_H
#define MFW_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct mfw_port_rig {
	bool usb;
	bool uart;		/* the module is the bench's, on ttyS1 */
	int tty;		/* the host side, mfw attached */
	int master;		/* pty master (pty only) */
	int bench;		/* the bench's control port (UART only) */
	pid_t sim;
	char path[64];		/* host-side tty */
	char transcript[64];	/* the simulator's transcript (not UART) */
};

/*
 * The guest's UART the bench's module is wired to: MFW_UART_TTY when
 * run-vm.sh set it (ttyAMA0, the PL011 of an arm64 guest), else the x86
 * guests' second 8250, ttyS1.
 */
const char *port_uart_tty(void);

/*
 * The bench's control port when this guest has one (MFW_UART_BENCH in
 * the environment, set by run-vm.sh), else NULL: the UART tests skip.
 */
const char *port_uart_bench(void);

/*
 * Give the 8250 driver behind @fd the board's UART clock: MFW_UART_BASE
 * (the rate at divisor 1, bit/s; run-vm.sh sets it with the bench, and
 * QEMU's 16550s have the same base), then set the line raw at 115200 so
 * that the divisor follows.  0 without MFW_UART_BASE, or a negative errno.
 */
int port_uart_clock(int fd);

/*
 * The 8250 driver's base rate (bit/s at divisor 1) of the UART @fd, then
 * the line raw at 115200; a base of 115200 is a PC's 1.8432 MHz clock.
 * 0 or a negative errno.
 */
int port_uart_set_base(int fd, long base);

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
 * The UART transport: power the bench's module off, wipe its flash, open
 * and attach mfw to port_uart_tty() (raw, 115200), power the simulated
 * @model on with @extra options (NULL-terminated, may be NULL; only
 * those the bench allows), wait for its +MATREADY and until mfw
 * identified it.  Returns 0 or a negative errno; what was set up is left
 * for port_down().
 */
int port_up_uart_model(struct mfw_port_rig *r, const char *model,
		       const char *const extra[]);

/*
 * Send the bench an order ("off", "on --model X", "holds", ...) and wait
 * up to @timeout_ms for its answer, copied to @reply (without the order's
 * id) when not NULL.  Returns 0 when the bench said "ok", -EREMOTEIO when
 * it refused (its reason on stderr), -ETIMEDOUT or -errno.
 */
int port_bench_order(struct mfw_port_rig *r, const char *order, char *reply,
		     size_t len, int timeout_ms);

/*
 * Whether the bench's module received @text (in the transcript's
 * escaping): 1 yes, 0 no, a negative errno when the bench did not answer
 * (so that a check that something was not sent cannot pass by silence).
 */
int port_bench_sent(struct mfw_port_rig *r, const char *text);

/*
 * Whether the driver's digests of the package it sent (the port's
 * digest/md5, digest/sha1 and digest/sha256, on tty @path) are busybox's
 * of the file @image.  0 they all are, -EBADMSG one differs (said on
 * stderr), another negative errno when one could not be read.
 */
int port_digests_match(const char *path, const char *image);

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

/*
 * port_module_holds() for whichever transport @r is: on the UART, the
 * bench's module must hold exactly as many bytes as @path has, with the
 * same SHA-256.  1 it does, 0 it does not, a negative errno when that
 * could not be found out (the bench silent, the image unreadable).
 */
int port_rig_holds(struct mfw_port_rig *r, const char *state,
		   const char *path);

/*
 * Start the mfw helper (found on PATH) with @args (NULL-terminated, after
 * "mfw"; at most 14), its output appended to @log, its state in
 * @state_dir, on its built-in configuration (MFW_CONFIG unset: the
 * guests have no /etc/mfw/mfw.conf).  The pid, or a negative errno.
 */
pid_t port_mfw_start(const char *log, const char *state_dir,
		     const char *const args[]);

/*
 * Wait up to @timeout_ms for @pid: its exit code, 128 when a signal ended
 * it, or -ETIMEDOUT once it was killed for taking longer.
 */
int port_mfw_wait(pid_t pid, int timeout_ms);

#endif /* MFW_PORT_H */
