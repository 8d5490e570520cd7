// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - scripted faults.
 *
 * A fault is "ACTION[=ARG]@WHERE" and fires once:
 *   ACTION  error[=<850..860>] | drop=<n> | corrupt=<n> | stall[=<ms>] |
 *           garbage | urc=<text> | disconnect | powerloss | cut |
 *           sms=<text> (a +CMT: message with that body in the mode
 *           AT+CMGF selects, text mode without a SIM card, and the
 *           command's answer 1 s later; the body is at most 160
 *           septets of the GSM 7-bit default alphabet) |
 *           sms-burst=<text> (the same message, and the answer at once
 *           in the same burst) |
 *           lose (only at report=: the report is never sent) |
 *           glue=<text> (only at report=: the report is sent glued
 *           after <text> on one line, where no framer finds it) |
 *           ring | noise=<n> (n bytes of line noise open the next line) |
 *           early[=<ms>] (only at cmd=MFWUPGRADE, for the upgrade it
 *           starts: OK at once, the outcome when flashing ends, ms
 *           (default 500) more of answering with the old version, then
 *           the reboot, and no outcome after it)
 *           In <text>, \r and \n stand for CR and LF.
 *   WHERE   cmd=<NAME>[#<n>]   the n-th command NAME (MFWDLOAD, CGMR, E0,
 *                              AT for a bare "AT"; n defaults to 1)
 *           offset=<bytes>     when package data reaches that offset
 *                              (stall there: the transparent verdict waits)
 *           upgrade=<percent>  when flashing reaches that percent
 *           report=<start>[#<n>]  the n-th unsolicited FOTA report that
 *                              begins with <start>, spaces not counting
 *                              ("MFWDLOAD:2": a remote download's final
 *                              report)
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

static const struct {
	const char *name;
	enum fault_act act;
	bool arg;		/* needs "=ARG" */
} acts[] = {
	{ "error", FA_ERROR, false },	/* a code, except at a command */
	{ "drop", FA_DROP, true },
	{ "corrupt", FA_CORRUPT, true },
	{ "stall", FA_STALL, false },
	{ "garbage", FA_GARBAGE, false },
	{ "urc", FA_URC, true },
	{ "disconnect", FA_DISCONNECT, false },
	{ "powerloss", FA_POWERLOSS, false },
	{ "cut", FA_CUT, false },
	{ "sms", FA_SMS, true },
	{ "sms-burst", FA_SMS_BURST, true },
	{ "ring", FA_RING, false },
	{ "noise", FA_NOISE, true },
	{ "early", FA_EARLY, false },
	{ "lose", FA_LOSE, false },
	{ "glue", FA_GLUE, true },
};

/* Faults that make the module say something (at_fault_line()). */
static bool fault_talks(enum fault_act act)
{
	return act == FA_URC || act == FA_SMS || act == FA_SMS_BURST ||
	       act == FA_RING || act == FA_NOISE || act == FA_GARBAGE;
}

/* Copy @in to @out (@len bytes) turning "\r" and "\n" into CR and LF. */
static void unescape(char *out, size_t len, const char *in)
{
	size_t n = 0;

	for (; *in && n + 1 < len; in++) {
		if (in[0] == '\\' && (in[1] == 'r' || in[1] == 'n')) {
			out[n++] = in[1] == 'r' ? '\r' : '\n';
			in++;
		} else {
			out[n++] = *in;
		}
	}
	out[n] = 0;
}

static int parse_num(const char *s, long *v)
{
	char *end;

	if (!isdigit((unsigned char)*s))
		return -1;
	*v = strtol(s, &end, 10);
	return *end ? -1 : 0;
}

/*
 * An SMS body must fit one message in the GSM 7-bit default alphabet: in
 * PDU mode it is encoded so, and whichever mode AT+CMGF selects when it
 * arrives, the text-mode body holds the same characters.
 */
static int sms_check(const char *spec, const char *text)
{
	size_t bad;
	int septets = sms_pack(text, NULL, &bad);
	unsigned char c;
	char shown[8] = "";

	if (septets < 0) {
		c = (unsigned char)text[bad];
		if (isprint(c))
			snprintf(shown, sizeof(shown), " '%c'", c);
		fprintf(stderr, "mfw-modemsim: bad fault \"%s\": character %zu of the message (0x%02x%s) is not in the GSM 7-bit default alphabet\n",
			spec, bad + 1, c, shown);
		return -1;
	}
	if (septets > SMS_SEPTETS) {
		fprintf(stderr, "mfw-modemsim: bad fault \"%s\": the message takes %d septets, one SMS holds %d\n",
			spec, septets, SMS_SEPTETS);
		return -1;
	}
	return 0;
}

int fault_parse(struct sim *sim, const char *spec)
{
	struct fault f = { .nth = 1 };
	char act[512], text[512], *at, *eq, *hash;
	const char *where;
	size_t i;
	struct fault *n;

	at = strrchr(spec, '@');
	if (!at || (size_t)(at - spec) >= sizeof(act))
		goto bad;
	memcpy(act, spec, at - spec);
	act[at - spec] = 0;
	where = at + 1;

	eq = strchr(act, '=');
	if (eq)
		*eq++ = 0;
	for (i = 0; i < sizeof(acts) / sizeof(acts[0]); i++)
		if (!strcmp(act, acts[i].name))
			break;
	if (i == sizeof(acts) / sizeof(acts[0]) || (acts[i].arg && !eq))
		goto bad;
	f.act = acts[i].act;
	if (f.act == FA_URC || f.act == FA_SMS || f.act == FA_SMS_BURST ||
	    f.act == FA_GLUE) {
		/* The whole message is checked, a URC is cut to size. */
		unescape(text, sizeof(text), eq);
		if ((f.act == FA_SMS || f.act == FA_SMS_BURST) &&
		    sms_check(spec, text))
			return -1;
		unescape(f.text, sizeof(f.text), eq);
	} else if (eq) {
		if (parse_num(eq, &f.arg))
			goto bad;
	}
	/* The outcome before the reboot: only the trigger can bring it. */
	if (f.act == FA_EARLY) {
		if (strcmp(where, "cmd=MFWUPGRADE") && strcmp(where, "cmd=+MFWUPGRADE"))
			goto bad;
		if (!eq)
			f.arg = 500;
	}
	/* Only a report can be lost or glued; a report, nothing else. */
	if ((f.act == FA_LOSE || f.act == FA_GLUE) != !strncmp(where, "report=", 7))
		goto bad;
	/*
	 * While flashing, the module can only lose power or talk; a data
	 * fault needs data, at a package offset.
	 */
	if (!strncmp(where, "upgrade=", 8) && f.act != FA_POWERLOSS &&
	    !fault_talks(f.act))
		goto bad;
	/* Without a code, a command gets a plain ERROR. */
	if (f.act == FA_ERROR && eq && !mfw_cme_text((int)f.arg))
		goto bad;
	if (f.act == FA_ERROR && !eq && strncmp(where, "cmd=", 4))
		goto bad;

	if (!strncmp(where, "cmd=", 4)) {
		f.where = FW_CMD;
		snprintf(f.cmd, sizeof(f.cmd), "%s", where + 4);
		hash = strchr(f.cmd, '#');
		if (hash) {
			*hash = 0;
			if (parse_num(hash + 1, &f.nth) || f.nth < 1)
				goto bad;
		}
		for (char *c = f.cmd; *c; c++)
			*c = toupper((unsigned char)*c);
		if (f.cmd[0] == '+')
			memmove(f.cmd, f.cmd + 1, strlen(f.cmd));
	} else if (!strncmp(where, "report=", 7)) {
		f.where = FW_REPORT;
		snprintf(f.cmd, sizeof(f.cmd), "%s", where + 7 + (where[7] == '+'));
		hash = strrchr(f.cmd, '#');
		if (hash) {
			*hash = 0;
			if (parse_num(hash + 1, &f.nth) || f.nth < 1)
				goto bad;
		}
		if (!f.cmd[0] || strlen(where + 7) >= sizeof(f.cmd))
			goto bad;
	} else if (!strncmp(where, "offset=", 7)) {
		f.where = FW_OFFSET;
		if (parse_num(where + 7, &f.pos))
			goto bad;
	} else if (!strncmp(where, "upgrade=", 8)) {
		f.where = FW_UPGRADE;
		if (parse_num(where + 8, &f.pos) || f.pos > 100)
			goto bad;
	} else {
		goto bad;
	}

	n = realloc(sim->faults, (sim->nr_faults + 1) * sizeof(*n));
	if (!n)
		return -1;
	sim->faults = n;
	sim->faults[sim->nr_faults++] = f;
	return 0;
bad:
	fprintf(stderr, "mfw-modemsim: bad fault \"%s\"\n", spec);
	return -1;
}

int fault_load(struct sim *sim, const char *file)
{
	char line[512];
	FILE *f = fopen(file, "r");
	int ret = 0;

	if (!f) {
		perror(file);
		return -1;
	}
	while (!ret && fgets(line, sizeof(line), f)) {
		char *s = line;

		s[strcspn(s, "\r\n")] = 0;
		while (isspace((unsigned char)*s))
			s++;
		if (*s && *s != '#')
			ret = fault_parse(sim, s);
	}
	fclose(f);
	return ret;
}

static struct fault *fire(struct fault *f)
{
	f->fired = true;
	transcript_event("fault fires");
	return f;
}

struct fault *fault_cmd(struct sim *sim, const char *name)
{
	struct fault *hit = NULL;

	/* Every fault counts the command, the first one due fires. */
	for (size_t i = 0; i < sim->nr_faults; i++) {
		struct fault *f = &sim->faults[i];

		if (f->fired || f->where != FW_CMD || strcmp(f->cmd, name))
			continue;
		if (++f->seen == f->nth && !hit)
			hit = f;
	}
	return hit ? fire(hit) : NULL;
}

struct fault *fault_offset(struct sim *sim, size_t from, size_t to)
{
	for (size_t i = 0; i < sim->nr_faults; i++) {
		struct fault *f = &sim->faults[i];

		if (!f->fired && f->where == FW_OFFSET &&
		    (size_t)f->pos >= from && (size_t)f->pos < to)
			return fire(f);
	}
	return NULL;
}

/*
 * Apply a data fault that fired at byte @at of @data (*@len bytes): drop
 * or corrupt bytes there, or lose power or the link.  Returns false for
 * the faults whose meaning depends on the transfer (error, cut), which the
 * caller handles.
 */
bool fault_apply_data(struct sim *sim, const struct fault *f, size_t at,
		      unsigned char *data, size_t *len)
{
	size_t k;

	switch (f->act) {
	case FA_DROP:
		k = (size_t)f->arg < *len - at ? (size_t)f->arg : *len - at;
		memmove(data + at, data + at + k, *len - at - k);
		*len -= k;
		return true;
	case FA_CORRUPT:
		for (k = at; k < *len && k < at + (size_t)f->arg; k++)
			data[k] ^= 0x5a;
		return true;
	case FA_POWERLOSS:
		sim_power_loss(sim);
		return true;
	case FA_DISCONNECT:
		tp_hangup(sim);
		sim_timer_add(sim, sim->boot_ms, sim_boot_done, 1);
		return true;
	case FA_STALL:
		/* Transparent: the module answers late once the length is in. */
		sim->tp_verdict_ms = f->arg > 0 ? f->arg : 3600000;
		return true;
	case FA_ERROR:
	case FA_CUT:
		return false;
	default:
		/* What the module says meanwhile: a URC, an SMS, noise. */
		at_fault_line(sim, f);
		return true;
	}
}

/* Whether @line begins with @start, spaces in either not counting. */
static bool starts(const char *line, const char *start)
{
	for (;; line++, start++) {
		while (*line == ' ')
			line++;
		while (*start == ' ')
			start++;
		if (!*start)
			return true;
		if (*line != *start)
			return false;
	}
}

struct fault *fault_report(struct sim *sim, const char *line)
{
	struct fault *hit = NULL;

	if (*line == '+')
		line++;
	for (size_t i = 0; i < sim->nr_faults; i++) {
		struct fault *f = &sim->faults[i];

		if (f->fired || f->where != FW_REPORT || !starts(line, f->cmd))
			continue;
		if (++f->seen == f->nth && !hit)
			hit = f;
	}
	return hit ? fire(hit) : NULL;
}

struct fault *fault_upgrade(struct sim *sim, int percent)
{
	for (size_t i = 0; i < sim->nr_faults; i++) {
		struct fault *f = &sim->faults[i];

		if (!f->fired && f->where == FW_UPGRADE && f->pos <= percent)
			return fire(f);
	}
	return NULL;
}
