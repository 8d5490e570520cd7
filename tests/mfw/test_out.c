// SPDX-License-Identifier: GPL-2.0-only
/*
 * JSON lines and progress text.
 */
#include <stdio.h>
#include <string.h>

#include "out.h"
#include "tap.h"
#include "util.h"

/* mfw_json_end() of @j compared with @want; the line is released. */
static int line_is(struct mfw_json *j, const char *want, const char *what)
{
	char *line = mfw_json_end(j);
	int ok = !strcmp(line, want);

	check(ok, "%s: %s", what, line);
	g_free(line);
	return ok;
}

static void test_json(void)
{
	struct mfw_json j;
	char *line;

	mfw_json_begin(&j, "progress");
	mfw_json_str(&j, "phase", "writing");
	mfw_json_int(&j, "done", 512);
	mfw_json_int(&j, "total", -1);
	mfw_json_bool(&j, "ok", true);
	mfw_json_str(&j, "none", NULL);
	line_is(&j, "{\"event\":\"progress\",\"phase\":\"writing\",\"done\":512,"
		"\"total\":-1,\"ok\":true,\"none\":null}", "JSON line");
	mfw_json_begin(&j, NULL);
	line_is(&j, "{}", "empty object");

	mfw_json_begin(&j, NULL);
	mfw_json_str(&j, "s", "a\"b\\c\n\x01\x1f\x7f \xc3\xa9");
	line_is(&j, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\\u001f\\u007f \xc3\xa9\"}",
		"quotes, backslash, every control byte escaped, UTF-8 kept");

	mfw_json_begin(&j, NULL);
	mfw_json_str(&j, "firmware", "ML307R\xff\xfe_V1\xe2\x82");
	line_is(&j, "{\"firmware\":\"ML307R\xef\xbf\xbd\xef\xbf\xbd_V1\xef\xbf\xbd\xef\xbf\xbd\","
		"\"firmware_hex\":\"4d4c33303752fffe5f5631e282\"}",
		"invalid UTF-8: U+FFFD per byte, raw bytes in _hex");

	mfw_json_begin(&j, NULL);
	mfw_json_str(&j, "k", "\xff");
	mfw_json_str(&j, "k", "ok");
	line_is(&j, "{\"k\":\"ok\"}", "a valid value replacing an invalid one drops _hex");

	mfw_json_begin(&j, "x");
	for (int i = 0; i < 400; i++) {
		char key[16];

		snprintf(key, sizeof(key), "key%d", i);
		mfw_json_str(&j, key, "0123456789");
	}
	line = mfw_json_end(&j);
	check(strlen(line) > 4096 && line[strlen(line) - 1] == '}',
	      "long lines are whole (%zu bytes)", strlen(line));
	g_free(line);
}

int main(void)
{
	char buf[256];

	test_json();
	check(mfw_percent(0, 0) == -1 && mfw_percent(5, 10) == 50 &&
	      mfw_percent(11, 10) == 100 && mfw_percent(1, 3) == 33, "percent");
	mfw_progress_format(buf, sizeof(buf), "writing", 512 * 1024, 1024 * 1024, 10);
	check(!strcmp(buf, "writing    [#####     ]  50% 512.0 KiB / 1.0 MiB"), "bar: '%s'", buf);
	mfw_progress_format(buf, sizeof(buf), "download", 100, 0, 10);
	check(!strcmp(buf, "download   100 B"), "unknown total: '%s'", buf);
	mfw_progress_format(buf, sizeof(buf), "w", 10, 10, 4);
	check(strstr(buf, "[####] 100%") != NULL, "full bar: '%s'", buf);
	check(mfw_exit_text(0) && mfw_exit_text(11) && !mfw_exit_text(12) && !mfw_exit_text(-1),
	      "every exit code 0..11 has a text");
	return tap_done();
}
