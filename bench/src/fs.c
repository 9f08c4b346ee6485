/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs.c: path lookups and small reads and writes: open+close and stat of a
 * file of the root filesystem (served by the Gofer in a sandbox), fstat of
 * an open file, and 4 KiB from /dev/zero and to /dev/null.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

/* Present on any Linux root filesystem, natively and in a sandbox. */
#define FS_PATH "/etc/passwd"

static int failed;

static void op_open_close(long n, void *arg)
{
	(void)arg;
	for (long i = 0; i < n; i++) {
		int fd = open(FS_PATH, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			failed = errno;
		else
			close(fd);
	}
}

/* Fail the figure if any operation failed while it was timed. */
static int check(const char *what)
{
	if (!failed)
		return 0;
	errno = failed;
	failed = 0;
	return bench_fail(what);
}

static int fig_open_close(double *v)
{
	*v = bench_time_ns(op_open_close, NULL);
	return check("open " FS_PATH);
}

static void op_stat(long n, void *arg)
{
	struct stat st;

	(void)arg;
	for (long i = 0; i < n; i++)
		if (stat(FS_PATH, &st) < 0)
			failed = errno;
}

static int fig_stat(double *v)
{
	*v = bench_time_ns(op_stat, NULL);
	return check("stat " FS_PATH);
}

static void op_fstat(long n, void *arg)
{
	int fd = *(int *)arg;
	struct stat st;

	for (long i = 0; i < n; i++)
		if (fstat(fd, &st) < 0)
			failed = errno;
}

static int fig_fstat(double *v)
{
	int fd = open(FS_PATH, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return bench_fail("open " FS_PATH);
	*v = bench_time_ns(op_fstat, &fd);
	close(fd);
	return check("fstat");
}

struct rw {
	int fd;
	int write;
	char buf[4096];
};

static void op_rw(long n, void *arg)
{
	struct rw *rw = arg;

	for (long i = 0; i < n; i++) {
		ssize_t r = rw->write ? write(rw->fd, rw->buf, sizeof(rw->buf))
				      : read(rw->fd, rw->buf, sizeof(rw->buf));

		if (r != (ssize_t)sizeof(rw->buf))
			failed = r < 0 ? errno : EIO;
	}
}

/* 4 KiB read(2) or write(2) calls on a device that needs no I/O. */
static int time_rw(const char *path, int write, double *v)
{
	static struct rw rw;

	rw.write = write;
	rw.fd = open(path, (write ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
	if (rw.fd < 0)
		return bench_fail(path);
	*v = bench_time_ns(op_rw, &rw);
	close(rw.fd);
	return check(path);
}

static int fig_read_zero(double *v)
{
	return time_rw("/dev/zero", 0, v);
}

static int fig_write_null(double *v)
{
	return time_rw("/dev/null", 1, v);
}

static const struct bench_figure figures[] = {
	{ "open_close", "ns", "open+close of " FS_PATH, fig_open_close },
	{ "stat", "ns", "stat of " FS_PATH, fig_stat },
	{ "fstat", "ns", "fstat of an open file", fig_fstat },
	{ "read_4k_devzero", "ns", "4 KiB read from /dev/zero", fig_read_zero },
	{ "write_4k_devnull", "ns", "4 KiB write to /dev/null",
	  fig_write_null },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, figures,
			  sizeof(figures) / sizeof(figures[0]));
}
