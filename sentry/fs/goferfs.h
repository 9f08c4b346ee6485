/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs.h: the filesystem whose files a Gofer serves: the container's
 * root (read-only, the overlay's lower layer) and host directories
 * mounted in the sandbox (read-only or writable).
 */
#ifndef CVISOR_FS_GOFERFS_H
#define CVISOR_FS_GOFERFS_H

struct gofer_client;
struct superblock;

#define V9FS_MAGIC 0x01021997 /* statfs f_type, as gVisor reports it */

/* goferfs_new flags: the Gofer serves the tree writable (runsc gofer
 * --rw), so this instance writes through to the host; without it the
 * instance is read-only (SB_RDONLY) whatever the Gofer would allow. */
#define GOFERFS_WRITABLE 0x1u

/*
 * A new instance of the tree served on `c` (attached now): one reference
 * for the caller. The client is not owned and must outlive the
 * superblock (its inodes close their Gofer nodes when evicted).
 */
int goferfs_new(struct gofer_client *c, unsigned flags,
		struct superblock **out);

#endif
