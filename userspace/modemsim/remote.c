// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - remote download through libcurl, driven from the main
 * loop (curl multi interface), so the AT port stays responsive.
 *
 * HTTP(S) goes in "pkgsize" blocks, one Range request each; FTP(S) and
 * file:// in one transfer resumed at the current length. "timeout" (in
 * module seconds, see --second-ms) is the connect timeout and also how
 * long a transfer may go without data before it counts as interrupted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "sim.h"

struct remote {
	CURLM *multi;
	CURL *easy;
	bool active;
	bool special;
	bool http;
	bool hard;		/* failure is unrecoverable */
	bool cut;		/* cut by a fault: interruption */
	bool started;		/* first block in: OK was given */
	int err;		/* CME error to report instead */
	long status;
	size_t block_start;
	size_t skip;		/* bytes of a 200 reply already stored */
	int64_t last_data;
	long timeout_ms;
	int retries;		/* special mode: retries so far */
	char range[64];
	char errbuf[CURL_ERROR_SIZE];
};

int remote_init(struct sim *sim)
{
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return -1;
	sim->rm = calloc(1, sizeof(*sim->rm));
	if (!sim->rm)
		return -1;
	sim->rm->multi = curl_multi_init();
	return sim->rm->multi ? 0 : -1;
}

void remote_exit(struct sim *sim)
{
	if (!sim->rm)
		return;
	remote_abort(sim);
	curl_multi_cleanup(sim->rm->multi);
	free(sim->rm);
	sim->rm = NULL;
	curl_global_cleanup();
}

bool remote_active(struct sim *sim)
{
	return sim->rm && sim->rm->active;
}

static void stop(struct remote *rm)
{
	if (rm->easy) {
		curl_multi_remove_handle(rm->multi, rm->easy);
		curl_easy_cleanup(rm->easy);
		rm->easy = NULL;
	}
	rm->active = false;
}

void remote_abort(struct sim *sim)
{
	if (!sim->rm || !sim->rm->active)
		return;
	stop(sim->rm);
	if (sim->p.dl_state == DL_RUNNING) {
		sim->p.dl_state = DL_IDLE;
		sim->p.dl_resumable = true;
	}
	state_save(sim);
}

/* "Content-Range: bytes 0-511/9508" gives the total. */
static size_t on_header(char *buf, size_t size, size_t n, void *data)
{
	struct sim *sim = data;
	size_t len = size * n;
	const char *slash;
	char line[256];

	if (len >= sizeof(line))
		return len;
	memcpy(line, buf, len);
	line[len] = 0;
	if (!strncasecmp(line, "Content-Range:", 14)) {
		slash = strchr(line, '/');
		if (slash && slash[1] != '*') {
			long total = atol(slash + 1);

			if (sim->p.dl_total >= 0 && total != sim->p.dl_total) {
				/* The file changed under a resumed download. */
				sim->rm->hard = true;
			}
			sim->p.dl_total = total;
		}
	}
	return len;
}

static void check_first(struct sim *sim)
{
	struct remote *rm = sim->rm;
	int kind;

	if (rm->started || rm->special)
		return;
	kind = pkg_kind(sim->pkg, sim->p.pkg_len);
	rm->err = mfw_model_pkg_error(sim->model, kind, false);
	if (!rm->err && sim->p.dl_total >= 0)
		rm->err = mfw_model_fits(sim->model, sim->p.dl_total,
					 sim->fs_free);
	if (rm->err)
		return;
	rm->started = true;
	fota_dload_result(sim, 0);
}

static size_t on_data(char *buf, size_t size, size_t n, void *data)
{
	struct sim *sim = data;
	struct remote *rm = sim->rm;
	size_t len = size * n, keep;
	curl_off_t cl = -1;

	rm->last_data = sim_now_ms();
	if (!rm->status) {
		curl_easy_getinfo(rm->easy, CURLINFO_RESPONSE_CODE, &rm->status);
		if (rm->http && rm->status >= 400) {
			rm->hard = true;
			return 0;
		}
		if (rm->http && rm->status == 200) {
			/* No Range support: the whole body again. */
			rm->skip = rm->block_start;
			curl_easy_getinfo(rm->easy,
					  CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
					  &cl);
			if (cl >= 0)
				sim->p.dl_total = cl;
		} else if (!rm->http && sim->p.dl_total < 0) {
			curl_easy_getinfo(rm->easy,
					  CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
					  &cl);
			if (cl >= 0)
				sim->p.dl_total = cl + sim->p.pkg_len;
		}
	}
	if (rm->hard)
		return 0;
	if (rm->skip) {
		size_t s = rm->skip < len ? rm->skip : len;

		rm->skip -= s;
		buf += s;
		len -= s;
		if (!len)
			return size * n;
	}
	keep = len;
	{
		struct fault *f = fault_offset(sim, sim->p.pkg_len,
					       sim->p.pkg_len + len);

		if (f) {
			size_t at = f->pos - sim->p.pkg_len;

			if (f->act == FA_ERROR) {
				rm->hard = true;
				return 0;
			} else if (f->act == FA_CUT) {
				/* Keep what came before the cut. */
				keep = at;
				rm->cut = true;
			} else {
				fault_apply_data(sim, f, at,
						 (unsigned char *)buf, &keep);
			}
		}
	}
	if (keep && sim_pkg_put(sim, sim->p.pkg_len,
				(const unsigned char *)buf, keep)) {
		rm->hard = true;
		return 0;
	}
	if (rm->cut)
		return 0;
	if (!rm->started && !rm->special && sim->p.pkg_len >= 16) {
		check_first(sim);
		if (rm->err)
			return 0;
	}
	if (rm->special)
		upgrade_special_progress(sim);
	else if (rm->started)
		fota_dload_progress(sim, false);
	return size * n;
}

static int add_transfer(struct sim *sim)
{
	struct remote *rm = sim->rm;
	CURL *e = rm->easy;
	long pkgsize = sim->p.ival[MFW_CFG_PKGSIZE];

	if (!(sim->model->cfg & MFW_CFG_BIT(MFW_CFG_PKGSIZE)) || rm->special)
		pkgsize = sim->model->range[MFW_CFG_PKGSIZE].def;
	rm->status = 0;
	rm->skip = 0;
	rm->block_start = sim->p.pkg_len;
	if (rm->http) {
		snprintf(rm->range, sizeof(rm->range), "%zu-%zu",
			 rm->block_start, rm->block_start + (size_t)pkgsize - 1);
		curl_easy_setopt(e, CURLOPT_RANGE, rm->range);
	} else {
		curl_easy_setopt(e, CURLOPT_RESUME_FROM_LARGE,
				 (curl_off_t)sim->p.pkg_len);
	}
	rm->last_data = sim_now_ms();
	return curl_multi_add_handle(rm->multi, e) == CURLM_OK ? 0 : -1;
}

int remote_start(struct sim *sim, bool special)
{
	struct remote *rm = sim->rm;
	unsigned int scheme = mfw_url_scheme(sim->p.url, strlen(sim->p.url));
	long timeout = sim->p.ival[MFW_CFG_TIMEOUT];
	CURL *e;

	if (!rm || rm->active)
		return -1;
	if (special || !(sim->model->cfg & MFW_CFG_BIT(MFW_CFG_TIMEOUT)))
		timeout = sim->model->range[MFW_CFG_TIMEOUT].def;
	e = curl_easy_init();
	if (!e)
		return -1;
	rm->easy = e;
	rm->special = special;
	rm->http = scheme & (MFW_URL_HTTP | MFW_URL_HTTPS);
	rm->hard = rm->cut = rm->started = false;
	rm->err = 0;
	rm->timeout_ms = timeout * sim->second_ms;
	curl_easy_setopt(e, CURLOPT_URL, sim->p.url);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, rm->timeout_ms);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, sim);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, sim);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, rm->errbuf);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https,ftp,ftps,file");
	if (scheme == MFW_URL_FTPS) {
		curl_easy_setopt(e, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
	}
	if (sim->p.user[0] || sim->p.pass[0]) {
		curl_easy_setopt(e, CURLOPT_USERNAME, sim->p.user);
		curl_easy_setopt(e, CURLOPT_PASSWORD, sim->p.pass);
	}
	if (sim->model->https_verify) {
		if (sim->ca_file)
			curl_easy_setopt(e, CURLOPT_CAINFO, sim->ca_file);
	} else {
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	sim->p.dl_state = DL_RUNNING;
	sim->dl_next_report = sim->p.ival[MFW_CFG_PROGIND] > 0 ?
		((sim->p.pkg_len / sim->p.ival[MFW_CFG_PROGIND]) + 1) *
		sim->p.ival[MFW_CFG_PROGIND] : 0;
	state_save(sim);
	transcript_event("download %s from %zu", sim->p.url, sim->p.pkg_len);
	rm->active = true;
	if (add_transfer(sim)) {
		stop(rm);
		sim->p.dl_state = DL_IDLE;
		return -1;
	}
	return 0;
}

/* The transfer ended for good: success, interruption or failure. */
static void finish(struct sim *sim, bool ok, bool resumable)
{
	struct remote *rm = sim->rm;
	bool special = rm->special;
	int err = rm->err;

	stop(rm);
	if (err) {
		/* Wrong package: refused before OK, nothing kept. */
		state_pkg_reset(sim);
		sim->p.dl_state = DL_IDLE;
		sim->p.dl_total = -1;
		sim->p.dl_resumable = false;
		state_save(sim);
		fota_dload_result(sim, err);
		return;
	}
	if (special) {
		if (ok) {
			rm->retries = 0;
			sim->p.dl_state = DL_DONE;
			state_save(sim);
			upgrade_special_done(sim, 0);
			return;
		}
		if (resumable && rm->retries++ < sim->max_retries) {
			/* The special mode retries by itself. */
			transcript_event("special download retry %d",
					 rm->retries);
			if (!remote_start(sim, true))
				return;
		}
		rm->retries = 0;
		upgrade_special_done(sim, resumable ? MFW_CME_RETRIES :
						      MFW_CME_DOWNLOAD);
		return;
	}
	if (ok) {
		check_first(sim);	/* a package shorter than 16 bytes */
		if (rm->err) {
			finish(sim, false, false);
			return;
		}
		sim->p.dl_state = DL_DONE;
		if (sim->p.dl_total < 0)
			sim->p.dl_total = sim->p.pkg_len;
		state_save(sim);
		fota_dload_progress(sim, true);
		return;
	}
	if (!rm->started) {
		/* Nothing useful yet: the command itself fails. */
		sim->p.dl_state = DL_IDLE;
		sim->p.dl_resumable = sim->p.pkg_len > 0;
		state_save(sim);
		fota_dload_result(sim, MFW_CME_DOWNLOAD);
		return;
	}
	fota_dload_failed(sim, resumable);
}

static void transfer_done(struct sim *sim, CURLcode res)
{
	struct remote *rm = sim->rm;
	long pkgsize;
	bool more;

	curl_multi_remove_handle(rm->multi, rm->easy);
	if (res == CURLE_OK && !rm->status)
		curl_easy_getinfo(rm->easy, CURLINFO_RESPONSE_CODE,
				  &rm->status);
	transcript_event("transfer done: %s (status %ld, %zu bytes)",
			 res ? curl_easy_strerror(res) : "ok", rm->status,
			 sim->p.pkg_len);
	if (rm->err) {
		finish(sim, false, false);
		return;
	}
	if (rm->hard || (rm->http && rm->status >= 400 && rm->status != 416)) {
		finish(sim, false, false);
		return;
	}
	if (rm->cut || res != CURLE_OK) {
		if (res == CURLE_REMOTE_ACCESS_DENIED ||
		    res == CURLE_LOGIN_DENIED ||
		    res == CURLE_REMOTE_FILE_NOT_FOUND ||
		    res == CURLE_UNSUPPORTED_PROTOCOL) {
			finish(sim, false, false);
			return;
		}
		finish(sim, false, true);
		return;
	}
	if (!rm->http) {
		finish(sim, true, false);
		return;
	}
	pkgsize = sim->p.pkg_len - rm->block_start;
	more = rm->status == 206 &&
	       (sim->p.dl_total < 0 ?
		pkgsize > 0 : (long)sim->p.pkg_len < sim->p.dl_total);
	if (!rm->started && !rm->special) {
		check_first(sim);
		if (rm->err) {
			finish(sim, false, false);
			return;
		}
	}
	state_save(sim);
	if (!more) {
		finish(sim, true, false);
		return;
	}
	if (add_transfer(sim))
		finish(sim, false, true);
}

void remote_poll(struct sim *sim, int extra_fd, short events, long wait_ms,
		 short *revents)
{
	struct curl_waitfd wfd = {
		.fd = extra_fd, .events = events, .revents = 0,
	};
	int nfds;

	curl_multi_poll(sim->rm->multi, &wfd, extra_fd >= 0 && events ? 1 : 0,
			wait_ms < 0 ? 1000 : (int)wait_ms, &nfds);
	*revents = wfd.revents;
}

void remote_perform(struct sim *sim)
{
	struct remote *rm = sim->rm;
	CURLMsg *msg;
	int running, left;

	if (!rm->active)
		return;
	curl_multi_perform(rm->multi, &running);
	while (rm->active && (msg = curl_multi_info_read(rm->multi, &left))) {
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == rm->easy)
			transfer_done(sim, msg->data.result);
	}
}

/* No data for "timeout": the link is as good as gone. */
void remote_tick(struct sim *sim)
{
	struct remote *rm = sim->rm;

	if (!rm->active || sim_now_ms() - rm->last_data < rm->timeout_ms)
		return;
	transcript_event("download stalled");
	curl_multi_remove_handle(rm->multi, rm->easy);
	finish(sim, false, true);
}
