/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw - the fixed UART rates of the OneMO modules (AT+IPR), shared by the
 * helper and the simulator, and their termios speed codes.
 *
 * SPEC §5 (public ML307x hardware design guide): the module's UART runs at
 * a fixed rate of 1200..921600 bit/s, or in autobaud mode (AT+IPR=0) up
 * to 115200; a firmware upgrade keeps the rate in use.  The vendor's FOTA
 * manual says nothing of AT+IPR: the command's forms are those of ITU-T
 * V.250 6.2.10 (test, read, set; the new rate takes effect after the
 * result code of the command that set it).  Whether a rate set with
 * AT+IPR survives a power cycle is not documented for these modules, so
 * everything that uses this file assumes it may.
 */
#ifndef MFW_IPR_H
#define MFW_IPR_H

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>

/* Autobaud: AT+IPR=0, and AT+IPR? answers 0 (V.250 6.2.10). */
#define MFW_IPR_AUTO		0
/* The fastest rate autobaud detects (SPEC §5). */
#define MFW_IPR_AUTO_MAX	115200

/*
 * The fixed rates the module @family accepts, in bit/s, ascending, ending
 * with 0; with @family NULL or empty, the rates some family accepts.
 * Every family gets the list of SPEC §5, the only one published.
 */
const long *mfw_ipr_rates(const char *family);

/* Whether @rate (bit/s) is one of mfw_ipr_rates(@family). */
bool mfw_ipr_supported(const char *family, long rate);

/* The list of @family as text, "1200 2400 ... 921600", in @buf. */
void mfw_ipr_list(const char *family, char *buf, size_t size);

/*
 * The termios speed code of @rate (B115200 for 115200), or B0 when Linux
 * has no code for that exact rate (termios(3): the B<rate> constants).
 */
speed_t mfw_ipr_speed(long rate);

/* The rate in bit/s of a termios speed code, or 0 for B0 or an unknown one. */
long mfw_ipr_rate(speed_t speed);

#endif /* MFW_IPR_H */
