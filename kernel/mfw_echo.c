// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw - tracking what users wrote, so that its echo stays users' text.
 *
 * A module echoes every byte it receives on its AT port until someone
 * sends ATE0 (V.250, 6.2.4), and most USB AT ports start with echo on.
 * So anything a user who may write the tty types comes back on the
 * receive side, framed like the module's own lines: "+MFWUPGRADE: 3",
 * "+MATREADY" or "OK" typed by a user would read as a failed upgrade, a
 * restart or the end of a command.  Only the module speaks for the
 * module: this file remembers the bytes users sent, and a received line
 * that repeats them is their echo.
 *
 * The bytes are kept as one stream, oldest first, a CR or an LF ending a
 * command.
 * A received line that the oldest command not yet echoed starts with is
 * echo, and is consumed; so is one that a later command starts with, and
 * the older commands go (a module ignores a line without "AT" in it, and
 * answers nothing; one with AT whose echo came garbled still waits for
 * its answer, in @cut).  Once a command is echoed up to its end it counts
 * in @echoed until its final result comes.  A module with echo off never
 * sends the bytes back: when the final result for a command comes and
 * nothing of that command was echoed, its bytes are dropped.
 *
 * A line that would read as the module's report or result when echoed is
 * refused before it goes out (mfw_echo_allowed()): no modem takes it as a
 * command, and its echo could otherwise pass for the module's in ways no
 * tracking of bytes rules out (a module that drops a byte of its echo,
 * output processing that changes case, an answer that arrives before the
 * echo of a command written after it).  Tracking the echo covers the
 * rest, so that users still read their own text as they wrote it.
 *
 * The stream is bounded.  When users write more than it keeps, the oldest
 * commands go whole; their echo, when it comes, is an ordinary line.
 */
#include "mfw_echo.h"

static bool mfw_echo_term(char c)
{
	return c == '\r' || c == '\n';
}

/* What mfw_at.c skips as line noise: control and 8-bit bytes. */
static bool mfw_echo_noise(char c)
{
	unsigned char u = (unsigned char)c;

	return !mfw_echo_term(c) && (u < 0x20 || u >= 0x7f);
}

static char mfw_echo_upper(char c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/*
 * Might the module answer the line at @p (@n bytes, no terminator)?  It
 * takes a command from the "AT" (or "A/") in it, whatever comes before
 * (V.250 5.2.1; many modules answer ERROR to a line with junk ahead of
 * its AT), and applies backspace (S5) and DEL before it looks: a line
 * with either is counted too.  Counting a line the module ignores costs
 * a driver command a wait (bounded by user_timeout_ms); missing one the
 * module answers would give its final result to the driver.
 */
static bool mfw_echo_is_cmd(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (p[i] == '\b' || p[i] == 0x7f)
			return true;
		if (i + 1 < n && mfw_echo_upper(p[i]) == 'A' &&
		    (mfw_echo_upper(p[i + 1]) == 'T' || p[i + 1] == '/'))
			return true;
	}
	return false;
}

/* Would the line start @l (@n bytes, upper case) read as the module's? */
static bool mfw_echo_reads_as_module(const char *l, size_t n)
{
	static const char * const prefixes[] = {
		"+MFWDLOAD", "+MFWUPGRADE", "+MATREADY",
		"+CME ERROR", "+CMS ERROR", "+CIS ERROR",
	};
	size_t i, k;

	for (i = 0; i < ARRAY_SIZE(prefixes); i++) {
		k = strlen(prefixes[i]);
		if (n >= k && !memcmp(l, prefixes[i], k))
			return true;
	}
	/* OK and ERROR alone; trailing blanks do not change a line. */
	while (n && (l[n - 1] == ' ' || l[n - 1] == '\t'))
		n--;
	return (n == 2 && !memcmp(l, "OK", 2)) ||
	       (n == 5 && !memcmp(l, "ERROR", 5));
}

bool mfw_echo_allowed(struct mfw_echo *e, const char *buf, size_t len)
{
	char line[MFW_ECHO_LINE];
	size_t n = e->line_len, i;
	bool dial = e->dial;

	memcpy(line, e->line, n);
	for (i = 0; i < len; i++) {
		char c = buf[i];

		if (mfw_echo_term(c)) {
			if (mfw_echo_reads_as_module(line, n))
				return false;
			if (n) {
				/* ATD, ATA, ATO: a call's result codes end it. */
				dial = n >= 3 && line[0] == 'A' &&
				       line[1] == 'T' &&
				       (line[2] == 'D' || line[2] == 'A' ||
					line[2] == 'O');
			}
			n = 0;
			continue;
		}
		if (!n && mfw_echo_noise(c))
			continue;
		if (n < MFW_ECHO_LINE)
			line[n++] = mfw_echo_upper(c);
	}
	if (mfw_echo_reads_as_module(line, n))
		return false;
	memcpy(e->line, line, n);
	e->line_len = n;
	e->dial = dial;
	return true;
}

bool mfw_echo_dial(const struct mfw_echo *e)
{
	return e->dial;
}

/* Drop the first @n bytes. */
static void mfw_echo_drop(struct mfw_echo *e, size_t n)
{
	if (n > e->len)
		n = e->len;
	memmove(e->buf, e->buf + n, e->len - n);
	e->len -= n;
	if (n)
		e->head_part = false;
}

/*
 * Is the command at @pos in @buf (@n bytes) one the module may answer?
 * At the head, the part already echoed counts too (@head_cmd), and an
 * "AT" across the two (@head_last).
 */
static bool mfw_echo_cmd_at(const struct mfw_echo *e, size_t pos, size_t n)
{
	const char *p = e->buf + pos;

	if (!pos && e->head_part &&
	    (e->head_cmd ||
	     (e->head_last == 'A' && n &&
	      (mfw_echo_upper(p[0]) == 'T' || p[0] == '/'))))
		return true;
	return mfw_echo_is_cmd(p, n);
}

/*
 * The whole commands in the first @end bytes of @buf that the module may
 * answer (mfw_echo_cmd_at()), each ended by a CR or an LF.
 */
static unsigned int mfw_echo_count(const struct mfw_echo *e, size_t end)
{
	unsigned int cmds = 0;
	size_t pos = 0, n;

	while (pos < end) {
		if (mfw_echo_term(e->buf[pos])) {
			pos++;
			continue;
		}
		n = 0;
		while (pos + n < end && !mfw_echo_term(e->buf[pos + n]))
			n++;
		if (pos + n < end && mfw_echo_cmd_at(e, pos, n))
			cmds++;
		pos += n;
	}
	return cmds;
}

/* Drop the terminators at the start: empty commands, a LF after a CR. */
static void mfw_echo_skip_terms(struct mfw_echo *e)
{
	size_t i = 0;

	while (i < e->len && mfw_echo_term(e->buf[i]))
		i++;
	mfw_echo_drop(e, i);
}

/* Length of the first command, without its CR. */
static size_t mfw_echo_cmd_len(const struct mfw_echo *e)
{
	size_t i = 0;

	while (i < e->len && !mfw_echo_term(e->buf[i]))
		i++;
	return i;
}

/* Drop the first command and its CR, if it is complete. */
static void mfw_echo_drop_cmd(struct mfw_echo *e)
{
	size_t n = mfw_echo_cmd_len(e);

	if (n < e->len)
		mfw_echo_drop(e, n + 1);
}

void mfw_echo_init(struct mfw_echo *e)
{
	memset(e, 0, sizeof(*e));
}

/*
 * Make room: drop the oldest command whole (through its CR or LF), or
 * all that is kept when no command in it is complete.  Its echo may still
 * come, and then matches nothing: an ordinary line.
 */
static void mfw_echo_cut(struct mfw_echo *e)
{
	bool is_cmd;
	char last;
	size_t n;

	mfw_echo_skip_terms(e);
	n = mfw_echo_cmd_len(e);
	is_cmd = mfw_echo_cmd_at(e, 0, n);
	if (n < e->len) {
		/* A whole command still waits for its final result. */
		if (is_cmd)
			e->cut++;
		mfw_echo_drop(e, n + 1);
		return;
	}
	/*
	 * A line longer than what is kept: it goes on in later bytes, and
	 * what it had (its AT) decides whether it is a command once it ends,
	 * as for a line whose start was echoed.
	 */
	last = n ? mfw_echo_upper(e->buf[n - 1]) : e->head_last;
	mfw_echo_drop(e, n);
	e->head_part = true;
	e->head_cmd = is_cmd;
	e->head_last = last;
}

/*
 * A command whose echo came whole before users wrote its CR: once the CR
 * is written, it is an echoed command like any other.
 */
static void mfw_echo_settle(struct mfw_echo *e)
{
	bool is_cmd = e->head_cmd;

	if (!e->head_part || !e->len || !mfw_echo_term(e->buf[0]))
		return;
	mfw_echo_drop(e, 1);
	if (is_cmd)
		e->echoed++;
}

void mfw_echo_sent(struct mfw_echo *e, const char *buf, size_t len)
{
	while (len) {
		size_t n = MFW_ECHO_MAX - e->len;

		if (!n) {
			mfw_echo_cut(e);
			continue;
		}
		if (n > len)
			n = len;
		memcpy(e->buf + e->len, buf, n);
		e->len += n;
		buf += n;
		len -= n;
		mfw_echo_settle(e);
	}
}

void mfw_echo_unsent(struct mfw_echo *e, size_t len)
{
	e->len -= len < e->len ? len : e->len;
}

bool mfw_echo_line(struct mfw_echo *e, const char *line, size_t len,
		   bool truncated)
{
	size_t pos = 0, cmd, skip;

	/* Noise is not compared: a module may drop or add some. */
	while (len && mfw_echo_noise(*line)) {
		line++;
		len--;
	}
	mfw_echo_skip_terms(e);
	/*
	 * The oldest command first; a later one when the module echoes
	 * that: it handles commands in order, so the older ones were lines
	 * it ignored (no "AT" in them) and will never echo.
	 */
	while (len && pos < e->len) {
		while (pos < e->len && mfw_echo_term(e->buf[pos]))
			pos++;
		skip = 0;
		while (pos + skip < e->len && mfw_echo_noise(e->buf[pos + skip]))
			skip++;
		cmd = 0;
		while (pos + skip + cmd < e->len &&
		       !mfw_echo_term(e->buf[pos + skip + cmd]))
			cmd++;
		if (len <= cmd && !memcmp(e->buf + pos + skip, line, len)) {
			size_t used = skip + (truncated ? cmd : len);
			bool is_cmd = mfw_echo_cmd_at(e, pos, skip + cmd);
			bool used_cmd = mfw_echo_cmd_at(e, pos, used);
			char last = used ? mfw_echo_upper(e->buf[pos + used - 1]) :
				    '\0';

			/*
			 * Older commands the module never echoed (or whose
			 * echo came garbled) may still be answered.
			 */
			if (pos)
				e->cut += mfw_echo_count(e, pos);
			/* A truncated echo: the framer dropped the rest. */
			mfw_echo_drop(e, pos + used);
			if (e->len && mfw_echo_term(e->buf[0])) {
				/* Echoed up to its end: its final is next. */
				if (is_cmd)
					e->echoed++;
				mfw_echo_drop(e, 1);
			} else {
				/*
				 * The rest of its echo comes in another line,
				 * of bytes here or still to be written.
				 */
				e->head_part = true;
				e->head_cmd = used_cmd;
				e->head_last = last;
			}
			return true;
		}
		pos += skip + cmd;
	}
	return false;
}

void mfw_echo_final(struct mfw_echo *e)
{
	size_t n;
	bool is_cmd;

	/* The oldest first: echoed, then dropped to make room, then kept. */
	if (e->echoed) {
		e->echoed--;
		return;
	}
	if (e->cut) {
		e->cut--;
		return;
	}
	/*
	 * The oldest command was answered.  Partly echoed: the rest of its
	 * echo is not coming.  Not echoed at all: echo is off, it never
	 * will be.  Either way it is over (if its CR went out at all), and
	 * so are the lines before it that the module ignored (no AT).
	 */
	for (;;) {
		mfw_echo_skip_terms(e);
		n = mfw_echo_cmd_len(e);
		if (n >= e->len)
			return;		/* no whole command: keep the line */
		is_cmd = mfw_echo_cmd_at(e, 0, n);
		mfw_echo_drop_cmd(e);
		if (is_cmd)
			return;
	}
}

bool mfw_echo_pending(const struct mfw_echo *e)
{
	size_t pos = 0, n;

	if (e->echoed || e->cut)
		return true;
	while (pos < e->len) {
		if (mfw_echo_term(e->buf[pos])) {
			pos++;
			continue;
		}
		n = 0;
		while (pos + n < e->len && !mfw_echo_term(e->buf[pos + n]))
			n++;
		if (pos + n < e->len && mfw_echo_cmd_at(e, pos, n))
			return true;
		pos += n;
	}
	return false;
}

void mfw_echo_forget(struct mfw_echo *e)
{
	size_t n = e->len;

	while (n && !mfw_echo_term(e->buf[n - 1]))
		n--;
	mfw_echo_drop(e, n);
	e->echoed = 0;
	e->cut = 0;
}
