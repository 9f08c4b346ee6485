/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpfs.c: the in-memory filesystem (/tmp, /dev/shm, devfs's tree, and
 * later the overlay's upper layer): directories, symlinks, device and FIFO
 * nodes, and the namespace operations on them. Regular file data is in
 * tmpfs_file.c.
 *
 * A directory holds its entries itself (name -> referenced inode, with a
 * stable getdents cookie each), so the VFS's dentry cache is only a cache.
 * Link counts and timestamps follow Linux's shmem: a directory's nlink is
 * 2 plus its subdirectories, its size 20 bytes per entry.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gen/linux_flags.h"
#include "sentry/abi/dirent.h"
#include "sentry/fs/fs.h"
#include "sentry/fs/pipe.h"
#include "sentry/fs/tmpfs.h"
#include "sentry/kernel/task.h"

static const struct inode_ops tmpfs_dir_iops;
static const struct inode_ops tmpfs_symlink_iops;
static const struct inode_ops tmpfs_special_iops;
static const struct file_ops tmpfs_dir_fops;

static struct tmpfs_node *node(const struct inode *i)
{
	return i->priv;
}

static void touch_mc(struct inode *i)
{
	vfs_now(&i->mtime);
	i->ctime = i->mtime;
}

static void touch_c(struct inode *i)
{
	vfs_now(&i->ctime);
}

struct inode *tmpfs_inode_new(struct superblock *sb, uint32_t mode,
			      const struct creds *c, const struct inode *dir)
{
	struct tmpfs_node *n = calloc(1, sizeof(*n));
	const struct inode_ops *ops;
	const struct file_ops *fops = NULL;
	struct inode *i;

	if (!n)
		return NULL;
	switch (mode & LINUX_S_IFMT) {
	case LINUX_S_IFDIR:
		ops = &tmpfs_dir_iops;
		fops = &tmpfs_dir_fops;
		break;
	case LINUX_S_IFREG:
		ops = &tmpfs_file_iops;
		fops = &tmpfs_file_fops;
		break;
	case LINUX_S_IFLNK:
		ops = &tmpfs_symlink_iops;
		break;
	default:
		ops = &tmpfs_special_iops;
		break;
	}
	i = inode_new(sb, ops, fops, mode, 0);
	if (!i) {
		free(n);
		return NULL;
	}
	TAILQ_INIT(&n->entries);
	n->next_cookie = 2; /* 0 and 1 are "." and ".." */
	/* Sealing is for memfds that ask for it (shmem_get_inode). */
	n->seals = LINUX_F_SEAL_SEAL;
	i->priv = n;
	if (tmpfs_sbi(sb)) {
		tmpfs_sbi(sb)->used_inodes++;
		if (tmpfs_sbi(sb)->free_ispace >= TMPFS_BOGO_INODE_SIZE)
			tmpfs_sbi(sb)->free_ispace -= TMPFS_BOGO_INODE_SIZE;
	}
	if (c)
		vfs_inode_init_owner(i, dir, c);
	if (LINUX_S_ISDIR(mode)) {
		i->nlink = 2;
		i->size = 2 * TMPFS_BOGO_DIRENT_SIZE;
	}
	if (LINUX_S_ISREG(mode) && tmpfs_data_new(i)) {
		inode_put(i);
		return NULL;
	}
	return i;
}

/* shmem_reserve_inode: room for one more inode under nr_inodes. */
static int reserve_inode(struct superblock *sb)
{
	struct tmpfs_sb *s = tmpfs_sbi(sb);

	if (s && s->max_inodes &&
	    (s->used_inodes >= s->max_inodes ||
	     s->free_ispace < TMPFS_BOGO_INODE_SIZE))
		return -ENOSPC;
	return 0;
}

/* The superblock's evict: the inode's last reference went. */
static void tmpfs_evict(struct inode *i)
{
	struct tmpfs_node *n = node(i);
	struct tmpfs_dirent *e;

	if (!n)
		return;
	tmpfs_xattr_free(i);
	if (tmpfs_sbi(i->sb)) {
		struct tmpfs_sb *s = tmpfs_sbi(i->sb);

		s->used_inodes--;
		if (s->max_inodes)
			s->free_ispace += TMPFS_BOGO_INODE_SIZE;
		if (n->data) {
			s->used_blocks -= n->data->nwritten;
			n->data->acct = NULL;
		}
	}
	while ((e = TAILQ_FIRST(&n->entries))) {
		TAILQ_REMOVE(&n->entries, e, link);
		inode_put(e->inode);
		free(e);
	}
	if (n->data)
		tmpfs_data_put(n->data);
	if (i->fifo)
		pipe_fifo_release(i);
	free(n->target);
	free(n);
	i->priv = NULL;
}

/* statfs: the limits (or the default figures) with what is in use. */
static int tmpfs_statfs(struct superblock *sb, struct kstatfs *st)
{
	struct tmpfs_sb *s = tmpfs_sbi(sb);
	uint64_t blocks =
		s && s->max_blocks ? s->max_blocks : tmpfs_default_pages();
	uint64_t files =
		s && s->max_inodes ? s->max_inodes : tmpfs_default_pages();
	uint64_t ub = s ? s->used_blocks : 0, ui = s ? s->used_inodes : 0;

	memset(st, 0, sizeof(*st));
	st->type = TMPFS_MAGIC;
	st->bsize = 4096;
	st->frsize = 4096;
	st->namelen = LINUX_NAME_MAX;
	if (blocks < ub)
		blocks = ub;
	if (files < ui)
		files = ui;
	st->blocks = blocks;
	st->bfree = st->bavail = blocks - ub;
	st->files = files;
	st->ffree = files - ui;
	return 0;
}

static void tmpfs_release(struct superblock *sb)
{
	free(sb->priv);
	sb->priv = NULL;
}

static const struct superblock_ops tmpfs_sops = {
	.evict = tmpfs_evict,
	.statfs = tmpfs_statfs,
	.release = tmpfs_release,
};

int tmpfs_new_limited(uint32_t root_mode, uint32_t uid, uint32_t gid,
		      uint64_t max_bytes, uint64_t max_inodes,
		      struct superblock **out)
{
	struct superblock *sb;
	struct tmpfs_sb *s = calloc(1, sizeof(*s));
	struct inode *root;
	int err = s ? superblock_new(&tmpfs_sops, "tmpfs", TMPFS_MAGIC, 0, &sb)
		    : -ENOMEM;

	if (err) {
		free(s);
		return err;
	}
	s->max_blocks = (max_bytes + 4095) / 4096;
	s->max_inodes = max_inodes;
	s->free_ispace = max_inodes * TMPFS_BOGO_INODE_SIZE;
	sb->priv = s;
	root = tmpfs_inode_new(sb, LINUX_S_IFDIR | (root_mode & 07777), NULL,
			       NULL);
	if (!root) {
		superblock_put(sb);
		return -ENOMEM;
	}
	root->uid = uid;
	root->gid = gid;
	err = superblock_set_root(sb, root);
	if (err) {
		inode_put(root);
		superblock_put(sb);
		return err;
	}
	*out = sb;
	return 0;
}

int tmpfs_new(uint32_t root_mode, uint32_t uid, uint32_t gid,
	      struct superblock **out)
{
	return tmpfs_new_limited(root_mode, uid, gid, 0, 0, out);
}

static struct tmpfs_dirent *dir_find(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *e;

	TAILQ_FOREACH(e, &node(dir)->entries, link)
	if (!strcmp(e->name, name))
		return e;
	return NULL;
}

/* Add name -> i (the entry takes a new reference to i). */
static int dir_add(struct inode *dir, const char *name, struct inode *i)
{
	struct tmpfs_node *n = node(dir);
	size_t len = strlen(name);
	struct tmpfs_dirent *e = malloc(sizeof(*e) + len + 1);

	if (!e)
		return -ENOMEM;
	memcpy(e->name, name, len + 1);
	e->cookie = n->next_cookie++;
	e->inode = i;
	inode_get(i);
	TAILQ_INSERT_TAIL(&n->entries, e, link);
	n->nentries++;
	dir->size += TMPFS_BOGO_DIRENT_SIZE;
	return 0;
}

/* Remove an entry; returns its inode reference to the caller. */
static struct inode *dir_remove(struct inode *dir, struct tmpfs_dirent *e)
{
	struct inode *i = e->inode;

	TAILQ_REMOVE(&node(dir)->entries, e, link);
	node(dir)->nentries--;
	dir->size -= TMPFS_BOGO_DIRENT_SIZE;
	free(e);
	return i;
}

static int tmpfs_lookup(struct inode *dir, const char *name, struct inode **out)
{
	struct tmpfs_dirent *e = dir_find(dir, name);

	if (!e)
		return -ENOENT;
	inode_get(e->inode);
	*out = e->inode;
	return 0;
}

/* Make and link a new inode of any type into dir. */
static int tmpfs_make(struct inode *dir, const char *name, uint32_t mode,
		      const struct creds *c, struct inode **out)
{
	struct inode *i;
	int err;

	if (dir_find(dir, name))
		return -EEXIST;
	err = reserve_inode(dir->sb);
	if (err)
		return err;
	i = tmpfs_inode_new(dir->sb, mode, c, dir);
	if (!i)
		return -ENOMEM;
	err = dir_add(dir, name, i);
	if (err) {
		inode_put(i);
		return err;
	}
	if (LINUX_S_ISDIR(mode))
		dir->nlink++;
	touch_mc(dir);
	*out = i;
	return 0;
}

static int tmpfs_create(struct inode *dir, const char *name, uint32_t mode,
			const struct creds *c, struct inode **out)
{
	return tmpfs_make(dir, name, LINUX_S_IFREG | (mode & 07777), c, out);
}

/* O_TMPFILE: an inode in no directory, freed with its last open unless
 * linkat names it. */
static int tmpfs_tmpfile(struct inode *dir, uint32_t mode,
			 const struct creds *c, struct inode **out)
{
	struct inode *i;

	if (reserve_inode(dir->sb))
		return -ENOSPC;
	i = tmpfs_inode_new(dir->sb, LINUX_S_IFREG | (mode & 07777), c, dir);
	if (!i)
		return -ENOMEM;
	i->nlink = 0;
	*out = i;
	return 0;
}

static int tmpfs_mkdir(struct inode *dir, const char *name, uint32_t mode,
		       const struct creds *c, struct inode **out)
{
	return tmpfs_make(dir, name, LINUX_S_IFDIR | (mode & 07777), c, out);
}

static int tmpfs_mknod(struct inode *dir, const char *name, uint32_t mode,
		       uint64_t rdev, const struct creds *c, struct inode **out)
{
	int err = tmpfs_make(dir, name, mode, c, out);

	if (!err)
		(*out)->rdev = rdev;
	return err;
}

static int tmpfs_symlink(struct inode *dir, const char *name,
			 const char *target, const struct creds *c,
			 struct inode **out)
{
	size_t len = strlen(target);
	char *copy;
	int err;

	if (len >= LINUX_PATH_MAX)
		return -ENAMETOOLONG;
	copy = strdup(target);
	if (!copy)
		return -ENOMEM;
	err = tmpfs_make(dir, name, LINUX_S_IFLNK | 0777, c, out);
	if (err) {
		free(copy);
		return err;
	}
	node(*out)->target = copy;
	(*out)->size = len;
	/* Long targets take a page, as shmem stores them. */
	(*out)->blocks = len > TMPFS_SHORT_SYMLINK_LEN ? 8 : 0;
	return 0;
}

static int tmpfs_link(struct inode *dir, const char *name, struct inode *target)
{
	int err;

	if (dir_find(dir, name))
		return -EEXIST;
	if (target->nlink >= 0xffffffffu)
		return -EMLINK;
	err = dir_add(dir, name, target);
	if (err)
		return err;
	target->nlink++;
	touch_c(target);
	touch_mc(dir);
	return 0;
}

static int tmpfs_unlink(struct inode *dir, const char *name,
			struct inode *victim)
{
	struct tmpfs_dirent *e = dir_find(dir, name);

	if (!e || e->inode != victim)
		return -ENOENT;
	dir_remove(dir, e);
	if (victim->nlink)
		victim->nlink--;
	touch_c(victim);
	touch_mc(dir);
	inode_put(victim); /* the entry's reference */
	return 0;
}

static int tmpfs_rmdir(struct inode *dir, const char *name,
		       struct inode *victim)
{
	struct tmpfs_dirent *e = dir_find(dir, name);

	if (!e || e->inode != victim)
		return -ENOENT;
	if (node(victim)->nentries)
		return -ENOTEMPTY;
	dir_remove(dir, e);
	victim->nlink = 0;
	dir->nlink--;
	touch_c(victim);
	touch_mc(dir);
	inode_put(victim);
	return 0;
}

/* RENAME_EXCHANGE: the two entries swap inodes; a directory that
 * changes parent carries its ".." to the other directory's link count. */
static void tmpfs_exchange(struct inode *odir, struct tmpfs_dirent *oe,
			   struct inode *ndir, struct tmpfs_dirent *ne)
{
	struct inode *a = oe->inode, *b = ne->inode;

	oe->inode = b;
	ne->inode = a;
	if (odir != ndir) {
		if (LINUX_S_ISDIR(a->mode)) {
			odir->nlink--;
			ndir->nlink++;
		}
		if (LINUX_S_ISDIR(b->mode)) {
			ndir->nlink--;
			odir->nlink++;
		}
	}
	touch_c(a);
	touch_c(b);
	touch_mc(odir);
	if (ndir != odir)
		touch_mc(ndir);
}

/* Move an entry (replacing `target`), keeping the directories' link
 * counts: a directory moved between parents carries its "..". */
static int tmpfs_rename(struct inode *odir, const char *oname,
			struct inode *ndir, const char *nname,
			struct inode *victim, struct inode *target,
			unsigned flags)
{
	struct tmpfs_dirent *oe = dir_find(odir, oname), *ne;
	bool isdir = LINUX_S_ISDIR(victim->mode);
	int err;

	if (!oe || oe->inode != victim)
		return -ENOENT;
	ne = dir_find(ndir, nname);
	if ((ne ? ne->inode : NULL) != target)
		return -ENOENT;
	if (flags & LINUX_RENAME_EXCHANGE) {
		tmpfs_exchange(odir, oe, ndir, ne);
		return 0;
	}
	if (target && LINUX_S_ISDIR(target->mode) && node(target)->nentries)
		return -ENOTEMPTY;
	/* Add the new name first: the only step that can fail. */
	if (!target) {
		err = dir_add(ndir, nname, victim);
		if (err)
			return err;
	} else {
		inode_get(victim);
		ne->inode = victim;
		if (LINUX_S_ISDIR(target->mode)) {
			target->nlink = 0;
			ndir->nlink--;
		} else if (target->nlink) {
			target->nlink--;
		}
		touch_c(target);
		inode_put(target);
	}
	inode_put(dir_remove(odir, oe));
	if (isdir && odir != ndir) {
		odir->nlink--;
		ndir->nlink++;
	}
	touch_c(victim);
	touch_mc(odir);
	if (ndir != odir)
		touch_mc(ndir);
	return 0;
}

static long tmpfs_readlink(struct inode *i, char *buf, size_t size)
{
	const char *t = node(i)->target;
	size_t len = strlen(t);

	memcpy(buf, t, len < size ? len : size);
	return (long)len;
}

static int tmpfs_getattr(struct inode *i, struct kstat *st)
{
	generic_fillattr(i, st);
	if (LINUX_S_ISREG(i->mode) && node(i)->data)
		st->blocks = tmpfs_data_blocks(node(i)->data);
	return 0;
}

/* Changes to a non-regular inode: only the cached attributes. */
static int tmpfs_setattr(struct inode *i, const struct iattr *a)
{
	vfs_setattr_copy(i, a);
	return 0;
}

/* getdents: ".", "..", then the entries in creation order from the
 * cookie at ctx->pos (a removed entry's cookie resumes at the next). */
static int tmpfs_getdents(struct file *f, struct dir_ctx *ctx)
{
	struct tmpfs_dirent *e;

	if (!vfs_dir_emit_dots(f, ctx))
		return 0;
	TAILQ_FOREACH(e, &node(f->inode)->entries, link)
	{
		if ((int64_t)e->cookie < ctx->pos)
			continue;
		if (!ctx->emit(ctx, e->name, strlen(e->name), e->inode->ino,
			       linux_mode_to_dtype(e->inode->mode),
			       (int64_t)e->cookie + 1))
			return 0;
		ctx->pos = (int64_t)e->cookie + 1;
	}
	return 0;
}

static const struct inode_ops tmpfs_dir_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.tmpfile = tmpfs_tmpfile,
	.mkdir = tmpfs_mkdir,
	.mknod = tmpfs_mknod,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.getattr = tmpfs_getattr,
	.setattr = tmpfs_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
	.removexattr = tmpfs_removexattr,
};

static const struct inode_ops tmpfs_symlink_iops = {
	.readlink = tmpfs_readlink,
	.getattr = tmpfs_getattr,
	.setattr = tmpfs_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
	.removexattr = tmpfs_removexattr,
};

static const struct inode_ops tmpfs_special_iops = {
	.getattr = tmpfs_getattr,
	.setattr = tmpfs_setattr,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
	.removexattr = tmpfs_removexattr,
};

/* Nothing to write back: memory is the medium. */
static int tmpfs_fsync(struct file *f, bool datasync)
{
	(void)f;
	(void)datasync;
	return 0;
}

static const struct file_ops tmpfs_dir_fops = {
	.llseek = vfs_offset_llseek,
	.getdents = tmpfs_getdents,
	.fsync = tmpfs_fsync,
};
