// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the fixed UART rates of the OneMO modules and their termios codes.
 */
#include <stdio.h>
#include <string.h>

#include "mfw_ipr.h"

/* SPEC §5: fixed rates 1200..921600, the standard steps between. */
static const long mfw_ipr_onemo[] = {
	1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400,
	460800, 921600, 0
};

/* Every termios code Linux defines from 1200 up (asm-generic/termbits.h). */
static const struct {
	long rate;
	speed_t code;
} mfw_ipr_codes[] = {
	{ 1200, B1200 }, { 1800, B1800 }, { 2400, B2400 }, { 4800, B4800 },
	{ 9600, B9600 }, { 19200, B19200 }, { 38400, B38400 },
	{ 57600, B57600 }, { 115200, B115200 }, { 230400, B230400 },
	{ 460800, B460800 }, { 500000, B500000 }, { 576000, B576000 },
	{ 921600, B921600 }, { 1000000, B1000000 }, { 1152000, B1152000 },
	{ 1500000, B1500000 }, { 2000000, B2000000 }, { 2500000, B2500000 },
	{ 3000000, B3000000 }, { 3500000, B3500000 }, { 4000000, B4000000 },
};

#define NCODES	(sizeof(mfw_ipr_codes) / sizeof(mfw_ipr_codes[0]))

const long *mfw_ipr_rates(const char *family)
{
	(void)family;	/* one list for all (SPEC §5) */
	return mfw_ipr_onemo;
}

bool mfw_ipr_supported(const char *family, long rate)
{
	const long *r = mfw_ipr_rates(family);

	for (; r && *r; r++)
		if (*r == rate)
			return true;
	return false;
}

void mfw_ipr_list(const char *family, char *buf, size_t size)
{
	const long *r = mfw_ipr_rates(family);
	size_t len = 0;

	if (size)
		buf[0] = '\0';
	for (; r && *r && len < size; r++) {
		int n = snprintf(buf + len, size - len, "%s%ld",
				 len ? " " : "", *r);

		if (n < 0)
			break;
		len += (size_t)n;
	}
}

speed_t mfw_ipr_speed(long rate)
{
	for (size_t i = 0; i < NCODES; i++)
		if (mfw_ipr_codes[i].rate == rate)
			return mfw_ipr_codes[i].code;
	return B0;
}

long mfw_ipr_rate(speed_t speed)
{
	for (size_t i = 0; i < NCODES; i++)
		if (mfw_ipr_codes[i].code == speed)
			return mfw_ipr_codes[i].rate;
	return 0;
}
