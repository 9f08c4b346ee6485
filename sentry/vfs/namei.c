/* SPDX-License-Identifier: Apache-2.0 */
/*
 * namei.c: path resolution, as Linux's fs/namei.c does it.
 *
 * Components are walked one at a time from a start path (the task's root
 * for an absolute path, the cwd or a dirfd otherwise). Each directory
 * needs search permission; "." stays, ".." goes up but never above the
 * task's root and climbs out of a mount to its mountpoint; a name that is
 * a mountpoint crosses into what is mounted there. Symlinks are expanded
 * textually (their target followed by the rest of the path), at most 40 per
 * resolution: a guest that builds loops gets ELOOP, not a Sentry that
 * spins. Magic links (procfs fd/N, cwd, exe) jump to a path instead.
 *
 * openat2's RESOLVE_* flags restrict a walk (LOOKUP_NO_XDEV,
 * LOOKUP_NO_MAGICLINKS, LOOKUP_NO_SYMLINKS, LOOKUP_BENEATH,
 * LOOKUP_IN_ROOT), with the errors of Linux's nd_jump_root,
 * nd_jump_link and follow_dotdot: the scoped lookups take the starting
 * directory as their root, BENEATH refusing (EXDEV) what would leave it,
 * IN_ROOT treating it as "/".
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/task.h"
#include "sentry/vfs/internal.h"

#define MAXSYMLINKS 40

/* The state of one resolution. */
struct nd {
	struct task *t;
	const struct creds *creds;
	struct path root; /* referenced */
	struct path cur;  /* referenced */
	int links;	  /* symlinks followed so far */
	int flags;	  /* LOOKUP_* */
	bool final_slash; /* the last component had a trailing '/' */
};

const struct creds *vfs_task_creds(struct task *t)
{
	return t && t->creds ? t->creds : &vfs_root_creds;
}

void vfs_follow_mounts(struct path *p)
{
	struct mount *m;

	while ((m = vfs_mount_lookup(p->mnt, p->dentry))) {
		struct path next = {m, m->root};

		path_get(&next);
		path_put(p);
		*p = next;
	}
}

int vfs_lookup_one(const struct path *dir, const char *name,
		   struct dentry **out)
{
	struct dentry *parent = dir->dentry, *d;
	struct inode *di = parent->inode, *i;
	int err;

	d = d_lookup(parent, name);
	if (d && parent->sb->ops && parent->sb->ops->revalidate) {
		err = parent->sb->ops->revalidate(d);
		if (err <= 0) {
			d_drop(d, false);
			dput(d);
			d = NULL;
			if (err < 0)
				return err;
		}
	}
	if (!d) {
		if (!di->ops || !di->ops->lookup)
			return -ENOENT;
		err = di->ops->lookup(di, name, &i);
		if (err)
			return err;
		/* A filesystem that dropped the kernel lock for a round trip
		 * may race another lookup of the same name: keep the first. */
		d = d_lookup(parent, name);
		if (d) {
			inode_put(i);
		} else {
			err = d_alloc(parent, name, i, &d);
			if (err) {
				inode_put(i);
				return err;
			}
		}
	}
	*out = d;
	return 0;
}

int vfs_walk_one(const struct path *dir, const char *name, struct path *out)
{
	struct dentry *d;
	int err = vfs_lookup_one(dir, name, &d);

	if (err)
		return err;
	out->mnt = dir->mnt;
	mnt_get(out->mnt);
	out->dentry = d;
	vfs_follow_mounts(out);
	return 0;
}

static void set_cur(struct nd *nd, const struct path *p)
{
	struct path n = *p;

	path_get(&n);
	path_put(&nd->cur);
	nd->cur = n;
}

/* "..": up one level, staying at the task's root, leaving mounts by their
 * mountpoints, and entering whatever is mounted on the result; EXDEV
 * where RESOLVE_BENEATH or RESOLVE_NO_XDEV forbid it. */
static int follow_dotdot(struct nd *nd)
{
	for (;;) {
		struct path up;

		if (path_equal(&nd->cur, &nd->root))
			return (nd->flags & LOOKUP_BENEATH) ? -EXDEV : 0;
		if (nd->cur.dentry != nd->cur.mnt->root &&
		    !(nd->cur.dentry->flags & DENTRY_ROOT)) {
			up.mnt = nd->cur.mnt;
			up.dentry = nd->cur.dentry->parent;
			path_get(&up);
			path_put(&nd->cur);
			nd->cur = up;
			break;
		}
		if (!nd->cur.mnt->parent)
			return 0; /* the sandbox root (a task chrooted below
				     cannot get here: its root stops us) */
		if (nd->flags & LOOKUP_NO_XDEV)
			return -EXDEV;
		up.mnt = nd->cur.mnt->parent;
		up.dentry = nd->cur.mnt->mountpoint;
		path_get(&up);
		path_put(&nd->cur);
		nd->cur = up;
	}
	if ((nd->flags & LOOKUP_NO_XDEV) &&
	    vfs_mount_lookup(nd->cur.mnt, nd->cur.dentry))
		return -EXDEV;
	vfs_follow_mounts(&nd->cur);
	return 0;
}

/* An absolute path or symlink goes back to the root (nd_jump_root):
 * never for RESOLVE_BENEATH, nor to another mount for RESOLVE_NO_XDEV
 * (a path argument that starts with "/" is allowed). */
static int jump_root(struct nd *nd, bool argument)
{
	if (nd->flags & LOOKUP_BENEATH)
		return -EXDEV;
	if ((nd->flags & LOOKUP_NO_XDEV) && !argument &&
	    nd->cur.mnt != nd->root.mnt)
		return -EXDEV;
	set_cur(nd, &nd->root);
	return 0;
}

/* A magic link's jump (nd_jump_link): refused by RESOLVE_NO_MAGICLINKS,
 * by RESOLVE_NO_XDEV to another mount, and by the scoped lookups, whose
 * root it could leave. */
int vfs_may_jump_link(int flags, const struct mount *from,
		      const struct path *to)
{
	if (flags & LOOKUP_NO_MAGICLINKS)
		return -ELOOP;
	if ((flags & LOOKUP_NO_XDEV) && to->mnt != from)
		return -EXDEV;
	if (flags & LOOKUP_SCOPED)
		return -EXDEV;
	return 0;
}

/* Read a symlink's target into a new string followed by `rest`. */
static int expand_link(struct inode *i, const char *rest, char **out)
{
	char *buf = malloc(LINUX_PATH_MAX + strlen(rest) + 1);
	long len;

	if (!buf)
		return -ENOMEM;
	len = i->ops && i->ops->readlink
		      ? i->ops->readlink(i, buf, LINUX_PATH_MAX)
		      : -EINVAL;
	if (len < 0 || len >= LINUX_PATH_MAX) {
		free(buf);
		return len < 0 ? (int)len : -ENAMETOOLONG;
	}
	if (len == 0) {
		free(buf);
		return -ENOENT;
	}
	strcpy(buf + len, rest);
	*out = buf;
	return 0;
}

/*
 * Walk `path` from nd->cur. With `last`, stop before the final component
 * and describe it there instead (nothing about it is checked).
 */
static int walk(struct nd *nd, const char *path, struct lookup_last *last)
{
	char *owned = NULL;
	const char *p = path;
	int err = 0;

	nd->final_slash = false;
	if (*p == '/') {
		err = jump_root(nd, true);
		if (err)
			return err;
	}
	for (;;) {
		char name[LINUX_NAME_MAX + 1];
		const char *after, *q;
		struct inode *ci, *di;
		struct path child;
		size_t n;
		bool is_last, slash;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		n = strcspn(p, "/");
		after = p + n;
		for (q = after; *q == '/'; q++)
			;
		is_last = !*q;
		slash = is_last && *after == '/';
		if (n > LINUX_NAME_MAX) {
			err = -ENAMETOOLONG;
			break;
		}
		memcpy(name, p, n);
		name[n] = 0;

		di = nd->cur.dentry->inode;
		if (!LINUX_S_ISDIR(di->mode)) {
			err = -ENOTDIR;
			break;
		}
		err = vfs_permission(NULL, di, MAY_EXEC, nd->creds);
		if (err)
			break;
		if (is_last)
			nd->final_slash = slash;
		if (is_last && last) {
			memcpy(last->name, name, n + 1);
			last->trailing_slash = slash;
			last->type = !strcmp(name, ".")	   ? LAST_DOT
				     : !strcmp(name, "..") ? LAST_DOTDOT
							   : LAST_NORM;
			free(owned);
			return 0;
		}
		p = after;
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			err = follow_dotdot(nd);
			if (err)
				break;
			continue;
		}
		err = vfs_walk_one(&nd->cur, name, &child);
		if (err)
			break;
		if ((nd->flags & LOOKUP_NO_XDEV) && child.mnt != nd->cur.mnt) {
			path_put(&child);
			err = -EXDEV;
			break;
		}
		ci = child.dentry->inode;
		if (LINUX_S_ISLNK(ci->mode) &&
		    (!is_last || (nd->flags & LOOKUP_FOLLOW) || slash)) {
			char *expanded;

			if ((nd->flags & LOOKUP_NO_SYMLINKS) ||
			    ++nd->links > MAXSYMLINKS) {
				path_put(&child);
				err = -ELOOP;
				break;
			}
			if (ci->ops && ci->ops->follow &&
			    !(nd->flags & LOOKUP_NO_MAGIC)) {
				struct path jump;

				err = ci->ops->follow(ci, nd->t, &jump);
				path_put(&child);
				if (!err) {
					err = vfs_may_jump_link(
						nd->flags, nd->cur.mnt, &jump);
					if (err)
						path_put(&jump);
				}
				if (err)
					break;
				path_put(&nd->cur);
				nd->cur = jump;
				continue;
			}
			err = expand_link(ci, after, &expanded);
			path_put(&child);
			if (err)
				break;
			free(owned);
			owned = expanded;
			p = owned;
			if (*p == '/') {
				err = jump_root(nd, false);
				if (err)
					break;
			}
			continue;
		}
		path_put(&nd->cur);
		nd->cur = child;
	}
	free(owned);
	if (err)
		return err;
	if (last) {
		/* No component at all: "/" (or only slashes). */
		last->name[0] = 0;
		last->type = LAST_ROOT;
		last->trailing_slash = false;
		return 0;
	}
	if ((nd->final_slash || (nd->flags & LOOKUP_DIRECTORY)) &&
	    !LINUX_S_ISDIR(nd->cur.dentry->inode->mode))
		return -ENOTDIR;
	return 0;
}

/* Set up nd for a task's lookup: root, start directory (cwd or dirfd). */
static int nd_init(struct nd *nd, struct task *t, int dirfd, const char *path,
		   int flags)
{
	memset(nd, 0, sizeof(*nd));
	nd->t = t;
	nd->creds = vfs_task_creds(t);
	nd->flags = flags;
	if (!t || !t->fs)
		return -EINVAL;
	if (!*path && !(flags & LOOKUP_EMPTY_PATH))
		return -ENOENT;
	if (*path == '/' && !(flags & LOOKUP_SCOPED)) {
		nd->cur = t->fs->root;
		path_get(&nd->cur);
	} else if (dirfd == LINUX_AT_FDCWD) {
		nd->cur = t->fs->cwd;
		path_get(&nd->cur);
	} else {
		struct file *f = fd_get(t, dirfd);

		if (!f)
			return -EBADF;
		if (*path && !LINUX_S_ISDIR(f->inode->mode)) {
			file_put(f);
			return -ENOTDIR;
		}
		nd->cur = f->path;
		path_get(&nd->cur);
		file_put(f);
	}
	/* A scoped lookup's root is where it starts. */
	nd->root = (flags & LOOKUP_SCOPED) ? nd->cur : t->fs->root;
	path_get(&nd->root);
	return 0;
}

static void nd_done(struct nd *nd)
{
	path_put(&nd->cur);
	path_put(&nd->root);
}

int vfs_lookup(struct task *t, int dirfd, const char *path, int flags,
	       struct path *out)
{
	struct nd nd;
	int err = nd_init(&nd, t, dirfd, path, flags);

	if (!err)
		err = walk(&nd, path, NULL);
	if (!err) {
		*out = nd.cur;
		nd.cur.mnt = NULL;
		nd.cur.dentry = NULL;
	}
	nd_done(&nd);
	return err;
}

int vfs_lookup_from(const struct path *root, const struct path *start,
		    const struct creds *creds, struct task *t, const char *path,
		    int flags, struct path *out)
{
	struct nd nd = {.t = t, .creds = creds, .flags = flags};
	int err;

	if (!*path && !(flags & LOOKUP_EMPTY_PATH))
		return -ENOENT;
	nd.root = *root;
	path_get(&nd.root);
	nd.cur = *start;
	path_get(&nd.cur);
	err = walk(&nd, path, NULL);
	if (!err) {
		*out = nd.cur;
		nd.cur.mnt = NULL;
		nd.cur.dentry = NULL;
	}
	nd_done(&nd);
	return err;
}

int vfs_lookup_parent(struct task *t, int dirfd, const char *path, int flags,
		      struct path *parent, struct lookup_last *last)
{
	struct nd nd;
	int err = nd_init(&nd, t, dirfd, path, flags & ~LOOKUP_EMPTY_PATH);

	if (!err)
		err = walk(&nd, path, last);
	if (!err) {
		*parent = nd.cur;
		nd.cur.mnt = NULL;
		nd.cur.dentry = NULL;
	}
	nd_done(&nd);
	return err;
}

int vfs_lookup_child(struct task *t, const struct path *dir, const char *name,
		     struct path *out)
{
	(void)t;
	return vfs_walk_one(dir, name, out);
}

/*
 * Follow a final symlink of an O_CREAT open: resolve the link's target as a
 * new parent lookup from the link's directory, counting links as one
 * resolution. Used by open.c; *links carries the count.
 */
int vfs_lookup_root(struct task *t, int dirfd, const char *path, int flags,
		    struct path *root)
{
	struct nd nd;
	int err = nd_init(&nd, t, dirfd, path, flags);

	if (!err) {
		*root = nd.root;
		path_get(root);
	}
	nd_done(&nd);
	return err;
}

int vfs_follow_create_link(struct task *t, struct path *dir, struct inode *link,
			   struct lookup_last *last, int *links, int flags,
			   const struct path *root)
{
	struct nd nd = {.t = t, .creds = vfs_task_creds(t), .flags = flags};
	char *target;
	int err;

	if ((flags & LOOKUP_NO_SYMLINKS) || ++*links > MAXSYMLINKS)
		return -ELOOP;
	err = expand_link(link, "", &target);
	if (err)
		return err;
	nd.links = *links;
	nd.root = root ? *root : t->fs->root;
	path_get(&nd.root);
	nd.cur = *dir; /* takes over the caller's reference */
	dir->mnt = NULL;
	dir->dentry = NULL;
	err = walk(&nd, target, last);
	free(target);
	*links = nd.links;
	if (!err) {
		*dir = nd.cur;
		nd.cur.mnt = NULL;
		nd.cur.dentry = NULL;
	}
	nd_done(&nd);
	return err;
}
