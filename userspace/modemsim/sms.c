// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - a SIM card holding text messages (--sms N): AT+CPIN?,
 * AT+CMGF and AT+CMGL as 3GPP TS 27.005 gives them, in text and in PDU
 * mode.  The point is a long answer to a user's command: 24 messages
 * list as about 3.5 KiB in text mode.  Also the +CMT of a message that
 * arrives (the sms= faults), in the mode AT+CMGF selects.
 */
#include <stdio.h>
#include <string.h>

#include "sim.h"

/* 3GPP TS 27.005 3.2.5: the +CMS ERROR codes used here. */
#define CMS_PDU_PARAM	304	/* invalid PDU mode parameter */
#define CMS_TEXT_PARAM	305	/* invalid text mode parameter */
#define CMS_NO_SIM	310	/* SIM not inserted */

/*
 * Every stored message comes from this number, every arriving one from
 * the next lower, all at this time (TS 23.040 9.2.3.11).
 */
static const char sms_from[] = "+10000000001";
static const char sms_cmt_from[] = "+10000000000";
static const char sms_scts[] = "26/11/30,08:00:00+32";

static const char *const sms_stat_text[] = {
	"REC UNREAD", "REC READ", "STO UNSENT", "STO SENT", "ALL",
};

/* A stored message's body, in the GSM 7-bit default alphabet. */
static int sms_body(int index, char *buf, size_t size)
{
	return snprintf(buf, size,
			"mfw-modemsim stored message %d: the quick brown fox jumps over the lazy dog",
			index);
}

static void sms_cms(struct sim *sim, int code)
{
	if (sim->cmee == 0)
		at_line(sim, "ERROR");
	else if (sim->cmee == 2 && code == CMS_NO_SIM)
		at_line(sim, "+CMS ERROR: SIM not inserted");
	else
		at_line(sim, "+CMS ERROR: %d", code);
	at_done(sim);
}

/*
 * AT+CPIN?: "READY" with a card (--sms), and without one code 10, "SIM
 * not inserted" (27.007 9.2.1), as on a bench or a board whose SIM is
 * fitted later; ModemManager takes that as a 3GPP modem without a SIM and
 * goes on identifying it.
 */
void sms_cpin(struct sim *sim, const char *args, char form)
{
	(void)args;
	if (form == 't') {
		at_ok(sim);
	} else if (sim->sms_count >= 0) {
		if (form == 'r') {
			at_line(sim, "+CPIN: READY");
			at_ok(sim);
		} else {
			at_error(sim);
		}
	} else if (sim->cmee == 2) {
		at_line(sim, "+CME ERROR: SIM not inserted");
		at_done(sim);
	} else {
		at_cme(sim, 10);
	}
}

/* AT+CMGF: 0 PDU mode (the default), 1 text mode (27.005 3.2.3). */
void sms_cmgf(struct sim *sim, const char *args, char form)
{
	if (sim->sms_count < 0) {
		sms_cms(sim, CMS_NO_SIM);
		return;
	}
	switch (form) {
	case 't':
		at_line(sim, "+CMGF: (0,1)");
		at_ok(sim);
		return;
	case 'r':
		at_line(sim, "+CMGF: %d", sim->sms_text);
		at_ok(sim);
		return;
	case 'e':
		sim->sms_text = 0;
		at_ok(sim);
		return;
	case 's':
		if (!strcmp(args, "0") || !strcmp(args, "1")) {
			sim->sms_text = args[0] == '1';
			at_ok(sim);
			return;
		}
	}
	at_error(sim);
}

/* Semi-octets of @digits (no '+') into @out as hex, F-padded. */
static size_t sms_semi(const char *digits, char *out)
{
	size_t i, n = 0, len = strlen(digits);

	for (i = 0; i < len; i += 2) {
		out[n++] = i + 1 < len ? digits[i + 1] : 'F';
		out[n++] = digits[i];
	}
	return n;
}

/*
 * The septets of ASCII character @c in the GSM 7-bit default alphabet
 * (TS 23.038 6.2.1) into @out: one, or two for a character of the
 * extension table (6.2.1.1), escaped.  Returns how many, 0 for a
 * character neither table holds (control characters other than CR and
 * LF, '`', anything past ASCII).  Most printable ASCII characters sit
 * where ASCII puts them; '@', '$' and '_' do not.
 */
static int sms_septet(unsigned char c, unsigned char out[2])
{
	static const char ext[] = "^{}\\[~]|";
	static const unsigned char ext_code[] = {
		0x14, 0x28, 0x29, 0x2f, 0x3c, 0x3d, 0x3e, 0x40,
	};
	const char *e;

	switch (c) {
	case '@':
		out[0] = 0x00;
		return 1;
	case '$':
		out[0] = 0x02;
		return 1;
	case '_':
		out[0] = 0x11;
		return 1;
	case '\r':
	case '\n':
		out[0] = c;
		return 1;
	}
	if (c < 0x20 || c > 0x7e || c == '`')
		return 0;
	e = strchr(ext, c);
	if (e) {
		out[0] = 0x1b;
		out[1] = ext_code[e - ext];
		return 2;
	}
	out[0] = c;
	return 1;
}

/*
 * @text in the GSM 7-bit default alphabet, packed least significant bits
 * first (TS 23.038 6.1.2.1.1) into @ud when it is not NULL (room for
 * SMS_SEPTETS septets; septets past those are counted, not stored).
 * Returns the number of septets, or -1 at the first character the
 * alphabet lacks, whose index goes to *@bad when @bad is not NULL.
 */
int sms_pack(const char *text, unsigned char *ud, size_t *bad)
{
	unsigned char sept[2];
	unsigned int acc = 0;
	size_t i, octets = 0;
	int septets = 0, bits = 0, n, k;

	for (i = 0; text[i]; i++) {
		n = sms_septet((unsigned char)text[i], sept);
		if (!n) {
			if (bad)
				*bad = i;
			return -1;
		}
		for (k = 0; k < n; k++, septets++) {
			if (!ud || septets >= SMS_SEPTETS)
				continue;
			acc |= (unsigned int)sept[k] << bits;
			bits += 7;
			while (bits >= 8) {
				ud[octets++] = acc & 0xff;
				acc >>= 8;
				bits -= 8;
			}
		}
	}
	if (ud && bits)
		ud[octets] = acc & 0xff;
	return septets;
}

/* Hex digits of an SMS-DELIVER PDU of SMS_SEPTETS septets, with room. */
#define SMS_PDU_HEX	400

/*
 * An SMS-DELIVER TPDU (TS 23.040 9.2.2.1) from @from holding @body, in
 * hex, with an empty SMSC address before it.  Returns the TPDU's length
 * in octets (the SMSC field not counting), or -1 when @body does not fit
 * one message in the GSM 7-bit default alphabet.
 */
static int sms_pdu(const char *from, const char *body, char *hex,
		   size_t size)
{
	static const char scts[] = "62110380000023";	/* sms_scts, swapped */
	unsigned char ud[SMS_SEPTETS * 7 / 8];
	size_t n = 0, i, octets;
	int septets;

	septets = sms_pack(body, ud, NULL);
	if (septets < 0 || septets > SMS_SEPTETS)
		return -1;
	octets = ((size_t)septets * 7 + 7) / 8;
	if (size < 64 + 2 * octets)
		return -1;
	/* SMSC length 0; SMS-DELIVER, no more messages; originator. */
	n += (size_t)sprintf(hex + n, "0004%02X91", (unsigned int)strlen(from + 1));
	n += sms_semi(from + 1, hex + n);
	/* PID 0, DCS 0 (GSM 7-bit), time stamp, user data length. */
	n += (size_t)sprintf(hex + n, "0000%s%02X", scts, (unsigned int)septets);
	for (i = 0; i < octets; i++)
		n += (size_t)sprintf(hex + n, "%02X", ud[i]);
	hex[n] = '\0';
	/* Octets after the SMSC field ("00"). */
	return (int)(n / 2 - 1);
}

/*
 * A message arriving (the sms= and sms-burst= faults), routed to the
 * terminal as 27.005 3.4.1 gives +CMT in the mode AT+CMGF selects, header
 * and body in one write.  Text mode: the originator and time stamp
 * without <length> (as under AT+CSDH=0), then the body's lines.  PDU
 * mode, the default: "+CMT: ,<length>" and the PDU in hex on one line.
 * Without a SIM card there is no AT+CMGF to select a mode, and the
 * message comes in text mode.
 */
void sms_cmt(struct sim *sim, const char *text)
{
	char pdu[SMS_PDU_HEX];
	int len;

	if (sim->sms_count < 0 || sim->sms_text) {
		at_line(sim, "+CMT: \"%s\",,\"%s\"\r\n%s", sms_cmt_from,
			sms_scts, text);
		return;
	}
	/* fault_parse() refused a body that does not fit. */
	len = sms_pdu(sms_cmt_from, text, pdu, sizeof(pdu));
	if (len >= 0)
		at_line(sim, "+CMT: ,%d\r\n%s", len, pdu);
}

/* Which status AT+CMGL=@args asks for: 0..4, or -1. */
static int sms_stat(const struct sim *sim, const char *args)
{
	size_t i;

	if (!*args)
		return 0;	/* 27.005 3.4.2: the default is "received unread" */
	for (i = 0; i < sizeof(sms_stat_text) / sizeof(sms_stat_text[0]); i++) {
		char quoted[16];

		snprintf(quoted, sizeof(quoted), "\"%s\"", sms_stat_text[i]);
		if (sim->sms_text ? !strcmp(args, quoted) :
		    (args[0] == (char)('0' + i) && !args[1]))
			return (int)i;
	}
	return -1;
}

/*
 * AT+CMGL: list the stored messages of a status; every one is "REC READ"
 * (27.005 3.4.2 text mode, 4.1 PDU mode).
 */
void sms_cmgl(struct sim *sim, const char *args, char form)
{
	char body[SMS_SEPTETS + 1], pdu[SMS_PDU_HEX];
	int stat, i, len;

	if (sim->sms_count < 0) {
		sms_cms(sim, CMS_NO_SIM);
		return;
	}
	if (form == 't') {
		if (sim->sms_text)
			at_line(sim, "+CMGL: (\"REC UNREAD\",\"REC READ\",\"STO UNSENT\",\"STO SENT\",\"ALL\")");
		else
			at_line(sim, "+CMGL: (0-4)");
		at_ok(sim);
		return;
	}
	if (form == 'r') {
		at_error(sim);
		return;
	}
	stat = sms_stat(sim, form == 's' ? args : "");
	if (stat < 0) {
		sms_cms(sim, sim->sms_text ? CMS_TEXT_PARAM : CMS_PDU_PARAM);
		return;
	}
	for (i = 1; i <= sim->sms_count && (stat == 1 || stat == 4); i++) {
		sms_body(i, body, sizeof(body));
		if (sim->sms_text) {
			at_line(sim, "+CMGL: %d,\"REC READ\",\"%s\",,\"%s\"\r\n%s",
				i, sms_from, sms_scts, body);
		} else {
			len = sms_pdu(sms_from, body, pdu, sizeof(pdu));
			at_line(sim, "+CMGL: %d,1,,%d\r\n%s", i, len, pdu);
		}
	}
	at_ok(sim);
}
