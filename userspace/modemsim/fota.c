// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - AT+MFWCFG, AT+MFWDLOAD (hex, transparent, remote),
 * AT+MFWCHECK and AT+MFWERASE, each as the family's row allows.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define MAX_ARGS	4
#define TRANSPARENT_MAX	(64u << 20)	/* bigger than any module's flash */

struct arg {
	char *s;
	bool quoted;
};

/* Split "a,"b,c",d" in place; -1 on an open quote or too many fields. */
static int split(char *s, struct arg *a, int max)
{
	int n = 0;

	if (!*s)
		return 0;
	for (;;) {
		if (n == max)
			return -1;
		a[n].quoted = *s == '"';
		if (a[n].quoted) {
			char *q = strchr(++s, '"');

			if (!q)
				return -1;
			*q++ = 0;
			a[n++].s = s;
			s = q;
			if (!*s)
				return n;
			if (*s != ',')
				return -1;
			s++;
			continue;
		}
		a[n++].s = s;
		s = strchr(s, ',');
		if (!s)
			return n;
		*s++ = 0;
	}
}

static int num(const struct arg *a, long *v)
{
	char *end;

	if (a->quoted || !isdigit((unsigned char)a->s[0]))
		return -1;
	*v = strtol(a->s, &end, 10);
	return *end ? -1 : 0;
}

int sim_pkg_put(struct sim *sim, size_t off, const unsigned char *buf,
		size_t len)
{
	if (off + len > sim->pkg_cap) {
		size_t cap = (off + len) * 2;
		unsigned char *n = realloc(sim->pkg, cap);

		if (!n)
			return -1;
		sim->pkg = n;
		sim->pkg_cap = cap;
	}
	memcpy(sim->pkg + off, buf, len);
	if (off + len > sim->p.pkg_len)
		sim->p.pkg_len = off + len;
	return state_pkg_write(sim, off, buf, len);
}

bool fota_pkg_complete(struct sim *sim)
{
	const struct persist *p = &sim->p;

	if (!p->pkg_len)
		return false;
	return p->pkg_src == SRC_HEX || p->pkg_src == SRC_TRANSPARENT ||
	       (p->pkg_src == SRC_REMOTE && p->dl_state == DL_DONE);
}

static bool has_dload(const struct mfw_model *m)
{
	return m->paths & (MFW_PATH_HEX | MFW_PATH_TRANSPARENT |
			   MFW_PATH_REMOTE);
}

/* ---- AT+MFWCFG ---- */

static void cfg_show(struct sim *sim, int key)
{
	const struct persist *p = &sim->p;
	const char *name = mfw_cfg_key_name(key);

	if (key == MFW_CFG_URL)
		at_line(sim, "+MFWCFG: \"%s\",\"%s\"", name, p->url);
	else if (key == MFW_CFG_AUTH)
		at_line(sim, "+MFWCFG: \"%s\",\"%s\",\"%s\"", name, p->user,
			p->pass);
	else
		at_line(sim, "+MFWCFG: \"%s\",%ld", name, p->ival[key]);
}

void fota_cfg(struct sim *sim, const char *args, char form)
{
	const struct mfw_model *m = sim->model;
	char buf[SIM_LINE_MAX + 1];
	struct arg a[MAX_ARGS];
	int n, key, err;
	long v;

	if (form == 't' || form == 'r') {
		for (key = 0; key < MFW_CFG_NR; key++) {
			const struct mfw_range *r = &m->range[key];

			if (!(m->cfg & MFW_CFG_BIT(key)))
				continue;
			if (form == 'r')
				cfg_show(sim, key);
			else if (key == MFW_CFG_URL)
				at_line(sim, "+MFWCFG: \"url\",<url>");
			else if (key == MFW_CFG_AUTH)
				at_line(sim,
					"+MFWCFG: \"auth\",<user>,<passwd>");
			else
				at_line(sim, "+MFWCFG: \"%s\",(%ld-%ld)",
					mfw_cfg_key_name(key), r->min,
					r->max);
		}
		at_ok(sim);
		return;
	}
	if (form != 's') {
		at_error(sim);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", args);
	n = split(buf, a, MAX_ARGS);
	if (n < 1) {
		at_cme(sim, MFW_CME_CONFIG);
		return;
	}
	key = mfw_cfg_key_find(a[0].s, strlen(a[0].s));
	if (key < 0 || !(m->cfg & MFW_CFG_BIT(key))) {
		at_cme(sim, MFW_CME_CONFIG);
		return;
	}
	if (n == 1) {
		cfg_show(sim, key);
		at_ok(sim);
		return;
	}
	switch (key) {
	case MFW_CFG_URL:
		if (n != 2) {
			err = MFW_CME_CONFIG;
			break;
		}
		err = mfw_model_cfg_str(m, sim->sub, key, a[1].s,
					strlen(a[1].s));
		if (!err)
			snprintf(sim->p.url, sizeof(sim->p.url), "%s", a[1].s);
		break;
	case MFW_CFG_AUTH:
		if (n != 3) {
			err = MFW_CME_CONFIG;
			break;
		}
		err = mfw_model_cfg_str(m, sim->sub, key, a[1].s,
					strlen(a[1].s));
		if (!err)
			err = mfw_model_cfg_str(m, sim->sub, key, a[2].s,
						strlen(a[2].s));
		if (!err) {
			snprintf(sim->p.user, sizeof(sim->p.user), "%s",
				 a[1].s);
			snprintf(sim->p.pass, sizeof(sim->p.pass), "%s",
				 a[2].s);
		}
		break;
	default:
		if (n != 2 || num(&a[1], &v)) {
			err = MFW_CME_CONFIG;
			break;
		}
		err = mfw_model_cfg_int(m, key, v);
		if (!err)
			sim->p.ival[key] = v;
		break;
	}
	if (err) {
		at_cme(sim, err);
		return;
	}
	state_save(sim);
	at_ok(sim);
}

/* ---- AT+MFWDLOAD ---- */

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/*
 * Apply the package-offset faults due for @len bytes about to land at @off.
 * On an error fault, returns its code and cuts @len to the bytes before it.
 */
static int data_fault(struct sim *sim, size_t off, unsigned char *data,
		      size_t *len)
{
	struct fault *f;
	size_t at;

	while ((f = fault_offset(sim, off, off + *len))) {
		at = f->pos - off;
		if (fault_apply_data(sim, f, at, data, len))
			continue;
		*len = at;
		return f->act == FA_ERROR ? (int)f->arg : -1;
	}
	return 0;
}

static void dload_hex(struct sim *sim, long off, long len, const char *hex)
{
	const struct mfw_model *m = sim->model;
	unsigned char data[MFW_HEX_CHUNK_MAX];
	size_t n = len;
	int err, kind;

	if (!(m->paths & MFW_PATH_HEX) || len < 1 || (unsigned long)len > m->hex_max ||
	    strlen(hex) != 2 * (size_t)len) {
		at_cme(sim, MFW_CME_WRITE);
		return;
	}
	for (long i = 0; i < len; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			at_cme(sim, MFW_CME_WRITE);
			return;
		}
		data[i] = hi << 4 | lo;
	}
	/* In order only: the next byte after what is written already. */
	if ((m->erase_first && !sim->p.erased) ||
	    (size_t)off != sim->p.pkg_len ||
	    (off > 0 && (!m->resume || sim->p.pkg_src != SRC_HEX)) ||
	    remote_active(sim)) {
		at_cme(sim, MFW_CME_WRITE);
		return;
	}
	err = mfw_model_fits(m, off + len, sim->fs_free);
	if (!err && off == 0) {
		kind = pkg_kind(data, len);
		err = mfw_model_pkg_error(m, kind, false);
	}
	if (!err)
		err = data_fault(sim, off, data, &n);
	if (err) {
		at_cme(sim, err < 0 ? MFW_CME_WRITE : err);
		return;
	}
	if (off == 0) {
		state_pkg_reset(sim);
		sim->p.dl_state = DL_IDLE;
		sim->p.dl_total = -1;
	}
	if (sim_pkg_put(sim, off, data, n)) {
		at_cme(sim, MFW_CME_WRITE);
		return;
	}
	sim->p.pkg_src = SRC_HEX;
	state_save(sim);
	at_ok(sim);
}

static int64_t tp_last;

static void tp_idle(struct sim *sim, long arg)
{
	int64_t idle = sim_now_ms() - tp_last;

	(void)arg;
	if (sim->mode != M_TRANSPARENT)
		return;
	if (idle < sim->tp_timeout_ms) {
		sim_timer_add(sim, sim->tp_timeout_ms - idle, tp_idle, 0);
		return;
	}
	transcript_event("transparent write timed out");
	state_pkg_reset(sim);
	state_save(sim);
	at_cme(sim, MFW_CME_WRITE);
}

static void dload_transparent(struct sim *sim, long off, long len)
{
	const struct mfw_model *m = sim->model;
	int err;

	if (!(m->paths & MFW_PATH_TRANSPARENT) || len < 1 ||
	    (unsigned long)len > TRANSPARENT_MAX ||
	    (m->whole && off != 0) || (!m->whole && (unsigned long)len > m->hex_max) ||
	    (size_t)off != (off ? sim->p.pkg_len : 0) || remote_active(sim)) {
		at_cme(sim, MFW_CME_WRITE);
		return;
	}
	err = mfw_model_fits(m, len, sim->fs_free);
	if (err) {
		at_cme(sim, err);
		return;
	}
	if (off == 0) {
		state_pkg_reset(sim);
		sim->p.dl_state = DL_IDLE;
		sim->p.dl_total = -1;
		state_save(sim);
	}
	sim->tp_want = len;
	sim->tp_got = 0;
	sim->tp_err = 0;
	sim->tp_verdict_ms = 0;
	sim->mode = M_TRANSPARENT;
	tp_write(sim, "\r\n> ", 4);
	tp_last = sim_now_ms();
	sim_timer_cancel(sim, tp_idle);
	sim_timer_add(sim, sim->tp_timeout_ms, tp_idle, 0);
}

static void tp_verdict(struct sim *sim, long arg);

static void tp_verdict_late(struct sim *sim, long arg)
{
	if (sim->mode == M_BUSY)	/* not rebooted or powered off since */
		tp_verdict(sim, arg);
}

/* Raw bytes at the head of the input queue while in transparent mode. */
void fota_transparent_data(struct sim *sim)
{
	size_t n = sim->tp_want - sim->tp_got, keep;
	size_t off = sim->p.pkg_len;
	int err;

	if (n > sim->inq_len)
		n = sim->inq_len;
	keep = n;
	tp_last = sim_now_ms();
	err = data_fault(sim, off, sim->inq, &keep);
	if (err)
		n = keep;	/* what follows the failure is read as commands */
	else if (keep && sim_pkg_put(sim, off, sim->inq, keep))
		err = MFW_CME_WRITE;
	/* Bytes lost on the way never count: the module waits for more. */
	sim->tp_got += keep;
	memmove(sim->inq, sim->inq + n, sim->inq_len - n);
	sim->inq_len -= n;
	if (err) {
		/* A write error ends transparent mode; the rest is commands. */
		sim_timer_cancel(sim, tp_idle);
		state_pkg_reset(sim);
		state_save(sim);
		at_cme(sim, err < 0 ? MFW_CME_WRITE : err);
		return;
	}
	if (sim->tp_got < sim->tp_want)
		return;
	sim_timer_cancel(sim, tp_idle);
	if (sim->tp_verdict_ms > 0) {
		/* A stall fault: what arrives meanwhile waits for the verdict. */
		sim->mode = M_BUSY;
		sim_timer_add(sim, sim->tp_verdict_ms, tp_verdict_late, 0);
		sim->tp_verdict_ms = 0;
		return;
	}
	tp_verdict(sim, 0);
}

/* The module's answer once the announced length is in. */
static void tp_verdict(struct sim *sim, long arg)
{
	int err, kind;

	(void)arg;
	kind = pkg_kind(sim->pkg, sim->p.pkg_len);
	err = mfw_model_pkg_error(sim->model, kind, false);
	if (err) {
		state_pkg_reset(sim);
		state_save(sim);
		at_cme(sim, err);
		return;
	}
	sim->p.pkg_src = SRC_TRANSPARENT;
	state_save(sim);
	at_ok(sim);
}

static void dload_remote(struct sim *sim)
{
	struct persist *p = &sim->p;
	int err;

	if (!(sim->model->paths & MFW_PATH_REMOTE) || remote_active(sim)) {
		at_cme(sim, MFW_CME_UNKNOWN);
		return;
	}
	if (p->dl_state == DL_FAILED) {
		at_cme(sim, MFW_CME_DOWNLOAD);
		return;
	}
	if (!p->url[0]) {
		at_cme(sim, MFW_CME_CONFIG);
		return;
	}
	err = mfw_model_cfg_str(sim->model, sim->sub, MFW_CFG_URL, p->url,
				strlen(p->url));
	if (err) {
		at_cme(sim, err);
		return;
	}
	if (p->network_off) {
		at_cme(sim, MFW_CME_NO_NETWORK);
		return;
	}
	if (p->dl_resumable && p->pkg_src == SRC_REMOTE && p->pkg_len) {
		if (p->dl_interrupts > sim->max_retries) {
			p->dl_state = DL_FAILED;
			p->dl_resumable = false;
			state_save(sim);
			at_cme(sim, MFW_CME_RETRIES);
			return;
		}
	} else {
		state_pkg_reset(sim);
		p->dl_total = -1;
		p->dl_interrupts = 0;
	}
	err = mfw_model_fits(sim->model, p->dl_total > 0 ? p->dl_total : 0,
			     sim->fs_free);
	if (err) {
		at_cme(sim, err);
		return;
	}
	p->pkg_src = SRC_REMOTE;
	p->dl_resumable = false;
	sim->dload_waiting = true;
	if (remote_start(sim, false)) {
		sim->dload_waiting = false;
		at_cme(sim, MFW_CME_DOWNLOAD);
	}
}

void fota_dload_result(struct sim *sim, int err)
{
	if (!sim->dload_waiting)
		return;
	sim->dload_waiting = false;
	if (err)
		at_cme(sim, err);
	else
		at_ok(sim);
}

/* The download's report: unsolicited (@urc) or the answer to AT+MFWDLOAD?. */
static void dload_report(struct sim *sim, int state, long dl, bool urc)
{
	void (*out)(struct sim *sim, const char *fmt, ...) =
		urc ? at_report : at_line;

	if (sim->p.dl_total >= 0)
		out(sim, "+MFWDLOAD: %d,%ld,%ld", state, sim->p.dl_total, dl);
	else
		out(sim, "+MFWDLOAD: %d,%ld", state, dl);
}

void fota_dload_progress(struct sim *sim, bool final)
{
	long step = sim->p.ival[MFW_CFG_PROGIND];

	if (final) {
		dload_report(sim, DL_DONE, sim->p.pkg_len, true);
		return;
	}
	if (step <= 0)
		return;
	while (sim->p.pkg_len >= sim->dl_next_report) {
		dload_report(sim, DL_RUNNING, sim->dl_next_report, true);
		sim->dl_next_report += step;
	}
}

void fota_dload_failed(struct sim *sim, bool resumable)
{
	dload_report(sim, DL_FAILED, sim->p.pkg_len, true);
	if (resumable) {
		at_report(sim, "+MFWDLOAD: 0");
		sim->p.dl_state = DL_IDLE;
		sim->p.dl_resumable = true;
		sim->p.dl_interrupts++;
	} else {
		sim->p.dl_state = DL_FAILED;
		sim->p.dl_resumable = false;
	}
	state_save(sim);
}

void fota_dload(struct sim *sim, const char *args, char form)
{
	char buf[SIM_LINE_MAX + 1];
	struct arg a[MAX_ARGS];
	long off, len;
	int n;

	if (!has_dload(sim->model)) {
		at_error(sim);
		return;
	}
	switch (form) {
	case 't':
		at_line(sim, "+MFWDLOAD: <offset>,(1-%u),<data>",
			sim->model->hex_max);
		at_ok(sim);
		return;
	case 'r':
		dload_report(sim, sim->p.dl_state, sim->p.pkg_len, false);
		at_ok(sim);
		return;
	case 'e':
		dload_remote(sim);
		return;
	}
	snprintf(buf, sizeof(buf), "%s", args);
	n = split(buf, a, MAX_ARGS);
	if (n < 2 || n > 3 || num(&a[0], &off) || num(&a[1], &len)) {
		at_cme(sim, MFW_CME_WRITE);
		return;
	}
	if (n == 3)
		dload_hex(sim, off, len, a[2].s);
	else
		dload_transparent(sim, off, len);
}

/* ---- AT+MFWCHECK, AT+MFWERASE ---- */

void fota_check(struct sim *sim, const char *args, char form)
{
	char hex[2 * 64 + 1];
	long algo;
	char *end;

	if (!sim->model->check) {
		at_error(sim);
		return;
	}
	if (form == 't') {
		at_line(sim, "+MFWCHECK: (0-2)");
		at_ok(sim);
		return;
	}
	algo = strtol(args, &end, 10);
	if (form != 's' || !isdigit((unsigned char)args[0]) || *end ||
	    algo < 0 || algo > 2) {
		at_error(sim);
		return;
	}
	if (!sim->p.pkg_len || remote_active(sim)) {
		at_cme(sim, MFW_CME_UNKNOWN);
		return;
	}
	if (pkg_digest((int)algo, sim->pkg, sim->p.pkg_len, hex,
		       sizeof(hex))) {
		at_cme(sim, MFW_CME_UNKNOWN);
		return;
	}
	at_line(sim, "+MFWCHECK: %s", hex);
	at_ok(sim);
}

void fota_erase(struct sim *sim, const char *args, char form)
{
	(void)args;
	if (!sim->model->erase) {
		at_error(sim);
		return;
	}
	if (!at_exec_form(sim, form))
		return;
	remote_abort(sim);
	state_pkg_reset(sim);
	sim->p.dl_state = DL_IDLE;
	sim->p.dl_total = -1;
	sim->p.dl_resumable = false;
	sim->p.dl_interrupts = 0;
	sim->p.erased = true;
	state_save(sim);
	at_ok(sim);
}
