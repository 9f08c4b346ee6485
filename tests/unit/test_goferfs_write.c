/* SPDX-License-Identifier: Apache-2.0 */
/*
 * A writable goferfs (a host directory mounted writable, as runsc do
 * --rw-dir does) through the VFS, served by a real writable Gofer in a
 * forked child under its seccomp filter: file data by read/write and by
 * a shared mapping's page cache, namespace changes, attributes, statfs,
 * fsync and syncfs all reach the host directory; symlinks planted there
 * resolve in the sandbox's tree; device nodes are refused; and nothing
 * outside the served directory changes.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "gen/linux_flags.h"
#include "gofer/client.h"
#include "gofer/server.h"
#include "lib/seccomp_filter.h"
#include "sentry/fs/goferfs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/vfs.h"

static struct {
	char base[64], root[128], outside[128];
	pid_t gofer;
	struct gofer_client *c;
	struct kernel k;
	struct task t;
	struct superblock *sb;
} fx;

static struct task *T = &fx.t;

static void host(char *p, size_t n, const char *rel)
{
	snprintf(p, n, "%s/%s", fx.root, rel);
}

static const char *host_read(const char *rel)
{
	static char buf[4096];
	char p[PATH_MAX];
	ssize_t n;
	int fd;

	host(p, sizeof(p), rel);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static int host_lstat(const char *rel, struct stat *st)
{
	char p[PATH_MAX];

	host(p, sizeof(p), rel);
	return lstat(p, st);
}

static ssize_t pwrite_(struct file *f, const char *s, int64_t off)
{
	struct linux_iovec seg;
	struct vfs_uio uio;

	vfs_uio_init_sentry(&uio, &seg, (void *)s, strlen(s));
	return vfs_write(f, &uio, off < 0 ? NULL : &off);
}

static struct file *open_(const char *path, uint32_t flags)
{
	struct file *f;
	int err = vfs_open(T, LINUX_AT_FDCWD, path, flags, 0644, &f);

	if (err)
		fail_msg("open %s: %s", path, strerror(-err));
	return f;
}

static const char *slurp(const char *path)
{
	static char buf[4096];
	struct file *f = open_(path, LINUX_O_RDONLY);
	ssize_t n = vfs_file_pread(f, buf, sizeof(buf) - 1, 0);

	file_put(f);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static struct kstat stat_(const char *path)
{
	struct kstat st;
	struct path p;

	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, path, 0, &p), 0);
	assert_int_equal(vfs_getattr(&p, &st), 0);
	path_put(&p);
	return st;
}

static char *outside_snap;

static int snap_one(const char *p, const struct stat *st, int flag,
		    struct FTW *ftw)
{
	static char line[PATH_MAX + 128];
	size_t len = outside_snap ? strlen(outside_snap) : 0;
	int n;

	(void)flag, (void)ftw;
	n = snprintf(line, sizeof(line), "%s %o %lld %lu %lld.%09ld\n", p,
		     st->st_mode, (long long)st->st_size,
		     (unsigned long)st->st_nlink,
		     (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	outside_snap = realloc(outside_snap, len + (size_t)n + 1);
	memcpy(outside_snap + len, line, (size_t)n + 1);
	return 0;
}

static char *snapshot_outside(void)
{
	char *s;

	outside_snap = NULL;
	assert_int_equal(nftw(fx.outside, snap_one, 8, FTW_PHYS), 0);
	s = outside_snap;
	outside_snap = NULL;
	return s;
}

static char *before_outside;

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct gofer_options o = GOFER_OPTIONS_INIT;
	char p[PATH_MAX];
	struct path root;
	int sv[2], root_fd, fd;

	(void)state;
	strcpy(fx.base, "/tmp/cvisor-goferfs-w-XXXXXX");
	if (!mkdtemp(fx.base))
		return -1;
	snprintf(fx.root, sizeof(fx.root), "%s/root", fx.base);
	snprintf(fx.outside, sizeof(fx.outside), "%s/outside", fx.base);
	if (mkdir(fx.root, 0755) || mkdir(fx.outside, 0755))
		return -1;
	snprintf(p, sizeof(p), "%s/secret", fx.outside);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	if (fd < 0 || write(fd, "host secret\n", 12) != 12)
		return -1;
	close(fd);
	host(p, sizeof(p), "file");
	fd = open(p, O_WRONLY | O_CREAT, 0644);
	if (fd < 0 || write(fd, "0123456789\n", 11) != 11)
		return -1;
	close(fd);
	/* Links to outside: absolute, and a chain of "..". */
	snprintf(p, sizeof(p), "%s/secret", fx.outside);
	{
		char l[PATH_MAX];

		host(l, sizeof(l), "abs");
		if (symlink(p, l))
			return -1;
		host(l, sizeof(l), "up");
		if (symlink("../../../../../../../../../etc/secret", l))
			return -1;
	}
	before_outside = snapshot_outside();
	root_fd = open(fx.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	fx.gofer = fork();
	if (fx.gofer == 0) {
		close(sv[0]);
		o.writable = true;
		o.proc_self_fd =
			open("/proc/self/fd", O_PATH | O_DIRECTORY | O_CLOEXEC);
#ifndef __SANITIZE_ADDRESS__
		if (seccomp_filter_load(&seccomp_filter_gofer_rw))
			_exit(3);
#endif
		_exit(gofer_serve(sv[1], root_fd, &o) ? 1 : 0);
	}
	close(sv[1]);
	close(root_fd);
	fx.c = gofer_client_new(sv[0]);
	kernel = &fx.k;
	pthread_mutex_init(&fx.k.lock, NULL);
	if (memfile_new(1ULL << 30, &fx.k.memfile))
		return -1;
	mm_init(fx.k.memfile, NULL);
	if (vfs_init() || goferfs_new(fx.c, GOFERFS_WRITABLE, &fx.sb) ||
	    vfs_mount_root(fx.sb, 0, "/"))
		return -1;
	root = (struct path){ fx.k.root_mount, fx.sb->root };
	if (fs_context_new(&root, &fx.t.fs))
		return -1;
	kernel_lock();
	return 0;
}

static int teardown(void **state)
{
	int status;

	(void)state;
	kernel_unlock();
	fs_context_put(fx.t.fs);
	gofer_client_free(fx.c);
	waitpid(fx.gofer, &status, 0);
	nftw(fx.base, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(before_outside);
	if (WIFSIGNALED(status))
		fprintf(stderr, "the Gofer died of signal %d\n",
			WTERMSIG(status));
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

/* After every test: the directory outside is as it was. */
static int check_outside(void **state)
{
	char *now = snapshot_outside();

	(void)state;
	if (strcmp(now, before_outside))
		fail_msg("outside changed:\n%s\nnow:\n%s", before_outside, now);
	free(now);
	return 0;
}

static void test_data(void **state)
{
	struct kstat st;
	struct file *f;

	(void)state;
	assert_true(!(fx.sb->flags & SB_RDONLY));
	f = open_("/file", LINUX_O_RDWR);
	assert_int_equal(pwrite_(f, "ab", 2), 2);
	file_put(f);
	assert_string_equal(host_read("file"), "01ab456789\n");
	f = open_("/file", LINUX_O_WRONLY | LINUX_O_APPEND);
	assert_int_equal(pwrite_(f, "tail\n", -1), 5);
	file_put(f);
	assert_string_equal(host_read("file"), "01ab456789\ntail\n");
	assert_string_equal(slurp("/file"), "01ab456789\ntail\n");
	st = stat_("/file");
	assert_int_equal(st.size, 16);
	f = open_("/new", LINUX_O_WRONLY | LINUX_O_CREAT | LINUX_O_EXCL);
	assert_int_equal(pwrite_(f, "created\n", -1), 8);
	file_put(f);
	assert_string_equal(host_read("new"), "created\n");
	f = open_("/new", LINUX_O_WRONLY | LINUX_O_TRUNC);
	file_put(f);
	assert_string_equal(host_read("new"), "");
	assert_int_equal(stat_("/new").size, 0);
}

/* The page cache of a shared mapping reaches the host at fsync; a write
 * by fd drops the pages it changed; a truncation shrinks the cache. */
static void test_mapped(void **state)
{
	struct mappable *m;
	struct path p;
	struct file *f;
	char buf[16] = { 0 };

	(void)state;
	f = open_("/file", LINUX_O_RDWR);
	assert_int_equal(f->ops->mmap(f, &m), 0);
	assert_int_equal(mappable_read(m, 0, buf, 4), 4);
	assert_memory_equal(buf, "01ab", 4);
	assert_int_equal(mappable_write(m, 0, "MM", 2), 2);
	assert_int_equal(f->ops->fsync(f, false), 0);
	assert_memory_equal(host_read("file"), "MMab", 4);
	assert_int_equal(pwrite_(f, "ww", 0), 2);
	assert_int_equal(mappable_read(m, 0, buf, 4), 4);
	assert_memory_equal(buf, "wwab", 4);
	/* A dirty page is written before a read by fd sees the range. */
	assert_int_equal(mappable_write(m, 4, "D", 1), 1);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(vfs_file_pread(f, buf, 5, 0), 5);
	assert_string_equal(buf, "wwabD");
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/file", 0, &p), 0);
	assert_int_equal(vfs_truncate(T, &p, 3), 0);
	path_put(&p);
	assert_string_equal(host_read("file"), "wwa");
	memset(buf, 0, sizeof(buf));
	assert_int_equal(mappable_read(m, 0, buf, 8), 3);
	mappable_put(m);
	file_put(f);
}

static void test_namespace(void **state)
{
	struct stat hst;
	struct kstat st;
	struct file *f;

	(void)state;
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/d", 0750), 0);
	assert_int_equal(host_lstat("d", &hst), 0);
	assert_int_equal(hst.st_mode, S_IFDIR | 0750);
	f = open_("/d/f", LINUX_O_WRONLY | LINUX_O_CREAT);
	file_put(f);
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/d/f", LINUX_AT_FDCWD,
				    "/d/g", 0),
			 0);
	assert_int_equal(host_lstat("d/g", &hst), 0);
	assert_int_equal(vfs_link(T, LINUX_AT_FDCWD, "/d/g", LINUX_AT_FDCWD,
				  "/d/h", 0),
			 0);
	st = stat_("/d/g");
	assert_int_equal(st.nlink, 2);
	assert_int_equal(st.ino, hst.st_ino);
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/d/g", LINUX_AT_FDCWD,
				    "/file", LINUX_RENAME_EXCHANGE),
			 0);
	assert_string_equal(host_read("d/g"), "wwa");
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/d/g", LINUX_AT_FDCWD,
				    "/file", LINUX_RENAME_EXCHANGE),
			 0);
	assert_int_equal(vfs_symlink(T, "/etc/passwd", LINUX_AT_FDCWD, "/d/l"),
			 0);
	assert_int_equal(host_lstat("d/l", &hst), 0);
	assert_true(S_ISLNK(hst.st_mode));
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/d/p",
				   LINUX_S_IFIFO | 0600, 0),
			 0);
	assert_int_equal(host_lstat("d/p", &hst), 0);
	assert_true(S_ISFIFO(hst.st_mode));
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/d/null",
				   LINUX_S_IFCHR | 0666, linux_makedev(1, 3)),
			 -EPERM);
	assert_int_equal(host_lstat("d/null", &hst), -1);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/d"), -ENOTEMPTY);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/d/g"), 0);
	assert_int_equal(stat_("/d/h").nlink, 1);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/d/h"), 0);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/d/l"), 0);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/d/p"), 0);
	assert_int_equal(stat_("/d").nlink, 2);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/d"), 0);
	assert_int_equal(host_lstat("d", &hst), -1);
}

static void test_attrs(void **state)
{
	struct iattr a = { .valid = ATTR_ATIME | ATTR_MTIME,
			   .atime = { 100, 0 },
			   .mtime = { 200, 300 } };
	struct kstatfs sfs;
	struct stat hst;
	struct path p;
	struct file *f;

	(void)state;
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/file", 0, &p), 0);
	assert_int_equal(vfs_chmod(T, &p, 0604), 0);
	assert_int_equal(vfs_setattr(T, &p, &a), 0);
	assert_int_equal(vfs_chown(T, &p, getuid(), getgid()), 0);
	path_put(&p);
	assert_int_equal(host_lstat("file", &hst), 0);
	assert_int_equal(hst.st_mode, S_IFREG | 0604);
	assert_int_equal(hst.st_mtim.tv_sec, 200);
	assert_int_equal(hst.st_mtim.tv_nsec, 300);
	assert_int_equal(stat_("/file").mtime.tv_sec, 200);
	/* chmod through a link to outside: the link itself is not chmod'ed
	 * (Linux has no link modes), and the target is not reached. */
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/abs", 0, &p), 0);
	assert_int_equal(vfs_chown(T, &p, getuid(), getgid()), 0);
	path_put(&p);
	assert_int_equal(fx.sb->ops->statfs(fx.sb, &sfs), 0);
	assert_true(sfs.blocks > 0);
	assert_int_equal(sfs.flags & 1, 0);
	assert_int_equal(fx.sb->ops->sync_fs(fx.sb), 0);
	f = open_("/file", LINUX_O_RDONLY);
	assert_int_equal(f->ops->fsync(f, true), 0);
	file_put(f);
}

/* A planted link resolves in the sandbox's tree: the absolute one names
 * a path that does not exist here, the ".." chain stops at the root. */
static void test_planted_links(void **state)
{
	struct file *f;

	(void)state;
	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, "/abs", LINUX_O_RDONLY, 0,
				  &f),
			 -ENOENT);
	assert_int_equal(vfs_mkdir(T, LINUX_AT_FDCWD, "/etc", 0755), 0);
	f = open_("/etc/secret", LINUX_O_WRONLY | LINUX_O_CREAT);
	assert_int_equal(pwrite_(f, "sandbox's\n", -1), 10);
	file_put(f);
	assert_string_equal(slurp("/up"), "sandbox's\n");
	/* Writing through the link writes the sandbox's file. */
	f = open_("/up", LINUX_O_WRONLY | LINUX_O_APPEND);
	assert_int_equal(pwrite_(f, "more\n", -1), 5);
	file_put(f);
	assert_string_equal(host_read("etc/secret"), "sandbox's\nmore\n");
	/* Links to outside are removed as links. */
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/abs"), 0);
	{
		struct stat hst;

		assert_int_equal(host_lstat("abs", &hst), -1);
	}
}

int main(void)
{
#define T_(f) cmocka_unit_test_teardown(f, check_outside)
	const struct CMUnitTest tests[] = {
		T_(test_data),
		T_(test_mapped),
		T_(test_namespace),
		T_(test_attrs),
		T_(test_planted_links),
	};
#undef T_

	return cmocka_run_group_tests(tests, setup, teardown);
}
