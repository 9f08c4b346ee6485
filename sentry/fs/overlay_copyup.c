/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay_copyup.c: giving a lower file its upper copy, the first time
 * the sandbox changes it (a write open, a truncation, chmod, chown,
 * utimes, an xattr, a new name or entry inside it): its directories
 * first, then the file, its data, its metadata and extended attributes,
 * and the origin that keeps its st_ino.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/fs/overlay_int.h"
#include "sentry/fs/tmpfs_ovl.h"

/* Bytes copied per step: one read of the lower file, one write. */
#define COPY_CHUNK (1u << 20)

static bool all_zero(const char *p, size_t n)
{
	for (size_t k = 0; k < n; k++)
		if (p[k])
			return false;
	return true;
}

/* Write a whole buffer to a layer file at off. */
static int write_all(struct file *f, const char *buf, size_t n, uint64_t off)
{
	int64_t pos = (int64_t)off;

	while (n) {
		struct linux_iovec seg;
		struct vfs_uio uio;
		ssize_t w;

		vfs_uio_init_sentry(&uio, &seg, (void *)buf, n);
		w = f->ops->write(f, &uio, &pos);
		if (w < 0)
			return (int)w;
		if (w == 0)
			return -EIO;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Copy a lower regular file's bytes into its new upper file. Chunks of
 * zeros are skipped: the upper reads zeros where nothing was written, so
 * a sparse lower file (a huge /var/log/lastlog) stays sparse in memory.
 */
static int copy_data(struct inode *lower, struct inode *upper, uint64_t size)
{
	struct file *lf = NULL, *uf = NULL;
	char *buf = malloc(COPY_CHUNK);
	uint64_t off = 0;
	int err = buf ? 0 : -ENOMEM;

	if (!err)
		err = ovl_layer_open(lower, LINUX_O_RDONLY, &lf);
	if (!err)
		err = ovl_layer_open(upper, LINUX_O_WRONLY, &uf);
	while (!err && off < size) {
		size_t want = size - off < COPY_CHUNK ? (size_t)(size - off)
						      : COPY_CHUNK;
		ssize_t n = vfs_file_pread(lf, buf, want, off);

		if (n < 0)
			err = (int)n;
		if (n <= 0)
			break;
		if (!all_zero(buf, (size_t)n))
			err = write_all(uf, buf, (size_t)n, off);
		off += (uint64_t)n;
	}
	if (lf)
		file_put(lf);
	if (uf)
		file_put(uf);
	free(buf);
	return err;
}

/* The lower file's metadata on its upper copy: the size (covering holes
 * at the end), then mode, owner and times last (writing the data moved
 * mtime and may have dropped set-ID bits). ctime is the copy-up's, as on
 * Linux. */
static int copy_meta(struct inode *lower, struct inode *upper, bool data)
{
	struct iattr a = {
		.valid = ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_ATIME |
			 ATTR_MTIME,
		.mode = lower->mode & 07777,
		.uid = lower->uid,
		.gid = lower->gid,
		.atime = lower->atime,
		.mtime = lower->mtime,
	};

	if (LINUX_S_ISREG(lower->mode) && data) {
		a.valid |= ATTR_SIZE;
		a.size = lower->size;
	}
	if (upper->ops && upper->ops->setattr)
		return upper->ops->setattr(upper, &a);
	vfs_setattr_copy(upper, &a);
	return 0;
}

/* Make the upper file of a lower one as `name` in udir (NULL name: an
 * unnamed O_TMPFILE-like file, for a file whose name was removed). */
static int make_upper(struct inode *udir, const char *name,
		      struct inode *lower, struct inode **out)
{
	uint32_t mode = lower->mode;
	const struct inode_ops *ops = udir->ops;
	char *target;
	long n;
	int err;

	if (!name)
		return ops->tmpfile ? ops->tmpfile(udir, mode & 07777,
						   &ovl_creds, out)
				    : -ENOENT;
	switch (mode & LINUX_S_IFMT) {
	case LINUX_S_IFDIR:
		return ops->mkdir(udir, name, mode, &ovl_creds, out);
	case LINUX_S_IFREG:
		return ops->create(udir, name, mode & 07777, &ovl_creds, out);
	case LINUX_S_IFLNK:
		target = malloc(LINUX_PATH_MAX);
		if (!target)
			return -ENOMEM;
		n = lower->ops && lower->ops->readlink
			    ? lower->ops->readlink(lower, target,
						   LINUX_PATH_MAX - 1)
			    : -EINVAL;
		if (n >= 0 && n >= LINUX_PATH_MAX - 1)
			n = -ENAMETOOLONG;
		if (n >= 0) {
			target[n] = '\0';
			err = ops->symlink(udir, name, target, &ovl_creds, out);
		} else {
			err = (int)n;
		}
		free(target);
		return err;
	default:
		/* FIFOs, sockets and device nodes: the node itself. */
		return ops->mknod(udir, name, mode, lower->rdev, &ovl_creds,
				  out);
	}
}

/* Remove a half-made upper file after a failed copy (so a later
 * copy-up does not adopt it). */
static void unmake_upper(struct inode *udir, const char *name,
			 struct inode *u)
{
	if (!name)
		return;
	if (LINUX_S_ISDIR(u->mode))
		udir->ops->rmdir(udir, name, u);
	else
		udir->ops->unlink(udir, name, u);
}

/*
 * The upper directory's entry already there for this name, if it is
 * this file's copy (made through another overlay inode of the same name,
 * one whose dentry was evicted meanwhile): adopted. Anything else there
 * means the name now belongs to another file: ENOENT for this one.
 */
static int adopt_existing(struct inode *i, struct inode *udir,
			  struct inode **out)
{
	struct ovl_inode *oi = OI(i);
	struct inode *u;
	int err = udir->ops->lookup(udir, oi->name, &u);

	if (err)
		return err;
	if ((u->mode & LINUX_S_IFMT) == (i->mode & LINUX_S_IFMT) &&
	    !ovl_is_whiteout(u) &&
	    (LINUX_S_ISDIR(u->mode) || tmpfs_ovl_origin(u) == i->ino)) {
		*out = u;
		return 0;
	}
	inode_put(u);
	return -ENOENT;
}

int ovl_copy_up(struct inode *i, bool data)
{
	struct ovl_inode *oi = OI(i);
	struct inode *lower = oi->lower, *udir, *u = NULL;
	const char *name = oi->deleted ? NULL : oi->name;
	int err;

	if (oi->upper)
		return 0;
	if (!lower || !oi->parent)
		return -EIO; /* every other inode has an upper */
	if (oi->deleted && !LINUX_S_ISREG(i->mode))
		return -ENOENT;
	if (oi->deleted) {
		/* Its name went: an unnamed upper copy in the upper root,
		 * for whoever still holds it open. */
		udir = OFS(i->sb)->upper_sb->root->inode;
	} else {
		err = ovl_copy_up(oi->parent, true);
		if (err)
			return err;
		udir = OI(oi->parent)->upper;
		err = adopt_existing(i, udir, &u);
		if (!err) {
			oi->upper = u;
			ovl_sync(i);
			return 0;
		}
		if (err != -ENOENT)
			return err;
		/* A whiteout or another file there: this one's gone. */
		err = udir->ops->lookup(udir, name, &u);
		if (!err) {
			inode_put(u);
			return -ENOENT;
		}
	}
	err = make_upper(udir, name, lower, &u);
	if (err)
		return err;
	if (LINUX_S_ISREG(lower->mode) && data)
		err = copy_data(lower, u, lower->size);
	if (!err)
		err = copy_meta(lower, u, data);
	if (!err)
		err = ovl_copy_xattrs(lower, u);
	if (err) {
		unmake_upper(udir, name, u);
		inode_put(u);
		return err;
	}
	tmpfs_ovl_set_origin(u, i->ino);
	oi->upper = u;
	ovl_sync(i);
	return 0;
}
