// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target for the AT framer and classifier (kernel/mfw_at.c).
 *
 * Input layout: the first byte says how many control bytes follow (0..15);
 * the control bytes choose chunk sizes, where the caller arms the prompt,
 * where the receive path finds the module paused (mfw_at_quiet()) and
 * where the callback stops the feed; the rest is what the module sent.
 *
 * The same bytes are fed three ways: split at the fuzzer's chunk sizes with
 * feeds stopped early, in one piece, and byte at a time.  Prompt arming
 * and pauses happen at fixed byte offsets, so all three must give the
 * same events.
 * Every event is checked against the documented invariants, re-classified
 * on its own (but message data, which only the line before makes so), and
 * with no prompt armed the lines are compared with a reference framing
 * written here independently.
 *
 * A last pass plays a user who wrote the first half of the data: the echo
 * tracker (kernel/mfw_echo.c) sees those bytes sent, then every framed
 * line and every final result, and keeps within its bounds.
 */
#define _GNU_SOURCE	/* memmem() */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfw_at.h"
#include "mfw_echo.h"

#define FUZZ_CTRL_MAX	15
#define FUZZ_ARM_MAX	8
#define FUZZ_LINES_MAX	4096
#define NO_POS		((size_t)-1)

#define fuzz_assert(cond) do {						\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant broken: %s\n",	\
			__FILE__, __LINE__, #cond);			\
		abort();						\
	}								\
} while (0)

/* Where the caller arms the prompt, as offsets into the data. */
struct plan {
	const unsigned char *ctrl;
	size_t nctrl;
	size_t arm[FUZZ_ARM_MAX];
	size_t narm;
	size_t quiet[FUZZ_ARM_MAX];	/* pauses, as offsets */
	size_t nquiet;
	size_t stop_every;	/* callback returns false every Nth event */
};

struct run {
	struct mfw_at_parser *p;
	bool model_expect;	/* what the parser's prompt flag must be */
	bool want_payload;	/* message data may come next */
	/*
	 * Open text-mode data under way (a model of its own): since which
	 * data offset (the last header-shaped line's end), and whether a
	 * pause came since, after which it may end at any line.
	 */
	bool open;
	size_t open_from;
	bool paused;
	bool pdu;		/* the data line of a PDU-shaped header is next */
	size_t events;
	size_t stop_every;
	uint64_t hash;
	/* Lines seen (for the reference comparison), first FUZZ_LINES_MAX. */
	size_t nlines;
	size_t line_off[FUZZ_LINES_MAX];
	size_t line_len[FUZZ_LINES_MAX];
	bool line_trunc[FUZZ_LINES_MAX];
	const unsigned char *data;
	size_t pos;		/* data offset of the byte being fed */
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v;
	h *= 0x100000001b3ULL;
	return h;
}

static bool is_error(enum mfw_at_type t)
{
	return t == MFW_AT_CME_ERROR || t == MFW_AT_CMS_ERROR ||
	       t == MFW_AT_CIS_ERROR;
}

/* Does the line's text (after its noise) start with @s? */
static bool starts(const struct mfw_at_event *ev, const char *s)
{
	size_t n = strlen(s);

	return ev->len - ev->noise >= n &&
	       !memcmp(ev->line + ev->noise, s, n);
}

static bool noise_byte(char c)
{
	unsigned char u = (unsigned char)c;

	return u < 0x20 || u >= 0x7f;
}

/*
 * Whatever line the module sends as its answer to AT+CGSN, what
 * mfw_at_imei() takes is 15 digits with a valid check digit, not of
 * reporting body 00, and the line's own: nothing else, never a byte past
 * it.
 */
static void check_imei(const char *line, size_t len)
{
	char imei[MFW_AT_IMEI_SIZE + 1];
	int sum = 0;
	size_t i;

	imei[MFW_AT_IMEI_SIZE] = 'x';
	if (!mfw_at_imei(line, len, imei)) {
		fuzz_assert(!imei[0] && imei[MFW_AT_IMEI_SIZE] == 'x');
		return;
	}
	fuzz_assert(strlen(imei) == MFW_AT_IMEI_SIZE - 1);
	for (i = 0; i < MFW_AT_IMEI_SIZE - 1; i++) {
		int v = imei[i] - '0';

		fuzz_assert(v >= 0 && v <= 9);
		if (i % 2)
			v = v * 2 > 9 ? v * 2 - 9 : v * 2;
		sum += v;
	}
	fuzz_assert(sum % 10 == 0 && memcmp(imei, "00", 2));
	fuzz_assert(memmem(line, len, imei, MFW_AT_IMEI_SIZE - 1) != NULL);
}

static void check_event(const struct mfw_at_event *ev)
{
	struct mfw_at_event again;
	const char *name = mfw_at_type_name(ev->type);
	unsigned int sum = 0;
	size_t i;

	fuzz_assert((unsigned int)ev->type < MFW_AT_TYPE_NR);
	fuzz_assert(name && strcmp(name, "unknown"));
	fuzz_assert(ev->line);
	fuzz_assert(ev->len >= 1 && ev->len <= MFW_AT_LINE_MAX);
	check_imei(ev->line, ev->len);
	/* Touch every byte: ASan catches a line pointing outside memory. */
	for (i = 0; i < ev->len; i++) {
		fuzz_assert(ev->line[i] != '\r' && ev->line[i] != '\n');
		sum += (unsigned char)ev->line[i];
	}
	(void)sum;
	fuzz_assert(!ev->truncated || ev->len == MFW_AT_LINE_MAX);
	/* Noise is control and 8-bit bytes only, and all of them. */
	fuzz_assert(ev->noise <= ev->len);
	for (i = 0; i < ev->noise; i++)
		fuzz_assert(noise_byte(ev->line[i]));
	fuzz_assert(ev->noise == ev->len || !noise_byte(ev->line[ev->noise]) ||
		    ev->type == MFW_AT_PAYLOAD || ev->type == MFW_AT_PROMPT);
	fuzz_assert(!ev->payload || ev->type == MFW_AT_OTHER);
	fuzz_assert(!ev->malformed || ev->type == MFW_AT_OTHER ||
		    is_error(ev->type));
	fuzz_assert(!mfw_at_is_final(ev->type) || !mfw_at_is_urc(ev->type));

	if (is_error(ev->type)) {
		fuzz_assert(ev->text);
		fuzz_assert(ev->text >= ev->line &&
			    ev->text + ev->text_len <= ev->line + ev->len);
		fuzz_assert(ev->code >= -1);
		fuzz_assert(!ev->malformed || ev->code == -1);
		fuzz_assert(!ev->truncated || (ev->malformed && ev->code == -1));
		fuzz_assert(ev->code == -1 ||
			    (ev->text_len && ev->text[0] >= '0' &&
			     ev->text[0] <= '9') ||
			    (ev->code >= 850 && ev->code <= 860));
	} else {
		fuzz_assert(!ev->text && !ev->text_len && ev->code == -1);
	}

	if (ev->type == MFW_AT_MFWDLOAD) {
		fuzz_assert(starts(ev, "+MFWDLOAD:"));
		fuzz_assert(!ev->truncated && !ev->malformed);
		fuzz_assert(ev->state >= 0 && ev->state <= 3);
		fuzz_assert(ev->total <= MFW_AT_NUM_MAX);
		fuzz_assert(ev->dlength <= MFW_AT_NUM_MAX);
		fuzz_assert(ev->has_total || !ev->total);
		fuzz_assert(!ev->has_total || ev->dlength <= ev->total);
		fuzz_assert(ev->percent == -1);
	} else {
		fuzz_assert(!ev->has_total && !ev->total && !ev->dlength);
	}

	if (ev->type == MFW_AT_MFWUPGRADE) {
		fuzz_assert(starts(ev, "+MFWUPGRADE:"));
		fuzz_assert(!ev->truncated && !ev->malformed);
		fuzz_assert(ev->state >= 1 && ev->state <= 3);
		fuzz_assert(ev->percent >= -1 && ev->percent <= 100);
	} else {
		fuzz_assert(ev->percent == -1);
	}

	if (ev->type != MFW_AT_MFWDLOAD && ev->type != MFW_AT_MFWUPGRADE)
		fuzz_assert(ev->state == -1);

	switch (ev->type) {
	case MFW_AT_OK:
		fuzz_assert(starts(ev, "OK") && !ev->truncated);
		break;
	case MFW_AT_ERROR:
		fuzz_assert(starts(ev, "ERROR") && !ev->truncated);
		break;
	case MFW_AT_MATREADY:
		fuzz_assert(starts(ev, "+MATREADY") && !ev->truncated);
		break;
	case MFW_AT_CME_ERROR:
		fuzz_assert(starts(ev, "+CME ERROR:"));
		break;
	case MFW_AT_CMS_ERROR:
		fuzz_assert(starts(ev, "+CMS ERROR:"));
		break;
	case MFW_AT_CIS_ERROR:
		fuzz_assert(starts(ev, "+CIS ERROR:"));
		break;
	case MFW_AT_PROMPT:
		fuzz_assert(ev->len == 1 && ev->line[0] == '>');
		fuzz_assert(!ev->truncated && !ev->malformed);
		return;
	case MFW_AT_V250:
		fuzz_assert(!ev->truncated && !ev->malformed);
		fuzz_assert(starts(ev, "RING") || starts(ev, "NO ") ||
			    starts(ev, "BUSY") || starts(ev, "CONNECT"));
		break;
	case MFW_AT_PAYLOAD:
		/* Whatever it says: nothing was parsed out of it. */
		fuzz_assert(!ev->malformed && !ev->noise && !ev->payload);
		return;
	default:
		break;
	}

	/* A line classifies the same on its own. */
	mfw_at_classify(ev->line, ev->len, ev->truncated, &again);
	fuzz_assert(again.type == ev->type && again.len == ev->len &&
		    again.line == ev->line &&
		    again.truncated == ev->truncated &&
		    again.malformed == ev->malformed &&
		    again.code == ev->code && again.text == ev->text &&
		    again.text_len == ev->text_len &&
		    again.state == ev->state &&
		    again.has_total == ev->has_total &&
		    again.total == ev->total &&
		    again.dlength == ev->dlength &&
		    again.percent == ev->percent);
}

/*
 * A header the framer gives one line of data (PDU mode) ends in a field
 * of digits and holds at most one quoted string: a text-mode header
 * (its time stamp quoted at the end) never passes for one.
 */
static void check_pdu_header(const struct mfw_at_event *ev)
{
	size_t i, quotes = 0, end = ev->len;

	while (end && (ev->line[end - 1] == ' ' || ev->line[end - 1] == '\t'))
		end--;
	fuzz_assert(end && ev->line[end - 1] >= '0' && ev->line[end - 1] <= '9');
	for (i = ev->noise; i < end; i++)
		quotes += ev->line[i] == '"';
	fuzz_assert(quotes <= 2);
	/* The last field: digits and blanks back to its comma or colon. */
	for (i = end; ev->line[i - 1] != ',' && ev->line[i - 1] != ':'; i--)
		fuzz_assert(i > ev->noise + 1 &&
			    (ev->line[i - 1] == ' ' || ev->line[i - 1] == '\t' ||
			     (ev->line[i - 1] >= '0' && ev->line[i - 1] <= '9')));
}

static bool all_hex(const struct mfw_at_event *ev)
{
	size_t i;

	for (i = 0; i < ev->len; i++)
		if (!strchr("0123456789abcdefABCDEF", ev->line[i]) ||
		    !ev->line[i])
			return false;
	return true;
}

/*
 * Open data ends only at a pause or past the bound.  The framer counts a
 * line as its bytes plus 2, at most one and a half times what it takes
 * on the line (a byte and a lone LF), so no line that follows open data
 * without a pause starts fewer than 2/3 of MFW_AT_TEXT_DATA_MAX bytes
 * after the last header-shaped line.  Positions only when tracked.
 */
static void check_open_data(struct run *r, const struct mfw_at_event *ev)
{
	struct mfw_at_event h;

	if (ev->type == MFW_AT_PROMPT)
		return;
	if (ev->type == MFW_AT_PAYLOAD) {
		mfw_at_classify(ev->line, ev->len, ev->truncated, &h);
		if (r->open && h.payload && r->pos != NO_POS)
			r->open_from = r->pos + 1;
		/* A PDU line that is not hex: a text message after all. */
		if (r->pdu && (ev->truncated || !all_hex(ev))) {
			r->open = true;
			r->paused = false;
			if (r->pos != NO_POS)
				r->open_from = r->pos + 1;
		}
		r->pdu = false;
		return;
	}
	if (r->open && !r->paused && r->pos != NO_POS)
		fuzz_assert(r->pos - ev->len >=
			    r->open_from + MFW_AT_TEXT_DATA_MAX * 2 / 3);
	r->open = ev->payload && ev->payload_open;
	r->pdu = ev->payload && !ev->payload_open;
	r->paused = false;
	if (r->pos != NO_POS)
		r->open_from = r->pos + 1;
	if (ev->payload && !ev->payload_open)
		check_pdu_header(ev);
}

static bool on_event(const struct mfw_at_event *ev, void *ctx)
{
	struct run *r = ctx;
	size_t i;

	check_event(ev);
	/*
	 * Message data only follows a header that announced it (or more of
	 * the same message); any other line ends the message.
	 */
	if (ev->type == MFW_AT_PAYLOAD)
		fuzz_assert(r->want_payload);
	else if (ev->type != MFW_AT_PROMPT)
		r->want_payload = ev->payload;
	check_open_data(r, ev);

	if (ev->type == MFW_AT_PROMPT) {
		fuzz_assert(r->model_expect);
		/* The prompt is the byte just fed. */
		fuzz_assert(r->pos == NO_POS || r->data[r->pos] == '>');
		r->model_expect = false;
	} else {
		/* A line is complete when a terminator arrives. */
		fuzz_assert(r->pos == NO_POS || r->data[r->pos] == '\r' ||
			    r->data[r->pos] == '\n');
		if (mfw_at_is_final(ev->type))
			r->model_expect = false;
		if (r->nlines < FUZZ_LINES_MAX) {
			r->line_off[r->nlines] = r->pos;
			r->line_len[r->nlines] = ev->len;
			r->line_trunc[r->nlines] = ev->truncated;
		}
		r->nlines++;
	}
	fuzz_assert(r->p->expect_prompt == r->model_expect);

	r->hash = mix(r->hash, (uint64_t)ev->type);
	r->hash = mix(r->hash, ev->len);
	for (i = 0; i < ev->len; i++)
		r->hash = mix(r->hash, (unsigned char)ev->line[i]);
	r->hash = mix(r->hash, ((uint64_t)ev->truncated << 1) | ev->malformed);
	r->hash = mix(r->hash, (uint64_t)(int64_t)ev->code);
	r->hash = mix(r->hash, (uint64_t)(int64_t)ev->state);
	r->hash = mix(r->hash, ev->has_total);
	r->hash = mix(r->hash, ev->total);
	r->hash = mix(r->hash, ev->dlength);
	r->hash = mix(r->hash, (uint64_t)(int64_t)ev->percent);
	r->hash = mix(r->hash, ev->text ? (uint64_t)(ev->text - ev->line) : ~0ULL);
	r->hash = mix(r->hash, ev->text_len);

	r->events++;
	return !(r->stop_every && r->events % r->stop_every == 0);
}

/* Feed data[from, to) a byte at a time, noting each byte's offset. */
static void feed_bytes(struct run *r, size_t from, size_t to)
{
	for (; from < to; from++) {
		r->pos = from;
		fuzz_assert(mfw_at_feed(r->p, (const char *)r->data + from, 1,
					on_event, r) == 1);
	}
	r->pos = NO_POS;
}

/* Feed a piece in one call, restarting after early stops. */
static void feed_piece(struct run *r, size_t from, size_t to)
{
	while (from < to) {
		size_t before = r->events, done;

		done = mfw_at_feed(r->p, (const char *)r->data + from,
				   to - from, on_event, r);
		fuzz_assert(done >= 1 && done <= to - from);
		if (done < to - from)
			fuzz_assert(r->events > before);
		from += done;
	}
}

/*
 * One way of feeding: @chunk_sel 0 in pieces between arm points, 1 byte at
 * a time, 2 in fuzzer-chosen chunks; byte offsets tracked when @track.
 */
static void run_once(struct run *r, const struct plan *pl, size_t len,
		     size_t chunk_sel, bool track)
{
	size_t from = 0, a = 0, c = 0, q = 0;

	mfw_at_init(r->p);
	r->pos = NO_POS;
	r->model_expect = false;
	r->want_payload = false;
	r->open = false;
	r->paused = false;
	r->pdu = false;
	r->events = 0;
	r->hash = 0xcbf29ce484222325ULL;
	r->nlines = 0;
	while (from < len) {
		size_t to = len, chunk;

		while (a < pl->narm && pl->arm[a] <= from) {
			bool on = !(a & 1) || pl->arm[a] % 3;

			mfw_at_expect_prompt(r->p, on);
			r->model_expect = on;
			a++;
		}
		if (a < pl->narm && pl->arm[a] < to)
			to = pl->arm[a];
		while (q < pl->nquiet && pl->quiet[q] <= from) {
			bool was = mfw_at_payload_open(r->p);

			mfw_at_quiet(r->p);
			/* Only a pause that ended open data counts. */
			r->paused = r->paused ||
				    (r->open && was && !mfw_at_payload_open(r->p));
			q++;
		}
		if (q < pl->nquiet && pl->quiet[q] < to)
			to = pl->quiet[q];
		/* Open data is message data the model allows. */
		fuzz_assert(!mfw_at_payload_open(r->p) || r->want_payload);
		if (chunk_sel == 1) {
			chunk = 1;
		} else if (chunk_sel == 2 && pl->nctrl) {
			chunk = (pl->ctrl[c++ % pl->nctrl] & 0x3f) + 1;
			if (pl->ctrl[(c + 1) % pl->nctrl] & 0x40)
				chunk *= 61;
		} else {
			chunk = 0;
		}
		if (chunk && to - from > chunk)
			to = from + chunk;
		if (track)
			feed_bytes(r, from, to);
		else
			feed_piece(r, from, to);
		from = to;
	}
}

/* Reference framing, valid when the prompt is never armed. */
static void reference_lines(const struct run *r, size_t len)
{
	size_t i, start = 0, n = 0;

	for (i = 0; i <= len; i++) {
		bool end = i < len && (r->data[i] == '\r' || r->data[i] == '\n');
		size_t l;

		if (i == len)
			break;
		if (!end)
			continue;
		l = i - start;
		if (l) {
			if (n < FUZZ_LINES_MAX && n < r->nlines) {
				size_t keep = l > MFW_AT_LINE_MAX ?
					      MFW_AT_LINE_MAX : l;

				fuzz_assert(r->line_off[n] == i);
				fuzz_assert(r->line_len[n] == keep);
				fuzz_assert(r->line_trunc[n] ==
					    (l > MFW_AT_LINE_MAX));
			}
			n++;
		}
		start = i + 1;
	}
	fuzz_assert(n == r->nlines);
}

/* The echo pass: lines and finals through the tracker. */
struct echo_run {
	struct mfw_echo *e;
	size_t lines;
};

static bool on_echo_event(const struct mfw_at_event *ev, void *ctx)
{
	struct echo_run *er = ctx;

	if (ev->type != MFW_AT_PROMPT && ev->type != MFW_AT_PAYLOAD)
		(void)mfw_echo_line(er->e, ev->line, ev->len, ev->truncated);
	if (mfw_at_ends_user_command(ev))
		mfw_echo_final(er->e);
	/* Its scan of what is kept, after every line (ASan watches). */
	(void)mfw_echo_pending(er->e);
	fuzz_assert(er->e->len <= MFW_ECHO_MAX);
	er->lines++;
	return true;
}

static void echo_pass(const unsigned char *data, size_t len)
{
	struct mfw_at_parser *p = malloc(sizeof(*p));
	struct mfw_echo *e = malloc(sizeof(*e));
	struct echo_run er = { .e = e };
	size_t half = len / 2, i;

	fuzz_assert(p && e);
	mfw_at_init(p);
	mfw_echo_init(e);
	/* The user's bytes in three writes, one of them taken back. */
	if (mfw_echo_allowed(e, (const char *)data, half / 2))
		mfw_echo_sent(e, (const char *)data, half / 2);
	if (mfw_echo_allowed(e, (const char *)data + half / 2, half - half / 2))
		mfw_echo_sent(e, (const char *)data + half / 2, half - half / 2);
	mfw_echo_unsent(e, half / 3);
	if (mfw_echo_allowed(e, (const char *)data, half))
		mfw_echo_sent(e, (const char *)data, half);
	fuzz_assert(e->line_len <= MFW_ECHO_LINE);
	fuzz_assert(e->len <= MFW_ECHO_MAX);
	for (i = 0; i < len; i += mfw_at_feed(p, (const char *)data + i,
					      len - i, on_echo_event, &er))
		;
	/* Forgotten, nothing is waited for; the line being written stays. */
	i = e->len;
	mfw_echo_forget(e);
	fuzz_assert(!mfw_echo_pending(e) && !e->echoed && !e->cut);
	fuzz_assert(e->len <= i);
	free(e);
	free(p);
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size);

static void sort_offsets(size_t *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++) {
		size_t x = v[i], j = i;

		while (j && v[j - 1] > x) {
			v[j] = v[j - 1];
			j--;
		}
		v[j] = x;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	struct mfw_at_parser *p;
	struct plan pl = { 0 };
	static struct run r;
	uint64_t h_track, h_whole, h_split, h_bytes;
	size_t events, len, i;
	const unsigned char *data;

	if (!size)
		return 0;
	pl.nctrl = in[0] % (FUZZ_CTRL_MAX + 1);
	if (pl.nctrl > size - 1)
		pl.nctrl = size - 1;
	pl.ctrl = in + 1;
	data = in + 1 + pl.nctrl;
	len = size - 1 - pl.nctrl;

	/* Arm points: control bytes with the top bit set, spread over data. */
	for (i = 0; i < pl.nctrl && pl.narm < FUZZ_ARM_MAX; i++)
		if (pl.ctrl[i] & 0x80 && len)
			pl.arm[pl.narm++] = (size_t)pl.ctrl[i] * 131 % len;
	/* Pauses: control bytes with bit 6 set. */
	for (i = 0; i < pl.nctrl && pl.nquiet < FUZZ_ARM_MAX; i++)
		if (pl.ctrl[i] & 0x40 && len)
			pl.quiet[pl.nquiet++] = (size_t)pl.ctrl[i] * 137 % len;
	/* Sorted, as the feeders apply them in order. */
	sort_offsets(pl.arm, pl.narm);
	sort_offsets(pl.quiet, pl.nquiet);
	pl.stop_every = pl.nctrl ? pl.ctrl[0] % 5 : 0;

	/* Heap copies, so ASan sees any read past either buffer. */
	p = malloc(sizeof(*p));
	r.data = malloc(len ? len : 1);
	fuzz_assert(p && r.data);
	memcpy((void *)r.data, data, len);
	r.p = p;

	/* Byte at a time with positions tracked: the exact checks. */
	r.stop_every = 0;
	run_once(&r, &pl, len, 1, true);
	h_track = r.hash;
	events = r.events;
	if (!pl.narm)
		reference_lines(&r, len);

	/* Whole pieces, fuzzer-chosen chunks with stops, byte at a time. */
	r.stop_every = pl.stop_every;
	run_once(&r, &pl, len, 0, false);
	h_whole = r.hash;
	fuzz_assert(r.events == events);
	run_once(&r, &pl, len, 2, false);
	h_split = r.hash;
	fuzz_assert(r.events == events);
	run_once(&r, &pl, len, 1, false);
	h_bytes = r.hash;
	fuzz_assert(r.events == events);
	fuzz_assert(h_whole == h_track && h_split == h_track &&
		    h_bytes == h_track);
	echo_pass(r.data, len);

	free((void *)r.data);
	free(p);
	return 0;
}
