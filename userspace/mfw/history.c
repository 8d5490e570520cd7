// SPDX-License-Identifier: GPL-2.0
/*
 * mfw helper - the upgrade history.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "history.h"
#include "util.h"

#define MFW_HISTORY_MAX	((size_t)MFW_HISTORY_KEEP * MFW_JOURNAL_MAX)

struct mfw_slice {
	const char *text;
	size_t len;
};

/*
 * Cut @text into records, each ending with its checksum line; text after
 * the last one (a record cut short) is a record too, which will not parse.
 * Returns the number of records, their slices in @out (up to @max).
 */
static size_t mfw_history_split(const char *text, size_t len,
				struct mfw_slice *out, size_t max)
{
	const char *p = text, *start = text, *end = text + len;
	size_t n = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', end - p);
		const char *next = nl ? nl + 1 : end;

		if ((size_t)(end - p) > 9 && !memcmp(p, "checksum=", 9)) {
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

static int mfw_history_load(const char *dir, char *path, size_t size,
			    unsigned char **text, size_t *len)
{
	int ret;

	if (snprintf(path, size, "%s/%s", dir, MFW_HISTORY_NAME) >= (int)size)
		return -ENAMETOOLONG;
	ret = mfw_read_file(path, text, len, MFW_HISTORY_MAX);
	if (ret == -ENOENT) {
		*text = NULL;
		*len = 0;
		return 0;
	}
	return ret;
}

int mfw_history_read(const char *dir, struct mfw_history *h)
{
	struct mfw_slice *s = NULL;
	unsigned char *text;
	char path[PATH_MAX], why[128];
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
		if (mfw_journal_parse(s[i].text, s[i].len, &h->rec[h->n], why,
				      sizeof(why)))
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

int mfw_history_add(const char *dir, const struct mfw_journal *j)
{
	struct mfw_slice *s = NULL;
	struct mfw_journal tmp;
	unsigned char *text;
	char path[PATH_MAX], why[128], *out = NULL;
	size_t len, n = 0, i, first, kept = 0, used = 0;
	int ret, rlen;

	ret = mfw_history_load(dir, path, sizeof(path), &text, &len);
	if (ret == -EFBIG)
		ret = 0;	/* not one mfw wrote: start again */
	else if (ret)
		return ret;
	if (len) {
		n = mfw_history_split((const char *)text, len, NULL, 0);
		s = calloc(n, sizeof(*s));
		if (!s) {
			ret = -ENOMEM;
			goto out;
		}
		mfw_history_split((const char *)text, len, s, n);
	}
	out = malloc(MFW_HISTORY_MAX);
	if (!out) {
		ret = -ENOMEM;
		goto out;
	}
	/* The newest valid records that leave room for @j. */
	for (i = n; i > 0 && kept < MFW_HISTORY_KEEP - 1; i--)
		if (!mfw_journal_parse(s[i - 1].text, s[i - 1].len, &tmp, why,
				       sizeof(why)) &&
		    s[i - 1].len <= MFW_JOURNAL_MAX)
			kept++;
	first = i;
	for (i = first; i < n; i++) {
		if (mfw_journal_parse(s[i].text, s[i].len, &tmp, why,
				      sizeof(why)) ||
		    s[i].len > MFW_JOURNAL_MAX)
			continue;
		memcpy(out + used, s[i].text, s[i].len);
		used += s[i].len;
	}
	rlen = mfw_journal_format(j, out + used, MFW_HISTORY_MAX - used);
	if (rlen < 0) {
		ret = rlen;
		goto out;
	}
	used += rlen;
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		ret = -errno;
	else
		ret = mfw_write_atomic(path, out, used, 0600);
out:
	free(out);
	free(s);
	free(text);
	return ret;
}
