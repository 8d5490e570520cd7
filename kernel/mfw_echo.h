/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * mfw - what users wrote, so that the module's echo of it is never taken
 * for the module's own report.
 *
 * Compiled into the module and, unchanged, into the host unit tests and
 * the fuzzer, like mfw_at.c.  The caller serialises every call (the
 * port's lock).
 */
#ifndef _MFW_ECHO_H
#define _MFW_ECHO_H

#include "mfw_types.h"

/* Users' bytes kept until the module echoed them or answered them. */
#define MFW_ECHO_MAX		1024
/* Start of the user's current line kept to judge it (mfw_echo_allowed()). */
#define MFW_ECHO_LINE		16

/**
 * struct mfw_echo - users' bytes the module has not echoed yet
 * @buf: the bytes, oldest first, as users wrote them (a CR or an LF ends a
 *	command)
 * @len: bytes in @buf
 * @echoed: commands echoed up to their end whose final result is still
 *	to come (lines the module may answer, see mfw_echo_pending())
 * @cut: commands dropped whole to make room (mfw_echo_sent()), or passed
 *	over by a later command's echo (mfw_echo_line()), whose final result
 *	is still to come
 * @head_part: @buf starts with the rest of a command whose start was
 *	echoed already, or dropped to make room
 * @head_cmd: the part of it already echoed has an AT (or A/) in it
 * @head_last: the last byte of that part, upper case
 * @line: the start of the line users are writing, line noise skipped,
 *	upper case
 * @line_len: bytes in @line
 * @dial: the last line users ended was a dial (ATD, ATA, ATO): a V.250
 *	code (CONNECT, NO CARRIER...) may be its final result
 *
 * Initialise with mfw_echo_init(); treat the fields as private.
 */
struct mfw_echo {
	char buf[MFW_ECHO_MAX];
	size_t len;
	unsigned int echoed;
	unsigned int cut;
	bool head_part;
	bool head_cmd;
	char head_last;
	char line[MFW_ECHO_LINE];
	size_t line_len;
	bool dial;
};

/**
 * mfw_echo_init() - forget every byte users wrote
 * @e: the tracker
 *
 */
void mfw_echo_init(struct mfw_echo *e);

/**
 * mfw_echo_allowed() - may users send these bytes at all?
 * @e: the tracker
 * @buf: the bytes a user is about to write
 * @len: their number
 *
 * A line that would read as one of the module's own reports or results
 * when it comes back as echo is refused before it leaves: one that starts
 * with +MFWDLOAD, +MFWUPGRADE, +MATREADY, +CME ERROR, +CMS ERROR or
 * +CIS ERROR, or that is OK or ERROR, compared without case and after
 * line noise (what OLCUC output processing or a glitch would make of
 * it).  No modem takes such a line as a command.  The partial line at the
 * end of @buf counts as well, since its echo ends wherever the module's
 * next line begins.  On success the line state moves past @buf.
 *
 * Return: true when @buf may go out.
 */
bool mfw_echo_allowed(struct mfw_echo *e, const char *buf, size_t len);

/**
 * mfw_echo_dial() - was the last line users ended a dial command?
 * @e: the tracker
 *
 * Return: true after ATD, ATA or ATO: its final result may be a V.250
 * code.
 */
bool mfw_echo_dial(const struct mfw_echo *e);

/**
 * mfw_echo_sent() - users' bytes go out to the module
 * @e: the tracker
 * @buf: the bytes, before they go out (an echo may come back at once)
 * @len: their number
 *
 * When @buf does not fit, the oldest commands are dropped whole: their
 * echo, when it comes, is an ordinary line (mfw_echo_allowed() kept
 * everything that could read otherwise from going out).  They still
 * count until their final result (mfw_echo_pending()); of a line longer
 * than what is kept, its start goes and whether it is a command is kept.
 */
void mfw_echo_sent(struct mfw_echo *e, const char *buf, size_t len);

/**
 * mfw_echo_unsent() - the last bytes passed to mfw_echo_sent() did not go
 *	out after all
 * @e: the tracker
 * @len: how many, from the end
 */
void mfw_echo_unsent(struct mfw_echo *e, size_t len);

/**
 * mfw_echo_line() - is a received line the echo of what users wrote?
 * @e: the tracker
 * @line: the line as framed, without terminator
 * @len: its length
 * @truncated: the line was longer than the framer keeps
 *
 * A line is echo when the users' oldest bytes not yet echoed (past the
 * CR and LF that end a command), or a later command, start with it, line
 * noise at the start of either not counted; the bytes up to its end are
 * then consumed.  Older commands a later one's echo passes still count
 * until their final result (their echo may have come garbled).  A module may break its echo of
 * one command into two lines (a report coming in the middle), so a line
 * may match part of a command.
 * A truncated line matches on its kept start and consumes the whole
 * command.
 *
 * Return: true for echo: users' text, never a report or a result.
 */
bool mfw_echo_line(struct mfw_echo *e, const char *line, size_t len,
		   bool truncated);

/**
 * mfw_echo_final() - a final result answered the users' oldest command
 * @e: the tracker
 *
 * When that command was echoed, nothing more is to come of it.  When it
 * was not (a module with echo off, ATE0), its bytes never come back and
 * are forgotten.
 */
void mfw_echo_final(struct mfw_echo *e);

/**
 * mfw_echo_pending() - is a users' command still to be answered?
 * @e: the tracker
 *
 * Users may write several commands in one go ("AT+CSQ\rAT+CREG?\r"); the
 * module answers them one by one, in order.  A command counts from its
 * end (CR or LF) going out until its final result (mfw_echo_final()), echoed or not, also
 * when it was dropped to make room.  A command is a line ended by a CR or
 * an LF (output processing may make an LF a CR LF) with an AT or A/ in
 * it, anywhere (V.250 5.2.1: the module takes the command from there), or
 * a backspace or DEL (the module edits the line first).  A line the
 * module ignores or a command it drops without an answer still counts,
 * until mfw_echo_forget(): counting too many costs a driver command a
 * wait, too few an answer.
 *
 * Return: true while one is.
 */
bool mfw_echo_pending(const struct mfw_echo *e);

/**
 * mfw_echo_forget() - no answer to the users' commands sent so far counts
 * @e: the tracker
 *
 * For a module that restarted (+MATREADY), or commands the driver no
 * longer waits for.  Their echo, should it come, is an ordinary line.
 * The line users are writing (no CR yet) stays tracked.
 */
void mfw_echo_forget(struct mfw_echo *e);

#endif /* _MFW_ECHO_H */
