// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - where a resumed hex write continues (see resume.h).
 */
#include <stdlib.h>

#include "resume.h"

uint64_t mfw_hex_inflight(uint64_t size, unsigned int hex_max, uint64_t off)
{
	if (off >= size)
		return 0;
	return size - off < hex_max ? size - off : hex_max;
}

void mfw_resume_plan(struct mfw_resume *r, uint64_t size, unsigned int hex_max,
		     uint64_t port_off, uint64_t j_off, uint64_t j_inflight)
{
	uint64_t first = 0, len = 0;

	r->n = 0;
	r->cur = 0;
	if (port_off > size)
		port_off = 0;
	if (j_off > size)
		j_off = 0;
	if (j_off && j_off >= port_off) {
		first = j_off;
		len = j_inflight && j_inflight <= size - first ? j_inflight
				: mfw_hex_inflight(size, hex_max, first);
	} else if (port_off) {
		first = port_off;
		len = mfw_hex_inflight(size, hex_max, first);
	}
	if (first) {
		r->at[r->n++] = first;
		/*
		 * With the last chunk in flight nothing is left to write that
		 * would tell whether the module holds it: start over instead.
		 */
		if (len && first + len < size)
			r->at[r->n++] = first + len;
	}
	r->at[r->n++] = 0;
}

uint64_t mfw_resume_offset(const struct mfw_resume *r)
{
	return r->at[r->cur];
}

bool mfw_resume_refused(struct mfw_resume *r)
{
	if (r->cur + 1 >= r->n)
		return false;
	r->cur++;
	return true;
}

uint64_t mfw_hex_write_size(long chunk, unsigned int hex_max)
{
	uint64_t n = chunk > 0 ? (uint64_t)chunk : 1;

	if (!hex_max)
		return n;
	n -= n % hex_max;
	return n ? n : hex_max;
}

int mfw_last_error_code(const char *last_error)
{
	char *end;
	long code;

	if (!last_error)
		return 0;
	code = strtol(last_error, &end, 10);
	if (end == last_error || (*end && *end != ' ' && *end != '\n') ||
	    code <= 0 || code > 9999)
		return 0;
	return (int)code;
}
