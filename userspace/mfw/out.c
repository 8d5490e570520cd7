// SPDX-License-Identifier: GPL-2.0-only
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

/* Longest member name, "_hex" companion included. */
#define MFW_JSON_KEY_MAX	64

static bool bar_drawn;
static int bar_last = -2;
static char bar_phase[32];

/* Members of the result event added before it is printed. */
static struct mfw_json result;

void mfw_json_begin(struct mfw_json *j, const char *event)
{
	j->obj = json_object_new();
	if (event)
		mfw_json_str(j, "event", event);
}

/* Lower-case hex of the bytes of @s, to be released with g_free(). */
static char *mfw_json_hex(const char *s)
{
	size_t len = strlen(s);
	char *hex = g_malloc(2 * len + 1);

	mfw_hex((const unsigned char *)s, len, hex);
	return hex;
}

void mfw_json_str(struct mfw_json *j, const char *key, const char *value)
{
	char hexkey[MFW_JSON_KEY_MAX];
	char *text;

	snprintf(hexkey, sizeof(hexkey), "%s_hex", key);
	if (json_object_has_member(j->obj, hexkey))
		json_object_remove_member(j->obj, hexkey);
	if (!value) {
		json_object_set_null_member(j->obj, key);
		return;
	}
	if (g_utf8_validate(value, -1, NULL)) {
		json_object_set_string_member(j->obj, key, value);
		return;
	}
	/* One U+FFFD per byte that is not part of a valid sequence. */
	text = g_utf8_make_valid(value, -1);
	json_object_set_string_member(j->obj, key, text);
	g_free(text);
	text = mfw_json_hex(value);
	json_object_set_string_member(j->obj, hexkey, text);
	g_free(text);
}

void mfw_json_int(struct mfw_json *j, const char *key, int64_t value)
{
	json_object_set_int_member(j->obj, key, value);
}

void mfw_json_bool(struct mfw_json *j, const char *key, bool value)
{
	json_object_set_boolean_member(j->obj, key, value);
}

/*
 * Escape the control bytes a generator left raw in @line (json-glib 1.6
 * passes U+001F through).  Outside strings the compact output has none,
 * and no byte below 0x20 is part of a longer UTF-8 sequence, so each one
 * is a whole character of a string.  Takes @line, returns the result.
 */
static char *mfw_json_fix_controls(char *line)
{
	GString *s;
	char *p;

	for (p = line; *p && (unsigned char)*p >= 0x20; p++)
		;
	if (!*p)
		return line;
	s = g_string_new_len(line, p - line);
	for (; *p; p++) {
		if ((unsigned char)*p < 0x20)
			g_string_append_printf(s, "\\u%04x", (unsigned char)*p);
		else
			g_string_append_c(s, *p);
	}
	g_free(line);
	return g_string_free(s, FALSE);
}

char *mfw_json_end(struct mfw_json *j)
{
	JsonNode *root = json_node_alloc();
	char *line;

	json_node_init_object(root, j->obj);
	line = json_to_string(root, FALSE);
	json_node_unref(root);
	json_object_unref(j->obj);
	j->obj = NULL;
	return mfw_json_fix_controls(line);
}

void mfw_json_emit(struct mfw_json *j)
{
	char *line = mfw_json_end(j);

	printf("%s\n", line);
	fflush(stdout);
	g_free(line);
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

void mfw_out_result_str(const char *key, const char *value)
{
	if (!result.obj)
		mfw_json_begin(&result, NULL);
	mfw_json_str(&result, key, value);
}

void mfw_out_result(int code)
{
	const char *meaning = mfw_exit_text(code);
	struct mfw_json j;
	GList *keys, *k;

	mfw_json_begin(&j, "result");
	mfw_json_int(&j, "exit", code);
	mfw_json_str(&j, "meaning", meaning ? meaning : "unknown");
	if (result.obj) {
		keys = json_object_get_members(result.obj);
		for (k = keys; k; k = k->next)
			json_object_set_member(j.obj, k->data,
					       json_object_dup_member(result.obj, k->data));
		g_list_free(keys);
		json_object_unref(result.obj);
		result.obj = NULL;
	}
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
	fprintf(stderr, "%smfw: %s\n", mfw_log_prefix(6), line);
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
	fprintf(stderr, "%smfw: %s%s%s\n", mfw_log_prefix(6), phase,
		detail ? ": " : "", detail ? detail : "");
}
