/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_stat.c: stat, fstat, lstat, newfstatat, statx, statfs, fstatfs,
 * readlink, readlinkat, access, faccessat, faccessat2.
 */
#include <errno.h>
#include <string.h>

#include "sentry/abi/stat.h"
#include "sentry/syscalls/fs_common.h"

static void to_stat(const struct kstat *k, struct linux_stat *s)
{
	memset(s, 0, sizeof(*s));
	s->st_dev = k->dev;
	s->st_ino = k->ino;
	s->st_nlink = k->nlink;
	s->st_mode = k->mode;
	s->st_uid = k->uid;
	s->st_gid = k->gid;
	s->st_rdev = k->rdev;
	s->st_size = (int64_t)k->size;
	s->st_blksize = k->blksize;
	s->st_blocks = (int64_t)k->blocks;
	s->st_atime_sec = (uint64_t)k->atime.tv_sec;
	s->st_atime_nsec = (uint64_t)k->atime.tv_nsec;
	s->st_mtime_sec = (uint64_t)k->mtime.tv_sec;
	s->st_mtime_nsec = (uint64_t)k->mtime.tv_nsec;
	s->st_ctime_sec = (uint64_t)k->ctime.tv_sec;
	s->st_ctime_nsec = (uint64_t)k->ctime.tv_nsec;
}

/* Resolve for the stat family: a path from dirfd, or the fd itself for
 * an empty path with AT_EMPTY_PATH (also a NULL path, as Linux 6.11). */
static long stat_lookup(struct task *t, int dirfd, uint64_t upath, uint32_t at,
			struct path *out)
{
	char path[LINUX_PATH_MAX];
	long err;

	if (!upath && (at & LINUX_AT_EMPTY_PATH)) {
		path[0] = 0;
	} else {
		err = fs_getname(t, upath, path);
		if (err < 0)
			return err;
	}
	return vfs_lookup(t, dirfd, path, fs_at_lookup(at, true), out);
}

long fs_do_stat(struct task *t, int dirfd, uint64_t upath, uint64_t statbuf,
		uint32_t at)
{
	struct linux_stat s;
	struct kstat k;
	struct path p;
	long err;

	if (at & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_NO_AUTOMOUNT |
		   LINUX_AT_EMPTY_PATH))
		return -EINVAL;
	err = stat_lookup(t, dirfd, upath, at, &p);
	if (err)
		return err;
	err = vfs_getattr(&p, &k);
	path_put(&p);
	if (err)
		return err;
	to_stat(&k, &s);
	return task_copy_out(t, statbuf, &s, sizeof(s));
}

long kern_stat(struct task *t, const struct stat_args *a)
{
	return fs_do_stat(t, LINUX_AT_FDCWD, a->pathname, a->statbuf, 0);
}

long kern_lstat(struct task *t, const struct lstat_args *a)
{
	return fs_do_stat(t, LINUX_AT_FDCWD, a->pathname, a->statbuf,
			  LINUX_AT_SYMLINK_NOFOLLOW);
}

long kern_newfstatat(struct task *t, const struct newfstatat_args *a)
{
	return fs_do_stat(t, a->dirfd, a->pathname, a->statbuf, a->flags);
}

/* fstat works on O_PATH descriptors too. */
long kern_fstat(struct task *t, const struct fstat_args *a)
{
	struct file *f = fd_get(t, a->fd);
	struct linux_stat s;
	struct kstat k;
	long err;

	if (!f)
		return -EBADF;
	err = vfs_getattr(&f->path, &k);
	file_put(f);
	if (err)
		return err;
	to_stat(&k, &s);
	return task_copy_out(t, a->statbuf, &s, sizeof(s));
}

static struct linux_statx_timestamp stx_ts(struct timespec ts)
{
	return (struct linux_statx_timestamp){.tv_sec = ts.tv_sec,
					      .tv_nsec = (uint32_t)ts.tv_nsec};
}

long kern_statx(struct task *t, const struct statx_args *a)
{
	struct linux_statx sx;
	struct kstat k;
	struct path p;
	long err;

	if ((a->flags & LINUX_AT_STATX_SYNC_TYPE) == LINUX_AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (a->mask & LINUX_STATX__RESERVED)
		return -EINVAL;
	err = stat_lookup(t, a->dirfd, a->pathname, a->flags, &p);
	if (err)
		return err;
	err = vfs_getattr(&p, &k);
	path_put(&p);
	if (err)
		return err;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = (k.mask & (LINUX_STATX_BASIC_STATS | LINUX_STATX_BTIME)) |
		      LINUX_STATX_MNT_ID;
	sx.stx_blksize = k.blksize;
	sx.stx_attributes = k.attributes;
	sx.stx_attributes_mask = LINUX_STATX_ATTR_MOUNT_ROOT;
	sx.stx_nlink = k.nlink;
	sx.stx_uid = k.uid;
	sx.stx_gid = k.gid;
	sx.stx_mode = (uint16_t)k.mode;
	sx.stx_ino = k.ino;
	sx.stx_size = k.size;
	sx.stx_blocks = k.blocks;
	sx.stx_atime = stx_ts(k.atime);
	if (k.mask & LINUX_STATX_BTIME)
		sx.stx_btime = stx_ts(k.btime);
	sx.stx_ctime = stx_ts(k.ctime);
	sx.stx_mtime = stx_ts(k.mtime);
	sx.stx_rdev_major = linux_major(k.rdev);
	sx.stx_rdev_minor = linux_minor(k.rdev);
	sx.stx_dev_major = linux_major(k.dev);
	sx.stx_dev_minor = linux_minor(k.dev);
	sx.stx_mnt_id = k.mnt_id;
	return task_copy_out(t, a->statxbuf, &sx, sizeof(sx));
}

/* statfs of the filesystem behind a path; the mount's flags join the
 * superblock's figures. */
static long do_statfs(struct task *t, const struct path *p, uint64_t ubuf)
{
	struct superblock *sb = p->dentry->sb;
	struct linux_statfs s;
	struct kstatfs k;
	int err = 0;

	memset(&k, 0, sizeof(k));
	if (sb->ops && sb->ops->statfs)
		err = sb->ops->statfs(sb, &k);
	else {
		k.type = sb->magic;
		k.bsize = k.frsize = 4096;
		k.namelen = LINUX_NAME_MAX;
	}
	if (err)
		return err;
	memset(&s, 0, sizeof(s));
	s.f_type = (int64_t)k.type;
	s.f_bsize = (int64_t)k.bsize;
	s.f_blocks = k.blocks;
	s.f_bfree = k.bfree;
	s.f_bavail = k.bavail;
	s.f_files = k.files;
	s.f_ffree = k.ffree;
	s.f_fsid[0] = (int32_t)(sb->dev & 0xffffffffu);
	s.f_fsid[1] = (int32_t)(sb->dev >> 32);
	s.f_namelen = (int64_t)k.namelen;
	s.f_frsize = (int64_t)(k.frsize ? k.frsize : k.bsize);
	s.f_flags = LINUX_ST_VALID | (int64_t)k.flags;
	if (p->mnt) {
		if ((p->mnt->flags & MNT_RDONLY) || (sb->flags & SB_RDONLY))
			s.f_flags |= LINUX_ST_RDONLY;
		if (p->mnt->flags & MNT_NOSUID)
			s.f_flags |= LINUX_ST_NOSUID;
		if (p->mnt->flags & MNT_NODEV)
			s.f_flags |= LINUX_ST_NODEV;
		if (p->mnt->flags & MNT_NOEXEC)
			s.f_flags |= LINUX_ST_NOEXEC;
		s.f_flags |= (p->mnt->flags & MNT_NOATIME) ? LINUX_ST_NOATIME
							   : LINUX_ST_RELATIME;
	}
	return task_copy_out(t, ubuf, &s, sizeof(s));
}

long kern_statfs(struct task *t, const struct statfs_args *a)
{
	char path[LINUX_PATH_MAX];
	struct path p;
	long err = fs_getname(t, a->path, path);

	if (err < 0)
		return err;
	err = vfs_lookup(t, LINUX_AT_FDCWD, path, LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	err = do_statfs(t, &p, a->buf);
	path_put(&p);
	return err;
}

long kern_fstatfs(struct task *t, const struct fstatfs_args *a)
{
	struct file *f = fd_get(t, a->fd);
	long err;

	if (!f)
		return -EBADF;
	err = do_statfs(t, &f->path, a->buf);
	file_put(f);
	return err;
}

/* readlinkat(2): an empty path names dirfd itself, which must then be a
 * symlink (opened O_PATH|O_NOFOLLOW), else ENOENT. */
static long do_readlink(struct task *t, int dirfd, uint64_t upath,
			uint64_t ubuf, int32_t bufsiz)
{
	char path[LINUX_PATH_MAX], target[LINUX_PATH_MAX];
	struct path p;
	long err, len;

	if (bufsiz <= 0)
		return -EINVAL;
	err = fs_getname(t, upath, path);
	if (err < 0)
		return err;
	err = vfs_lookup(t, dirfd, path, LOOKUP_EMPTY_PATH, &p);
	if (err)
		return err;
	if (!LINUX_S_ISLNK(p.dentry->inode->mode)) {
		path_put(&p);
		return path[0] ? -EINVAL : -ENOENT;
	}
	len = vfs_readlink(&p, target,
			   (size_t)bufsiz < sizeof(target) ? (size_t)bufsiz
							   : sizeof(target));
	path_put(&p);
	if (len < 0)
		return len;
	err = task_copy_out(t, ubuf, target, (size_t)len);
	return err ? err : len;
}

long kern_readlink(struct task *t, const struct readlink_args *a)
{
	return do_readlink(t, LINUX_AT_FDCWD, a->pathname, a->buf, a->bufsiz);
}

long kern_readlinkat(struct task *t, const struct readlinkat_args *a)
{
	return do_readlink(t, a->dirfd, a->pathname, a->buf, a->bufsiz);
}

/*
 * access(2) checks with the real uid/gid (unless AT_EACCESS): the task's
 * creds are overridden for the call, as Linux's access_override_creds,
 * including dropping capabilities of a non-root real uid.
 */
static long do_access(struct task *t, int dirfd, uint64_t upath, uint32_t mode,
		      uint32_t at)
{
	char path[LINUX_PATH_MAX];
	struct creds *saved = t->creds, c;
	struct path p;
	long err;

	if (mode & ~7u)
		return -EINVAL;
	if (at & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EACCESS |
		   LINUX_AT_EMPTY_PATH))
		return -EINVAL;
	err = fs_getname(t, upath, path);
	if (err < 0)
		return err;
	if (!(at & LINUX_AT_EACCESS) && saved) {
		c = *saved;
		c.fsuid = c.uid;
		c.fsgid = c.gid;
		c.cap_effective = c.uid == 0 ? c.cap_permitted : 0;
		t->creds = &c;
	}
	err = vfs_lookup(t, dirfd, path, fs_at_lookup(at, true), &p);
	if (!err) {
		struct inode *i = p.dentry->inode;

		if (mode == LINUX_F_OK)
			err = 0;
		else if ((mode & MAY_EXEC) && LINUX_S_ISREG(i->mode) &&
			 (p.mnt->flags & MNT_NOEXEC))
			err = -EACCES;
		else
			err = vfs_permission(p.mnt, i, (int)mode | MAY_ACCESS,
					     t->creds);
		path_put(&p);
	}
	t->creds = saved;
	return err;
}

long kern_access(struct task *t, const struct access_args *a)
{
	return do_access(t, LINUX_AT_FDCWD, a->pathname, a->mode, 0);
}

long kern_faccessat(struct task *t, const struct faccessat_args *a)
{
	return do_access(t, a->dirfd, a->pathname, a->mode, 0);
}

long kern_faccessat2(struct task *t, const struct faccessat2_args *a)
{
	return do_access(t, a->dirfd, a->pathname, a->mode, a->flags);
}
