// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - the upgrade journal.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "journal.h"
#include "util.h"


static const char *const mfw_phase_names[MFW_PHASE_NR] = {
	[MFW_PHASE_NONE] = "none",
	[MFW_PHASE_PREPARED] = "prepared",
	[MFW_PHASE_WRITING] = "writing",
	[MFW_PHASE_DOWNLOADING] = "downloading",
	[MFW_PHASE_WRITTEN] = "written",
	[MFW_PHASE_FLASHING] = "flashing",
	[MFW_PHASE_DONE] = "done",
	[MFW_PHASE_FAILED] = "failed",
};

const char *mfw_phase_name(enum mfw_phase phase)
{
	if ((unsigned int)phase >= MFW_PHASE_NR)
		return "invalid";
	return mfw_phase_names[phase];
}

int mfw_phase_find(const char *name)
{
	int i;

	for (i = 0; i < MFW_PHASE_NR; i++)
		if (!strcmp(name, mfw_phase_names[i]))
			return i;
	return -1;
}

bool mfw_phase_flashing(enum mfw_phase phase)
{
	return phase == MFW_PHASE_FLASHING;
}

enum jtype { J_STR, J_U64, J_I64, J_LONG, J_PHASE };

struct jfield {
	const char *key;
	enum jtype type;
	size_t off;
	size_t size;
};

#define JS(k, f) { k, J_STR, offsetof(struct mfw_journal, f), sizeof(((struct mfw_journal *)0)->f) }
#define JN(k, f, t) { k, t, offsetof(struct mfw_journal, f), 0 }

static const struct jfield jfields[] = {
	JN("phase", phase, J_PHASE),
	JS("image", image),
	JS("url", url),
	JS("manifest", manifest),
	JS("sha256", sha256),
	JN("size", size, J_U64),
	JS("port", port),
	JS("usbpath", usbpath),
	JS("imei", imei),
	JS("family", family),
	JS("from", from),
	JS("target", target),
	JN("offset", offset, J_U64),
	JN("inflight", inflight, J_U64),
	JN("started", started, J_I64),
	JN("updated", updated, J_I64),
	JN("pid", pid, J_LONG),
	JN("rate", rate, J_LONG),
	JN("board_rate", board_rate, J_LONG),
	JN("board_ipr", board_ipr, J_LONG),
	JN("echo_off", echo_off, J_LONG),
	JS("note", note),
};

#define NFIELDS (sizeof(jfields) / sizeof(jfields[0]))

int mfw_journal_format(const struct mfw_journal *j, char *buf, size_t size)
{
	char sum[MFW_SHA256_HEX];
	size_t len = 0, i;
	int n;

	n = snprintf(buf, size, "format=%d\n", MFW_JOURNAL_FORMAT);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	len = n;
	for (i = 0; i < NFIELDS; i++) {
		const struct jfield *f = &jfields[i];
		const char *p = (const char *)j + f->off;

		switch (f->type) {
		case J_STR:
			if (strpbrk(p, "\r\n"))
				return -EINVAL;
			n = snprintf(buf + len, size - len, "%s=%s\n", f->key, p);
			break;
		case J_U64:
			n = snprintf(buf + len, size - len, "%s=%" PRIu64 "\n", f->key,
				     *(const uint64_t *)p);
			break;
		case J_I64:
			n = snprintf(buf + len, size - len, "%s=%" PRId64 "\n", f->key,
				     *(const int64_t *)p);
			break;
		case J_LONG:
			n = snprintf(buf + len, size - len, "%s=%ld\n", f->key,
				     *(const long *)p);
			break;
		case J_PHASE:
			n = snprintf(buf + len, size - len, "%s=%s\n", f->key,
				     mfw_phase_name(*(const enum mfw_phase *)p));
			break;
		}
		if (n < 0 || (size_t)n >= size - len)
			return -ENOSPC;
		len += n;
	}
	if (mfw_sha256_hex(buf, len, sum))
		return -EIO;
	n = snprintf(buf + len, size - len, "checksum=%s\n", sum);
	if (n < 0 || (size_t)n >= size - len)
		return -ENOSPC;
	return (int)(len + n);
}

static int jbad(char *why, size_t whylen, const char *what)
{
	snprintf(why, whylen, "%s", what);
	return -EBADMSG;
}

int mfw_journal_parse(const char *text, size_t len, struct mfw_journal *j,
		      char *why, size_t whylen)
{
	char sum[MFW_SHA256_HEX];
	const char *cs, *p, *end;
	bool seen_format = false;

	memset(j, 0, sizeof(*j));
	if (memchr(text, '\0', len))
		return jbad(why, whylen, "NUL byte in the journal");
	/* The checksum line is the last line and covers everything before it. */
	cs = NULL;
	for (p = text; p < text + len; p++)
		if ((p == text || p[-1] == '\n') && len - (p - text) > 9 &&
		    !memcmp(p, "checksum=", 9))
			cs = p;
	if (!cs)
		return jbad(why, whylen, "no checksum line (truncated write?)");
	if (len - (cs - text) != 9 + MFW_SHA256_HEX - 1 + 1 ||
	    text[len - 1] != '\n')
		return jbad(why, whylen, "checksum line malformed or not last");
	if (mfw_sha256_hex(text, cs - text, sum) ||
	    memcmp(sum, cs + 9, MFW_SHA256_HEX - 1))
		return jbad(why, whylen, "checksum does not match the contents");
	for (p = text; p < cs; p = end + 1) {
		char line[MFW_JSTR + 32], *eq, *val;
		size_t n, i;

		end = memchr(p, '\n', cs - p);
		if (!end)
			return jbad(why, whylen, "unterminated line");
		n = end - p;
		if (n >= sizeof(line))
			return jbad(why, whylen, "line too long");
		memcpy(line, p, n);
		line[n] = '\0';
		eq = strchr(line, '=');
		if (!eq)
			return jbad(why, whylen, "line without '='");
		*eq = '\0';
		val = eq + 1;
		if (!strcmp(line, "format")) {
			long v;

			if (mfw_parse_long(val, 1, MFW_JOURNAL_FORMAT, &v))
				return jbad(why, whylen, "unsupported format");
			seen_format = true;
			continue;
		}
		for (i = 0; i < NFIELDS; i++)
			if (!strcmp(line, jfields[i].key))
				break;
		if (i == NFIELDS)
			continue;	/* a later version's key */
		{
			const struct jfield *f = &jfields[i];
			char *dst = (char *)j + f->off;
			uint64_t u;
			long l;
			int ph;

			switch (f->type) {
			case J_STR:
				if (strlen(val) >= f->size)
					return jbad(why, whylen, "value too long");
				memcpy(dst, val, strlen(val) + 1);
				break;
			case J_U64:
				if (mfw_parse_u64(val, &u))
					return jbad(why, whylen, "bad number");
				*(uint64_t *)dst = u;
				break;
			case J_I64:
				/*
				 * 64 bits wherever long has 32 (armhf): the
				 * times pass 2038 there too.
				 */
				if (mfw_parse_i64(val, 0, INT64_MAX, (int64_t *)dst))
					return jbad(why, whylen, "bad number");
				break;
			case J_LONG:
				if (mfw_parse_long(val, 0, LONG_MAX, &l))
					return jbad(why, whylen, "bad number");
				*(long *)dst = l;
				break;
			case J_PHASE:
				ph = mfw_phase_find(val);
				if (ph < 0)
					return jbad(why, whylen, "unknown phase");
				*(enum mfw_phase *)dst = ph;
				break;
			}
		}
	}
	if (!seen_format)
		return jbad(why, whylen, "no format line");
	return 0;
}

static int mfw_path(char *buf, size_t size, const char *dir, const char *name)
{
	if (snprintf(buf, size, "%s/%s", dir, name) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

int mfw_journal_write(const char *dir, const struct mfw_journal *j)
{
	char path[PATH_MAX], *text;
	int len, ret;

	ret = mfw_mkdirs(dir, 0700);
	if (ret)
		return ret;
	ret = mfw_path(path, sizeof(path), dir, MFW_JOURNAL_NAME);
	if (ret)
		return ret;
	text = malloc(MFW_JOURNAL_MAX);
	if (!text)
		return -ENOMEM;
	len = mfw_journal_format(j, text, MFW_JOURNAL_MAX);
	ret = len < 0 ? len : mfw_write_atomic(path, text, len, 0600);
	free(text);
	return ret;
}

static int mfw_journal_load(const char *dir, const char *name,
			    struct mfw_journal *j, char *why, size_t whylen)
{
	char path[PATH_MAX];
	unsigned char *text;
	size_t len;
	int ret;

	memset(j, 0, sizeof(*j));
	ret = mfw_path(path, sizeof(path), dir, name);
	if (ret)
		return ret;
	ret = mfw_read_file(path, &text, &len, MFW_JOURNAL_MAX);
	if (ret == -EFBIG)
		return jbad(why, whylen, "journal too large");
	if (ret)
		return ret;
	ret = mfw_journal_parse((const char *)text, len, j, why, whylen);
	free(text);
	return ret;
}

int mfw_journal_read(const char *dir, struct mfw_journal *j, char *why,
		     size_t whylen)
{
	return mfw_journal_load(dir, MFW_JOURNAL_NAME, j, why, whylen);
}

int mfw_journal_read_last(const char *dir, struct mfw_journal *j, char *why,
			  size_t whylen)
{
	return mfw_journal_load(dir, MFW_JOURNAL_NAME ".last", j, why, whylen);
}

int mfw_journal_finish(const char *dir)
{
	char from[PATH_MAX], to[PATH_MAX];
	int fd, ret = 0;

	if (mfw_path(from, sizeof(from), dir, MFW_JOURNAL_NAME) ||
	    mfw_path(to, sizeof(to), dir, MFW_JOURNAL_NAME ".last"))
		return -ENAMETOOLONG;
	if (rename(from, to) < 0)
		return -errno;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int mfw_journal_set_aside(const char *dir)
{
	char from[PATH_MAX], to[PATH_MAX];

	if (mfw_path(from, sizeof(from), dir, MFW_JOURNAL_NAME) ||
	    mfw_path(to, sizeof(to), dir, MFW_JOURNAL_NAME ".corrupt"))
		return -ENAMETOOLONG;
	return rename(from, to) < 0 ? -errno : 0;
}
