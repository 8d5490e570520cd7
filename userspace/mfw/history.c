// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - the upgrade history.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "history.h"
#include "util.h"
#include "verify.h"

#define MFW_HISTORY_MAX	((size_t)MFW_HISTORY_KEEP * MFW_JOURNAL_MAX)
/* "checksum=", 64 hex digits, newline. */
#define MFW_CHECKSUM_LINE	(9 + MFW_SHA256_HEX - 1 + 1)

struct mfw_slice {
	const char *text;
	size_t len;
};

/* Whether the line at @p (of @left bytes) starts with @key. */
static bool mfw_line_is(const char *p, size_t left, const char *key)
{
	size_t n = strlen(key);

	return left > n && !memcmp(p, key, n);
}

/*
 * Cut @text into records: a record ends with its checksum line, and a
 * "format=" line, which begins every record, ends a record cut short
 * before it; text after the last checksum line is a record too.  A
 * damaged record thus never takes the next one with it.  Returns the
 * number of records, their slices in @out (up to @max).
 */
static size_t mfw_history_split(const char *text, size_t len,
				struct mfw_slice *out, size_t max)
{
	const char *p = text, *start = text, *end = text + len;
	size_t n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *next = nl ? nl + 1 : end;

		if (p > start && mfw_line_is(p, end - p, "format=")) {
			if (n < max)
				out[n] = (struct mfw_slice){ start, p - start };
			n++;
			start = p;
		}
		if (mfw_line_is(p, end - p, "checksum=")) {
			/*
			 * The checksum line has one length: a record ends
			 * after it even when its newline was damaged.
			 */
			if (next > p + MFW_CHECKSUM_LINE)
				next = p + MFW_CHECKSUM_LINE;
			if (n < max)
				out[n] = (struct mfw_slice){ start, next - start };
			n++;
			start = next;
		}
		p = next;
	}
	if (start < end) {
		if (n < max)
			out[n] = (struct mfw_slice){ start, end - start };
		n++;
	}
	return n;
}

/* A finished upgrade's record, as mfw writes them: 0 or -EBADMSG. */
static int mfw_history_parse(const struct mfw_slice *s, struct mfw_journal *j)
{
	char why[128];

	if (mfw_journal_parse(s->text, s->len, j, why, sizeof(why)))
		return -EBADMSG;
	if ((j->phase != MFW_PHASE_DONE && j->phase != MFW_PHASE_FAILED) ||
	    j->size > INT64_MAX || j->offset > INT64_MAX)
		return -EBADMSG;
	return 0;
}

static int mfw_history_load(const char *dir, char *path, size_t size,
			    unsigned char **text, size_t *len)
{
	int ret;

	*text = NULL;
	*len = 0;
	if (snprintf(path, size, "%s/%s", dir, MFW_HISTORY_NAME) >= (int)size)
		return -ENAMETOOLONG;
	ret = mfw_read_file(path, text, len, MFW_HISTORY_MAX);
	return ret == -ENOENT ? 0 : ret;
}

int mfw_history_read(const char *dir, struct mfw_history *h)
{
	struct mfw_slice *s = NULL;
	unsigned char *text;
	char path[PATH_MAX];
	size_t len, n, i;
	int ret;

	memset(h, 0, sizeof(*h));
	ret = mfw_history_load(dir, path, sizeof(path), &text, &len);
	if (ret || !len)
		goto out;
	n = mfw_history_split((const char *)text, len, NULL, 0);
	s = calloc(n, sizeof(*s));
	h->rec = calloc(n, sizeof(*h->rec));
	if (!s || !h->rec) {
		ret = -ENOMEM;
		goto out;
	}
	mfw_history_split((const char *)text, len, s, n);
	for (i = 0; i < n; i++) {
		if (mfw_history_parse(&s[i], &h->rec[h->n]))
			h->bad++;
		else
			h->n++;
	}
out:
	if (ret)
		mfw_history_free(h);
	free(s);
	free(text);
	return ret;
}

void mfw_history_free(struct mfw_history *h)
{
	free(h->rec);
	memset(h, 0, sizeof(*h));
}

/*
 * A history file mfw cannot use (larger than any it writes, or not a
 * regular file) is set aside as history.corrupt, not thrown away.
 */
static int mfw_history_set_aside(const char *dir, const char *path, int why)
{
	char to[PATH_MAX];
	struct stat st;
	int i;

	/* history.corrupt, or .1, .2 ...: an earlier one is kept. */
	for (i = 0; i < 100; i++) {
		if (snprintf(to, sizeof(to), i ? "%s/%s.corrupt.%d" : "%s/%s.corrupt",
			     dir, MFW_HISTORY_NAME, i) >= (int)sizeof(to))
			return -ENAMETOOLONG;
		if (lstat(to, &st) < 0 && errno == ENOENT)
			break;
	}
	if (i == 100)
		return -EEXIST;
	if (rename(path, to) < 0)
		return -errno;
	mfw_warn("%s is %s; it was moved to %s and a new history begins",
		 path, why == -EFBIG ? "larger than any history mfw writes" :
		 "not a regular file", to);
	return 0;
}

int mfw_history_add(const char *dir, const struct mfw_journal *j)
{
	struct mfw_slice *s = NULL;
	unsigned char *text;
	char path[PATH_MAX], *out = NULL;
	size_t len, n = 0, i, first, room, used = 0;
	int ret, rlen;

	ret = mfw_history_load(dir, path, sizeof(path), &text, &len);
	if (ret == -EFBIG || ret == -EINVAL || ret == -EISDIR) {
		ret = mfw_history_set_aside(dir, path, ret);
		if (ret)
			return ret;
	} else if (ret) {
		return ret;
	}
	if (len) {
		n = mfw_history_split((const char *)text, len, NULL, 0);
		s = calloc(n, sizeof(*s));
		if (!s) {
			ret = -ENOMEM;
			goto out;
		}
		mfw_history_split((const char *)text, len, s, n);
	}
	out = malloc(len + n + MFW_JOURNAL_MAX);
	if (!out) {
		ret = -ENOMEM;
		goto out;
	}
	/*
	 * The newest records before @j, damaged ones too: "mfw history"
	 * points them out, and they leave only as the oldest.
	 */
	/*
	 * ... as many as fit with @j in what mfw reads back (damaged ones
	 * can be of any size).
	 */
	first = n > MFW_HISTORY_KEEP - 1 ? n - (MFW_HISTORY_KEEP - 1) : 0;
	for (i = n, room = MFW_HISTORY_MAX - MFW_JOURNAL_MAX; i > first; i--) {
		if (s[i - 1].len + 1 > room)
			break;
		room -= s[i - 1].len + 1;
	}
	for (; i < n; i++) {
		memcpy(out + used, s[i].text, s[i].len);
		used += s[i].len;
		if (out[used - 1] != '\n')
			out[used++] = '\n';	/* room: one byte a slice */
	}
	rlen = mfw_journal_format(j, out + used, MFW_JOURNAL_MAX);
	if (rlen < 0) {
		ret = rlen;
		goto out;
	}
	used += rlen;
	ret = mfw_mkdirs(dir, 0700);
	if (!ret)
		ret = mfw_write_atomic(path, out, used, 0600);
out:
	free(out);
	free(s);
	free(text);
	return ret;
}
