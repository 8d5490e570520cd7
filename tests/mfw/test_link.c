// SPDX-License-Identifier: GPL-2.0-only
/*
 * The helper's hold on the module's tty reads nothing: the link's fd is
 * write-only, and input waits for the tty's readers however long they
 * take.  Only with an mfw kernel module older than the helper loaded (no
 * statistics/rx_unread) does the link open a read end and throw away
 * input left unread past 2 KiB, as helpers before did.
 *
 * A fake sysfs gives line discipline 0 (N_TTY), so a pty takes the
 * "attach" on any host.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "link.h"
#include "tap.h"

/* A pty and, in @root, a fake sysfs with one mfw port on its slave. */
static int fake_port(const char *root, bool current, char *pts, size_t size)
{
	char name[64];
	int m;

	m = posix_openpt(O_RDWR | O_NOCTTY);
	if (m < 0 || grantpt(m) || unlockpt(m) || ptsname_r(m, pts, size))
		return -1;
	snprintf(name, sizeof(name), "pts%s\n", pts + strlen("/dev/pts/"));
	tap_put(root, "module/mfw/parameters/ldisc", "0\n");
	tap_put(root, "class/mfw/mfw0/tty", name);
	tap_put(root, "class/mfw/mfw0/statistics/rx_bytes", "0\n");
	if (current)
		tap_put(root, "class/mfw/mfw0/statistics/rx_unread", "0\n");
	return m;
}

static int waiting(const char *pts)
{
	int fd = open(pts, O_RDONLY | O_NOCTTY | O_NONBLOCK), n = -1;

	if (fd >= 0 && ioctl(fd, TIOCINQ, &n) < 0)
		n = -1;
	if (fd >= 0)
		close(fd);
	return n;
}

/* Write @len bytes into the pty master; let n_tty take them. */
static void module_says(int m, size_t len)
{
	char buf[3000];

	memset(buf, 'x', sizeof(buf));
	check(write(m, buf, len) == (ssize_t)len, "the module wrote %zu bytes", len);
	usleep(200000);
}

int main(void)
{
	char *dir = tap_tmpdir();
	char root[600], pts[64], path[700];
	struct mfw_link l;
	int m, reader;

	/* The current module: a write-only hold, nothing thrown away. */
	snprintf(root, sizeof(root), "%s/current", dir);
	m = fake_port(root, true, pts, sizeof(pts));
	check(m >= 0, "a pty (%s)", pts);
	mfw_link_init(&l, pts, 115200, root);
	check(mfw_link_attach(&l) == 0, "attached to %s", pts);
	check((fcntl(l.fd, F_GETFL) & O_ACCMODE) == O_WRONLY, "the hold is write-only");
	check(l.drain_fd < 0, "no read end with the current module");
	check(!mfw_link_module_keeps_unread(&l), "the module is current");
	/* A reader keeps the tty's input: a slow one, reading later. */
	reader = open(pts, O_RDONLY | O_NOCTTY | O_NONBLOCK);
	module_says(m, 3000);
	check(mfw_link_service(&l, 0, true) == 0, "service with discard asked");
	check(mfw_link_service(&l, 0, true) == 0, "and again");
	check(waiting(pts) == 3000, "the reader's 3000 bytes all wait for it (%d)", waiting(pts));
	if (reader >= 0)
		close(reader);
	mfw_link_drop(&l);
	check(l.fd < 0 && l.drain_fd < 0, "dropped");
	close(m);

	/* An older module: a read end, and input past 2 KiB goes. */
	snprintf(root, sizeof(root), "%s/older", dir);
	m = fake_port(root, false, pts, sizeof(pts));
	check(m >= 0, "a pty (%s)", pts);
	mfw_link_init(&l, pts, 115200, root);
	check(mfw_link_attach(&l) == 0, "attached to %s", pts);
	check(mfw_link_module_keeps_unread(&l), "the module is older");
	check(l.drain_fd >= 0, "a read end for the older module");
	check(l.legacy_said, "the user was told");
	module_says(m, 1000);
	check(mfw_link_service(&l, 0, true) == 0, "service");
	check(waiting(pts) == 1000, "1000 bytes stay (%d)", waiting(pts));
	module_says(m, 1500);
	check(mfw_link_service(&l, 0, false) == 0, "service without discard");
	check(waiting(pts) == 2500, "--no-drain keeps 2500 bytes (%d)", waiting(pts));
	check(mfw_link_service(&l, 0, true) == 0, "service with discard");
	check(waiting(pts) == 0, "2500 bytes thrown away (%d)", waiting(pts));
	check(mfw_link_service(&l, POLLHUP, true) == -ENODEV, "a hangup is reported");
	mfw_link_drop(&l);
	close(m);

	/* A port without statistics (gone while looked at): current. */
	snprintf(root, sizeof(root), "%s/going", dir);
	m = fake_port(root, false, pts, sizeof(pts));
	check(m >= 0, "a pty (%s)", pts);
	snprintf(path, sizeof(path), "%s/class/mfw/mfw0/statistics/rx_bytes", root);
	check(unlink(path) == 0, "statistics gone");
	mfw_link_init(&l, pts, 115200, root);
	check(mfw_link_attach(&l) == 0 && l.drain_fd < 0 && !l.legacy_said,
	      "a port whose statistics are gone is not taken for an older module");
	mfw_link_drop(&l);
	close(m);

	/* No port in sysfs: taken as the current module. */
	snprintf(root, sizeof(root), "%s/none", dir);
	tap_put(root, "module/mfw/parameters/ldisc", "0\n");
	m = posix_openpt(O_RDWR | O_NOCTTY);
	check(m >= 0 && !grantpt(m) && !unlockpt(m) && !ptsname_r(m, pts, sizeof(pts)),
	      "a pty (%s)", pts);
	mfw_link_init(&l, pts, 115200, root);
	check(mfw_link_attach(&l) == 0 && l.drain_fd < 0,
	      "without a port to look at, no read end");
	mfw_link_drop(&l);
	close(m);

	tap_rmtree(dir);
	return tap_done();
}
