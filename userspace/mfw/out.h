/* SPDX-License-Identifier: GPL-2.0 */
/*
 * mfw helper - what the program prints for machines (JSON lines on stdout
 * with --json) and for people (a progress bar on a terminal).
 */
#ifndef MFW_OUT_H
#define MFW_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One JSON object on one line, built field by field. */
struct mfw_json {
	char buf[4096];
	size_t len;
	bool overflow;
};

void mfw_json_begin(struct mfw_json *j, const char *event);
void mfw_json_str(struct mfw_json *j, const char *key, const char *value);
void mfw_json_int(struct mfw_json *j, const char *key, int64_t value);
void mfw_json_bool(struct mfw_json *j, const char *key, bool value);
/* Close the object; returns the line (without newline) or NULL on overflow. */
const char *mfw_json_end(struct mfw_json *j);
/* mfw_json_end() and print the line on stdout. */
void mfw_json_emit(struct mfw_json *j);

/*
 * JSON string escape of @in into @out (quotes not included).  Returns the
 * length written, or -1 when @out is too small.
 */
int mfw_json_escape(const char *in, char *out, size_t size);

/* Event with string fields given as key, value pairs ending with NULL. */
void mfw_out_event(const char *event, ...);

/* Percent of @done in @total, or -1 when @total is unknown (0). */
int mfw_percent(uint64_t done, uint64_t total);

/*
 * Text of a progress bar: "<phase> [####    ]  42% 1.2/2.9 MiB" with a bar
 * of @width cells; "unknown" totals show a byte count only.
 */
void mfw_progress_format(char *buf, size_t size, const char *phase,
			 uint64_t done, uint64_t total, int width);

/*
 * Report progress: a JSON line with --json, a bar redrawn in place on a
 * terminal, otherwise a line every 10 %.
 */
void mfw_out_progress(const char *phase, uint64_t done, uint64_t total);

/* Phase change: a JSON line with --json, a message otherwise. */
void mfw_out_phase(const char *phase, const char *detail);

/* Erase a bar in progress before other output. */
void mfw_out_clear_bar(void);

#endif /* MFW_OUT_H */
