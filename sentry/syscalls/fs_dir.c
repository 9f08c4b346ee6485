/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_dir.c: directories and names: getdents64, getdents, getcwd, chdir,
 * fchdir, mkdir(at), mknod(at), rmdir, unlink(at), rename(at/at2),
 * symlink(at), link(at), umask.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/abi/capability.h"
#include "sentry/abi/dirent.h"
#include "sentry/syscalls/fs_common.h"

/* The Sentry-side buffer of one getdents call: a guest may ask for 4 GiB,
 * we fill at most this much per call (a short result is legal). */
#define DENTS_MAX (64 * 1024)

struct dents_buf {
	struct dir_ctx ctx; /* first: the emitter casts back */
	char *buf;
	size_t size, used;
	bool old; /* getdents, not getdents64 */
	int err;
};

/* Append one record; false (and EINVAL if it is the first) when full. */
static bool dents_emit(struct dir_ctx *ctx, const char *name, size_t len,
		       uint64_t ino, unsigned dtype, int64_t next)
{
	struct dents_buf *b = (struct dents_buf *)ctx;
	size_t hdr = b->old ? LINUX_DIRENT_HDR : LINUX_DIRENT64_HDR;
	/* The old record keeps d_type in its last byte, after the NUL. */
	size_t reclen = (hdr + len + 1 + (b->old ? 1 : 0) + 7) & ~(size_t)7;
	char *r = b->buf + b->used;

	if (b->used + reclen > b->size) {
		if (!b->used)
			b->err = -EINVAL;
		return false;
	}
	memset(r, 0, reclen);
	memcpy(r, &ino, 8);
	memcpy(r + 8, &next, 8);
	memcpy(r + 16, &(uint16_t){(uint16_t)reclen}, 2);
	if (b->old) {
		memcpy(r + LINUX_DIRENT_HDR, name, len);
		r[reclen - 1] = (char)dtype;
	} else {
		r[18] = (char)dtype;
		memcpy(r + LINUX_DIRENT64_HDR, name, len);
	}
	b->used += reclen;
	return true;
}

static long do_getdents(struct task *t, int fd, uint64_t dirp, uint32_t count,
			bool old)
{
	struct dents_buf b = {.ctx.emit = dents_emit, .old = old};
	struct file *f = fd_get_nopath(t, fd);
	long err;

	if (!f)
		return -EBADF;
	b.size = count < DENTS_MAX ? count : DENTS_MAX;
	b.buf = malloc(b.size ? b.size : 1);
	if (!b.buf) {
		file_put(f);
		return -ENOMEM;
	}
	err = vfs_getdents(f, &b.ctx);
	file_put(f);
	if (!err)
		err = b.err;
	if (!err && b.used)
		err = task_copy_out(t, dirp, b.buf, b.used);
	free(b.buf);
	return err ? err : (long)b.used;
}

long kern_getdents64(struct task *t, const struct getdents64_args *a)
{
	return do_getdents(t, a->fd, a->dirp, a->count, false);
}

long kern_getdents(struct task *t, const struct getdents_args *a)
{
	return do_getdents(t, a->fd, a->dirp, a->count, true);
}

long kern_getcwd(struct task *t, const struct getcwd_args *a)
{
	char buf[LINUX_PATH_MAX + 16];
	const struct path *cwd = &t->fs->cwd;
	size_t off = 0;
	long len, err;

	if (cwd->dentry->flags & DENTRY_DELETED)
		return -ENOENT;
	if (!vfs_path_under(&t->fs->root, cwd)) {
		memcpy(buf, "(unreachable)", 13);
		off = 13;
	}
	len = vfs_path_string(&t->fs->root, cwd, buf + off, LINUX_PATH_MAX);
	if (len < 0)
		return len;
	len += (long)off;
	if ((uint64_t)len + 1 > a->size)
		return -ERANGE;
	err = task_copy_out(t, a->buf, buf, (size_t)len + 1);
	return err ? err : len + 1;
}

long kern_chdir(struct task *t, const struct chdir_args *a)
{
	char path[LINUX_PATH_MAX];
	struct path p;
	long err = fs_getname(t, a->path, path);

	if (err < 0)
		return err;
	err = vfs_lookup(t, LINUX_AT_FDCWD, path,
			 LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		return err;
	err = vfs_permission(p.mnt, p.dentry->inode, MAY_EXEC | MAY_CHDIR,
			     t->creds);
	if (!err)
		fs_context_set_cwd(t->fs, &p);
	path_put(&p);
	return err;
}

/* fchdir works on O_PATH descriptors of directories. */
long kern_fchdir(struct task *t, const struct fchdir_args *a)
{
	struct file *f = fd_get(t, a->fd);
	long err;

	if (!f)
		return -EBADF;
	if (!LINUX_S_ISDIR(f->inode->mode))
		err = -ENOTDIR;
	else
		err = vfs_permission(f->path.mnt, f->inode,
				     MAY_EXEC | MAY_CHDIR, t->creds);
	if (!err)
		fs_context_set_cwd(t->fs, &f->path);
	file_put(f);
	return err;
}

static long do_mkdir(struct task *t, int dirfd, uint64_t upath, uint32_t mode)
{
	char path[LINUX_PATH_MAX];
	long err = fs_getname(t, upath, path);

	return err < 0 ? err : vfs_mkdir(t, dirfd, path, mode);
}

long kern_mkdir(struct task *t, const struct mkdir_args *a)
{
	return do_mkdir(t, LINUX_AT_FDCWD, a->pathname, a->mode);
}

long kern_mkdirat(struct task *t, const struct mkdirat_args *a)
{
	return do_mkdir(t, a->dirfd, a->pathname, a->mode);
}

/* mknod's dev is the kernel's 32-bit encoding (12-bit major). */
static long do_mknod(struct task *t, int dirfd, uint64_t upath, uint32_t mode,
		     uint32_t dev)
{
	char path[LINUX_PATH_MAX];
	long err = fs_getname(t, upath, path);

	if (err < 0)
		return err;
	return vfs_mknod(
		t, dirfd, path, mode,
		linux_makedev(linux_new_major(dev), linux_new_minor(dev)));
}

long kern_mknod(struct task *t, const struct mknod_args *a)
{
	return do_mknod(t, LINUX_AT_FDCWD, a->pathname, a->mode, a->dev);
}

long kern_mknodat(struct task *t, const struct mknodat_args *a)
{
	return do_mknod(t, a->dirfd, a->pathname, a->mode, a->dev);
}

static long do_unlink(struct task *t, int dirfd, uint64_t upath, bool dir)
{
	char path[LINUX_PATH_MAX];
	long err = fs_getname(t, upath, path);

	if (err < 0)
		return err;
	return dir ? vfs_rmdir(t, dirfd, path) : vfs_unlink(t, dirfd, path);
}

long kern_rmdir(struct task *t, const struct rmdir_args *a)
{
	return do_unlink(t, LINUX_AT_FDCWD, a->pathname, true);
}

long kern_unlink(struct task *t, const struct unlink_args *a)
{
	return do_unlink(t, LINUX_AT_FDCWD, a->pathname, false);
}

long kern_unlinkat(struct task *t, const struct unlinkat_args *a)
{
	if (a->flags & ~LINUX_AT_REMOVEDIR)
		return -EINVAL;
	return do_unlink(t, a->dirfd, a->pathname,
			 a->flags & LINUX_AT_REMOVEDIR);
}

static long do_rename(struct task *t, int odfd, uint64_t oldp, int ndfd,
		      uint64_t newp, uint32_t flags)
{
	char from[LINUX_PATH_MAX], to[LINUX_PATH_MAX];
	long err;

	if ((flags & LINUX_RENAME_EXCHANGE) &&
	    (flags & (LINUX_RENAME_NOREPLACE | LINUX_RENAME_WHITEOUT)))
		return -EINVAL;
	err = fs_getname(t, oldp, from);
	if (err < 0)
		return err;
	err = fs_getname(t, newp, to);
	if (err < 0)
		return err;
	return vfs_rename(t, odfd, from, ndfd, to, flags);
}

long kern_rename(struct task *t, const struct rename_args *a)
{
	return do_rename(t, LINUX_AT_FDCWD, a->oldpath, LINUX_AT_FDCWD,
			 a->newpath, 0);
}

long kern_renameat(struct task *t, const struct renameat_args *a)
{
	return do_rename(t, a->olddirfd, a->oldpath, a->newdirfd, a->newpath,
			 0);
}

long kern_renameat2(struct task *t, const struct renameat2_args *a)
{
	return do_rename(t, a->olddirfd, a->oldpath, a->newdirfd, a->newpath,
			 a->flags);
}

static long do_symlink(struct task *t, uint64_t utarget, int dirfd,
		       uint64_t upath)
{
	char target[LINUX_PATH_MAX], path[LINUX_PATH_MAX];
	long err = fs_getname(t, utarget, target);

	if (err < 0)
		return err;
	err = fs_getname(t, upath, path);
	if (err < 0)
		return err;
	return vfs_symlink(t, target, dirfd, path);
}

long kern_symlink(struct task *t, const struct symlink_args *a)
{
	return do_symlink(t, a->target, LINUX_AT_FDCWD, a->linkpath);
}

long kern_symlinkat(struct task *t, const struct symlinkat_args *a)
{
	return do_symlink(t, a->target, a->newdirfd, a->linkpath);
}

static long do_link(struct task *t, int odfd, uint64_t oldp, int ndfd,
		    uint64_t newp, uint32_t flags)
{
	char from[LINUX_PATH_MAX], to[LINUX_PATH_MAX];
	long err;

	if (flags & ~(LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH))
		return -EINVAL;
	/* Linking an fd by AT_EMPTY_PATH could resurrect a file someone
	 * opened and unlinked: Linux reserves it to CAP_DAC_READ_SEARCH. */
	if ((flags & LINUX_AT_EMPTY_PATH) &&
	    !((t->creds->cap_effective >> LINUX_CAP_DAC_READ_SEARCH) & 1))
		flags &= ~LINUX_AT_EMPTY_PATH;
	err = fs_getname(t, oldp, from);
	if (err < 0)
		return err;
	err = fs_getname(t, newp, to);
	if (err < 0)
		return err;
	return vfs_link(t, odfd, from, ndfd, to, fs_at_lookup(flags, false));
}

long kern_link(struct task *t, const struct link_args *a)
{
	return do_link(t, LINUX_AT_FDCWD, a->oldpath, LINUX_AT_FDCWD,
		       a->newpath, 0);
}

long kern_linkat(struct task *t, const struct linkat_args *a)
{
	return do_link(t, a->olddirfd, a->oldpath, a->newdirfd, a->newpath,
		       a->flags);
}

long kern_umask(struct task *t, const struct umask_args *a)
{
	uint32_t old = t->fs->umask;

	t->fs->umask = a->mask & 0777;
	return old;
}
