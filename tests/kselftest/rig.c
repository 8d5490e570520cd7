// SPDX-License-Identifier: GPL-2.0-only
/*
 * Helpers shared by mfw's kernel selftests.
 */
#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <linux/mfw.h>

#include "rig.h"

long long rig_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int rig_ldisc_num(void)
{
	FILE *f = fopen("/sys/module/mfw/parameters/ldisc", "r");
	int n = -1;

	if (!f)
		return -1;
	if (fscanf(f, "%d", &n) != 1)
		n = -1;
	fclose(f);
	return n;
}

int rig_set_raw(int fd)
{
	struct termios tio;

	if (tcgetattr(fd, &tio))
		return -errno;
	cfmakeraw(&tio);
	cfsetspeed(&tio, B115200);
	tio.c_cflag |= CLOCAL | CREAD;
	tio.c_cc[VMIN] = 1;
	tio.c_cc[VTIME] = 0;
	return tcsetattr(fd, TCSANOW, &tio) ? -errno : 0;
}

int rig_open_tty(const char *path)
{
	int fd;

	fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rig_set_raw(fd);
	return fd;
}

int rig_attach(int fd)
{
	int ld = rig_ldisc_num();

	if (ld < 0)
		return -ENOENT;
	return ioctl(fd, TIOCSETD, &ld) ? -errno : 0;
}

int rig_open_pty(char *slave, size_t len)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (m < 0)
		return -1;
	if (grantpt(m) || unlockpt(m) || ptsname_r(m, slave, len)) {
		close(m);
		return -1;
	}
	return m;
}

pid_t rig_sim_start(const char *const argv[], int pass_fd, int timeout_ms)
{
	const char *prog = getenv("MFW_MODEMSIM");
	char log[64];
	const char *args[64];
	long long end = rig_now_ms() + timeout_ms;
	size_t n = 0;
	pid_t pid, parent;
	int status;

	if (!prog)
		prog = "mfw-modemsim";
	args[n++] = prog;
	if (pass_fd >= 0) {
		args[n++] = "--fd";
		args[n++] = "3";
	}
	while (*argv && n < 62)
		args[n++] = *argv++;
	args[n] = NULL;

	parent = getpid();
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int lf;

		/*
		 * A test that dies (a failed ASSERT) takes its module with it:
		 * a simulator left holding /dev/ttyGS0 blocks the removal of
		 * the USB gadget, and every test after it, for good.
		 */
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) || getppid() != parent)
			_exit(127);

		snprintf(log, sizeof(log), "/tmp/modemsim-%d.log", getpid());
		lf = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (lf >= 0)
			dup2(lf, 2);
		/* dup2() onto itself would keep close-on-exec set. */
		if (pass_fd == 3)
			fcntl(3, F_SETFD, 0);
		else if (pass_fd >= 0)
			dup2(pass_fd, 3);
		execvp(prog, (char *const *)args);
		fprintf(stderr, "exec %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	snprintf(log, sizeof(log), "/tmp/modemsim-%d.log", pid);
	while (rig_now_ms() < end) {
		if (rig_file_contains(log, "mfw-modemsim: ready"))
			return pid;
		if (waitpid(pid, &status, WNOHANG) == pid) {
			fprintf(stderr, "# simulator exited early, see %s\n",
				log);
			return -1;
		}
		usleep(20000);
	}
	rig_sim_stop(pid);
	return -1;
}

void rig_sim_stop(pid_t pid)
{
	long long end;
	int status;

	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	end = rig_now_ms() + 5000;
	while (rig_now_ms() < end) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return;
		usleep(10000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

int rig_write_str(int fd, const char *s)
{
	size_t len = strlen(s);

	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		s += n;
		len -= n;
	}
	return 0;
}

#define RIG_PARAMS	"/sys/module/mfw/parameters/"

int rig_param_read(const char *name, char *buf, size_t len)
{
	char file[128], *nl;
	ssize_t n;
	int fd, ret = 0;

	if (len < 2)
		return -EINVAL;
	snprintf(file, sizeof(file), RIG_PARAMS "%s", name);
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	if (n < 0) {
		ret = -errno;
	} else {
		buf[n] = '\0';
		/* sysfs ends every value with a newline: none means cut off */
		nl = strchr(buf, '\n');
		if (!nl)
			ret = -EOVERFLOW;
		else if (nl == buf)
			ret = -ENODATA;
		else
			*nl = '\0';
	}
	close(fd);
	return ret;
}

int rig_param_write(const char *name, const char *value)
{
	char file[128];
	int fd, ret;

	if (!value[0])
		return -EINVAL;
	snprintf(file, sizeof(file), RIG_PARAMS "%s", name);
	fd = open(file, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = rig_write_str(fd, value);
	close(fd);
	return ret;
}

long rig_read_away(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	long total = 0;
	char buf[4096];
	ssize_t n;

	while (poll(&p, 1, 0) > 0 && (p.revents & POLLIN)) {
		n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		total += n;
	}
	return total;
}

int rig_read_line(int fd, char *buf, size_t len, int timeout_ms)
{
	long long end = rig_now_ms() + timeout_ms;
	size_t used = 0;

	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		long long left = end - rig_now_ms();
		char c;
		ssize_t n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = poll(&p, 1, (int)left);
		if (n < 0 && errno != EINTR)
			return -errno;
		if (n <= 0)
			continue;
		if (p.revents & (POLLHUP | POLLERR) && !(p.revents & POLLIN))
			return -EIO;
		n = read(fd, &c, 1);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			return -errno;
		}
		if (n == 0)
			return -EIO;
		if (c == '\r' || c == '\n') {
			if (used == 0)
				continue;
			buf[used] = '\0';
			return (int)used;
		}
		if (used + 1 < len)
			buf[used++] = c;
	}
}

int rig_expect_line(int fd, const char *want, int timeout_ms)
{
	long long end = rig_now_ms() + timeout_ms;
	char line[1024];

	for (;;) {
		long long left = end - rig_now_ms();
		int n;

		if (left <= 0)
			return -ETIMEDOUT;
		n = rig_read_line(fd, line, sizeof(line), (int)left);
		if (n < 0)
			return n;
		if (strcmp(line, want) == 0)
			return 0;
	}
}

int rig_port_dir(const char *path, char *dir, size_t len)
{
	char want[64], file[256], name[64];
	const char *p = path;
	size_t n = 0;
	int i;

	/* tty_name(): "/dev/pts/3" is "pts3", "/dev/ttyACM0" is "ttyACM0". */
	if (!strncmp(p, "/dev/", 5))
		p += 5;
	for (; *p && n + 1 < sizeof(want); p++)
		if (*p != '/')
			want[n++] = *p;
	want[n] = '\0';

	for (i = 0; i < 256; i++) {
		FILE *f;

		snprintf(file, sizeof(file), "/sys/class/mfw/mfw%d/tty", i);
		f = fopen(file, "r");
		if (!f)
			continue;
		if (!fgets(name, sizeof(name), f))
			name[0] = '\0';
		fclose(f);
		name[strcspn(name, "\n")] = '\0';
		if (strcmp(name, want))
			continue;
		snprintf(dir, len, "/sys/class/mfw/mfw%d", i);
		return 0;
	}
	return -ENOENT;
}

int rig_port_node(const char *path, char *node, size_t len)
{
	char dir[64];

	if (rig_port_dir(path, dir, sizeof(dir)))
		return -ENOENT;
	snprintf(node, len, "/dev/%s", strrchr(dir, '/') + 1);
	return 0;
}

int rig_port_attr(const char *path, const char *attr, char *buf, size_t len)
{
	char dir[64], file[256];
	FILE *f;

	if (rig_port_dir(path, dir, sizeof(dir)))
		return -ENOENT;
	snprintf(file, sizeof(file), "%s/%s", dir, attr);
	f = fopen(file, "r");
	if (!f)
		return -errno;
	if (!fgets(buf, len, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return (int)strlen(buf);
}

int rig_port_wait_attr(const char *path, const char *attr, const char *want,
		       char *last, size_t len, int timeout_ms)
{
	long long end = rig_now_ms() + timeout_ms;

	do {
		if (rig_port_attr(path, attr, last, len) >= 0 &&
		    !strcmp(last, want))
			return 0;
		usleep(10000);
	} while (rig_now_ms() < end);
	return -ETIMEDOUT;
}

int rig_port_write(const char *path, const char *attr, const char *value)
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
	n = write(fd, value, strlen(value));
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

int rig_uevent_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = 1,
	};
	int sock, size = 1 << 20;

	sock = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC,
		      NETLINK_KOBJECT_UEVENT);
	if (sock < 0)
		return -1;
	setsockopt(sock, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if (bind(sock, (struct sockaddr *)&sa, sizeof(sa))) {
		close(sock);
		return -1;
	}
	return sock;
}

int rig_uevent_wait(int sock, const char *action, const char *devname,
		    const char *var, int timeout_ms)
{
	long long end = rig_now_ms() + timeout_ms;
	char msg[8192];

	for (;;) {
		struct pollfd p = { .fd = sock, .events = POLLIN };
		long long left = end - rig_now_ms();
		bool act = false, dev = false, has = false;
		ssize_t n;
		char *f;

		if (left <= 0)
			return -ETIMEDOUT;
		if (poll(&p, 1, (int)left) <= 0)
			continue;
		n = recv(sock, msg, sizeof(msg) - 1, 0);
		if (n <= 0)
			continue;
		msg[n] = '\0';
		/* "action@devpath\0KEY=VALUE\0..." */
		for (f = msg; f < msg + n; f += strlen(f) + 1) {
			size_t dl = strlen(devname), fl = strlen(f);

			if (!strncmp(f, "ACTION=", 7))
				act = !strcmp(f + 7, action);
			else if (!strncmp(f, "DEVPATH=", 8))
				dev = fl >= dl + 1 && f[fl - dl - 1] == '/' &&
				      !strcmp(f + fl - dl, devname);
			else if (!strcmp(f, var))
				has = true;
		}
		if (act && dev && has)
			return 0;
	}
}

long rig_port_num(const char *path, const char *attr)
{
	char buf[64];
	char *end;
	long v;

	if (rig_port_attr(path, attr, buf, sizeof(buf)) <= 0)
		return -1;
	v = strtol(buf, &end, 10);
	return *end ? -1 : v;
}

long rig_port_wait_num(const char *path, const char *attr, long min,
		       int timeout_ms)
{
	long long end = rig_now_ms() + timeout_ms;
	long v;

	for (;;) {
		v = rig_port_num(path, attr);
		if (v >= min || rig_now_ms() >= end)
			return v;
		usleep(10000);
	}
}

int rig_kmsg_mark(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd >= 0 && lseek(fd, 0, SEEK_END) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

bool rig_kmsg_contains(const char *needle)
{
	return rig_kmsg_since(open("/dev/kmsg", O_RDONLY | O_NONBLOCK | O_CLOEXEC),
			      needle);
}

bool rig_kmsg_since(int fd, const char *needle)
{
	char rec[8192];
	bool found = false;

	if (fd < 0)
		return false;
	for (;;) {
		ssize_t n = read(fd, rec, sizeof(rec) - 1);

		if (n < 0) {
			if (errno == EPIPE)	/* overwritten record: go on */
				continue;
			break;
		}
		rec[n] = '\0';
		if (strstr(rec, needle)) {
			found = true;
			break;
		}
	}
	close(fd);
	return found;
}

int rig_gadget(const char *verb, char *out, size_t len)
{
	char cmd[128], line[256] = "";
	FILE *p;

	snprintf(cmd, sizeof(cmd), "mfw-gadget %s", verb);
	p = popen(cmd, "r");
	if (!p)
		return -1;
	if (fgets(line, sizeof(line), p) && out) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(out, len, "%s", line);
	}
	while (fgets(line, sizeof(line), p))
		;
	return pclose(p) == 0 ? 0 : -1;
}

unsigned char *rig_slurp(const char *path, size_t *len)
{
	struct stat st;
	unsigned char *buf;
	size_t got = 0;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !(buf = malloc(st.st_size + 1))) {
		close(fd);
		return NULL;
	}
	while (got < (size_t)st.st_size &&
	       (n = read(fd, buf + got, st.st_size - got)) > 0)
		got += n;
	close(fd);
	*len = got;
	return buf;
}

int rig_write_package(const char *node, const char *path, off_t from,
		      size_t chunk, bool declare, off_t *acked)
{
	size_t len = 0, off = from;
	unsigned char *img = rig_slurp(path, &len);
	int fd, ret = 0;

	if (!img)
		return -ENOENT;
	fd = open(node, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		free(img);
		return -errno;
	}
	if (declare) {
		__u64 size = len;

		if (ioctl(fd, MFW_IOC_SET_SIZE, &size))
			ret = -errno;
	}
	while (!ret && off < len) {
		size_t n = len - off < chunk ? len - off : chunk;
		ssize_t w = pwrite(fd, img + off, n, off);

		if (w < 0)
			ret = -errno;
		else
			off += w;
		if (acked)
			*acked = off;
	}
	if (close(fd) && !ret)
		ret = -errno;
	free(img);
	return ret;
}

bool rig_file_contains(const char *path, const char *needle)
{
	size_t len = 0;
	char *t = (char *)rig_slurp(path, &len);
	bool found;

	if (!t)
		return false;
	/* Transcripts hold package bytes, NULs included. */
	found = memmem(t, len, needle, strlen(needle));
	free(t);
	return found;
}

void rig_dump_file(FILE *out, const char *path, const char *skip)
{
	char line[512];
	FILE *f = fopen(path, "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (!skip || !strstr(line, skip))
			fprintf(out, "# | %s", line);
	fclose(f);
}

char *rig_host_stream(const char *path, size_t *len)
{
	size_t cap = 1 << 16, used = 0, lcap = 0;
	char *out = malloc(cap), *line = NULL;
	FILE *f;

	if (!out)
		return NULL;
	out[0] = '\0';
	f = fopen(path, "r");
	if (f) {
		while (getline(&line, &lcap, f) > 0) {
			/* "<seconds>.<micro> <dir> <text>" */
			char *p = strchr(line, ' ');

			if (!p || p[1] != '<' || p[2] != ' ')
				continue;
			for (p += 3; *p && *p != '\n'; p++) {
				int c = *p;

				if (c == '\\' && p[1]) {
					p++;
					if (*p == 'r')
						c = '\r';
					else if (*p == 'n')
						c = '\n';
					else if (*p == 'x' && p[1] && p[2]) {
						char hex[3] = { p[1], p[2], 0 };

						c = (int)strtol(hex, NULL, 16);
						p += 2;
					} else {
						c = *p;
					}
				}
				if (used + 2 > cap) {
					char *n = realloc(out, cap * 2);

					if (!n) {
						free(out);
						out = NULL;
						goto out;
					}
					out = n;
					cap *= 2;
				}
				out[used++] = (char)c;
			}
			out[used] = '\0';
		}
	}
out:
	free(line);
	if (f)
		fclose(f);
	if (len)
		*len = used;
	return out;
}
