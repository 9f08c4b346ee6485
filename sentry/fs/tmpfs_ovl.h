/* SPDX-License-Identifier: Apache-2.0 */
/*
 * tmpfs_ovl.h: what an overlay (sentry/fs/overlay*.c) keeps on a tmpfs
 * instance it uses as its upper layer.
 *
 * Linux's overlayfs keeps this state in trusted.overlay.* xattrs of the
 * upper files (opaque, origin) and marks deletions with whiteouts, 0/0
 * character devices. The whiteouts are the same here (plain tmpfs nodes);
 * the two xattrs are fields of the tmpfs inode, which has no xattrs yet.
 * They belong to the upper inode, so they move with it across renames and
 * are shared by its hard links, as xattrs would be.
 */
#ifndef CVISOR_FS_TMPFS_OVL_H
#define CVISOR_FS_TMPFS_OVL_H

#include <stdbool.h>
#include <stdint.h>

struct inode;
struct superblock;

/* Whether sb is a tmpfs instance (an overlay's upper must be). */
bool tmpfs_is_tmpfs(const struct superblock *);

/* An opaque upper directory hides the lower directory of its name
 * (rmdir then mkdir, a directory renamed over a lower name). */
void tmpfs_ovl_set_opaque(struct inode *dir, bool opaque);
bool tmpfs_ovl_opaque(const struct inode *dir);

/* The overlay inode number of the lower file an upper one was copied up
 * from, so st_ino does not change at copy-up; 0 when none. */
void tmpfs_ovl_set_origin(struct inode *, uint64_t ino);
uint64_t tmpfs_ovl_origin(const struct inode *);

/*
 * Call fn(arg, name, inode) for each entry of a tmpfs directory in
 * creation order, without references taken (fn must not change the
 * directory); stop at the first non-zero result and return it.
 */
int tmpfs_ovl_foreach(struct inode *dir,
		      int (*fn)(void *arg, const char *name, struct inode *),
		      void *arg);

#endif
