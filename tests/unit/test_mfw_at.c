// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unit tests of the AT framer and classifier (kernel/mfw_at.c), TAP output.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mfw_at.h"
#include "mfw_cme.h"

static int tests, failures;

static void __attribute__((format(printf, 2, 3)))
check(int cond, const char *fmt, ...)
{
	va_list ap;

	tests++;
	if (!cond)
		failures++;
	printf("%s %d - ", cond ? "ok" : "not ok", tests);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static void __attribute__((format(printf, 1, 2))) diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* A copy of an event that outlives the callback. */
struct rec {
	struct mfw_at_event ev;
	char line[MFW_AT_LINE_MAX];
	char text[MFW_AT_LINE_MAX];
};

#define RECS_MAX 64

struct log {
	struct rec r[RECS_MAX];
	size_t n;
	size_t dropped;
	size_t stop_after;	/* return false after this many events (0: never) */
	int bad;		/* an event broke a basic invariant */
};

static bool record(const struct mfw_at_event *ev, void *ctx)
{
	struct log *log = ctx;
	struct rec *r;

	if (ev->len > MFW_AT_LINE_MAX || !ev->line ||
	    (unsigned int)ev->type >= MFW_AT_TYPE_NR)
		log->bad++;
	if (log->n == RECS_MAX) {
		log->dropped++;
		return true;
	}
	r = &log->r[log->n++];
	r->ev = *ev;
	memcpy(r->line, ev->line, ev->len > MFW_AT_LINE_MAX ?
	       MFW_AT_LINE_MAX : ev->len);
	r->ev.line = r->line;
	if (ev->text) {
		if (ev->text < ev->line || ev->text + ev->text_len >
		    ev->line + ev->len)
			log->bad++;
		else
			memcpy(r->text, ev->text, ev->text_len);
		r->ev.text = r->text;
	}
	return !(log->stop_after && log->n == log->stop_after);
}

static void log_reset(struct log *log)
{
	memset(log, 0, sizeof(*log));
}

/* Feed @s (length @len) in chunks of @chunk bytes (0: all at once). */
static void feed_chunks(struct mfw_at_parser *p, const char *s, size_t len,
			size_t chunk, struct log *log)
{
	size_t off = 0, n;

	if (!chunk)
		chunk = len ? len : 1;
	while (off < len) {
		n = len - off < chunk ? len - off : chunk;
		off += mfw_at_feed(p, s + off, n, record, log);
	}
}

static int same_event(const struct mfw_at_event *a,
		      const struct mfw_at_event *b)
{
	return a->type == b->type && a->len == b->len &&
	       !memcmp(a->line, b->line, a->len) &&
	       a->truncated == b->truncated && a->malformed == b->malformed &&
	       a->code == b->code && a->state == b->state &&
	       a->has_total == b->has_total && a->total == b->total &&
	       a->dlength == b->dlength && a->percent == b->percent &&
	       a->text_len == b->text_len &&
	       (!a->text) == (!b->text) &&
	       (!a->text || !memcmp(a->text, b->text, a->text_len));
}

static int same_log(const struct log *a, const struct log *b)
{
	size_t i;

	if (a->n != b->n || a->dropped != b->dropped || a->bad || b->bad)
		return 0;
	for (i = 0; i < a->n; i++)
		if (!same_event(&a->r[i].ev, &b->r[i].ev))
			return 0;
	return 1;
}

/* ---------------------------------------------------------------- */

/* Expected classification of one line. */
struct want {
	const char *line;
	enum mfw_at_type type;
	bool malformed;
	int code;
	int state;
	bool has_total;
	unsigned long total;
	unsigned long dlength;
	int percent;
};

#define OTHER(l)	{ l, MFW_AT_OTHER, false, -1, -1, false, 0, 0, -1 }
#define BAD(l)		{ l, MFW_AT_OTHER, true, -1, -1, false, 0, 0, -1 }
#define FINAL(l, t)	{ l, t, false, -1, -1, false, 0, 0, -1 }
#define ERR(l, t, c)	{ l, t, false, c, -1, false, 0, 0, -1 }
#define BADERR(l, t)	{ l, t, true, -1, -1, false, 0, 0, -1 }
#define DL3(l, s, t, d)	{ l, MFW_AT_MFWDLOAD, false, -1, s, true, t, d, -1 }
#define DL2(l, s, d)	{ l, MFW_AT_MFWDLOAD, false, -1, s, false, 0, d, -1 }
#define UP(l, s, p)	{ l, MFW_AT_MFWUPGRADE, false, -1, s, false, 0, 0, p }

static const struct want wants[] = {
	FINAL("OK", MFW_AT_OK),
	FINAL("OK ", MFW_AT_OK),
	FINAL("OK\t ", MFW_AT_OK),
	FINAL("ERROR", MFW_AT_ERROR),
	FINAL("ERROR  ", MFW_AT_ERROR),
	OTHER(" OK"),
	OTHER("ok"),
	OTHER("OKAY"),
	OTHER("O"),
	OTHER("ERRORS"),
	FINAL("NO CARRIER", MFW_AT_V250),
	FINAL("RING", MFW_AT_V250),
	FINAL("BUSY", MFW_AT_V250),
	FINAL("NO ANSWER", MFW_AT_V250),
	FINAL("NO DIALTONE", MFW_AT_V250),
	FINAL("CONNECT", MFW_AT_V250),
	FINAL("CONNECT 115200", MFW_AT_V250),
	FINAL("RING ", MFW_AT_V250),
	OTHER("CONNECTED"),
	OTHER("RINGING"),
	OTHER("+RING"),
	OTHER("NO CARRIER!"),

	/* Line noise (control and 8-bit bytes) before the text. */
	FINAL("\xff+MATREADY", MFW_AT_MATREADY),
	FINAL("\x80\x1b\x7f+MATREADY", MFW_AT_MATREADY),
	FINAL("\xfeOK", MFW_AT_OK),
	FINAL("\x01\x02" "ERROR", MFW_AT_ERROR),
	UP("\xf0+MFWUPGRADE: 1,50", 1, 50),
	DL3("\xff\xff+MFWDLOAD: 1,100,50", 1, 100, 50),
	OTHER("X+MATREADY"),
	OTHER(".OK"),
	OTHER("\xff X+MFWUPGRADE: 3"),
	OTHER("\xff"),

	FINAL("+MATREADY", MFW_AT_MATREADY),
	FINAL("+MATREADY ", MFW_AT_MATREADY),
	OTHER("+MATREADY: 1"),
	OTHER("+MATREADYX"),

	ERR("+CME ERROR: 854", MFW_AT_CME_ERROR, 854),
	ERR("+CME ERROR:854", MFW_AT_CME_ERROR, 854),
	ERR("+CME ERROR:   854  ", MFW_AT_CME_ERROR, 854),
	ERR("+CME ERROR: 0", MFW_AT_CME_ERROR, 0),
	ERR("+CME ERROR: 0010", MFW_AT_CME_ERROR, 10),
	ERR("+CME ERROR: 2147483647", MFW_AT_CME_ERROR, 2147483647),
	BADERR("+CME ERROR: 2147483648", MFW_AT_CME_ERROR),
	BADERR("+CME ERROR: 99999999999999999999999", MFW_AT_CME_ERROR),
	BADERR("+CME ERROR: 85x", MFW_AT_CME_ERROR),
	BADERR("+CME ERROR: 850 851", MFW_AT_CME_ERROR),
	BADERR("+CME ERROR:", MFW_AT_CME_ERROR),
	BADERR("+CME ERROR:   ", MFW_AT_CME_ERROR),
	ERR("+CME ERROR: SIM not inserted", MFW_AT_CME_ERROR, -1),
	ERR("+CME ERROR: -5", MFW_AT_CME_ERROR, -1),
	ERR("+CME ERROR: upgrade error", MFW_AT_CME_ERROR, 854),
	ERR("+CME ERROR: UPGRADE ERROR", MFW_AT_CME_ERROR, 854),
	ERR("+CME ERROR:  no network  ", MFW_AT_CME_ERROR, 857),
	ERR("+CME ERROR: no network!", MFW_AT_CME_ERROR, -1),
	ERR("+CMS ERROR: 500", MFW_AT_CMS_ERROR, 500),
	ERR("+CMS ERROR: no network", MFW_AT_CMS_ERROR, -1),
	BADERR("+CMS ERROR: 5 00", MFW_AT_CMS_ERROR),
	ERR("+CIS ERROR: 601", MFW_AT_CIS_ERROR, 601),
	BADERR("+CIS ERROR:", MFW_AT_CIS_ERROR),
	OTHER("+CME ERROR 854"),
	OTHER("+cme error: 854"),
	OTHER("CME ERROR: 854"),

	DL3("+MFWDLOAD: 2,9508,9508", 2, 9508, 9508),
	DL3("+MFWDLOAD: 1,9508,1024", 1, 9508, 1024),
	DL3("+MFWDLOAD: 3,9508,4096", 3, 9508, 4096),
	DL3("+MFWDLOAD: 0,0,0", 0, 0, 0),
	DL3("+MFWDLOAD:1,10,5", 1, 10, 5),
	DL3("+MFWDLOAD:  1 , 10 ,\t5  ", 1, 10, 5),
	DL3("+MFWDLOAD: 2,2147483647,2147483647", 2, 2147483647, 2147483647),
	DL2("+MFWDLOAD: 1,4096", 1, 4096),
	DL2("+MFWDLOAD: 3,0", 3, 0),
	DL2("+MFWDLOAD: 0,12", 0, 12),
	DL2("+MFWDLOAD: 0", 0, 0),
	DL2("+MFWDLOAD:0", 0, 0),
	BAD("+MFWDLOAD: 1"),
	BAD("+MFWDLOAD: 2"),
	BAD("+MFWDLOAD: 4,1,1"),
	BAD("+MFWDLOAD: 9"),
	BAD("+MFWDLOAD: 1,,5"),
	BAD("+MFWDLOAD: 1,5,"),
	BAD("+MFWDLOAD: ,1,5"),
	BAD("+MFWDLOAD: 1,2,3,4"),
	BAD("+MFWDLOAD: 1,x"),
	BAD("+MFWDLOAD: -1,5"),
	BAD("+MFWDLOAD: +1,5"),
	BAD("+MFWDLOAD: 1,5,10"),
	BAD("+MFWDLOAD: 1,99999999999999999999,5"),
	BAD("+MFWDLOAD: 1,18446744073709551616,5"),
	BAD("+MFWDLOAD: 1,4294967296,5"),
	BAD("+MFWDLOAD: 1,2147483648,0"),
	BAD("+MFWDLOAD: 1,0x10,5"),
	BAD("+MFWDLOAD: 1 2"),
	BAD("+MFWDLOAD: 1;2;3"),
	BAD("+MFWDLOAD: 1,10,5 junk"),
	BAD("+MFWDLOAD:"),
	BAD("+MFWDLOAD:   "),
	BAD("+MFWDLOAD: \"1\",10,5"),
	OTHER("+MFWDLOAD"),
	OTHER("+MFWDLOAD 1,10,5"),
	OTHER("AT+MFWDLOAD=0,100"),
	OTHER("AT+MFWDLOAD?"),

	UP("+MFWUPGRADE: 1,50", 1, 50),
	UP("+MFWUPGRADE: 1,0", 1, 0),
	UP("+MFWUPGRADE: 1,100", 1, 100),
	UP("+MFWUPGRADE: 1", 1, -1),
	UP("+MFWUPGRADE: 2", 2, -1),
	UP("+MFWUPGRADE: 3", 3, -1),
	UP("+MFWUPGRADE:2", 2, -1),
	UP("+MFWUPGRADE:  1 ,  7 ", 1, 7),
	BAD("+MFWUPGRADE: 1,101"),
	BAD("+MFWUPGRADE: 0"),
	BAD("+MFWUPGRADE: 4"),
	BAD("+MFWUPGRADE: 1,50,3"),
	BAD("+MFWUPGRADE: 1,"),
	BAD("+MFWUPGRADE: ,50"),
	BAD("+MFWUPGRADE:"),
	BAD("+MFWUPGRADE: 1,4294967346"),
	BAD("+MFWUPGRADE: upgrading"),
	OTHER("AT+MFWUPGRADE"),

	OTHER("+MFWCHECK: 5156E9D92129AA04B3488A991AED40C4"),
	OTHER("+MFWCFG: \"url\",\"http://example.com/fw.bin\""),
	OTHER("+MFWCFG: \"timeout\",60"),
	OTHER("ML307R-DL-MBRH0S01"),
	OTHER("CMCC"),
	OTHER("REBOOTING"),
	OTHER("AT+CGMR"),
	OTHER("> "),
	OTHER(">"),
	OTHER("+"),
};

static void test_classify_table(void)
{
	size_t i;

	for (i = 0; i < sizeof(wants) / sizeof(wants[0]); i++) {
		const struct want *w = &wants[i];
		struct mfw_at_parser p;
		struct mfw_at_event ev;
		struct log log;
		char buf[128];
		size_t len = strlen(w->line);
		int good;

		mfw_at_classify(w->line, len, false, &ev);
		good = ev.type == w->type && ev.malformed == w->malformed &&
		       ev.code == w->code && ev.state == w->state &&
		       ev.has_total == w->has_total && ev.total == w->total &&
		       ev.dlength == w->dlength && ev.percent == w->percent &&
		       ev.line == w->line && ev.len == len && !ev.truncated;
		check(good, "classify \"%s\" -> %s%s", w->line,
		      mfw_at_type_name(w->type),
		      w->malformed ? " (malformed)" : "");
		if (!good)
			diag("got %s malformed=%d code=%d state=%d has_total=%d total=%lu dlength=%lu percent=%d",
			     mfw_at_type_name(ev.type), ev.malformed, ev.code,
			     ev.state, ev.has_total, ev.total, ev.dlength,
			     ev.percent);

		/* The same through the framer, framed the way modules do. */
		snprintf(buf, sizeof(buf), "\r\n%s\r\n", w->line);
		mfw_at_init(&p);
		log_reset(&log);
		feed_chunks(&p, buf, strlen(buf), 0, &log);
		check(log.n == 1 && !log.bad && same_event(&log.r[0].ev, &ev),
		      "framed \"%s\" gives the same single event", w->line);
	}
}

static void test_cme_codes(void)
{
	int code;

	for (code = MFW_CME_FIRST; code <= MFW_CME_LAST; code++) {
		const char *text = mfw_cme_text(code);
		struct mfw_at_event ev;
		char line[128];
		size_t i, n;

		snprintf(line, sizeof(line), "+CME ERROR: %d", code);
		mfw_at_classify(line, strlen(line), false, &ev);
		check(ev.type == MFW_AT_CME_ERROR && ev.code == code &&
		      !ev.malformed && ev.text_len == 3 &&
		      !memcmp(ev.text, line + 12, 3),
		      "numeric +CME ERROR: %d", code);

		snprintf(line, sizeof(line), "+CME ERROR: %s", text);
		mfw_at_classify(line, strlen(line), false, &ev);
		check(ev.type == MFW_AT_CME_ERROR && ev.code == code &&
		      !ev.malformed && ev.text == line + 12 &&
		      ev.text_len == strlen(text),
		      "verbose +CME ERROR: %s -> %d", text, code);

		/* Modules are not consistent about case. */
		n = strlen(line);
		for (i = 12; i < n; i++)
			if (line[i] >= 'a' && line[i] <= 'z')
				line[i] = (char)(line[i] - 'a' + 'A');
		mfw_at_classify(line, n, false, &ev);
		check(ev.type == MFW_AT_CME_ERROR && ev.code == code,
		      "upper-case verbose \"%s\" -> %d", line, code);
		check(mfw_at_is_final(ev.type), "CME error %d is final", code);
	}
}

static void test_type_helpers(void)
{
	static const enum mfw_at_type finals[] = {
		MFW_AT_OK, MFW_AT_ERROR, MFW_AT_CME_ERROR, MFW_AT_CMS_ERROR,
		MFW_AT_CIS_ERROR,
	};
	unsigned int t, u, nfinal = 0, nurc = 0;
	int distinct = 1;

	for (t = 0; t < MFW_AT_TYPE_NR; t++) {
		const char *name = mfw_at_type_name((enum mfw_at_type)t);

		check(name && *name && strcmp(name, "unknown"),
		      "type %u has a name (%s)", t, name ? name : "(null)");
		for (u = 0; u < t; u++)
			if (!strcmp(name,
				    mfw_at_type_name((enum mfw_at_type)u)))
				distinct = 0;
		nfinal += mfw_at_is_final((enum mfw_at_type)t);
		nurc += mfw_at_is_urc((enum mfw_at_type)t);
		check(!(mfw_at_is_final((enum mfw_at_type)t) &&
			mfw_at_is_urc((enum mfw_at_type)t)),
		      "type %s is not both final and URC", name);
	}
	check(distinct, "type names are distinct");
	check(!strcmp(mfw_at_type_name(MFW_AT_TYPE_NR), "unknown") &&
	      !strcmp(mfw_at_type_name((enum mfw_at_type)-1), "unknown"),
	      "out-of-range type is \"unknown\"");
	for (t = 0; t < sizeof(finals) / sizeof(finals[0]); t++)
		check(mfw_at_is_final(finals[t]), "%s is final",
		      mfw_at_type_name(finals[t]));
	check(nfinal == 5, "exactly five final types (%u)", nfinal);
	check(nurc == 3 && mfw_at_is_urc(MFW_AT_MFWDLOAD) &&
	      mfw_at_is_urc(MFW_AT_MFWUPGRADE) &&
	      mfw_at_is_urc(MFW_AT_MATREADY), "URC types");
	check(!mfw_at_is_final(MFW_AT_PROMPT) && !mfw_at_is_urc(MFW_AT_PROMPT),
	      "prompt is neither final nor URC");
}

/* Feed @s, expect the given types, in order. */
static void expect_types(const char *what, struct mfw_at_parser *p,
			 const char *s, size_t len, size_t chunk,
			 const enum mfw_at_type *types, size_t ntypes)
{
	struct log log;
	size_t i;
	int good;

	log_reset(&log);
	feed_chunks(p, s, len, chunk, &log);
	good = log.n == ntypes && !log.bad && !log.dropped;
	for (i = 0; good && i < ntypes; i++)
		good = log.r[i].ev.type == types[i];
	check(good, "%s", what);
	if (!good) {
		diag("got %zu events (want %zu):", log.n, ntypes);
		for (i = 0; i < log.n; i++)
			diag("  %s \"%.*s\"", mfw_at_type_name(log.r[i].ev.type),
			     (int)log.r[i].ev.len, log.r[i].line);
	}
}

#define S(x) x, sizeof(x) - 1
#define T(...) (const enum mfw_at_type[]){ __VA_ARGS__ }, \
	sizeof((const enum mfw_at_type[]){ __VA_ARGS__ }) / \
	sizeof(enum mfw_at_type)

static void test_terminators(void)
{
	static const char * const variants[] = {
		"OK\r\nERROR\r\n", "OK\nERROR\n", "OK\rERROR\r",
		"OK\n\rERROR\n\r", "\r\nOK\r\n\r\nERROR\r\n",
		"OK\r\r\nERROR\r\r\n", "\n\n\r\r\nOK\r\n\n\n\rERROR\r\r\r",
		"OK\r\nERROR\n", "OK\rERROR\r\n",
	};
	struct mfw_at_parser p;
	struct log log;
	size_t i, chunk;

	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		for (chunk = 0; chunk <= 3; chunk++) {
			mfw_at_init(&p);
			expect_types("terminator variant gives OK, ERROR", &p,
				     variants[i], strlen(variants[i]), chunk,
				     T(MFW_AT_OK, MFW_AT_ERROR));
		}

	mfw_at_init(&p);
	expect_types("empty lines give nothing", &p,
		     S("\r\n\r\n\n\n\r\r\r\n\n\r"), 0, NULL, 0);

	mfw_at_init(&p);
	log_reset(&log);
	feed_chunks(&p, S("\r\nOK"), 0, &log);
	check(log.n == 0, "no event before the terminator");
	feed_chunks(&p, S("\r"), 0, &log);
	check(log.n == 1 && log.r[0].ev.type == MFW_AT_OK,
	      "event at the terminator");
	feed_chunks(&p, S("\n"), 0, &log);
	check(log.n == 1, "LF after CR adds nothing");

	mfw_at_init(&p);
	expect_types("blank-only line is OTHER", &p, S("  \r\n"), 0,
		     T(MFW_AT_OTHER));
}

static void test_prompt(void)
{
	struct mfw_at_parser p;
	struct log log;

	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	log_reset(&log);
	feed_chunks(&p, S("AT+MFWDLOAD=0,100\r\r\n> "), 0, &log);
	check(log.n == 2 && log.r[0].ev.type == MFW_AT_OTHER &&
	      log.r[1].ev.type == MFW_AT_PROMPT && log.r[1].ev.len == 1 &&
	      log.r[1].line[0] == '>',
	      "echo, then prompt without a terminator");
	check(!p.expect_prompt, "prompt clears the expectation");
	feed_chunks(&p, S("\r\nOK\r\n"), 0, &log);
	check(log.n == 3 && log.r[2].ev.type == MFW_AT_OK,
	      "OK after the transparent data");

	/* The space may come in the next chunk. */
	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	log_reset(&log);
	feed_chunks(&p, S("\r\n>"), 0, &log);
	check(log.n == 1 && log.r[0].ev.type == MFW_AT_PROMPT,
	      "prompt reported on the '>' itself");
	feed_chunks(&p, S(" OK\r\n"), 0, &log);
	check(log.n == 2 && log.r[1].ev.type == MFW_AT_OK &&
	      log.r[1].ev.len == 2, "space after the prompt is swallowed");

	/* Only one space is swallowed; no space is fine too. */
	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	expect_types("prompt without space, then OK", &p, S("\r\n>OK\r\n"), 0,
		     T(MFW_AT_PROMPT, MFW_AT_OK));
	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	expect_types("prompt, two spaces: the second is text", &p,
		     S("\r\n>  OK\r\n"), 0, T(MFW_AT_PROMPT, MFW_AT_OTHER));

	mfw_at_init(&p);
	expect_types("'>' without the expectation is text", &p,
		     S("\r\n> \r\nOK\r\n"), 0, T(MFW_AT_OTHER, MFW_AT_OK));

	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	expect_types("'>' inside a line is text", &p, S("a>b\r\n"), 0,
		     T(MFW_AT_OTHER));
	check(p.expect_prompt, "a text line keeps the expectation");
	expect_types("...and the prompt still comes", &p, S("> "), 0,
		     T(MFW_AT_PROMPT));

	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	expect_types("refusal instead of a prompt", &p,
		     S("\r\n+CME ERROR: 853\r\n"), 0, T(MFW_AT_CME_ERROR));
	check(!p.expect_prompt, "a final result ends the expectation");
	expect_types("later '>' is text", &p, S("\r\n> x\r\n"), 0,
		     T(MFW_AT_OTHER));

	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	expect_types("URC before the prompt", &p,
		     S("\r\n+MFWDLOAD: 0\r\n\r\n> "), 1,
		     T(MFW_AT_MFWDLOAD, MFW_AT_PROMPT));

	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	mfw_at_expect_prompt(&p, false);
	expect_types("expectation withdrawn", &p, S("> \r\n"), 0,
		     T(MFW_AT_OTHER));

	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	expect_types("prompt twice: only the first counts", &p,
		     S("> > \r\n"), 0, T(MFW_AT_PROMPT, MFW_AT_OTHER));
}

static void test_long_lines(void)
{
	static char big[65536 + 64];
	struct mfw_at_parser p;
	struct log log;
	size_t i, n;

	/* 64 KiB without a terminator, then a valid OK. */
	for (i = 0; i < 65536; i++)
		big[i] = (char)('A' + i % 26);
	memcpy(big + 65536, "\r\nOK\r\n", 6);
	n = 65536 + 6;
	for (i = 0; i < 3; i++) {
		size_t chunk = i == 0 ? 0 : i == 1 ? 1 : 4093;

		mfw_at_init(&p);
		log_reset(&log);
		feed_chunks(&p, big, n, chunk, &log);
		check(log.n == 2 && !log.bad &&
		      log.r[0].ev.type == MFW_AT_OTHER &&
		      log.r[0].ev.truncated &&
		      log.r[0].ev.len == MFW_AT_LINE_MAX &&
		      !memcmp(log.r[0].line, big, MFW_AT_LINE_MAX) &&
		      log.r[1].ev.type == MFW_AT_OK && !log.r[1].ev.truncated,
		      "64 KiB line (chunk %zu): truncated OTHER, then OK",
		      chunk);
	}

	/* Exactly the limit is kept whole; one more is cut. */
	memset(big, 'x', MFW_AT_LINE_MAX + 1);
	memcpy(big + MFW_AT_LINE_MAX + 1, "\r\n", 2);
	mfw_at_init(&p);
	log_reset(&log);
	feed_chunks(&p, big + 1, MFW_AT_LINE_MAX + 2, 0, &log);
	check(log.n == 1 && log.r[0].ev.len == MFW_AT_LINE_MAX &&
	      !log.r[0].ev.truncated, "line of exactly %d bytes is whole",
	      MFW_AT_LINE_MAX);
	log_reset(&log);
	feed_chunks(&p, big, MFW_AT_LINE_MAX + 3, 0, &log);
	check(log.n == 1 && log.r[0].ev.len == MFW_AT_LINE_MAX &&
	      log.r[0].ev.truncated, "line of %d bytes is truncated",
	      MFW_AT_LINE_MAX + 1);

	/* A truncated URC is never taken for one. */
	memset(big, ' ', 4096);
	memcpy(big, "+MFWDLOAD: 1,100,5", 18);
	memcpy(big + 4000, "00\r\n", 4);
	mfw_at_init(&p);
	log_reset(&log);
	feed_chunks(&p, big, 4004, 0, &log);
	check(log.n == 1 && log.r[0].ev.type == MFW_AT_OTHER &&
	      log.r[0].ev.truncated && log.r[0].ev.malformed,
	      "truncated +MFWDLOAD is OTHER, malformed");

	memset(big, ' ', 4096);
	memcpy(big, "+MFWUPGRADE: 1,5", 16);
	memcpy(big + 4000, "0\r\n", 3);
	mfw_at_init(&p);
	log_reset(&log);
	feed_chunks(&p, big, 4003, 0, &log);
	check(log.n == 1 && log.r[0].ev.type == MFW_AT_OTHER &&
	      log.r[0].ev.malformed, "truncated +MFWUPGRADE is OTHER");

	/* A truncated error is still final, with an unknown code. */
	memset(big, ' ', 4096);
	memcpy(big, "+CME ERROR: 850", 15);
	memcpy(big + 4000, "1\r\n", 3);
	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	log_reset(&log);
	feed_chunks(&p, big, 4003, 7, &log);
	check(log.n == 1 && log.r[0].ev.type == MFW_AT_CME_ERROR &&
	      log.r[0].ev.code == -1 && log.r[0].ev.malformed &&
	      log.r[0].ev.truncated && !p.expect_prompt,
	      "truncated +CME ERROR is final with code -1");

	/* "OK" followed by a flood of blanks is no OK. */
	memset(big, ' ', 1024);
	memcpy(big, "OK", 2);
	memcpy(big + 1024, "\r\n", 2);
	mfw_at_init(&p);
	expect_types("truncated \"OK   ...\" is OTHER", &p, big, 1026, 0,
		     T(MFW_AT_OTHER));

	/* No prompt in the middle of a cut line. */
	memset(big, 'z', 1024);
	big[600] = '>';
	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	expect_types("'>' after an overflow is not a prompt", &p, big, 1024,
		     0, NULL, 0);
	expect_types("...the cut line ends at its terminator", &p,
		     S("\r\n> "), 0, T(MFW_AT_OTHER, MFW_AT_PROMPT));
}

static unsigned int lcg(unsigned int *s)
{
	*s = *s * 1103515245u + 12345u;
	return *s >> 16;
}

static void test_binary(void)
{
	static char junk[100000];
	struct mfw_at_parser p;
	struct log log;
	unsigned int seed = 1;
	size_t i;

	mfw_at_init(&p);
	log_reset(&log);
	feed_chunks(&p, S("\0\0OK\0\r\n\xff\xfe\r\n+MATREADY\r\n"), 0, &log);
	check(log.n == 3 && log.r[0].ev.type == MFW_AT_OTHER &&
	      log.r[0].ev.len == 5 && !memcmp(log.r[0].line, "\0\0OK\0", 5) &&
	      log.r[1].ev.type == MFW_AT_OTHER && log.r[1].ev.len == 2 &&
	      log.r[2].ev.type == MFW_AT_MATREADY,
	      "NUL and high bytes are text, lines keep their length");

	mfw_at_init(&p);
	log_reset(&log);
	feed_chunks(&p, S("+MFWDLOAD: 1,10\0,5\r\n"), 0, &log);
	check(log.n == 1 && log.r[0].ev.type == MFW_AT_OTHER &&
	      log.r[0].ev.malformed, "NUL inside a URC makes it malformed");

	for (i = 0; i < sizeof(junk); i++)
		junk[i] = (char)lcg(&seed);
	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	log_reset(&log);
	feed_chunks(&p, junk, sizeof(junk), 333, &log);
	check(!log.bad, "100 kB of random bytes: every event within bounds");
	log_reset(&log);
	feed_chunks(&p, S("\r\nOK\r\n"), 0, &log);
	check(log.n >= 1 && log.r[log.n - 1].ev.type == MFW_AT_OK,
	      "OK recognised after random bytes");
}

static void test_stop(void)
{
	static const char s[] = "\r\nA\r\nOK\r\nB\r\n";
	struct mfw_at_parser p;
	struct log log;
	size_t n;

	mfw_at_init(&p);
	log_reset(&log);
	log.stop_after = 2;
	n = mfw_at_feed(&p, s, sizeof(s) - 1, record, &log);
	check(n == 8 && log.n == 2 && log.r[1].ev.type == MFW_AT_OK,
	      "callback stops the feed just after its event (n=%zu)", n);
	log.stop_after = 0;
	n += mfw_at_feed(&p, s + n, sizeof(s) - 1 - n, record, &log);
	check(n == sizeof(s) - 1 && log.n == 3 && log.r[2].ev.len == 1 &&
	      log.r[2].line[0] == 'B', "feeding the rest resumes");

	mfw_at_init(&p);
	mfw_at_expect_prompt(&p, true);
	log_reset(&log);
	log.stop_after = 1;
	n = mfw_at_feed(&p, S("> OK\r\n"), record, &log);
	check(n == 1 && log.n == 1 && log.r[0].ev.type == MFW_AT_PROMPT,
	      "callback stops at the prompt");
}

/*
 * A whole transparent write and a remote download as a module sends them,
 * with echo on and URCs between commands.
 */
static const char transcript[] =
	"\r\n+MATREADY\r\n"
	"ATE0\r\r\nOK\r\n"
	"\r\nML307R-DC-MBRH0S01\r\n\r\nOK\r\n"
	"\r\n+CME ERROR: 859\r\n"
	"\r\n> "
	"\r\nOK\r\n"
	"\r\n+MFWCHECK: 5156E9D92129AA04B3488A991AED40C4\r\n\r\nOK\r\n"
	"\r\n+MFWCFG: \"url\",\"http://example.com/a.bin\"\r\n\r\nOK\r\n"
	"\r\nOK\r\n"
	"\r\n+MFWDLOAD: 1,9508,4096\r\n"
	"\r\n+MFWDLOAD: 1,8192\r\n"
	"\r\n+MFWDLOAD: 3,9508,9000\r\n\r\n+MFWDLOAD: 0\r\n"
	"\n+MFWDLOAD: 2,9508,9508\n"
	"\r\n+CME ERROR: upgrade error\r\n"
	"\r\n+MFWUPGRADE: 1,42\r\n"
	"\r+MFWUPGRADE: 2\r"
	"\r\nREBOOTING\r\n"
	"\0\xff\r\n+MATREADY\r\n";

static const enum mfw_at_type transcript_types[] = {
	MFW_AT_MATREADY, MFW_AT_OTHER, MFW_AT_OK, MFW_AT_OTHER, MFW_AT_OK,
	MFW_AT_CME_ERROR, MFW_AT_PROMPT, MFW_AT_OK, MFW_AT_OTHER, MFW_AT_OK,
	MFW_AT_OTHER, MFW_AT_OK, MFW_AT_OK, MFW_AT_MFWDLOAD, MFW_AT_MFWDLOAD,
	MFW_AT_MFWDLOAD, MFW_AT_MFWDLOAD, MFW_AT_MFWDLOAD, MFW_AT_CME_ERROR,
	MFW_AT_MFWUPGRADE, MFW_AT_MFWUPGRADE, MFW_AT_OTHER, MFW_AT_OTHER,
	MFW_AT_MATREADY,
};

#define NTYPES (sizeof(transcript_types) / sizeof(transcript_types[0]))

/*
 * The driver's side: arm the prompt after the CME error (standing in for
 * the second AT+MFWDLOAD=0,<len>).  The callback does it, as a driver
 * reacting to the failed first attempt would.
 */
struct driver_log {
	struct log log;
	size_t armed_at;
	struct mfw_at_parser *p;
};

static bool driver_record(const struct mfw_at_event *ev, void *ctx)
{
	struct driver_log *d = ctx;
	bool ret = record(ev, &d->log);

	if (d->log.n == d->armed_at)
		mfw_at_expect_prompt(d->p, true);
	return ret;
}

static void feed_transcript(struct driver_log *d, struct mfw_at_parser *p,
			    const size_t *cuts, size_t ncuts)
{
	size_t len = sizeof(transcript) - 1, start = 0, i;

	/* Only the counters: the records are overwritten as they come. */
	d->log.n = 0;
	d->log.dropped = 0;
	d->log.bad = 0;
	d->log.stop_after = 0;
	d->armed_at = 6;
	d->p = p;
	mfw_at_init(p);
	for (i = 0; i <= ncuts; i++) {
		size_t end = i < ncuts ? cuts[i] : len;

		mfw_at_feed(p, transcript + start, end - start,
			    driver_record, d);
		start = end;
	}
}

static void test_transcript(void)
{
	size_t len = sizeof(transcript) - 1, i, j, bad2 = 0, bad3 = 0;
	struct mfw_at_parser p;
	static struct driver_log whole, d;
	const struct mfw_at_event *e;
	int good = 1;

	feed_transcript(&whole, &p, NULL, 0);
	good = whole.log.n == NTYPES && !whole.log.bad;
	for (i = 0; good && i < NTYPES; i++)
		good = whole.log.r[i].ev.type == transcript_types[i];
	check(good, "transcript: %zu events of the expected types",
	      whole.log.n);
	if (!good)
		for (i = 0; i < whole.log.n; i++)
			diag("  %zu %s \"%.*s\"", i,
			     mfw_at_type_name(whole.log.r[i].ev.type),
			     (int)whole.log.r[i].ev.len, whole.log.r[i].line);
	if (whole.log.n != NTYPES)
		return;

	e = &whole.log.r[5].ev;
	check(e->code == 859, "transcript: CME 859");
	e = &whole.log.r[13].ev;
	check(e->state == 1 && e->has_total && e->total == 9508 &&
	      e->dlength == 4096, "transcript: download progress with total");
	e = &whole.log.r[14].ev;
	check(e->state == 1 && !e->has_total && e->dlength == 8192,
	      "transcript: download progress without total");
	e = &whole.log.r[16].ev;
	check(e->state == 0 && !e->has_total && e->dlength == 0,
	      "transcript: bare +MFWDLOAD: 0");
	e = &whole.log.r[18].ev;
	check(e->code == 854 && e->text_len == 13,
	      "transcript: verbose upgrade error");
	e = &whole.log.r[19].ev;
	check(e->state == 1 && e->percent == 42, "transcript: upgrade 42%%");
	e = &whole.log.r[22].ev;
	check(e->len == 2 && e->line[0] == 0, "transcript: NUL junk kept");

	/* Every single split point, and byte at a time. */
	for (i = 0; i <= len; i++) {
		feed_transcript(&d, &p, &i, 1);
		if (!same_log(&d.log, &whole.log)) {
			if (!bad2)
				diag("first differing split at %zu", i);
			bad2++;
		}
	}
	check(!bad2, "transcript split at each of %zu points: same events",
	      len + 1);

	/* Every pair of split points. */
	for (i = 0; i <= len; i++)
		for (j = i; j <= len; j++) {
			size_t cuts[2] = { i, j };

			feed_transcript(&d, &p, cuts, 2);
			if (!same_log(&d.log, &whole.log)) {
				if (!bad3)
					diag("first differing split at %zu,%zu",
					     i, j);
				bad3++;
			}
		}
	check(!bad3, "transcript split at every pair of points: same events");

	{
		static size_t cuts[sizeof(transcript)];

		for (i = 0; i < len; i++)
			cuts[i] = i + 1;
		feed_transcript(&d, &p, cuts, len - 1);
		check(same_log(&d.log, &whole.log),
		      "transcript byte at a time: same events");
	}
}

/* Feed @s whole and return the types of the events, as letters. */
static const char *types_of(const char *s)
{
	static char out[RECS_MAX + 1];
	static const char letter[MFW_AT_TYPE_NR] = {
		[MFW_AT_OK] = 'K', [MFW_AT_ERROR] = 'E',
		[MFW_AT_CME_ERROR] = 'C', [MFW_AT_CMS_ERROR] = 'S',
		[MFW_AT_CIS_ERROR] = 'I', [MFW_AT_PROMPT] = '>',
		[MFW_AT_MFWDLOAD] = 'D', [MFW_AT_MFWUPGRADE] = 'U',
		[MFW_AT_MATREADY] = 'M', [MFW_AT_V250] = 'V',
		[MFW_AT_PAYLOAD] = 'P', [MFW_AT_OTHER] = 'o',
	};
	struct mfw_at_parser p;
	struct log log;
	size_t i;

	mfw_at_init(&p);
	log_reset(&log);
	feed_chunks(&p, s, strlen(s), 0, &log);
	for (i = 0; i < log.n; i++)
		out[i] = letter[log.r[i].ev.type];
	out[i] = '\0';
	return out;
}

/*
 * Message data: the line after an SMS header is PAYLOAD whatever it
 * says; a status report's header in text mode announces none.
 */
static void test_payload(void)
{
	static const struct {
		const char *in, *want, *what;
	} cases[] = {
		{ "\r\n+CMT: \"+10000000000\",,\"26/11/30,08:00:00+32\"\r\nOK\r\n",
		  "oP", "text-mode +CMT whose text is OK" },
		{ "\r\n+CMT: ,24\r\n07914A\r\n+MATREADY\r\n",
		  "oPM", "PDU-mode +CMT, then a real +MATREADY" },
		{ "\r\n+CMT: ,24\r\n+MATREADY\r\n+MATREADY\r\n",
		  "oPP", "a PDU header whose data is not hex: open after all" },
		{ "\r\n+CMT: \"\",1\n\",,\"26/01/01,12:00:00+04\"\r\n"
		  "+MFWUPGRADE: 3\r\n+MATREADY\r\nOK\r\n", "oPPPP",
		  "a sender address with a quote and a line break" },
		{ "\r\n+CMT: \"A\",12\r\n00\r\nOK\r\n", "oPP",
		  "+CMT with a quoted <alpha>: open" },
		{ "\r\n+CMT: \"+1\",,\"t\"\r\n+MFWUPGRADE: 3\r\nOK\r\n",
		  "oPP", "text-mode +CMT: a report and OK after it are data" },
		{ "+CMGR: \"REC READ\",\"+1\",,\"t\"\r\nERROR\r\n\r\nOK\r\n",
		  "oPP", "text-mode +CMGR of a message: open to the end" },
		{ "+CMGR: \"REC READ\",6,1,\"+1\",145,\"t\",\"t\",0\r\nOK\r\n",
		  "oK", "text-mode +CMGR of a status report has no data" },
		{ "+CMGR: 1,,24\r\n00AB\r\nOK\r\n", "oPK", "PDU-mode +CMGR" },
		{ "+CMGL: 1,\"REC UNREAD\",\"+1\",,\"t\"\r\nOK\r\n"
		  "+CMGL: 2,\"REC READ\",\"+2\",,\"t\"\r\n+MATREADY\r\nOK\r\n",
		  "oPPPP", "text-mode +CMGL of two messages: all data" },
		{ "+CMGL: 1,\"REC READ\",6,1,\"+1\",145,\"t\",\"t\",0\r\nOK\r\n",
		  "oK", "text-mode +CMGL of a status report" },
		{ "+CMGL: 1,\"REC READ\",6,1\r\nOK\r\nOK\r\n", "oPP",
		  "an unknown +CMGL shape: open data" },
		{ "+CMGR: \"REC UNREAD\",1,2,3,1,1\r\n+MATREADY\r\nOK\r\n",
		  "oPP", "text-mode +CMGR of a stored cell broadcast" },
		{ "+CMGL: (\"REC UNREAD\",\"ALL\")\r\nOK\r\n", "oK",
		  "+CMGL test command answer: no data" },
		{ "\r\n+CMT: \"+1\",,\"t\",145,4,0,0,\"+2\",145,17\r\n"
		  "hi\r\nOK\r\n+MATREADY\r\nOK\r\n", "oPPPP",
		  "detailed text +CMT: open too" },
		{ "+CMGR: \"REC READ\",\"+1\",,\"t\",145,4,0,0,\"+2\",145,6\r\n"
		  "a\r\nOK\r\nOK\r\n", "oPPP",
		  "detailed text +CMGR: open too" },
		{ "+CMGL: 2,\"REC READ\",\"+1\",,\"t\",145,4\r\nab\r\nOK\r\n", "oPP",
		  "detailed text +CMGL: open too" },
		{ "+CMT: \"+1\",,\"t\",145,4,0,0,\"+2\",145,22\na\na\nOK\n", "oPPP",
		  "a <length> in characters ends nothing: LF-only breaks" },
		{ "\r\n+CMT: \"\"\",,\"26/11/30,08:00:00+32\"\r\nhi\r\n"
		  "+MFWUPGRADE: 3\r\nOK\r\n", "oPPP",
		  "a quote in the sender's address: open, not PDU" },
		{ "+CMGL: 1,\"REC UNREAD\",\"a\",1,\"\",,\"26/11/30,08:00:00+32\"\r\n"
		  "x\r\nOK\r\n", "oPP", "an address with quotes and commas" },
		{ "+CMGR: \"REC UNREAD\",\"\",,,,,,,\"\",,\"t\"\r\nx\r\nOK\r\n", "oPP",
		  "an address of commas in quotes" },
		{ "+CMGR: \"REC READ\",\"6,1\",1,\"+1\",145,\"t\",\"t\",0\r\nx\r\nOK\r\n",
		  "oPP", "a status report's shape needs numbers, not strings" },
		{ "+CMT: x,24\r\nOK\r\nOK\r\n", "oPP",
		  "an unknown +CMT shape: open" },
		{ "\r\n+CMT: \"+1\",,\"t\"\r\n\r\n+MFWUPGRADE: 2\r\n", "oP",
		  "a text message may start with a line break" },
		{ "\r\n+CMT: ,0\r\n\r\n+MFWUPGRADE: 2\r\n", "oU",
		  "an empty PDU message swallows nothing" },
		{ "+CMGR: \"REC READ\",\"+1\",,\"t\",145,4,0,0,\"+2\",145,0\r\n"
		  "\r\nOK\r\n", "oP", "an empty text message: open all the same" },
		{ "+CBM: 1,2,3,1,1\r\nhi\r\nOK\r\n+MATREADY\r\n", "oPPP",
		  "text-mode +CBM: open data" },
		{ "+CMT: \"+1\",,\"t\"\r\nOK\r\n+CMT: ,24\r\n00\r\n", "oPPP",
		  "a header inside open data is data" },
		{ "\n+CMT: ,0\n\n+MATREADY\n", "oM",
		  "an empty message with LF line ends" },
		{ "+CMGL: 1,0,,24\r\n00ff\r\nOK\r\n", "oPK", "PDU-mode +CMGL" },
		{ "+CDS: 25\r\n0A\r\nOK\r\n", "oPK", "PDU-mode +CDS" },
		{ "+CDS: 6,1,\"+1\",145,\"t\",\"t\",0\r\nOK\r\n", "oK",
		  "text-mode +CDS has no data" },
		{ "+CBM: 88\r\n+MATREADY\r\n", "oP", "PDU-mode +CBM" },
		{ "+CMTI: \"SM\",3\r\nOK\r\n", "oK", "+CMTI carries no data" },
		{ "\xff+CMT: ,24\r\nOK\r\n", "oP", "a header after noise" },
		{ "X+CMT: ,24\r\nOK\r\n", "oK", "not a header" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = types_of(cases[i].in);
		int same = !strcmp(got, cases[i].want);

		check(same, "payload case %zu: %s", i, cases[i].what);
		if (!same)
			diag("got %s, want %s", got, cases[i].want);
	}

	/* Open data ends after a pause, at the line in progress. */
	{
		struct mfw_at_parser p;
		struct log log;
		const char *s = "\r\n+CMT: \"+1\",,\"t\"\r\nhi\r\n+MATREADY\r\n";

		mfw_at_init(&p);
		log_reset(&log);
		feed_chunks(&p, s, strlen(s), 0, &log);
		check(mfw_at_payload_open(&p), "payload: open after two lines");
		mfw_at_quiet(&p);
		check(!mfw_at_payload_open(&p), "payload: a pause ends it");
		s = "OK\r\n+MATREADY\r\n";
		feed_chunks(&p, s, strlen(s), 0, &log);
		check(log.n == 5 && log.r[1].ev.type == MFW_AT_PAYLOAD &&
		      log.r[2].ev.type == MFW_AT_PAYLOAD &&
		      log.r[3].ev.type == MFW_AT_OK &&
		      log.r[4].ev.type == MFW_AT_MATREADY,
		      "payload: after the pause, lines are lines");

		/* A pause mid-line is the host's: it ends nothing. */
		mfw_at_init(&p);
		log_reset(&log);
		s = "+CMT: \"+1\",,\"t\"\r\nhi\r\n+MAT";
		feed_chunks(&p, s, strlen(s), 0, &log);
		mfw_at_quiet(&p);
		s = "READY\r\nOK\r\n";
		feed_chunks(&p, s, strlen(s), 0, &log);
		check(log.n == 4 && log.r[2].ev.type == MFW_AT_PAYLOAD &&
		      log.r[3].ev.type == MFW_AT_PAYLOAD,
		      "payload: a pause in the middle of a line ends nothing");

			/* An empty text message, then a pause: the data is over. */
		mfw_at_init(&p);
		log_reset(&log);
		s = "\r\n+CMT: \"+1\",,\"t\"\r\n\r\n";
		feed_chunks(&p, s, strlen(s), 0, &log);
		mfw_at_quiet(&p);
		s = "\r\n+MFWUPGRADE: 2\r\n";
		feed_chunks(&p, s, strlen(s), 0, &log);
		check(log.n == 2 && log.r[1].ev.type == MFW_AT_MFWUPGRADE,
		      "payload: an empty text message ends at the pause");

		/* Message data may hold a '>': it is never the prompt. */
		mfw_at_init(&p);
		log_reset(&log);
		mfw_at_expect_prompt(&p, true);
		s = "+CMT: \"+1\",,\"t\"\r\nhi\r\n> OK\r\n";
		feed_chunks(&p, s, strlen(s), 0, &log);
		check(log.n == 3 && log.r[2].ev.type == MFW_AT_PAYLOAD,
		      "payload: a '>' in the data is data");
		mfw_at_quiet(&p);
		s = "> ";
		feed_chunks(&p, s, strlen(s), 0, &log);
		check(log.n == 4 && log.r[3].ev.type == MFW_AT_PROMPT,
		      "payload: the prompt after the data is the prompt");

		/* A pause right after the header: the next line is data. */
		mfw_at_init(&p);
		log_reset(&log);
		s = "+CMT: \"+1\",,\"t\"\r\n";
		feed_chunks(&p, s, strlen(s), 0, &log);
		mfw_at_quiet(&p);
		s = "+MATREADY\r\n+MATREADY\r\n";
		feed_chunks(&p, s, strlen(s), 0, &log);
		check(log.n == 3 && log.r[1].ev.type == MFW_AT_PAYLOAD &&
		      log.r[2].ev.type == MFW_AT_MATREADY,
		      "payload: the line after the header is always data");

		/* No open data: a pause changes nothing. */
		mfw_at_init(&p);
		log_reset(&log);
		s = "+CMT: ,2\r\n";
		feed_chunks(&p, s, strlen(s), 0, &log);
		mfw_at_quiet(&p);
		s = "00\r\n+MATREADY\r\n";
		feed_chunks(&p, s, strlen(s), 0, &log);
		check(log.n == 3 && log.r[1].ev.type == MFW_AT_PAYLOAD &&
		      log.r[2].ev.type == MFW_AT_MATREADY,
		      "payload: a pause leaves PDU data alone");
	}

	/*
	 * The bound: no message reaches a line that starts more than
	 * MFW_AT_TEXT_DATA_MAX bytes after its header; every header in
	 * the data starts the bound again.
	 */
	{
		static char s[4096];
		struct mfw_at_parser p;
		struct log log;
		size_t n, k, lines = 0;

		n = (size_t)sprintf(s, "+CMT: \"+1\",,\"t\"\r\n");
		/* 21 lines of 28 + 2 bytes: 630, below the bound */
		for (k = 0; k < 21; k++, lines++)
			n += (size_t)sprintf(s + n, "%028zu\r\n", k);
		n += (size_t)sprintf(s + n, "+MATREADY\r\n");	/* at 630 */
		n += (size_t)sprintf(s + n, "+MATREADY\r\n");	/* at 641 */
		mfw_at_init(&p);
		log_reset(&log);
		feed_chunks(&p, s, n, 0, &log);
		check(log.n == lines + 3 &&
		      log.r[lines + 1].ev.type == MFW_AT_PAYLOAD &&
		      log.r[lines + 2].ev.type == MFW_AT_MATREADY,
		      "payload: a line past MFW_AT_TEXT_DATA_MAX is a line");

		n = (size_t)sprintf(s, "+CMT: \"+1\",,\"t\"\r\n");
		for (k = 0; k < 20; k++)
			n += (size_t)sprintf(s + n, "%028zu\r\n", k);
		n += (size_t)sprintf(s + n, "+CMGL: 2,\"REC READ\",\"+2\",,\"t\"\r\n");
		for (k = 0; k < 20; k++)
			n += (size_t)sprintf(s + n, "%028zu\r\n", k);
		n += (size_t)sprintf(s + n, "+MATREADY\r\n");
		mfw_at_init(&p);
		log_reset(&log);
		feed_chunks(&p, s, n, 0, &log);
		check(log.n == 43 && log.r[42].ev.type == MFW_AT_PAYLOAD,
		      "payload: a header in the data starts the bound again");
	}

	/* An echoed header announces nothing once cancelled. */
	{
		struct mfw_at_parser p;
		struct log log;
		const char *s = "+CMT: ,24\r\n";

		mfw_at_init(&p);
		log_reset(&log);
		feed_chunks(&p, s, strlen(s), 0, &log);
		mfw_at_cancel_payload(&p);
		s = "OK\r\n";
		feed_chunks(&p, s, strlen(s), 0, &log);
		check(log.n == 2 && log.r[0].ev.payload &&
		      log.r[1].ev.type == MFW_AT_OK,
		      "payload: mfw_at_cancel_payload() keeps the next line a line");
	}
}

static void test_user_commands(void)
{
	struct mfw_at_event ev;

	mfw_at_classify("RING", 4, false, &ev);
	check(!mfw_at_ends_user_command(&ev) && !mfw_at_is_final(ev.type),
	      "RING ends no command");
	mfw_at_classify("NO CARRIER", 10, false, &ev);
	check(mfw_at_ends_user_command(&ev) && !mfw_at_is_final(ev.type),
	      "NO CARRIER ends a user's dial, no command of mfw");
	mfw_at_classify("\xff" "CONNECT 9600", 13, false, &ev);
	check(mfw_at_ends_user_command(&ev), "CONNECT after noise ends a dial");
	mfw_at_classify("OK", 2, false, &ev);
	check(mfw_at_ends_user_command(&ev), "OK ends a user's command");
}

static void test_imei(void)
{
	static const struct {
		const char *resp;
		const char *imei;	/* NULL: not an IMEI */
	} t[] = {
		{ "490154203237518", "490154203237518" },
		{ "869999000000011\n", "869999000000011" },
		{ "+CGSN: 869999000000029", "869999000000029" },
		{ "+CGSN:\"869999000000029\"", "869999000000029" },
		{ "  \"490154203237518\" \r", "490154203237518" },
		/* the first line only: what follows is another line */
		{ "490154203237518\nOK", "490154203237518" },
		/* a wrong check digit: noise, or another command's number */
		{ "490154203237519", NULL },
		{ "49015420323751", NULL },		/* 14 digits */
		{ "4901542032375180", NULL },		/* 16: an IMEISV */
		{ "\"490154203237518", NULL },
		{ "490154203237518\"", NULL },
		{ "AT+CGSN", NULL },			/* an echo */
		{ "+CGSN: 490154203237518,1", NULL },
		{ "IMEI 490154203237518", NULL },
		{ "000000000000000", NULL },		/* a placeholder */
		{ "000000001234566", NULL },		/* TAC 00000000 */
		{ "004999010640000", NULL },		/* a chipset's default */
		{ "+CGSN: \"a3f1c2d4-0b5e-4c6f-9a7b-8c9d0e1f2a3b\"", NULL },
		{ "", NULL },
		{ "\n490154203237518", NULL },
		{ "4901542032\x00" "37518", NULL },
	};
	char imei[MFW_AT_IMEI_SIZE];

	for (size_t i = 0; i < ARRAY_SIZE(t); i++) {
		/* the last entry holds a NUL inside: its length is given */
		size_t len = i == ARRAY_SIZE(t) - 1 ? 16 : strlen(t[i].resp);
		bool got;

		memset(imei, 'x', sizeof(imei));
		got = mfw_at_imei(t[i].resp, len, imei);
		/* answers hold line breaks: TAP names them by number */
		check(t[i].imei ? got && !strcmp(imei, t[i].imei) : !got && !*imei,
		      "imei: answer %zu %s", i,
		      t[i].imei ? "is an IMEI" : "is no IMEI");
	}
}

int main(void)
{
	test_type_helpers();
	test_classify_table();
	test_cme_codes();
	test_terminators();
	test_prompt();
	test_long_lines();
	test_binary();
	test_stop();
	test_transcript();
	test_payload();
	test_user_commands();
	test_imei();
	printf("1..%d\n", tests);
	if (failures)
		diag("%d of %d failed", failures, tests);
	return failures ? 1 : 0;
}
