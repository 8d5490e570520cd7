// SPDX-License-Identifier: GPL-2.0-only
/*
 * A module on a port for mfw's selftests.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "mfw_port.h"
#include "rig.h"

/*
 * Bounds on a hang, not expectations: a simulator start on the debug
 * kernel under TCG, beside another debug guest, has taken over 15 s.
 */
#define BOOT_TIMEOUT_MS	60000
#define IDENT_TIMEOUT_MS	60000

int port_up(struct mfw_port_rig *r, bool usb, const char *const args[])
{
	const char *argv[48];
	char udc[64], dir[128];
	size_t n = 0;
	int ret;

	memset(r, 0, sizeof(*r));
	r->usb = usb;
	r->tty = r->master = -1;
	r->sim = -1;
	snprintf(r->transcript, sizeof(r->transcript), "/tmp/modem-%d.log",
		 getpid());
	unlink(r->transcript);

	argv[n++] = "--boot-ms";
	argv[n++] = "200";
	argv[n++] = "--transcript";
	argv[n++] = r->transcript;
	if (usb) {
		if (rig_gadget("create", r->path, sizeof(r->path)) ||
		    rig_gadget("udc", udc, sizeof(udc)) ||
		    rig_gadget("dir", dir, sizeof(dir)))
			return -ENODEV;
		argv[n++] = "--tty";
		argv[n++] = "/dev/ttyGS0";
		argv[n++] = "--gadget";
		argv[n++] = dir;
		argv[n++] = "--udc";
		argv[n++] = udc;
	} else {
		r->master = rig_open_pty(r->path, sizeof(r->path));
		if (r->master < 0)
			return -errno;
	}
	while (args && *args && n < 46)
		argv[n++] = *args++;
	argv[n] = NULL;

	r->tty = rig_open_tty(r->path);
	if (r->tty < 0)
		return -errno;
	/* Attach before the module talks, so no byte bypasses mfw. */
	ret = rig_attach(r->tty);
	if (ret)
		return ret;
	r->sim = rig_sim_start(argv, usb ? -1 : r->master, BOOT_TIMEOUT_MS);
	if (r->sim < 0)
		return -ECHILD;
	return rig_expect_line(r->tty, "+MATREADY", BOOT_TIMEOUT_MS);
}

void port_down(struct mfw_port_rig *r)
{
	rig_sim_stop(r->sim);
	r->sim = -1;
	if (r->tty >= 0)
		close(r->tty);
	if (r->master >= 0)
		close(r->master);
	r->tty = r->master = -1;
	if (r->usb)
		rig_gadget("destroy", NULL, 0);
}

int port_up_model(struct mfw_port_rig *r, bool usb, const char *model,
		  const char *state, const char *const extra[])
{
	const char *args[40] = { "--model", model, "--state", state,
				 "--flash-ms", "300" };
	long long end = rig_now_ms() + IDENT_TIMEOUT_MS;
	char fam[64] = "unknown";
	size_t n = 6;
	int ret;

	while (extra && *extra && n < 38)
		args[n++] = *extra++;
	args[n] = NULL;
	ret = port_up(r, usb, args);
	if (ret)
		return ret;
	while (rig_now_ms() < end) {
		if (rig_port_attr(r->path, "family", fam, sizeof(fam)) > 0 &&
		    strcmp(fam, "unknown"))
			return 0;
		usleep(20000);
	}
	return -ETIMEDOUT;
}

int port_make_image(const char *path, size_t size, const char *version,
		    unsigned int seed)
{
	char trailer[96];
	size_t tlen, i;
	unsigned char *buf;
	FILE *f;
	int ret = 0;

	tlen = snprintf(trailer, sizeof(trailer), "\nMFWVER:%s\n", version);
	if (size < tlen + 16)
		return -EINVAL;
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	srand(seed);
	for (i = 0; i < size - tlen; i++) {
		buf[i] = rand() & 0xff;
		if (buf[i] == 'A' || buf[i] == 'a')
			buf[i] ^= 0x80;
	}
	memcpy(buf + size - tlen, trailer, tlen);
	f = fopen(path, "w");
	if (!f || fwrite(buf, 1, size, f) != size)
		ret = -EIO;
	if (f && fclose(f))
		ret = -EIO;
	free(buf);
	return ret;
}

bool port_module_holds(const char *state, const char *path)
{
	size_t ilen = 0, plen = 0, slen = 0, want = 0;
	unsigned char *img = rig_slurp(path, &ilen);
	char pkgpath[128];
	unsigned char *pkg;
	char *st = (char *)rig_slurp(state, &slen);
	const char *p;
	bool ok = false;

	snprintf(pkgpath, sizeof(pkgpath), "%s.pkg", state);
	pkg = rig_slurp(pkgpath, &plen);
	if (img && pkg && st) {
		st[slen] = '\0';
		p = strstr(st, "pkg_len=");
		if (p)
			want = strtoul(p + 8, NULL, 10);
		ok = want == ilen && plen >= ilen && !memcmp(img, pkg, ilen);
		if (!ok)
			fprintf(stderr, "# module holds %zu bytes, image %zu\n",
				want, ilen);
	}
	free(img);
	free(pkg);
	free(st);
	return ok;
}
