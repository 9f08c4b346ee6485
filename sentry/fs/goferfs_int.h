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
#include <stdint.h>

#include "gofer/client.h"
#include "sentry/fs/goferfs.h"
#include "sentry/vfs/vfs.h"

/*
 * A host fd of a regular file, donated by the Gofer: shared by every open
 * description of the inode and by its page cache (which may outlive the
 * inode in guest mappings), and closed when the last of them goes, so the
 * Sentry holds one host fd per file in use rather than per file seen.
 */
struct goferfs_hfd {
	unsigned refs;
	int fd;
	uint64_t size;                 /* the file's size, for mappings */
	struct goferfs_inode *owner;   /* whose hfd this is; NULL once gone */
};

struct goferfs_inode {
	uint64_t node;                 /* the Gofer's node, closed at evict */
	uint64_t host_dev;             /* st_dev, guest encoding */
	char *target;                  /* symlinks: read once */
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

/* goferfs_file.c: a regular file's open (its host fd, shared) and the
 * inode's hold on that fd and its page cache dropped at evict. */
int goferfs_file_open(struct inode *, struct file *);
void goferfs_file_evict(struct goferfs_inode *);

#endif
