/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fsnotify.h: filesystem event notification (include/linux/fsnotify.h).
 *
 * The VFS core calls the hooks below after each operation succeeds, so
 * every filesystem (tmpfs, the Gofer's, procfs) reports events without
 * doing anything. A hook finds the marks on the inodes concerned and
 * hands each an event; marks belong to a backend (inotify, the only one:
 * fanotify is refused). Events use the inotify bits (IN_*, which are
 * Linux's FS_* bits), with IN_ISDIR when the subject is a directory.
 *
 * File events (access, modify, attrib, open, close) go to the watchers of
 * the file, and, with the file's name, to the watchers of its directory;
 * name events (create, delete, moves) to the watchers of the directory;
 * self events (delete_self, move_self, unmount) to the file's watchers.
 * With no mark anywhere, every hook returns at once.
 */
#ifndef CVISOR_VFS_FSNOTIFY_H
#define CVISOR_VFS_FSNOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>

struct dentry;
struct file;
struct inode;
struct superblock;
struct fsnotify_mark;

/* A backend's side of its marks. */
struct fsnotify_ops {
	/* An event the mark asked for: mask (one IN_* event, maybe with
	 * IN_ISDIR), the name of the child concerned or NULL, the cookie
	 * that pairs IN_MOVED_FROM with IN_MOVED_TO (0 otherwise). */
	void (*event)(struct fsnotify_mark *, uint32_t mask, const char *name,
		      uint32_t cookie);
	/* The mark's inode is gone for good (deleted, unmounted): the mark
	 * has been removed; the backend says so (IN_IGNORED) and frees it. */
	void (*freed)(struct fsnotify_mark *);
};

/* fsnotify_mark.flags */
#define FSNOTIFY_MARK_EXCL_UNLINK 0x1u /* none for unlinked children */

/* A watch on one inode, embedded in the backend's own struct. */
struct fsnotify_mark {
	LIST_ENTRY(fsnotify_mark) link;
	struct inode *inode; /* referenced while the mark is on it */
	const struct fsnotify_ops *ops;
	void *group;   /* the backend's instance, for fsnotify_find_mark */
	uint32_t mask; /* IN_* events wanted */
	unsigned flags;
};

/* Put the mark (ops, group, mask, flags set) on the inode, taking an
 * inode reference; fsnotify_remove_mark undoes both. */
void fsnotify_add_mark(struct fsnotify_mark *, struct inode *);
void fsnotify_remove_mark(struct fsnotify_mark *);
/* The mark of `group` on the inode, or NULL. */
struct fsnotify_mark *fsnotify_find_mark(struct inode *, void *group);

/* Hooks of the VFS core. */
void fsnotify_access(struct file *);
void fsnotify_modify(struct file *);
void fsnotify_open(struct file *);
void fsnotify_close(struct file *);
/* Attributes changed (notify_change): ATTR_* bits of struct iattr. */
void fsnotify_change(struct dentry *, unsigned ia_valid);
/* An extended attribute was set or removed (IN_ATTRIB). */
void fsnotify_xattr(struct dentry *);
/* The link count changed (unlink, link, a rename's victim). */
void fsnotify_link_count(struct inode *);
/* `name` appeared in dir (create, mkdir, mknod, symlink, link). */
void fsnotify_create(struct inode *dir, const char *name, struct inode *);
/* `name` left dir (unlink, rmdir). */
void fsnotify_delete(struct inode *dir, const char *name, bool isdir);
/* odir/oname is now ndir/nname; `target` was replaced (or NULL). */
void fsnotify_move(struct inode *odir, const char *oname, struct inode *ndir,
		   const char *nname, struct inode *moved,
		   struct inode *target);
/* The last dentry of an inode with no links goes: IN_DELETE_SELF, and
 * every mark on it goes. */
void fsnotify_inoderemove(struct inode *);
/* The superblock's last mount goes: IN_UNMOUNT, and its marks go. */
void fsnotify_unmount(struct superblock *);

#endif
