// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - the AT interpreter: echo, line assembly, framing of the
 * answers, the basic commands, and dispatch to the FOTA commands.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "mfw_ipr.h"
#include "sim.h"

void at_line(struct sim *sim, const char *fmt, ...)
{
	char buf[SIM_LINE_MAX + 8];
	va_list ap;
	int n;

	/* Before it has learnt the host's rate, the module cannot talk. */
	if (sim->mode == M_AUTOBAUD)
		return;
	buf[0] = '\r';
	buf[1] = '\n';
	va_start(ap, fmt);
	n = vsnprintf(buf + 2, sizeof(buf) - 4, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(buf) - 5)
		n = sizeof(buf) - 5;
	buf[2 + n] = '\r';
	buf[3 + n] = '\n';
	if (sim->noise_next) {
		/* What a UART picks up while the module restarts. */
		static const char noise[] = "\xff\xfe\x00\xf0\x80\x1b\x7f\xff";
		int k = sim->noise_next;

		sim->noise_next = 0;
		tp_write(sim, buf, 2);
		for (; k > 0; k -= (int)sizeof(noise) - 1)
			tp_write(sim, noise, k < (int)sizeof(noise) - 1 ?
				 (size_t)k : sizeof(noise) - 1);
		tp_write(sim, buf + 2, n + 2);
		return;
	}
	tp_write(sim, buf, n + 4);
}

void at_done(struct sim *sim)
{
	if (sim->mode == M_BUSY || sim->mode == M_TRANSPARENT)
		sim->mode = M_CMD;
}

void at_report(struct sim *sim, const char *fmt, ...)
{
	char line[SIM_LINE_MAX + 1];
	struct fault *f;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	f = fault_report(sim, line);
	if (f && f->act == FA_LOSE) {
		transcript_event("report lost: %s", line);
		return;
	}
	if (f && f->act == FA_GLUE) {
		at_line(sim, "%s%s", f->text, line);
		return;
	}
	at_line(sim, "%s", line);
}

void at_ok(struct sim *sim)
{
	at_line(sim, "OK");
	at_done(sim);
}

/*
 * For commands that only execute: answer the test form with OK and any
 * other form with ERROR.  Returns true when the caller should execute.
 */
bool at_exec_form(struct sim *sim, char form)
{
	if (form == 't')
		at_ok(sim);
	else if (form != 'e')
		at_error(sim);
	return form == 'e';
}

void at_error(struct sim *sim)
{
	at_line(sim, "ERROR");
	at_done(sim);
}

void at_cme(struct sim *sim, int code)
{
	const char *text = mfw_cme_text(code);

	if (sim->cmee == 0)
		at_line(sim, "ERROR");
	else if (sim->cmee == 2 && text)
		at_line(sim, "+CME ERROR: %s", text);
	else
		at_line(sim, "+CME ERROR: %d", code);
	at_done(sim);
}

/* "0".."9" only, no sign, no junk; -1 when not a plain number. */
static long plain_int(const char *s)
{
	char *end;
	long v;

	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	return *end ? -1 : v;
}

static void cmd_ati(struct sim *sim)
{
	at_line(sim, "CMCC");
	tp_write(sim, sim->sub->name, strlen(sim->sub->name));
	tp_write(sim, "\r\n", 2);
	tp_write(sim, "Revision: ", 10);
	tp_write(sim, sim->p.version, strlen(sim->p.version));
	tp_write(sim, "\r\n", 2);
	at_ok(sim);
}

static void cmd_cmee(struct sim *sim, const char *args, char form)
{
	long v;

	switch (form) {
	case 't':
		at_line(sim, "+CMEE: (0-2)");
		at_ok(sim);
		return;
	case 'r':
		at_line(sim, "+CMEE: %d", sim->cmee);
		at_ok(sim);
		return;
	case 's':
		v = plain_int(args);
		if (v >= 0 && v <= 2) {
			sim->cmee = (int)v;
			at_ok(sim);
			return;
		}
	}
	at_error(sim);
}

static void cmd_cfun(struct sim *sim, const char *args, char form)
{
	long v;

	switch (form) {
	case 't':
		at_line(sim, "+CFUN: (0,1),(0)");
		at_ok(sim);
		return;
	case 'r':
		at_line(sim, "+CFUN: %d", sim->p.network_off ? 0 : 1);
		at_ok(sim);
		return;
	case 's':
		v = plain_int(args);
		if (v == 0 || v == 1) {
			sim->p.network_off = v == 0;
			state_save(sim);
			at_ok(sim);
			return;
		}
	}
	at_error(sim);
}

static void cmd_mreboot(struct sim *sim, const char *args, char form)
{
	if (form == 't') {
		at_line(sim, "+MREBOOT: (0)");
		at_ok(sim);
		return;
	}
	if (form != 's' || strcmp(args, "0")) {
		at_error(sim);
		return;
	}
	at_line(sim, "OK");
	at_line(sim, "REBOOTING");
	sim_reboot(sim);
}

/*
 * AT+IPR (V.250 6.2.10): the test form lists the rates autobaud detects,
 * then the fixed-only ones (SPEC §5); a rate set takes effect once its
 * result code has gone out at the old one, and is saved unless
 * --ipr-volatile.
 */
static void cmd_ipr(struct sim *sim, const char *args, char form)
{
	const long *r = mfw_ipr_rates(sim->model->name);
	char list[2][160] = { "0", "" };
	size_t len[2] = { 1, 0 };
	long v;

	switch (form) {
	case 't':
		for (; r && *r; r++) {
			int k = *r > MFW_IPR_AUTO_MAX;
			int n = snprintf(list[k] + len[k], sizeof(list[k]) - len[k],
					 "%s%ld", len[k] ? "," : "", *r);

			if (n > 0 && (size_t)n < sizeof(list[k]) - len[k])
				len[k] += (size_t)n;
		}
		at_line(sim, "+IPR: (%s),(%s)", list[0], list[1]);
		at_ok(sim);
		return;
	case 'r':
		at_line(sim, "+IPR: %ld", sim->rate);
		at_ok(sim);
		return;
	case 's':
		v = plain_int(args);
		if (v == MFW_IPR_AUTO || mfw_ipr_supported(sim->model->name, v)) {
			at_ok(sim);
			tp_flush_all(sim);
			if (!sim->ipr_volatile) {
				sim->p.ipr = v;
				state_save(sim);
			}
			tp_set_rate(sim, v);
			return;
		}
	}
	at_error(sim);
}

static void cmd_simple(struct sim *sim, char form, const char *text)
{
	if (form == 't') {
		at_ok(sim);
	} else if (form == 'e') {
		tp_write(sim, "\r\n", 2);
		tp_write(sim, text, strlen(text));
		tp_write(sim, "\r\n", 2);
		at_ok(sim);
	} else {
		at_error(sim);
	}
}

/*
 * 3GPP TS 27.007 5.4: AT+CGSN (and AT+CGSN=0) answers the serial number,
 * the IMEI, or with --cgsn-uuid a UUID as some NB-IoT firmware gives;
 * AT+CGSN=1 answers the IMEI by name, "+CGSN: <imei>".
 */
static void cmd_cgsn(struct sim *sim, const char *args, char form)
{
	char line[40];

	if (form == 's' && !strcmp(args, "1")) {
		snprintf(line, sizeof(line), "+CGSN: %s", sim->imei);
		cmd_simple(sim, 'e', line);
	} else if (form == 's' && strcmp(args, "0")) {
		at_error(sim);
	} else {
		cmd_simple(sim, form == 's' ? 'e' : form, sim->cgsn_uuid ?
			   "6f1c2a90-3b7d-4e85-a1c4-9d2e7b3f5a60" : sim->imei);
	}
}

typedef void (*ext_fn)(struct sim *sim, const char *args, char form);

static const struct {
	const char *name;
	ext_fn fn;
} ext_cmds[] = {
	{ "+CMEE", cmd_cmee },
	{ "+CFUN", cmd_cfun },
	{ "+CPIN", sms_cpin },
	{ "+CMGF", sms_cmgf },
	{ "+CMGL", sms_cmgl },
	{ "+IPR", cmd_ipr },
	{ "+MREBOOT", cmd_mreboot },
	{ "+MFWCFG", fota_cfg },
	{ "+MFWDLOAD", fota_dload },
	{ "+MFWCHECK", fota_check },
	{ "+MFWUPGRADE", upgrade_cmd },
	{ "+MFWERASE", fota_erase },
};

static void at_delayed(struct sim *sim, long arg);

/*
 * What a fault makes the module say, wherever it fires: a command, a
 * package offset or a flashing percentage (fault_apply_data(),
 * flash_step()).  A URC, an SMS as 3GPP TS 27.005 3.4.1 sends it in the
 * mode AT+CMGF selects (sms_cmt()), a RING, garbage between reports, or
 * line noise that opens the next line the module sends.
 */
void at_fault_line(struct sim *sim, const struct fault *f)
{
	switch (f->act) {
	case FA_GARBAGE:
		at_line(sim, "\x7f#garbage@@ %ld", sim->cmd_count);
		tp_write(sim, "\r\n\xff\xfe junk\r\n", 12);
		at_line(sim, "+CEREG: 1");
		break;
	case FA_URC:
		at_line(sim, "%s", f->text);
		break;
	case FA_SMS:
	case FA_SMS_BURST:
		sms_cmt(sim, f->text);
		break;
	case FA_RING:
		at_line(sim, "RING");
		break;
	case FA_NOISE:
		sim->noise_next = (int)f->arg;
		break;
	default:
		break;
	}
}

/* Everything after "AT": run it and produce the final result. */
static void at_exec(struct sim *sim, char *cmd)
{
	char name[32];
	size_t n = 0;
	const char *args = "";
	char form = 'e';
	struct fault *f;

	sim->cmd_count++;
	/* The command's name: "+XXX", a basic letter with digits, or "". */
	if (cmd[0] == '+') {
		n = 1;
		while (isalnum((unsigned char)cmd[n]) && n < sizeof(name) - 1)
			n++;
	} else if (cmd[0]) {
		n = 1;
		while (isdigit((unsigned char)cmd[n]) && n < sizeof(name) - 1)
			n++;
	}
	memcpy(name, cmd, n);
	name[n] = 0;
	for (size_t i = 0; i < n; i++)
		name[i] = toupper((unsigned char)name[i]);
	if (cmd[n] == '?' && !cmd[n + 1]) {
		form = 'r';
	} else if (cmd[n] == '=' && cmd[n + 1] == '?' && !cmd[n + 2]) {
		form = 't';
	} else if (cmd[n] == '=') {
		form = 's';
		args = cmd + n + 1;
	} else if (cmd[n]) {
		at_error(sim);
		return;
	}

	f = fault_cmd(sim, name[0] == '+' ? name + 1 : name[0] ? name : "AT");
	if (f) {
		transcript_event("fault at command %s", cmd);
		switch (f->act) {
		case FA_ERROR:
			if (f->arg)
				at_cme(sim, (int)f->arg);
			else
				at_error(sim);
			return;
		case FA_STALL:
			sim->stalled = true;
			if (f->arg > 0) {
				snprintf(sim->pending, sizeof(sim->pending),
					 "%s", cmd);
				sim_timer_add(sim, f->arg, at_delayed, 0);
			}
			return;
		case FA_GARBAGE:
		case FA_URC:
		case FA_RING:
		case FA_NOISE:
			at_fault_line(sim, f);
			break;
		case FA_SMS:
		case FA_SMS_BURST:
			at_fault_line(sim, f);
			if (f->act == FA_SMS_BURST)
				break;
			/* The message came while the command ran. */
			if (cmd != sim->pending)
				snprintf(sim->pending, sizeof(sim->pending),
					 "%s", cmd);
			sim_timer_add(sim, 1000, at_delayed, 0);
			return;
		case FA_EARLY:
			/* upgrade_cmd() applies it to the upgrade it starts */
			sim->early_armed = true;
			sim->early_ms = f->arg;
			break;
		case FA_DISCONNECT:
			tp_hangup(sim);
			sim->mode = M_DOWN;
			sim_timer_add(sim, sim->boot_ms, sim_boot_done, 1);
			return;
		case FA_POWERLOSS:
			sim_power_loss(sim);
			return;
		default:
			break;
		}
	}

	if (!strcmp(name, "")) {
		if (form == 'e')
			at_ok(sim);
		else
			at_error(sim);
	} else if (!strcmp(name, "E0") || !strcmp(name, "E") ||
		   !strcmp(name, "E1")) {
		if (form != 'e') {
			at_error(sim);
			return;
		}
		sim->echo = name[1] == '1';
		at_ok(sim);
	} else if (!strcmp(name, "Z") || !strcmp(name, "Z0")) {
		/* V.250 reset to the stored profile: echo on, default CMEE. */
		if (form != 'e') {
			at_error(sim);
			return;
		}
		sim->echo = true;
		sim->cmee = sim->cmee_default;
		at_ok(sim);
	} else if (!strcmp(name, "I") || !strcmp(name, "I0")) {
		if (form == 'e')
			cmd_ati(sim);
		else
			at_error(sim);
	} else if (!strcmp(name, "+CGMR") || !strcmp(name, "+GMR")) {
		cmd_simple(sim, form, sim->p.version);
	} else if (!strcmp(name, "+CGMI") || !strcmp(name, "+GMI")) {
		cmd_simple(sim, form, "CMCC");
	} else if (!strcmp(name, "+CGMM") || !strcmp(name, "+GMM")) {
		cmd_simple(sim, form, sim->sub->name);
	} else if (!strcmp(name, "+CGSN") || !strcmp(name, "+GSN")) {
		cmd_cgsn(sim, args, form);
	} else if (!strcmp(name, "+GCAP")) {
		/*
		 * V.250 6.1.9: the command sets the module takes; +CGSM is
		 * 3GPP TS 27.007's (clause 1) for a 3GPP module.
		 * ModemManager asks for it first to tell what kind of modem
		 * it has, and gives the modem up without an answer.
		 */
		cmd_simple(sim, form, "+GCAP: +CGSM");
	} else {
		for (size_t i = 0; i < sizeof(ext_cmds) / sizeof(ext_cmds[0]);
		     i++) {
			if (!strcmp(name, ext_cmds[i].name)) {
				ext_cmds[i].fn(sim, args, form);
				return;
			}
		}
		at_error(sim);
	}
}

static void at_delayed(struct sim *sim, long arg)
{
	(void)arg;
	if (sim->mode == M_BUSY)
		at_exec(sim, sim->pending);
}

/* The attention prefix at @p: "AT" or "at", never mixed (V.250 5.2.1). */
static bool at_prefix(const char *p)
{
	return (p[0] == 'A' && p[1] == 'T') || (p[0] == 'a' && p[1] == 't');
}

/* A complete line arrived: find "AT" and run the rest. */
static void at_dispatch(struct sim *sim)
{
	char *l = sim->line, *at = NULL;

	sim->line[sim->line_len] = 0;
	for (size_t i = 0; i + 1 < sim->line_len; i++) {
		if (at_prefix(l + i)) {
			at = l + i + 2;
			break;
		}
	}
	if (sim->line_long) {
		at_error(sim);
		return;
	}
	if (!at)
		return;		/* no attention prefix: not a command */
	/* Trailing blanks are not part of the command. */
	for (size_t n = strlen(at); n && at[n - 1] == ' '; n--)
		at[n - 1] = 0;
	sim->mode = M_BUSY;
	if (sim->cmd_delay_ms > 0 &&
	    (!sim->delay_after_signal || sim->cued)) {
		snprintf(sim->pending, sizeof(sim->pending), "%s", at);
		sim_timer_add(sim, sim->cmd_delay_ms, at_delayed, 0);
		return;
	}
	at_exec(sim, at);
}

/* Consume queued input as far as the current mode allows. */
void at_input(struct sim *sim)
{
	size_t used = 0;

	while (used < sim->inq_len) {
		unsigned char c;
		size_t start;

		switch (sim->mode) {
		case M_BOOT:
		case M_DOWN:
		case M_BRICKED:
			used = sim->inq_len;	/* nobody listens */
			continue;
		case M_BUSY:
			goto out;
		case M_AUTOBAUD:
			/* The rate is learnt from "AT" (or "at"); before it, noise. */
			while (used + 1 < sim->inq_len &&
			       !at_prefix((const char *)sim->inq + used))
				used++;
			if (used + 1 >= sim->inq_len) {
				/* keep a lone last 'A' for the next read */
				if (used < sim->inq_len && sim->inq[used] != 'A' &&
				    sim->inq[used] != 'a')
					used++;
				goto out;
			}
			transcript_event("autobaud: rate learnt");
			sim->mode = M_CMD;
			sim->line_len = 0;
			sim->line_long = false;
			continue;
		case M_TRANSPARENT:
			memmove(sim->inq, sim->inq + used, sim->inq_len - used);
			sim->inq_len -= used;
			used = 0;
			fota_transparent_data(sim);
			continue;
		case M_CMD:
			break;
		}
		start = used;
		while (used < sim->inq_len && sim->mode == M_CMD) {
			c = sim->inq[used++];
			if (c == '\r' || c == '\n') {
				if (sim->echo)
					tp_write(sim, sim->inq + start,
						 used - start);
				start = used;
				if (c == '\n' && !sim->line_len &&
				    !sim->line_long)
					continue;	/* LF after CR */
				at_dispatch(sim);
				sim->line_len = 0;
				sim->line_long = false;
			} else if (c == '\b' || c == 0x7f) {
				if (sim->line_len)
					sim->line_len--;
			} else if (sim->line_len < SIM_LINE_MAX) {
				sim->line[sim->line_len++] = c;
			} else {
				sim->line_long = true;
			}
		}
		if (sim->echo && used > start)
			tp_write(sim, sim->inq + start, used - start);
	}
out:
	/* A reboot inside a command empties the queue under our feet. */
	if (used > sim->inq_len)
		used = sim->inq_len;
	memmove(sim->inq, sim->inq + used, sim->inq_len - used);
	sim->inq_len -= used;
}

void sim_bytes_in(struct sim *sim, const unsigned char *buf, size_t len)
{
	if (sim->mode == M_BOOT || sim->mode == M_DOWN ||
	    sim->mode == M_BRICKED)
		return;
	/* A host that floods a busy module loses bytes, as on a real one. */
	if (sim->inq_len + len > (1u << 20))
		return;
	if (sim->inq_len + len > sim->inq_cap) {
		size_t cap = (sim->inq_len + len) * 2;
		unsigned char *n = realloc(sim->inq, cap);

		if (!n)
			return;
		sim->inq = n;
		sim->inq_cap = cap;
	}
	memcpy(sim->inq + sim->inq_len, buf, len);
	sim->inq_len += len;
}
