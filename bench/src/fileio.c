/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fileio.c: file data in the scratch directory (-d, $BENCH_DIR, /tmp by
 * default): sequential write and read of a 64 MiB file in 1 MiB calls, and
 * a small durable file's life (create, write 4 KiB, fsync, close, unlink).
 *
 * Natively /tmp is wherever the host puts it (often a disk, where fsync
 * waits for the device); in a sandbox it is usually the sandbox's own
 * memory-backed tmpfs. Compare these figures with that in mind.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define FILE_SIZE (64L << 20)
#define CHUNK (1L << 20)

static char chunk[CHUNK];
static char path[4096];
static int failed;

/* A scratch file name in the scratch directory, unique to this process. */
static const char *scratch(const char *tag)
{
	snprintf(path, sizeof(path), "%s/cvisor-bench-%s.%d", bench_dir(), tag,
		 (int)getpid());
	return path;
}

/* Create (or truncate) the file and write it whole in CHUNK calls. */
static int write_file(const char *name)
{
	int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = 0;

	if (fd < 0)
		return -errno;
	for (long off = 0; off < FILE_SIZE && !rc; off += CHUNK)
		rc = bench_write_all(fd, chunk, CHUNK);
	if (close(fd) < 0 && !rc)
		rc = -errno;
	return rc;
}

static void op_write(long n, void *arg)
{
	for (long i = 0; i < n; i++) {
		int rc = write_file(arg);

		if (rc < 0)
			failed = -rc;
	}
}

static void op_read(long n, void *arg)
{
	int fd = *(int *)arg;

	for (long i = 0; i < n; i++) {
		long total = 0;
		ssize_t r;

		if (lseek(fd, 0, SEEK_SET) < 0)
			failed = errno;
		while ((r = read(fd, chunk, CHUNK)) > 0)
			total += r;
		if (r < 0 || total != FILE_SIZE)
			failed = r < 0 ? errno : EIO;
	}
}

/* MB/s (10^6 bytes) for one whole-file pass taking ns. */
static double mbps(double ns)
{
	return (double)FILE_SIZE / 1e6 / (ns / 1e9);
}

/* Turn a failure recorded while timing into the figure's result. */
static int check(const char *what)
{
	if (!failed)
		return 0;
	errno = failed;
	failed = 0;
	return bench_fail(what);
}

static int fig_write(double *v)
{
	const char *name = scratch("write");
	int rc;

	memset(chunk, 0x5a, sizeof(chunk));
	*v = mbps(bench_time_ns(op_write, (void *)name));
	rc = check(name);
	unlink(name);
	return rc;
}

/* Reads after a write, so the data is in the page cache (or tmpfs). */
static int fig_read(double *v)
{
	const char *name = scratch("read");
	int fd, rc;

	memset(chunk, 0x5a, sizeof(chunk));
	rc = write_file(name);
	if (rc < 0) {
		errno = -rc;
		rc = bench_fail(name);
		unlink(name);
		return rc;
	}
	fd = open(name, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		rc = bench_fail(name);
		unlink(name);
		return rc;
	}
	*v = mbps(bench_time_ns(op_read, &fd));
	close(fd);
	unlink(name);
	return check(name);
}

static void op_fsync(long n, void *arg)
{
	const char *name = arg;

	for (long i = 0; i < n; i++) {
		int fd, rc;

		fd = open(name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			failed = errno;
			continue;
		}
		rc = bench_write_all(fd, chunk, 4096);
		if (!rc && fsync(fd) < 0)
			rc = -errno;
		if (rc)
			failed = -rc;
		close(fd);
		if (unlink(name) < 0)
			failed = errno;
	}
}

static int fig_fsync(double *v)
{
	const char *name = scratch("fsync");

	*v = bench_time_ns(op_fsync, (void *)name) / 1e3;
	unlink(name);
	return check(name);
}

static const struct bench_figure figures[] = {
	{ "file_write_64m", "MBps", "write a 64 MiB file in 1 MiB calls",
	  fig_write },
	{ "file_read_64m", "MBps", "read a cached 64 MiB file in 1 MiB calls",
	  fig_read },
	{ "create_write_fsync_unlink", "us",
	  "open(O_CREAT)+write 4 KiB+fsync+close+unlink", fig_fsync },
};

int main(int argc, char **argv)
{
	return bench_main(argc, argv, figures,
			  sizeof(figures) / sizeof(figures[0]));
}
