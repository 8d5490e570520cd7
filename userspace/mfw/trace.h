/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw helper - the transcript of an upgrade: every step, state change and
 * report from the module with its time, in <state_dir>/transcript, so a
 * module that does not come back can be shown with what it last said.
 */
#ifndef MFW_TRACE_H
#define MFW_TRACE_H

#define MFW_TRACE_NAME	"transcript"

/* Start a transcript in @dir (appending when @append).  0 or -errno. */
int mfw_trace_open(const char *dir, int append);

void mfw_trace(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Print the last @lines lines of the transcript on stderr. */
void mfw_trace_dump(int lines);

void mfw_trace_close(void);

#endif /* MFW_TRACE_H */
