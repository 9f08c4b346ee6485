/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay_int.h: what the overlay's files share (overlay.c: inodes,
 * lookup, attributes; overlay_copyup.c; overlay_dir.c: namespace
 * operations; overlay_readdir.c: merged listings; overlay_file.c: open
 * files).
 *
 * The design follows Linux's overlayfs, on this VFS's inodes:
 *
 * - An overlay inode stands for one name of the merged tree and holds the
 *   layers' inodes behind it: `lower` (the read-only layer, may be NULL)
 *   and `upper` (the tmpfs layer, NULL until the file is copied up). A
 *   directory with both is merged: listings and lookups see the upper's
 *   entries over the lower's. The VFS's dentry cache keeps one overlay
 *   inode per name while it is in use, so an inode's state (copied up or
 *   not) is seen by every path and open file that reaches it.
 *
 * - Each overlay inode remembers the directory (overlay inode, held) and
 *   name it was found by, which is where a copy-up puts its upper copy:
 *   parents first, then the file with its data (read through the lower
 *   file, written into the upper's page cache) and its metadata (mode,
 *   owner, atime, mtime). A lower directory is never renamed (EXDEV, as
 *   overlayfs without redirect_dir), so a lower-only file's directory and
 *   name stay right until it is copied up, renamed or removed.
 *
 * - A removed lower name leaves a whiteout in the upper directory (a 0/0
 *   character device, as overlayfs); a directory made where a lower one
 *   was removed, or renamed onto a lower name, is opaque (tmpfs_ovl.h):
 *   the lower layer is no longer looked at below it.
 *
 * - st_dev is the overlay's own device for every file, and st_ino is
 *   stable across copy-up, as overlayfs's xino mode does it: a lower
 *   file's inode number with the index of its host filesystem in the top
 *   8 bits (index 0 is the lower root's filesystem, whose files keep their
 *   host numbers), and the same number recorded in the upper copy
 *   (tmpfs_ovl_set_origin), so the file keeps it after copy-up, after a
 *   rename, and when its overlay inode is evicted and found again. Files
 *   made in the sandbox use their tmpfs number under index 1.
 *
 * - Files are opened on the layer that holds the data (the lower until a
 *   copy-up, which opening for write forces). A description opened on
 *   the lower file moves to the upper one at its next read or mmap after
 *   another process copied the file up (Linux >= 4.19 does the same); a
 *   mapping made before the copy-up keeps the lower pages.
 */
#ifndef CVISOR_FS_OVERLAY_INT_H
#define CVISOR_FS_OVERLAY_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "sentry/fs/overlay.h"
#include "sentry/vfs/vfs.h"

struct creds;

/* Lower host filesystems told apart in st_ino's top bits. */
#define OVL_MAX_DEVS 256
#define OVL_DEV_LOWER_ROOT 0 /* the lower root's filesystem */
#define OVL_DEV_UPPER 1	     /* files made in the sandbox */
#define OVL_INO_SHIFT 56

struct ovl_fs {
	struct superblock *upper_sb, *lower_sb; /* referenced */
	uint64_t devs[OVL_MAX_DEVS];		/* st_dev of each index */
	unsigned ndevs;
	bool warned_ino; /* a host inode number past 56 bits was seen */
};

struct ovl_inode {
	struct inode *upper;  /* referenced; NULL until copied up */
	struct inode *lower;  /* referenced; NULL for upper-only files */
	struct inode *parent; /* overlay directory found in (held); NULL
				 for the root */
	char *name;	      /* the name there */
	bool deleted;	      /* its name was removed */
};

static inline struct ovl_inode *OI(const struct inode *i)
{
	return i->priv;
}

static inline struct ovl_fs *OFS(const struct superblock *sb)
{
	return sb->priv;
}

/* The layer inode that holds the file's data and attributes now. */
static inline struct inode *ovl_real(const struct inode *i)
{
	return OI(i)->upper ? OI(i)->upper : OI(i)->lower;
}

/* Is the upper inode a whiteout (a 0/0 character device)? */
static inline bool ovl_is_whiteout(const struct inode *u)
{
	return LINUX_S_ISCHR(u->mode) && u->rdev == 0;
}

/* The credentials the overlay makes upper files with (their owner is
 * set from the lower file's afterwards): root with every capability. */
extern const struct creds ovl_creds;

/* overlay.c */
/* A new overlay inode over the given layers (their references are taken
 * over), found as `name` in `parent` (referenced anew; NULL for the
 * root). */
int ovl_inode_new(struct superblock *, struct inode *upper,
		  struct inode *lower, struct inode *parent, const char *name,
		  struct inode **out);
/* Refresh the overlay inode's cached attributes from its real inode (the
 * VFS reads mode, owner and size from the cached fields). */
void ovl_sync(struct inode *);
/* st_ino of a layer inode with this st_dev and st_ino, and the index
 * that st_dev has. */
uint64_t ovl_xino(struct superblock *, uint64_t dev, uint64_t ino);
/* st_dev of a layer inode as its getattr reports it. */
uint64_t ovl_layer_dev(struct inode *);
/* The overlay inode number of an upper inode (its origin, or its own
 * number under OVL_DEV_UPPER). */
uint64_t ovl_upper_ino(struct superblock *, struct inode *upper);
/* Whether an overlay directory shows lower entries (it has a lower
 * directory and no opaque upper one). */
bool ovl_dir_merges(const struct inode *dir);
/* Move an overlay inode to a new directory and name (rename). */
int ovl_set_name(struct inode *, struct inode *parent, const char *name);

/* overlay_copyup.c */
/* Give the file an upper copy (and its directories first): 0 at once
 * when it has one. With `data` false, a regular file's contents are not
 * copied (it is about to be truncated to 0). */
int ovl_copy_up(struct inode *, bool data);

/* overlay_xattr.c: the xattr inode ops, and the copy of a lower file's
 * attributes onto its new upper copy. */
long ovl_getxattr(struct inode *, const char *name, void *buf, size_t size);
int ovl_setxattr(struct inode *, const char *name, const void *value,
		 size_t size, int flags);
long ovl_listxattr(struct inode *, char *buf, size_t size);
int ovl_removexattr(struct inode *, const char *name);
int ovl_copy_xattrs(struct inode *lower, struct inode *upper);

/* overlay_dir.c: the directory inode operations. */
int ovl_create(struct inode *dir, const char *name, uint32_t mode,
	       const struct creds *, struct inode **out);
int ovl_mkdir(struct inode *dir, const char *name, uint32_t mode,
	      const struct creds *, struct inode **out);
int ovl_mknod(struct inode *dir, const char *name, uint32_t mode,
	      uint64_t rdev, const struct creds *, struct inode **out);
int ovl_symlink(struct inode *dir, const char *name, const char *target,
		const struct creds *, struct inode **out);
int ovl_tmpfile(struct inode *dir, uint32_t mode, const struct creds *,
		struct inode **out);
int ovl_link(struct inode *dir, const char *name, struct inode *target);
int ovl_unlink(struct inode *dir, const char *name, struct inode *victim);
int ovl_rmdir(struct inode *dir, const char *name, struct inode *victim);
int ovl_rename(struct inode *odir, const char *oname, struct inode *ndir,
	       const char *nname, struct inode *victim, struct inode *target,
	       unsigned flags);

/* overlay_readdir.c */
extern const struct file_ops ovl_dir_fops;
/* 1 if the merged directory has no entries, 0 if it has, or -errno. */
int ovl_dir_empty(struct inode *dir);
/* Remove the whiteouts an upper directory holds, making it opaque (before
 * it is removed or replaced: the merged directory was found empty). */
int ovl_clear_whiteouts(struct inode *udir);

/* overlay_file.c */
extern const struct file_ops ovl_file_fops;
/* An open description of a layer inode, outside the mount tree, as the
 * overlay's files and copy-up use them. */
int ovl_layer_open(struct inode *real, uint32_t flags, struct file **out);
/* inode_ops.open of regular files: copy up for writing, then open the
 * real file. */
int ovl_open(struct inode *, struct file *);

#endif
