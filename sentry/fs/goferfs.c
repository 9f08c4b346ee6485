/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs.c: the Gofer's tree as a filesystem: each inode is a Gofer node,
 * found by walking one component (the VFS caches the result in its dentry
 * tree and resolves "..", symlinks and mounts itself), with the node's stat
 * cached in the inode (refreshed after this instance's own writes, which
 * goferfs_write.c makes on a writable instance).
 *
 * What the Gofer sends is checked by the client (sizes, names); what it
 * means is checked here: a node of a type Linux does not have is refused
 * (EIO), so a compromised Gofer cannot hand the VFS an inode it does not
 * know how to treat.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "gen/linux_flags.h"
#include "lib/log.h"
#include "sentry/abi/stat.h"
#include "sentry/fs/goferfs_int.h"
#include "sentry/fs/pipe.h"

/* statfs f_flags: Linux's ST_RDONLY (not in sentry/abi yet). */
#define GOFERFS_ST_RDONLY 0x1

static const struct inode_ops goferfs_dir_iops;
static const struct inode_ops goferfs_file_iops;
static const struct inode_ops goferfs_symlink_iops;
static const struct inode_ops goferfs_special_iops;

/* The host's dev_t (from the Gofer's stat) in the guest's encoding. */
static uint64_t guest_dev(uint64_t host)
{
	return linux_makedev(major((dev_t)host), minor((dev_t)host));
}

static struct timespec ts(const struct gofer_timespec *t)
{
	return (struct timespec){ .tv_sec = t->sec, .tv_nsec = t->nsec };
}

/* Refresh an inode's cached attributes from a Gofer stat (its type never
 * changes: the caller picked the ops by it). */
void goferfs_set_attrs(struct inode *i, const struct gofer_stat *st)
{
	i->mode = (i->mode & LINUX_S_IFMT) | (st->mode & 07777);
	i->nlink = st->nlink > UINT32_MAX ? UINT32_MAX : (uint32_t)st->nlink;
	i->uid = st->uid;
	i->gid = st->gid;
	i->rdev = guest_dev(st->rdev);
	i->size = st->size < 0 ? 0 : (uint64_t)st->size;
	i->blocks = st->blocks < 0 ? 0 : (uint64_t)st->blocks;
	i->blksize = st->blksize > 0 && st->blksize <= (1 << 30)
			     ? (uint32_t)st->blksize
			     : 4096;
	i->atime = ts(&st->atime);
	i->mtime = ts(&st->mtime);
	i->ctime = ts(&st->ctime);
	i->btime = (struct timespec){ 0 };
	goferfs_i(i)->host_dev = guest_dev(st->dev);
}

/*
 * A new inode for a node the Gofer just gave us, which it takes over:
 * on failure the node is closed, so a refused or unallocatable inode
 * never leaks a node (and a Gofer fd).
 */
int goferfs_inode_from_node(struct superblock *sb, uint64_t node,
			    const struct gofer_stat *st, struct inode **out)
{
	const struct inode_ops *ops;
	const struct file_ops *fops = NULL;
	struct goferfs_inode *gi;
	struct inode *i;
	uint32_t type = st->mode & LINUX_S_IFMT;

	switch (type) {
	case LINUX_S_IFREG:
		ops = &goferfs_file_iops;
		fops = &goferfs_file_fops;
		break;
	case LINUX_S_IFDIR:
		ops = &goferfs_dir_iops;
		fops = &goferfs_dir_fops;
		break;
	case LINUX_S_IFLNK:
		ops = &goferfs_symlink_iops;
		break;
	case LINUX_S_IFCHR:
	case LINUX_S_IFBLK:
	case LINUX_S_IFIFO:
	case LINUX_S_IFSOCK:
		/* Opened by the VFS itself (its devices, its pipes), never
		 * through the Gofer. */
		ops = &goferfs_special_iops;
		break;
	default:
		log_warn("goferfs: the Gofer gave node type %#o; refused",
			 type);
		gofer_close(sb->priv, node);
		return -EIO;
	}
	gi = calloc(1, sizeof(*gi));
	i = gi ? inode_new(sb, ops, fops, type, st->ino) : NULL;
	if (!i) {
		free(gi);
		gofer_close(sb->priv, node);
		return -ENOMEM;
	}
	gi->node = node;
	i->priv = gi;
	goferfs_set_attrs(i, st);
	*out = i;
	return 0;
}

static int goferfs_lookup(struct inode *dir, const char *name,
			  struct inode **out)
{
	struct gofer_stat st;
	uint64_t node;
	int err = gofer_walk_one(goferfs_client(dir), goferfs_i(dir)->node,
				 name, &node, &st);

	if (err)
		return goferfs_err(err);
	return goferfs_inode_from_node(dir->sb, node, &st, out);
}

/* The link text is read once: the tree is read-only. */
static long goferfs_readlink(struct inode *i, char *buf, size_t size)
{
	struct goferfs_inode *gi = goferfs_i(i);

	if (!gi->target) {
		char text[GOFER_PATH_MAX];
		long n = gofer_readlink(goferfs_client(i), gi->node, text,
					sizeof(text));

		if (n < 0)
			return goferfs_err((int)n);
		gi->target = malloc((size_t)n + 1);
		if (!gi->target)
			return -ENOMEM;
		memcpy(gi->target, text, (size_t)n);
		gi->target[n] = '\0';
		gi->target_len = (size_t)n;
	}
	memcpy(buf, gi->target, gi->target_len < size ? gi->target_len : size);
	return (long)gi->target_len;
}

int goferfs_refresh(struct inode *i)
{
	struct goferfs_inode *gi = goferfs_i(i);
	struct gofer_stat st;
	int err;

	if (!gi->stale)
		return 0;
	err = gofer_stat(goferfs_client(i), gi->node, &st);
	if (err)
		return goferfs_err(err);
	if ((st.mode & LINUX_S_IFMT) != (i->mode & LINUX_S_IFMT))
		return -EIO; /* a node's inode never changes type */
	goferfs_set_attrs(i, &st);
	gi->stale = false;
	return 0;
}

/* The cached stat, with the host's device number: a tree may span several
 * host filesystems, whose inode numbers only (dev, ino) tells apart. */
static int goferfs_getattr(struct inode *i, struct kstat *st)
{
	int err = goferfs_refresh(i);

	if (err)
		return err;
	generic_fillattr(i, st);
	st->dev = goferfs_i(i)->host_dev;
	st->mask &= ~LINUX_STATX_BTIME; /* the Gofer does not know it */
	st->btime = (struct timespec){ 0 };
	return 0;
}

/* Permission checks on current attributes. */
static int goferfs_permission(struct inode *i, int mask, const struct creds *c)
{
	int err = goferfs_refresh(i);

	return err ? err : vfs_generic_permission(i, mask, c);
}

static const struct inode_ops goferfs_dir_iops = {
	.lookup = goferfs_lookup,
	.create = goferfs_create,
	.mkdir = goferfs_mkdir,
	.mknod = goferfs_mknod,
	.symlink = goferfs_symlink,
	.link = goferfs_link,
	.unlink = goferfs_unlink,
	.rmdir = goferfs_rmdir,
	.rename = goferfs_rename,
	.getattr = goferfs_getattr,
	.setattr = goferfs_setattr,
	.permission = goferfs_permission,
	.getxattr = goferfs_getxattr,
	.setxattr = goferfs_setxattr,
	.listxattr = goferfs_listxattr,
	.removexattr = goferfs_removexattr,
};

static const struct inode_ops goferfs_file_iops = {
	.open = goferfs_file_open,
	.getattr = goferfs_getattr,
	.setattr = goferfs_setattr,
	.permission = goferfs_permission,
	.getxattr = goferfs_getxattr,
	.setxattr = goferfs_setxattr,
	.listxattr = goferfs_listxattr,
	.removexattr = goferfs_removexattr,
};

static const struct inode_ops goferfs_symlink_iops = {
	.readlink = goferfs_readlink,
	.getattr = goferfs_getattr,
	.setattr = goferfs_setattr,
	.permission = goferfs_permission,
	.getxattr = goferfs_getxattr,
	.setxattr = goferfs_setxattr,
	.listxattr = goferfs_listxattr,
	.removexattr = goferfs_removexattr,
};

static const struct inode_ops goferfs_special_iops = {
	.getattr = goferfs_getattr,
	.setattr = goferfs_setattr,
	.permission = goferfs_permission,
	.getxattr = goferfs_getxattr,
	.setxattr = goferfs_setxattr,
	.listxattr = goferfs_listxattr,
	.removexattr = goferfs_removexattr,
};

/* The inode's last reference went: give its node back to the Gofer (which
 * bounds how many it lets us hold). */
static void goferfs_evict(struct inode *i)
{
	struct goferfs_inode *gi = goferfs_i(i);

	if (!gi)
		return;
	if (LINUX_S_ISREG(i->mode))
		goferfs_file_evict(gi);
	if (i->fifo)
		pipe_fifo_release(i);
	gofer_close(goferfs_client(i), gi->node);
	free(gi->target);
	free(gi);
	i->priv = NULL;
}

/* The host filesystem's figures, from the root node; a read-only
 * instance says so whatever the host's are. An old Gofer without STATFS
 * gets the figures of a full filesystem. */
static int goferfs_statfs(struct superblock *sb, struct kstatfs *st)
{
	struct gofer_statfs_rep r;
	int err = gofer_statfs(sb->priv, goferfs_i(sb->root->inode)->node, &r);

	memset(st, 0, sizeof(*st));
	st->type = V9FS_MAGIC;
	st->bsize = 4096;
	st->frsize = 4096;
	st->namelen = LINUX_NAME_MAX;
	if (!err) {
		st->bsize = r.bsize;
		st->frsize = r.frsize ? r.frsize : r.bsize;
		st->blocks = r.blocks;
		st->bfree = r.bfree;
		st->bavail = r.bavail;
		st->files = r.files;
		st->ffree = r.ffree;
		st->namelen = r.namelen;
	} else if (err != -EOPNOTSUPP) {
		return goferfs_err(err);
	}
	if (sb->flags & SB_RDONLY)
		st->flags = GOFERFS_ST_RDONLY;
	return 0;
}

/* syncfs(2) and sync(2): the host syncs the filesystem of the root (a
 * read-only Gofer answers at once). */
static int goferfs_sync_fs(struct superblock *sb)
{
	if (sb->flags & SB_RDONLY)
		return 0;
	return goferfs_err(gofer_fsync(sb->priv,
				       goferfs_i(sb->root->inode)->node,
				       GOFER_FSYNC_FS));
}

static const struct superblock_ops goferfs_sops = {
	.evict = goferfs_evict,
	.statfs = goferfs_statfs,
	.sync_fs = goferfs_sync_fs,
};

int goferfs_new(struct gofer_client *c, unsigned flags,
		struct superblock **out)
{
	struct superblock *sb;
	struct gofer_stat st;
	struct inode *root;
	uint64_t node;
	int err = gofer_attach(c, &node, &st);

	if (err)
		return goferfs_err(err);
	/* A directory tree, or a one-file tree (the bind mount of a host
	 * file, mounted on a file). */
	if ((st.mode & LINUX_S_IFMT) != LINUX_S_IFDIR &&
	    (st.mode & LINUX_S_IFMT) != LINUX_S_IFREG) {
		gofer_close(c, node);
		return -ENOTDIR;
	}
	err = superblock_new(&goferfs_sops, "9p", V9FS_MAGIC,
			     flags & GOFERFS_WRITABLE ? 0 : SB_RDONLY, &sb);
	if (err) {
		gofer_close(c, node);
		return err;
	}
	sb->priv = c;
	/* st_dev from the host, as for every inode. */
	sb->dev = guest_dev(st.dev);
	err = goferfs_inode_from_node(sb, node, &st, &root);
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
