// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - framer and classifier of what a module sends on its AT port.
 *
 * Framing.  Bytes come in arbitrary chunks: one at a time from a slow
 * UART, or many lines at once from a USB bulk transfer.  All state lives in
 * struct mfw_at_parser, so a line may be split anywhere between feeds.
 * Lines end at CR or LF; any run of them (CRLF, LFCR, CRCRLF, bare CR)
 * ends at most one line because empty lines are dropped.  A line is kept
 * up to MFW_AT_LINE_MAX bytes; the rest is dropped and the line flagged
 * truncated, and framing picks up again at the next terminator, so an
 * endless line costs nothing but the bytes.  Every byte value is text
 * here: a NUL is kept like any other byte, lines carry their length.
 *
 * The prompt.  The transparent write's "> " has no terminator after it,
 * so it could never complete a line.  The caller says when it may come
 * (mfw_at_expect_prompt(), before sending AT+MFWDLOAD=<offset>,<len>);
 * then a '>' at the start of a line is reported at once, one following
 * space is swallowed, and the expectation ends.  It also ends at any final
 * result: a command refused with +CME ERROR will not prompt any more.
 * Without the expectation '>' is ordinary text, so a stray '>' from a
 * module never makes the driver start pouring binary data.
 *
 * Classification.  A complete line is matched on its prefix, exactly and
 * case-sensitively as modules print it; blanks at its end never matter,
 * and around the numbers of a URC any number of blanks (none, or more
 * than the manual's one) is fine.  Numbers are unsigned decimal, checked
 * for overflow before every digit, and limited to MFW_AT_NUM_MAX.  A URC
 * whose fields are missing, extra, out of range, inconsistent (more
 * downloaded than the total) or truncated is reported as OTHER and flagged
 * malformed: never half-parsed.  An error line stays a final result even
 * when its code is garbage (the command is over either way) and then
 * carries code -1.  Verbose +CME ERROR texts are mapped back to the FOTA
 * codes 850-860 through mfw_cme.h.
 *
 * Line noise.  A UART picks up stray bytes while the module restarts (a
 * break, a glitch on the line): control bytes and 8-bit bytes, never
 * printable text.  They are skipped at the start of a line before it is
 * classified, so "\xff+MATREADY" is still the boot report.  Printable text
 * is never skipped: "X+MATREADY" is not a report.
 *
 * V.250 result codes.  RING, NO CARRIER, CONNECT, BUSY, NO ANSWER and NO
 * DIALTONE end a user's dial command (RING ends nothing) but none of the
 * commands mfw sends; they have their own type, so that arriving during
 * one of mfw's commands they neither end it nor become its answer.
 *
 * Message data.  An SMS header (+CMT, +CMGR and +CMGL of a message in
 * either mode, +CDS in PDU mode, +CBM) is followed by the message on a
 * line of its own, and whoever sent the message chose its text.  The line
 * after such a header is reported as PAYLOAD, whatever it holds.  In PDU
 * mode that line is all (hex digits hold no line break), and an empty
 * message (a second line end at once) is no line at all.  A text message
 * may hold line breaks, and the <length> of a detailed header (AT+CSDH=1)
 * counts characters, not the bytes and line ends the module writes for
 * them: text-mode data is open.  Every line is data, empty lines and
 * lines that look like reports or the prompt included, until the caller
 * says the module went quiet (mfw_at_quiet()) or a line starts past
 * MFW_AT_TEXT_DATA_MAX bytes after the last header-shaped line, where no
 * message can reach.  Only a header of the exact PDU shape gets one line,
 * and only a text-mode status report of its exact shape none: a sender's
 * address with quotes or commas in it makes any header open.
 *
 * Cost.  Per byte a few compares; per line one pass over at most
 * MFW_AT_LINE_MAX bytes and at most a dozen text compares.  No recursion,
 * no allocation.
 */
#include "mfw_at.h"
#include "mfw_cme.h"

/* At most this many numbers in a URC (+MFWDLOAD: state,total,dlength). */
#define MFW_AT_FIELDS_MAX	3

/* What follows an SMS header. */
enum mfw_at_data {
	MFW_AT_DATA_NONE,	/* nothing: a status report, a test answer */
	MFW_AT_DATA_LINE,	/* one line (PDU mode) */
	MFW_AT_DATA_OPEN,	/* lines up to a pause or the bound */
};

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
	[MFW_AT_V250]		= "v250",
	[MFW_AT_PAYLOAD]	= "payload",
	[MFW_AT_OTHER]		= "other",
};

const char *mfw_at_type_name(enum mfw_at_type type)
{
	if ((unsigned int)type >= MFW_AT_TYPE_NR)
		return "unknown";
	return mfw_at_type_names[type];
}

bool mfw_at_is_final(enum mfw_at_type type)
{
	return type == MFW_AT_OK || type == MFW_AT_ERROR ||
	       type == MFW_AT_CME_ERROR || type == MFW_AT_CMS_ERROR ||
	       type == MFW_AT_CIS_ERROR;
}

bool mfw_at_is_urc(enum mfw_at_type type)
{
	return type == MFW_AT_MFWDLOAD || type == MFW_AT_MFWUPGRADE ||
	       type == MFW_AT_MATREADY;
}

bool mfw_at_ends_user_command(const struct mfw_at_event *ev)
{
	if (mfw_at_is_final(ev->type))
		return true;
	/* RING announces a call; the others answer a dial command. */
	return ev->type == MFW_AT_V250 &&
	       !(ev->len - ev->noise == 4 &&
		 !memcmp(ev->line + ev->noise, "RING", 4));
}

void mfw_at_init(struct mfw_at_parser *p)
{
	memset(p, 0, sizeof(*p));
}

void mfw_at_expect_prompt(struct mfw_at_parser *p, bool on)
{
	p->expect_prompt = on;
}

void mfw_at_cancel_payload(struct mfw_at_parser *p)
{
	p->payload = false;
	p->payload_open = false;
	p->payload_pdu = false;
	p->payload_lines = 0;
	p->payload_left = 0;
}

void mfw_at_quiet(struct mfw_at_parser *p)
{
	if (!p->payload || !p->payload_open)
		return;
	/*
	 * Modules write a line in one go: a pause inside one is the host's
	 * (a receive worker run late), and ends nothing.
	 */
	if (p->len || p->overflow)
		return;
	if (!p->payload_lines && p->payload_lfs < 2) {
		/* The line after the header is data whatever comes. */
		p->payload_open = false;
		p->payload_left = 0;
	} else {
		/* Data lines, or an empty line (an empty message): over. */
		mfw_at_cancel_payload(p);
	}
}

bool mfw_at_payload_open(const struct mfw_at_parser *p)
{
	return p->payload && p->payload_open;
}

/* Control and 8-bit bytes: what a UART picks up, never a module's text. */
static bool mfw_at_noise(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 0x20 || u >= 0x7f;
}

static bool mfw_at_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool mfw_at_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A cursor over the part of a line still to be parsed. */
struct mfw_at_cur {
	const char *s;
	size_t n;
};

static void mfw_at_skip_blanks(struct mfw_at_cur *c)
{
	while (c->n && mfw_at_blank(*c->s)) {
		c->s++;
		c->n--;
	}
}

/* Does the line start with @prefix?  Then step the cursor past it. */
static bool mfw_at_prefix(struct mfw_at_cur *c, const char *prefix)
{
	size_t n = strlen(prefix);

	if (c->n < n || memcmp(c->s, prefix, n))
		return false;
	c->s += n;
	c->n -= n;
	return true;
}

/*
 * One unsigned decimal number with optional blanks around it.  False when
 * there is no digit or the value exceeds MFW_AT_NUM_MAX; the check comes
 * before each multiplication, so it holds with a 32-bit unsigned long too.
 */
static bool mfw_at_number(struct mfw_at_cur *c, unsigned long *out)
{
	unsigned long v = 0;
	size_t digits = 0;

	mfw_at_skip_blanks(c);
	while (c->n && mfw_at_digit(*c->s)) {
		unsigned long d = (unsigned long)(*c->s - '0');

		if (v > (MFW_AT_NUM_MAX - d) / 10)
			return false;
		v = v * 10 + d;
		c->s++;
		c->n--;
		digits++;
	}
	mfw_at_skip_blanks(c);
	*out = v;
	return digits > 0;
}

/* Step past one @c at the cursor, if it is there. */
static bool mfw_at_char(struct mfw_at_cur *c, char ch)
{
	if (!c->n || *c->s != ch)
		return false;
	c->s++;
	c->n--;
	return true;
}

bool mfw_at_imei(const char *resp, size_t len, char *imei)
{
	struct mfw_at_cur c = { resp, len };
	const char *nl = memchr(resp, '\n', len);
	bool quoted;
	size_t n = 0;
	int sum = 0;

	imei[0] = '\0';
	if (nl)
		c.n = (size_t)(nl - resp);
	/* A CR left on the line is no part of it. */
	if (c.n && c.s[c.n - 1] == '\r')
		c.n--;
	mfw_at_skip_blanks(&c);
	if (mfw_at_prefix(&c, "+CGSN:"))
		mfw_at_skip_blanks(&c);
	quoted = mfw_at_char(&c, '"');
	for (; c.n && mfw_at_digit(*c.s); c.s++, c.n--, n++) {
		int v = *c.s - '0';

		if (n == MFW_AT_IMEI_SIZE - 1)
			goto bad;
		/* From the check digit leftwards, every second one doubles. */
		if (n % 2)
			v = v * 2 > 9 ? v * 2 - 9 : v * 2;
		sum += v;
		imei[n] = *c.s;
	}
	if (quoted && !mfw_at_char(&c, '"'))
		goto bad;
	mfw_at_skip_blanks(&c);
	if (c.n || n != MFW_AT_IMEI_SIZE - 1 || sum % 10)
		goto bad;
	/*
	 * Reporting body 00 (the first two digits of the type allocation
	 * code): test IMEIs, and the placeholders of modules that lost or
	 * never got their own (00000000..., a chipset's default 0049...).
	 */
	if (!memcmp(imei, "00", 2))
		goto bad;
	imei[n] = '\0';
	return true;
bad:
	imei[0] = '\0';
	return false;
}

/*
 * "n[,n...]" filling the whole cursor.  Returns how many numbers, or -1
 * when a field is empty or not a number, or there are more than @max.
 */
static int mfw_at_numbers(struct mfw_at_cur *c, unsigned long *v, int max)
{
	int n = 0;

	for (;;) {
		if (n == max || !mfw_at_number(c, &v[n]))
			return -1;
		n++;
		if (!c->n)
			return n;
		if (*c->s != ',')
			return -1;
		c->s++;
		c->n--;
	}
}

static void mfw_at_parse_error(struct mfw_at_cur *c, struct mfw_at_event *ev)
{
	struct mfw_at_cur num;
	unsigned long code;

	mfw_at_skip_blanks(c);
	ev->text = c->s;
	ev->text_len = c->n;
	if (ev->truncated || !c->n) {
		ev->malformed = true;
		return;
	}
	if (mfw_at_digit(*c->s)) {
		num = *c;
		if (mfw_at_number(&num, &code) && !num.n)
			ev->code = (int)code;
		else
			ev->malformed = true;
		return;
	}
	/* Verbose: only +CME ERROR texts are known (the FOTA ones). */
	if (ev->type == MFW_AT_CME_ERROR)
		ev->code = mfw_cme_from_text(c->s, c->n);
}

/* +MFWDLOAD: <state>[,<total>],<dlength>, or the bare +MFWDLOAD: 0 */
static bool mfw_at_parse_dload(struct mfw_at_cur *c, struct mfw_at_event *ev)
{
	unsigned long v[MFW_AT_FIELDS_MAX];
	int n = mfw_at_numbers(c, v, 3);

	if (n < 1 || v[0] > 3 || (n == 1 && v[0] != 0))
		return false;
	if (n == 3 && v[2] > v[1])
		return false;
	ev->state = (int)v[0];
	if (n == 3) {
		ev->has_total = true;
		ev->total = v[1];
		ev->dlength = v[2];
	} else if (n == 2) {
		ev->dlength = v[1];
	}
	return true;
}

/* +MFWUPGRADE: <state>[,<percent>] */
static bool mfw_at_parse_upgrade(struct mfw_at_cur *c, struct mfw_at_event *ev)
{
	unsigned long v[MFW_AT_FIELDS_MAX];
	int n = mfw_at_numbers(c, v, 2);

	if (n < 1 || v[0] < 1 || v[0] > 3 || (n == 2 && v[1] > 100))
		return false;
	ev->state = (int)v[0];
	if (n == 2)
		ev->percent = (int)v[1];
	return true;
}

/*
 * The fields of an SMS header (cursor past its name) as letters in
 * @shape: 'e' empty, 'q' a quoted string, 'n' digits, blanks around a
 * field allowed.  False when a field is none of these (a quote inside a
 * string, text outside quotes: no module writes such a header, but an
 * address a sender chose can make one) or there are more than @size - 1.
 */
static bool mfw_at_shape(const struct mfw_at_cur *c, char *shape,
			 size_t size)
{
	struct mfw_at_cur f = *c;
	size_t k = 0;

	for (;;) {
		char t = 'e';

		mfw_at_skip_blanks(&f);
		if (f.n && *f.s == '"') {
			do {
				f.s++;
				f.n--;
			} while (f.n && *f.s != '"');
			if (!f.n)
				return false;
			f.s++;
			f.n--;
			t = 'q';
		} else if (f.n && mfw_at_digit(*f.s)) {
			while (f.n && mfw_at_digit(*f.s)) {
				f.s++;
				f.n--;
			}
			t = 'n';
		}
		mfw_at_skip_blanks(&f);
		if (k + 1 >= size || (f.n && *f.s != ','))
			return false;
		shape[k++] = t;
		if (!f.n)
			break;
		f.s++;
		f.n--;
	}
	shape[k] = '\0';
	return true;
}

/* Does @shape match @pat, whose "[..]" stands for one of its letters? */
static bool mfw_at_shape_is(const char *shape, const char *pat)
{
	for (; *pat; shape++) {
		if (*pat == '[') {
			const char *end = strchr(pat, ']');

			if (!*shape || !memchr(pat + 1, *shape, end - pat - 1))
				return false;
			pat = end + 1;
		} else if (*shape != *pat++) {
			return false;
		}
	}
	return !*shape;
}

/*
 * What an SMS header (cursor past its name) announces on the lines after
 * it (3GPP TS 27.005, 3.4.1 and 3.4.3).  One line of hex in PDU mode
 * (+CMT: ,<length>; +CMGR: <stat>,[<alpha>],<length>; +CMGL:
 * <index>,<stat>,[<alpha>],<length>; +CDS: and +CBM: <length>).  Nothing
 * after a test command's answer ("+CMGL: (...)") or a text-mode status
 * report (+CDS: <fo>,<mr>,[<ra>],[<tora>],<scts>,<dt>,<st>; +CMGR and
 * +CMGL with <stat> and <index>,<stat> before that).  Any other header,
 * every text-mode message with or without the AT+CSDH=1 details among
 * them, is open: its <length> counts characters, not the bytes of the
 * character set they come in, nor the line ends the module writes.
 */
static const struct mfw_at_sms {
	const char *name, *pdu, *status;
} mfw_at_sms[] = {
	/*
	 * A quoted <alpha> would let a text header's sender address (a
	 * quote, a digit, a line break) pass for one.
	 */
	{ "+CMT:", "en", NULL },
	{ "+CMGR:", "n[eq]n", "qnn[eq][en]qqn" },
	{ "+CMGL:", "nn[eq]n", "nqnn[eq][en]qqn" },
	{ "+CDS:", "n", "nn[eq][en]qqn" },
	{ "+CBM:", "n", NULL },
};

static enum mfw_at_data mfw_at_sms_data(const struct mfw_at_sms *sms,
					const struct mfw_at_cur *c)
{
	char shape[16];

	if (c->n && *c->s == '(')
		return MFW_AT_DATA_NONE;
	if (!mfw_at_shape(c, shape, sizeof(shape)))
		return MFW_AT_DATA_OPEN;
	if (mfw_at_shape_is(shape, sms->pdu))
		return MFW_AT_DATA_LINE;
	if (sms->status && mfw_at_shape_is(shape, sms->status))
		return MFW_AT_DATA_NONE;
	return MFW_AT_DATA_OPEN;
}

/*
 * Whether @c (line noise and trailing blanks taken off) is an SMS header;
 * if so, *@data says what it announces.
 */
static bool mfw_at_sms_header(const struct mfw_at_cur *c,
			      enum mfw_at_data *data)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(mfw_at_sms); i++) {
		struct mfw_at_cur h = *c;

		if (mfw_at_prefix(&h, mfw_at_sms[i].name)) {
			mfw_at_skip_blanks(&h);
			*data = mfw_at_sms_data(&mfw_at_sms[i], &h);
			return true;
		}
	}
	return false;
}

/*
 * What a line says, without the line noise it starts with (their number
 * in *@noise) and the blanks it ends with.
 */
static struct mfw_at_cur mfw_at_trim(const char *line, size_t len,
				     size_t *noise)
{
	struct mfw_at_cur c = { .s = line, .n = len };

	*noise = 0;
	while (*noise < c.n && mfw_at_noise(c.s[*noise]))
		(*noise)++;
	c.s += *noise;
	c.n -= *noise;
	/* Blanks at the end never change what a line is. */
	while (c.n && mfw_at_blank(c.s[c.n - 1]))
		c.n--;
	return c;
}

/* The V.250 result codes mfw's commands never end on (V.250, 5.7.1). */
static bool mfw_at_v250(const struct mfw_at_cur *c)
{
	static const char * const codes[] = {
		"RING", "NO CARRIER", "BUSY", "NO ANSWER", "NO DIALTONE",
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(codes); i++)
		if (c->n == strlen(codes[i]) && !memcmp(c->s, codes[i], c->n))
			return true;
	/* CONNECT, or CONNECT <text> (the rate) */
	return c->n >= 7 && !memcmp(c->s, "CONNECT", 7) &&
	       (c->n == 7 || c->s[7] == ' ');
}

static void mfw_at_event_init(struct mfw_at_event *ev, enum mfw_at_type type,
			      const char *line, size_t len)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->line = line;
	ev->len = len;
	ev->code = -1;
	ev->state = -1;
	ev->percent = -1;
}

void mfw_at_classify(const char *line, size_t len, bool truncated,
		     struct mfw_at_event *ev)
{
	enum mfw_at_data data;
	struct mfw_at_cur c;
	size_t noise;
	bool ok;

	/* Line noise first: what follows it is what the line says. */
	c = mfw_at_trim(line, len, &noise);
	mfw_at_event_init(ev, MFW_AT_OTHER, line, len);
	ev->truncated = truncated;
	ev->noise = noise;

	if (mfw_at_sms_header(&c, &data)) {
		ev->payload = data != MFW_AT_DATA_NONE;
		ev->payload_open = data == MFW_AT_DATA_OPEN;
		return;
	}
	if (!truncated && mfw_at_v250(&c)) {
		ev->type = MFW_AT_V250;
		return;
	}

	if (!truncated && c.n == 2 && !memcmp(c.s, "OK", 2)) {
		ev->type = MFW_AT_OK;
	} else if (!truncated && c.n == 5 && !memcmp(c.s, "ERROR", 5)) {
		ev->type = MFW_AT_ERROR;
	} else if (!truncated && c.n == 9 && !memcmp(c.s, "+MATREADY", 9)) {
		ev->type = MFW_AT_MATREADY;
	} else if (mfw_at_prefix(&c, "+CME ERROR:")) {
		ev->type = MFW_AT_CME_ERROR;
		mfw_at_parse_error(&c, ev);
	} else if (mfw_at_prefix(&c, "+CMS ERROR:")) {
		ev->type = MFW_AT_CMS_ERROR;
		mfw_at_parse_error(&c, ev);
	} else if (mfw_at_prefix(&c, "+CIS ERROR:")) {
		ev->type = MFW_AT_CIS_ERROR;
		mfw_at_parse_error(&c, ev);
	} else if (mfw_at_prefix(&c, "+MFWDLOAD:")) {
		ok = !truncated && mfw_at_parse_dload(&c, ev);
		if (ok)
			ev->type = MFW_AT_MFWDLOAD;
		else
			mfw_at_event_init(ev, MFW_AT_OTHER, line, len);
		ev->truncated = truncated;
		ev->noise = noise;
		ev->malformed = !ok;
	} else if (mfw_at_prefix(&c, "+MFWUPGRADE:")) {
		ok = !truncated && mfw_at_parse_upgrade(&c, ev);
		if (ok)
			ev->type = MFW_AT_MFWUPGRADE;
		else
			mfw_at_event_init(ev, MFW_AT_OTHER, line, len);
		ev->truncated = truncated;
		ev->noise = noise;
		ev->malformed = !ok;
	}
}

/* Whether @s (@len bytes) is all hex digits. */
static bool mfw_at_hex(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!mfw_at_digit(s[i]) && !((s[i] | 0x20) >= 'a' &&
					     (s[i] | 0x20) <= 'f'))
			return false;
	return true;
}

/*
 * The complete line in @p->buf is message data (whatever it says): make
 * it a PAYLOAD event in @ev and say whether the data goes on after it.
 */
static void mfw_at_data_line(struct mfw_at_parser *p, struct mfw_at_event *ev)
{
	size_t used = p->len + 2;	/* and its line end */
	bool more, restart = false;

	if (p->payload_open) {
		enum mfw_at_data data;
		struct mfw_at_cur c;
		size_t noise;

		/*
		 * The end is open: only the bound ends it.  Another header
		 * (a list's next message, or text that looks like one)
		 * starts the bound again; an overlong line counts as
		 * MFW_AT_LINE_MAX bytes, which only lengthens the data.
		 */
		c = mfw_at_trim(p->buf, p->len, &noise);
		restart = mfw_at_sms_header(&c, &data) &&
			  data != MFW_AT_DATA_NONE;
	} else if (p->payload_pdu &&
		   (!mfw_at_hex(p->buf, p->len) || p->overflow)) {
		/*
		 * PDU mode's line is hex: this is a text message after all
		 * (a header whose first line only looked like PDU mode's).
		 */
		p->payload_open = true;
		restart = true;
	}
	/* The bound runs from the end of a header-shaped line. */
	if (restart)
		p->payload_left = MFW_AT_TEXT_DATA_MAX + used;
	/* PDU mode: one line of hex. */
	more = p->payload_open && p->payload_left > used;
	mfw_at_event_init(ev, MFW_AT_PAYLOAD, p->buf, p->len);
	ev->truncated = p->overflow;
	if (more) {
		p->payload_left -= used;
		p->payload_lines++;
	} else {
		mfw_at_cancel_payload(p);
	}
}

/* Hand one event to the callback; a final result ends a prompt wait. */
static bool mfw_at_emit(struct mfw_at_parser *p, const struct mfw_at_event *ev,
			mfw_at_cb cb, void *ctx)
{
	if (mfw_at_is_final(ev->type))
		p->expect_prompt = false;
	return cb(ev, ctx);
}

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
			if (!p->len && !p->overflow) {
				/*
				 * A second line end at once: no message (in
				 * text mode maybe an empty line of one, until
				 * a pause, see mfw_at_quiet()).
				 */
				if (p->payload && c == '\n' &&
				    ++p->payload_lfs >= 2 && !p->payload_open)
					mfw_at_cancel_payload(p);
				continue;
			}
			if (p->payload) {
				mfw_at_data_line(p, &ev);
			} else {
				mfw_at_classify(p->buf, p->len, p->overflow,
						&ev);
				p->payload = ev.payload;
				p->payload_open = ev.payload_open;
				p->payload_pdu = ev.payload && !ev.payload_open;
				p->payload_left = ev.payload_open ?
						  MFW_AT_TEXT_DATA_MAX : 0;
			}
			p->payload_lfs = c == '\n';
			p->len = 0;
			p->overflow = false;
			if (!mfw_at_emit(p, &ev, cb, ctx))
				return i + 1;
			continue;
		}
		/* Message data may hold a '>': never the prompt. */
		if (c == '>' && p->expect_prompt && !p->len && !p->overflow &&
		    !p->payload) {
			p->expect_prompt = false;
			p->skip_space = true;
			mfw_at_event_init(&ev, MFW_AT_PROMPT, ">", 1);
			if (!mfw_at_emit(p, &ev, cb, ctx))
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
