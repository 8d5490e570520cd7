// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw-modemsim - what survives a power cycle, like the module's flash.
 *
 * --state FILE holds "key=value" lines and is replaced atomically (write a
 * temporary file, rename it over). The package itself lives in FILE.pkg,
 * written in place like flash; only its first pkg_len bytes count, so a
 * crash between the two writes loses the last chunk and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim.h"

static void pkg_path(struct sim *sim, char *buf, size_t len)
{
	snprintf(buf, len, "%s.pkg", sim->state_path);
}

int state_save(struct sim *sim)
{
	struct persist *p = &sim->p;
	char tmp[PATH_MAX];
	FILE *f;

	if (!sim->state_path)
		return 0;
	snprintf(tmp, sizeof(tmp), "%s.tmp", sim->state_path);
	f = fopen(tmp, "w");
	if (!f)
		return -1;
	fprintf(f, "model=%s\n", sim->model->name);
	fprintf(f, "version=%s\n", p->version);
	fprintf(f, "pkg_len=%zu\npkg_src=%d\nerased=%d\n", p->pkg_len,
		p->pkg_src, p->erased);
	fprintf(f, "dl_state=%d\ndl_total=%ld\ndl_resumable=%d\n",
		p->dl_state, p->dl_total, p->dl_resumable);
	fprintf(f, "dl_interrupts=%d\n", p->dl_interrupts);
	fprintf(f, "url=%s\nuser=%s\npass=%s\n", p->url, p->user, p->pass);
	for (int k = MFW_CFG_TIMEOUT; k < MFW_CFG_NR; k++)
		fprintf(f, "%s=%ld\n", mfw_cfg_key_name(k), p->ival[k]);
	fprintf(f, "up_stage=%d\nup_special=%d\nup_reboots=%d\n",
		p->up_stage, p->up_special, p->up_reboots);
	fprintf(f, "up_fail=%d\nup_target=%s\nup_early=%d\n", p->up_fail,
		p->up_target, p->up_early);
	fprintf(f, "bricked=%d\nnetwork_off=%d\n", p->bricked,
		p->network_off);
	if (p->ipr >= 0)
		fprintf(f, "ipr=%ld\n", p->ipr);
	if (fflush(f) || fsync(fileno(f))) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return rename(tmp, sim->state_path);
}

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src);
}

int state_load(struct sim *sim)
{
	struct persist *p = &sim->p;
	char line[1024], path[PATH_MAX];
	FILE *f;
	int fd;

	if (!sim->state_path)
		return 0;
	f = fopen(sim->state_path, "r");
	if (!f)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), f)) {
		char *v = strchr(line, '=');
		int key;

		if (!v)
			continue;
		*v++ = 0;
		v[strcspn(v, "\n")] = 0;
		key = mfw_cfg_key_find(line, strlen(line));
		if (key >= MFW_CFG_TIMEOUT)
			p->ival[key] = atol(v);
		else if (!strcmp(line, "version"))
			copy(p->version, sizeof(p->version), v);
		else if (!strcmp(line, "pkg_len"))
			p->pkg_len = strtoul(v, NULL, 10);
		else if (!strcmp(line, "pkg_src"))
			p->pkg_src = atoi(v);
		else if (!strcmp(line, "erased"))
			p->erased = atoi(v);
		else if (!strcmp(line, "dl_state"))
			p->dl_state = atoi(v);
		else if (!strcmp(line, "dl_total"))
			p->dl_total = atol(v);
		else if (!strcmp(line, "dl_resumable"))
			p->dl_resumable = atoi(v);
		else if (!strcmp(line, "dl_interrupts"))
			p->dl_interrupts = atoi(v);
		else if (!strcmp(line, "url"))
			copy(p->url, sizeof(p->url), v);
		else if (!strcmp(line, "user"))
			copy(p->user, sizeof(p->user), v);
		else if (!strcmp(line, "pass"))
			copy(p->pass, sizeof(p->pass), v);
		else if (!strcmp(line, "up_stage"))
			p->up_stage = atoi(v);
		else if (!strcmp(line, "up_special"))
			p->up_special = atoi(v);
		else if (!strcmp(line, "up_reboots"))
			p->up_reboots = atoi(v);
		else if (!strcmp(line, "up_fail"))
			p->up_fail = atoi(v);
		else if (!strcmp(line, "ipr"))
			p->ipr = atol(v);
		else if (!strcmp(line, "up_target"))
			copy(p->up_target, sizeof(p->up_target), v);
		else if (!strcmp(line, "up_early"))
			p->up_early = atoi(v);
		else if (!strcmp(line, "bricked"))
			p->bricked = atoi(v);
		else if (!strcmp(line, "network_off"))
			p->network_off = atoi(v);
	}
	fclose(f);
	/* A download in flight when the power went is interrupted. */
	if (p->dl_state == DL_RUNNING) {
		p->dl_state = DL_IDLE;
		p->dl_resumable = true;
	}

	pkg_path(sim, path, sizeof(path));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		p->pkg_len = 0;
		return 0;
	}
	sim->pkg_cap = p->pkg_len + 1;
	sim->pkg = malloc(sim->pkg_cap);
	if (!sim->pkg) {
		close(fd);
		return -1;
	}
	{
		ssize_t r = pread(fd, sim->pkg, p->pkg_len, 0);

		if (r < 0 || (size_t)r < p->pkg_len)
			p->pkg_len = r < 0 ? 0 : (size_t)r;
	}
	close(fd);
	return 0;
}

int state_pkg_write(struct sim *sim, size_t off, const void *buf, size_t len)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	if (!sim->state_path)
		return 0;
	pkg_path(sim, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	if (pwrite(fd, buf, len, off) != (ssize_t)len)
		ret = -1;
	close(fd);
	return ret;
}

void state_pkg_reset(struct sim *sim)
{
	char path[PATH_MAX];

	sim->p.pkg_len = 0;
	sim->p.pkg_src = SRC_NONE;
	if (!sim->state_path)
		return;
	pkg_path(sim, path, sizeof(path));
	if (truncate(path, 0) < 0 && errno != ENOENT)
		transcript_event("truncate %s failed", path);
}
