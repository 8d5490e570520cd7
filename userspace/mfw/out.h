/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - what the program prints for machines (JSON lines on stdout
 * with --json) and for people (a progress bar on a terminal).
 *
 * Every JSON line is built with json-glib and is one object with an "event"
 * member; mfw-events.schema.json describes them all.  Strings from outside
 * (sysfs attributes copied from the module, file names, journal text) need
 * not be UTF-8: a string member "k" whose bytes are not valid UTF-8 holds
 * them with every invalid byte replaced by U+FFFD, and a member "k_hex"
 * beside it holds the original bytes in lower-case hex.
 */
#ifndef MFW_OUT_H
#define MFW_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <json-glib/json-glib.h>

/* One JSON object on one line, built member by member. */
struct mfw_json {
	JsonObject *obj;
};

/* Start an object; @event (may be NULL) becomes its "event" member. */
void mfw_json_begin(struct mfw_json *j, const char *event);
/*
 * Members: @key is an ASCII name of at most 59 bytes, set again it replaces
 * the member.  mfw_json_str() gives null when @value is NULL; bytes that
 * are not UTF-8 are replaced and kept as hex in "@key_hex" (see above).
 */
void mfw_json_str(struct mfw_json *j, const char *key, const char *value);
void mfw_json_int(struct mfw_json *j, const char *key, int64_t value);
void mfw_json_bool(struct mfw_json *j, const char *key, bool value);
/*
 * Close the object: the JSON text on one line, without newline, to be
 * released with g_free().  Never NULL; @j may be begun again.
 */
char *mfw_json_end(struct mfw_json *j);
/* mfw_json_end() and print the line on stdout. */
void mfw_json_emit(struct mfw_json *j);

/* Event with string members given as key, value pairs ending with NULL. */
void mfw_out_event(const char *event, ...);

/*
 * The "result" event, the last line of every run with --json; mfw_main()
 * alone prints it, once, after the command returned.  mfw_out_result_str()
 * adds (or replaces) a string member of it at any time before;
 * mfw_out_result() prints it with "exit": @code and "meaning": the code's
 * text, then forgets the members added.
 */
void mfw_out_result_str(const char *key, const char *value);
void mfw_out_result(int code);

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
