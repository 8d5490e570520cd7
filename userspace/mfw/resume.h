/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - where a resumed hex write continues.
 *
 * The module acknowledges each hex chunk; the driver publishes the
 * acknowledged length as the port's offset and the journal records it
 * now and then.  A writer killed while a chunk was in flight leaves the
 * module holding that chunk while both records still lag one chunk
 * behind, so a resumed write tries the recorded offset, then the offset
 * past the chunk that was in flight, and only then erases and starts
 * over from byte 0.
 */
#ifndef MFW_RESUME_H
#define MFW_RESUME_H

#include <stdbool.h>
#include <stdint.h>

/* The three places a resumed write may start, in the order tried. */
#define MFW_RESUME_TRIES	3

struct mfw_resume {
	uint64_t at[MFW_RESUME_TRIES];	/* offsets, the last one always 0 */
	int n;				/* how many of them */
	int cur;			/* the one being tried */
};

/*
 * Plan a resumed write of a @size-byte package written in chunks of
 * @hex_max bytes.  @port_off is the offset the port's driver holds (0 for
 * a port attached since), @j_off and @j_inflight the journal's offset and
 * the length that may have been in flight past it (0: compute it from
 * @hex_max).  Offsets beyond @size are not trusted.
 */
void mfw_resume_plan(struct mfw_resume *r, uint64_t size, unsigned int hex_max,
		     uint64_t port_off, uint64_t j_off, uint64_t j_inflight);

/* The offset to write at now. */
uint64_t mfw_resume_offset(const struct mfw_resume *r);

/*
 * The module refused the first chunk at the current offset as out of
 * place: move to the next offset.  False when there is none left.
 */
bool mfw_resume_refused(struct mfw_resume *r);

/*
 * Bytes per write() of a hex package: @chunk rounded down to whole
 * chunks of @hex_max, at least one, so that every chunk the driver sends
 * starts at a multiple of @hex_max and the chunk in flight at an offset
 * is min(@hex_max, size - offset) long.
 */
uint64_t mfw_hex_write_size(long chunk, unsigned int hex_max);

/* The chunk that may be in flight past @off. */
uint64_t mfw_hex_inflight(uint64_t size, unsigned int hex_max, uint64_t off);

/* The error code of a last_error attribute ("853 package write error"), or 0. */
int mfw_last_error_code(const char *last_error);

#endif /* MFW_RESUME_H */
