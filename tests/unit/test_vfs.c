/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VFS unit tests without a guest: path resolution over a tmpfs tree
 * (symlinks, loops, ".." at the root, mount crossing), permission checks,
 * namespace operations and their errnos, tmpfs stat fields. The fd
 * tables, pipes, I/O and the syscall layer are in test_vfs_io.c.
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
#include "sentry/abi/capability.h"
#include "sentry/abi/resource.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "tests/unit/vfs_fixture.h"

struct task *T;
struct creds test_creds;
static struct thread_group test_tg;

void test_become(uint32_t uid, uint32_t gid, bool caps)
{
	test_creds.uid = test_creds.euid = test_creds.suid = uid;
	test_creds.fsuid = uid;
	test_creds.gid = test_creds.egid = test_creds.sgid = gid;
	test_creds.fsgid = gid;
	test_creds.cap_effective = test_creds.cap_permitted = caps ? ~0ULL : 0;
}

/* Detach every mount but the root (leaves first). */
static void umount_all(void)
{
	bool again = true;

	while (again) {
		struct mount *m;

		again = false;
		for (m = vfs_mount_next(NULL); m; m = vfs_mount_next(m)) {
			if (m->parent && LIST_EMPTY(&m->children)) {
				vfs_umount(m);
				again = true;
				break;
			}
		}
	}
}

int vfs_test_setup(void **state)
{
	static bool once;
	struct superblock *sb;
	struct path root;

	(void)state;
	if (!once) {
		assert_int_equal(vfs_init(), 0);
		assert_int_equal(devices_register(), 0);
		tmpfs_register();
		once = true;
	}
	umount_all();
	assert_int_equal(tmpfs_new(0755, 0, 0, &sb), 0);
	assert_int_equal(vfs_mount_root(sb, 0, "rootfs"), 0);
	superblock_put(sb);
	root.mnt = kernel->root_mount;
	root.dentry = kernel->root_mount->root;

	T = calloc(1, sizeof(*T));
	memset(&test_tg, 0, sizeof(test_tg));
	test_tg.tgid = 1;
	test_tg.pgid = 1;
	test_tg.sid = 1;
	for (int k = 0; k < RLIM_NLIMITS_; k++)
		test_tg.rlimits[k] = (struct rlimit64_){~0ULL, ~0ULL};
	test_tg.rlimits[LINUX_RLIMIT_NOFILE] = (struct rlimit64_){1024, 4096};
	T->tid = 1;
	T->tg = &test_tg;
	T->creds = &test_creds;
	memset(&test_creds, 0, sizeof(test_creds));
	test_become(0, 0, true);
	assert_int_equal(fs_context_new(&root, &T->fs), 0);
	assert_int_equal(fd_table_new(&T->fdt), 0);
	fake_signals_sent = 0;
	fake_wait_hook = NULL;
	fake_ro_start = fake_ro_end = 0;
	return 0;
}

int vfs_test_teardown(void **state)
{
	(void)state;
	fd_table_put(T->fdt);
	fs_context_put(T->fs);
	free(T);
	T = NULL;
	return 0;
}

/* Helpers. */
static int mkd(const char *p, uint32_t mode)
{
	return vfs_mkdir(T, LINUX_AT_FDCWD, p, mode);
}

static int touch(const char *p, uint32_t mode)
{
	struct file *f;
	int err = vfs_open(T, LINUX_AT_FDCWD, p, LINUX_O_CREAT | LINUX_O_WRONLY,
			   mode, &f);

	if (!err)
		file_put(f);
	return err;
}

static int sym(const char *target, const char *p)
{
	return vfs_symlink(T, target, LINUX_AT_FDCWD, p);
}

static int look(const char *p, int flags, struct inode **out)
{
	struct path r;
	int err = vfs_lookup(T, LINUX_AT_FDCWD, p, flags, &r);

	if (err)
		return err;
	if (out)
		*out = r.dentry->inode;
	path_put(&r);
	return 0;
}

static uint64_t ino_of(const char *p)
{
	struct inode *i = NULL;

	assert_int_equal(look(p, LOOKUP_FOLLOW, &i), 0);
	return i->ino;
}

static struct kstat stat_of(const char *p, int flags)
{
	struct kstat k;
	struct path r;

	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, p, flags, &r), 0);
	assert_int_equal(vfs_getattr(&r, &k), 0);
	path_put(&r);
	return k;
}

static long write_file(const char *p, const void *buf, size_t len,
		       uint32_t flags)
{
	struct linux_iovec seg;
	struct vfs_uio u;
	struct file *f;
	long n;
	int err = vfs_open(T, LINUX_AT_FDCWD, p,
			   LINUX_O_CREAT | LINUX_O_WRONLY | flags, 0644, &f);

	if (err)
		return err;
	vfs_uio_init_sentry(&u, &seg, (void *)buf, len);
	n = vfs_write(f, &u, NULL);
	file_put(f);
	return n;
}

static long read_file(const char *p, void *buf, size_t len)
{
	struct file *f;
	long n;
	int err = vfs_open(T, LINUX_AT_FDCWD, p, LINUX_O_RDONLY, 0, &f);

	if (err)
		return err;
	n = vfs_file_pread(f, buf, len, 0);
	file_put(f);
	return n;
}

/* ---------------------------------------------------------------- */

static void test_lookup_basic(void **state)
{
	(void)state;
	assert_int_equal(mkd("/a", 0755), 0);
	assert_int_equal(mkd("/a/b", 0755), 0);
	assert_int_equal(mkd("a/b/c", 0755), 0);
	assert_int_equal(touch("/a/b/c/f", 0644), 0);
	uint64_t c = ino_of("/a/b/c");

	assert_int_equal(ino_of("a/./b/../b/c"), c);
	assert_int_equal(ino_of("//a//b///c/"), c);
	assert_int_equal(ino_of("/a/b/c/."), c);
	assert_int_equal(look("/a/b/c/f/..", LOOKUP_FOLLOW, NULL), -ENOTDIR);
	assert_int_equal(look("/a/b/c/f/", LOOKUP_FOLLOW, NULL), -ENOTDIR);
	assert_int_equal(look("/a/b/c/f/x", LOOKUP_FOLLOW, NULL), -ENOTDIR);
	assert_int_equal(look("/a/b/c/f", LOOKUP_DIRECTORY, NULL), -ENOTDIR);
	assert_int_equal(look("/a/nope/c", LOOKUP_FOLLOW, NULL), -ENOENT);
	assert_int_equal(look("", LOOKUP_FOLLOW, NULL), -ENOENT);
	/* An empty path with AT_EMPTY_PATH is the start (the cwd). */
	assert_int_equal(look("", LOOKUP_EMPTY_PATH, NULL), 0);
}

static void test_lookup_dirfd(void **state)
{
	struct file *d, *f;
	struct path r;
	int fd, ffd;

	(void)state;
	assert_int_equal(mkd("/d", 0755), 0);
	assert_int_equal(touch("/d/x", 0644), 0);
	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, "/d",
				  LINUX_O_RDONLY | LINUX_O_DIRECTORY, 0, &d),
			 0);
	fd = fd_install(T, d, 0);
	assert_true(fd >= 0);
	assert_int_equal(vfs_lookup(T, fd, "x", 0, &r), 0);
	assert_int_equal(r.dentry->inode->ino, ino_of("/d/x"));
	path_put(&r);
	/* Absolute paths ignore dirfd, even a bad one. */
	assert_int_equal(vfs_lookup(T, 999, "/d", 0, &r), 0);
	path_put(&r);
	assert_int_equal(vfs_lookup(T, 999, "x", 0, &r), -EBADF);
	/* A non-directory dirfd: ENOTDIR, unless the path is empty. */
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/d/x", LINUX_O_RDONLY, 0, &f), 0);
	ffd = fd_install(T, f, 0);
	assert_int_equal(vfs_lookup(T, ffd, "y", 0, &r), -ENOTDIR);
	assert_int_equal(vfs_lookup(T, ffd, "", LOOKUP_EMPTY_PATH, &r), 0);
	assert_ptr_equal(r.dentry->inode, f->inode);
	path_put(&r);
	file_put(d);
	file_put(f);
}

static void test_dotdot_at_root(void **state)
{
	struct path p;
	uint64_t root = ino_of("/");

	(void)state;
	assert_int_equal(ino_of("/.."), root);
	assert_int_equal(ino_of("/../../.."), root);
	assert_int_equal(mkd("/jail", 0755), 0);
	assert_int_equal(mkd("/jail/in", 0755), 0);
	assert_int_equal(touch("/secret", 0600), 0);
	/* chroot("/jail"): nothing above it can be named any more. */
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/jail", 0, &p), 0);
	fs_context_set_root(T->fs, &p);
	fs_context_set_cwd(T->fs, &p);
	assert_int_equal(ino_of("/.."), p.dentry->inode->ino);
	assert_int_equal(ino_of("in/../../.."), p.dentry->inode->ino);
	assert_int_equal(look("../secret", 0, NULL), -ENOENT);
	assert_int_equal(look("/in/../../secret", 0, NULL), -ENOENT);
	/* An absolute symlink resolves from the task's root. */
	assert_int_equal(sym("/in", "/lnk"), 0);
	assert_int_equal(ino_of("/lnk"), ino_of("/in"));
	path_put(&p);
}

static void test_symlinks(void **state)
{
	struct inode *i = NULL;
	char name[32], target[32];

	(void)state;
	assert_int_equal(mkd("/s", 0755), 0);
	assert_int_equal(touch("/s/file", 0644), 0);
	assert_int_equal(sym("file", "/s/rel"), 0);
	assert_int_equal(sym("/s/file", "/s/abs"), 0);
	assert_int_equal(sym("rel", "/s/chain"), 0);
	assert_int_equal(sym("/s", "/sdir"), 0);
	assert_int_equal(sym("nowhere", "/s/dangling"), 0);
	assert_int_equal(sym("self", "/s/self"), 0);
	assert_int_equal(sym("b2", "/s/a2"), 0);
	assert_int_equal(sym("a2", "/s/b2"), 0);

	uint64_t f = ino_of("/s/file");

	assert_int_equal(ino_of("/s/rel"), f);
	assert_int_equal(ino_of("/s/abs"), f);
	assert_int_equal(ino_of("/s/chain"), f);
	assert_int_equal(ino_of("/sdir/chain"), f);
	assert_int_equal(ino_of("/sdir/../s/file"), f);
	/* Without LOOKUP_FOLLOW the final link itself. */
	assert_int_equal(look("/s/rel", 0, &i), 0);
	assert_true(LINUX_S_ISLNK(i->mode));
	/* A trailing slash follows, and then needs a directory. */
	assert_int_equal(look("/s/rel/", 0, NULL), -ENOTDIR);
	assert_int_equal(look("/sdir/", 0, &i), 0);
	assert_true(LINUX_S_ISDIR(i->mode));
	assert_int_equal(look("/s/dangling", LOOKUP_FOLLOW, NULL), -ENOENT);
	assert_int_equal(look("/s/dangling", 0, NULL), 0);
	assert_int_equal(look("/s/self", LOOKUP_FOLLOW, NULL), -ELOOP);
	assert_int_equal(look("/s/a2", LOOKUP_FOLLOW, NULL), -ELOOP);
	assert_int_equal(look("/s/a2/x", 0, NULL), -ELOOP);

	/* 40 links in a chain resolve; 41 is ELOOP. */
	assert_int_equal(sym("file", "/s/l0"), 0);
	for (int k = 1; k <= 40; k++) {
		snprintf(name, sizeof(name), "/s/l%d", k);
		snprintf(target, sizeof(target), "l%d", k - 1);
		assert_int_equal(sym(target, name), 0);
	}
	assert_int_equal(ino_of("/s/l39"), f);
	assert_int_equal(look("/s/l40", LOOKUP_FOLLOW, NULL), -ELOOP);
	/* An empty target cannot be created. */
	assert_int_equal(sym("", "/s/empty"), -ENOENT);
}

static void test_name_limits(void **state)
{
	char name[300], path[5000];

	(void)state;
	memset(name, 'n', 255);
	name[255] = 0;
	snprintf(path, sizeof(path), "/%s", name);
	assert_int_equal(look(path, 0, NULL), -ENOENT);
	assert_int_equal(mkd(path, 0755), 0);
	memset(name, 'n', 256);
	name[256] = 0;
	snprintf(path, sizeof(path), "/%s", name);
	assert_int_equal(look(path, 0, NULL), -ENAMETOOLONG);
	assert_int_equal(mkd(path, 0755), -ENAMETOOLONG);
	assert_int_equal(touch(path, 0644), -ENAMETOOLONG);
}

static void test_mount_crossing(void **state)
{
	struct superblock *sb;
	struct kstat a, b;
	uint64_t root = ino_of("/");

	(void)state;
	assert_int_equal(mkd("/mnt", 0755), 0);
	assert_int_equal(touch("/mnt/hidden", 0644), 0);
	assert_int_equal(tmpfs_new(01777, 0, 0, &sb), 0);
	assert_int_equal(vfs_mount_at("/mnt", sb, 0, "tmpfs"), 0);
	superblock_put(sb);
	/* The mount hides what was below. */
	assert_int_equal(look("/mnt/hidden", 0, NULL), -ENOENT);
	assert_int_equal(touch("/mnt/x", 0644), 0);
	a = stat_of("/mnt/x", 0);
	b = stat_of("/", 0);
	assert_int_not_equal(a.dev, b.dev);
	assert_int_equal(stat_of("/mnt", 0).mode, LINUX_S_IFDIR | 01777);
	assert_int_equal(ino_of("/mnt/.."), root);
	assert_int_equal(look("/mnt/x/../..", 0, NULL), -ENOTDIR);
	/* A relative walk from inside the mount climbs out of it. */
	assert_int_equal(mkd("/mnt/sub", 0755), 0);
	assert_int_equal(ino_of("/mnt/sub/../.."), root);
	struct path p;

	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/mnt/sub", 0, &p), 0);
	fs_context_set_cwd(T->fs, &p);
	path_put(&p);
	assert_int_equal(ino_of("../.."), root);
	assert_int_equal(ino_of("../x"), a.ino);
	/* Mountpoints are busy; names cannot move across mounts. */
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/mnt"), -EBUSY);
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/mnt/x", LINUX_AT_FDCWD,
				    "/y", 0),
			 -EXDEV);
	assert_int_equal(
		vfs_link(T, LINUX_AT_FDCWD, "/mnt/x", LINUX_AT_FDCWD, "/y", 0),
		-EXDEV);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/mnt"), -EISDIR);
	/* A mount on a mount root stacks. */
	assert_int_equal(tmpfs_new(0700, 0, 0, &sb), 0);
	assert_int_equal(vfs_mount_at("/mnt", sb, 0, "tmpfs"), 0);
	superblock_put(sb);
	assert_int_equal(stat_of("/mnt", 0).mode, LINUX_S_IFDIR | 0700);
	assert_int_equal(ino_of("/mnt/.."), root);
}

static void test_readonly_mount(void **state)
{
	struct superblock *sb;
	struct file *f;
	struct path p, mp;

	(void)state;
	assert_int_equal(mkd("/rw", 0755), 0);
	assert_int_equal(mkd("/ro", 0755), 0);
	assert_int_equal(tmpfs_new(0755, 0, 0, &sb), 0);
	assert_int_equal(vfs_mount_at("/rw", sb, 0, "tmpfs"), 0);
	assert_int_equal(touch("/rw/f", 0644), 0);
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/rw/null",
				   LINUX_S_IFCHR | 0666, linux_makedev(1, 3)),
			 0);
	/* The same instance again, read-only (a bind mount with ro). */
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/ro", 0, &mp), 0);
	assert_int_equal(vfs_mount(sb, &mp, MNT_RDONLY, "tmpfs", NULL), 0);
	path_put(&mp);
	superblock_put(sb);
	assert_int_equal(touch("/ro/new", 0644), -EROFS);
	assert_int_equal(mkd("/ro/f", 0755), -EEXIST);
	assert_int_equal(mkd("/ro/newdir", 0755), -EROFS);
	assert_int_equal(sym("x", "/ro/l"), -EROFS);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/ro/f"), -EROFS);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/ro/nope"), -EROFS);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/ro/nope"), -EROFS);
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/ro/f", LINUX_AT_FDCWD,
				    "/ro/g", 0),
			 -EROFS);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/ro/f", LINUX_O_WRONLY, 0, &f),
		-EROFS);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/ro/f", LINUX_O_RDONLY, 0, &f), 0);
	file_put(f);
	/* Devices stay writable on a read-only mount. */
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/ro/null", LINUX_O_WRONLY, 0, &f),
		0);
	file_put(f);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/ro/f", 0, &p), 0);
	assert_int_equal(vfs_truncate(T, &p, 0), -EROFS);
	assert_int_equal(vfs_chmod(T, &p, 0600), -EROFS);
	path_put(&p);
	/* The read-write view still works. */
	assert_int_equal(touch("/rw/g", 0644), 0);
	assert_int_equal(look("/ro/g", 0, NULL), 0);
}

static void test_permissions(void **state)
{
	struct file *f;

	(void)state;
	assert_int_equal(mkd("/priv", 0700), 0);
	assert_int_equal(touch("/priv/f", 0644), 0);
	assert_int_equal(mkd("/pub", 0755), 0);
	assert_int_equal(touch("/pub/ro", 0644), 0);
	assert_int_equal(touch("/pub/noexec", 0644), 0);
	assert_int_equal(mkd("/grp", 0070), 0);
	struct path gp;

	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/grp", 0, &gp), 0);
	gp.dentry->inode->gid = 50;
	path_put(&gp);

	test_become(1000, 1000, false);
	assert_int_equal(look("/priv/f", 0, NULL), -EACCES);
	assert_int_equal(look("/pub/ro", 0, NULL), 0);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/pub/ro", LINUX_O_WRONLY, 0, &f),
		-EACCES);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/pub/ro", LINUX_O_RDONLY, 0, &f),
		0);
	file_put(f);
	assert_int_equal(touch("/pub/new", 0644), -EACCES);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/pub/ro"), -EACCES);
	/* Group access through a supplementary group. */
	assert_int_equal(look("/grp/x", 0, NULL), -EACCES);
	uint32_t groups[] = {50};

	test_creds.groups = groups;
	test_creds.ngroups = 1;
	assert_int_equal(look("/grp/x", 0, NULL), -ENOENT);
	test_creds.ngroups = 0;
	test_creds.groups = NULL;

	/* CAP_DAC_READ_SEARCH: search and read, not write. */
	test_creds.cap_effective = 1ULL << LINUX_CAP_DAC_READ_SEARCH;
	assert_int_equal(look("/priv/f", 0, NULL), 0);
	assert_int_equal(mkd("/priv/sub", 0755), -EACCES);
	/* CAP_DAC_OVERRIDE: everything but exec of a non-executable file. */
	test_creds.cap_effective = 1ULL << LINUX_CAP_DAC_OVERRIDE;
	assert_int_equal(mkd("/priv/sub", 0755), 0);
	struct path p;

	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/pub/noexec", 0, &p),
			 0);
	assert_int_equal(
		vfs_permission(p.mnt, p.dentry->inode, MAY_EXEC, T->creds),
		-EACCES);
	assert_int_equal(vfs_permission(p.mnt, p.dentry->inode,
					MAY_READ | MAY_WRITE, T->creds),
			 0);
	path_put(&p);
	test_become(0, 0, true);
}

static void test_sticky_and_owner(void **state)
{
	struct path p;

	(void)state;
	assert_int_equal(mkd("/tmp", 01777), 0);
	/* mkdir applied the umask (022): open it up as /tmp is. */
	assert_int_equal(stat_of("/tmp", 0).mode, LINUX_S_IFDIR | 01755);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/tmp", 0, &p), 0);
	assert_int_equal(vfs_chmod(T, &p, 01777), 0);
	path_put(&p);
	test_become(1000, 1000, false);
	assert_int_equal(touch("/tmp/mine", 0644), 0);
	assert_int_equal(stat_of("/tmp/mine", 0).uid, 1000);
	test_become(1001, 1001, false);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/tmp/mine"), -EPERM);
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/tmp/mine",
				    LINUX_AT_FDCWD, "/tmp/theirs", 0),
			 -EPERM);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/tmp/mine", 0, &p), 0);
	assert_int_equal(vfs_chmod(T, &p, 0777), -EPERM);
	assert_int_equal(vfs_chown(T, &p, 1001, (uint32_t)-1), -EPERM);
	test_become(1000, 1000, false);
	assert_int_equal(vfs_chmod(T, &p, 04755), 0);
	/* Not in the file's group: setgid cannot be set. */
	assert_int_equal(vfs_chmod(T, &p, 02755), 0);
	assert_int_equal(p.dentry->inode->mode & 07777, 02755);
	assert_int_equal(vfs_chown(T, &p, 0, (uint32_t)-1), -EPERM);
	test_become(0, 0, true);
	assert_int_equal(vfs_chmod(T, &p, 06755), 0);
	assert_int_equal(vfs_chown(T, &p, 5, 5), 0);
	/* chown drops set-ID bits of an executable. */
	assert_int_equal(p.dentry->inode->mode & 07777, 0755);
	path_put(&p);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/tmp/mine"), 0);
}

static void test_namespace_errnos(void **state)
{
	(void)state;
	assert_int_equal(mkd("/n", 0755), 0);
	assert_int_equal(touch("/n/f", 0644), 0);
	assert_int_equal(mkd("/", 0755), -EEXIST);
	assert_int_equal(mkd("/n/.", 0755), -EEXIST);
	assert_int_equal(mkd("/n/..", 0755), -EEXIST);
	assert_int_equal(mkd("/n/f", 0755), -EEXIST);
	assert_int_equal(mkd("/n/missing/x", 0755), -ENOENT);
	assert_int_equal(mkd("/n/f/x", 0755), -ENOTDIR);
	assert_int_equal(mkd("/n/new/", 0755), 0);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/"), -EISDIR);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/n/."), -EISDIR);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/n"), -EISDIR);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/n/f/"), -ENOTDIR);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/n/nope"), -ENOENT);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/n/."), -EINVAL);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/n/.."), -ENOTEMPTY);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/"), -EBUSY);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/n/f"), -ENOTDIR);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/n"), -ENOTEMPTY);
	assert_int_equal(sym("x", "/n/l/"), -ENOENT);
	assert_int_equal(sym("x", "/n/f"), -EEXIST);
	assert_int_equal(
		vfs_link(T, LINUX_AT_FDCWD, "/n", LINUX_AT_FDCWD, "/n2", 0),
		-EPERM);
	assert_int_equal(
		vfs_link(T, LINUX_AT_FDCWD, "/n/f", LINUX_AT_FDCWD, "/n/f", 0),
		-EEXIST);
	assert_int_equal(
		vfs_mknod(T, LINUX_AT_FDCWD, "/n/d", LINUX_S_IFDIR | 0755, 0),
		-EPERM);
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/n/bad", 0170000, 0),
			 -EINVAL);
	test_become(1000, 1000, false);
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/n/c",
				   LINUX_S_IFCHR | 0666, linux_makedev(1, 3)),
			 -EACCES);
	test_become(0, 0, true);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/n/new"), 0);
	assert_int_equal(look("/n/new", 0, NULL), -ENOENT);
}

static void test_rename(void **state)
{
	uint64_t f, d;

	(void)state;
	assert_int_equal(mkd("/r", 0755), 0);
	assert_int_equal(mkd("/r/d", 0755), 0);
	assert_int_equal(mkd("/r/d/sub", 0755), 0);
	assert_int_equal(mkd("/r/empty", 0755), 0);
	assert_int_equal(touch("/r/f", 0644), 0);
	assert_int_equal(touch("/r/g", 0644), 0);
	f = ino_of("/r/f");
	d = ino_of("/r/d");
#define REN(a, b, fl) vfs_rename(T, LINUX_AT_FDCWD, a, LINUX_AT_FDCWD, b, fl)
	assert_int_equal(REN("/r/f", "/r/d", 0), -EISDIR);
	assert_int_equal(REN("/r/d", "/r/f", 0), -ENOTDIR);
	assert_int_equal(REN("/r/d", "/r/d/sub/x", 0), -EINVAL);
	assert_int_equal(REN("/r/empty", "/r/d", 0), -ENOTEMPTY);
	assert_int_equal(REN("/r/f", "/r/g", LINUX_RENAME_NOREPLACE), -EEXIST);
	assert_int_equal(REN("/r/f", "/r/f", LINUX_RENAME_NOREPLACE), -EEXIST);
	assert_int_equal(REN("/r/f", "/r/f", 0), 0);
	assert_int_equal(REN("/r/f", "/r/g/", 0), -ENOTDIR);
	assert_int_equal(REN("/r/.", "/r/x", 0), -EBUSY);
	/* An exchange needs both names. */
	assert_int_equal(REN("/r/f", "/r/x", LINUX_RENAME_EXCHANGE), -ENOENT);
	assert_int_equal(REN("/r/f", "/r/g",
			     LINUX_RENAME_EXCHANGE | LINUX_RENAME_NOREPLACE),
			 -EINVAL);
	assert_int_equal(REN("/r/f", "/r/g", LINUX_RENAME_WHITEOUT), -EINVAL);
	/* Replace a file; the old name is gone, the new one is f. */
	assert_int_equal(REN("/r/f", "/r/g", 0), 0);
	assert_int_equal(look("/r/f", 0, NULL), -ENOENT);
	assert_int_equal(ino_of("/r/g"), f);
	/* Move a directory over an empty one, to another parent. */
	assert_int_equal(REN("/r/d", "/r/empty", 0), 0);
	assert_int_equal(ino_of("/r/empty"), d);
	assert_int_equal(ino_of("/r/empty/sub/.."), d);
	assert_int_equal(stat_of("/r", 0).nlink, 3);
	assert_int_equal(mkd("/r2", 0755), 0);
	assert_int_equal(REN("/r/empty", "/r2/moved", 0), 0);
	assert_int_equal(stat_of("/r", 0).nlink, 2);
	assert_int_equal(stat_of("/r2", 0).nlink, 3);
	assert_int_equal(ino_of("/r2/moved/sub/../.."), ino_of("/r2"));
	/* RENAME_EXCHANGE: two files swap; a file and a directory in
	 * different parents swap, and the link counts follow the
	 * directory; a directory cannot swap with its own ancestor. */
	assert_int_equal(touch("/r/h", 0600), 0);
	assert_int_equal(REN("/r/g", "/r/h", LINUX_RENAME_EXCHANGE), 0);
	assert_int_equal(ino_of("/r/h"), f);
	assert_int_equal(REN("/r/h", "/r2/moved", LINUX_RENAME_EXCHANGE), 0);
	assert_int_equal(ino_of("/r/h"), d);
	assert_int_equal(ino_of("/r2/moved"), f);
	assert_int_equal(ino_of("/r/h/sub/.."), d);
	assert_int_equal(stat_of("/r", 0).nlink, 3);
	assert_int_equal(stat_of("/r2", 0).nlink, 2);
	assert_int_equal(REN("/r/h/sub", "/r/h", LINUX_RENAME_EXCHANGE),
			 -EINVAL);
	assert_int_equal(REN("/r/h", "/r/h/sub", LINUX_RENAME_EXCHANGE),
			 -EINVAL);
	assert_int_equal(REN("/r2/moved/", "/r/h", LINUX_RENAME_EXCHANGE),
			 -ENOTDIR);
	assert_int_equal(REN("/r/h", "/r2/moved/", LINUX_RENAME_EXCHANGE),
			 -ENOTDIR);
#undef REN
}

static void test_tmpfs_stat(void **state)
{
	struct kstat k, p0, p1;
	char buf[10000];

	(void)state;
	assert_int_equal(mkd("/t", 0755), 0);
	k = stat_of("/t", 0);
	assert_int_equal(k.nlink, 2);
	assert_int_equal(k.size, 40);
	assert_int_equal(k.mode, LINUX_S_IFDIR | 0755);
	assert_int_equal(k.blksize, 4096);
	p0 = k;
	assert_int_equal(mkd("/t/a", 0700), 0);
	assert_int_equal(mkd("/t/b", 0700), 0);
	assert_int_equal(touch("/t/f", 0640), 0);
	k = stat_of("/t", 0);
	assert_int_equal(k.nlink, 4); /* 2 + two subdirectories */
	assert_int_equal(k.size, 100);
	assert_true(k.mtime.tv_sec > p0.mtime.tv_sec ||
		    (k.mtime.tv_sec == p0.mtime.tv_sec &&
		     k.mtime.tv_nsec >= p0.mtime.tv_nsec));
	/* umask 022 applies to the requested mode. */
	T->fs->umask = 027;
	assert_int_equal(touch("/t/m", 0666), 0);
	assert_int_equal(stat_of("/t/m", 0).mode, LINUX_S_IFREG | 0640);
	T->fs->umask = 022;

	k = stat_of("/t/f", 0);
	assert_int_equal(k.size, 0);
	assert_int_equal(k.blocks, 0);
	assert_int_equal(k.nlink, 1);
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(write_file("/t/f", buf, 5000, 0), 5000);
	k = stat_of("/t/f", 0);
	assert_int_equal(k.size, 5000);
	assert_int_equal(k.blocks, 16);
	assert_int_equal(read_file("/t/f", buf, sizeof(buf)), 5000);
	/* Hard links count. */
	assert_int_equal(
		vfs_link(T, LINUX_AT_FDCWD, "/t/f", LINUX_AT_FDCWD, "/t/f2", 0),
		0);
	assert_int_equal(stat_of("/t/f", 0).nlink, 2);
	assert_int_equal(stat_of("/t/f2", 0).ino, k.ino);
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/t/f"), 0);
	assert_int_equal(stat_of("/t/f2", 0).nlink, 1);
	/* O_TRUNC empties and frees the pages. */
	p1 = stat_of("/t/f2", 0);
	assert_int_equal(write_file("/t/f2", "y", 1, LINUX_O_TRUNC), 1);
	k = stat_of("/t/f2", 0);
	assert_int_equal(k.size, 1);
	assert_int_equal(k.blocks, 8);
	assert_true(k.ctime.tv_sec >= p1.ctime.tv_sec);
	/* O_APPEND writes at the end. */
	assert_int_equal(write_file("/t/f2", "zz", 2, LINUX_O_APPEND), 2);
	assert_int_equal(read_file("/t/f2", buf, sizeof(buf)), 3);
	assert_memory_equal(buf, "yzz", 3);
	/* Symlink size is its target's length. */
	assert_int_equal(sym("/t/f2", "/t/l"), 0);
	k = stat_of("/t/l", 0);
	assert_int_equal(k.size, 5);
	assert_int_equal(k.mode, LINUX_S_IFLNK | 0777);
	/* rmdir drops the parent's link count. */
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/t/a"), 0);
	assert_int_equal(stat_of("/t", 0).nlink, 3);
	/* Devices and different superblocks. */
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/t/null",
				   LINUX_S_IFCHR | 0666, linux_makedev(1, 3)),
			 0);
	k = stat_of("/t/null", 0);
	assert_int_equal(linux_major(k.rdev), 1);
	assert_int_equal(linux_minor(k.rdev), 3);
}

static void test_truncate_and_holes(void **state)
{
	struct file *f;
	struct path p;
	char buf[8192];

	(void)state;
	assert_int_equal(write_file("/h", "abcdef", 6, 0), 6);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/h", 0, &p), 0);
	assert_int_equal(vfs_truncate(T, &p, 3), 0);
	assert_int_equal(vfs_truncate(T, &p, 10), 0);
	assert_int_equal(read_file("/h", buf, sizeof(buf)), 10);
	assert_memory_equal(buf, "abc\0\0\0\0\0\0\0", 10);
	/* A sparse file: data at 8192, holes around it. */
	assert_int_equal(vfs_truncate(T, &p, 0), 0);
	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, "/h", LINUX_O_RDWR, 0, &f),
			 0);
	{
		struct linux_iovec seg;
		struct vfs_uio u;
		int64_t pos = 8192;

		vfs_uio_init_sentry(&u, &seg, "x", 1);
		assert_int_equal(vfs_write(f, &u, &pos), 1);
	}
	assert_int_equal(f->ops->llseek(f, 0, LINUX_SEEK_DATA), 8192);
	assert_int_equal(f->ops->llseek(f, 0, LINUX_SEEK_HOLE), 0);
	assert_int_equal(f->ops->llseek(f, 8192, LINUX_SEEK_HOLE), 8193);
	assert_int_equal(f->ops->llseek(f, 8193, LINUX_SEEK_DATA), -ENXIO);
	assert_int_equal(f->ops->llseek(f, -1, LINUX_SEEK_SET), -EINVAL);
	assert_int_equal(f->ops->llseek(f, 5, LINUX_SEEK_END), 8198);
	assert_int_equal(stat_of("/h", 0).blocks, 8);
	file_put(f);
	/* A directory cannot be truncated. */
	path_put(&p);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/", 0, &p), 0);
	assert_int_equal(vfs_truncate(T, &p, 0), -EISDIR);
	path_put(&p);
	/* RLIMIT_FSIZE: EFBIG and SIGXFSZ. */
	T->tg->rlimits[LINUX_RLIMIT_FSIZE].cur = 100;
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/h", 0, &p), 0);
	assert_int_equal(vfs_truncate(T, &p, 1000), -EFBIG);
	assert_int_equal(fake_last_signal, LINUX_SIGXFSZ);
	path_put(&p);
	T->tg->rlimits[LINUX_RLIMIT_FSIZE].cur = ~0ULL;
}

static void test_open_flags(void **state)
{
	struct file *f;

	(void)state;
#define OPEN(p, fl, m) vfs_open(T, LINUX_AT_FDCWD, p, fl, m, &f)
	assert_int_equal(mkd("/o", 0755), 0);
	assert_int_equal(
		OPEN("/o/f", LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_RDWR, 0600),
		0);
	assert_int_equal(f->flags & LINUX_O_ACCMODE, LINUX_O_RDWR);
	assert_true(f->fmode & FMODE_READ);
	assert_true(f->fmode & FMODE_WRITE);
	file_put(f);
	assert_int_equal(
		OPEN("/o/f", LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_RDWR, 0600),
		-EEXIST);
	assert_int_equal(OPEN("/o", LINUX_O_WRONLY, 0), -EISDIR);
	assert_int_equal(OPEN("/o", LINUX_O_RDONLY | LINUX_O_TRUNC, 0),
			 -EISDIR);
	assert_int_equal(OPEN("/o", LINUX_O_CREAT | LINUX_O_RDONLY, 0),
			 -EISDIR);
	assert_int_equal(OPEN("/o/", LINUX_O_CREAT | LINUX_O_RDONLY, 0),
			 -EISDIR);
	assert_int_equal(OPEN("/o/f/", LINUX_O_RDONLY, 0), -ENOTDIR);
	assert_int_equal(OPEN("/o/f", LINUX_O_DIRECTORY, 0), -ENOTDIR);
	assert_int_equal(OPEN("/o", LINUX_O_CREAT | LINUX_O_DIRECTORY, 0),
			 -EINVAL);
	assert_int_equal(OPEN("/o/nope", LINUX_O_RDONLY, 0), -ENOENT);
	/* Symlinks: O_NOFOLLOW, O_PATH, O_CREAT through a dangling link. */
	assert_int_equal(sym("f", "/o/l"), 0);
	assert_int_equal(OPEN("/o/l", LINUX_O_RDONLY | LINUX_O_NOFOLLOW, 0),
			 -ELOOP);
	assert_int_equal(OPEN("/o/l", LINUX_O_PATH | LINUX_O_NOFOLLOW, 0), 0);
	assert_true(LINUX_S_ISLNK(f->inode->mode));
	assert_true(f->fmode & FMODE_PATH);
	file_put(f);
	assert_int_equal(
		OPEN("/o/l",
		     LINUX_O_RDONLY | LINUX_O_NOFOLLOW | LINUX_O_DIRECTORY, 0),
		-ENOTDIR);
	assert_int_equal(OPEN("/o/l", LINUX_O_CREAT | LINUX_O_EXCL, 0600),
			 -EEXIST);
	assert_int_equal(sym("made", "/o/dangling"), 0);
	assert_int_equal(
		OPEN("/o/dangling", LINUX_O_CREAT | LINUX_O_RDWR, 0600), 0);
	file_put(f);
	assert_int_equal(look("/o/made", 0, NULL), 0);
	assert_int_equal(sym("loop", "/o/loop"), 0);
	assert_int_equal(OPEN("/o/loop", LINUX_O_CREAT | LINUX_O_RDONLY, 0600),
			 -ELOOP);
	/* O_PATH fds cannot read. */
	assert_int_equal(OPEN("/o/f", LINUX_O_PATH | LINUX_O_RDWR, 0), 0);
	assert_int_equal(f->flags, LINUX_O_PATH);
	{
		char c;
		struct linux_iovec seg;
		struct vfs_uio u;

		vfs_uio_init_sentry(&u, &seg, &c, 1);
		assert_int_equal(vfs_read(f, &u, NULL), -EBADF);
	}
	file_put(f);
	assert_int_equal(OPEN("/o/f", LINUX_O_TMPFILE | LINUX_O_RDWR, 0600),
			 -ENOTDIR);
	assert_int_equal(OPEN("/o", LINUX_O_TMPFILE | LINUX_O_RDONLY, 0600),
			 -EINVAL);
	/* Devices: /dev nodes open through the chrdev table. */
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/o/null",
				   LINUX_S_IFCHR | 0666, linux_makedev(1, 3)),
			 0);
	assert_int_equal(OPEN("/o/null", LINUX_O_RDWR, 0), 0);
	file_put(f);
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/o/nodev",
				   LINUX_S_IFCHR | 0666, linux_makedev(99, 9)),
			 0);
	assert_int_equal(OPEN("/o/nodev", LINUX_O_RDWR, 0), -ENXIO);
	assert_int_equal(vfs_mknod(T, LINUX_AT_FDCWD, "/o/sock",
				   LINUX_S_IFSOCK | 0666, 0),
			 0);
	assert_int_equal(OPEN("/o/sock", LINUX_O_RDWR, 0), -ENXIO);
#undef OPEN
}

static void test_path_string(void **state)
{
	struct superblock *sb;
	struct file *f;
	char buf[256];

	(void)state;
	assert_int_equal(mkd("/ps", 0755), 0);
	assert_int_equal(mkd("/ps/m", 0755), 0);
	assert_int_equal(tmpfs_new(0755, 0, 0, &sb), 0);
	assert_int_equal(vfs_mount_at("/ps/m", sb, 0, "tmpfs"), 0);
	superblock_put(sb);
	assert_int_equal(touch("/ps/m/file", 0644), 0);
	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, "/ps/m/file",
				  LINUX_O_RDONLY, 0, &f),
			 0);
	assert_int_equal(vfs_file_path_string(T, f, buf, sizeof(buf)),
			 strlen("/ps/m/file"));
	assert_string_equal(buf, "/ps/m/file");
	assert_int_equal(vfs_unlink(T, LINUX_AT_FDCWD, "/ps/m/file"), 0);
	vfs_file_path_string(T, f, buf, sizeof(buf));
	assert_string_equal(buf, "/ps/m/file (deleted)");
	assert_int_equal(vfs_file_path_string(T, f, buf, 5), -ENAMETOOLONG);
	file_put(f);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/", LINUX_O_RDONLY, 0, &f), 0);
	vfs_file_path_string(T, f, buf, sizeof(buf));
	assert_string_equal(buf, "/");
	file_put(f);
	/* A directory moved keeps its path current. */
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/ps/m", LINUX_O_RDONLY, 0, &f), 0);
	vfs_file_path_string(T, f, buf, sizeof(buf));
	assert_string_equal(buf, "/ps/m");
	file_put(f);
	assert_int_equal(mkd("/ps/q", 0755), 0);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/ps/q", LINUX_O_RDONLY, 0, &f), 0);
	assert_int_equal(vfs_rename(T, LINUX_AT_FDCWD, "/ps/q", LINUX_AT_FDCWD,
				    "/ps/renamed", 0),
			 0);
	vfs_file_path_string(T, f, buf, sizeof(buf));
	assert_string_equal(buf, "/ps/renamed");
	file_put(f);
}

/* getdents through an emitter that records names. */
struct names {
	struct dir_ctx ctx;
	char seen[64][32];
	int n, max;
};

static bool record(struct dir_ctx *ctx, const char *name, size_t len,
		   uint64_t ino, unsigned dtype, int64_t next)
{
	struct names *r = (struct names *)ctx;

	(void)ino;
	(void)dtype;
	(void)next;
	if (r->n >= r->max)
		return false;
	snprintf(r->seen[r->n++], 32, "%.*s", (int)len, name);
	return true;
}

static void test_getdents(void **state)
{
	struct names r = {.ctx.emit = record, .max = 3};
	struct file *f;

	(void)state;
	assert_int_equal(mkd("/g", 0755), 0);
	assert_int_equal(touch("/g/one", 0644), 0);
	assert_int_equal(mkd("/g/two", 0755), 0);
	assert_int_equal(touch("/g/three", 0644), 0);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/g", LINUX_O_RDONLY, 0, &f), 0);
	assert_int_equal(vfs_getdents(f, &r.ctx), 0);
	assert_int_equal(r.n, 3);
	assert_string_equal(r.seen[0], ".");
	assert_string_equal(r.seen[1], "..");
	assert_string_equal(r.seen[2], "one");
	/* Removing the next entry between calls skips it cleanly. */
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/g/two"), 0);
	r.max = 64;
	assert_int_equal(vfs_getdents(f, &r.ctx), 0);
	assert_int_equal(r.n, 4);
	assert_string_equal(r.seen[3], "three");
	/* At the end: nothing more. */
	assert_int_equal(vfs_getdents(f, &r.ctx), 0);
	assert_int_equal(r.n, 4);
	/* Rewind. */
	assert_int_equal(f->ops->llseek(f, 0, LINUX_SEEK_SET), 0);
	r.n = 0;
	assert_int_equal(vfs_getdents(f, &r.ctx), 0);
	assert_int_equal(r.n, 4);
	file_put(f);
	/* A deleted directory lists nothing: ENOENT. */
	assert_int_equal(mkd("/g/gone", 0755), 0);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/g/gone", LINUX_O_RDONLY, 0, &f),
		0);
	assert_int_equal(vfs_rmdir(T, LINUX_AT_FDCWD, "/g/gone"), 0);
	assert_int_equal(vfs_getdents(f, &r.ctx), -ENOENT);
	/* And nothing can be created in it. */
	fs_context_set_cwd(T->fs, &f->path);
	assert_int_equal(touch("x", 0644), -ENOENT);
	assert_int_equal(mkd("x", 0755), -ENOENT);
	file_put(f);
}

static void test_devfs(void **state)
{
	struct superblock *sb;
	struct file *f;
	char buf[64];
	struct inode *i = NULL;

	(void)state;
	assert_int_equal(mkd("/dev", 0755), 0);
	assert_int_equal(devfs_new(&sb), 0);
	assert_int_equal(vfs_mount_at("/dev", sb, 0, "devtmpfs"), 0);
	superblock_put(sb);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/dev/zero", LINUX_O_RDWR, 0, &f),
		0);
	memset(buf, 1, sizeof(buf));
	assert_int_equal(vfs_file_pread(f, buf, sizeof(buf), 0), sizeof(buf));
	for (size_t k = 0; k < sizeof(buf); k++)
		assert_int_equal(buf[k], 0);
	file_put(f);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/dev/null", LINUX_O_RDWR, 0, &f),
		0);
	assert_int_equal(vfs_file_pread(f, buf, sizeof(buf), 0), 0);
	{
		struct linux_iovec seg;
		struct vfs_uio u;

		vfs_uio_init_sentry(&u, &seg, buf, 10);
		assert_int_equal(vfs_write(f, &u, NULL), 10);
	}
	file_put(f);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/dev/full", LINUX_O_WRONLY, 0, &f),
		0);
	{
		struct linux_iovec seg;
		struct vfs_uio u;

		vfs_uio_init_sentry(&u, &seg, buf, 10);
		assert_int_equal(vfs_write(f, &u, NULL), -ENOSPC);
	}
	file_put(f);
	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, "/dev/urandom",
				  LINUX_O_RDONLY, 0, &f),
			 0);
	assert_int_equal(vfs_file_pread(f, buf, 32, 0), 32);
	file_put(f);
	assert_int_equal(
		vfs_open(T, LINUX_AT_FDCWD, "/dev/tty", LINUX_O_RDWR, 0, &f),
		-ENXIO);
	assert_int_equal(look("/dev/fd", 0, &i), 0);
	assert_true(LINUX_S_ISLNK(i->mode));
	assert_int_equal(look("/dev/shm", 0, &i), 0);
	assert_int_equal(i->mode, LINUX_S_IFDIR | 01777);
	assert_int_equal(look("/dev/pts", 0, &i), 0);
	assert_int_equal(stat_of("/dev/null", 0).mode, LINUX_S_IFCHR | 0666);
}

static void test_dcache_bounded(void **state)
{
	char p[64];

	(void)state;
	/* Many lookups of distinct names must not fail or leak the tree:
	 * the unused dentries get evicted and looked up again. */
	assert_int_equal(mkd("/many", 0755), 0);
	for (int k = 0; k < 10000; k++) {
		snprintf(p, sizeof(p), "/many/f%d", k);
		assert_int_equal(touch(p, 0644), 0);
	}
	for (int k = 0; k < 10000; k += 97) {
		snprintf(p, sizeof(p), "/many/f%d", k);
		assert_int_equal(look(p, 0, NULL), 0);
	}
	assert_int_equal(stat_of("/many", 0).size, 40 + 20 * 10000);
}

extern const struct CMUnitTest vfs_io_tests[];
extern const struct CMUnitTest vfs_files_tests[];
extern const struct CMUnitTest vfs_events_tests[];
extern const struct CMUnitTest vfs_xattr_tests[];

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T_(f)                                                                  \
	cmocka_unit_test_setup_teardown(f, vfs_test_setup, vfs_test_teardown)
		T_(test_lookup_basic),
		T_(test_lookup_dirfd),
		T_(test_dotdot_at_root),
		T_(test_symlinks),
		T_(test_name_limits),
		T_(test_mount_crossing),
		T_(test_readonly_mount),
		T_(test_permissions),
		T_(test_sticky_and_owner),
		T_(test_namespace_errnos),
		T_(test_rename),
		T_(test_tmpfs_stat),
		T_(test_truncate_and_holes),
		T_(test_open_flags),
		T_(test_path_string),
		T_(test_getdents),
		T_(test_devfs),
		T_(test_dcache_bounded),
#undef T_
	};
	int failed = cmocka_run_group_tests_name("vfs", tests, NULL, NULL);

	failed += _cmocka_run_group_tests("vfs_io", vfs_io_tests,
					  vfs_io_tests_count, NULL, NULL);
	failed += _cmocka_run_group_tests("vfs_files", vfs_files_tests,
					  vfs_files_tests_count, NULL, NULL);
	failed += _cmocka_run_group_tests("vfs_events", vfs_events_tests,
					  vfs_events_tests_count, NULL, NULL);
	failed += _cmocka_run_group_tests("vfs_xattr", vfs_xattr_tests,
					  vfs_xattr_tests_count, NULL, NULL);
	return failed ? 1 : 0;
}
