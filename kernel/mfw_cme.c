// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - the FOTA error codes and their meanings.
 *
 * The verbose texts are what mfw shows in sysfs and logs, and what the
 * simulator prints with AT+CMEE=2.
 */
#include "mfw_cme.h"

static const char * const mfw_cme_texts[] = {
	[MFW_CME_UNKNOWN - MFW_CME_FIRST]	= "unknown error",
	[MFW_CME_CONFIG - MFW_CME_FIRST]	= "configuration error",
	[MFW_CME_URL_TYPE - MFW_CME_FIRST]	= "URL type error",
	[MFW_CME_WRITE - MFW_CME_FIRST]		= "package write error",
	[MFW_CME_UPGRADE - MFW_CME_FIRST]	= "upgrade error",
	[MFW_CME_DOWNLOAD - MFW_CME_FIRST]	= "package download failed",
	[MFW_CME_RETRIES - MFW_CME_FIRST]	= "maximum retry count exceeded",
	[MFW_CME_NO_NETWORK - MFW_CME_FIRST]	= "no network",
	[MFW_CME_PKG_FS - MFW_CME_FIRST]	= "wrong package type: file-system package",
	[MFW_CME_PKG_MINI - MFW_CME_FIRST]	= "wrong package type: minimal-system package",
	[MFW_CME_NO_SPACE - MFW_CME_FIRST]	= "not enough file-system space",
};

const char *mfw_cme_text(int code)
{
	if (code < MFW_CME_FIRST || code > MFW_CME_LAST)
		return NULL;
	return mfw_cme_texts[code - MFW_CME_FIRST];
}

static char mfw_ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c;
}

int mfw_cme_from_text(const char *text, size_t len)
{
	int code;

	for (code = MFW_CME_FIRST; code <= MFW_CME_LAST; code++) {
		const char *t = mfw_cme_texts[code - MFW_CME_FIRST];
		size_t i;

		if (strlen(t) != len)
			continue;
		for (i = 0; i < len; i++)
			if (mfw_ascii_lower(t[i]) != mfw_ascii_lower(text[i]))
				break;
		if (i == len)
			return code;
	}
	return -1;
}
