// SPDX-License-Identifier: GPL-2.0
/*
 * mfw - framer and classifier of what a module sends on its AT port.
 *
 * Bytes come in arbitrary chunks, one at a time or many lines at once.
 * Lines end at CR, LF or any run of them; empty lines are dropped.  A line
 * longer than MFW_AT_LINE_MAX is cut there and flagged, and the framer
 * picks up again at the next terminator.  The transparent-write prompt has
 * no terminator, so it is only recognised when the caller says one is
 * expected: then a '>' at the start of a line is the prompt at once.
 *
 * Numbers in URCs are parsed strictly: a field that is missing, not a
 * number or out of range makes the line OTHER and malformed, never a
 * misread URC.
 */
#include "mfw_at.h"
#include "mfw_cme.h"

/* Largest value a URC number may take (well beyond any package size). */
#define MFW_AT_NUM_MAX	0x7fffffffUL

static const char * const mfw_at_type_names[] = {
	[MFW_AT_OK]		= "ok",
	[MFW_AT_ERROR]		= "error",
	[MFW_AT_CME_ERROR]	= "cme-error",
	[MFW_AT_CMS_ERROR]	= "cms-error",
	[MFW_AT_CIS_ERROR]	= "cis-error",
	[MFW_AT_PROMPT]		= "prompt",
	[MFW_AT_MFWDLOAD]	= "mfwdload",
	[MFW_AT_MFWUPGRADE]	= "mfwupgrade",
	[MFW_AT_MATREADY]	= "matready",
	[MFW_AT_OTHER]		= "other",
};

/**
 * mfw_at_type_name() - short name of an event type, for logs
 * @type: the type
 *
 * Return: a constant string ("unknown" when out of range).
 */
const char *mfw_at_type_name(enum mfw_at_type type)
{
	if ((unsigned int)type >= MFW_AT_TYPE_NR)
		return "unknown";
	return mfw_at_type_names[type];
}

/**
 * mfw_at_is_final() - whether a line type ends a command
 * @type: the type
 *
 * Return: true for OK, ERROR and the CME/CMS/CIS errors.
 */
bool mfw_at_is_final(enum mfw_at_type type)
{
	return type == MFW_AT_OK || type == MFW_AT_ERROR ||
	       type == MFW_AT_CME_ERROR || type == MFW_AT_CMS_ERROR ||
	       type == MFW_AT_CIS_ERROR;
}

/**
 * mfw_at_init() - reset a parser
 * @p: the parser
 */
void mfw_at_init(struct mfw_at_parser *p)
{
	memset(p, 0, sizeof(*p));
}

/**
 * mfw_at_expect_prompt() - say whether a transparent prompt may come
 * @p: the parser
 * @on: true after sending AT+MFWDLOAD=<offset>,<len> without data
 *
 * The flag clears itself when the prompt arrives.
 */
void mfw_at_expect_prompt(struct mfw_at_parser *p, bool on)
{
	p->expect_prompt = on;
}

/* Does @line start with @prefix?  On success *rest points past it. */
static bool mfw_at_prefix(const char *line, size_t len, const char *prefix,
			  const char **rest, size_t *rest_len)
{
	size_t n = strlen(prefix);

	if (len < n || memcmp(line, prefix, n))
		return false;
	*rest = line + n;
	*rest_len = len - n;
	return true;
}

static void mfw_at_skip_spaces(const char **s, size_t *len)
{
	while (*len && **s == ' ') {
		(*s)++;
		(*len)--;
	}
}

/* Parse an unsigned decimal number; false when absent or too large. */
static bool mfw_at_number(const char **s, size_t *len, unsigned long *out)
{
	unsigned long v = 0;
	size_t digits = 0;

	mfw_at_skip_spaces(s, len);
	while (*len && **s >= '0' && **s <= '9') {
		v = v * 10 + (unsigned long)(**s - '0');
		if (v > MFW_AT_NUM_MAX)
			return false;
		(*s)++;
		(*len)--;
		digits++;
	}
	mfw_at_skip_spaces(s, len);
	*out = v;
	return digits > 0;
}

/* Parse "n[,n...]" into @v; returns how many, or -1 when malformed. */
static int mfw_at_numbers(const char *s, size_t len, unsigned long *v,
			  int max)
{
	int n = 0;

	for (;;) {
		if (n == max || !mfw_at_number(&s, &len, &v[n]))
			return -1;
		n++;
		if (!len)
			return n;
		if (*s != ',')
			return -1;
		s++;
		len--;
	}
}

static void mfw_at_classify_error(const char *rest, size_t len,
				  struct mfw_at_event *ev)
{
	const char *s = rest;
	size_t n = len;
	unsigned long code;

	mfw_at_skip_spaces(&s, &n);
	if (n && *s >= '0' && *s <= '9') {
		if (mfw_at_number(&s, &n, &code) && !n)
			ev->code = (int)code;
		return;
	}
	while (n && s[n - 1] == ' ')
		n--;
	ev->code = mfw_cme_from_text(s, n);
}

static void mfw_at_classify_dload(const char *rest, size_t len,
				  struct mfw_at_event *ev)
{
	unsigned long v[3];
	int n = mfw_at_numbers(rest, len, v, 3);

	if (n < 1 || v[0] > 3 || (n == 1 && v[0] != 0)) {
		ev->malformed = true;
		return;
	}
	ev->type = MFW_AT_MFWDLOAD;
	ev->state = (int)v[0];
	if (n == 3) {
		ev->has_total = true;
		ev->total = v[1];
		ev->dlength = v[2];
	} else if (n == 2) {
		ev->dlength = v[1];
	}
}

static void mfw_at_classify_upgrade(const char *rest, size_t len,
				    struct mfw_at_event *ev)
{
	unsigned long v[2];
	int n = mfw_at_numbers(rest, len, v, 2);

	if (n < 1 || v[0] < 1 || v[0] > 3 || (n == 2 && v[1] > 100)) {
		ev->malformed = true;
		return;
	}
	ev->type = MFW_AT_MFWUPGRADE;
	ev->state = (int)v[0];
	if (n == 2)
		ev->percent = (int)v[1];
}

/**
 * mfw_at_classify() - classify one complete line
 * @line: the line, without terminator
 * @len: its length
 * @ev: filled in; @ev->line and @ev->len point at @line
 */
void mfw_at_classify(const char *line, size_t len, struct mfw_at_event *ev)
{
	const char *rest;
	size_t n;

	memset(ev, 0, sizeof(*ev));
	ev->type = MFW_AT_OTHER;
	ev->line = line;
	ev->len = len;
	ev->code = -1;
	ev->state = -1;
	ev->percent = -1;

	/* Trailing blanks never change what a line is. */
	while (len && line[len - 1] == ' ')
		len--;

	if (len == 2 && !memcmp(line, "OK", 2)) {
		ev->type = MFW_AT_OK;
	} else if (len == 5 && !memcmp(line, "ERROR", 5)) {
		ev->type = MFW_AT_ERROR;
	} else if (mfw_at_prefix(line, len, "+CME ERROR:", &rest, &n)) {
		ev->type = MFW_AT_CME_ERROR;
		mfw_at_classify_error(rest, n, ev);
	} else if (mfw_at_prefix(line, len, "+CMS ERROR:", &rest, &n)) {
		ev->type = MFW_AT_CMS_ERROR;
		mfw_at_classify_error(rest, n, ev);
	} else if (mfw_at_prefix(line, len, "+CIS ERROR:", &rest, &n)) {
		ev->type = MFW_AT_CIS_ERROR;
		mfw_at_classify_error(rest, n, ev);
	} else if (mfw_at_prefix(line, len, "+MFWDLOAD:", &rest, &n)) {
		mfw_at_classify_dload(rest, n, ev);
	} else if (mfw_at_prefix(line, len, "+MFWUPGRADE:", &rest, &n)) {
		mfw_at_classify_upgrade(rest, n, ev);
	} else if (len == 9 && !memcmp(line, "+MATREADY", 9)) {
		ev->type = MFW_AT_MATREADY;
	}
}

/**
 * mfw_at_feed() - feed received bytes to the framer
 * @p: the parser
 * @buf: the bytes
 * @len: their number
 * @cb: called for every event, in order
 * @ctx: passed to @cb
 *
 * Return: bytes consumed: @len, or fewer when @cb asked to stop (the byte
 * that completed that event is counted as consumed).
 */
size_t mfw_at_feed(struct mfw_at_parser *p, const char *buf, size_t len,
		   mfw_at_cb cb, void *ctx)
{
	struct mfw_at_event ev;
	size_t i;

	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (p->skip_space) {
			p->skip_space = false;
			if (c == ' ')
				continue;
		}
		if (c == '\r' || c == '\n') {
			bool had = p->len || p->overflow;

			if (!had)
				continue;
			mfw_at_classify(p->buf, p->len, &ev);
			ev.truncated = p->overflow;
			p->len = 0;
			p->overflow = false;
			if (!cb(&ev, ctx))
				return i + 1;
			continue;
		}
		if (c == '>' && p->expect_prompt && !p->len && !p->overflow) {
			p->expect_prompt = false;
			p->skip_space = true;
			memset(&ev, 0, sizeof(ev));
			ev.type = MFW_AT_PROMPT;
			ev.line = ">";
			ev.len = 1;
			ev.code = -1;
			ev.state = -1;
			ev.percent = -1;
			if (!cb(&ev, ctx))
				return i + 1;
			continue;
		}
		if (p->len < MFW_AT_LINE_MAX)
			p->buf[p->len++] = c;
		else
			p->overflow = true;
	}
	return len;
}
