/* SPDX-License-Identifier: Apache-2.0 */
/*
 * goferfs.h: the filesystem whose files the Gofer serves (the container's
 * root, later its bind mounts), read-only for now.
 */
#ifndef CVISOR_FS_GOFERFS_H
#define CVISOR_FS_GOFERFS_H

struct gofer_client;
struct superblock;

#define V9FS_MAGIC 0x01021997 /* statfs f_type, as gVisor reports it */

/*
 * A new instance of the tree served on `c` (attached now): one reference
 * for the caller. The client is not owned and must outlive the
 * superblock (its inodes close their Gofer nodes when evicted).
 */
int goferfs_new(struct gofer_client *c, struct superblock **out);

#endif
