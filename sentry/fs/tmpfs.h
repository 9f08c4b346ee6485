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
};

extern const struct inode_ops tmpfs_file_iops;
extern const struct file_ops tmpfs_file_fops;

/* tmpfs_file.c */
int tmpfs_data_new(struct inode *);
void tmpfs_data_put(struct tmpfs_data *);
int tmpfs_data_truncate(struct inode *, uint64_t size);
uint64_t tmpfs_data_blocks(const struct tmpfs_data *);

/* tmpfs.c: a new inode of any type in a tmpfs superblock. */
struct inode *tmpfs_inode_new(struct superblock *, uint32_t mode,
			      const struct creds *, const struct inode *dir);

#endif
