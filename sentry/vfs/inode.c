/* SPDX-License-Identifier: Apache-2.0 */
/*
 * inode.c: superblocks, inodes, attributes and Unix permission checks.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/abi/capability.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/internal.h"

/* Anonymous device minors (major 0), like Linux's get_anon_bdev. */
static uint32_t next_anon_minor = 16;

const struct creds vfs_root_creds = {
	.refs = 1,
	.cap_effective = ~0ULL,
	.cap_permitted = ~0ULL,
	.cap_bounding = ~0ULL,
};

int superblock_new(const struct superblock_ops *ops, const char *fstype,
		   uint64_t magic, unsigned flags, struct superblock **out)
{
	struct superblock *sb = calloc(1, sizeof(*sb));

	if (!sb)
		return -ENOMEM;
	sb->refs = 1;
	sb->ops = ops;
	sb->fstype = fstype;
	sb->magic = magic;
	sb->flags = flags;
	sb->dev = linux_makedev(0, next_anon_minor++);
	sb->next_ino = 1;
	*out = sb;
	return 0;
}

void superblock_get(struct superblock *sb)
{
	sb->refs++;
}

/* The last mount went: drop the cached tree, then the fs's own state. */
void superblock_put(struct superblock *sb)
{
	struct dentry *root;

	if (!sb || --sb->refs)
		return;
	root = sb->root;
	sb->root = NULL;
	d_shrink_sb(sb);
	if (root)
		dput(root);
	if (sb->ops && sb->ops->release)
		sb->ops->release(sb);
	free(sb);
}

int superblock_set_root(struct superblock *sb, struct inode *root)
{
	struct dentry *d;
	int err = d_alloc_root(sb, root, "/", DENTRY_ROOT, &d);

	if (err)
		return err;
	sb->root = d;
	return 0;
}

void vfs_now(struct timespec *ts)
{
	clock_gettime(CLOCK_REALTIME, ts);
}

struct inode *inode_new(struct superblock *sb, const struct inode_ops *ops,
			const struct file_ops *fops, uint32_t mode,
			uint64_t ino)
{
	struct inode *i = calloc(1, sizeof(*i));

	if (!i)
		return NULL;
	i->refs = 1;
	i->sb = sb;
	i->ops = ops;
	i->fops = fops;
	i->mode = mode;
	i->nlink = 1;
	i->blksize = 4096;
	i->ino = ino ? ino : sb->next_ino++;
	vfs_now(&i->atime);
	i->mtime = i->ctime = i->btime = i->atime;
	return i;
}

void inode_get(struct inode *i)
{
	i->refs++;
}

void inode_put(struct inode *i)
{
	if (!i || --i->refs)
		return;
	if (i->sb && i->sb->ops && i->sb->ops->evict)
		i->sb->ops->evict(i);
	vfs_locks_free(i);
	free(i);
}

void vfs_inode_init_owner(struct inode *i, const struct inode *dir,
			  const struct creds *c)
{
	i->uid = c->fsuid;
	if (dir && (dir->mode & LINUX_S_ISGID)) {
		i->gid = dir->gid;
		if (LINUX_S_ISDIR(i->mode))
			i->mode |= LINUX_S_ISGID;
	} else {
		i->gid = c->fsgid;
	}
}

void generic_fillattr(const struct inode *i, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	st->mask = LINUX_STATX_BASIC_STATS | LINUX_STATX_BTIME;
	st->mode = i->mode;
	st->nlink = i->nlink;
	st->uid = i->uid;
	st->gid = i->gid;
	st->ino = i->ino;
	st->dev = i->sb ? i->sb->dev : 0;
	st->rdev = i->rdev;
	st->size = i->size;
	st->blksize = i->blksize ? i->blksize : 4096;
	st->blocks = i->blocks;
	st->atime = i->atime;
	st->mtime = i->mtime;
	st->ctime = i->ctime;
	st->btime = i->btime;
}

int vfs_getattr(const struct path *p, struct kstat *st)
{
	struct inode *i = p->dentry->inode;
	int err = 0;

	if (i->ops && i->ops->getattr)
		err = i->ops->getattr(i, st);
	else
		generic_fillattr(i, st);
	if (err)
		return err;
	if (p->mnt) {
		st->mnt_id = (uint64_t)p->mnt->id;
		if (p->dentry == p->mnt->root)
			st->attributes |= LINUX_STATX_ATTR_MOUNT_ROOT;
	}
	return 0;
}

static bool has_cap(const struct creds *c, int cap)
{
	return (c->cap_effective >> cap) & 1;
}

/* Is gid the fsgid or a supplementary group of c? */
static bool in_group(const struct creds *c, uint32_t gid)
{
	if (c->fsgid == gid)
		return true;
	for (uint32_t k = 0; k < c->ngroups; k++)
		if (c->groups[k] == gid)
			return true;
	return false;
}

/* Linux's generic_permission: owner, then group, then other bits, then the
 * DAC capabilities; a capability never grants exec of a file no one may
 * execute. */
int vfs_generic_permission(const struct inode *i, int mask,
			   const struct creds *c)
{
	uint32_t mode = i->mode, bits;
	int want = mask & (MAY_READ | MAY_WRITE | MAY_EXEC);

	if (c->fsuid == i->uid)
		bits = mode >> 6;
	else if (in_group(c, i->gid))
		bits = mode >> 3;
	else
		bits = mode;
	if ((want & ~(int)(bits & 7)) == 0)
		return 0;
	if (LINUX_S_ISDIR(mode)) {
		if (!(want & MAY_WRITE) &&
		    has_cap(c, LINUX_CAP_DAC_READ_SEARCH))
			return 0;
		if (has_cap(c, LINUX_CAP_DAC_OVERRIDE))
			return 0;
		return -EACCES;
	}
	if (want == MAY_READ && has_cap(c, LINUX_CAP_DAC_READ_SEARCH))
		return 0;
	if ((!(want & MAY_EXEC) || (mode & 0111)) &&
	    has_cap(c, LINUX_CAP_DAC_OVERRIDE))
		return 0;
	return -EACCES;
}

int vfs_mnt_want_write(const struct mount *mnt)
{
	if (mnt && ((mnt->flags & MNT_RDONLY) ||
		    (mnt->sb && (mnt->sb->flags & SB_RDONLY))))
		return -EROFS;
	return 0;
}

int vfs_permission(const struct mount *mnt, struct inode *i, int mask,
		   const struct creds *c)
{
	if (mask & MAY_WRITE) {
		uint32_t t = i->mode & LINUX_S_IFMT;

		/* Only data and namespace objects are read-only on a
		 * read-only mount: devices and FIFOs stay writable. */
		if ((t == LINUX_S_IFREG || t == LINUX_S_IFDIR ||
		     t == LINUX_S_IFLNK) &&
		    (vfs_mnt_want_write(mnt) ||
		     (i->sb && (i->sb->flags & SB_RDONLY))))
			return -EROFS;
	}
	if (i->ops && i->ops->permission)
		return i->ops->permission(i, mask, c);
	return vfs_generic_permission(i, mask, c);
}
