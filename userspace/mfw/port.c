// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw helper - ports and attaching the line discipline.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "port.h"
#include "util.h"

/*
 * The kernel's name for the tty at PATH, from the path's text alone:
 * /dev/pts/N is "ptsN" (drivers/tty/pty.c names them so), anything else
 * its last component.
 */
static void tty_name_of_path(const char *path, char *name, size_t size)
{
	const char *base = strrchr(path, '/');

	if (!strncmp(path, "/dev/pts/", 9))
		snprintf(name, size, "pts%s", path + 9);
	else
		snprintf(name, size, "%s", base ? base + 1 : path);
}

void mfw_tty_node(const char *tty, char *node, size_t size)
{
	if (!strncmp(tty, "pts", 3))
		snprintf(node, size, "/dev/pts/%s", tty + 3);
	else
		snprintf(node, size, "/dev/%s", tty);
}

int mfw_tty_name(const char *path, char *name, size_t size)
{
	char *real = realpath(path, NULL);

	if (!real)
		return -errno;
	tty_name_of_path(real, name, size);
	free(real);
	return 0;
}

void mfw_tty_kernel_name(const char *port, char *name, size_t size)
{
	char target[PATH_MAX];
	ssize_t n;

	if (!strchr(port, '/')) {
		snprintf(name, size, "%s", port);
		return;
	}
	if (!mfw_tty_name(port, name, size))
		return;
	/* A by-id link left dangling still names its tty ("../../ttyUSB2"). */
	n = readlink(port, target, sizeof(target) - 1);
	if (n > 0) {
		target[n] = '\0';
		tty_name_of_path(target, name, size);
		return;
	}
	tty_name_of_path(port, name, size);
}

int mfw_port_find(const char *sysfs_root, const char *tty, struct mfw_port *p)
{
	char base[PATH_MAX];
	struct dirent *de;
	int found = 0;
	DIR *d;

	snprintf(base, sizeof(base), "%s/class/mfw", sysfs_root);
	d = opendir(base);
	if (!d)
		return -ENOENT;
	while ((de = readdir(d))) {
		struct mfw_port cand;

		if (de->d_name[0] == '.')
			continue;
		snprintf(cand.name, sizeof(cand.name), "%s", de->d_name);
		snprintf(cand.dir, sizeof(cand.dir), "%s/%s", base, de->d_name);
		if (mfw_port_get(&cand, "tty", cand.tty, sizeof(cand.tty)) < 0)
			continue;
		if (tty && *tty && strcmp(tty, cand.tty))
			continue;
		*p = cand;
		found++;
	}
	closedir(d);
	if (!found)
		return -ENOENT;
	return found > 1 ? -ENOTUNIQ : 0;
}

void mfw_port_attr_path(const struct mfw_port *p, const char *attr,
			char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", p->dir, attr);
}

int mfw_port_get(const struct mfw_port *p, const char *attr, char *buf,
		 size_t size)
{
	char path[PATH_MAX];

	mfw_port_attr_path(p, attr, path, sizeof(path));
	return mfw_read_text(path, buf, size);
}

int mfw_port_set(const struct mfw_port *p, const char *attr, const char *value)
{
	char path[PATH_MAX];

	mfw_port_attr_path(p, attr, path, sizeof(path));
	return mfw_write_text(path, value);
}

void mfw_port_dev(const struct mfw_port *p, char *buf, size_t size)
{
	snprintf(buf, size, "/dev/%s", p->name);
}

int mfw_ldisc_number(const char *sysfs_root)
{
	char path[PATH_MAX], buf[32];
	long n;
	int ret;

	snprintf(path, sizeof(path), "%s/module/mfw/parameters/ldisc", sysfs_root);
	ret = mfw_read_text(path, buf, sizeof(buf));
	if (ret < 0)
		return ret;
	if (mfw_parse_long(buf, 0, 255, &n))
		return -EINVAL;
	return (int)n;
}

static const struct {
	long baud;
	speed_t code;
} mfw_speeds[] = {
	{ 1200, B1200 }, { 2400, B2400 }, { 4800, B4800 }, { 9600, B9600 },
	{ 19200, B19200 }, { 38400, B38400 }, { 57600, B57600 },
	{ 115200, B115200 }, { 230400, B230400 }, { 460800, B460800 },
	{ 921600, B921600 }, { 1000000, B1000000 }, { 1500000, B1500000 },
	{ 2000000, B2000000 }, { 3000000, B3000000 }, { 4000000, B4000000 },
};

int mfw_tty_attach(const char *path, long speed, int ldisc, bool only_n_tty)
{
	struct termios tio;
	speed_t code = 0;
	size_t i;
	int fd, err;

	for (i = 0; i < sizeof(mfw_speeds) / sizeof(mfw_speeds[0]); i++)
		if (mfw_speeds[i].baud == speed)
			code = mfw_speeds[i].code;
	if (!code)
		return -EINVAL;
	fd = open(path, O_WRONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Another discipline than n_tty (PPP, say) is someone's session. */
	if (only_n_tty) {
		int disc = -1;

		if (ioctl(fd, TIOCGETD, &disc) < 0)
			goto fail;
		if (disc != N_TTY) {
			close(fd);
			return -EBUSY;
		}
	}
	if (tcgetattr(fd, &tio) < 0)
		goto fail;
	cfmakeraw(&tio);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	if (cfsetispeed(&tio, code) < 0 || cfsetospeed(&tio, code) < 0 ||
	    tcsetattr(fd, TCSANOW, &tio) < 0)
		goto fail;
	if (ioctl(fd, TIOCSETD, &ldisc) < 0)
		goto fail;
	return fd;
fail:
	err = -errno;
	close(fd);
	return err;
}

void mfw_port_busy_hint(const struct mfw_port *p, char *buf, size_t size)
{
	char tty[MFW_NAME_MAX + 16];

	mfw_tty_node(p->tty, tty, sizeof(tty));
	snprintf(buf, size,
		 "another program has /dev/%s open or runs an operation, or holds %s open without reading what the module sends, which the kernel log then names; find it with 'fuser -v /dev/%s %s'",
		 p->name, tty, p->name, tty);
}
