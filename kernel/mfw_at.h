/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw - framer and classifier of what a module sends on its AT port.
 *
 * Compiled into the module and, unchanged, into the host
 * unit tests and the fuzzer: no kernel or libc dependency beyond
 * mfw_types.h and mfw_cme.h.  See mfw_at.c for the rules it follows.
 */
#ifndef _MFW_AT_H
#define _MFW_AT_H

#include "mfw_types.h"

/*
 * Longest line kept.  Enough for +MFWCFG: "url","<256 bytes>" and every
 * other response; longer lines are cut here and flagged.
 */
#define MFW_AT_LINE_MAX		512
/*
 * Where a text-mode SMS's data ends at the latest, in bytes after its
 * header: 160 characters (3GPP TS 23.038: a message of the GSM 7-bit
 * alphabet, the only coding whose text mode has line breaks; 8-bit and
 * UCS2 data come as hex) of up to 4 bytes each in the TE character set.
 * The framer counts each non-empty line as its bytes plus 2 and empty
 * lines as nothing; a message's lines before its last then count at most
 * 640 - 2 * lines - 2, since each holds a character and a line break.
 */
#define MFW_AT_TEXT_DATA_MAX	640

/* Largest number a URC field may carry; larger makes the URC malformed. */
#define MFW_AT_NUM_MAX		0x7fffffffUL

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
	/* RING, NO CARRIER, CONNECT, BUSY, NO ANSWER, NO DIALTONE */
	MFW_AT_V250,		/* V.250 codes, ending none of mfw's commands */
	/* The line after an SMS header (+CMT, +CMGR, +CMGL, +CDS, +CBM) */
	MFW_AT_PAYLOAD,		/* message data: never a report or a result */
	MFW_AT_OTHER,		/* anything else: info lines, echoes */
	MFW_AT_TYPE_NR
};

/**
 * struct mfw_at_event - one classified line
 * @type: what the line is
 * @line: the line without its terminator (not NUL-terminated; may hold
 *	any byte, NUL included)
 * @len: length of @line, at most MFW_AT_LINE_MAX
 * @truncated: the line was longer than MFW_AT_LINE_MAX; @line holds its
 *	first MFW_AT_LINE_MAX bytes.  A truncated line is never a URC, and a
 *	truncated error line has @code -1.
 * @malformed: the line starts like a final error or a FOTA URC but its
 *	fields do not parse (or it was truncated).  A malformed URC is
 *	reported as MFW_AT_OTHER; a malformed error stays a final result with
 *	@code -1.
 * @code: CME/CMS/CIS errors: the numeric code, or for a verbose
 *	+CME ERROR the FOTA code its text names; -1 when unknown.
 *	-1 for every other type.
 * @text: CME/CMS/CIS errors: the error argument as sent, without the
 *	blanks around it (points into @line); NULL for other types
 * @text_len: length of @text
 * @state: +MFWDLOAD (0..3) and +MFWUPGRADE (1..3) state; -1 otherwise
 * @has_total: +MFWDLOAD carried a total (three numbers)
 * @total: +MFWDLOAD total when @has_total, else 0
 * @dlength: +MFWDLOAD bytes so far (0 for the bare "+MFWDLOAD: 0");
 *	never more than @total when @has_total
 * @percent: +MFWUPGRADE percent 0..100, -1 when absent or another type
 * @noise: bytes of line noise before the text (control and 8-bit bytes a
 *	UART picks up while the module restarts); classification starts
 *	after them, and @line keeps them
 * @payload: this line announces message data on the next line (an SMS
 *	header: +CMT, +CMGR and +CMGL of a message, +CDS and +CBM in PDU
 *	mode, +CBM in text mode); the framer then reports that line as
 *	MFW_AT_PAYLOAD
 * @payload_open: with @payload, the data's end is unknown (a text-mode
 *	header, or one of no known shape): the lines after it are data
 *	until mfw_at_quiet() or MFW_AT_TEXT_DATA_MAX bytes after the last
 *	header-shaped line; without it, only the next line is data (PDU mode)
 */
struct mfw_at_event {
	enum mfw_at_type type;
	const char *line;
	size_t len;
	bool truncated;
	bool malformed;
	int code;
	const char *text;
	size_t text_len;
	int state;
	bool has_total;
	unsigned long total;
	unsigned long dlength;
	int percent;
	size_t noise;
	bool payload;
	bool payload_open;
};

/**
 * struct mfw_at_parser - framer state between feeds
 * @buf: the line being received
 * @len: bytes in @buf
 * @overflow: the line being received exceeded @buf; the rest of it is
 *	dropped up to the next terminator
 * @expect_prompt: a '>' at the start of a line is the transparent prompt
 * @skip_space: the prompt's following space is to be skipped
 * @payload: the next complete line is message data (MFW_AT_PAYLOAD)
 * @payload_open: the data's end is unknown (see mfw_at_quiet())
 * @payload_pdu: the header had PDU mode's shape: its line must be hex
 * @payload_lines: data lines since the header
 * @payload_left: for open data, bytes (a line and its CRLF) left before
 *	MFW_AT_TEXT_DATA_MAX; 0 when only the next line is data
 * @payload_lfs: line ends seen since the header or the last data line
 *
 * Initialise with mfw_at_init(); treat the fields as private.  Callers
 * serialise: one feed at a time per parser.
 */
struct mfw_at_parser {
	char buf[MFW_AT_LINE_MAX];
	size_t len;
	bool overflow;
	bool expect_prompt;
	bool skip_space;
	bool payload;
	bool payload_open;
	bool payload_pdu;
	unsigned int payload_lines;
	unsigned long payload_left;
	unsigned int payload_lfs;
};

/**
 * typedef mfw_at_cb - receives each event as it is recognised
 * @ev: the event, valid only during the call
 * @ctx: the caller's context
 *
 * The callback may call mfw_at_expect_prompt() on the parser being fed.
 *
 * Return: true to go on, false to stop the feed after this event.
 */
typedef bool (*mfw_at_cb)(const struct mfw_at_event *ev, void *ctx);

/**
 * mfw_at_init() - reset a parser: no partial line, no prompt expected
 * @p: the parser
 */
void mfw_at_init(struct mfw_at_parser *p);

/**
 * mfw_at_expect_prompt() - say whether a transparent prompt may come
 * @p: the parser
 * @on: true just before sending AT+MFWDLOAD=<offset>,<len> without data
 *
 * Set it before the command goes out, so the prompt cannot arrive first.
 * The flag clears itself when the prompt or a final result arrives.
 */
void mfw_at_expect_prompt(struct mfw_at_parser *p, bool on);

/**
 * mfw_at_cancel_payload() - the line just reported announces nothing
 * @p: the parser
 *
 * For the callback, when the line that said message data follows was not
 * the module's own (a user's input echoed back): the next line is
 * classified as usual.
 */
void mfw_at_cancel_payload(struct mfw_at_parser *p);

/**
 * mfw_at_quiet() - the module stopped talking: open message data ends
 * @p: the parser
 *
 * The receive path calls it when bytes arrive after a pause in which
 * none came (the module writes a message's header and data at once).
 * Open data (a text-mode SMS) then ends: at once, or, when neither a
 * data line nor an empty line (an empty message) came yet, after the
 * next line.  Lines after that are classified as
 * usual.  Does nothing when no open data is under way, nor in the middle
 * of a line (a module writes a line in one go, so such a pause is the
 * host's).
 */
void mfw_at_quiet(struct mfw_at_parser *p);

/**
 * mfw_at_payload_open() - whether open message data is under way
 * @p: the parser
 *
 * Return: true between a text-mode SMS header without a length and the
 * end of its data (see mfw_at_quiet()).
 */
bool mfw_at_payload_open(const struct mfw_at_parser *p);

/**
 * mfw_at_feed() - feed received bytes to the framer
 * @p: the parser
 * @buf: the bytes, any values, in chunks of any size
 * @len: their number
 * @cb: called for every event, in order
 * @ctx: passed to @cb
 *
 * Return: bytes consumed: @len, or fewer when @cb asked to stop (the byte
 * that completed that event counts as consumed).  The rest may be fed
 * again later.
 */
size_t mfw_at_feed(struct mfw_at_parser *p, const char *buf, size_t len,
		   mfw_at_cb cb, void *ctx);

/**
 * mfw_at_classify() - classify one complete line
 * @line: the line, without terminator
 * @len: its length (lines longer than MFW_AT_LINE_MAX are allowed here)
 * @truncated: @line is only the start of a longer line
 * @ev: filled in; @ev->line and @ev->len are @line and @len
 */
void mfw_at_classify(const char *line, size_t len, bool truncated,
		     struct mfw_at_event *ev);

/**
 * mfw_at_is_final() - whether an event type ends a command
 * @type: the type
 *
 * Return: true for OK, ERROR and the CME/CMS/CIS errors.
 */
bool mfw_at_is_final(enum mfw_at_type type);

/**
 * mfw_at_is_urc() - whether an event type is an unsolicited report
 * @type: the type
 *
 * Return: true for +MFWDLOAD, +MFWUPGRADE and +MATREADY.  (+MFWDLOAD is
 * also the answer to AT+MFWDLOAD?, with the same fields.)
 */
bool mfw_at_is_urc(enum mfw_at_type type);

/**
 * mfw_at_ends_user_command() - whether an event ends a user's command
 * @ev: the event
 *
 * Return: true for the final results, and for the V.250 codes that end a
 * dial command (all but RING).  mfw's own commands end only at a final
 * result (mfw_at_is_final()).
 */
bool mfw_at_ends_user_command(const struct mfw_at_event *ev);

/* Bytes of an IMEI (3GPP TS 23.003 6.2.1) with its NUL. */
#define MFW_AT_IMEI_SIZE	16

/**
 * mfw_at_imei() - the IMEI in a module's answer to AT+CGSN
 * @resp: the answer's information text, lines separated by '\n' (not
 *	NUL-terminated)
 * @len: length of @resp
 * @imei: where the IMEI goes, MFW_AT_IMEI_SIZE bytes: 15 digits and a NUL
 *
 * The answer's first line is the IMEI, bare (3GPP TS 27.007 5.4, what
 * ML307R and MN316 firmware sends) or after "+CGSN:" (the form of later
 * releases), quoted or not, with blanks around it.  Only 15 digits whose
 * last is the Luhn check digit of the 14 before it (TS 23.003 6.2.1,
 * annex B) count, and not with reporting body 00, the first two digits
 * (test IMEIs, and the placeholders modules without their own share):
 * anything else, an echo, a UUID or a line of noise among them, says
 * nothing of the module.
 *
 * Return: true with @imei set; false, @imei empty, when the line is not
 * an IMEI.
 */
bool mfw_at_imei(const char *resp, size_t len, char *imei);

/**
 * mfw_at_type_name() - short name of an event type, for logs
 * @type: the type
 *
 * Return: a constant string ("unknown" when out of range).
 */
const char *mfw_at_type_name(enum mfw_at_type type);

#endif /* _MFW_AT_H */
