/* SPDX-License-Identifier: Apache-2.0 */
/*
 * overlay.h: the overlay filesystem, the sandbox's root: a read-only lower
 * layer (the Gofer's tree) under a writable upper layer in the memory file
 * (a tmpfs instance), so the sandbox writes anywhere and the host's files
 * never change. See overlay_int.h for how it works.
 */
#ifndef CVISOR_FS_OVERLAY_H
#define CVISOR_FS_OVERLAY_H

struct superblock;

#define OVERLAYFS_SUPER_MAGIC 0x794c7630

/*
 * A new overlay of `upper` (a tmpfs instance, normally fresh and empty:
 * every change goes there) over `lower` (never written: any filesystem).
 * The overlay takes its own references to both; one reference to the new
 * instance for the caller. -EINVAL when upper is no tmpfs.
 */
int overlay_new(struct superblock *upper, struct superblock *lower,
		struct superblock **out);

#endif
