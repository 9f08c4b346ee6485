/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VFS unit tests, part two: fd tables (lowest free, RLIMIT_NOFILE,
 * close-on-exec, fork copies), pipe semantics at the Sentry level (EOF,
 * EPIPE and SIGPIPE, PIPE_BUF atomicity, sizes, poll events, interrupted
 * waits), and the file syscalls end to end with the test's own memory as
 * the "guest" memory (hostile pointers, lengths and flags included).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"
#include "sentry/abi/dirent.h"
#include "sentry/abi/errno.h"
#include "sentry/abi/ioctl.h"
#include "sentry/abi/poll.h"
#include "sentry/abi/resource.h"
#include "sentry/abi/stat.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/pipe.h"
#include "tests/unit/vfs_fixture.h"

static struct file *new_file(const char *path)
{
	struct file *f;

	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, path,
				  LINUX_O_CREAT | LINUX_O_RDWR, 0644, &f),
			 0);
	return f;
}

static void test_fd_lowest(void **state)
{
	struct file *f = new_file("/a");

	(void)state;
	assert_int_equal(fd_install(T, f, 0), 0);
	assert_int_equal(fd_install(T, f, 0), 1);
	assert_int_equal(fd_install(T, f, 0), 2);
	assert_int_equal(f->refs, 4);
	assert_int_equal(fd_close(T, 1), 0);
	assert_int_equal(fd_close(T, 1), -EBADF);
	assert_int_equal(fd_install(T, f, 0), 1);
	assert_int_equal(fd_install(T, f, 0), 3);
	assert_int_equal(fd_install_from(T, 10, f, 0), 10);
	assert_int_equal(fd_install(T, f, 0), 4);
	assert_int_equal(fd_install_from(T, 10, f, 0), 11);
	assert_int_equal(fdt_next(T->fdt, 5), 10);
	assert_int_equal(fdt_next(T->fdt, 12), -1);
	assert_null(fd_get(T, 5));
	assert_null(fd_get(T, -1));
	assert_null(fd_get(T, 1 << 30));
	struct file *g = fd_get(T, 10);

	assert_ptr_equal(g, f);
	file_put(g);
	file_put(f);
}

static void test_fd_rlimit(void **state)
{
	struct file *f = new_file("/a");

	(void)state;
	T->tg->rlimits[LINUX_RLIMIT_NOFILE].cur = 5;
	for (int k = 0; k < 5; k++)
		assert_int_equal(fd_install(T, f, 0), k);
	assert_int_equal(fd_install(T, f, 0), -EMFILE);
	assert_int_equal(fd_check_free(T), -EMFILE);
	assert_int_equal(fd_install_from(T, 5, f, 0), -EINVAL);
	assert_int_equal(fd_replace(T, 5, f, 0), -EBADF);
	assert_int_equal(fd_replace(T, 4, f, FD_CLOEXEC_FLAG), 4);
	assert_int_equal(fd_get_flags(T, 4), FD_CLOEXEC_FLAG);
	/* A guest raising the limit cannot make the Sentry allocate
	 * a table beyond NR_OPEN. */
	T->tg->rlimits[LINUX_RLIMIT_NOFILE].cur = ~0ULL;
	assert_int_equal(fd_replace(T, 1 << 30, f, 0), -EBADF);
	assert_int_equal(fd_replace(T, 1048575, f, 0), 1048575);
	assert_int_equal(fd_close(T, 1048575), 0);
	file_put(f);
}

static void test_fd_cloexec_and_fork(void **state)
{
	struct file *f = new_file("/a");
	struct fd_table *child;

	(void)state;
	assert_int_equal(fd_install(T, f, 0), 0);
	assert_int_equal(fd_install(T, f, FD_CLOEXEC_FLAG), 1);
	assert_int_equal(fd_install(T, f, 0), 2);
	assert_int_equal(fd_table_copy(T->fdt, &child), 0);
	assert_int_equal(f->refs, 7);
	assert_int_equal(fdt_close(child, 0), 0);
	assert_non_null(fd_get(T, 0));
	file_put(f); /* the fd_get */
	fd_table_exec(T);
	assert_null(fd_get(T, 1));
	assert_int_equal(fdt_next(T->fdt, 0), 0);
	assert_int_equal(fdt_next(T->fdt, 1), 2);
	/* The child's table is its own. */
	struct file *g = fdt_get(child, 1, NULL);

	assert_ptr_equal(g, f);
	file_put(g);
	fd_table_put(child);
	assert_int_equal(f->refs, 3);
	file_put(f);
}

/* Pipe I/O helpers on Sentry buffers; `t` makes the call block-capable. */
static long pio(struct file *f, void *buf, size_t len, bool wr, struct task *t)
{
	struct linux_iovec seg;
	struct vfs_uio u;

	vfs_uio_init_sentry(&u, &seg, buf, len);
	u.t = t;
	return wr ? vfs_write(f, &u, NULL) : vfs_read(f, &u, NULL);
}

static void test_pipe_basic(void **state)
{
	struct file *r, *w;
	char buf[16];

	(void)state;
	assert_int_equal(pipe_create(T, LINUX_O_NONBLOCK, &r, &w), 0);
	assert_true(LINUX_S_ISFIFO(r->inode->mode));
	assert_ptr_equal(r->inode, w->inode);
	assert_int_equal(pio(r, buf, sizeof(buf), false, T), -EAGAIN);
	assert_int_equal(r->ops->poll(r, NULL), 0);
	assert_true(w->ops->poll(w, NULL) & LINUX_POLLOUT);
	assert_int_equal(pio(w, "hello", 5, true, T), 5);
	assert_int_equal(pipe_bytes(r), 5);
	assert_true(r->ops->poll(r, NULL) & LINUX_POLLIN);
	assert_int_equal(pio(r, buf, 3, false, T), 3);
	assert_memory_equal(buf, "hel", 3);
	assert_int_equal(pio(r, buf, sizeof(buf), false, T), 2);
	assert_memory_equal(buf, "lo", 2);
	/* Wrap around the ring. */
	for (int k = 0; k < 20000; k++) {
		char c = (char)k, d;

		assert_int_equal(pio(w, &c, 1, true, T), 1);
		assert_int_equal(pio(r, &d, 1, false, T), 1);
		assert_int_equal(c, d);
	}
	/* No writer: EOF and POLLHUP. */
	assert_int_equal(pio(w, "x", 1, true, T), 1);
	file_put(w);
	assert_true(r->ops->poll(r, NULL) & LINUX_POLLHUP);
	assert_int_equal(pio(r, buf, sizeof(buf), false, T), 1);
	assert_int_equal(pio(r, buf, sizeof(buf), false, T), 0);
	file_put(r);
	/* No reader: EPIPE and a SIGPIPE to the writer. */
	assert_int_equal(pipe_create(T, 0, &r, &w), 0);
	file_put(r);
	fake_signals_sent = 0;
	assert_true(w->ops->poll(w, NULL) & LINUX_POLLERR);
	assert_int_equal(pio(w, "x", 1, true, T), -EPIPE);
	assert_int_equal(fake_signals_sent, 1);
	assert_int_equal(fake_last_signal, LINUX_SIGPIPE);
	assert_int_equal(pio(w, "", 0, true, T), 0);
	assert_int_equal(fake_signals_sent, 1);
	file_put(w);
}

static void test_pipe_atomic_and_size(void **state)
{
	static char big[70000];
	struct file *r, *w;
	struct waitq *wq = NULL;

	(void)state;
	assert_int_equal(pipe_create(T, LINUX_O_NONBLOCK, &r, &w), 0);
	assert_int_equal(w->ops->fcntl(w, T, LINUX_F_GETPIPE_SZ, 0), 65536);
	assert_int_equal(pio(w, big, 65536 - 100, true, T), 65536 - 100);
	/* At most PIPE_BUF bytes go in whole or not at all. */
	assert_int_equal(pio(w, big, 200, true, T), -EAGAIN);
	assert_int_equal(pio(w, big, 4096, true, T), -EAGAIN);
	/* Larger writes may be split. */
	assert_int_equal(pio(w, big, 5000, true, T), 100);
	assert_int_equal(pio(w, big, 1, true, T), -EAGAIN);
	assert_false(w->ops->poll(w, &wq) & LINUX_POLLOUT);
	assert_non_null(wq);
	/* Shrinking below the contents is EBUSY. */
	assert_int_equal(w->ops->fcntl(w, T, LINUX_F_SETPIPE_SZ, 4096), -EBUSY);
	assert_int_equal(pio(r, big, sizeof(big), false, T), 65536);
	assert_int_equal(w->ops->fcntl(w, T, LINUX_F_SETPIPE_SZ, 0), 4096);
	assert_int_equal(w->ops->fcntl(w, T, LINUX_F_SETPIPE_SZ, 5000), 8192);
	/* Root may ask for 2 GiB: it costs nothing until written. */
	assert_int_equal(w->ops->fcntl(w, T, LINUX_F_SETPIPE_SZ, 1u << 31),
			 1L << 31);
	test_become(1000, 1000, false);
	assert_int_equal(w->ops->fcntl(w, T, LINUX_F_SETPIPE_SZ, 3 << 20),
			 -EPERM);
	assert_int_equal(w->ops->fcntl(w, T, LINUX_F_SETPIPE_SZ, 1 << 20),
			 1 << 20);
	assert_int_equal(w->ops->fcntl(w, T, LINUX_F_SETPIPE_SZ, 0x80000001u),
			 -EINVAL);
	test_become(0, 0, true);
	/* Content survives a resize. */
	assert_int_equal(w->ops->fcntl(w, T, LINUX_F_SETPIPE_SZ, 4096), 4096);
	assert_int_equal(pio(w, "abcdef", 6, true, T), 6);
	assert_int_equal(pio(r, big, 3, false, T), 3);
	assert_int_equal(w->ops->fcntl(w, T, LINUX_F_SETPIPE_SZ, 65536), 65536);
	assert_int_equal(pio(r, big, 10, false, T), 3);
	assert_memory_equal(big, "def", 3);
	file_put(r);
	file_put(w);
}

static void test_pipe_interrupted(void **state)
{
	struct file *r, *w;
	char c;

	(void)state;
	assert_int_equal(pipe_create(T, 0, &r, &w), 0);
	/* The fake task_wait reports a signal at once: a blocking read on
	 * an empty pipe returns -ERESTARTSYS (SA_RESTART decides). */
	assert_int_equal(pio(r, &c, 1, false, T), -ERESTARTSYS);
	/* Without a task a read cannot block at all. */
	assert_int_equal(pio(r, &c, 1, false, NULL), -EAGAIN);
	file_put(r);
	file_put(w);
}

static void test_fifo(void **state)
{
	struct file *r, *w, *rw;

	(void)state;
	assert_int_equal(
		vfs_mknod(T, LINUX_AT_FDCWD, "/fifo", LINUX_S_IFIFO | 0644, 0),
		0);
	/* A write-only non-blocking open without a reader is ENXIO; a
	 * non-blocking read-only open succeeds at once. */
	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, "/fifo",
				  LINUX_O_WRONLY | LINUX_O_NONBLOCK, 0, &w),
			 -ENXIO);
	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, "/fifo",
				  LINUX_O_RDONLY | LINUX_O_NONBLOCK, 0, &r),
			 0);
	assert_false(r->ops->poll(r, NULL) & LINUX_POLLHUP);
	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, "/fifo",
				  LINUX_O_WRONLY | LINUX_O_NONBLOCK, 0, &w),
			 0);
	assert_int_equal(pio(w, "ab", 2, true, NULL), 2);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/fifo", LINUX_O_RDWR, 0, &rw), 0);
	char buf[4];

	assert_int_equal(pio(rw, buf, 4, false, NULL), 2);
	file_put(w);
	file_put(rw);
	assert_true(r->ops->poll(r, NULL) & LINUX_POLLHUP);
	file_put(r);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/fifo"), 0);
}

static void test_hostfd(void **state)
{
	char buf[16], path[64], tmpl[] = "/tmp/cvisor-hostfd-XXXXXX";
	struct file *f;
	struct kstat k;
	int32_t n;
	int p[2], fd;

	(void)state;
	/* A host pipe: stream reads through readiness waits. */
	assert_int_equal(pipe(p), 0);
	assert_int_equal(hostfd_import(p[0], LINUX_O_RDONLY, &f), 0);
	assert_int_equal(hostfd_host_fd(f), p[0]);
	assert_int_equal(write(p[1], "abc", 3), 3);
	assert_int_equal(f->ops->ioctl(f, T, LINUX_FIONREAD, G(&n)), 0);
	assert_int_equal(n, 3);
	assert_true(f->ops->poll(f, NULL) & LINUX_POLLIN);
	assert_int_equal(pio(f, buf, sizeof(buf), false, NULL), 3);
	assert_memory_equal(buf, "abc", 3);
	assert_int_equal(pio(f, buf, sizeof(buf), false, NULL), -EAGAIN);
	/* The fake host wait reports a signal. */
	assert_int_equal(pio(f, buf, sizeof(buf), false, T), -ERESTARTSYS);
	assert_int_equal(f->ops->ioctl(f, T, LINUX_TCGETS, G(buf)), -ENOTTY);
	assert_int_equal(f->ops->ioctl(f, T, 0xdeadbeef, G(buf)), -ENOTTY);
	assert_int_equal(f->ops->llseek(f, 0, LINUX_SEEK_SET), -ESPIPE);
	assert_int_equal(f->ops->fsync(f, false), -EINVAL);
	assert_int_equal(vfs_getattr(&f->path, &k), 0);
	assert_true(LINUX_S_ISFIFO(k.mode));
	assert_true(vfs_file_path_string(T, f, path, sizeof(path)) > 0);
	assert_memory_equal(path, "pipe:[", 6);
	close(p[1]);
	assert_int_equal(pio(f, buf, sizeof(buf), false, NULL), 0);
	file_put(f);
	assert_int_equal(fcntl(p[0], F_GETFD), -1); /* closed with the file */

	/* A host regular file: positioned I/O from the host offset. */
	fd = mkstemp(tmpl);
	assert_true(fd >= 0);
	unlink(tmpl);
	assert_int_equal(write(fd, "hello", 5), 5);
	assert_int_equal(lseek(fd, 2, SEEK_SET), 2);
	assert_int_equal(hostfd_import(fd, LINUX_O_RDWR, &f), 0);
	assert_int_equal(f->pos, 2);
	assert_int_equal(pio(f, buf, sizeof(buf), false, NULL), 3);
	assert_memory_equal(buf, "llo", 3);
	assert_int_equal(f->ops->llseek(f, 0, LINUX_SEEK_END), 5);
	assert_int_equal(pio(f, "!!", 2, true, NULL), 2);
	assert_int_equal(vfs_file_pread(f, buf, sizeof(buf), 0), 7);
	assert_memory_equal(buf, "hello!!", 7);
	assert_int_equal(vfs_getattr(&f->path, &k), 0);
	assert_int_equal(k.size, 7);
	assert_int_equal(f->ops->ioctl(f, T, LINUX_FIONREAD, G(&n)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(f->ops->fsync(f, true), 0);
	file_put(f);
}

/* ---------------------------------------------------------------- */
/* The syscalls, with the test's memory as the guest's.               */

#define SYS(name, ...) kern_##name(T, &(struct name##_args){__VA_ARGS__})

static void test_sys_rw(void **state)
{
	char buf[64];
	long fd;

	(void)state;
	fd = SYS(openat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/f"),
		 .flags = LINUX_O_CREAT | LINUX_O_RDWR | LINUX_O_CLOEXEC,
		 .mode = 0600);
	assert_int_equal(fd, 0);
	assert_int_equal(SYS(fcntl, .fd = 0, .cmd = LINUX_F_GETFD), 1);
	assert_int_equal(SYS(fcntl, .fd = 0, .cmd = LINUX_F_GETFL),
			 LINUX_O_RDWR | LINUX_O_LARGEFILE);
	assert_int_equal(
		SYS(write, .fd = 0, .buf = G("hello world"), .count = 11), 11);
	assert_int_equal(SYS(lseek, .fd = 0, .offset = 0, .whence = 0), 0);
	assert_int_equal(SYS(read, .fd = 0, .buf = G(buf), .count = 5), 5);
	assert_memory_equal(buf, "hello", 5);
	assert_int_equal(
		SYS(pread64, .fd = 0, .buf = G(buf), .count = 64, .pos = 6), 5);
	assert_memory_equal(buf, "world", 5);
	assert_int_equal(SYS(lseek, .fd = 0, .offset = 0, .whence = 1), 5);
	assert_int_equal(SYS(lseek, .fd = 0, .offset = 0, .whence = 5),
			 -EINVAL);
	assert_int_equal(SYS(lseek, .fd = 0, .offset = -100, .whence = 1),
			 -EINVAL);
	/* Hostile arguments. */
	assert_int_equal(
		SYS(pread64, .fd = 99, .buf = G(buf), .count = 1, .pos = -1),
		-EINVAL);
	assert_int_equal(SYS(read, .fd = 99, .buf = G(buf), .count = 1),
			 -EBADF);
	assert_int_equal(SYS(read, .fd = -1, .buf = G(buf), .count = 1),
			 -EBADF);
	assert_int_equal(SYS(read, .fd = 0, .buf = 0, .count = 10), -EFAULT);
	assert_int_equal(SYS(read, .fd = 0, .buf = ~0ULL - 5, .count = 10),
			 -EFAULT);
	assert_int_equal(SYS(write, .fd = 0, .buf = 0x10, .count = 10),
			 -EFAULT);
	/* Read into a read-only buffer. */
	fake_ro_start = G(buf) + 32;
	fake_ro_end = G(buf) + sizeof(buf);
	assert_int_equal(
		SYS(pread64, .fd = 0, .buf = G(buf) + 32, .count = 4, .pos = 0),
		-EFAULT);
	/* ...partly read-only: a short read up to the fault. */
	assert_int_equal(
		SYS(pread64, .fd = 0, .buf = G(buf) + 30, .count = 4, .pos = 0),
		2);
	fake_ro_start = fake_ro_end = 0;
	/* A huge count is clamped, not trusted. */
	assert_int_equal(SYS(pread64, .fd = 0, .buf = G(buf),
			     .count = 1ULL << 62, .pos = 0),
			 -EFAULT);
	assert_int_equal(SYS(close, .fd = 0), 0);
	assert_int_equal(SYS(close, .fd = 0), -EBADF);
}

static void test_sys_vectors(void **state)
{
	struct linux_iovec iov[3];
	char a[4], b[8];
	long fd;

	(void)state;
	fd = SYS(open, .pathname = G("/v"),
		 .flags = LINUX_O_CREAT | LINUX_O_RDWR, .mode = 0600);
	assert_true(fd >= 0);
	iov[0] = (struct linux_iovec){G("abc"), 3};
	iov[1] = (struct linux_iovec){0, 0};
	iov[2] = (struct linux_iovec){G("defgh"), 5};
	assert_int_equal(SYS(writev, .fd = (int)fd, .iov = G(iov), .iovcnt = 3),
			 8);
	iov[0] = (struct linux_iovec){G(a), 4};
	iov[1] = (struct linux_iovec){G(b), 8};
	assert_int_equal(SYS(preadv, .fd = (int)fd, .iov = G(iov), .iovcnt = 2,
			     .pos_l = 0),
			 8);
	assert_memory_equal(a, "abcd", 4);
	assert_memory_equal(b, "efgh", 4);
	assert_int_equal(
		SYS(readv, .fd = (int)fd, .iov = G(iov), .iovcnt = 1025),
		-EINVAL);
	assert_int_equal(SYS(readv, .fd = (int)fd, .iov = 0, .iovcnt = 1),
			 -EFAULT);
	iov[0].len = (uint64_t)-1;
	assert_int_equal(SYS(readv, .fd = (int)fd, .iov = G(iov), .iovcnt = 2),
			 -EINVAL);
	iov[0].len = 1ULL << 62;
	iov[0].base = G(a);
	assert_int_equal(SYS(readv, .fd = (int)fd, .iov = G(iov), .iovcnt = 1),
			 -EFAULT);
	assert_int_equal(SYS(readv, .fd = (int)fd, .iov = G(iov), .iovcnt = 0),
			 0);
	assert_int_equal(SYS(preadv, .fd = (int)fd, .iov = G(iov), .iovcnt = 1,
			     .pos_l = -5),
			 -EINVAL);
	iov[0] = (struct linux_iovec){G(a), 4};
	assert_int_equal(SYS(preadv2, .fd = (int)fd, .iov = G(iov), .iovcnt = 1,
			     .pos_l = -1, .flags = LINUX_RWF_NOWAIT),
			 -EOPNOTSUPP);
	/* pos -1: the file offset, which advances. */
	assert_int_equal(SYS(lseek, .fd = (int)fd, .offset = 6, .whence = 0),
			 6);
	assert_int_equal(SYS(preadv2, .fd = (int)fd, .iov = G(iov), .iovcnt = 1,
			     .pos_l = -1),
			 2);
	assert_int_equal(SYS(lseek, .fd = (int)fd, .offset = 0, .whence = 1),
			 8);
	/* A 0 total returns 0 even for a directory. */
	long d = SYS(open, .pathname = G("/"), .flags = LINUX_O_RDONLY);

	assert_int_equal(SYS(readv, .fd = (int)d, .iov = G(iov), .iovcnt = 0),
			 0);
	assert_int_equal(SYS(read, .fd = (int)d, .buf = G(a), .count = 0),
			 -EISDIR);
	assert_int_equal(SYS(write, .fd = (int)d, .buf = G(a), .count = 1),
			 -EBADF);
}

static void test_sys_pipes_and_fds(void **state)
{
	int32_t fds[2];
	int32_t n;
	char c;

	(void)state;
	assert_int_equal(SYS(pipe2, .pipefd = G(fds),
			     .flags = LINUX_O_NONBLOCK | LINUX_O_CLOEXEC),
			 0);
	assert_int_equal(fds[0], 0);
	assert_int_equal(fds[1], 1);
	assert_int_equal(SYS(fcntl, .fd = 0, .cmd = LINUX_F_GETFL),
			 LINUX_O_RDONLY | LINUX_O_NONBLOCK);
	assert_int_equal(SYS(fcntl, .fd = 1, .cmd = LINUX_F_GETFD),
			 LINUX_FD_CLOEXEC);
	assert_int_equal(SYS(read, .fd = 0, .buf = G(&c), .count = 1), -EAGAIN);
	assert_int_equal(
		SYS(pread64, .fd = 0, .buf = G(&c), .count = 1, .pos = 0),
		-ESPIPE);
	assert_int_equal(SYS(lseek, .fd = 0, .offset = 0, .whence = 0),
			 -ESPIPE);
	assert_int_equal(SYS(write, .fd = 1, .buf = G("xyz"), .count = 3), 3);
	assert_int_equal(
		SYS(ioctl, .fd = 0, .cmd = LINUX_FIONREAD, .arg = G(&n)), 0);
	assert_int_equal(n, 3);
	assert_int_equal(SYS(fcntl, .fd = 0, .cmd = LINUX_F_GETPIPE_SZ), 65536);
	assert_int_equal(SYS(pipe2, .pipefd = G(fds), .flags = 0x1), -EINVAL);
	assert_int_equal(SYS(pipe, .pipefd = 0x8), -EFAULT);
	/* The failed pipe left no descriptors behind. */
	assert_int_equal(fdt_next(T->fdt, 2), -1);
	/* F_SETFL changes only the settable flags. */
	assert_int_equal(SYS(fcntl, .fd = 0, .cmd = LINUX_F_SETFL,
			     .arg = LINUX_O_RDWR | LINUX_O_APPEND),
			 0);
	assert_int_equal(SYS(fcntl, .fd = 0, .cmd = LINUX_F_GETFL),
			 LINUX_O_RDONLY | LINUX_O_APPEND);
	n = 1;
	assert_int_equal(
		SYS(ioctl, .fd = 0, .cmd = LINUX_FIONBIO, .arg = G(&n)), 0);
	assert_int_equal(SYS(fcntl, .fd = 0, .cmd = LINUX_F_GETFL),
			 LINUX_O_RDONLY | LINUX_O_APPEND | LINUX_O_NONBLOCK);
	assert_int_equal(SYS(ioctl, .fd = 0, .cmd = LINUX_FIONCLEX), 0);
	assert_int_equal(SYS(fcntl, .fd = 0, .cmd = LINUX_F_GETFD), 0);
	assert_int_equal(SYS(ioctl, .fd = 0, .cmd = LINUX_TCGETS, .arg = G(&n)),
			 -ENOTTY);
	/* dup family. */
	assert_int_equal(SYS(dup, .oldfd = 1), 2);
	assert_int_equal(SYS(dup2, .oldfd = 1, .newfd = 1), 1);
	assert_int_equal(SYS(dup2, .oldfd = 9, .newfd = 9), -EBADF);
	assert_int_equal(SYS(dup3, .oldfd = 1, .newfd = 1), -EINVAL);
	assert_int_equal(
		SYS(dup3, .oldfd = 1, .newfd = 7, .flags = LINUX_O_CLOEXEC), 7);
	assert_int_equal(SYS(fcntl, .fd = 7, .cmd = LINUX_F_GETFD), 1);
	assert_int_equal(SYS(dup2, .oldfd = 1, .newfd = -1), -EBADF);
	assert_int_equal(SYS(dup2, .oldfd = 1, .newfd = 1024), -EBADF);
	assert_int_equal(SYS(fcntl, .fd = 1, .cmd = LINUX_F_DUPFD, .arg = 5),
			 5);
	assert_int_equal(SYS(fcntl, .fd = 1, .cmd = LINUX_F_DUPFD, .arg = 1024),
			 -EINVAL);
	assert_int_equal(SYS(fcntl, .fd = 1, .cmd = LINUX_F_SETLK, .arg = 0),
			 -EFAULT);
	/* close_range: cloexec, then close. */
	assert_int_equal(SYS(close_range, .first = 5, .last = 4), -EINVAL);
	assert_int_equal(SYS(close_range, .first = 2, .last = ~0u,
			     .flags = LINUX_CLOSE_RANGE_CLOEXEC),
			 0);
	assert_int_equal(SYS(fcntl, .fd = 5, .cmd = LINUX_F_GETFD), 1);
	assert_int_equal(SYS(close_range, .first = 2, .last = ~0u), 0);
	assert_int_equal(fdt_next(T->fdt, 2), -1);
	/* fcntl on a regular file: no pipe size. */
	long fd = SYS(open, .pathname = G("/r"),
		      .flags = LINUX_O_CREAT | LINUX_O_RDWR, .mode = 0644);

	assert_int_equal(SYS(fcntl, .fd = (int)fd, .cmd = LINUX_F_GETPIPE_SZ),
			 -EBADF);
	/* O_PATH descriptors: fstat and fcntl(F_GETFL) only. */
	long p = SYS(open, .pathname = G("/r"), .flags = LINUX_O_PATH);
	struct linux_stat st;

	assert_true(p >= 0);
	assert_int_equal(SYS(fstat, .fd = (int)p, .statbuf = G(&st)), 0);
	assert_int_equal(SYS(read, .fd = (int)p, .buf = G(&c), .count = 1),
			 -EBADF);
	assert_int_equal(SYS(fcntl, .fd = (int)p, .cmd = LINUX_F_SETFL),
			 -EBADF);
	assert_int_equal(
		SYS(ioctl, .fd = (int)p, .cmd = LINUX_FIONREAD, .arg = G(&n)),
		-EBADF);
	assert_int_equal(SYS(fcntl, .fd = (int)p, .cmd = LINUX_F_GETFL),
			 LINUX_O_PATH);
}

static void test_sys_stat_and_dirs(void **state)
{
	struct linux_stat st;
	struct linux_statx sx;
	char buf[512];
	long n;

	(void)state;
	assert_int_equal(SYS(mkdir, .pathname = G("/d"), .mode = 0750), 0);
	assert_int_equal(SYS(mkdirat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/d/e"), .mode = 0755),
			 0);
	assert_int_equal(SYS(symlink, .target = G("e"), .linkpath = G("/d/l")),
			 0);
	assert_int_equal(SYS(stat, .pathname = G("/d/l"), .statbuf = G(&st)),
			 0);
	assert_int_equal(st.st_mode, LINUX_S_IFDIR | 0755);
	assert_int_equal(SYS(lstat, .pathname = G("/d/l"), .statbuf = G(&st)),
			 0);
	assert_int_equal(st.st_mode, LINUX_S_IFLNK | 0777);
	assert_int_equal(st.st_size, 1);
	assert_int_equal(SYS(newfstatat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/d/l"), .statbuf = G(&st),
			     .flags = 0x8000),
			 -EINVAL);
	assert_int_equal(SYS(stat, .pathname = G(""), .statbuf = G(&st)),
			 -ENOENT);
	assert_int_equal(SYS(stat, .pathname = 0, .statbuf = G(&st)), -EFAULT);
	assert_int_equal(SYS(stat, .pathname = G("/d"), .statbuf = 0x10),
			 -EFAULT);
	assert_int_equal(
		SYS(statx, .dirfd = LINUX_AT_FDCWD, .pathname = G("/d"),
		    .mask = LINUX_STATX_BASIC_STATS, .statxbuf = G(&sx)),
		0);
	assert_int_equal(sx.stx_mode, LINUX_S_IFDIR | 0750);
	assert_int_equal(sx.stx_nlink, 3);
	assert_true(sx.stx_mask & LINUX_STATX_INO);
	assert_int_equal(SYS(statx, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/d"), .flags = 0x6000,
			     .statxbuf = G(&sx)),
			 -EINVAL);
	assert_int_equal(SYS(statx, .dirfd = LINUX_AT_FDCWD, .pathname = G("/"),
			     .mask = 0x80000000u, .statxbuf = G(&sx)),
			 -EINVAL);
	assert_int_equal(SYS(statx, .dirfd = LINUX_AT_FDCWD, .pathname = G("/"),
			     .statxbuf = G(&sx)),
			 0);
	assert_true(sx.stx_attributes & LINUX_STATX_ATTR_MOUNT_ROOT);
	/* readlink. */
	assert_int_equal(SYS(readlink, .pathname = G("/d/l"), .buf = G(buf),
			     .bufsiz = 100),
			 1);
	assert_int_equal(buf[0], 'e');
	assert_int_equal(SYS(readlink, .pathname = G("/d"), .buf = G(buf),
			     .bufsiz = 100),
			 -EINVAL);
	assert_int_equal(
		SYS(readlink, .pathname = G(""), .buf = G(buf), .bufsiz = 100),
		-ENOENT);
	assert_int_equal(SYS(readlink, .pathname = G("/d/l"), .buf = G(buf),
			     .bufsiz = 0),
			 -EINVAL);
	/* getdents64 of /d: ".", "..", "e", "l". */
	long fd = SYS(open, .pathname = G("/d"),
		      .flags = LINUX_O_RDONLY | LINUX_O_DIRECTORY);

	assert_int_equal(
		SYS(getdents64, .fd = (int)fd, .dirp = G(buf), .count = 10),
		-EINVAL);
	n = SYS(getdents64, .fd = (int)fd, .dirp = G(buf),
		.count = sizeof(buf));
	assert_int_equal(n, 24 * 4);
	{
		int count = 0;

		for (long off = 0; off < n; count++) {
			struct linux_dirent64 *d = (void *)(buf + off);

			if (count == 2) {
				assert_string_equal(d->d_name, "e");
				assert_int_equal(d->d_type, LINUX_DT_DIR);
			}
			if (count == 3) {
				assert_string_equal(d->d_name, "l");
				assert_int_equal(d->d_type, LINUX_DT_LNK);
			}
			off += d->d_reclen;
		}
		assert_int_equal(count, 4);
	}
	assert_int_equal(SYS(getdents64, .fd = (int)fd, .dirp = G(buf),
			     .count = sizeof(buf)),
			 0);
	assert_int_equal(SYS(lseek, .fd = (int)fd, .offset = 0, .whence = 0),
			 0);
	n = SYS(getdents, .fd = (int)fd, .dirp = G(buf), .count = sizeof(buf));
	assert_int_equal(n, 24 * 4);
	assert_int_equal(buf[24 * 2 + 23], LINUX_DT_DIR); /* "e": last byte */
	long f = SYS(open, .pathname = G("/d/l"), .flags = LINUX_O_RDONLY);

	assert_int_equal(
		SYS(getdents64, .fd = 99, .dirp = G(buf), .count = 100),
		-EBADF);
	(void)f;
	/* cwd. */
	assert_int_equal(SYS(chdir, .path = G("/d/l")), 0);
	assert_int_equal(SYS(getcwd, .buf = G(buf), .size = sizeof(buf)), 5);
	assert_string_equal(buf, "/d/e");
	assert_int_equal(SYS(getcwd, .buf = G(buf), .size = 4), -ERANGE);
	assert_int_equal(SYS(chdir, .path = G("/d/l/x")), -ENOENT);
	assert_int_equal(SYS(fchdir, .fd = (int)fd), 0);
	assert_int_equal(SYS(getcwd, .buf = G(buf), .size = sizeof(buf)), 3);
	assert_int_equal(SYS(rmdir, .pathname = G("/d/e")), 0);
	assert_int_equal(SYS(chdir, .path = G("/d/l")), -ENOENT);
	/* A removed cwd: getcwd is ENOENT. */
	assert_int_equal(SYS(mkdir, .pathname = G("/gone"), .mode = 0755), 0);
	assert_int_equal(SYS(chdir, .path = G("/gone")), 0);
	assert_int_equal(SYS(rmdir, .pathname = G("/gone")), 0);
	assert_int_equal(SYS(getcwd, .buf = G(buf), .size = sizeof(buf)),
			 -ENOENT);
	assert_int_equal(SYS(umask, .mask = 077), 022);
	assert_int_equal(SYS(umask, .mask = 0177022), 077);
	assert_int_equal(T->fs->umask, 022);
}

static void test_sys_access_and_attrs(void **state)
{
	struct linux_stat st;
	int64_t ts[4] = {1000, 5, 2000, (1L << 30) - 2};

	(void)state;
	assert_int_equal(SYS(creat, .pathname = G("/x"), .mode = 0640), 0);
	assert_int_equal(SYS(access, .pathname = G("/x"), .mode = 4 | 2), 0);
	assert_int_equal(SYS(access, .pathname = G("/x"), .mode = 1), -EACCES);
	assert_int_equal(SYS(access, .pathname = G("/x"), .mode = 8), -EINVAL);
	assert_int_equal(SYS(faccessat2, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/x"), .mode = 0, .flags = 1),
			 -EINVAL);
	/* access uses the real uid: a setuid-root-like task with a real uid
	 * of 1000 is refused. */
	test_creds.uid = 1000;
	test_creds.gid = 1000;
	assert_int_equal(SYS(access, .pathname = G("/x"), .mode = 4), -EACCES);
	assert_int_equal(SYS(faccessat2, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/x"), .mode = 4,
			     .flags = LINUX_AT_EACCESS),
			 0);
	test_become(0, 0, true);
	assert_int_equal(SYS(chmod, .pathname = G("/x"), .mode = 0755), 0);
	assert_int_equal(SYS(fchmodat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/x"), .mode = 0700),
			 0);
	assert_int_equal(SYS(fchmod, .fd = 0, .mode = 0600), 0);
	assert_int_equal(SYS(stat, .pathname = G("/x"), .statbuf = G(&st)), 0);
	assert_int_equal(st.st_mode, LINUX_S_IFREG | 0600);
	assert_int_equal(
		SYS(chown, .pathname = G("/x"), .owner = 7, .group = 8), 0);
	assert_int_equal(SYS(stat, .pathname = G("/x"), .statbuf = G(&st)), 0);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(st.st_gid, 8);
	assert_int_equal(SYS(utimensat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/x"), .times = G(ts)),
			 0);
	assert_int_equal(SYS(stat, .pathname = G("/x"), .statbuf = G(&st)), 0);
	assert_int_equal(st.st_atime_sec, 1000);
	assert_int_equal(st.st_atime_nsec, 5);
	assert_true(st.st_mtime_sec > 2000); /* UTIME_OMIT kept it */
	ts[1] = 1000000000;
	assert_int_equal(SYS(utimensat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/x"), .times = G(ts)),
			 -EINVAL);
	test_become(1000, 1000, false);
	ts[1] = 0;
	assert_int_equal(SYS(utimensat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/x"), .times = G(ts)),
			 -EPERM);
	assert_int_equal(SYS(utimensat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/x"), .times = 0),
			 -EACCES);
	test_become(0, 0, true);
	/* truncate and ftruncate. */
	assert_int_equal(SYS(truncate, .path = G("/x"), .length = 100), 0);
	assert_int_equal(SYS(fstat, .fd = 0, .statbuf = G(&st)), 0);
	assert_int_equal(st.st_size, 100);
	assert_int_equal(SYS(truncate, .path = G("/x"), .length = -1), -EINVAL);
	assert_int_equal(SYS(truncate, .path = G("/nope"), .length = -1),
			 -ENOENT);
	assert_int_equal(SYS(ftruncate, .fd = 0, .length = 10), 0);
	long ro = SYS(open, .pathname = G("/x"), .flags = LINUX_O_RDONLY);

	assert_int_equal(SYS(ftruncate, .fd = (int)ro, .length = 0), -EINVAL);
	assert_int_equal(SYS(fsync, .fd = 0), 0);
	assert_int_equal(SYS(fdatasync, .fd = 99), -EBADF);
	/* Renames and links through the syscalls. */
	assert_int_equal(SYS(link, .oldpath = G("/x"), .newpath = G("/y")), 0);
	assert_int_equal(SYS(renameat2, .olddirfd = LINUX_AT_FDCWD,
			     .oldpath = G("/y"), .newdirfd = LINUX_AT_FDCWD,
			     .newpath = G("/x"),
			     .flags = LINUX_RENAME_NOREPLACE),
			 -EEXIST);
	assert_int_equal(SYS(rename, .oldpath = G("/y"), .newpath = G("/z")),
			 0);
	assert_int_equal(SYS(unlinkat, .dirfd = LINUX_AT_FDCWD,
			     .pathname = G("/z"), .flags = 0x1),
			 -EINVAL);
	assert_int_equal(
		SYS(unlinkat, .dirfd = LINUX_AT_FDCWD, .pathname = G("/z")), 0);
	assert_int_equal(SYS(stat, .pathname = G("/x"), .statbuf = G(&st)), 0);
	assert_int_equal(st.st_nlink, 1);
	/* A path of PATH_MAX bytes without its NUL is too long. */
	char *lng = malloc(LINUX_PATH_MAX + 1);

	memset(lng, 'a', LINUX_PATH_MAX);
	lng[LINUX_PATH_MAX] = 0;
	assert_int_equal(SYS(stat, .pathname = G(lng), .statbuf = G(&st)),
			 -ENAMETOOLONG);
	free(lng);
}

static void test_sys_statfs(void **state)
{
	struct linux_statfs s;

	(void)state;
	assert_int_equal(SYS(statfs, .path = G("/"), .buf = G(&s)), 0);
	assert_int_equal(s.f_type, 0x01021994);
	assert_int_equal(s.f_namelen, 255);
	assert_true(s.f_flags & LINUX_ST_VALID);
	assert_int_equal(SYS(statfs, .path = G("/nope"), .buf = G(&s)),
			 -ENOENT);
}

const struct CMUnitTest vfs_io_tests[] = {
#define T_(f)                                                                  \
	cmocka_unit_test_setup_teardown(f, vfs_test_setup, vfs_test_teardown)
	T_(test_fd_lowest),
	T_(test_fd_rlimit),
	T_(test_fd_cloexec_and_fork),
	T_(test_pipe_basic),
	T_(test_pipe_atomic_and_size),
	T_(test_pipe_interrupted),
	T_(test_fifo),
	T_(test_hostfd),
	T_(test_sys_rw),
	T_(test_sys_vectors),
	T_(test_sys_pipes_and_fds),
	T_(test_sys_stat_and_dirs),
	T_(test_sys_access_and_attrs),
	T_(test_sys_statfs),
#undef T_
};
const size_t vfs_io_tests_count =
	sizeof(vfs_io_tests) / sizeof(vfs_io_tests[0]);
