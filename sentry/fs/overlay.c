/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay.c: the overlay's superblock and inodes: lookups that merge the
 * layers, attributes from whichever layer holds the file, stable inode
 * numbers, and setattr (which copies up first). See overlay_int.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "lib/log.h"
#include "sentry/fs/overlay_int.h"
#include "sentry/fs/pipe.h"
#include "sentry/fs/tmpfs_ovl.h"
#include "sentry/kernel/task.h"

const struct creds ovl_creds = {
	.refs = 1,
	.cap_effective = ~0ULL,
	.cap_permitted = ~0ULL,
	.cap_bounding = ~0ULL,
};

static const struct inode_ops ovl_dir_iops;
static const struct inode_ops ovl_file_iops;
static const struct inode_ops ovl_symlink_iops;
static const struct inode_ops ovl_special_iops;

uint64_t ovl_layer_dev(struct inode *i)
{
	struct kstat st;

	if (i->ops && i->ops->getattr && i->ops->getattr(i, &st) == 0)
		return st.dev;
	return i->sb->dev;
}

/* The index of a layer's st_dev: the lower root's filesystem is 0, the
 * upper 1, other lower filesystems from 2 in the order met; past 256 of
 * them, indexes are shared (st_ino may then collide: logged once). */
static unsigned dev_index(struct ovl_fs *fs, uint64_t dev)
{
	for (unsigned k = 0; k < fs->ndevs; k++)
		if (fs->devs[k] == dev)
			return k;
	if (fs->ndevs < OVL_MAX_DEVS) {
		fs->devs[fs->ndevs] = dev;
		return fs->ndevs++;
	}
	if (!fs->warned_ino) {
		log_warn("overlay: more than %d lower filesystems: inode "
			 "numbers may collide", OVL_MAX_DEVS);
		fs->warned_ino = true;
	}
	return 2 + (unsigned)(dev % (OVL_MAX_DEVS - 2));
}

uint64_t ovl_xino(struct superblock *sb, uint64_t dev, uint64_t ino)
{
	struct ovl_fs *fs = OFS(sb);

	if (ino >> OVL_INO_SHIFT && !fs->warned_ino) {
		log_warn("overlay: a lower inode number past 56 bits: inode "
			 "numbers may collide");
		fs->warned_ino = true;
	}
	return ino ^ (uint64_t)dev_index(fs, dev) << OVL_INO_SHIFT;
}

uint64_t ovl_upper_ino(struct superblock *sb, struct inode *upper)
{
	uint64_t origin = tmpfs_ovl_origin(upper);

	(void)sb;
	if (origin)
		return origin;
	return upper->ino ^ (uint64_t)OVL_DEV_UPPER << OVL_INO_SHIFT;
}

bool ovl_dir_merges(const struct inode *dir)
{
	const struct ovl_inode *oi = OI(dir);

	return oi->lower && LINUX_S_ISDIR(oi->lower->mode) &&
	       !(oi->upper && tmpfs_ovl_opaque(oi->upper));
}

void ovl_sync(struct inode *i)
{
	struct ovl_inode *oi = OI(i);
	struct inode *r = ovl_real(i);

	i->mode = (i->mode & LINUX_S_IFMT) | (r->mode & 07777);
	i->nlink = r->nlink;
	i->uid = r->uid;
	i->gid = r->gid;
	i->rdev = r->rdev;
	i->size = r->size;
	i->blocks = r->blocks;
	i->blksize = r->blksize;
	i->atime = r->atime;
	i->mtime = r->mtime;
	i->ctime = r->ctime;
	i->btime = r->btime;
	/* overlayfs: counting a merged directory's subdirectories is not
	 * worth it, and 1 tells find(1) not to rely on it. */
	if (LINUX_S_ISDIR(i->mode) && oi->upper && ovl_dir_merges(i))
		i->nlink = 1;
	/* A removed lower-only file has no links left, though its lower
	 * file (never changed) still says it has. */
	if (oi->deleted && !oi->upper)
		i->nlink = 0;
}

int ovl_set_name(struct inode *i, struct inode *parent, const char *name)
{
	struct ovl_inode *oi = OI(i);
	char *copy = strdup(name);

	if (!copy)
		return -ENOMEM;
	free(oi->name);
	oi->name = copy;
	if (parent != oi->parent) {
		inode_get(parent);
		if (oi->parent)
			inode_put(oi->parent);
		oi->parent = parent;
	}
	return 0;
}

/* The overlay inode number of a name whose layers are these. */
static uint64_t ino_of(struct superblock *sb, struct inode *upper,
		       struct inode *lower)
{
	if (upper && (tmpfs_ovl_origin(upper) || !lower))
		return ovl_upper_ino(sb, upper);
	return ovl_xino(sb, ovl_layer_dev(lower), lower->ino);
}

int ovl_inode_new(struct superblock *sb, struct inode *upper,
		  struct inode *lower, struct inode *parent, const char *name,
		  struct inode **out)
{
	struct inode *real = upper ? upper : lower, *i = NULL;
	uint32_t type = real->mode & LINUX_S_IFMT;
	const struct inode_ops *ops;
	struct ovl_inode *oi = calloc(1, sizeof(*oi));

	switch (type) {
	case LINUX_S_IFDIR:
		ops = &ovl_dir_iops;
		break;
	case LINUX_S_IFREG:
		ops = &ovl_file_iops;
		break;
	case LINUX_S_IFLNK:
		ops = &ovl_symlink_iops;
		break;
	default:
		ops = &ovl_special_iops;
		break;
	}
	if (oi && name)
		oi->name = strdup(name);
	if (oi && (!name || oi->name))
		i = inode_new(sb, ops,
			      type == LINUX_S_IFDIR ? &ovl_dir_fops : NULL,
			      type, ino_of(sb, upper, lower));
	if (!i) {
		if (oi)
			free(oi->name);
		free(oi);
		if (upper)
			inode_put(upper);
		if (lower)
			inode_put(lower);
		return -ENOMEM;
	}
	oi->upper = upper;
	oi->lower = lower;
	oi->parent = parent;
	if (parent)
		inode_get(parent);
	i->priv = oi;
	ovl_sync(i);
	*out = i;
	return 0;
}

/* A lookup in one layer: 0 and the inode, -ENOENT, or another error. */
static int layer_lookup(struct inode *dir, const char *name,
			struct inode **out)
{
	*out = NULL;
	if (!dir || !LINUX_S_ISDIR(dir->mode) || !dir->ops ||
	    !dir->ops->lookup)
		return -ENOENT;
	return dir->ops->lookup(dir, name, out);
}

/*
 * Look a name up in both layers. The upper decides first: a whiteout
 * hides the name, a non-directory hides the lower one (its st_ino comes
 * from its recorded origin), an opaque directory stands alone; otherwise
 * a lower directory of the same name merges under an upper one, and a
 * lower file stands alone where the upper has nothing.
 */
static int ovl_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct ovl_inode *d = OI(dir);
	struct inode *up = NULL, *lo = NULL;
	int err = 0;

	if (d->upper) {
		err = layer_lookup(d->upper, name, &up);
		if (err && err != -ENOENT)
			return err;
		if (up && ovl_is_whiteout(up)) {
			inode_put(up);
			return -ENOENT;
		}
	}
	if (ovl_dir_merges(dir) &&
	    (!up || (LINUX_S_ISDIR(up->mode) && !tmpfs_ovl_opaque(up)))) {
		err = layer_lookup(d->lower, name, &lo);
		if (err && err != -ENOENT) {
			if (up)
				inode_put(up);
			return err;
		}
		/* Only a directory merges with an upper directory. */
		if (lo && up && !LINUX_S_ISDIR(lo->mode)) {
			inode_put(lo);
			lo = NULL;
		}
	}
	if (!up && !lo)
		return -ENOENT;
	return ovl_inode_new(dir->sb, up, lo, dir, name, out);
}

/* The real file's attributes, with the overlay's device and the stable
 * inode number. */
static int ovl_getattr(struct inode *i, struct kstat *st)
{
	struct inode *r = ovl_real(i);
	int err = 0;

	if (r->ops && r->ops->getattr)
		err = r->ops->getattr(r, st);
	else
		generic_fillattr(r, st);
	if (err)
		return err;
	ovl_sync(i);
	st->dev = i->sb->dev;
	st->ino = i->ino;
	st->nlink = i->nlink;
	return 0;
}

/* Checks on the real file's current mode and owner. */
static int ovl_permission(struct inode *i, int mask, const struct creds *c)
{
	ovl_sync(i);
	return vfs_generic_permission(i, mask, c);
}

/*
 * chmod, chown, truncate, utimes: on the upper copy. A truncation to 0 of
 * a file not yet copied up (O_TRUNC, the common case of rewriting a file)
 * copies the metadata only.
 */
static int ovl_setattr(struct inode *i, const struct iattr *a)
{
	bool data = !(a->valid & ATTR_SIZE) || a->size != 0;
	struct inode *u;
	int err = ovl_copy_up(i, data);

	if (err)
		return err;
	u = OI(i)->upper;
	if (u->ops && u->ops->setattr)
		err = u->ops->setattr(u, a);
	else if (a->valid & ATTR_SIZE)
		err = -EPERM;
	else
		vfs_setattr_copy(u, a);
	ovl_sync(i);
	return err;
}

static long ovl_readlink(struct inode *i, char *buf, size_t size)
{
	struct inode *r = ovl_real(i);

	if (!r->ops || !r->ops->readlink)
		return -EINVAL;
	return r->ops->readlink(r, buf, size);
}

/* Directories list the merged tree (overlay_readdir.c). */
static int ovl_dir_open(struct inode *i, struct file *f)
{
	(void)i;
	f->ops = &ovl_dir_fops;
	return 0;
}

static const struct inode_ops ovl_dir_iops = {
	.lookup = ovl_lookup,
	.create = ovl_create,
	.mkdir = ovl_mkdir,
	.mknod = ovl_mknod,
	.symlink = ovl_symlink,
	.tmpfile = ovl_tmpfile,
	.link = ovl_link,
	.unlink = ovl_unlink,
	.rmdir = ovl_rmdir,
	.rename = ovl_rename,
	.getattr = ovl_getattr,
	.setattr = ovl_setattr,
	.open = ovl_dir_open,
	.permission = ovl_permission,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
};

static const struct inode_ops ovl_file_iops = {
	.getattr = ovl_getattr,
	.setattr = ovl_setattr,
	.open = ovl_open,
	.permission = ovl_permission,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
};

static const struct inode_ops ovl_symlink_iops = {
	.readlink = ovl_readlink,
	.getattr = ovl_getattr,
	.setattr = ovl_setattr,
	.permission = ovl_permission,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
};

/* Devices, FIFOs and sockets are opened by the VFS on the overlay inode
 * itself (its rdev, its own FIFO pipe). */
static const struct inode_ops ovl_special_iops = {
	.getattr = ovl_getattr,
	.setattr = ovl_setattr,
	.permission = ovl_permission,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
};

static void ovl_evict(struct inode *i)
{
	struct ovl_inode *oi = OI(i);

	if (!oi)
		return;
	if (i->fifo)
		pipe_fifo_release(i);
	if (oi->upper)
		inode_put(oi->upper);
	if (oi->lower)
		inode_put(oi->lower);
	if (oi->parent)
		inode_put(oi->parent);
	free(oi->name);
	free(oi);
	i->priv = NULL;
}

/* The upper layer's figures (where new data goes), as overlayfs reports
 * them, under the overlay's magic. */
static int ovl_statfs(struct superblock *sb, struct kstatfs *st)
{
	struct superblock *u = OFS(sb)->upper_sb;
	int err = 0;

	memset(st, 0, sizeof(*st));
	if (u->ops && u->ops->statfs)
		err = u->ops->statfs(u, st);
	st->type = OVERLAYFS_SUPER_MAGIC;
	st->flags = 0;
	return err;
}

static void ovl_release(struct superblock *sb)
{
	struct ovl_fs *fs = OFS(sb);

	if (!fs)
		return;
	superblock_put(fs->upper_sb);
	superblock_put(fs->lower_sb);
	free(fs);
	sb->priv = NULL;
}

static const struct superblock_ops ovl_sops = {
	.evict = ovl_evict,
	.statfs = ovl_statfs,
	.release = ovl_release,
};

/* The upper root takes the lower root's mode, owner and times, and
 * records its inode number: "/" looks like the lower's "/". */
static int root_inode(struct superblock *sb, struct ovl_fs *fs,
		      struct inode **out)
{
	struct inode *u = fs->upper_sb->root->inode;
	struct inode *l = fs->lower_sb->root->inode;
	struct iattr a = {
		.valid = ATTR_MODE | ATTR_UID | ATTR_GID | ATTR_ATIME |
			 ATTR_MTIME,
		.mode = l->mode & 07777,
		.uid = l->uid,
		.gid = l->gid,
		.atime = l->atime,
		.mtime = l->mtime,
	};

	/* Index 0 (host numbers unchanged) is the lower root's device,
	 * index 1 the upper's. */
	fs->devs[OVL_DEV_LOWER_ROOT] = ovl_layer_dev(l);
	fs->devs[OVL_DEV_UPPER] = ovl_layer_dev(u);
	fs->ndevs = 2;
	if (u->ops && u->ops->setattr)
		u->ops->setattr(u, &a);
	else
		vfs_setattr_copy(u, &a);
	tmpfs_ovl_set_origin(u, ovl_xino(sb, fs->devs[0], l->ino));
	inode_get(u);
	inode_get(l);
	return ovl_inode_new(sb, u, l, NULL, NULL, out);
}

int overlay_new(struct superblock *upper, struct superblock *lower,
		struct superblock **out)
{
	struct superblock *sb;
	struct ovl_fs *fs;
	struct inode *root;
	int err;

	if (!tmpfs_is_tmpfs(upper) || !upper->root || !lower->root ||
	    !LINUX_S_ISDIR(lower->root->inode->mode))
		return -EINVAL;
	fs = calloc(1, sizeof(*fs));
	if (!fs)
		return -ENOMEM;
	err = superblock_new(&ovl_sops, "overlay", OVERLAYFS_SUPER_MAGIC, 0,
			     &sb);
	if (err) {
		free(fs);
		return err;
	}
	superblock_get(upper);
	superblock_get(lower);
	fs->upper_sb = upper;
	fs->lower_sb = lower;
	sb->priv = fs;
	err = root_inode(sb, fs, &root);
	if (!err) {
		err = superblock_set_root(sb, root);
		if (err)
			inode_put(root);
	}
	if (err) {
		superblock_put(sb);
		return err;
	}
	*out = sb;
	return 0;
}
