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

/* A mount of sb (referenced by the caller) with its root dentry. */
static int mount_alloc(struct superblock *sb, unsigned flags,
		       const char *source, struct mount **out)
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
	m->root = sb->root;
	dget(m->root);
	LIST_INIT(&m->children);
	*out = m;
	return 0;
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

	if (!LINUX_S_ISDIR(mp->dentry->inode->mode))
		return -ENOTDIR;
	if ((mp->dentry->flags & DENTRY_DELETED) ||
	    (!d_hashed(mp->dentry) && !(mp->dentry->flags & DENTRY_ROOT)))
		return -ENOENT;
	if (!mp->mnt || (mp->mnt->flags & MNT_INTERNAL))
		return -EINVAL;
	err = mount_alloc(sb, flags, source, &m);
	if (err)
		return err;
	m->parent = mp->mnt;
	mnt_get(mp->mnt);
	m->mountpoint = mp->dentry;
	dget(mp->dentry);
	mp->dentry->mounted++;
	/* Newest first, so a later mount on the same dentry hides the
	 * earlier one as in Linux. */
	LIST_INSERT_HEAD(&mp->mnt->children, m, child_link);
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
			      LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &mp);
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

int vfs_umount(struct mount *m)
{
	if (!LIST_EMPTY(&m->children))
		return -EBUSY;
	if (!m->parent)
		return -EINVAL;
	LIST_REMOVE(m, child_link);
	TAILQ_REMOVE(&mount_table, m, all_link);
	if (!sb_mounted(m->sb))
		fsnotify_unmount(m->sb);
	m->mountpoint->mounted--;
	dput(m->mountpoint);
	m->mountpoint = NULL;
	mnt_put(m->parent);
	m->parent = NULL;
	mnt_put(m);
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
