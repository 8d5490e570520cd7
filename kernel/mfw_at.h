/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfw - framer and classifier of what a module sends on its AT port.
 *
 * Compiled into the module and, unchanged, into the simulator's tests, the
 * host unit tests and the fuzzer: no kernel or libc dependency beyond
 * mfw_types.h.
 */
#ifndef _MFW_AT_H
#define _MFW_AT_H

#include "mfw_types.h"

/* Longest line kept; longer lines are cut here and flagged. */
#define MFW_AT_LINE_MAX		512

/* What a received line is. */
enum mfw_at_type {
	MFW_AT_OK,		/* final result OK */
	MFW_AT_ERROR,		/* final result ERROR */
	MFW_AT_CME_ERROR,	/* final result +CME ERROR: <err> */
	MFW_AT_CMS_ERROR,	/* final result +CMS ERROR: <err> */
	MFW_AT_CIS_ERROR,	/* final result +CIS ERROR: <err> */
	MFW_AT_PROMPT,		/* "> " asking for transparent data */
	MFW_AT_MFWDLOAD,	/* +MFWDLOAD: <state>[,<total>],<dlength> */
	MFW_AT_MFWUPGRADE,	/* +MFWUPGRADE: <state>[,<percent>] */
	MFW_AT_MATREADY,	/* +MATREADY: the module booted */
	MFW_AT_OTHER,		/* anything else: info lines, echoes */
	MFW_AT_TYPE_NR
};

/**
 * struct mfw_at_event - one classified line
 * @type: what the line is
 * @line: the line without its terminator (not NUL-terminated)
 * @len: length of @line
 * @truncated: the line was longer than MFW_AT_LINE_MAX and was cut
 * @malformed: a FOTA URC whose fields did not parse (then @type is OTHER)
 * @code: error code of a CME/CMS/CIS error (verbose texts mapped back),
 *	-1 when unknown
 * @state: the URC's state field
 * @has_total: +MFWDLOAD carried a total
 * @total: +MFWDLOAD total
 * @dlength: +MFWDLOAD bytes so far
 * @percent: +MFWUPGRADE percent, -1 when absent
 */
struct mfw_at_event {
	enum mfw_at_type type;
	const char *line;
	size_t len;
	bool truncated;
	bool malformed;
	int code;
	int state;
	bool has_total;
	unsigned long total;
	unsigned long dlength;
	int percent;
};

/**
 * struct mfw_at_parser - framer state between feeds
 * @buf: the line being received
 * @len: bytes in @buf
 * @overflow: the line being received exceeded @buf
 * @expect_prompt: a '>' at the start of a line is the transparent prompt
 * @skip_space: the prompt's following space is to be skipped
 */
struct mfw_at_parser {
	char buf[MFW_AT_LINE_MAX];
	size_t len;
	bool overflow;
	bool expect_prompt;
	bool skip_space;
};

/**
 * typedef mfw_at_cb - receives each event as it is recognised
 * @ev: the event, valid only during the call
 * @ctx: the caller's context
 *
 * Return: true to go on, false to stop the feed after this event.
 */
typedef bool (*mfw_at_cb)(const struct mfw_at_event *ev, void *ctx);

void mfw_at_init(struct mfw_at_parser *p);
void mfw_at_expect_prompt(struct mfw_at_parser *p, bool on);
size_t mfw_at_feed(struct mfw_at_parser *p, const char *buf, size_t len,
		   mfw_at_cb cb, void *ctx);
void mfw_at_classify(const char *line, size_t len,
		     struct mfw_at_event *ev);
bool mfw_at_is_final(enum mfw_at_type type);
const char *mfw_at_type_name(enum mfw_at_type type);

#endif /* _MFW_AT_H */
