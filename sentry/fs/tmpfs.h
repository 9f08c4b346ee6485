/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpfs.h: what tmpfs.c (namespace) and tmpfs_file.c (file data) share.
 */
#ifndef CVISOR_FS_TMPFS_H
#define CVISOR_FS_TMPFS_H

#include <stdbool.h>
#include <sys/queue.h>

#include "sentry/vfs/vfs.h"

#define TMPFS_MAGIC 0x01021994
#define TMPFS_BOGO_DIRENT_SIZE 20 /* a directory's st_size per entry */
#define TMPFS_SHORT_SYMLINK_LEN 128

/* Linux's shmem: every inode takes this much of an instance's "ispace"
 * (nr_inodes KiB), and user.* xattrs take their size from it too. */
#define TMPFS_BOGO_INODE_SIZE 1024
/* Sentry memory all xattrs of one instance may hold when nr_inodes does
 * not limit them: they live in the Sentry's heap, not the memory file. */
#define TMPFS_XATTR_HEAP_MAX (64ULL << 20)

/* An instance's limits and usage (superblock priv): size= in pages and
 * nr_inodes= (0: unlimited), what is used, and the xattr space. */
struct tmpfs_sb {
	uint64_t max_blocks, used_blocks;
	uint64_t max_inodes, used_inodes;
	uint64_t free_ispace; /* bytes; meaningful when max_inodes != 0 */
	uint64_t xattr_bytes; /* every xattr held, against the heap cap */
};

/* One extended attribute of an inode (a list sorted by name). */
struct tmpfs_xattr {
	struct tmpfs_xattr *next;
	size_t size;
	char *value;
	char name[];
};

struct tmpfs_dirent {
	TAILQ_ENTRY(tmpfs_dirent) link;
	uint64_t cookie;     /* getdents offset of this entry */
	struct inode *inode; /* referenced */
	char name[];
};

/* A regular file's data: the page cache in the memory file, and which
 * pages were ever written (st_blocks, SEEK_DATA/SEEK_HOLE). It belongs to
 * the mappable (a mapping may outlive the inode). */
struct tmpfs_data {
	struct mappable *m;
	uint64_t size;
	uint64_t *pages;      /* bitmap of written pages */
	uint64_t npages_bits; /* bits in `pages` */
	uint64_t nwritten;    /* bits set */
	struct tmpfs_sb *acct; /* where written pages count; NULL once the
				  inode is gone (a mapping may outlive it) */
};

struct tmpfs_node {
	/* Directories. */
	TAILQ_HEAD(, tmpfs_dirent) entries;
	uint64_t next_cookie;
	unsigned nentries;
	/* Regular files. */
	struct tmpfs_data *data;
	uint32_t seals; /* LINUX_F_SEAL_* (memfd.c) */
	/* Symlinks. */
	char *target;
	/* As an overlay's upper layer (tmpfs_ovl.h): a directory that hides
	 * the lower layer's, and the overlay inode number of the lower file
	 * this one was copied up from (0: none). */
	bool opaque;
	uint64_t origin;
	/* Every kind of file. */
	struct tmpfs_xattr *xattrs;
};

extern const struct inode_ops tmpfs_file_iops;
extern const struct file_ops tmpfs_file_fops;

/* tmpfs_file.c */
int tmpfs_data_new(struct inode *);
void tmpfs_data_put(struct tmpfs_data *);
int tmpfs_data_truncate(struct inode *, uint64_t size);
uint64_t tmpfs_data_blocks(const struct tmpfs_data *);

/* tmpfs_xattr.c: the xattr inode ops of every tmpfs inode, and the
 * attributes freed with it. */
long tmpfs_getxattr(struct inode *, const char *name, void *buf, size_t size);
int tmpfs_setxattr(struct inode *, const char *name, const void *value,
		   size_t size, int flags);
long tmpfs_listxattr(struct inode *, char *buf, size_t size);
int tmpfs_removexattr(struct inode *, const char *name);
void tmpfs_xattr_free(struct inode *);

/* The instance's accounting (NULL for none). */
static inline struct tmpfs_sb *tmpfs_sbi(const struct superblock *sb)
{
	return sb->priv;
}

/* tmpfs_mount.c: the default size, in pages, of an instance without
 * size= (half of the sandbox's memory). */
uint64_t tmpfs_default_pages(void);

/* tmpfs.c: a new inode of any type in a tmpfs superblock. */
struct inode *tmpfs_inode_new(struct superblock *, uint32_t mode,
			      const struct creds *, const struct inode *dir);

#endif
