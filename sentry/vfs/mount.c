/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mount.c: the mount tree, paths, filesystem types and character device
 * registration.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/task.h"
#include "sentry/vfs/fsnotify.h"
#include "sentry/vfs/internal.h"

static TAILQ_HEAD(, mount) mount_table = TAILQ_HEAD_INITIALIZER(mount_table);
static int next_mount_id = 1;
static LIST_HEAD(, fs_type) fs_types = LIST_HEAD_INITIALIZER(fs_types);

#define MAX_CHRDEVS 64
static const struct chrdev *chrdevs[MAX_CHRDEVS];

void mnt_get(struct mount *m)
{
	m->refs++;
}

/* A mount is freed only once detached (vfs_umount) and unreferenced. */
void mnt_put(struct mount *m)
{
	if (!m || --m->refs)
		return;
	dput(m->root);
	superblock_put(m->sb);
	free(m->source);
	free(m);
}

void path_get(const struct path *p)
{
	if (p->mnt)
		mnt_get(p->mnt);
	if (p->dentry)
		dget(p->dentry);
}

void path_put(struct path *p)
{
	struct dentry *d = p->dentry;
	struct mount *m = p->mnt;

	p->dentry = NULL;
	p->mnt = NULL;
	if (d)
		dput(d);
	if (m)
		mnt_put(m);
}

bool path_equal(const struct path *a, const struct path *b)
{
	return a->mnt == b->mnt && a->dentry == b->dentry;
}

/* A mount of sb (referenced by the caller) with its root dentry, or
 * `root` (a bind mount of a directory inside it). */
static int mount_alloc_at(struct superblock *sb, struct dentry *root,
			  unsigned flags, const char *source,
			  struct mount **out)
{
	struct mount *m = calloc(1, sizeof(*m));

	if (!m)
		return -ENOMEM;
	m->source = strdup(source ? source : "none");
	if (!m->source) {
		free(m);
		return -ENOMEM;
	}
	m->refs = 1;
	m->id = next_mount_id++;
	m->flags = flags;
	m->sb = sb;
	superblock_get(sb);
	m->root = root;
	dget(m->root);
	LIST_INIT(&m->children);
	*out = m;
	return 0;
}

static int mount_alloc(struct superblock *sb, unsigned flags,
		       const char *source, struct mount **out)
{
	return mount_alloc_at(sb, sb->root, flags, source, out);
}

/* Graft m on (parent, mp): it holds parent and mp; a later mount on the
 * same dentry hides an earlier one, as in Linux (newest first). */
static void mnt_attach(struct mount *m, struct mount *parent, struct dentry *mp)
{
	m->parent = parent;
	mnt_get(parent);
	m->mountpoint = mp;
	dget(mp);
	mp->mounted++;
	LIST_INSERT_HEAD(&parent->children, m, child_link);
}

/* Take m off its mountpoint (it keeps its own references). */
static void mnt_detach(struct mount *m)
{
	LIST_REMOVE(m, child_link);
	m->mountpoint->mounted--;
	dput(m->mountpoint);
	m->mountpoint = NULL;
	mnt_put(m->parent);
	m->parent = NULL;
}

int vfs_mount_root(struct superblock *sb, unsigned flags, const char *source)
{
	struct mount *m;
	int err;

	if (!sb->root || !LINUX_S_ISDIR(sb->root->inode->mode))
		return -ENOTDIR;
	err = mount_alloc(sb, flags, source, &m);
	if (err)
		return err;
	if (kernel->root_mount) {
		/* Replacing the root: keep the old one alive for whoever
		 * still uses it, but out of the table. */
		TAILQ_REMOVE(&mount_table, kernel->root_mount, all_link);
		mnt_put(kernel->root_mount);
	}
	TAILQ_INSERT_HEAD(&mount_table, m, all_link);
	kernel->root_mount = m;
	return 0;
}

int vfs_mount(struct superblock *sb, const struct path *mp, unsigned flags,
	      const char *source, struct mount **out)
{
	struct mount *m;
	int err;

	/* A directory on a directory, or a one-file filesystem (a bind of
	 * a host file) on a file, as a bind mount may be. */
	if (LINUX_S_ISDIR(mp->dentry->inode->mode) !=
	    LINUX_S_ISDIR(sb->root->inode->mode))
		return -ENOTDIR;
	if ((mp->dentry->flags & DENTRY_DELETED) ||
	    (!d_hashed(mp->dentry) && !(mp->dentry->flags & DENTRY_ROOT)))
		return -ENOENT;
	if (!mp->mnt || (mp->mnt->flags & MNT_INTERNAL))
		return -EINVAL;
	err = mount_alloc(sb, flags, source, &m);
	if (err)
		return err;
	mnt_attach(m, mp->mnt, mp->dentry);
	TAILQ_INSERT_TAIL(&mount_table, m, all_link);
	if (out)
		*out = m;
	return 0;
}

int vfs_mount_at(const char *abspath, struct superblock *sb, unsigned flags,
		 const char *source)
{
	struct path root = {kernel->root_mount,
			    kernel->root_mount ? kernel->root_mount->root
					       : NULL};
	struct path mp;
	int err;

	if (!root.mnt || abspath[0] != '/')
		return -EINVAL;
	err = vfs_lookup_from(&root, &root, &vfs_root_creds, NULL, abspath,
			      LOOKUP_FOLLOW |
				      (LINUX_S_ISDIR(sb->root->inode->mode)
					       ? LOOKUP_DIRECTORY
					       : 0),
			      &mp);
	if (err)
		return err;
	err = vfs_mount(sb, &mp, flags, source, NULL);
	path_put(&mp);
	return err;
}

/* Is sb still mounted somewhere (a bind mount keeps it alive)? */
static bool sb_mounted(const struct superblock *sb)
{
	struct mount *o;

	TAILQ_FOREACH(o, &mount_table, all_link)
		if (o->sb == sb)
			return true;
	return false;
}

/* Detach one mount with nothing below it; the tree's reference goes. */
static void umount_one(struct mount *m)
{
	TAILQ_REMOVE(&mount_table, m, all_link);
	if (!sb_mounted(m->sb))
		fsnotify_unmount(m->sb);
	mnt_detach(m);
	mnt_put(m);
}

int vfs_umount(struct mount *m)
{
	if (!LIST_EMPTY(&m->children))
		return -EBUSY;
	if (!m->parent)
		return -EINVAL;
	umount_one(m);
	return 0;
}

void vfs_umount_tree(struct mount *m)
{
	struct mount *c;

	while ((c = LIST_FIRST(&m->children)))
		vfs_umount_tree(c);
	if (m->parent)
		umount_one(m);
}

bool vfs_mount_busy(const struct mount *m)
{
	/* The tree's reference and the caller's path. */
	return m->refs > 2 || !LIST_EMPTY(&m->children);
}

/* Is d at or below `top` in its superblock's tree? */
static bool dentry_under(const struct dentry *d, const struct dentry *top)
{
	for (;;) {
		if (d == top)
			return true;
		if ((d->flags & DENTRY_ROOT) || d->parent == d)
			return false;
		d = d->parent;
	}
}

/* Undo clone_tree: a tree not yet in the table. */
static void free_tree(struct mount *m)
{
	struct mount *c;

	while ((c = LIST_FIRST(&m->children))) {
		free_tree(c);
		mnt_detach(c);
		mnt_put(c);
	}
	if (!m->parent)
		mnt_put(m);
}

/* Copy of src (rooted at `root`, flags and source kept) and, with
 * `recursive`, of the mounts below that root, attached to the copy but
 * not yet to anything else or to the table: a tree bound onto a place
 * inside itself cannot meet its own copy. */
static int clone_tree(struct mount *src, struct dentry *root, bool recursive,
		      struct mount **out)
{
	struct mount *m, *c;
	int err = mount_alloc_at(src->sb, root, src->flags, src->source, &m);

	if (err)
		return err;
	if (recursive) {
		LIST_FOREACH(c, &src->children, child_link)
		{
			struct mount *cc;

			if (!dentry_under(c->mountpoint, root))
				continue;
			err = clone_tree(c, c->root, true, &cc);
			if (err) {
				free_tree(m);
				return err;
			}
			mnt_attach(cc, m, c->mountpoint);
		}
	}
	*out = m;
	return 0;
}

/* Put a new tree in the mount table, parents before children. */
static void table_insert(struct mount *m)
{
	struct mount *c;

	TAILQ_INSERT_TAIL(&mount_table, m, all_link);
	LIST_FOREACH(c, &m->children, child_link)
	table_insert(c);
}

int vfs_bind_mount(const struct path *src, const struct path *mp,
		   bool recursive)
{
	struct mount *m;
	int err;

	if (LINUX_S_ISDIR(mp->dentry->inode->mode) !=
	    LINUX_S_ISDIR(src->dentry->inode->mode))
		return -ENOTDIR;
	if ((mp->dentry->flags & DENTRY_DELETED) ||
	    (src->dentry->flags & DENTRY_DELETED))
		return -ENOENT;
	if (!mp->mnt || (mp->mnt->flags & MNT_INTERNAL) || !src->mnt ||
	    (src->mnt->flags & MNT_INTERNAL))
		return -EINVAL;
	err = clone_tree(src->mnt, src->dentry, recursive, &m);
	if (err)
		return err;
	mnt_attach(m, mp->mnt, mp->dentry);
	table_insert(m);
	return 0;
}

int vfs_move_mount(const struct path *from, const struct path *to)
{
	struct mount *m = from->mnt;

	if (from->dentry != m->root || !m->parent)
		return -EINVAL;
	if (LINUX_S_ISDIR(to->dentry->inode->mode) !=
	    LINUX_S_ISDIR(m->root->inode->mode))
		return -ENOTDIR;
	if (to->dentry->flags & DENTRY_DELETED)
		return -ENOENT;
	/* Not into its own subtree. */
	for (struct mount *p = to->mnt; p; p = p->parent)
		if (p == m)
			return -ELOOP;
	mnt_detach(m);
	mnt_attach(m, to->mnt, to->dentry);
	return 0;
}

int vfs_pivot_root(const struct path *root, const struct path *new,
		   const struct path *old)
{
	struct mount *root_mnt = root->mnt, *new_mnt = new->mnt;
	struct mount *rparent = root_mnt->parent;
	struct dentry *rmp = root_mnt->mountpoint;

	if (new->dentry->flags & DENTRY_DELETED)
		return -ENOENT;
	if (new_mnt == root_mnt || old->mnt == root_mnt)
		return -EBUSY;
	if (root->dentry != root_mnt->root || new->dentry != new_mnt->root ||
	    !new_mnt->parent)
		return -EINVAL;
	/* put_old must be reachable from new_root, new_root from the root. */
	if (!vfs_path_under(new, old) || !vfs_path_under(root, new))
		return -EINVAL;
	mnt_detach(new_mnt);
	/* The root takes new_root's place: at its mountpoint, or as the
	 * sandbox's root when it had none (the sandbox root is not itself
	 * mounted anywhere, unlike Linux's, which sits on rootfs). */
	if (rparent) {
		dget(rmp);
		mnt_get(rparent);
		mnt_detach(root_mnt);
		mnt_attach(new_mnt, rparent, rmp);
		dput(rmp);
		mnt_put(rparent);
	} else {
		kernel->root_mount = new_mnt;
	}
	mnt_attach(root_mnt, old->mnt, old->dentry);
	return 0;
}

struct mount *vfs_mount_next(struct mount *prev)
{
	return prev ? TAILQ_NEXT(prev, all_link) : TAILQ_FIRST(&mount_table);
}

struct mount *vfs_mount_lookup(const struct mount *parent,
			       const struct dentry *d)
{
	struct mount *m;

	if (!d->mounted)
		return NULL;
	LIST_FOREACH(m, &parent->children, child_link)
	if (m->mountpoint == d)
		return m;
	return NULL;
}

void vfs_register_fs(struct fs_type *t)
{
	LIST_INSERT_HEAD(&fs_types, t, link);
}

const struct fs_type *vfs_find_fs(const char *name)
{
	struct fs_type *t;

	LIST_FOREACH(t, &fs_types, link)
	if (!strcmp(t->name, name))
		return t;
	return NULL;
}

int vfs_register_chrdev(const struct chrdev *c)
{
	for (int k = 0; k < MAX_CHRDEVS; k++) {
		if (chrdevs[k] && chrdevs[k]->major == c->major &&
		    chrdevs[k]->minor == c->minor)
			return -EBUSY;
	}
	for (int k = 0; k < MAX_CHRDEVS; k++) {
		if (!chrdevs[k]) {
			chrdevs[k] = c;
			return 0;
		}
	}
	return -ENOSPC;
}

const struct chrdev *vfs_find_chrdev(uint64_t rdev)
{
	uint32_t major = linux_major(rdev), minor = linux_minor(rdev);

	for (int k = 0; k < MAX_CHRDEVS; k++)
		if (chrdevs[k] && chrdevs[k]->major == major &&
		    chrdevs[k]->minor == minor)
			return chrdevs[k];
	return NULL;
}

/* Prepend `s` (n bytes) to the string growing leftwards at *end. */
static int prepend(char **end, char *buf, const char *s, size_t n)
{
	if ((size_t)(*end - buf) < n)
		return -ENAMETOOLONG;
	*end -= n;
	memcpy(*end, s, n);
	return 0;
}

long vfs_path_string(const struct path *root, const struct path *p, char *buf,
		     size_t size)
{
	struct mount *m = p->mnt;
	struct dentry *d = p->dentry;
	char *end = buf + size;
	bool deleted = d->flags & DENTRY_DELETED;
	bool any = false;
	size_t len;

	if (size == 0)
		return -ENAMETOOLONG;
	if ((d->flags & DENTRY_PSEUDO) || (m && (m->flags & MNT_INTERNAL))) {
		len = strlen(d->name);
		if (len + 1 > size)
			return -ENAMETOOLONG;
		memcpy(buf, d->name, len + 1);
		return (long)len;
	}
	if (prepend(&end, buf, "", 1))
		return -ENAMETOOLONG;
	if (deleted && prepend(&end, buf, " (deleted)", 10))
		return -ENAMETOOLONG;
	while (m && !(m == root->mnt && d == root->dentry)) {
		if (d == m->root || (d->flags & DENTRY_ROOT)) {
			/* The top of this mount: continue in the parent at
			 * the mountpoint, or stop at the sandbox root (a path
			 * outside the task's root shows from the top). */
			if (!m->parent)
				break;
			d = m->mountpoint;
			m = m->parent;
			continue;
		}
		if (prepend(&end, buf, d->name, strlen(d->name)) ||
		    prepend(&end, buf, "/", 1))
			return -ENAMETOOLONG;
		any = true;
		d = d->parent;
	}
	if (!any && prepend(&end, buf, "/", 1))
		return -ENAMETOOLONG;
	len = (size_t)(buf + size - end) - 1;
	memmove(buf, end, len + 1);
	return (long)len;
}

bool vfs_path_under(const struct path *root, const struct path *p)
{
	struct mount *m = p->mnt;
	struct dentry *d = p->dentry;

	while (m) {
		if (m == root->mnt && d == root->dentry)
			return true;
		if (d == m->root || (d->flags & DENTRY_ROOT)) {
			d = m->mountpoint;
			m = m->parent;
			continue;
		}
		d = d->parent;
	}
	return false;
}

long vfs_file_path_string(struct task *t, const struct file *f, char *buf,
			  size_t size)
{
	if (t && t->fs)
		return vfs_path_string(&t->fs->root, &f->path, buf, size);
	if (kernel->root_mount) {
		struct path root = {kernel->root_mount,
				    kernel->root_mount->root};

		return vfs_path_string(&root, &f->path, buf, size);
	}
	return vfs_path_string(&f->path, &f->path, buf, size);
}
