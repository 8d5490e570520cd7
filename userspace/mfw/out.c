// SPDX-License-Identifier: GPL-2.0
/*
 * mfw helper - JSON lines and the progress bar.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "out.h"
#include "util.h"

static bool bar_drawn;
static int bar_last = -2;
static char bar_phase[32];

int mfw_json_escape(const char *in, char *out, size_t size)
{
	size_t o = 0;

	for (; *in; in++) {
		unsigned char c = *in;
		char tmp[8];
		const char *add = tmp;
		size_t n;

		switch (c) {
		case '"': add = "\\\""; break;
		case '\\': add = "\\\\"; break;
		case '\n': add = "\\n"; break;
		case '\r': add = "\\r"; break;
		case '\t': add = "\\t"; break;
		default:
			if (c < 0x20 || c == 0x7f)
				snprintf(tmp, sizeof(tmp), "\\u%04x", c);
			else {
				tmp[0] = c;
				tmp[1] = '\0';
			}
		}
		n = strlen(add);
		if (o + n >= size)
			return -1;
		memcpy(out + o, add, n);
		o += n;
	}
	if (o >= size)
		return -1;
	out[o] = '\0';
	return (int)o;
}

static void mfw_json_put(struct mfw_json *j, const char *s)
{
	size_t n = strlen(s);

	if (j->overflow || j->len + n >= sizeof(j->buf)) {
		j->overflow = true;
		return;
	}
	memcpy(j->buf + j->len, s, n + 1);
	j->len += n;
}

static void mfw_json_key(struct mfw_json *j, const char *key)
{
	char esc[256];

	if (mfw_json_escape(key, esc, sizeof(esc)) < 0) {
		j->overflow = true;
		return;
	}
	mfw_json_put(j, j->len > 1 ? ",\"" : "\"");
	mfw_json_put(j, esc);
	mfw_json_put(j, "\":");
}

void mfw_json_begin(struct mfw_json *j, const char *event)
{
	j->len = 0;
	j->overflow = false;
	j->buf[0] = '\0';
	mfw_json_put(j, "{");
	if (event)
		mfw_json_str(j, "event", event);
}

void mfw_json_str(struct mfw_json *j, const char *key, const char *value)
{
	char esc[2048];

	mfw_json_key(j, key);
	if (!value) {
		mfw_json_put(j, "null");
		return;
	}
	if (mfw_json_escape(value, esc, sizeof(esc)) < 0) {
		j->overflow = true;
		return;
	}
	mfw_json_put(j, "\"");
	mfw_json_put(j, esc);
	mfw_json_put(j, "\"");
}

void mfw_json_int(struct mfw_json *j, const char *key, int64_t value)
{
	char num[32];

	mfw_json_key(j, key);
	snprintf(num, sizeof(num), "%" PRId64, value);
	mfw_json_put(j, num);
}

void mfw_json_bool(struct mfw_json *j, const char *key, bool value)
{
	mfw_json_key(j, key);
	mfw_json_put(j, value ? "true" : "false");
}

const char *mfw_json_end(struct mfw_json *j)
{
	mfw_json_put(j, "}");
	return j->overflow ? NULL : j->buf;
}

void mfw_json_emit(struct mfw_json *j)
{
	const char *line = mfw_json_end(j);

	if (!line)
		line = "{\"event\":\"error\",\"message\":\"output line too long\"}";
	printf("%s\n", line);
	fflush(stdout);
}

void mfw_out_event(const char *event, ...)
{
	struct mfw_json j;
	const char *k, *v;
	va_list ap;

	mfw_json_begin(&j, event);
	va_start(ap, event);
	while ((k = va_arg(ap, const char *))) {
		v = va_arg(ap, const char *);
		mfw_json_str(&j, k, v);
	}
	va_end(ap);
	mfw_json_emit(&j);
}

int mfw_percent(uint64_t done, uint64_t total)
{
	if (!total)
		return -1;
	if (done >= total)
		return 100;
	return (int)(done * 100 / total);
}

static void mfw_size_text(char *buf, size_t size, uint64_t n)
{
	if (n >= 1024 * 1024)
		snprintf(buf, size, "%.1f MiB", n / 1048576.0);
	else if (n >= 1024)
		snprintf(buf, size, "%.1f KiB", n / 1024.0);
	else
		snprintf(buf, size, "%" PRIu64 " B", n);
}

void mfw_progress_format(char *buf, size_t size, const char *phase,
			 uint64_t done, uint64_t total, int width)
{
	char bar[128], d[32], t[32];
	int pct = mfw_percent(done, total), fill, i;

	if (width < 1)
		width = 1;
	if (width > (int)sizeof(bar) - 1)
		width = sizeof(bar) - 1;
	mfw_size_text(d, sizeof(d), done);
	if (pct < 0) {
		snprintf(buf, size, "%-10s %s", phase, d);
		return;
	}
	fill = pct * width / 100;
	for (i = 0; i < width; i++)
		bar[i] = i < fill ? '#' : ' ';
	bar[width] = '\0';
	mfw_size_text(t, sizeof(t), total);
	snprintf(buf, size, "%-10s [%s] %3d%% %s / %s", phase, bar, pct, d, t);
}

void mfw_out_clear_bar(void)
{
	if (bar_drawn) {
		fputs("\r\033[K", stderr);
		bar_drawn = false;
	}
}

void mfw_out_progress(const char *phase, uint64_t done, uint64_t total)
{
	int pct = mfw_percent(done, total);
	char line[256];

	if (mfw_json) {
		struct mfw_json j;

		mfw_json_begin(&j, "progress");
		mfw_json_str(&j, "phase", phase);
		mfw_json_int(&j, "done", (int64_t)done);
		mfw_json_int(&j, "total", (int64_t)total);
		if (pct >= 0)
			mfw_json_int(&j, "percent", pct);
		mfw_json_emit(&j);
		return;
	}
	if (strcmp(bar_phase, phase)) {
		snprintf(bar_phase, sizeof(bar_phase), "%s", phase);
		bar_last = -2;
	}
	if (isatty(STDERR_FILENO)) {
		mfw_progress_format(line, sizeof(line), phase, done, total, 30);
		fprintf(stderr, "\r\033[K%s", line);
		bar_drawn = true;
		if (pct == 100)
			mfw_out_clear_bar();
		return;
	}
	if (pct / 10 == bar_last / 10 && bar_last != -2)
		return;
	bar_last = pct;
	mfw_progress_format(line, sizeof(line), phase, done, total, 20);
	fprintf(stderr, "mfw: %s\n", line);
}

void mfw_out_phase(const char *phase, const char *detail)
{
	if (mfw_json) {
		struct mfw_json j;

		mfw_json_begin(&j, "phase");
		mfw_json_str(&j, "phase", phase);
		if (detail)
			mfw_json_str(&j, "detail", detail);
		mfw_json_emit(&j);
	}
	mfw_out_clear_bar();
	fprintf(stderr, "mfw: %s%s%s\n", phase, detail ? ": " : "",
		detail ? detail : "");
}
