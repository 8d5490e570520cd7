// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the hex path: each chunk of a package goes to the module as
 * AT+MFWDLOAD=<offset>,<len>,"<hex>" and is in once the module said OK
 * (SPEC, AT+MFWDLOAD; the driver sends the hex quoted).
 */
#include <linux/kernel.h>

#include "mfw.h"

/* One hex chunk of at most hex_max bytes.  Caller: mutex. */
int mfw_hex_chunk(struct mfw_port *port, const u8 *data, size_t len)
{
	struct mfw_xfer *x = &port->xfer;
	char *p;
	int n, ret;

	lockdep_assert_held(&x->mutex);
	n = scnprintf(x->cmd, MFW_HEX_CMD_MAX, "AT+MFWDLOAD=%llu,%zu,\"",
		      x->pos, len);
	p = bin2hex(x->cmd + n, data, len);
	*p++ = '"';
	*p = '\0';
	ret = mfw_chan_command(port, x->cmd, NULL, 0, mfw_write_timeout_ms);
	if (ret)
		return ret;
	mfw_digest_update(x, data, len);
	x->pos += len;
	x->failed = 0;
	mfw_xfer_progress(port);
	return 0;
}
