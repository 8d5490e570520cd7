/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw - the FOTA error codes a module reports as "+CME ERROR: <n>".
 *
 * Shared by the module, the simulator and the helper.
 */
#ifndef _MFW_CME_H
#define _MFW_CME_H

#include "mfw_types.h"

/* Error codes of the FOTA command set (vendor manual, section 5.1). */
enum mfw_cme {
	MFW_CME_UNKNOWN		= 850,	/* unknown error */
	MFW_CME_CONFIG		= 851,	/* configuration error */
	MFW_CME_URL_TYPE	= 852,	/* URL type error */
	MFW_CME_WRITE		= 853,	/* package write error */
	MFW_CME_UPGRADE		= 854,	/* upgrade error */
	MFW_CME_DOWNLOAD	= 855,	/* package download failed */
	MFW_CME_RETRIES		= 856,	/* maximum retry count exceeded */
	MFW_CME_NO_NETWORK	= 857,	/* no network */
	MFW_CME_PKG_FS		= 858,	/* wrong package: file-system package */
	MFW_CME_PKG_MINI	= 859,	/* wrong package: minimal-system package */
	MFW_CME_NO_SPACE	= 860,	/* not enough file-system space */
};

#define MFW_CME_FIRST	MFW_CME_UNKNOWN
#define MFW_CME_LAST	MFW_CME_NO_SPACE

/**
 * mfw_cme_text() - English meaning of a FOTA error code
 * @code: the number from "+CME ERROR: <n>"
 *
 * Return: a constant string, or NULL when @code is not a FOTA error code.
 */
const char *mfw_cme_text(int code);

/**
 * mfw_cme_from_text() - FOTA error code of a verbose error text
 * @text: the text after "+CME ERROR: " when verbose errors are on
 * @len: length of @text
 *
 * Matching ignores ASCII case.
 *
 * Return: the code, or -1 when @text is not one of mfw_cme_text()'s strings.
 */
int mfw_cme_from_text(const char *text, size_t len);

#endif /* _MFW_CME_H */
