// SPDX-License-Identifier: GPL-2.0-only
/*
 * mfw FOTA attributes: the AT+MFWCFG keys (url, auth, timeout, mode,
 * progind, ssl, pkgsize) per family, AT-injection attempts, and the
 * download, upgrade and erase triggers against the simulator, with remote
 * downloads from busybox httpd on the guest's loopback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/mfw.h>

#include "kselftest_harness.h"
#include "mfw_port.h"
#include "rig.h"

#define TIMEOUT_MS	20000
#define HTTP_PORT	18080
#define PKG_SIZE	20000
#define NEW_VERSION	"MN316-DBRS-MBRH0S02"

FIXTURE(fota) {
	struct mfw_port_rig r;
	pid_t httpd;
	char www[64];
	char url[128];
	char link[64];
};

FIXTURE_SETUP(fota)
{
	memset(&self->r, 0, sizeof(self->r));
	self->r.tty = self->r.master = -1;
	self->r.sim = -1;
	self->httpd = -1;
	self->www[0] = self->link[0] = '\0';
}

FIXTURE_TEARDOWN(fota)
{
	port_down(&self->r);
	if (self->httpd > 0) {
		kill(self->httpd, SIGTERM);
		waitpid(self->httpd, NULL, 0);
	}
	if (self->link[0])
		unlink(self->link);
}

#define EXPECT_ATTR_T(path, attr, want, ms) do {			\
	char __v[512] = "";						\
	EXPECT_EQ(0, rig_port_wait_attr(path, attr, want, __v,		\
					 sizeof(__v), ms))		\
		TH_LOG("%s is '%s', not '%s'", attr, __v, want);	\
} while (0)

#define EXPECT_ATTR(path, attr, want) EXPECT_ATTR_T(path, attr, want, 2000)

/* Write @len bytes of @buf to attribute @attr at once: 0 or -errno. */
static int attr_write(const char *path, const char *attr, const void *buf,
		      size_t len)
{
	char dir[64], file[256];
	ssize_t n;
	int fd, ret = 0;

	if (rig_port_dir(path, dir, sizeof(dir)))
		return -ENOENT;
	snprintf(file, sizeof(file), "%s/%s", dir, attr);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, buf, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EMSGSIZE;
	close(fd);
	return ret;
}

static int put(const char *path, const char *attr, const char *value)
{
	return attr_write(path, attr, value, strlen(value));
}

/*
 * Read attribute @attr, newline stripped: its length, or -errno of open()
 * or read().
 */
static int attr_read(const char *path, const char *attr, char *buf,
		     size_t len)
{
	char dir[64], file[256];
	ssize_t n;
	int fd;

	if (rig_port_dir(path, dir, sizeof(dir)))
		return -ENOENT;
	snprintf(file, sizeof(file), "%s/%s", dir, attr);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0)
		n = -errno;
	close(fd);
	if (n < 0)
		return (int)n;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return (int)strlen(buf);
}

/* Whether the host sent @cmd followed by CR. */
static bool host_sent(const char *transcript, const char *cmd)
{
	char *s = rig_host_stream(transcript, NULL), *want;
	bool found;

	if (!s || asprintf(&want, "%s\r", cmd) < 0) {
		free(s);
		return false;
	}
	found = strstr(s, want);
	free(want);
	free(s);
	return found;
}

/* Whether the simulator's transcript holds @needle anywhere. */
static bool transcript_has(const char *transcript, const char *needle)
{
	char line[1024];
	bool found = false;
	FILE *f = fopen(transcript, "r");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = strstr(line, needle);
	fclose(f);
	return found;
}

/*
 * transcript_has() for something that did happen: the simulator logs a
 * record after its write, so give the record a moment to land.
 */
static bool transcript_gets(const char *transcript, const char *needle)
{
	long long end = rig_now_ms() + 3000;

	while (!transcript_has(transcript, needle)) {
		if (rig_now_ms() > end)
			return false;
		usleep(20000);
	}
	return true;
}

/* Wait until the driver knows the module's family. */
static int wait_family(const char *path, const char *family)
{
	char v[64];

	return rig_port_wait_attr(path, "family", family, v, sizeof(v),
				  TIMEOUT_MS);
}

/* A module of @model on a pty, identified; @extra: more simulator args. */
static int module_up(struct mfw_port_rig *r, const char *model,
		     const char *family, const char *const extra[])
{
	const char *args[32] = { "--model", model, "--flash-ms", "500" };
	size_t n = 4;
	int ret;

	while (extra && *extra && n < 31)
		args[n++] = *extra++;
	args[n] = NULL;
	ret = port_up(r, false, args);
	if (ret)
		return ret;
	return wait_family(r->path, family);
}

/* The directory name ("mfw0") of the port on @path, for uevents. */
static const char *devname(const char *path, char *dir, size_t len)
{
	if (rig_port_dir(path, dir, len))
		return "none";
	return strrchr(dir, '/') + 1;
}

/* ---- configuration --------------------------------------------------- */

struct cfg_case {
	const char *attr;
	const char *value;
	int err;		/* expected errno, 0: accepted */
	const char *cmd;	/* accepted: the command the module must get */
};

#define OK(a, v, c)	{ .attr = (a), .value = (v), .cmd = (c) }
#define BAD(a, v, e)	{ .attr = (a), .value = (v), .err = (e) }

/*
 * Write every case; accepted values must reach the module as @cmd and
 * read back (auth is write-only).
 */
static void run_cases(struct __test_metadata *_metadata,
		      const struct mfw_port_rig *r, const struct cfg_case *c,
		      size_t n)
{
	char back[512];
	size_t i;

	for (i = 0; i < n; i++, c++) {
		int ret = put(r->path, c->attr, c->value);

		EXPECT_EQ(-c->err, ret)
			TH_LOG("%s <- '%s': %s", c->attr, c->value,
			       strerror(-ret));
		if (c->err || ret)
			continue;
		if (c->cmd)
			EXPECT_TRUE(host_sent(r->transcript, c->cmd))
				TH_LOG("%s never reached the module", c->cmd);
		if (!strcmp(c->attr, "auth"))
			continue;
		EXPECT_LE(0, attr_read(r->path, c->attr, back, sizeof(back)));
		EXPECT_STREQ(c->value, back);
	}
}

/* Values never set read as the family's defaults; url reads empty. */
TEST_F_TIMEOUT(fota, defaults_and_every_key_on_mn316, 120)
{
	static const struct cfg_case cases[] = {
		OK("url", "http://127.0.0.1:18080/pkg.bin",
		  "AT+MFWCFG=\"url\",\"http://127.0.0.1:18080/pkg.bin\""),
		OK("url", "https://fota.example.com/a/b.bin?x=1&y=2",
		  "AT+MFWCFG=\"url\",\"https://fota.example.com/a/b.bin?x=1&y=2\""),
		OK("auth", "user:pa:ss",
		  "AT+MFWCFG=\"auth\",\"user\",\"pa:ss\""),
		OK("auth", ":", "AT+MFWCFG=\"auth\",\"\",\"\""),
		OK("timeout", "30", "AT+MFWCFG=\"timeout\",30"),
		OK("timeout", "180", "AT+MFWCFG=\"timeout\",180"),
		OK("mode", "1", "AT+MFWCFG=\"mode\",1"),
		OK("progind", "4096", "AT+MFWCFG=\"progind\",4096"),
		OK("progind", "0", "AT+MFWCFG=\"progind\",0"),
		OK("ssl", "4", "AT+MFWCFG=\"ssl\",4"),
		OK("pkgsize", "3072", "AT+MFWCFG=\"pkgsize\",3072"),
		OK("pkgsize", "1024", "AT+MFWCFG=\"pkgsize\",1024"),
		/* Out of SPEC section 2's ranges, or not numbers. */
		BAD("timeout", "29", EINVAL),
		BAD("timeout", "181", EINVAL),
		BAD("timeout", "-60", EINVAL),
		BAD("timeout", "abc", EINVAL),
		/* (An empty write never reaches a store: sysfs returns 0.) */
		BAD("timeout", "\n", EINVAL),
		BAD("timeout", "60 ", EINVAL),
		BAD("timeout", "99999999999999999999999", EINVAL),
		BAD("mode", "2", EINVAL),
		BAD("progind", "1000", EINVAL),
		BAD("progind", "-1024", EINVAL),
		BAD("ssl", "5", EINVAL),
		BAD("pkgsize", "0", EINVAL),
		BAD("pkgsize", "1000", EINVAL),
		BAD("pkgsize", "3584", EINVAL),
		/* Schemes MN316 lacks, no scheme, nothing. */
		BAD("url", "ftp://127.0.0.1/pkg.bin", EINVAL),
		BAD("url", "file:///pkg.bin", EINVAL),
		BAD("url", "127.0.0.1/pkg.bin", EINVAL),
		BAD("url", "\n", EINVAL),
		BAD("auth", "nocolon", EINVAL),
	};
	char v[512];

	ASSERT_EQ(0, module_up(&self->r, "MN316", "MN316", NULL));
	EXPECT_EQ(0, attr_read(self->r.path, "url", v, sizeof(v)));
	EXPECT_ATTR(self->r.path, "timeout", "60");
	EXPECT_ATTR(self->r.path, "mode", "0");
	EXPECT_ATTR(self->r.path, "progind", "0");
	EXPECT_ATTR(self->r.path, "ssl", "0");
	EXPECT_ATTR(self->r.path, "pkgsize", "512");
	/* auth is never readable, not even by root. */
	EXPECT_EQ(-EACCES, attr_read(self->r.path, "auth", v, sizeof(v)));

	run_cases(_metadata, &self->r, cases, ARRAY_SIZE(cases));
	/* Refused values left the last accepted ones. */
	EXPECT_ATTR(self->r.path, "timeout", "180");
	EXPECT_ATTR(self->r.path, "url",
		    "https://fota.example.com/a/b.bin?x=1&y=2");
	EXPECT_TRUE(rig_kmsg_contains("takes only http https"));
	/* The module holds what the port shows. */
	EXPECT_TRUE(host_sent(self->r.transcript, "AT+MFWCFG=\"pkgsize\",1024"));
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/* MN318: no SSL, HTTP blocks of 512 only, http:// only. */
TEST_F_TIMEOUT(fota, keys_of_mn318, 90)
{
	static const struct cfg_case cases[] = {
		BAD("ssl", "0", EOPNOTSUPP),
		BAD("ssl", "9", EOPNOTSUPP),
		BAD("pkgsize", "1024", EINVAL),
		OK("pkgsize", "512", "AT+MFWCFG=\"pkgsize\",512"),
		BAD("url", "https://127.0.0.1/pkg.bin", EINVAL),
		OK("url", "http://127.0.0.1/pkg.bin",
		  "AT+MFWCFG=\"url\",\"http://127.0.0.1/pkg.bin\""),
		OK("mode", "1", "AT+MFWCFG=\"mode\",1"),
		OK("timeout", "45", "AT+MFWCFG=\"timeout\",45"),
		OK("progind", "1024", "AT+MFWCFG=\"progind\",1024"),
		OK("auth", "u:p", "AT+MFWCFG=\"auth\",\"u\",\"p\""),
	};
	char v[64];

	ASSERT_EQ(0, module_up(&self->r, "MN318", "MN318", NULL));
	run_cases(_metadata, &self->r, cases, ARRAY_SIZE(cases));
	EXPECT_EQ(-EOPNOTSUPP, attr_read(self->r.path, "ssl", v, sizeof(v)));
	EXPECT_FALSE(host_sent(self->r.transcript, "AT+MFWCFG=\"ssl\",0"));
}

/* ML305U: differential only (no mode) and no pkgsize. */
TEST_F_TIMEOUT(fota, keys_of_ml305u, 90)
{
	static const struct cfg_case cases[] = {
		BAD("mode", "0", EOPNOTSUPP),
		BAD("mode", "1", EOPNOTSUPP),
		BAD("pkgsize", "512", EOPNOTSUPP),
		OK("timeout", "90", "AT+MFWCFG=\"timeout\",90"),
		OK("progind", "2048", "AT+MFWCFG=\"progind\",2048"),
		OK("ssl", "2", "AT+MFWCFG=\"ssl\",2"),
		OK("url", "https://127.0.0.1/p.bin",
		  "AT+MFWCFG=\"url\",\"https://127.0.0.1/p.bin\""),
		OK("auth", "me:secret",
		  "AT+MFWCFG=\"auth\",\"me\",\"secret\""),
	};
	char v[64];

	ASSERT_EQ(0, module_up(&self->r, "ML305U", "ML305U", NULL));
	run_cases(_metadata, &self->r, cases, ARRAY_SIZE(cases));
	EXPECT_EQ(-EOPNOTSUPP, attr_read(self->r.path, "mode", v, sizeof(v)));
	EXPECT_EQ(-EOPNOTSUPP,
		  attr_read(self->r.path, "pkgsize", v, sizeof(v)));
}

/*
 * Special-mode family: url and auth only; the FTP sub-model takes ftp://;
 * no AT+MFWDLOAD, no AT+MFWERASE.
 */
TEST_F_TIMEOUT(fota, keys_of_ml307a_ftp_submodel, 90)
{
	static const struct cfg_case cases[] = {
		BAD("timeout", "60", EOPNOTSUPP),
		BAD("mode", "0", EOPNOTSUPP),
		BAD("progind", "0", EOPNOTSUPP),
		BAD("ssl", "0", EOPNOTSUPP),
		BAD("pkgsize", "512", EOPNOTSUPP),
		OK("url", "ftp://127.0.0.1/p.bin",
		  "AT+MFWCFG=\"url\",\"ftp://127.0.0.1/p.bin\""),
		OK("auth", "anonymous:guest",
		  "AT+MFWCFG=\"auth\",\"anonymous\",\"guest\""),
	};

	ASSERT_EQ(0, module_up(&self->r, "ML307A-DSLN", "ML307A", NULL));
	run_cases(_metadata, &self->r, cases, ARRAY_SIZE(cases));
	EXPECT_EQ(-EOPNOTSUPP, put(self->r.path, "download", "1"));
	EXPECT_EQ(-EOPNOTSUPP, put(self->r.path, "erase", "1"));
	EXPECT_FALSE(host_sent(self->r.transcript, "AT+MFWDLOAD"));
	EXPECT_FALSE(host_sent(self->r.transcript, "AT+MFWERASE"));
}

/* The sub-model without FTP refuses ftp://; no url, no upgrade. */
TEST_F_TIMEOUT(fota, special_mode_needs_url, 90)
{
	ASSERT_EQ(0, module_up(&self->r, "ML307A-DCLN", "ML307A", NULL));
	EXPECT_EQ(-EINVAL, put(self->r.path, "url", "ftp://127.0.0.1/p.bin"));
	EXPECT_TRUE(rig_kmsg_contains("ML307A-DCLN takes only http https"));
	EXPECT_EQ(-EINVAL, put(self->r.path, "upgrade", "1"));
	EXPECT_FALSE(host_sent(self->r.transcript, "AT+MFWUPGRADE"));
	EXPECT_ATTR(self->r.path, "state", "idle");
}

/* Before the module is identified every key fails with ENXIO. */
TEST(unidentified_module_is_enxio)
{
	static const char *const attrs[] = {
		"url", "auth", "timeout", "mode", "progind", "ssl", "pkgsize",
		"download", "upgrade", "erase",
	};
	static const char *const values[] = {
		"http://127.0.0.1/p.bin", "u:p", "60", "0", "0", "0", "512",
		"1", "1", "1",
	};
	char slave[64], v[64];
	int master, tty;
	size_t i;

	/* Nobody answers on this pty: the family stays unknown. */
	master = rig_open_pty(slave, sizeof(slave));
	ASSERT_LE(0, master);
	tty = rig_open_tty(slave);
	ASSERT_LE(0, tty);
	ASSERT_EQ(0, rig_attach(tty));
	ASSERT_EQ(0, rig_port_wait_attr(slave, "family", "unknown", v,
					sizeof(v), TIMEOUT_MS));
	for (i = 0; i < ARRAY_SIZE(attrs); i++)
		EXPECT_EQ(-ENXIO, put(slave, attrs[i], values[i]))
			TH_LOG("attribute %zu", i);
	EXPECT_EQ(-ENXIO, attr_read(slave, "timeout", v, sizeof(v)));
	EXPECT_EQ(0, attr_read(slave, "url", v, sizeof(v)));
	close(tty);
	close(master);
}

/* ---- AT injection ----------------------------------------------------- */

struct raw_case {
	const char *attr;
	const char *buf;
	size_t len;
};

#define RAW(a, s) { .attr = (a), .buf = (s), .len = sizeof(s) - 1 }

/*
 * Nothing that could end a quoted string or a command reaches the
 * module: every attempt is EINVAL and the transcript never shows it.
 */
TEST_F_TIMEOUT(fota, at_injection_is_refused, 120)
{
	static const struct raw_case cases[] = {
		RAW("url", "http://h/INJ\"a"),
		RAW("url", "http://h/INJ\ra"),
		RAW("url", "http://h/INJ\na"),
		RAW("url", "http://h/INJ\n\n"),
		RAW("url", "http://h/INJ\r\nAT+MFWERASE"),
		RAW("url", "http://h/INJ\",\"x"),
		RAW("url", "http://h/INJ,\"x"),
		RAW("url", "http://h/INJ\x01"),
		RAW("url", "http://h/INJ\x1b[0m"),
		RAW("url", "http://h/INJ\t"),
		RAW("url", "http://h/INJ\x7f"),
		RAW("url", "http://h/INJ\xc3\xa9"),
		RAW("url", "http://h/INJ\\"),
		RAW("url", "http://h/INJ\0AT"),
		RAW("auth", "INJ\":x"),
		RAW("auth", "u:INJ\""),
		RAW("auth", "u:INJ\",\"x"),
		RAW("auth", "u:INJ\r\nAT+MFWERASE"),
		RAW("auth", "INJ\n:x"),
		RAW("auth", "u:INJ\x01"),
		RAW("auth", "u:INJ\\"),
		RAW("timeout", "60\r\nAT+MFWERASE"),
		RAW("timeout", "60,\"INJ\""),
		RAW("progind", "1024\"INJ"),
	};
	char url[300], auth[120], v[512];
	long before;
	size_t i;
	char *sent;

	ASSERT_EQ(0, module_up(&self->r, "MN316", "MN316", NULL));
	before = rig_port_num(self->r.path, "statistics/driver_commands");

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		EXPECT_EQ(-EINVAL, attr_write(self->r.path, cases[i].attr,
					      cases[i].buf, cases[i].len))
			TH_LOG("case %zu", i);

	/* Over-long: a 257-byte url, a 49-byte user, a 49-byte password. */
	snprintf(url, sizeof(url), "http://h/INJ%0245d", 0);
	ASSERT_EQ((size_t)257, strlen(url));
	EXPECT_EQ(-EINVAL, put(self->r.path, "url", url));
	snprintf(auth, sizeof(auth), "INJ%046d:p", 0);
	ASSERT_EQ((size_t)51, strlen(auth));
	EXPECT_EQ(-EINVAL, put(self->r.path, "auth", auth));
	snprintf(auth, sizeof(auth), "u:INJ%046d", 0);
	EXPECT_EQ(-EINVAL, put(self->r.path, "auth", auth));

	/* Nothing was sent: no command, no byte of any attempt. */
	EXPECT_EQ(before,
		  rig_port_num(self->r.path, "statistics/driver_commands"));
	sent = rig_host_stream(self->r.transcript, NULL);
	ASSERT_TRUE((sent) != NULL);
	EXPECT_TRUE((strstr(sent, "INJ")) == NULL);
	EXPECT_TRUE((strstr(sent, "MFWCFG")) == NULL);
	EXPECT_TRUE((strstr(sent, "MFWERASE")) == NULL);
	free(sent);
	EXPECT_EQ(0, attr_read(self->r.path, "url", v, sizeof(v)));

	/* The limits themselves are fine: 256-byte url, 48-byte names. */
	snprintf(url, sizeof(url), "http://h/%0247d", 0);
	ASSERT_EQ((size_t)256, strlen(url));
	EXPECT_EQ(0, put(self->r.path, "url", url));
	EXPECT_ATTR(self->r.path, "url", url);
	snprintf(auth, sizeof(auth), "%048d:%048d", 1, 2);
	EXPECT_EQ(0, put(self->r.path, "auth", auth));
	EXPECT_TRUE(transcript_gets(self->r.transcript,
				   "000000000000000000000000000000000000000000000002\""));
	/* One trailing newline (echo's) is not part of the value. */
	EXPECT_EQ(0, put(self->r.path, "url", "http://h/echo\n"));
	EXPECT_TRUE(host_sent(self->r.transcript,
			      "AT+MFWCFG=\"url\",\"http://h/echo\""));
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/* ---- root only ---------------------------------------------------------- */

/* Every writable attribute refuses a non-root writer with EACCES. */
TEST_F_TIMEOUT(fota, non_root_writer_gets_eacces, 60)
{
	static const char *const attrs[] = {
		"url", "auth", "timeout", "mode", "progind", "ssl", "pkgsize",
		"download", "upgrade", "erase",
	};
	char dir[64], file[256];
	int status, i;
	char *sent;
	pid_t pid;

	ASSERT_EQ(0, module_up(&self->r, "MN316", "MN316", NULL));
	ASSERT_EQ(0, rig_port_dir(self->r.path, dir, sizeof(dir)));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int bad = 0;

		if (setgroups(0, NULL) || setresgid(65534, 65534, 65534) ||
		    setresuid(65534, 65534, 65534))
			_exit(100);
		for (i = 0; i < (int)ARRAY_SIZE(attrs); i++) {
			int fd;

			snprintf(file, sizeof(file), "%s/%s", dir, attrs[i]);
			fd = open(file, O_WRONLY | O_CLOEXEC);
			if (fd >= 0 || errno != EACCES) {
				fprintf(stderr, "# %s: open for write: %s\n",
					attrs[i], fd >= 0 ? "allowed" :
					strerror(errno));
				bad++;
			}
			if (fd >= 0)
				close(fd);
		}
		/* Configuration stays readable; auth does not. */
		snprintf(file, sizeof(file), "%s/timeout", dir);
		if (open(file, O_RDONLY | O_CLOEXEC) < 0)
			bad++;
		snprintf(file, sizeof(file), "%s/auth", dir);
		if (open(file, O_RDONLY | O_CLOEXEC) >= 0 || errno != EACCES)
			bad++;
		_exit(bad);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	/* Nothing reached the module on their behalf. */
	sent = rig_host_stream(self->r.transcript, NULL);
	ASSERT_TRUE((sent) != NULL);
	EXPECT_TRUE((strstr(sent, "MFW")) == NULL);
	free(sent);
	EXPECT_ATTR(self->r.path, "timeout", "60");
}

/* ---- remote download -------------------------------------------------- */

/*
 * A package of PKG_SIZE bytes whose last line names @version, in a fresh
 * directory served by busybox httpd on 127.0.0.1:HTTP_PORT.  Returns 0,
 * or -ENETDOWN when the guest has no IPv4 (the caller skips).
 */
static int serve_package(const char *www, const char *version, pid_t *httpd)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons(HTTP_PORT),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	char path[128], trailer[64];
	long long end;
	size_t i, tl;
	FILE *f;
	int s;

	s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return -ENETDOWN;
	close(s);
	if (system("busybox ip link set lo up 2>/dev/null || "
		   "busybox ifconfig lo 127.0.0.1 up"))
		return -ENETDOWN;

	mkdir(www, 0755);
	snprintf(path, sizeof(path), "%s/pkg.bin", www);
	f = fopen(path, "w");
	if (!f)
		return -errno;
	tl = snprintf(trailer, sizeof(trailer), "\nMFWVER:%s\n", version);
	/* Printable filler with no newline, so the trailer is the last line. */
	for (i = 0; i < PKG_SIZE - tl; i++)
		fputc('A' + (int)(i * 7 % 26), f);
	fputs(trailer, f);
	if (fclose(f))
		return -EIO;

	*httpd = fork();
	if (*httpd < 0)
		return -errno;
	if (*httpd == 0) {
		char port[32];

		snprintf(port, sizeof(port), "127.0.0.1:%d", HTTP_PORT);
		execlp("busybox", "busybox", "httpd", "-f", "-p", port, "-h",
		       www, (char *)NULL);
		_exit(127);
	}
	/* Ready once it accepts a connection. */
	for (end = rig_now_ms() + TIMEOUT_MS; rig_now_ms() < end;
	     usleep(20000)) {
		s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (s < 0)
			return -errno;
		if (!connect(s, (struct sockaddr *)&sa, sizeof(sa))) {
			close(s);
			return 0;
		}
		close(s);
	}
	return -ETIMEDOUT;
}

/* httpd and the url of its package; SKIP without IPv4. */
#define SERVE(self, version) do {					\
	int __r;							\
	snprintf((self)->www, sizeof((self)->www), "/tmp/www-%d",	\
		 getpid());						\
	__r = serve_package((self)->www, version, &(self)->httpd);	\
	if (__r == -ENETDOWN)						\
		SKIP(return, "no IPv4 loopback in this kernel");	\
	ASSERT_EQ(0, __r);						\
	snprintf((self)->url, sizeof((self)->url),			\
		 "http://127.0.0.1:%d/pkg.bin", HTTP_PORT);		\
} while (0)

/* Set url and the download parameters the tests use. */
static int configure(const char *path, const char *url)
{
	return put(path, "url", url) ?: put(path, "progind", "4096") ?:
	       put(path, "pkgsize", "3072") ?: put(path, "timeout", "30");
}

/* Wait until the whole package is in: progress "N N", state idle. */
static void expect_downloaded(struct __test_metadata *_metadata,
			      const char *path)
{
	char want[64];

	snprintf(want, sizeof(want), "%d %d", PKG_SIZE, PKG_SIZE);
	EXPECT_ATTR_T(path, "progress", want, 60000);
	EXPECT_ATTR(path, "state", "idle");
	EXPECT_ATTR(path, "percent", "100");
	snprintf(want, sizeof(want), "+MFWDLOAD: 2,%d,%d", PKG_SIZE,
		 PKG_SIZE);
	EXPECT_ATTR(path, "last_urc", want);
}

/* idle -> downloading -> idle, with progress every progind bytes. */
TEST_F_TIMEOUT(fota, remote_download_end_to_end, 240)
{
	char dir[64], v[64];
	int sock;

	SERVE(self, NEW_VERSION);
	sock = rig_uevent_open();
	ASSERT_LE(0, sock);
	ASSERT_EQ(0, module_up(&self->r, "MN316", "MN316", NULL));
	ASSERT_EQ(0, configure(self->r.path, self->url));
	EXPECT_ATTR(self->r.path, "state", "idle");
	EXPECT_ATTR(self->r.path, "progind", "4096");

	ASSERT_EQ(0, put(self->r.path, "download", "1"));
	EXPECT_EQ(0, rig_uevent_wait(sock, "change",
				     devname(self->r.path, dir, sizeof(dir)),
				     "MFW_STATE=downloading", 60000));
	EXPECT_EQ(0, rig_uevent_wait(sock, "change",
				     devname(self->r.path, dir, sizeof(dir)),
				     "MFW_STATE=idle", 60000));
	expect_downloaded(_metadata, self->r.path);
	EXPECT_ATTR(self->r.path, "last_error", "none");
	/* progind 4096: a report at each multiple of 4096, then the end. */
	EXPECT_TRUE(transcript_gets(self->r.transcript,
				   "+MFWDLOAD: 1,20000,16384"));
	EXPECT_TRUE(host_sent(self->r.transcript, "AT+MFWDLOAD"));
	EXPECT_LE(0, attr_read(self->r.path, "statistics/urcs", v, sizeof(v)));
	EXPECT_LE(5, atoi(v));
	close(sock);
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/*
 * A lost connection: "3" then "0" (error, then idle, 855), and the next
 * download resumes at the break point.
 */
TEST_F_TIMEOUT(fota, interrupted_download_resumes, 240)
{
	const char *extra[] = { "--fault", "cut@offset=8192", NULL };
	char dir[64];
	int sock;

	SERVE(self, NEW_VERSION);
	sock = rig_uevent_open();
	ASSERT_LE(0, sock);
	ASSERT_EQ(0, module_up(&self->r, "MN316", "MN316", extra));
	devname(self->r.path, dir, sizeof(dir));
	ASSERT_EQ(0, configure(self->r.path, self->url));

	ASSERT_EQ(0, put(self->r.path, "download", "1"));
	EXPECT_EQ(0, rig_uevent_wait(sock, "change", strrchr(dir, '/') + 1,
				     "MFW_STATE=error", 60000));
	EXPECT_EQ(0, rig_uevent_wait(sock, "change", strrchr(dir, '/') + 1,
				     "MFW_STATE=idle", 60000));
	EXPECT_ATTR(self->r.path, "last_error", "855 package download failed");
	EXPECT_ATTR(self->r.path, "last_urc", "+MFWDLOAD: 0");
	/* The last report before the cut; the cut itself says 8192. */
	EXPECT_ATTR(self->r.path, "progress", "4096 20000");
	EXPECT_TRUE(transcript_gets(self->r.transcript,
				   "+MFWDLOAD: 3,20000,8192"));

	/* Again: progress and the error start over, the data does not. */
	ASSERT_EQ(0, put(self->r.path, "download", "1"));
	expect_downloaded(_metadata, self->r.path);
	EXPECT_ATTR(self->r.path, "last_error", "none");
	EXPECT_TRUE(transcript_gets(self->r.transcript, "from 8192"));
	close(sock);
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/*
 * The final report is lost: state stays downloading until "query" makes
 * the driver ask (AT+MFWDLOAD?); the module's answer is taken as its
 * report, state and progress follow it, and /dev/mfwN readers get it.
 * Asked before any download, the module's answer is "0": idle.
 */
TEST_F_TIMEOUT(fota, lost_final_report_is_asked_for, 240)
{
	const char *extra[] = { "--fault", "lose@report=MFWDLOAD:2", NULL };
	char want[64], dir[128], dev[160], buf[512];
	ssize_t n;
	int fd;

	SERVE(self, NEW_VERSION);
	ASSERT_EQ(0, module_up(&self->r, "MN316", "MN316", extra));
	ASSERT_EQ(0, configure(self->r.path, self->url));
	ASSERT_EQ(0, put(self->r.path, "download", "query"));
	EXPECT_ATTR(self->r.path, "last_urc", "+MFWDLOAD: 0,0");
	EXPECT_ATTR(self->r.path, "state", "idle");
	EXPECT_EQ(-EINVAL, put(self->r.path, "download", "queries"));

	snprintf(dev, sizeof(dev), "/dev/%s",
		 devname(self->r.path, dir, sizeof(dir)));
	fd = open(dev, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	ASSERT_LE(0, fd);
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	ASSERT_EQ(0, put(self->r.path, "download", "1"));
	/* progind 4096: the last progress report, then the end is lost. */
	EXPECT_ATTR_T(self->r.path, "progress", "16384 20000", 60000);
	EXPECT_TRUE(transcript_gets(self->r.transcript, "report lost"));
	usleep(300000);
	EXPECT_ATTR(self->r.path, "state", "downloading");

	ASSERT_EQ(0, put(self->r.path, "download", "query"));
	EXPECT_TRUE(host_sent(self->r.transcript, "AT+MFWDLOAD?"));
	expect_downloaded(_metadata, self->r.path);
	EXPECT_ATTR(self->r.path, "last_error", "none");
	snprintf(want, sizeof(want), "+MFWDLOAD: 2,%d,%d\n", PKG_SIZE,
		 PKG_SIZE);
	n = read(fd, buf, sizeof(buf) - 1);
	ASSERT_LT(0, n);
	buf[n] = '\0';
	EXPECT_TRUE((strstr(buf, want)) != NULL) TH_LOG("/dev/mfwN gave \"%s\"", buf);
	close(fd);
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/*
 * Another client changes module-wide settings: AT+CMEE=0 turns the next
 * refusal into a plain ERROR, which must not leave an older code in
 * last_error; echo switched on (ATE1), the profile reset a library's init
 * sends (ATZ) and echo off again leave the driver's own commands working.
 */
TEST_F_TIMEOUT(fota, settings_changed_by_another_client, 120)
{
	const char *extra[] = { "--fault", "error=855@cmd=MFWERASE#1",
				"--fault", "error=852@cmd=MFWERASE#2", NULL };
	static const char *const cmds[] = { "ATE1", "ATZ", "ATE0" };
	size_t i;

	ASSERT_EQ(0, module_up(&self->r, "MN316", "MN316", extra));
	EXPECT_EQ(-EREMOTEIO, put(self->r.path, "erase", "1"));
	EXPECT_ATTR(self->r.path, "last_error", "855 package download failed");

	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT+CMEE=0\r"));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	EXPECT_EQ(-EIO, put(self->r.path, "erase", "1"));
	EXPECT_ATTR(self->r.path, "last_error",
		    "refused without a code (plain ERROR or an unknown text; AT+CMEE=1 gives codes)");

	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		char cmd[16];

		snprintf(cmd, sizeof(cmd), "%s\r", cmds[i]);
		ASSERT_EQ(0, rig_write_str(self->r.tty, cmd));
		EXPECT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS))
			TH_LOG("%s", cmds[i]);
		EXPECT_EQ(0, put(self->r.path, "identify", "1"))
			TH_LOG("identify after %s", cmds[i]);
		EXPECT_ATTR(self->r.path, "firmware", "MN316-DBRS-MBRH0S01");
		EXPECT_ATTR(self->r.path, "family", "MN316");
	}
	/* An erase that works clears it. */
	EXPECT_EQ(0, put(self->r.path, "erase", "1"));
	EXPECT_ATTR(self->r.path, "last_error", "none");
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/*
 * Errors answering identification leave last_error alone: it keeps the
 * code of the last operation (an erase refused with 855), whatever
 * AT+CGMR answers, with a code or without (CMEE=0).
 */
TEST_F_TIMEOUT(fota, identification_errors_leave_last_error, 120)
{
	const char *extra[] = { "--fault", "error=855@cmd=MFWERASE",
				"--fault", "error=857@cmd=CGMR#2",
				"--fault", "error=857@cmd=CGMR#3", NULL };

	ASSERT_EQ(0, module_up(&self->r, "MN316", "MN316", extra));
	EXPECT_EQ(-EREMOTEIO, put(self->r.path, "erase", "1"));
	EXPECT_ATTR(self->r.path, "last_error", "855 package download failed");
	EXPECT_EQ(-EREMOTEIO, put(self->r.path, "identify", "1"));
	EXPECT_ATTR(self->r.path, "last_error", "855 package download failed");
	ASSERT_EQ(0, rig_write_str(self->r.tty, "AT+CMEE=0\r"));
	EXPECT_EQ(0, rig_expect_line(self->r.tty, "OK", TIMEOUT_MS));
	EXPECT_EQ(-EIO, put(self->r.path, "identify", "1"));
	EXPECT_ATTR(self->r.path, "last_error", "855 package download failed");
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/*
 * An unrecoverable failure ("3" alone): error 855 until erase, then a new
 * download works.
 */
TEST_F_TIMEOUT(fota, failed_download_needs_erase, 240)
{
	const char *extra[] = { "--fault", "error=855@offset=8192", NULL };
	char v[64];

	SERVE(self, NEW_VERSION);
	ASSERT_EQ(0, module_up(&self->r, "MN316", "MN316", extra));
	ASSERT_EQ(0, configure(self->r.path, self->url));

	ASSERT_EQ(0, put(self->r.path, "download", "1"));
	EXPECT_ATTR_T(self->r.path, "state", "error", 60000);
	EXPECT_ATTR(self->r.path, "last_error", "855 package download failed");
	usleep(300000);
	EXPECT_ATTR(self->r.path, "state", "error");

	/* The module refuses until its package is erased. */
	EXPECT_EQ(-EREMOTEIO, put(self->r.path, "download", "1"));
	EXPECT_ATTR(self->r.path, "last_error", "855 package download failed");
	EXPECT_EQ(0, put(self->r.path, "erase", "1"));
	EXPECT_TRUE(host_sent(self->r.transcript, "AT+MFWERASE"));
	EXPECT_ATTR(self->r.path, "state", "idle");
	EXPECT_ATTR(self->r.path, "last_error", "none");
	EXPECT_ATTR(self->r.path, "progress", "0 0");
	EXPECT_ATTR(self->r.path, "percent", "unknown");

	ASSERT_EQ(0, put(self->r.path, "download", "1"));
	expect_downloaded(_metadata, self->r.path);
	EXPECT_EQ(-EINVAL, put(self->r.path, "download", "0"));
	(void)v;
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/* ---- upgrade ---------------------------------------------------------- */

/*
 * Attach to the link the simulator points at its pty slave: the slave's
 * path goes to @r->path.  Waits for the family.
 */
static int attach_link(struct mfw_port_rig *r, const char *link,
		       const char *old)
{
	long long end = rig_now_ms() + TIMEOUT_MS;
	char slave[64];
	ssize_t n;

	for (;;) {
		n = readlink(link, slave, sizeof(slave) - 1);
		if (n > 0) {
			slave[n] = '\0';
			if (!old || strcmp(slave, old))
				break;
		}
		if (rig_now_ms() > end)
			return -ETIMEDOUT;
		usleep(20000);
	}
	snprintf(r->path, sizeof(r->path), "%s", slave);
	if (r->tty >= 0)
		close(r->tty);
	r->tty = rig_open_tty(r->path);
	if (r->tty < 0)
		return -errno;
	return rig_attach(r->tty);
}

/*
 * Download, upgrade, and the reboot into the new version: over a pty the
 * reboot hangs the port up (state rebooting), and a port attached to the
 * re-pointed link finds the new firmware.
 */
TEST_F_TIMEOUT(fota, upgrade_after_download_mn316, 300)
{
	char dir[64], old[64], v[128];
	const char *args[16];
	int n = 0, sock;

	SERVE(self, NEW_VERSION);
	sock = rig_uevent_open();
	ASSERT_LE(0, sock);

	/* The simulator makes the pty and re-makes it after each reboot. */
	snprintf(self->link, sizeof(self->link), "/tmp/fota-link-%d",
		 getpid());
	snprintf(self->r.transcript, sizeof(self->r.transcript),
		 "/tmp/modem-%d.log", getpid());
	unlink(self->r.transcript);
	args[n++] = "--model";
	args[n++] = "MN316";
	args[n++] = "--pty";
	args[n++] = self->link;
	args[n++] = "--boot-ms";
	args[n++] = "500";
	/* Flashing long enough for the query below to meet it. */
	args[n++] = "--flash-ms";
	args[n++] = "3000";
	args[n++] = "--transcript";
	args[n++] = self->r.transcript;
	args[n] = NULL;
	self->r.sim = rig_sim_start(args, -1, TIMEOUT_MS);
	ASSERT_LT(0, self->r.sim);
	ASSERT_EQ(0, attach_link(&self->r, self->link, NULL));
	ASSERT_EQ(0, wait_family(self->r.path, "MN316"));
	EXPECT_ATTR_T(self->r.path, "firmware", "MN316-DBRS-MBRH0S01",
		      TIMEOUT_MS);

	ASSERT_EQ(0, configure(self->r.path, self->url));
	ASSERT_EQ(0, put(self->r.path, "download", "1"));
	expect_downloaded(_metadata, self->r.path);

	devname(self->r.path, dir, sizeof(dir));
	snprintf(old, sizeof(old), "%s", self->r.path);
	ASSERT_EQ(0, put(self->r.path, "upgrade", "1"));
	/* No command goes to a flashing module, a query neither. */
	EXPECT_EQ(-EBUSY, put(self->r.path, "download", "query"));
	EXPECT_TRUE(host_sent(self->r.transcript, "AT+MFWUPGRADE"));
	EXPECT_EQ(0, rig_uevent_wait(sock, "change", strrchr(dir, '/') + 1,
				     "MFW_STATE=upgrading", TIMEOUT_MS));
	/* The hangup of the reboot is the port's last word. */
	EXPECT_EQ(0, rig_uevent_wait(sock, "change", strrchr(dir, '/') + 1,
				     "MFW_STATE=rebooting", 30000));
	EXPECT_EQ(0, rig_uevent_wait(sock, "remove", strrchr(dir, '/') + 1,
				     "MFW_STATE=rebooting", TIMEOUT_MS));

	/* The module came back on a new pty with the new firmware. */
	ASSERT_EQ(0, attach_link(&self->r, self->link, old));
	ASSERT_EQ(0, wait_family(self->r.path, "MN316"));
	EXPECT_ATTR_T(self->r.path, "firmware", NEW_VERSION, TIMEOUT_MS);
	EXPECT_ATTR(self->r.path, "state", "idle");
	EXPECT_TRUE(transcript_gets(self->r.transcript, "upgrade to " NEW_VERSION));
	EXPECT_TRUE(transcript_gets(self->r.transcript, "+MFWUPGRADE: 2"));
	/* A new port starts with an empty configuration cache. */
	EXPECT_EQ(0, attr_read(self->r.path, "url", v, sizeof(v)));
	close(sock);
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/* +CME ERROR: 854 refuses the upgrade: error, 854, erase -> idle. */
TEST_F_TIMEOUT(fota, upgrade_refused_854, 90)
{
	const char *extra[] = { "--fault", "error=854@cmd=MFWUPGRADE", NULL };
	char dir[64];
	int sock;

	sock = rig_uevent_open();
	ASSERT_LE(0, sock);
	ASSERT_EQ(0, module_up(&self->r, "MN316", "MN316", extra));
	devname(self->r.path, dir, sizeof(dir));
	EXPECT_EQ(-EREMOTEIO, put(self->r.path, "upgrade", "1"));
	EXPECT_EQ(0, rig_uevent_wait(sock, "change", strrchr(dir, '/') + 1,
				     "MFW_STATE=upgrading", TIMEOUT_MS));
	EXPECT_ATTR(self->r.path, "state", "error");
	EXPECT_ATTR(self->r.path, "last_error", "854 upgrade error");
	EXPECT_ATTR(self->r.path, "percent", "unknown");

	EXPECT_EQ(0, put(self->r.path, "erase", "1"));
	EXPECT_ATTR(self->r.path, "state", "idle");
	EXPECT_ATTR(self->r.path, "last_error", "none");
	/* Without a package the module refuses once more, by itself. */
	EXPECT_EQ(-EREMOTEIO, put(self->r.path, "upgrade", "1"));
	EXPECT_ATTR(self->r.path, "last_error", "854 upgrade error");
	EXPECT_EQ(-EINVAL, put(self->r.path, "upgrade", "no"));
	close(sock);
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/*
 * While /dev/mfwN has a write session open the triggers are EBUSY; a
 * package the module holds differently from what was written blocks the
 * upgrade with EBADMSG (ML305U compares with AT+MFWCHECK).
 */
TEST_F_TIMEOUT(fota, upgrade_checks_written_package_ml305u, 120)
{
	const char *extra[] = { "--fault", "corrupt=1@offset=100", NULL };
	static const char *const triggers[] = { "download", "upgrade",
						"erase" };
	char node[64], pkg[4096];
	__u64 size = sizeof(pkg);
	long before;
	size_t i;
	int fd;

	ASSERT_EQ(0, module_up(&self->r, "ML305U", "ML305U", extra));
	ASSERT_EQ(0, rig_port_node(self->r.path, node, sizeof(node)));
	for (i = 0; i < sizeof(pkg); i++)
		pkg[i] = 'a' + i % 26;
	fd = open(node, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("open %s: %m", node);
	ASSERT_EQ(0, ioctl(fd, MFW_IOC_SET_SIZE, &size)) TH_LOG("%m");
	before = rig_port_num(self->r.path, "statistics/driver_commands");
	for (i = 0; i < ARRAY_SIZE(triggers); i++)
		EXPECT_EQ(-EBUSY, put(self->r.path, triggers[i], "1"))
			TH_LOG("trigger %zu", i);
	/* Refused before a command was sent. */
	EXPECT_EQ(before,
		  rig_port_num(self->r.path, "statistics/driver_commands"));
	ASSERT_EQ((ssize_t)sizeof(pkg), write(fd, pkg, sizeof(pkg)))
		TH_LOG("write: %m");
	EXPECT_EQ(0, close(fd)) TH_LOG("close: %m");

	EXPECT_EQ(-EBADMSG, put(self->r.path, "upgrade", "1"));
	EXPECT_ATTR(self->r.path, "state", "error");
	EXPECT_TRUE(host_sent(self->r.transcript, "AT+MFWCHECK=2"));
	EXPECT_FALSE(host_sent(self->r.transcript, "AT+MFWUPGRADE"));
	EXPECT_FALSE(host_sent(self->r.transcript, "AT+MFWDLOAD"));

	EXPECT_EQ(0, put(self->r.path, "erase", "1"));
	EXPECT_ATTR(self->r.path, "state", "idle");
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/*
 * A url-path upgrade of @model over a pty the simulator keeps across its
 * reboots (--fd): with @download the package is fetched first with
 * AT+MFWDLOAD, without it AT+MFWUPGRADE fetches and applies it (the
 * special mode).  The port lives on; AT+CGMR shows @version after.
 */
static void url_upgrade(struct __test_metadata *_metadata,
			FIXTURE_DATA(fota) *self, const char *model,
			const char *version, bool download)
{
	const char *args[] = { "--model", model, "--flash-ms", "300", NULL };

	SERVE(self, version);
	ASSERT_EQ(0, port_up(&self->r, false, args));
	ASSERT_EQ(0, wait_family(self->r.path, model));
	ASSERT_EQ(0, put(self->r.path, "url", self->url));
	if (download) {
		ASSERT_EQ(0, put(self->r.path, "progind", "4096"));
		ASSERT_EQ(0, put(self->r.path, "download", "1"));
		expect_downloaded(_metadata, self->r.path);
	}
	ASSERT_EQ(0, put(self->r.path, "upgrade", "1"));
	EXPECT_ATTR_T(self->r.path, "firmware", version, 90000);
	EXPECT_ATTR_T(self->r.path, "state", "idle", TIMEOUT_MS);
	EXPECT_TRUE(transcript_gets(self->r.transcript, "+MFWUPGRADE: 2"));
	if (_metadata->passed == 0)
		rig_dump_file(stderr, self->r.transcript, NULL);
}

/* Minimal-system family: download and three reboots inside MFWUPGRADE. */
TEST_F_TIMEOUT(fota, special_mode_upgrade_ml307a, 300)
{
	url_upgrade(_metadata, self, "ML307A", "ML307A-DCLN-MBRH0S02", false);
}

/* Full-system differential package fetched from the url, then applied. */
TEST_F_TIMEOUT(fota, remote_upgrade_ml307r_dc, 300)
{
	url_upgrade(_metadata, self, "ML307R-DC", "ML307R-DC-MBRH0S02", true);
}

TEST_HARNESS_MAIN
