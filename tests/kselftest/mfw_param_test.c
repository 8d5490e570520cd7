// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw: the ldisc= module parameter never takes a line discipline number
 * that is in use.  tty_register_ldisc() replaces whatever holds a number
 * without a word, so mfw checks first: N_TTY, n_null (registered on every
 * kernel) and numbers outside the kernel's table are refused; a free
 * number works like the default.  Each case reloads the module and leaves
 * it loaded as the rig loaded it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <termios.h>
#include <unistd.h>

#include "kselftest_harness.h"

#define RIG_MODULES	"/etc/mfw-rig/modules"
#define N_NULL_NUM	27	/* n_null, include/uapi/linux/tty.h */
#define N_DEV_NUM	29	/* N_DEVELOPMENT, mfw's default */
#define FREE_NUM	19	/* N_V253: a sound codec's, loaded nowhere in the rig */

/* The mfw.ko the rig loaded and the parameters it gave it. */
static char ko_path[256], ko_args[256];

static int find_module(void)
{
	char line[600], *name, *base, *args;
	FILE *f = fopen(RIG_MODULES, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		name = strtok_r(line, " ", &args);
		if (!name)
			continue;
		/* "/lib/mfw/NN-<file>": the rig's copy is NN-guest-mfw-<kernel>.ko */
		base = strrchr(name, '/');
		base = base ? base + 1 : name;
		if (!strstr(base, "mfw") || strstr(base, "splat"))
			continue;
		snprintf(ko_path, sizeof(ko_path), "%s", name);
		snprintf(ko_args, sizeof(ko_args), "%s", args ? args : "");
		fclose(f);
		return 0;
	}
	fclose(f);
	return -1;
}

/* 0 or -errno: finit_module(2) of the rig's mfw.ko with @params. */
static int load(const char *params)
{
	char all[600];
	int fd, ret;

	snprintf(all, sizeof(all), "%s %s", ko_args, params);
	fd = open(ko_path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = syscall(SYS_finit_module, fd, all, 0) ? -errno : 0;
	close(fd);
	return ret;
}

/* 0 or -errno: delete_module(2), retried while a last user lets go. */
static int unload(void)
{
	int i;

	for (i = 0; i < 50; i++) {
		if (!syscall(SYS_delete_module, "mfw", O_NONBLOCK))
			return 0;
		if (errno == ENOENT)
			return 0;
		if (errno != EAGAIN && errno != EBUSY && errno != EWOULDBLOCK)
			return -errno;
		usleep(100000);
	}
	return -EBUSY;
}

static int loaded(void)
{
	return access("/sys/module/mfw", F_OK) == 0;
}

/* The name /proc/tty/ldiscs gives number @num, or "" when it is free. */
static void ldisc_name(int num, char *name, size_t size)
{
	char line[128], n[32];
	FILE *f = fopen("/proc/tty/ldiscs", "r");
	int got;

	name[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "%31s %d", n, &got) == 2 && got == num) {
			snprintf(name, size, "%s", n);
			break;
		}
	fclose(f);
}

FIXTURE(param) {
	int unused;
};

FIXTURE_SETUP(param)
{
	if (find_module())
		SKIP(return, "no mfw.ko listed in " RIG_MODULES);
	ASSERT_EQ(0, unload());
	ASSERT_FALSE(loaded());
}

/* Whatever the case did, the rig's module is back as the rig loaded it. */
FIXTURE_TEARDOWN(param)
{
	if (!ko_path[0])
		return;
	unload();
	EXPECT_EQ(0, load(""));
	EXPECT_TRUE(loaded());
}

TEST_F_TIMEOUT(param, refuses_n_tty, 180)
{
	char name[32];

	EXPECT_EQ(-EBUSY, load("ldisc=0"));
	EXPECT_FALSE(loaded());
	ldisc_name(0, name, sizeof(name));
	EXPECT_STREQ("n_tty", name);
}

TEST_F_TIMEOUT(param, refuses_a_registered_number, 180)
{
	char before[32], after[32];

	ldisc_name(N_NULL_NUM, before, sizeof(before));
	ASSERT_NE(0, before[0]) TH_LOG("n_null is not registered at %d", N_NULL_NUM);
	EXPECT_EQ(-EBUSY, load("ldisc=27"));
	EXPECT_FALSE(loaded());
	ldisc_name(N_NULL_NUM, after, sizeof(after));
	EXPECT_STREQ(before, after);
}

TEST_F_TIMEOUT(param, refuses_numbers_out_of_range, 180)
{
	EXPECT_EQ(-EINVAL, load("ldisc=-1"));
	EXPECT_EQ(-EINVAL, load("ldisc=64"));
	EXPECT_EQ(-EINVAL, load("ldisc=2147483647"));
	EXPECT_FALSE(loaded());
}

/* A free number works like the default: a tty attaches and detaches. */
TEST_F_TIMEOUT(param, a_free_number_attaches, 180)
{
	char name[32], *slave;
	int master, fd, disc = FREE_NUM, got = -1, tty = 0;

	ldisc_name(FREE_NUM, name, sizeof(name));
	if (name[0])
		SKIP(return, "line discipline %d is taken here (%s)", FREE_NUM, name);
	ASSERT_EQ(0, load("ldisc=19"));
	ldisc_name(FREE_NUM, name, sizeof(name));
	EXPECT_STREQ("mfw", name);
	ldisc_name(N_DEV_NUM, name, sizeof(name));
	EXPECT_STRNE("mfw", name);

	master = posix_openpt(O_RDWR | O_NOCTTY);
	ASSERT_LE(0, master);
	ASSERT_EQ(0, grantpt(master));
	ASSERT_EQ(0, unlockpt(master));
	slave = ptsname(master);
	ASSERT_TRUE((slave) != NULL);
	fd = open(slave, O_RDWR | O_NOCTTY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, ioctl(fd, TIOCSETD, &disc));
	EXPECT_EQ(0, ioctl(fd, TIOCGETD, &got));
	EXPECT_EQ(FREE_NUM, got);
	EXPECT_EQ(0, ioctl(fd, TIOCSETD, &tty));
	close(fd);
	close(master);
}

TEST_HARNESS_MAIN
