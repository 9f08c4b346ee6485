/* SPDX-License-Identifier: Apache-2.0 */
/*
 * VFS unit tests of extended attributes (the namespace rules of
 * sentry/vfs/xattr.c on tmpfs), tmpfs's limits (size=, nr_inodes=, the
 * xattr space), and the mount tree's operations (bind mounts, busy
 * checks, detaching a tree, pivot_root).
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
#include "sentry/fs/fs.h"
#include "sentry/kernel/kernel.h"
#include "tests/unit/vfs_fixture.h"

static int mkd_(const char *p)
{
	return vfs_mkdir(T, LINUX_AT_FDCWD, p, 0755);
}

static struct path must_lookup(const char *p, int flags)
{
	struct path out;

	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, p, flags, &out), 0);
	return out;
}

static void put_file(const char *p, uint32_t mode)
{
	struct file *f;

	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, p,
				  LINUX_O_CREAT | LINUX_O_WRONLY, mode, &f),
			 0);
	file_put(f);
}

static long write_at(const char *p, size_t len, uint64_t off)
{
	static char buf[64 * 1024];
	struct linux_iovec seg;
	struct vfs_uio u;
	int64_t pos = (int64_t)off;
	struct file *f;
	long n;

	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, p, LINUX_O_WRONLY, 0, &f),
			 0);
	memset(buf, 'x', sizeof(buf));
	vfs_uio_init_sentry(&u, &seg, buf, len);
	n = vfs_write(f, &u, &pos);
	file_put(f);
	return n;
}

/* The namespaces: user.* on files and directories, EPERM/ENODATA on a
 * symlink, trusted.* and security.* for the privileged, the rest
 * EOPNOTSUPP; flags and list sizes. */
static void test_xattr_rules(void **state)
{
	char buf[64];
	struct path f, l;

	(void)state;
	put_file("/f", 0644);
	assert_int_equal(vfs_symlink(T, "f", LINUX_AT_FDCWD, "/l"), 0);
	f = must_lookup("/f", 0);
	l = must_lookup("/l", 0);
	assert_int_equal(vfs_setxattr(T, &f, "user.a", "1", 1, 0), 0);
	assert_int_equal(vfs_setxattr(T, &f, "user.a", "2", 1,
				      LINUX_XATTR_CREATE),
			 -EEXIST);
	assert_int_equal(vfs_setxattr(T, &f, "user.b", "2", 1,
				      LINUX_XATTR_REPLACE),
			 -ENODATA);
	assert_int_equal(vfs_getxattr(T, &f, "user.a", buf, sizeof(buf)), 1);
	assert_int_equal(vfs_getxattr(T, &f, "user.a", NULL, 0), 1);
	assert_int_equal(vfs_setxattr(T, &l, "user.a", "1", 1, 0), -EPERM);
	assert_int_equal(vfs_getxattr(T, &l, "user.a", buf, sizeof(buf)),
			 -ENODATA);
	assert_int_equal(vfs_setxattr(T, &f, "user.", "1", 1, 0), -EINVAL);
	assert_int_equal(vfs_setxattr(T, &f, "other.x", "1", 1, 0),
			 -EOPNOTSUPP);
	assert_int_equal(vfs_setxattr(T, &f, "system.posix_acl_access", "1",
				      1, 0),
			 -EOPNOTSUPP);
	assert_int_equal(vfs_setxattr(T, &f, "trusted.t", "1", 1, 0), 0);
	assert_int_equal(vfs_listxattr(T, &f, buf, sizeof(buf)),
			 (long)(sizeof("user.a") + sizeof("trusted.t")));
	assert_int_equal(vfs_listxattr(T, &f, buf, 3), -ERANGE);
	test_become(1000, 1000, false);
	assert_int_equal(vfs_listxattr(T, &f, buf, sizeof(buf)),
			 (long)sizeof("user.a"));
	assert_int_equal(vfs_getxattr(T, &f, "trusted.t", buf, sizeof(buf)),
			 -ENODATA);
	assert_int_equal(vfs_setxattr(T, &f, "trusted.t", "1", 1, 0), -EPERM);
	assert_int_equal(vfs_setxattr(T, &f, "security.s", "1", 1, 0), -EPERM);
	/* user.* follows the mode: 0644 of root is not writable. */
	assert_int_equal(vfs_setxattr(T, &f, "user.c", "1", 1, 0), -EACCES);
	test_become(0, 0, true);
	assert_int_equal(vfs_removexattr(T, &f, "user.a"), 0);
	assert_int_equal(vfs_removexattr(T, &f, "user.a"), -ENODATA);
	path_put(&f);
	path_put(&l);
}

/* size= and nr_inodes=: short writes, then ENOSPC; statfs counts; the
 * xattr space is nr_inodes KiB, part of it taken by each inode. */
static void test_tmpfs_limits(void **state)
{
	struct superblock *sb;
	struct path mp, f;
	struct kstatfs st;
	static char big[2048];

	(void)state;
	assert_int_equal(mkd_("/lim"), 0);
	assert_int_equal(tmpfs_new_limited(0755, 0, 0, 3 * 4096, 3, &sb), 0);
	mp = must_lookup("/lim", LOOKUP_FOLLOW);
	assert_int_equal(vfs_mount(sb, &mp, 0, "tmpfs", NULL), 0);
	superblock_put(sb);
	path_put(&mp);
	put_file("/lim/a", 0644);
	assert_int_equal(write_at("/lim/a", 8192, 0), 8192);
	assert_int_equal(write_at("/lim/a", 8192, 8192), 4096);
	assert_int_equal(write_at("/lim/a", 10, 12288), -ENOSPC);
	assert_int_equal(write_at("/lim/a", 10, 0), 10); /* no new page */
	assert_int_equal(sb->ops->statfs(sb, &st), 0);
	assert_int_equal(st.blocks, 3);
	assert_int_equal(st.bfree, 0);
	assert_int_equal(st.files, 3);
	assert_int_equal(st.ffree, 1);
	put_file("/lim/b", 0644);
	assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, "/lim/c",
				  LINUX_O_CREAT | LINUX_O_WRONLY, 0644,
				  &(struct file *){NULL}),
			 -ENOSPC);
	/* 3 KiB of ispace, 3 inodes: nothing left for user.* ... */
	f = must_lookup("/lim/b", 0);
	memset(big, 'v', sizeof(big));
	assert_int_equal(vfs_setxattr(T, &f, "user.x", big, 10, 0), -ENOSPC);
	/* ... but trusted.* does not count against it. */
	assert_int_equal(vfs_setxattr(T, &f, "trusted.x", big, sizeof(big), 0),
			 0);
	path_put(&f);
}

/* Bind mounts (recursive or not), busy mounts, detaching a tree. */
static void test_bind_and_busy(void **state)
{
	struct path src, dst, rdst, p;

	(void)state;
	assert_int_equal(mkd_("/src"), 0);
	assert_int_equal(mkd_("/src/in"), 0);
	assert_int_equal(mkd_("/dst"), 0);
	assert_int_equal(mkd_("/rdst"), 0);
	put_file("/src/f", 0644);
	{
		struct superblock *sb;
		struct path in = must_lookup("/src/in", LOOKUP_FOLLOW);

		assert_int_equal(tmpfs_new(0755, 0, 0, &sb), 0);
		assert_int_equal(vfs_mount(sb, &in, 0, "tmpfs", NULL), 0);
		superblock_put(sb);
		path_put(&in);
	}
	put_file("/src/in/g", 0644);
	src = must_lookup("/src", LOOKUP_FOLLOW);
	dst = must_lookup("/dst", LOOKUP_FOLLOW);
	rdst = must_lookup("/rdst", LOOKUP_FOLLOW);
	assert_int_equal(vfs_bind_mount(&src, &dst, false), 0);
	assert_int_equal(vfs_bind_mount(&src, &rdst, true), 0);
	path_put(&dst);
	path_put(&rdst);
	path_put(&src);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/dst/f", 0, &p), 0);
	path_put(&p);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/dst/in/g", 0, &p),
			 -ENOENT);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/rdst/in/g", 0, &p),
			 0);
	path_put(&p);
	/* The recursive copy has a mount below it: busy. */
	rdst = must_lookup("/rdst", LOOKUP_FOLLOW);
	assert_true(vfs_mount_busy(rdst.mnt));
	vfs_umount_tree(rdst.mnt);
	path_put(&rdst);
	assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/rdst/in/g", 0, &p),
			 -ENOENT);
	/* A file open in the plain bind keeps it busy. */
	dst = must_lookup("/dst", LOOKUP_FOLLOW);
	{
		struct file *f;

		assert_int_equal(vfs_open(T, LINUX_AT_FDCWD, "/dst/f",
					  LINUX_O_RDONLY, 0, &f),
				 0);
		assert_true(vfs_mount_busy(dst.mnt));
		file_put(f);
	}
	assert_false(vfs_mount_busy(dst.mnt));
	assert_int_equal(vfs_umount(dst.mnt), 0);
	path_put(&dst);
	/* A bind of a directory onto a file: ENOTDIR. */
	put_file("/file", 0644);
	src = must_lookup("/src", LOOKUP_FOLLOW);
	dst = must_lookup("/file", 0);
	assert_int_equal(vfs_bind_mount(&src, &dst, false), -ENOTDIR);
	path_put(&src);
	path_put(&dst);
}

/* pivot_root: the new root takes the root's place, the old one goes
 * under put_old; Linux's EBUSY and EINVAL. */
static void test_pivot_root(void **state)
{
	struct path root, nr, old, plain;
	struct superblock *sb;

	(void)state;
	assert_int_equal(mkd_("/new"), 0);
	assert_int_equal(mkd_("/plain"), 0);
	assert_int_equal(tmpfs_new(0755, 0, 0, &sb), 0);
	nr = must_lookup("/new", LOOKUP_FOLLOW);
	assert_int_equal(vfs_mount(sb, &nr, 0, "tmpfs", NULL), 0);
	superblock_put(sb);
	path_put(&nr);
	assert_int_equal(mkd_("/new/old"), 0);
	put_file("/new/hello", 0644);
	root = T->fs->root;
	path_get(&root);
	nr = must_lookup("/new", LOOKUP_FOLLOW);
	old = must_lookup("/new/old", LOOKUP_FOLLOW);
	plain = must_lookup("/plain", LOOKUP_FOLLOW);
	assert_int_equal(vfs_pivot_root(&root, &nr, &plain), -EBUSY);
	assert_int_equal(vfs_pivot_root(&root, &old, &old), -EINVAL);
	assert_int_equal(vfs_pivot_root(&root, &nr, &old), 0);
	assert_ptr_equal(kernel->root_mount, nr.mnt);
	assert_ptr_equal(root.mnt->parent, nr.mnt);
	fs_context_set_root(T->fs, &nr);
	fs_context_set_cwd(T->fs, &nr);
	{
		struct path p;

		assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/hello", 0, &p),
				 0);
		path_put(&p);
		assert_int_equal(vfs_lookup(T, LINUX_AT_FDCWD, "/old/plain",
					    0, &p),
				 0);
		path_put(&p);
	}
	/* Put things back for the next test's setup. */
	path_put(&plain);
	path_put(&old);
	old = must_lookup("/old", LOOKUP_FOLLOW);
	vfs_umount_tree(old.mnt);
	path_put(&old);
	path_put(&root);
	path_put(&nr);
}

#define T_(f)                                                                  \
	cmocka_unit_test_setup_teardown(f, vfs_test_setup, vfs_test_teardown)
const struct CMUnitTest vfs_xattr_tests[] = {
	T_(test_xattr_rules),
	T_(test_tmpfs_limits),
	T_(test_bind_and_busy),
	T_(test_pivot_root),
};
const size_t vfs_xattr_tests_count =
	sizeof(vfs_xattr_tests) / sizeof(vfs_xattr_tests[0]);
