// SPDX-License-Identifier: GPL-2.0
/*
 * JSON lines and progress text.
 */
#include <stdio.h>
#include <string.h>

#include "out.h"
#include "tap.h"
#include "util.h"

int main(void)
{
	char buf[256];
	struct mfw_json j;
	const char *line;

	check(mfw_json_escape("a\"b\\c\n\x01", buf, sizeof(buf)) > 0 &&
	      !strcmp(buf, "a\\\"b\\\\c\\n\\u0001"), "escape quotes, backslash, controls: %s", buf);
	check(mfw_json_escape("abcdef", buf, 4) == -1, "escape reports a short buffer");
	mfw_json_begin(&j, "progress");
	mfw_json_str(&j, "phase", "writing");
	mfw_json_int(&j, "done", 512);
	mfw_json_int(&j, "total", -1);
	mfw_json_bool(&j, "ok", true);
	mfw_json_str(&j, "none", NULL);
	line = mfw_json_end(&j);
	check(line && !strcmp(line, "{\"event\":\"progress\",\"phase\":\"writing\",\"done\":512,"
			      "\"total\":-1,\"ok\":true,\"none\":null}"), "JSON line: %s", line);
	mfw_json_begin(&j, NULL);
	line = mfw_json_end(&j);
	check(line && !strcmp(line, "{}"), "empty object");
	mfw_json_begin(&j, "x");
	for (int i = 0; i < 400; i++)
		mfw_json_str(&j, "key", "0123456789");
	check(!mfw_json_end(&j), "overflow is reported, not truncated JSON");

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
