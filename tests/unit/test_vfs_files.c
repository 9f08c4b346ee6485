/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VFS unit tests, part three: what programs do with open files beyond
 * plain I/O: reopening a pipe through its inode (/proc/PID/fd/N),
 * fallocate on tmpfs, sendfile, O_TMPFILE, and advisory locks (POSIX
 * record locks between "processes" that are two descriptor tables, OFD
 * locks, flock, deadlock detection, waiting through the fake task_wait's
 * hook).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/poll.h"
#include "sentry/abi/resource.h"
#include "sentry/abi/stat.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/pipe.h"
#include "tests/unit/vfs_fixture.h"

#define SYS(name, ...) kern_##name(T, &(struct name##_args){__VA_ARGS__})

static long fio(struct file *f, void *buf, size_t len, bool wr)
{
	struct linux_iovec seg;
	struct vfs_uio u;

	vfs_uio_init_sentry(&u, &seg, buf, len);
	return wr ? vfs_write(f, &u, NULL) : vfs_read(f, &u, NULL);
}

static void test_pipe_reopen(void **state)
{
	struct file *r, *w, *w2, *r2;
	char buf[8] = {0};

	(void)state;
	assert_int_equal(pipe_create(T, 0, &r, &w), 0);
	/* A write-only open of the pipe's inode joins the same pipe: the
	 * reader is there, so it does not wait. */
	assert_int_equal(vfs_open_path(T, &w->path, LINUX_O_WRONLY, &w2), 0);
	assert_int_equal(fio(w2, "via", 3, true), 3);
	assert_int_equal(fio(r, buf, sizeof(buf), false), 3);
	assert_string_equal(buf, "via");
	/* The first writer gone, the second keeps the pipe alive. */
	file_put(w);
	assert_false(r->ops->poll(r, NULL) & LINUX_POLLHUP);
	file_put(w2);
	assert_true(r->ops->poll(r, NULL) & LINUX_POLLHUP);
	/* A read-write reopen while the reader is still open. */
	assert_int_equal(vfs_open_path(T, &r->path, LINUX_O_RDWR, &r2), 0);
	assert_int_equal(fio(r2, "x", 1, true), 1);
	assert_int_equal(fio(r, buf, 1, false), 1);
	file_put(r);
	file_put(r2);
}

static long fstat_blocks_size(int fd, uint64_t *size)
{
	struct linux_stat st;

	assert_int_equal(SYS(fstat, .fd = fd, .statbuf = G(&st)), 0);
	if (size)
		*size = (uint64_t)st.st_size;
	return (long)st.st_blocks;
}

static void test_fallocate(void **state)
{
	char buf[8192];
	uint64_t size;
	int fd, ro, pfd[2];

	(void)state;
	fd = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/fa"),
		      .flags = LINUX_O_CREAT | LINUX_O_RDWR, .mode = 0644);
	assert_true(fd >= 0);
	/* Allocation extends the file and counts its pages. */
	assert_int_equal(SYS(fallocate, .fd = fd, .offset = 0, .len = 8192), 0);
	assert_int_equal(fstat_blocks_size(fd, &size), 16);
	assert_int_equal(size, 8192);
	/* KEEP_SIZE allocates past EOF without a size change. */
	assert_int_equal(SYS(fallocate, .fd = fd,
			     .mode = LINUX_FALLOC_FL_KEEP_SIZE, .offset = 8192,
			     .len = 8192),
			 0);
	assert_int_equal(fstat_blocks_size(fd, &size), 32);
	assert_int_equal(size, 8192);
	/* Allocated pages are data; a punched hole reads as zeros, frees
	 * its whole pages, zeroes the partial ones. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(
		SYS(pwrite64, .fd = fd, .buf = G(buf), .count = 8192, .pos = 0),
		8192);
	assert_int_equal(
		SYS(lseek, .fd = fd, .offset = 0, .whence = LINUX_SEEK_HOLE),
		8192);
	assert_int_equal(SYS(fallocate, .fd = fd,
			     .mode = LINUX_FALLOC_FL_PUNCH_HOLE |
				     LINUX_FALLOC_FL_KEEP_SIZE,
			     .offset = 100, .len = 4096),
			 0);
	assert_int_equal(fstat_blocks_size(fd, &size), 32);
	assert_int_equal(
		SYS(pread64, .fd = fd, .buf = G(buf), .count = 8192, .pos = 0),
		8192);
	assert_int_equal(buf[99], 'x');
	assert_int_equal(buf[100], 0);
	assert_int_equal(buf[4195], 0);
	assert_int_equal(buf[4196], 'x');
	assert_int_equal(SYS(fallocate, .fd = fd,
			     .mode = LINUX_FALLOC_FL_PUNCH_HOLE |
				     LINUX_FALLOC_FL_KEEP_SIZE,
			     .offset = 4096, .len = 4096),
			 0);
	assert_int_equal(fstat_blocks_size(fd, &size), 24);
	assert_int_equal(size, 8192);
	assert_int_equal(
		SYS(lseek, .fd = fd, .offset = 0, .whence = LINUX_SEEK_HOLE),
		4096);
	/* Linux's argument checks, in its order. */
	assert_int_equal(SYS(fallocate, .fd = fd, .offset = 0, .len = 0),
			 -EINVAL);
	assert_int_equal(SYS(fallocate, .fd = fd, .offset = -1, .len = 1),
			 -EINVAL);
	assert_int_equal(SYS(fallocate, .fd = fd,
			     .mode = LINUX_FALLOC_FL_PUNCH_HOLE, .len = 1),
			 -EOPNOTSUPP);
	assert_int_equal(SYS(fallocate, .fd = fd,
			     .mode = LINUX_FALLOC_FL_COLLAPSE_RANGE |
				     LINUX_FALLOC_FL_KEEP_SIZE,
			     .len = 1),
			 -EINVAL);
	assert_int_equal(SYS(fallocate, .fd = fd,
			     .mode = LINUX_FALLOC_FL_ZERO_RANGE, .len = 1),
			 -EOPNOTSUPP);
	assert_int_equal(
		SYS(fallocate, .fd = fd, .offset = INT64_MAX, .len = 2),
		-EFBIG);
	assert_int_equal(SYS(fallocate, .fd = 99, .len = 1), -EBADF);
	/* RLIMIT_FSIZE applies to growth, with SIGXFSZ. */
	T->tg->rlimits[LINUX_RLIMIT_FSIZE].cur = 10000;
	assert_int_equal(SYS(fallocate, .fd = fd, .len = 20000), -EFBIG);
	assert_int_equal(fake_last_signal, LINUX_SIGXFSZ);
	assert_int_equal(SYS(fallocate, .fd = fd,
			     .mode = LINUX_FALLOC_FL_KEEP_SIZE, .len = 20000),
			 0);
	T->tg->rlimits[LINUX_RLIMIT_FSIZE].cur = ~0ULL;
	ro = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/fa"),
		      .flags = LINUX_O_RDONLY);
	assert_int_equal(SYS(fallocate, .fd = ro, .len = 1), -EBADF);
	assert_int_equal(SYS(close, .fd = ro), 0);
	ro = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/"),
		      .flags = LINUX_O_RDONLY);
	assert_int_equal(SYS(fallocate, .fd = ro, .len = 1), -EBADF);
	assert_int_equal(SYS(close, .fd = ro), 0);
	assert_int_equal(SYS(pipe2, .pipefd = G(pfd)), 0);
	assert_int_equal(SYS(fallocate, .fd = pfd[1], .len = 1), -ESPIPE);
	assert_int_equal(SYS(close, .fd = pfd[0]), 0);
	assert_int_equal(SYS(close, .fd = pfd[1]), 0);
	assert_int_equal(SYS(close, .fd = fd), 0);
}

static void test_sendfile(void **state)
{
	static char big[200000], back[200000];
	int64_t off;
	int in, out, app, pfd[2];
	char buf[8];

	(void)state;
	for (size_t k = 0; k < sizeof(big); k++)
		big[k] = (char)(k * 7 + (k >> 9));
	in = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/in"),
		      .flags = LINUX_O_CREAT | LINUX_O_RDWR, .mode = 0644);
	out = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/out"),
		       .flags = LINUX_O_CREAT | LINUX_O_RDWR, .mode = 0644);
	assert_int_equal(
		SYS(write, .fd = in, .buf = G(big), .count = sizeof(big)),
		sizeof(big));
	/* With an offset pointer: the pointer moves, the fd offset not;
	 * the copy spans several chunks. */
	off = 0;
	assert_int_equal(SYS(sendfile, .out_fd = out, .in_fd = in,
			     .offset = G(&off), .count = 1 << 20),
			 sizeof(big));
	assert_int_equal(off, sizeof(big));
	assert_int_equal(SYS(lseek, .fd = in, .offset = 0, .whence = 1),
			 sizeof(big));
	assert_int_equal(SYS(pread64, .fd = out, .buf = G(back),
			     .count = sizeof(back), .pos = 0),
			 sizeof(back));
	assert_memory_equal(big, back, sizeof(big));
	/* Without: the input's offset moves; at EOF nothing is sent. */
	assert_int_equal(SYS(sendfile, .out_fd = out, .in_fd = in, .count = 10),
			 0);
	assert_int_equal(SYS(lseek, .fd = in, .offset = 5, .whence = 0), 5);
	assert_int_equal(SYS(pipe2, .pipefd = G(pfd)), 0);
	assert_int_equal(
		SYS(sendfile, .out_fd = pfd[1], .in_fd = in, .count = 3), 3);
	assert_int_equal(SYS(lseek, .fd = in, .offset = 0, .whence = 1), 8);
	assert_int_equal(SYS(read, .fd = pfd[0], .buf = G(buf), .count = 8), 3);
	assert_memory_equal(buf, big + 5, 3);
	/* Linux's errors. */
	assert_int_equal(SYS(sendfile, .out_fd = out, .in_fd = 99, .count = 1),
			 -EBADF);
	assert_int_equal(SYS(sendfile, .out_fd = 99, .in_fd = in, .count = 1),
			 -EBADF);
	assert_int_equal(
		SYS(sendfile, .out_fd = out, .in_fd = pfd[1], .count = 1),
		-EBADF);
	assert_int_equal(
		SYS(sendfile, .out_fd = pfd[0], .in_fd = in, .count = 1),
		-EBADF);
	assert_int_equal(SYS(sendfile, .out_fd = out, .in_fd = pfd[0],
			     .offset = G(&off), .count = 1),
			 -ESPIPE);
	off = -1;
	assert_int_equal(SYS(sendfile, .out_fd = out, .in_fd = in,
			     .offset = G(&off), .count = 1),
			 -EINVAL);
	assert_int_equal(SYS(sendfile, .out_fd = out, .in_fd = in,
			     .offset = 0x10, .count = 1),
			 -EFAULT);
	assert_int_equal(
		SYS(sendfile, .out_fd = out, .in_fd = in, .count = ~0ULL),
		-EINVAL);
	app = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/out"),
		       .flags = LINUX_O_WRONLY | LINUX_O_APPEND);
	assert_int_equal(SYS(sendfile, .out_fd = app, .in_fd = in, .count = 1),
			 -EINVAL);
	SYS(close, .fd = app);
	SYS(close, .fd = pfd[0]);
	SYS(close, .fd = pfd[1]);
	SYS(close, .fd = in);
	SYS(close, .fd = out);
}

static uint64_t stat_size(const char *p)
{
	struct linux_stat st;

	assert_int_equal(SYS(stat, .pathname = G(p), .statbuf = G(&st)), 0);
	return (uint64_t)st.st_size;
}

static int vfs_chmod_path(const char *p, uint32_t mode)
{
	return (int)SYS(chmod, .pathname = G(p), .mode = mode);
}

static void test_tmpfile(void **state)
{
	struct linux_stat st;
	struct file *f;
	char buf[64];
	long n;
	int fd, ex, gone;

	(void)state;
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/td", 0777), 0);
	fd = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/td"),
		      .flags = LINUX_O_TMPFILE | LINUX_O_RDWR, .mode = 0640);
	assert_true(fd >= 0);
	assert_int_equal(SYS(write, .fd = fd, .buf = G("tmp"), .count = 3), 3);
	assert_int_equal(SYS(fstat, .fd = fd, .statbuf = G(&st)), 0);
	assert_int_equal(st.st_nlink, 0);
	assert_int_equal(st.st_mode, LINUX_S_IFREG | 0640);
	assert_int_equal(SYS(fcntl, .fd = fd, .cmd = LINUX_F_GETFL) &
				 LINUX_O_TMPFILE,
			 LINUX_O_TMPFILE);
	/* Nameless: the directory lists nothing, the path says deleted. */
	assert_int_equal(stat_size("/td"), 40);
	f = fd_get(T, fd);
	n = vfs_file_path_string(T, f, buf, sizeof(buf));
	file_put(f);
	assert_true(n > 0);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "|");
	assert_non_null(strstr(buf, "/td/#"));
	assert_non_null(strstr(buf, " (deleted)|"));
	/* linkat gives it a name, once. */
	assert_int_equal(vfs_link(T, fd, "", LINUX_AT_FDCWD, "/td/named",
				  LOOKUP_EMPTY_PATH),
			 0);
	assert_int_equal(SYS(fstat, .fd = fd, .statbuf = G(&st)), 0);
	assert_int_equal(st.st_nlink, 1);
	memset(buf, 0, sizeof(buf));
	f = NULL;
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/td/named", LINUX_O_RDONLY, 0, &f),
		0);
	assert_int_equal(vfs_file_pread(f, buf, sizeof(buf), 0), 3);
	assert_string_equal(buf, "tmp");
	file_put(f);
	SYS(close, .fd = fd);
	/* With O_EXCL it can never be linked; neither can a removed file. */
	ex = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/td"),
		      .flags = LINUX_O_TMPFILE | LINUX_O_EXCL | LINUX_O_WRONLY,
		      .mode = 0600);
	assert_true(ex >= 0);
	assert_int_equal(vfs_link(T, ex, "", LINUX_AT_FDCWD, "/td/no",
				  LOOKUP_EMPTY_PATH),
			 -ENOENT);
	SYS(close, .fd = ex);
	gone = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD,
			.pathname = G("/td/gone"),
			.flags = LINUX_O_CREAT | LINUX_O_WRONLY, .mode = 0600);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/td/gone"), 0);
	assert_int_equal(vfs_link(T, gone, "", LINUX_AT_FDCWD, "/td/back",
				  LOOKUP_EMPTY_PATH),
			 -ENOENT);
	SYS(close, .fd = gone);
	/* The flags rules and the directory's permissions. */
	assert_int_equal(SYS(openat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/td"),
			     .flags = LINUX_O_TMPFILE | LINUX_O_RDONLY),
			 -EINVAL);
	assert_int_equal(SYS(openat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/td"),
			     .flags = LINUX___O_TMPFILE | LINUX_O_RDWR),
			 -EINVAL);
	assert_int_equal(SYS(openat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/nope"),
			     .flags = LINUX_O_TMPFILE | LINUX_O_RDWR),
			 -ENOENT);
	assert_int_equal(vfs_chmod_path("/td", 0755), 0);
	test_become(1000, 1000, false);
	assert_int_equal(SYS(openat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/td"),
			     .flags = LINUX_O_TMPFILE | LINUX_O_RDWR),
			 -EACCES);
	test_become(0, 0, true);
}

/* Two "processes": the test's table A (pid 1) and a forked copy B
 * (pid 2); lk() runs an fcntl lock command as one of them. */
static struct fd_table *tab_a, *tab_b;

static void as_proc(int which)
{
	T->fdt = which == 1 ? tab_a : tab_b;
	T->tg->tgid = which;
}

static long lk(int who, int fd, int cmd, int type, int64_t start, int64_t len,
	       struct linux_flock *out)
{
	struct linux_flock l = {.l_type = (int16_t)type,
				.l_whence = LINUX_SEEK_SET,
				.l_start = start,
				.l_len = len};
	long r;

	as_proc(who);
	r = SYS(fcntl, .fd = fd, .cmd = cmd, .arg = G(&l));
	as_proc(1);
	if (out)
		*out = l;
	return r;
}

/* F_GETLK from `who`: the blocking lock's type (F_UNLCK if none). */
static int getlk(int who, int fd, int type, int64_t start, int64_t len,
		 struct linux_flock *l)
{
	assert_int_equal(lk(who, fd, LINUX_F_GETLK, type, start, len, l), 0);
	return l->l_type;
}

static void fork_tables(void)
{
	tab_a = T->fdt;
	assert_int_equal(fd_table_copy(tab_a, &tab_b), 0);
}

static void drop_tables(void)
{
	as_proc(1);
	fd_table_put(tab_b);
}

static void test_posix_locks(void **state)
{
	struct linux_flock l;
	int fd, wr;

	(void)state;
	fd = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/lk"),
		      .flags = LINUX_O_CREAT | LINUX_O_RDWR, .mode = 0644);
	fork_tables();
	/* A write lock on 0-3 blocks B's overlapping requests only. */
	assert_int_equal(lk(1, fd, LINUX_F_SETLK, LINUX_F_WRLCK, 0, 4, NULL),
			 0);
	assert_int_equal(getlk(2, fd, LINUX_F_RDLCK, 2, 1, &l), LINUX_F_WRLCK);
	assert_int_equal(l.l_start, 0);
	assert_int_equal(l.l_len, 4);
	assert_int_equal(l.l_pid, 1);
	assert_int_equal(l.l_whence, LINUX_SEEK_SET);
	assert_int_equal(getlk(1, fd, LINUX_F_WRLCK, 0, 0, &l), LINUX_F_UNLCK);
	assert_int_equal(lk(2, fd, LINUX_F_SETLK, LINUX_F_RDLCK, 3, 10, NULL),
			 -EAGAIN);
	assert_int_equal(lk(2, fd, LINUX_F_SETLK, LINUX_F_WRLCK, 4, 10, NULL),
			 0);
	/* F_SETLKW sleeps; a signal ends it (restartable). */
	assert_int_equal(lk(2, fd, LINUX_F_SETLKW, LINUX_F_WRLCK, 0, 1, NULL),
			 -ERESTARTSYS);
	/* Unlocking splits a lock; same-type neighbours merge. */
	assert_int_equal(lk(2, fd, LINUX_F_SETLK, LINUX_F_UNLCK, 0, 0, NULL),
			 0);
	assert_int_equal(lk(1, fd, LINUX_F_SETLK, LINUX_F_RDLCK, 0, 10, NULL),
			 0);
	assert_int_equal(lk(1, fd, LINUX_F_SETLK, LINUX_F_WRLCK, 3, 3, NULL),
			 0);
	assert_int_equal(getlk(2, fd, LINUX_F_WRLCK, 0, 0, &l), LINUX_F_RDLCK);
	assert_int_equal(l.l_start, 0);
	assert_int_equal(l.l_len, 3);
	assert_int_equal(getlk(2, fd, LINUX_F_RDLCK, 0, 0, &l), LINUX_F_WRLCK);
	assert_int_equal(l.l_start, 3);
	assert_int_equal(l.l_len, 3);
	assert_int_equal(getlk(2, fd, LINUX_F_WRLCK, 6, 0, &l), LINUX_F_RDLCK);
	assert_int_equal(l.l_start, 6);
	assert_int_equal(l.l_len, 4);
	assert_int_equal(lk(1, fd, LINUX_F_SETLK, LINUX_F_RDLCK, 3, 3, NULL),
			 0);
	assert_int_equal(getlk(2, fd, LINUX_F_WRLCK, 9, 1, &l), LINUX_F_RDLCK);
	assert_int_equal(l.l_start, 0);
	assert_int_equal(l.l_len, 10);
	/* A lock to EOF reports l_len 0; a negative length ends before
	 * l_start. */
	assert_int_equal(lk(1, fd, LINUX_F_SETLK, LINUX_F_WRLCK, 100, 0, NULL),
			 0);
	assert_int_equal(getlk(2, fd, LINUX_F_RDLCK, 1000, 1, &l),
			 LINUX_F_WRLCK);
	assert_int_equal(l.l_start, 100);
	assert_int_equal(l.l_len, 0);
	assert_int_equal(
		lk(1, fd, LINUX_F_SETLK, LINUX_F_UNLCK, 110, -10, NULL), 0);
	assert_int_equal(getlk(2, fd, LINUX_F_RDLCK, 100, 10, &l),
			 LINUX_F_UNLCK);
	/* Closing any descriptor of the file drops all of A's locks. */
	wr = (int)SYS(dup, .oldfd = fd);
	assert_int_equal(SYS(close, .fd = wr), 0);
	assert_int_equal(getlk(2, fd, LINUX_F_WRLCK, 0, 0, &l), LINUX_F_UNLCK);
	/* Linux's errors. */
	assert_int_equal(lk(1, fd, LINUX_F_SETLK, 7, 0, 1, NULL), -EINVAL);
	assert_int_equal(lk(1, fd, LINUX_F_GETLK, LINUX_F_UNLCK, 0, 1, NULL),
			 -EINVAL);
	assert_int_equal(lk(1, fd, LINUX_F_SETLK, LINUX_F_RDLCK, -1, 1, NULL),
			 -EINVAL);
	assert_int_equal(lk(1, fd, LINUX_F_SETLK, LINUX_F_RDLCK, 5, -6, NULL),
			 -EINVAL);
	assert_int_equal(
		lk(1, fd, LINUX_F_SETLK, LINUX_F_RDLCK, 10, INT64_MAX, NULL),
		-EOVERFLOW);
	{
		struct linux_flock bad = {.l_type = LINUX_F_RDLCK,
					  .l_whence = 9};

		assert_int_equal(SYS(fcntl, .fd = fd, .cmd = LINUX_F_SETLK,
				     .arg = G(&bad)),
				 -EINVAL);
	}
	wr = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/lk"),
		      .flags = LINUX_O_WRONLY);
	assert_int_equal(lk(1, wr, LINUX_F_SETLK, LINUX_F_RDLCK, 0, 1, NULL),
			 -EBADF);
	assert_int_equal(lk(1, wr, LINUX_F_SETLK, LINUX_F_WRLCK, 0, 1, NULL),
			 0);
	SYS(close, .fd = wr);
	drop_tables();
	SYS(close, .fd = fd);
}

/* While A sleeps for B's lock, B asks for A's: EDEADLK. */
static long deadlock_result;
static int deadlock_fd;

static int deadlock_hook(struct task *t)
{
	struct fd_table *saved = T->fdt;

	(void)t;
	deadlock_result =
		lk(2, deadlock_fd, LINUX_F_SETLKW, LINUX_F_WRLCK, 0, 1, NULL);
	T->fdt = saved;
	return -EINTR;
}

/* B unlocks while A sleeps: A is woken and gets the lock. */
static int unlock_hook(struct task *t)
{
	(void)t;
	deadlock_result =
		lk(2, deadlock_fd, LINUX_F_SETLK, LINUX_F_UNLCK, 0, 0, NULL);
	return 0;
}

static void test_lock_deadlock_and_wakeup(void **state)
{
	struct linux_flock l;

	(void)state;
	deadlock_fd =
		(int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/dl"),
			 .flags = LINUX_O_CREAT | LINUX_O_RDWR, .mode = 0644);
	fork_tables();
	assert_int_equal(
		lk(1, deadlock_fd, LINUX_F_SETLK, LINUX_F_WRLCK, 0, 1, NULL),
		0);
	assert_int_equal(
		lk(2, deadlock_fd, LINUX_F_SETLK, LINUX_F_WRLCK, 1, 1, NULL),
		0);
	fake_wait_hook = deadlock_hook;
	deadlock_result = 1;
	assert_int_equal(
		lk(1, deadlock_fd, LINUX_F_SETLKW, LINUX_F_WRLCK, 1, 1, NULL),
		-ERESTARTSYS);
	assert_int_equal(deadlock_result, -EDEADLK);
	/* Nobody waits now: B's request just sleeps (and is interrupted). */
	assert_int_equal(
		lk(2, deadlock_fd, LINUX_F_SETLKW, LINUX_F_WRLCK, 0, 1, NULL),
		-ERESTARTSYS);
	/* OFD waiters are never part of a deadlock chain. */
	fake_wait_hook = unlock_hook;
	assert_int_equal(
		lk(1, deadlock_fd, LINUX_F_SETLKW, LINUX_F_WRLCK, 1, 1, NULL),
		0);
	assert_int_equal(deadlock_result, 0);
	assert_int_equal(getlk(2, deadlock_fd, LINUX_F_WRLCK, 0, 0, &l),
			 LINUX_F_WRLCK);
	assert_int_equal(l.l_start, 0);
	assert_int_equal(l.l_len, 2);
	drop_tables();
	SYS(close, .fd = deadlock_fd);
}

static void test_ofd_locks(void **state)
{
	struct linux_flock l;
	int a, b;

	(void)state;
	a = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/ofd"),
		     .flags = LINUX_O_CREAT | LINUX_O_RDWR, .mode = 0644);
	b = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/ofd"),
		     .flags = LINUX_O_RDWR);
	fork_tables();
	/* Two descriptions of one process conflict; l_pid is -1. */
	assert_int_equal(
		lk(1, a, LINUX_F_OFD_SETLK, LINUX_F_WRLCK, 0, 10, NULL), 0);
	assert_int_equal(lk(1, b, LINUX_F_OFD_SETLK, LINUX_F_RDLCK, 5, 1, NULL),
			 -EAGAIN);
	assert_int_equal(lk(1, b, LINUX_F_OFD_GETLK, LINUX_F_RDLCK, 5, 1, &l),
			 0);
	assert_int_equal(l.l_type, LINUX_F_WRLCK);
	assert_int_equal(l.l_pid, -1);
	/* A POSIX lock of the same process conflicts with it too. */
	assert_int_equal(getlk(1, b, LINUX_F_RDLCK, 0, 1, &l), LINUX_F_WRLCK);
	assert_int_equal(lk(1, b, LINUX_F_SETLK, LINUX_F_RDLCK, 0, 1, NULL),
			 -EAGAIN);
	/* The forked table shares the description, hence the lock. */
	assert_int_equal(lk(2, a, LINUX_F_OFD_SETLK, LINUX_F_RDLCK, 0, 1, NULL),
			 0);
	{
		struct linux_flock bad = {
			.l_type = LINUX_F_RDLCK, .l_len = 1, .l_pid = 5};

		assert_int_equal(SYS(fcntl, .fd = b, .cmd = LINUX_F_OFD_SETLK,
				     .arg = G(&bad)),
				 -EINVAL);
	}
	/* Closing a's descriptor in one table keeps the lock (the
	 * description lives on in the other); the last close drops it. */
	assert_int_equal(SYS(close, .fd = a), 0);
	assert_int_equal(getlk(1, b, LINUX_F_WRLCK, 0, 1, &l), LINUX_F_RDLCK);
	assert_int_equal(getlk(1, b, LINUX_F_RDLCK, 0, 2, &l), LINUX_F_WRLCK);
	assert_int_equal(l.l_start, 1);
	assert_int_equal(l.l_len, 9);
	drop_tables();
	assert_int_equal(getlk(1, b, LINUX_F_WRLCK, 0, 0, &l), LINUX_F_UNLCK);
	SYS(close, .fd = b);
}

static int fl(int fd, unsigned op)
{
	return (int)SYS(flock, .fd = fd, .operation = op);
}

static void test_flock(void **state)
{
	int f1, f2, d, p;

	(void)state;
	f1 = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/fl"),
		      .flags = LINUX_O_CREAT | LINUX_O_RDONLY, .mode = 0644);
	f2 = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/fl"),
		      .flags = LINUX_O_RDONLY);
	assert_int_equal(fl(f1, LINUX_LOCK_EX | LINUX_LOCK_NB), 0);
	assert_int_equal(fl(f2, LINUX_LOCK_EX | LINUX_LOCK_NB), -EWOULDBLOCK);
	assert_int_equal(fl(f2, LINUX_LOCK_SH | LINUX_LOCK_NB), -EWOULDBLOCK);
	assert_int_equal(fl(f2, LINUX_LOCK_SH), -ERESTARTSYS);
	d = (int)SYS(dup, .oldfd = f1);
	assert_int_equal(fl(d, LINUX_LOCK_EX | LINUX_LOCK_NB), 0);
	/* Downgrade, then two shared locks coexist. */
	assert_int_equal(fl(d, LINUX_LOCK_SH | LINUX_LOCK_NB), 0);
	assert_int_equal(fl(f2, LINUX_LOCK_SH | LINUX_LOCK_NB), 0);
	assert_int_equal(fl(f1, LINUX_LOCK_EX | LINUX_LOCK_NB), -EWOULDBLOCK);
	/* The failed upgrade dropped f1's shared lock, as Linux. */
	assert_int_equal(fl(f2, LINUX_LOCK_EX | LINUX_LOCK_NB), 0);
	assert_int_equal(fl(f2, LINUX_LOCK_UN), 0);
	assert_int_equal(fl(f2, LINUX_LOCK_UN), 0);
	/* Closing one descriptor keeps the description's lock. */
	assert_int_equal(fl(f1, LINUX_LOCK_EX | LINUX_LOCK_NB), 0);
	assert_int_equal(SYS(close, .fd = d), 0);
	assert_int_equal(fl(f2, LINUX_LOCK_SH | LINUX_LOCK_NB), -EWOULDBLOCK);
	assert_int_equal(SYS(close, .fd = f1), 0);
	assert_int_equal(fl(f2, LINUX_LOCK_EX | LINUX_LOCK_NB), 0);
	/* Errors: the operation first, then the descriptor. */
	assert_int_equal(fl(99, LINUX_LOCK_SH | LINUX_LOCK_EX), -EINVAL);
	assert_int_equal(fl(99, 0), -EINVAL);
	assert_int_equal(fl(99, LINUX_LOCK_SH), -EBADF);
	assert_int_equal(fl(99, LINUX_LOCK_MAND), 0);
	p = (int)SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/fl"),
		     .flags = LINUX_O_PATH);
	assert_int_equal(fl(p, LINUX_LOCK_SH), -EBADF);
	SYS(close, .fd = p);
	SYS(close, .fd = f2);
}

const struct CMUnitTest vfs_files_tests[] = {
#define T_(f)                                                                  \
	cmocka_unit_test_setup_teardown(f, vfs_test_setup, vfs_test_teardown)
	T_(test_pipe_reopen), T_(test_fallocate),
	T_(test_sendfile),    T_(test_tmpfile),
	T_(test_posix_locks), T_(test_lock_deadlock_and_wakeup),
	T_(test_ofd_locks),   T_(test_flock),
#undef T_
};
const size_t vfs_files_tests_count =
	sizeof(vfs_files_tests) / sizeof(vfs_files_tests[0]);
