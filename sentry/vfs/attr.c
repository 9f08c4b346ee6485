/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attr.c: attribute changes (chmod, chown, truncate) with Linux's
 * ownership and capability rules (setattr_prepare, chown_ok, ...).
 */
#include <errno.h>
#include <string.h>

#include "sentry/abi/capability.h"
#include "sentry/abi/resource.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/internal.h"

static bool capable(const struct creds *c, int cap)
{
	return (c->cap_effective >> cap) & 1;
}

static bool in_group(const struct creds *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (uint32_t k = 0; k < c->ngroups; k++)
		if (c->groups[k] == gid)
			return true;
	return false;
}

void vfs_setattr_copy(struct inode *i, const struct iattr *a)
{
	if (a->valid & ATTR_UID)
		i->uid = a->uid;
	if (a->valid & ATTR_GID)
		i->gid = a->gid;
	if (a->valid & ATTR_MODE)
		i->mode = (i->mode & LINUX_S_IFMT) | (a->mode & 07777);
	if (a->valid & ATTR_SIZE)
		i->size = a->size;
	if (a->valid & ATTR_ATIME)
		i->atime = a->atime;
	if (a->valid & ATTR_MTIME)
		i->mtime = a->mtime;
	if (a->valid & ATTR_CTIME)
		i->ctime = a->ctime;
}

/* Hand a normalised change to the fs (or apply it to the cache), then
 * tell the watchers. A size change updates mtime and ctime inside the fs
 * when the size really changes (truncate(2)); other callers ask for the
 * times explicitly. */
static int notify_change(struct dentry *d, struct iattr *a)
{
	struct inode *i = d->inode;
	int err = 0;

	if (i->ops && i->ops->setattr)
		err = i->ops->setattr(i, a);
	else if (a->valid & ATTR_SIZE)
		err = -EPERM;
	else
		vfs_setattr_copy(i, a);
	if (!err)
		fsnotify_change(d, a->valid);
	return err;
}

int vfs_setattr(struct task *t, const struct path *p, struct iattr *a)
{
	(void)t;
	return notify_change(p->dentry, a);
}

int vfs_chmod(struct task *t, const struct path *p, uint32_t mode)
{
	const struct creds *c = vfs_task_creds(t);
	struct inode *i = p->dentry->inode;
	struct iattr a = {.valid = ATTR_MODE | ATTR_CTIME,
			  .mode = mode & 07777};
	int err = vfs_mnt_want_write(p->mnt);

	if (err)
		return err;
	vfs_now(&a.ctime);
	if (c->fsuid != i->uid && !capable(c, LINUX_CAP_FOWNER))
		return -EPERM;
	/* Only a member of the file's group may leave it setgid. */
	if (!in_group(c, i->gid) && !capable(c, LINUX_CAP_FSETID))
		a.mode &= ~LINUX_S_ISGID;
	return notify_change(p->dentry, &a);
}

int vfs_chown(struct task *t, const struct path *p, uint32_t uid, uint32_t gid)
{
	const struct creds *c = vfs_task_creds(t);
	struct inode *i = p->dentry->inode;
	struct iattr a = {.valid = ATTR_CTIME};
	int err = vfs_mnt_want_write(p->mnt);

	if (err)
		return err;
	vfs_now(&a.ctime);
	/* chown_ok/chgrp_ok: the owner may keep its uid and give the file
	 * to one of its own groups; anything else needs CAP_CHOWN. */
	if (uid != (uint32_t)-1 && !(c->fsuid == i->uid && uid == i->uid) &&
	    !capable(c, LINUX_CAP_CHOWN))
		return -EPERM;
	if (gid != (uint32_t)-1 &&
	    !(c->fsuid == i->uid && (gid == i->gid || in_group(c, gid))) &&
	    !capable(c, LINUX_CAP_CHOWN))
		return -EPERM;
	if (uid != (uint32_t)-1) {
		a.valid |= ATTR_UID;
		a.uid = uid;
	}
	if (gid != (uint32_t)-1) {
		a.valid |= ATTR_GID;
		a.gid = gid;
	}
	if ((a.valid & (ATTR_UID | ATTR_GID)) && !LINUX_S_ISDIR(i->mode)) {
		uint32_t m = i->mode & 07777;

		/* A change of owner drops set-ID powers. */
		m &= ~LINUX_S_ISUID;
		if (m & LINUX_S_IXGRP)
			m &= ~LINUX_S_ISGID;
		if (m != (i->mode & 07777)) {
			a.valid |= ATTR_MODE;
			a.mode = m;
		}
	}
	return notify_change(p->dentry, &a);
}

/* RLIMIT_FSIZE: SIGXFSZ and EFBIG past the limit. */
static int check_fsize(struct task *t, uint64_t size)
{
	if (t && t->tg && size > t->tg->rlimits[LINUX_RLIMIT_FSIZE].cur) {
		struct linux_siginfo si = {.signo = LINUX_SIGXFSZ,
					   .code = LINUX_SI_USER};

		signal_send_task(t, &si);
		return -EFBIG;
	}
	if (size > (uint64_t)INT64_MAX)
		return -EFBIG;
	return 0;
}

int vfs_truncate(struct task *t, const struct path *p, uint64_t size)
{
	struct inode *i = p->dentry->inode;
	struct iattr a = {.valid = ATTR_SIZE, .size = size};
	int err;

	if (LINUX_S_ISDIR(i->mode))
		return -EISDIR;
	if (!LINUX_S_ISREG(i->mode))
		return -EINVAL;
	err = vfs_mnt_want_write(p->mnt);
	if (err)
		return err;
	err = vfs_permission(p->mnt, i, MAY_WRITE, vfs_task_creds(t));
	if (err)
		return err;
	err = check_fsize(t, size);
	if (err)
		return err;
	return notify_change(p->dentry, &a);
}

int vfs_ftruncate(struct task *t, struct file *f, uint64_t size)
{
	struct iattr a = {.valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME,
			  .size = size};
	int err = check_fsize(t, size);

	if (err)
		return err;
	vfs_now(&a.mtime);
	a.ctime = a.mtime;
	return notify_change(f->path.dentry, &a);
}

/* The mode combinations vfs_fallocate rejects before looking at the
 * file: -EOPNOTSUPP or -EINVAL as Linux, 0 when the mode makes sense. */
static int fallocate_mode_ok(int mode)
{
	const int known =
		LINUX_FALLOC_FL_KEEP_SIZE | LINUX_FALLOC_FL_PUNCH_HOLE |
		LINUX_FALLOC_FL_COLLAPSE_RANGE | LINUX_FALLOC_FL_ZERO_RANGE |
		LINUX_FALLOC_FL_INSERT_RANGE | LINUX_FALLOC_FL_UNSHARE_RANGE;
	const int ph = LINUX_FALLOC_FL_PUNCH_HOLE,
		  zr = LINUX_FALLOC_FL_ZERO_RANGE;

	if (mode & ~known)
		return -EOPNOTSUPP;
	if ((mode & (ph | zr)) == (ph | zr))
		return -EOPNOTSUPP;
	if ((mode & ph) && !(mode & LINUX_FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if ((mode & LINUX_FALLOC_FL_COLLAPSE_RANGE) &&
	    (mode & ~LINUX_FALLOC_FL_COLLAPSE_RANGE))
		return -EINVAL;
	if ((mode & LINUX_FALLOC_FL_INSERT_RANGE) &&
	    (mode & ~LINUX_FALLOC_FL_INSERT_RANGE))
		return -EINVAL;
	if ((mode & LINUX_FALLOC_FL_UNSHARE_RANGE) &&
	    (mode &
	     ~(LINUX_FALLOC_FL_UNSHARE_RANGE | LINUX_FALLOC_FL_KEEP_SIZE)))
		return -EINVAL;
	return 0;
}

int vfs_fallocate(struct task *t, struct file *f, int mode, int64_t off,
		  int64_t len)
{
	struct inode *i = f->inode;
	int64_t end;
	int err;

	if (off < 0 || len <= 0)
		return -EINVAL;
	err = fallocate_mode_ok(mode);
	if (err)
		return err;
	if (!(f->fmode & FMODE_WRITE))
		return -EBADF;
	if (LINUX_S_ISFIFO(i->mode))
		return -ESPIPE;
	if (LINUX_S_ISDIR(i->mode))
		return -EISDIR;
	if (!LINUX_S_ISREG(i->mode) && !LINUX_S_ISBLK(i->mode))
		return -ENODEV;
	if (__builtin_add_overflow(off, len, &end))
		return -EFBIG;
	if (!f->ops->fallocate)
		return -EOPNOTSUPP;
	/* Growing the file is a write past the size: RLIMIT_FSIZE. */
	if (!(mode & LINUX_FALLOC_FL_KEEP_SIZE) && (uint64_t)end > i->size) {
		err = check_fsize(t, (uint64_t)end);
		if (err)
			return err;
	}
	err = f->ops->fallocate(f, mode, (uint64_t)off, (uint64_t)len);
	if (!err)
		fsnotify_modify(f);
	return err;
}

int vfs_truncate_open(struct task *t, const struct path *p)
{
	struct iattr a = {.valid = ATTR_SIZE | ATTR_MTIME | ATTR_CTIME};

	(void)t;
	vfs_now(&a.mtime);
	a.ctime = a.mtime;
	return notify_change(p->dentry, &a);
}
