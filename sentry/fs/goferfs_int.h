/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs_int.h: what goferfs.c (namespace), goferfs_file.c (file data)
 * and goferfs_dir.c (listings) share.
 *
 * An inode is one Gofer node, with the node's stat cached in the inode's
 * fields: the tree is served read-only, so the cache is the truth until a
 * writable layer exists.
 */
#ifndef CVISOR_FS_GOFERFS_INT_H
#define CVISOR_FS_GOFERFS_INT_H

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>

#include "gofer/client.h"
#include "sentry/fs/goferfs.h"
#include "sentry/vfs/vfs.h"

/*
 * A host fd of a regular file, donated by the Gofer: shared by every open
 * description of the inode and by its page cache (which may outlive the
 * inode in guest mappings), and closed when the last of them goes, so the
 * Sentry holds one host fd per file in use rather than per file seen. On
 * a writable instance, the first description that writes opens a
 * read-write one, which then serves every later description and the page
 * cache's write-back; older descriptions keep the read-only one.
 */
struct goferfs_hfd {
	unsigned refs;
	int fd;
	bool writable;                 /* opened for reading and writing */
	struct goferfs_inode *owner;   /* whose hfd this is; NULL once gone */
};

/* A regular file's page cache (the mappable's priv): the host fd it is
 * filled from and written back to, and the file's size for mappings. */
struct goferfs_cache {
	struct goferfs_hfd *h;         /* referenced */
	uint64_t size;
};

struct goferfs_inode {
	uint64_t node;                 /* the Gofer's node, closed at evict */
	uint64_t host_dev;             /* st_dev, guest encoding */
	bool stale;                    /* attributes changed by a write:
					  stat the node again before use */
	char *target;                  /* symlinks: read once (immutable) */
	size_t target_len;
	struct goferfs_hfd *hfd;       /* regular files, while in use */
	struct mappable *cache;        /* regular files, once mapped */
};

static inline struct goferfs_inode *goferfs_i(const struct inode *i)
{
	return i->priv;
}

static inline struct gofer_client *goferfs_client(const struct inode *i)
{
	return i->sb->priv;
}

/* A Gofer error as the guest should see it: the Gofer's node limit is a
 * system-wide limit for the guest (ENFILE), not its own EMFILE. */
static inline int goferfs_err(int err)
{
	return err == -EMFILE ? -ENFILE : err;
}

extern const struct file_ops goferfs_file_fops;
extern const struct file_ops goferfs_dir_fops;

/* Whether the instance writes through to the host. */
static inline bool goferfs_writable(const struct inode *i)
{
	return !(i->sb->flags & SB_RDONLY);
}

/* goferfs.c */
/* A new inode for a node the Gofer just gave (taken over: closed on
 * failure). */
int goferfs_inode_from_node(struct superblock *, uint64_t node,
			    const struct gofer_stat *, struct inode **out);
/* Refresh cached attributes from a Gofer stat. */
void goferfs_set_attrs(struct inode *, const struct gofer_stat *);
/* Stat the node again if a write made its attributes stale. */
int goferfs_refresh(struct inode *);

/* goferfs_write.c: the namespace and attribute changes of a writable
 * instance (EROFS on a read-only one). */
int goferfs_create(struct inode *dir, const char *name, uint32_t mode,
		   const struct creds *, struct inode **out);
int goferfs_mkdir(struct inode *dir, const char *name, uint32_t mode,
		  const struct creds *, struct inode **out);
int goferfs_mknod(struct inode *dir, const char *name, uint32_t mode,
		  uint64_t rdev, const struct creds *, struct inode **out);
int goferfs_symlink(struct inode *dir, const char *name, const char *target,
		    const struct creds *, struct inode **out);
int goferfs_link(struct inode *dir, const char *name, struct inode *target);
int goferfs_unlink(struct inode *dir, const char *name, struct inode *victim);
int goferfs_rmdir(struct inode *dir, const char *name, struct inode *victim);
int goferfs_rename(struct inode *odir, const char *oname, struct inode *ndir,
		   const char *nname, struct inode *victim,
		   struct inode *target, unsigned flags);
int goferfs_setattr(struct inode *, const struct iattr *);

/* goferfs_xattr.c: the xattr inode ops (user.* through the Gofer). */
long goferfs_getxattr(struct inode *, const char *name, void *buf,
		      size_t size);
int goferfs_setxattr(struct inode *, const char *name, const void *value,
		     size_t size, int flags);
long goferfs_listxattr(struct inode *, char *buf, size_t size);
int goferfs_removexattr(struct inode *, const char *name);

/* goferfs_file.c: a regular file's open (its host fd, shared) and the
 * inode's hold on that fd and its page cache dropped at evict; size
 * changes made through the Gofer, kept in the page cache. */
int goferfs_file_open(struct inode *, struct file *);
void goferfs_file_evict(struct goferfs_inode *);
void goferfs_file_resized(struct inode *, uint64_t old_size);

#endif
