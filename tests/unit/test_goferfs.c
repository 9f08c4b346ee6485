/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs through the VFS, served by a real Gofer in a forked child on a
 * tree made in /tmp: path resolution (symlinks, absolute ones and ../..
 * chains, resolve inside the sandbox root, never the host's), stat with
 * host inode and device numbers, reads into Sentry buffers, directory
 * listings with offsets, the page cache that mmap maps, EROFS for
 * every write, and a one-file tree mounted on a file.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "gen/linux_flags.h"
#include "gofer/client.h"
#include "gofer/server.h"
#include "sentry/abi/dirent.h"
#include "sentry/fs/goferfs.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/mm/memfile.h"
#include "sentry/mm/mm.h"
#include "sentry/vfs/vfs.h"

#define NBIG 1000
#define LIB_SIZE (3 * 4096 + 100)

static struct {
	char base[64], root[128];
	pid_t gofer;
	struct gofer_client *c;
	struct kernel k;
	struct task t;
	struct superblock *sb;
} fx;

static void put(const char *rel, const void *data, size_t len)
{
	char p[PATH_MAX];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", fx.root, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_EXCL, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void mk(const char *rel, const char *link_target)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", fx.root, rel);
	if (link_target)
		assert_int_equal(symlink(link_target, p), 0);
	else
		assert_int_equal(mkdir(p, 0755), 0);
}

static void host_stat(const char *rel, struct stat *st)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/%s", fx.root, rel);
	assert_int_equal(lstat(p, st), 0);
}

static unsigned char lib_byte(size_t i)
{
	return (unsigned char)(i * 7 + 3);
}

static void make_tree(void)
{
	static unsigned char lib[LIB_SIZE];
	char p[PATH_MAX];

	strcpy(fx.base, "/tmp/cvisor-goferfs-XXXXXX");
	assert_non_null(mkdtemp(fx.base));
	snprintf(fx.root, sizeof(fx.root), "%s/root", fx.base);
	assert_int_equal(mkdir(fx.root, 0755), 0);
	mk("etc", NULL);
	put("etc/hello.txt", "hello from the gofer\n", 21);
	put("etc/passwd", "sandbox:x:0:0::/:/bin/sh\n", 25);
	mk("usr", NULL);
	mk("usr/lib", NULL);
	for (size_t i = 0; i < sizeof(lib); i++)
		lib[i] = lib_byte(i);
	put("usr/lib/libx.so", lib, sizeof(lib));
	mk("lib", "usr/lib");
	mk("abs", "/etc/hello.txt");
	mk("escape", "../../../../../../../etc/passwd");
	mk("loop", "loop");
	mk("big", NULL);
	for (int i = 0; i < NBIG; i++) {
		char rel[32];

		snprintf(rel, sizeof(rel), "big/entry-%04d", i);
		put(rel, "", 0);
	}
	snprintf(p, sizeof(p), "%s/fifo", fx.root);
	assert_int_equal(mkfifo(p, 0644), 0);
}

static int rm_one(const char *p, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	struct gofer_options o = GOFER_OPTIONS_INIT;
	struct path root;
	int sv[2], root_fd;

	(void)state;
	make_tree();
	root_fd = open(fx.root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root_fd < 0 ||
	    socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -1;
	fx.gofer = fork();
	if (fx.gofer == 0) {
		close(sv[0]);
		_exit(gofer_serve(sv[1], root_fd, &o) ? 1 : 0);
	}
	close(sv[1]);
	close(root_fd);
	fx.c = gofer_client_new(sv[0]);

	/* The smallest kernel the VFS and mm need: the memory file for the
	 * page cache, the root mount, and a task with an fs context. */
	kernel = &fx.k;
	pthread_mutex_init(&fx.k.lock, NULL);
	if (memfile_new(1ULL << 30, &fx.k.memfile))
		return -1;
	mm_init(fx.k.memfile, NULL);
	if (vfs_init() ||
	    goferfs_new(fx.c, 0, &fx.sb) ||
	    vfs_mount_root(fx.sb, MNT_RDONLY, "/"))
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
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

static void lookup(const char *path, int flags, struct path *out)
{
	int err = vfs_lookup(&fx.t, LINUX_AT_FDCWD, path, flags, out);

	if (err)
		fail_msg("lookup %s: %s", path, strerror(-err));
}

/* The VFS's stat of a path is the host's stat of a file in the tree. */
static void assert_is(const struct path *p, const char *rel)
{
	struct kstat ks;
	struct stat st;

	host_stat(rel, &st);
	assert_int_equal(vfs_getattr(p, &ks), 0);
	assert_int_equal(ks.ino, st.st_ino);
	assert_int_equal(ks.dev, makedev(major(st.st_dev), minor(st.st_dev)));
	assert_int_equal(ks.mode, st.st_mode);
	assert_int_equal(ks.size, (uint64_t)st.st_size);
	assert_int_equal(ks.nlink, st.st_nlink);
	assert_int_equal(ks.uid, st.st_uid);
	assert_int_equal(ks.mtime.tv_sec, st.st_mtim.tv_sec);
	assert_int_equal(ks.mtime.tv_nsec, st.st_mtim.tv_nsec);
	assert_false(ks.mask & LINUX_STATX_BTIME);
}

static void test_root(void **state)
{
	struct kstatfs sfs;
	struct path p;

	(void)state;
	assert_string_equal(fx.sb->fstype, "9p");
	assert_true(fx.sb->flags & SB_RDONLY);
	lookup("/", 0, &p);
	assert_is(&p, ".");
	path_put(&p);
	assert_int_equal(fx.sb->ops->statfs(fx.sb, &sfs), 0);
	assert_int_equal(sfs.type, V9FS_MAGIC);
}

/* Symlinks resolve in the sandbox's tree: an absolute one from the
 * sandbox root, a ../.. chain stops at it, never at the host's. */
static void test_resolution(void **state)
{
	struct path p;
	char buf[64];

	(void)state;
	lookup("/etc/hello.txt", LOOKUP_FOLLOW, &p);
	assert_is(&p, "etc/hello.txt");
	path_put(&p);
	lookup("/abs", LOOKUP_FOLLOW, &p);
	assert_is(&p, "etc/hello.txt");
	path_put(&p);
	lookup("/escape", LOOKUP_FOLLOW, &p);
	assert_is(&p, "etc/passwd");
	path_put(&p);
	lookup("/lib/libx.so", LOOKUP_FOLLOW, &p);
	assert_is(&p, "usr/lib/libx.so");
	path_put(&p);
	lookup("/usr/lib/../../etc/./hello.txt", LOOKUP_FOLLOW, &p);
	assert_is(&p, "etc/hello.txt");
	path_put(&p);
	lookup("/abs", 0, &p);
	assert_is(&p, "abs");
	assert_int_equal(vfs_readlink(&p, buf, sizeof(buf)), 14);
	assert_memory_equal(buf, "/etc/hello.txt", 14);
	/* Cut at the buffer; the text was read once and is kept. */
	assert_int_equal(vfs_readlink(&p, buf, 4), 4);
	assert_memory_equal(buf, "/etc", 4);
	path_put(&p);
	assert_int_equal(vfs_lookup(&fx.t, LINUX_AT_FDCWD, "/nope",
				    LOOKUP_FOLLOW, &p),
			 -ENOENT);
	assert_int_equal(vfs_lookup(&fx.t, LINUX_AT_FDCWD, "/etc/hello.txt/x",
				    LOOKUP_FOLLOW, &p),
			 -ENOTDIR);
	assert_int_equal(vfs_lookup(&fx.t, LINUX_AT_FDCWD, "/loop",
				    LOOKUP_FOLLOW, &p),
			 -ELOOP);
	lookup("/fifo", 0, &p);
	assert_is(&p, "fifo");
	path_put(&p);
}

static void test_read(void **state)
{
	struct linux_iovec seg;
	struct vfs_uio uio;
	struct file *f;
	char buf[64];
	int64_t pos = 6;

	(void)state;
	assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD, "/abs", LINUX_O_RDONLY,
				  0, &f),
			 0);
	assert_int_equal(vfs_file_pread(f, buf, sizeof(buf), 0), 21);
	assert_memory_equal(buf, "hello from the gofer\n", 21);
	vfs_uio_init_sentry(&uio, &seg, buf, 4);
	assert_int_equal(vfs_read(f, &uio, &pos), 4);
	assert_memory_equal(buf, "from", 4);
	assert_int_equal(pos, 10);
	assert_int_equal(vfs_file_pread(f, buf, sizeof(buf), 100), 0);
	file_put(f);
	/* A second description shares the host fd; both read. */
	{
		struct file *a, *b;

		assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD,
					  "/etc/passwd", LINUX_O_RDONLY, 0,
					  &a),
				 0);
		assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD,
					  "/etc/passwd", LINUX_O_RDONLY, 0,
					  &b),
				 0);
		file_put(a);
		assert_int_equal(vfs_file_pread(b, buf, 8, 0), 8);
		assert_memory_equal(buf, "sandbox:", 8);
		file_put(b);
	}
}

/* Every write is EROFS, whichever way it is asked. */
static void test_read_only(void **state)
{
	struct path p;
	struct file *f;

	(void)state;
	assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD, "/etc/hello.txt",
				  LINUX_O_WRONLY, 0, &f),
			 -EROFS);
	assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD, "/etc/hello.txt",
				  LINUX_O_RDWR, 0, &f),
			 -EROFS);
	assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD, "/etc/new",
				  LINUX_O_WRONLY | LINUX_O_CREAT, 0644, &f),
			 -EROFS);
	assert_int_equal(vfs_mkdir(&fx.t, LINUX_AT_FDCWD, "/etc/d", 0755),
			 -EROFS);
	assert_int_equal(vfs_unlink(&fx.t, LINUX_AT_FDCWD, "/etc/passwd"),
			 -EROFS);
	assert_int_equal(vfs_rmdir(&fx.t, LINUX_AT_FDCWD, "/big"), -EROFS);
	assert_int_equal(vfs_symlink(&fx.t, "x", LINUX_AT_FDCWD, "/etc/l"),
			 -EROFS);
	assert_int_equal(vfs_rename(&fx.t, LINUX_AT_FDCWD, "/etc/passwd",
				    LINUX_AT_FDCWD, "/etc/p2", 0),
			 -EROFS);
	lookup("/etc/hello.txt", 0, &p);
	assert_int_equal(vfs_chmod(&fx.t, &p, 0777), -EROFS);
	assert_int_equal(vfs_truncate(&fx.t, &p, 0), -EROFS);
	assert_int_equal(p.dentry->inode->ops->setattr(
				 p.dentry->inode,
				 &(struct iattr){ .valid = ATTR_MODE }),
			 -EROFS);
	path_put(&p);
}

struct collect {
	struct dir_ctx ctx;
	unsigned room;           /* entries this call may still take */
	unsigned seen[NBIG];
	unsigned dots, total;
};

static bool collect_emit(struct dir_ctx *ctx, const char *name,
			 size_t namelen, uint64_t ino, unsigned dtype,
			 int64_t next)
{
	struct collect *c = (struct collect *)ctx;
	struct stat st;
	char rel[64];

	(void)next;
	if (!c->room)
		return false;
	c->room--;
	c->total++;
	assert_int_equal(strlen(name), namelen);
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		c->dots++;
		return true;
	}
	assert_int_equal(strncmp(name, "entry-", 6), 0);
	c->seen[atoi(name + 6)]++;
	snprintf(rel, sizeof(rel), "big/%s", name);
	host_stat(rel, &st);
	assert_int_equal(ino, st.st_ino);
	assert_true(dtype == LINUX_DT_REG || dtype == LINUX_DT_UNKNOWN);
	return true;
}

static void test_getdents(void **state)
{
	static struct collect c;
	struct file *f;
	int64_t mid;

	(void)state;
	assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD, "/big",
				  LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &f),
			 0);
	memset(&c, 0, sizeof(c));
	c.ctx.emit = collect_emit;
	/* 37 entries per call: offsets carry the listing across calls. */
	do {
		c.room = 37;
		assert_int_equal(vfs_getdents(f, &c.ctx), 0);
	} while (c.room == 0);
	assert_int_equal(c.dots, 2);
	assert_int_equal(c.total, NBIG + 2);
	for (int i = 0; i < NBIG; i++)
		assert_int_equal(c.seen[i], 1);
	/* seekdir to a remembered offset resumes there. */
	mid = 500;
	assert_int_equal(f->ops->llseek(f, mid, LINUX_SEEK_SET), mid);
	memset(&c, 0, sizeof(c));
	c.ctx.emit = collect_emit;
	c.room = 100000;
	assert_int_equal(vfs_getdents(f, &c.ctx), 0);
	assert_int_equal(c.total, NBIG + 2 - mid);
	/* Rewinding lists everything again. */
	assert_int_equal(f->ops->llseek(f, 0, LINUX_SEEK_SET), 0);
	memset(&c, 0, sizeof(c));
	c.ctx.emit = collect_emit;
	c.room = 100000;
	assert_int_equal(vfs_getdents(f, &c.ctx), 0);
	assert_int_equal(c.total, NBIG + 2);
	file_put(f);
	/* A file is no directory. */
	assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD, "/etc/hello.txt",
				  LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &f),
			 -ENOTDIR);
}

/* The page cache that mmap maps is filled from the host file: its bytes,
 * zeros past EOF within the last page, and one cache per file. */
static void test_mmap_cache(void **state)
{
	static unsigned char buf[4 * 4096];
	struct mappable *m, *m2;
	struct file *f, *g;

	(void)state;
	assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD, "/lib/libx.so",
				  LINUX_O_RDONLY, 0, &f),
			 0);
	assert_non_null(f->ops->mmap);
	assert_int_equal(f->ops->mmap(f, &m), 0);
	assert_int_equal(mappable_read(m, 0, buf, LIB_SIZE), LIB_SIZE);
	for (size_t i = 0; i < LIB_SIZE; i++)
		if (buf[i] != lib_byte(i))
			fail_msg("byte %zu of the mapping differs", i);
	assert_int_equal(mappable_read(m, 4096 + 10, buf, 5), 5);
	assert_int_equal(buf[0], lib_byte(4096 + 10));
	/* Another open of the same inode maps the same cache. */
	assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD, "/usr/lib/libx.so",
				  LINUX_O_RDONLY, 0, &g),
			 0);
	assert_int_equal(g->ops->mmap(g, &m2), 0);
	assert_ptr_equal(m, m2);
	mappable_put(m2);
	file_put(g);
	/* The mapping outlives the description (and its host fd holds). */
	file_put(f);
	assert_int_equal(mappable_read(m, 3 * 4096, buf, 100), 100);
	assert_int_equal(buf[99], lib_byte(3 * 4096 + 99));
	mappable_put(m);
}

/*
 * A one-file tree (the bind mount of a host file): its Gofer serves an
 * O_PATH fd of a file outside the root; goferfs mounts it on a file of the
 * sandbox's tree, which then reads the host file; it does not go on a
 * directory, nor a directory tree on a file (ENOTDIR, as Linux).
 */
static void test_file_mount(void **state)
{
	struct gofer_options o = GOFER_OPTIONS_INIT;
	struct superblock *sb;
	struct gofer_client *c;
	struct file *f;
	char p[PATH_MAX], buf[64];
	int sv[2], ffd, status;
	pid_t pid;

	(void)state;
	snprintf(p, sizeof(p), "%s/hostfile", fx.base);
	ffd = open(p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(ffd >= 0);
	assert_int_equal(write(ffd, "one host file\n", 14), 14);
	close(ffd);
	ffd = open(p, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	assert_true(ffd >= 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0,
				    sv),
			 0);
	pid = fork();
	if (pid == 0) {
		close(sv[0]);
		_exit(gofer_serve(sv[1], ffd, &o) ? 1 : 0);
	}
	close(sv[1]);
	close(ffd);
	c = gofer_client_new(sv[0]);
	assert_non_null(c);
	assert_int_equal(goferfs_new(c, 0, &sb), 0);
	assert_true(LINUX_S_ISREG(sb->root->inode->mode));
	assert_int_equal(vfs_mount_at("/usr", sb, MNT_RDONLY, "bind"), -ENOTDIR);
	assert_int_equal(vfs_mount_at("/etc/hello.txt", fx.sb, MNT_RDONLY,
				      "bind"),
			 -ENOTDIR);
	assert_int_equal(vfs_mount_at("/etc/passwd", sb, MNT_RDONLY, "bind"), 0);
	assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD, "/etc/passwd",
				  LINUX_O_RDONLY, 0, &f),
			 0);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(vfs_file_pread(f, buf, sizeof(buf), 0), 14);
	assert_string_equal(buf, "one host file\n");
	file_put(f);
	/* Nothing below it. */
	assert_int_equal(vfs_open(&fx.t, LINUX_AT_FDCWD, "/etc/passwd/x",
				  LINUX_O_RDONLY, 0, &f),
			 -ENOTDIR);
	superblock_put(sb);
	/* The mount holds the client for the rest of the run; its Gofer
	 * goes now. */
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_resolution),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_getdents),
		cmocka_unit_test(test_mmap_cache),
		cmocka_unit_test(test_file_mount),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
