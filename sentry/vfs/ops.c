/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ops.c: namespace operations (mkdir, mknod, symlink, link, unlink, rmdir,
 * rename) with Linux's checks in Linux's order, so each call fails with the
 * errno Linux would give first (EEXIST before EROFS for creation, EROFS
 * before ENOENT for removal, ...).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/abi/capability.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/internal.h"

static bool capable(const struct creds *c, int cap)
{
	return (c->cap_effective >> cap) & 1;
}

/* filename_create: the parent of a name that must not exist yet. */
static int create_lookup(struct task *t, int dirfd, const char *path,
			 bool is_dir, struct path *parent,
			 struct lookup_last *last)
{
	struct path child;
	int err = vfs_lookup_parent(t, dirfd, path, 0, parent, last);

	if (err)
		return err;
	if (last->type != LAST_NORM) {
		err = -EEXIST;
		goto fail;
	}
	err = vfs_walk_one(parent, last->name, &child);
	if (!err) {
		path_put(&child);
		err = -EEXIST;
		goto fail;
	}
	if (err != -ENOENT)
		goto fail;
	if (last->trailing_slash && !is_dir) {
		err = -ENOENT;
		goto fail;
	}
	err = vfs_mnt_want_write(parent->mnt);
	if (!err)
		return 0;
fail:
	path_put(parent);
	return err;
}

/* may_create: a dead directory takes no new names; then write+search. */
static int may_create(struct task *t, const struct path *dir)
{
	if (dir->dentry->flags & DENTRY_DELETED)
		return -ENOENT;
	return vfs_permission(dir->mnt, dir->dentry->inode,
			      MAY_WRITE | MAY_EXEC, vfs_task_creds(t));
}

/* may_delete: removing `victim` (a child of dir) by name. */
static int may_delete(struct task *t, const struct path *dir,
		      struct dentry *victim, bool isdir)
{
	const struct creds *c = vfs_task_creds(t);
	struct inode *di = dir->dentry->inode, *vi = victim->inode;
	int err = vfs_permission(dir->mnt, di, MAY_WRITE | MAY_EXEC, c);

	if (err)
		return err;
	/* Sticky directories (/tmp): only the owner of the file or of the
	 * directory may remove or rename an entry. */
	if ((di->mode & LINUX_S_ISVTX) && c->fsuid != vi->uid &&
	    c->fsuid != di->uid && !capable(c, LINUX_CAP_FOWNER))
		return -EPERM;
	if (isdir) {
		if (!LINUX_S_ISDIR(vi->mode))
			return -ENOTDIR;
		if (victim->flags & DENTRY_ROOT)
			return -EBUSY;
	} else if (LINUX_S_ISDIR(vi->mode)) {
		return -EISDIR;
	}
	if (dir->dentry->flags & DENTRY_DELETED)
		return -ENOENT;
	return 0;
}

/* The new inode of a create-like op gets a cached dentry (and its
 * directory's watchers hear of it); with `out`, the caller also gets the
 * new path (walked again if the cache entry could not be made). */
static int instantiate(const struct path *parent, const char *name,
		       struct inode *i, struct path *out)
{
	struct dentry *d;

	fsnotify_create(parent->dentry->inode, name, i);
	if (d_alloc(parent->dentry, name, i, &d)) {
		inode_put(i);
		/* only the cache entry is missing */
		return out ? vfs_walk_one(parent, name, out) : 0;
	}
	if (out) {
		out->mnt = parent->mnt;
		mnt_get(out->mnt);
		out->dentry = d;
		return 0;
	}
	dput(d);
	return 0;
}

int vfs_mkdir(struct task *t, int dirfd, const char *path, uint32_t mode)
{
	struct lookup_last last;
	struct path parent;
	struct inode *dir, *i;
	int err = create_lookup(t, dirfd, path, true, &parent, &last);

	if (err)
		return err;
	dir = parent.dentry->inode;
	err = may_create(t, &parent);
	if (!err && (!dir->ops || !dir->ops->mkdir))
		err = -EPERM;
	if (!err) {
		mode = (mode & 01777 & ~t->fs->umask) | LINUX_S_IFDIR;
		err = dir->ops->mkdir(dir, last.name, mode, vfs_task_creds(t),
				      &i);
		if (!err)
			instantiate(&parent, last.name, i, NULL);
	}
	path_put(&parent);
	return err;
}

int vfs_mknod(struct task *t, int dirfd, const char *path, uint32_t mode,
	      uint64_t rdev)
{
	return vfs_mknod_path(t, dirfd, path, mode, rdev, NULL);
}

int vfs_mknod_path(struct task *t, int dirfd, const char *path, uint32_t mode,
		   uint64_t rdev, struct path *out)
{
	struct lookup_last last;
	struct path parent;
	struct inode *dir, *i;
	uint32_t type = mode & LINUX_S_IFMT;
	int err;

	if (type == 0)
		type = LINUX_S_IFREG;
	switch (type) {
	case LINUX_S_IFREG:
	case LINUX_S_IFCHR:
	case LINUX_S_IFBLK:
	case LINUX_S_IFIFO:
	case LINUX_S_IFSOCK:
		break;
	case LINUX_S_IFDIR:
		return -EPERM;
	default:
		return -EINVAL;
	}
	err = create_lookup(t, dirfd, path, false, &parent, &last);
	if (err)
		return err;
	dir = parent.dentry->inode;
	err = may_create(t, &parent);
	if (!err && (type == LINUX_S_IFCHR || type == LINUX_S_IFBLK) &&
	    !capable(vfs_task_creds(t), LINUX_CAP_MKNOD))
		err = -EPERM;
	if (!err) {
		mode = ((mode & 07777) & ~t->fs->umask) | type;
		if (type == LINUX_S_IFREG && dir->ops && dir->ops->create)
			err = dir->ops->create(dir, last.name, mode,
					       vfs_task_creds(t), &i);
		else if (dir->ops && dir->ops->mknod)
			err = dir->ops->mknod(
				dir, last.name, mode,
				type == LINUX_S_IFCHR || type == LINUX_S_IFBLK
					? rdev
					: 0,
				vfs_task_creds(t), &i);
		else
			err = -EPERM;
		if (!err)
			err = instantiate(&parent, last.name, i, out);
	}
	path_put(&parent);
	return err;
}

int vfs_symlink(struct task *t, const char *target, int dirfd, const char *path)
{
	struct lookup_last last;
	struct path parent;
	struct inode *dir, *i;
	int err;

	if (!*target)
		return -ENOENT;
	err = create_lookup(t, dirfd, path, false, &parent, &last);
	if (err)
		return err;
	dir = parent.dentry->inode;
	err = may_create(t, &parent);
	if (!err && (!dir->ops || !dir->ops->symlink))
		err = -EPERM;
	if (!err) {
		err = dir->ops->symlink(dir, last.name, target,
					vfs_task_creds(t), &i);
		if (!err)
			instantiate(&parent, last.name, i, NULL);
	}
	path_put(&parent);
	return err;
}

int vfs_link(struct task *t, int olddirfd, const char *oldpath, int newdirfd,
	     const char *newpath, int flags)
{
	struct lookup_last last;
	struct path old, parent;
	struct inode *dir, *i;
	int err;

	err = vfs_lookup(t, olddirfd, oldpath,
			 flags & (LOOKUP_FOLLOW | LOOKUP_EMPTY_PATH), &old);
	if (err)
		return err;
	err = create_lookup(t, newdirfd, newpath, false, &parent, &last);
	if (err) {
		path_put(&old);
		return err;
	}
	dir = parent.dentry->inode;
	i = old.dentry->inode;
	if (old.mnt != parent.mnt)
		err = -EXDEV;
	if (!err)
		err = may_create(t, &parent);
	if (!err && LINUX_S_ISDIR(i->mode))
		err = -EPERM;
	if (!err && (!dir->ops || !dir->ops->link || dir->sb != i->sb))
		err = dir->sb != i->sb ? -EXDEV : -EPERM;
	/* A removed file cannot come back, an O_TMPFILE one can (once). */
	if (!err && i->nlink == 0 && !(i->iflags & INODE_LINKABLE))
		err = -ENOENT;
	if (!err) {
		err = dir->ops->link(dir, last.name, i);
		if (!err) {
			i->iflags &= ~INODE_LINKABLE;
			inode_get(i);
			fsnotify_link_count(i);
			instantiate(&parent, last.name, i, NULL);
		}
	}
	path_put(&parent);
	path_put(&old);
	return err;
}

int vfs_unlink(struct task *t, int dirfd, const char *path)
{
	struct lookup_last last;
	struct path parent;
	struct dentry *d = NULL;
	struct inode *dir;
	int err = vfs_lookup_parent(t, dirfd, path, 0, &parent, &last);

	if (err)
		return err;
	dir = parent.dentry->inode;
	if (last.type != LAST_NORM)
		err = -EISDIR;
	if (!err)
		err = vfs_mnt_want_write(parent.mnt);
	if (!err)
		err = vfs_lookup_one(&parent, last.name, &d);
	if (!err && last.trailing_slash)
		err = LINUX_S_ISDIR(d->inode->mode) ? -EISDIR : -ENOTDIR;
	if (!err)
		err = may_delete(t, &parent, d, false);
	if (!err && d->mounted)
		err = -EBUSY;
	if (!err && (!dir->ops || !dir->ops->unlink))
		err = -EPERM;
	if (!err)
		err = dir->ops->unlink(dir, last.name, d->inode);
	if (!err) {
		fsnotify_link_count(d->inode);
		d_drop(d, true);
	}
	if (d)
		dput(d); /* IN_DELETE_SELF if that was all */
	if (!err)
		fsnotify_delete(dir, last.name, false);
	path_put(&parent);
	return err;
}

int vfs_rmdir(struct task *t, int dirfd, const char *path)
{
	struct lookup_last last;
	struct path parent;
	struct dentry *d = NULL;
	struct inode *dir;
	int err = vfs_lookup_parent(t, dirfd, path, 0, &parent, &last);

	if (err)
		return err;
	dir = parent.dentry->inode;
	switch (last.type) {
	case LAST_DOTDOT:
		err = -ENOTEMPTY;
		break;
	case LAST_DOT:
		err = -EINVAL;
		break;
	case LAST_ROOT:
		err = -EBUSY;
		break;
	default:
		break;
	}
	if (!err)
		err = vfs_mnt_want_write(parent.mnt);
	if (!err)
		err = vfs_lookup_one(&parent, last.name, &d);
	if (!err)
		err = may_delete(t, &parent, d, true);
	if (!err && d->mounted)
		err = -EBUSY;
	if (!err && (!dir->ops || !dir->ops->rmdir))
		err = -EPERM;
	if (!err)
		err = dir->ops->rmdir(dir, last.name, d->inode);
	if (!err)
		d_drop(d, true);
	if (d)
		dput(d); /* IN_DELETE_SELF if that was all */
	if (!err)
		fsnotify_delete(dir, last.name, true);
	path_put(&parent);
	return err;
}

/* Is `a` an ancestor of (or equal to) `d` within one superblock? */
static bool is_ancestor(const struct dentry *a, const struct dentry *d)
{
	for (;;) {
		if (d == a)
			return true;
		if (d->parent == d)
			return false;
		d = d->parent;
	}
}

/* The checks of vfs_rename once both names are looked up (Linux's
 * vfs_rename): with RENAME_EXCHANGE the target moves too, so it is
 * checked as a removal of its own type. */
static int may_rename(struct task *t, const struct path *op, struct dentry *od,
		      const struct path *np, struct dentry *nd, unsigned flags)
{
	bool exchange = flags & LINUX_RENAME_EXCHANGE;
	bool isdir = LINUX_S_ISDIR(od->inode->mode);
	bool new_isdir = nd && LINUX_S_ISDIR(nd->inode->mode);
	int err = may_delete(t, op, od, isdir);

	if (err)
		return err;
	if (!nd)
		err = may_create(t, np);
	else
		err = may_delete(t, np, nd, exchange ? new_isdir : isdir);
	if (err)
		return err;
	/* Moving a directory elsewhere rewrites its "..". */
	if (np->dentry != op->dentry) {
		if (isdir) {
			err = vfs_permission(op->mnt, od->inode, MAY_WRITE,
					     vfs_task_creds(t));
			if (err)
				return err;
		}
		if (exchange && new_isdir) {
			err = vfs_permission(np->mnt, nd->inode, MAY_WRITE,
					     vfs_task_creds(t));
			if (err)
				return err;
		}
	}
	if (od->mounted || (nd && nd->mounted))
		return -EBUSY;
	return 0;
}

/* Look up both names of a rename and check them as do_renameat2 does,
 * in its order: a missing source, NOREPLACE, a missing exchange target,
 * trailing slashes on non-directories, then loops. */
static int rename_lookup(const struct path *op, const struct lookup_last *ol,
			 const struct path *np, const struct lookup_last *nl,
			 unsigned flags, struct dentry **od, struct dentry **nd)
{
	bool exchange = flags & LINUX_RENAME_EXCHANGE;
	int err = vfs_lookup_one(op, ol->name, od);

	if (err)
		return err;
	err = vfs_lookup_one(np, nl->name, nd);
	if (err == -ENOENT)
		*nd = NULL;
	else if (err)
		return err;
	if ((flags & LINUX_RENAME_NOREPLACE) && *nd)
		return -EEXIST;
	if (exchange && !*nd)
		return -ENOENT;
	if (exchange && !LINUX_S_ISDIR((*nd)->inode->mode) &&
	    nl->trailing_slash)
		return -ENOTDIR;
	if (!LINUX_S_ISDIR((*od)->inode->mode) &&
	    (ol->trailing_slash || (!exchange && nl->trailing_slash)))
		return -ENOTDIR;
	/* A directory into its own subtree; a target that contains the
	 * source (which an exchange would move into itself). */
	if (is_ancestor(*od, np->dentry))
		return -EINVAL;
	if (*nd && is_ancestor(*nd, op->dentry))
		return exchange ? -EINVAL : -ENOTEMPTY;
	return 0;
}

/* The dcache follows a done rename: the target's name is gone (or, for
 * an exchange, the two swap places). */
static void rename_dcache(struct dentry *od, const struct path *np,
			  struct dentry *nd, const char *nname, unsigned flags)
{
	if (flags & LINUX_RENAME_EXCHANGE) {
		d_exchange(od, nd);
		return;
	}
	if (nd)
		d_drop(nd, true);
	if (d_move(od, np->dentry, nname)) {
		/* Out of memory for the new name: forget the dentry rather
		 * than leave it cached under the old name. */
		d_drop(od, false);
	}
}

/* fsnotify_move for both names of an exchange, or for the one moved
 * (the replaced target's IN_DELETE_SELF follows when its dentry goes). */
static void rename_notify(struct inode *odir, const struct lookup_last *ol,
			  struct inode *ndir, const struct lookup_last *nl,
			  struct dentry *od, struct dentry *nd, unsigned flags)
{
	if (flags & LINUX_RENAME_EXCHANGE) {
		fsnotify_move(odir, ol->name, ndir, nl->name, od->inode, NULL);
		fsnotify_move(ndir, nl->name, odir, ol->name, nd->inode, NULL);
		return;
	}
	fsnotify_move(odir, ol->name, ndir, nl->name, od->inode,
		      nd ? nd->inode : NULL);
}

int vfs_rename(struct task *t, int olddirfd, const char *oldpath, int newdirfd,
	       const char *newpath, unsigned flags)
{
	struct lookup_last ol, nl;
	struct path op, np = {0};
	struct dentry *od = NULL, *nd = NULL;
	struct inode *odir;
	int err;

	if (flags & ~(LINUX_RENAME_NOREPLACE | LINUX_RENAME_EXCHANGE |
		      LINUX_RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & LINUX_RENAME_EXCHANGE) &&
	    (flags & (LINUX_RENAME_NOREPLACE | LINUX_RENAME_WHITEOUT)))
		return -EINVAL;
	err = vfs_lookup_parent(t, olddirfd, oldpath, 0, &op, &ol);
	if (err)
		return err;
	err = vfs_lookup_parent(t, newdirfd, newpath, 0, &np, &nl);
	if (err)
		goto out;
	odir = op.dentry->inode;
	err = -EXDEV;
	if (op.mnt != np.mnt)
		goto out;
	err = -EBUSY;
	if (ol.type != LAST_NORM)
		goto out;
	if (nl.type != LAST_NORM) {
		err = (flags & LINUX_RENAME_NOREPLACE) ? -EEXIST : -EBUSY;
		goto out;
	}
	err = vfs_mnt_want_write(op.mnt);
	if (err)
		goto out;
	/* Whiteouts are for overlay upper layers: no Sentry fs makes them. */
	err = -EINVAL;
	if (flags & LINUX_RENAME_WHITEOUT)
		goto out;
	err = rename_lookup(&op, &ol, &np, &nl, flags, &od, &nd);
	if (err)
		goto out;
	if (nd && nd->inode == od->inode)
		goto out; /* the same file: nothing to do */
	err = may_rename(t, &op, od, &np, nd, flags);
	if (err)
		goto out;
	err = -EXDEV;
	if (np.dentry->inode->sb != odir->sb)
		goto out;
	err = -EPERM;
	if (!odir->ops || !odir->ops->rename)
		goto out;
	err = odir->ops->rename(odir, ol.name, np.dentry->inode, nl.name,
				od->inode, nd ? nd->inode : NULL, flags);
	if (!err) {
		rename_dcache(od, &np, nd, nl.name, flags);
		rename_notify(odir, &ol, np.dentry->inode, &nl, od, nd, flags);
	}
out:
	if (nd)
		dput(nd);
	if (od)
		dput(od);
	path_put(&np);
	path_put(&op);
	return err;
}

long vfs_readlink(const struct path *p, char *buf, size_t size)
{
	struct inode *i = p->dentry->inode;
	long len;

	if (!LINUX_S_ISLNK(i->mode) || !i->ops || !i->ops->readlink)
		return -EINVAL;
	len = i->ops->readlink(i, buf, size);
	if (len < 0)
		return len;
	return (size_t)len < size ? len : (long)size;
}
