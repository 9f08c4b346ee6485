/* SPDX-License-Identifier: Apache-2.0 */
/*
 * internal.h: what the files of sentry/vfs share and nobody else uses.
 */
#ifndef CVISOR_VFS_INTERNAL_H
#define CVISOR_VFS_INTERNAL_H

#include "gen/linux_flags.h"
#include "sentry/vfs/vfs.h"

struct creds;

/* dentry.c: the dentry cache. */
/* A new cached dentry `name` under parent for inode (reference taken
 * over), one reference for the caller. */
int d_alloc(struct dentry *parent, const char *name, struct inode *,
	    struct dentry **out);
/* A root dentry for a superblock or a pseudo file (parent == self). */
int d_alloc_root(struct superblock *, struct inode *, const char *name,
		 unsigned flags, struct dentry **out);
/* The cached child `name` of parent, referenced, or NULL. */
struct dentry *d_lookup(struct dentry *parent, const char *name);
/* Unhash a dentry (its name no longer leads to it); with `deleted`, it
 * also shows " (deleted)" in paths. */
void d_drop(struct dentry *, bool deleted);
/* Move a dentry to a new parent and name (rename). */
int d_move(struct dentry *, struct dentry *newparent, const char *newname);
/* Swap the names and parents of two hashed dentries (RENAME_EXCHANGE). */
void d_exchange(struct dentry *a, struct dentry *b);
/* Drop every unused cached dentry of sb (unmount). */
void d_shrink_sb(struct superblock *);
/* Is d hashed (reachable by its name)? */
bool d_hashed(const struct dentry *);

/* namei.c */
const struct creds *vfs_task_creds(struct task *);
/* Resolve from an explicit start (setup code without a task). */
int vfs_lookup_from(const struct path *root, const struct path *start,
		    const struct creds *, struct task *, const char *path,
		    int flags, struct path *out);
/* The child dentry `name` of a directory (cache, revalidation, then the
 * fs's lookup), referenced, without crossing a mount on it. */
int vfs_lookup_one(const struct path *dir, const char *name,
		   struct dentry **out);
/* The fs lookup of one name in a directory path, with the dcache and
 * mount crossing; no permission check. */
int vfs_walk_one(const struct path *dir, const char *name, struct path *out);
/* A directory path cross-down: if something is mounted on p, replace p by
 * the mounted root (repeatedly). */
void vfs_follow_mounts(struct path *p);

/* Resolve the target of a final symlink met by an O_CREAT open as a new
 * parent lookup from `dir` (whose reference is taken over and replaced),
 * counting links in *links, with the walk's LOOKUP_* restrictions and
 * root (NULL: the task's). */
int vfs_follow_create_link(struct task *, struct path *dir, struct inode *link,
			   struct lookup_last *last, int *links, int flags,
			   const struct path *root);
/* Whether a walk with these LOOKUP_* flags may follow a magic link from
 * mount `from` to `to`: 0, -ELOOP or -EXDEV (nd_jump_link's checks). */
int vfs_may_jump_link(int flags, const struct mount *from,
		      const struct path *to);
/* The root a lookup with these flags resolves "/" and ".." against: the
 * task's, or for a scoped lookup its starting directory (referenced). */
int vfs_lookup_root(struct task *, int dirfd, const char *path, int flags,
		    struct path *root);

/* O_TRUNC of an open: size 0, times now. */
int vfs_truncate_open(struct task *, const struct path *);

/* The root creds used by setup code (all capabilities). */
extern const struct creds vfs_root_creds;

#endif
