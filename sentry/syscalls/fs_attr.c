/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_attr.c: attribute changes and syncing: truncate, ftruncate,
 * fallocate, chmod, fchmod, fchmodat, chown, fchown, lchown, fchownat,
 * utimensat, utimes, futimesat, utime, fsync, fdatasync, sync_file_range,
 * syncfs, sync.
 */
#include <errno.h>

#include "sentry/abi/capability.h"
#include "sentry/syscalls/fs_common.h"

#define UTIME_NOW ((1L << 30) - 1L)
#define UTIME_OMIT ((1L << 30) - 2L)

/* Resolve a path argument for the attribute calls. */
static long attr_lookup(struct task *t, int dirfd, uint64_t upath, int lf,
			struct path *out)
{
	char path[LINUX_PATH_MAX];
	long err = fs_getname(t, upath, path);

	if (err < 0)
		return err;
	return vfs_lookup(t, dirfd, path, lf, out);
}

long kern_truncate(struct task *t, const struct truncate_args *a)
{
	struct path p;
	long err = attr_lookup(t, LINUX_AT_FDCWD, a->path, LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	err = a->length < 0 ? -EINVAL
			    : vfs_truncate(t, &p, (uint64_t)a->length);
	path_put(&p);
	return err;
}

long kern_ftruncate(struct task *t, const struct ftruncate_args *a)
{
	struct file *f;
	long err;

	if (a->length < 0)
		return -EINVAL;
	f = fd_get_nopath(t, a->fd);
	if (!f)
		return -EBADF;
	if (!LINUX_S_ISREG(f->inode->mode) || !(f->fmode & FMODE_WRITE))
		err = -EINVAL;
	else
		err = vfs_ftruncate(t, f, (uint64_t)a->length);
	file_put(f);
	return err;
}

long kern_fallocate(struct task *t, const struct fallocate_args *a)
{
	/* O_PATH descriptions are not writable: EBADF after the argument
	 * checks, as Linux. */
	struct file *f = fd_get(t, a->fd);
	long err;

	if (!f)
		return -EBADF;
	err = vfs_fallocate(t, f, (int)a->mode, a->offset, a->len);
	file_put(f);
	return err;
}

static long do_chmod(struct task *t, int dirfd, uint64_t upath, uint32_t mode)
{
	struct path p;
	long err = attr_lookup(t, dirfd, upath, LOOKUP_FOLLOW, &p);

	if (err)
		return err;
	err = vfs_chmod(t, &p, mode);
	path_put(&p);
	return err;
}

long kern_chmod(struct task *t, const struct chmod_args *a)
{
	return do_chmod(t, LINUX_AT_FDCWD, a->pathname, a->mode);
}

long kern_fchmodat(struct task *t, const struct fchmodat_args *a)
{
	return do_chmod(t, a->dirfd, a->pathname, a->mode);
}

long kern_fchmod(struct task *t, const struct fchmod_args *a)
{
	struct file *f = fd_get_nopath(t, a->fd);
	long err;

	if (!f)
		return -EBADF;
	err = vfs_chmod(t, &f->path, a->mode);
	file_put(f);
	return err;
}

static long do_chown(struct task *t, int dirfd, uint64_t upath, uint32_t uid,
		     uint32_t gid, uint32_t at)
{
	struct path p;
	long err;

	if (at & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -EINVAL;
	err = attr_lookup(t, dirfd, upath, fs_at_lookup(at, true), &p);
	if (err)
		return err;
	err = vfs_chown(t, &p, uid, gid);
	path_put(&p);
	return err;
}

long kern_chown(struct task *t, const struct chown_args *a)
{
	return do_chown(t, LINUX_AT_FDCWD, a->pathname, a->owner, a->group, 0);
}

long kern_lchown(struct task *t, const struct lchown_args *a)
{
	return do_chown(t, LINUX_AT_FDCWD, a->pathname, a->owner, a->group,
			LINUX_AT_SYMLINK_NOFOLLOW);
}

long kern_fchownat(struct task *t, const struct fchownat_args *a)
{
	return do_chown(t, a->dirfd, a->pathname, a->owner, a->group, a->flags);
}

long kern_fchown(struct task *t, const struct fchown_args *a)
{
	struct file *f = fd_get_nopath(t, a->fd);
	long err;

	if (!f)
		return -EBADF;
	err = vfs_chown(t, &f->path, a->owner, a->group);
	file_put(f);
	return err;
}

static bool nsec_valid(int64_t ns)
{
	return ns == UTIME_NOW || ns == UTIME_OMIT ||
	       (ns >= 0 && ns < 1000000000L);
}

/* utimensat: "now" needs ownership or write permission; explicit times
 * need ownership (or CAP_FOWNER), as Linux's vfs_utimes. */
static long set_times(struct task *t, const struct path *p, const int64_t ts[4])
{
	const struct creds *c = t->creds;
	struct inode *i = p->dentry->inode;
	struct iattr a = {.valid = ATTR_CTIME};
	bool now_only = !ts || (ts[1] == UTIME_NOW && ts[3] == UTIME_NOW);
	bool owner = c->fsuid == i->uid ||
		     ((c->cap_effective >> LINUX_CAP_FOWNER) & 1);
	long err = vfs_mnt_want_write(p->mnt);

	if (err)
		return err;
	if (ts && ts[1] == UTIME_OMIT && ts[3] == UTIME_OMIT)
		return 0;
	if (now_only) {
		if (!owner) {
			err = vfs_permission(p->mnt, i, MAY_WRITE, c);
			if (err)
				return err;
		}
	} else if (!owner) {
		return -EPERM;
	}
	vfs_now(&a.ctime);
	if (!ts || ts[1] != UTIME_OMIT) {
		a.valid |= ATTR_ATIME;
		a.atime = (!ts || ts[1] == UTIME_NOW)
				  ? a.ctime
				  : (struct timespec){ts[0], ts[1]};
	}
	if (!ts || ts[3] != UTIME_OMIT) {
		a.valid |= ATTR_MTIME;
		a.mtime = (!ts || ts[3] == UTIME_NOW)
				  ? a.ctime
				  : (struct timespec){ts[2], ts[3]};
	}
	return vfs_setattr(t, p, &a);
}

/* do_utimes: the times (NULL: now) of dirfd's path, or of the
 * descriptor itself when there is no path. */
static long do_utimes(struct task *t, int dirfd, uint64_t upath,
		      const int64_t *ts, uint32_t flags)
{
	struct path p;
	long err;

	if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -EINVAL;
	if (!upath && dirfd != LINUX_AT_FDCWD) {
		/* utimensat(fd, NULL, ...): the fd itself (futimens). */
		struct file *f;

		if (flags & LINUX_AT_SYMLINK_NOFOLLOW)
			return -EINVAL;
		f = fd_get(t, dirfd);
		if (!f)
			return -EBADF;
		err = set_times(t, &f->path, ts);
		file_put(f);
		return err;
	}
	err = attr_lookup(t, dirfd, upath, fs_at_lookup(flags, true), &p);
	if (err)
		return err;
	err = set_times(t, &p, ts);
	path_put(&p);
	return err;
}

long kern_utimensat(struct task *t, const struct utimensat_args *a)
{
	int64_t ts[4];

	if (a->flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -EINVAL;
	if (a->times) {
		if (task_copy_in(t, a->times, ts, sizeof(ts)))
			return -EFAULT;
		if (!nsec_valid(ts[1]) || !nsec_valid(ts[3]))
			return -EINVAL;
	}
	return do_utimes(t, a->dirfd, a->pathname, a->times ? ts : NULL,
			 a->flags);
}

/* utimes and futimesat: two struct timevals (NULL: now); microseconds
 * out of range (UTIME_NOW and UTIME_OMIT included) are EINVAL. */
static long do_futimesat(struct task *t, int dirfd, uint64_t upath,
			 uint64_t utv)
{
	int64_t tv[4], ts[4];

	if (!utv)
		return do_utimes(t, dirfd, upath, NULL, 0);
	if (task_copy_in(t, utv, tv, sizeof(tv)))
		return -EFAULT;
	if (tv[1] < 0 || tv[1] >= 1000000 || tv[3] < 0 || tv[3] >= 1000000)
		return -EINVAL;
	ts[0] = tv[0];
	ts[1] = tv[1] * 1000;
	ts[2] = tv[2];
	ts[3] = tv[3] * 1000;
	return do_utimes(t, dirfd, upath, ts, 0);
}

long kern_utimes(struct task *t, const struct utimes_args *a)
{
	return do_futimesat(t, LINUX_AT_FDCWD, a->filename, a->times);
}

long kern_futimesat(struct task *t, const struct futimesat_args *a)
{
	return do_futimesat(t, a->dirfd, a->pathname, a->times);
}

/* utime: a struct utimbuf of whole seconds (NULL: now). */
long kern_utime(struct task *t, const struct utime_args *a)
{
	int64_t ub[2], ts[4];

	if (!a->times)
		return do_utimes(t, LINUX_AT_FDCWD, a->filename, NULL, 0);
	if (task_copy_in(t, a->times, ub, sizeof(ub)))
		return -EFAULT;
	ts[0] = ub[0];
	ts[1] = 0;
	ts[2] = ub[1];
	ts[3] = 0;
	return do_utimes(t, LINUX_AT_FDCWD, a->filename, ts, 0);
}

static long do_fsync(struct task *t, int fd, bool datasync)
{
	struct file *f = fd_get_nopath(t, fd);
	long err;

	if (!f)
		return -EBADF;
	err = f->ops->fsync ? f->ops->fsync(f, datasync) : -EINVAL;
	file_put(f);
	return err;
}

long kern_fsync(struct task *t, const struct fsync_args *a)
{
	return do_fsync(t, a->fd, false);
}

long kern_fdatasync(struct task *t, const struct fdatasync_args *a)
{
	return do_fsync(t, a->fd, true);
}

/* sync_file_range(2): Linux's argument checks, then what fdatasync
 * does when writing is asked for (a host file's range cannot be
 * written back alone through the Gofer: its whole data is). */
long kern_sync_file_range(struct task *t, const struct sync_file_range_args *a)
{
	const uint32_t known = LINUX_SYNC_FILE_RANGE_WAIT_BEFORE |
			       LINUX_SYNC_FILE_RANGE_WRITE |
			       LINUX_SYNC_FILE_RANGE_WAIT_AFTER;
	struct file *f = fd_get_nopath(t, a->fd);
	uint32_t type;
	int64_t end;
	long err = 0;

	if (!f)
		return -EBADF;
	type = f->inode->mode & LINUX_S_IFMT;
	if ((a->flags & ~known) || a->offset < 0 ||
	    __builtin_add_overflow(a->offset, a->nbytes, &end) || end < 0)
		err = -EINVAL;
	else if (type != LINUX_S_IFREG && type != LINUX_S_IFBLK &&
		 type != LINUX_S_IFDIR && type != LINUX_S_IFLNK)
		err = -ESPIPE;
	else if ((a->flags & LINUX_SYNC_FILE_RANGE_WRITE) && f->ops->fsync)
		err = f->ops->fsync(f, true);
	file_put(f);
	return err;
}

/* syncfs(2): the filesystem of fd writes back what it holds (a Gofer's
 * host filesystem syncs; memory filesystems have nothing to do). */
long kern_syncfs(struct task *t, const struct syncfs_args *a)
{
	struct file *f = fd_get_nopath(t, a->fd);
	struct superblock *sb;
	long err;

	if (!f)
		return -EBADF;
	sb = f->path.dentry->sb;
	err = sb->ops && sb->ops->sync_fs ? sb->ops->sync_fs(sb) : 0;
	file_put(f);
	return err;
}

/* sync(2): every mounted filesystem writes back; it cannot fail. */
long kern_sync(struct task *t, const struct sync_args *a)
{
	(void)t, (void)a;
	for (struct mount *m = vfs_mount_next(NULL); m; m = vfs_mount_next(m))
		if (m->sb->ops && m->sb->ops->sync_fs)
			m->sb->ops->sync_fs(m->sb);
	return 0;
}
