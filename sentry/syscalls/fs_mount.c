/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fs_mount.c: mount, umount2, pivot_root and chroot inside the sandbox
 * (fs/namespace.c's path_mount, path_umount, pivot_root; fs/open.c's
 * chroot), on the sandbox's one mount tree.
 *
 * The sandbox has a single mount namespace, which its root owns: what a
 * process mounts, every process sees (as in a container whose runtime
 * gave it CAP_SYS_ADMIN). Nothing here reaches the host: new filesystems
 * are the Sentry's own (tmpfs, proc, sysfs, devpts), and a bind mount
 * shows a tree the sandbox already sees. Propagation flags (MS_SHARED,
 * MS_PRIVATE, MS_SLAVE, MS_UNBINDABLE) are accepted and change nothing:
 * with one namespace every mount is private.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/abi/capability.h"
#include "sentry/kernel/pidns.h"
#include "sentry/syscalls/fs_common.h"

#define MS_MGC_MSK 0xffff0000ul
#define MS_MGC_VAL 0xc0ed0000ul
#define MOUNT_PAGE 4096

/* may_mount: the mount calls are CAP_SYS_ADMIN's. */
static bool may_mount(struct task *t)
{
	return creds_capable(t->creds, LINUX_CAP_SYS_ADMIN);
}

/* copy_mount_string: NULL stays NULL; at most a page (EINVAL past). */
static long mount_string(struct task *t, uint64_t addr, char **out)
{
	long n;

	*out = NULL;
	if (!addr)
		return 0;
	*out = malloc(MOUNT_PAGE);
	if (!*out)
		return -ENOMEM;
	n = task_copy_string_in(t, addr, *out, MOUNT_PAGE);
	if (n == -ENAMETOOLONG)
		n = -EINVAL;
	return n < 0 ? n : 0;
}

/* copy_mount_options: up to a page of whatever is readable (EFAULT only
 * when nothing is), NUL-terminated at the page's end. */
static long mount_data(struct task *t, uint64_t addr, char **out)
{
	size_t got = 0;

	*out = NULL;
	if (!addr)
		return 0;
	*out = calloc(1, MOUNT_PAGE + 1);
	if (!*out)
		return -ENOMEM;
	/* What is readable up to the next page boundary, then the rest. */
	for (size_t chunk = MOUNT_PAGE - (addr & (MOUNT_PAGE - 1));
	     got < MOUNT_PAGE; chunk = MOUNT_PAGE - got) {
		if (task_copy_in(t, addr + got, *out + got, chunk))
			break;
		got += chunk;
	}
	if (!got)
		return -EFAULT;
	(*out)[MOUNT_PAGE - 1] = '\0';
	return 0;
}

/* The per-mount flags of MS_* flags. */
static unsigned mnt_flags_of(unsigned long flags)
{
	unsigned m = 0;

	if (flags & LINUX_MS_RDONLY)
		m |= MNT_RDONLY;
	if (flags & LINUX_MS_NOSUID)
		m |= MNT_NOSUID;
	if (flags & LINUX_MS_NODEV)
		m |= MNT_NODEV;
	if (flags & LINUX_MS_NOEXEC)
		m |= MNT_NOEXEC;
	if (flags & LINUX_MS_NOATIME)
		m |= MNT_NOATIME;
	return m;
}

static bool path_mounted(const struct path *p)
{
	return p->dentry == p->mnt->root;
}

/* A mount's flags replaced by a remount; atime kept unless asked. */
static void set_mount_attributes(struct mount *m, unsigned long flags,
				 unsigned mflags)
{
	const unsigned settable =
		MNT_RDONLY | MNT_NOSUID | MNT_NODEV | MNT_NOEXEC | MNT_NOATIME;

	if (!(flags & (LINUX_MS_NOATIME | LINUX_MS_NODIRATIME |
		       LINUX_MS_RELATIME | LINUX_MS_STRICTATIME)))
		mflags = (mflags & ~MNT_NOATIME) | (m->flags & MNT_NOATIME);
	m->flags = (m->flags & ~settable) | mflags;
}

/* MS_REMOUNT: the mount's flags, and a tmpfs's read-only state (the
 * instance's, shared by its bind mounts, as Linux's superblock flag).
 * The data string (a tmpfs's size=...) is not applied again. */
static long do_remount(const struct path *p, unsigned long flags,
		       unsigned mflags, bool bind)
{
	struct superblock *sb = p->mnt->sb;

	if (!path_mounted(p) || (p->mnt->flags & MNT_INTERNAL))
		return -EINVAL;
	if (!bind && sb->fstype && !strcmp(sb->fstype, "tmpfs")) {
		if (flags & LINUX_MS_RDONLY)
			sb->flags |= SB_RDONLY;
		else
			sb->flags &= ~SB_RDONLY;
	}
	set_mount_attributes(p->mnt, flags, mflags);
	return 0;
}

/* MS_BIND and MS_MOVE name the other tree by its path (dev_name). */
static long other_path(struct task *t, const char *name, struct path *out)
{
	if (!name || !*name)
		return -EINVAL;
	return vfs_lookup(t, LINUX_AT_FDCWD, name, LOOKUP_FOLLOW, out);
}

/* MS_SHARED & co: exactly one propagation type, on a mount's root. */
static long do_change_type(const struct path *p, unsigned long flags)
{
	unsigned long type = flags & ~(LINUX_MS_REC | LINUX_MS_SILENT);

	if (!path_mounted(p))
		return -EINVAL;
	if ((type & ~(LINUX_MS_SHARED | LINUX_MS_PRIVATE | LINUX_MS_SLAVE |
		      LINUX_MS_UNBINDABLE)) ||
	    (type & (type - 1)))
		return -EINVAL;
	return 0;
}

/* A new instance of a registered type on p. */
static long do_new_mount(const struct path *p, const char *type,
			 unsigned long flags, unsigned mflags, const char *dev,
			 const char *data)
{
	const struct fs_type *fst;
	struct superblock *sb;
	long err;

	if (!type)
		return -EINVAL;
	fst = vfs_find_fs(type);
	if (!fst)
		return -ENODEV;
	err = fst->mount(dev, flags, data, &sb);
	if (err)
		return err;
	err = vfs_mount(sb, p, mflags, dev ? dev : "none", NULL);
	superblock_put(sb);
	return err;
}

/* path_mount: which kind of mount the flags ask for. */
static long path_mount(struct task *t, const char *dev, const struct path *p,
		       const char *type, unsigned long flags, const char *data)
{
	unsigned mflags;
	struct path other;
	long err;

	if ((flags & MS_MGC_MSK) == MS_MGC_VAL)
		flags &= ~MS_MGC_MSK;
	if (flags & LINUX_MS_NOUSER)
		return -EINVAL;
	if (!may_mount(t))
		return -EPERM;
	mflags = mnt_flags_of(flags);
	if ((flags & (LINUX_MS_REMOUNT | LINUX_MS_BIND)) ==
	    (LINUX_MS_REMOUNT | LINUX_MS_BIND))
		return do_remount(p, flags, mflags, true);
	if (flags & LINUX_MS_REMOUNT)
		return do_remount(p, flags, mflags, false);
	if (flags & LINUX_MS_BIND) {
		err = other_path(t, dev, &other);
		if (err)
			return err;
		err = vfs_bind_mount(&other, p, flags & LINUX_MS_REC);
		path_put(&other);
		return err;
	}
	if (flags & (LINUX_MS_SHARED | LINUX_MS_PRIVATE | LINUX_MS_SLAVE |
		     LINUX_MS_UNBINDABLE))
		return do_change_type(p, flags);
	if (flags & LINUX_MS_MOVE) {
		err = other_path(t, dev, &other);
		if (err)
			return err;
		err = vfs_move_mount(&other, p);
		path_put(&other);
		return err;
	}
	return do_new_mount(p, type, flags, mflags, dev, data);
}

long kern_mount(struct task *t, const struct mount_args *a)
{
	char *type = NULL, *dev = NULL, *data = NULL, *target = NULL;
	struct path p;
	long err;

	err = mount_string(t, a->filesystemtype, &type);
	if (!err)
		err = mount_string(t, a->source, &dev);
	if (!err)
		err = mount_data(t, a->data, &data);
	if (!err && !(target = malloc(LINUX_PATH_MAX)))
		err = -ENOMEM;
	if (!err) {
		err = fs_getname(t, a->target, target);
		if (err > 0)
			err = 0;
	}
	if (!err)
		err = vfs_lookup(t, LINUX_AT_FDCWD, target, LOOKUP_FOLLOW, &p);
	if (!err) {
		err = path_mount(t, dev, &p, type, a->mountflags, data);
		path_put(&p);
	}
	free(type);
	free(dev);
	free(data);
	free(target);
	return err;
}

/* do_umount's special case: the caller's own root is made read-only
 * rather than unmounted, as Linux does for "umount /". */
static long umount_root(struct mount *m)
{
	m->flags |= MNT_RDONLY;
	return 0;
}

long kern_umount2(struct task *t, const struct umount2_args *a)
{
	char path[LINUX_PATH_MAX];
	unsigned flags = (unsigned)a->flags;
	struct mount *m;
	struct path p;
	long err;

	err = fs_getname(t, a->target, path);
	if (err < 0)
		return err;
	err = vfs_lookup(t, LINUX_AT_FDCWD, path,
			 (flags & LINUX_UMOUNT_NOFOLLOW) ? 0 : LOOKUP_FOLLOW,
			 &p);
	if (err)
		return err;
	m = p.mnt;
	/* can_umount */
	if (!may_mount(t))
		err = -EPERM;
	else if (!path_mounted(&p) || (m->flags & MNT_INTERNAL))
		err = -EINVAL;
	else if ((flags & LINUX_MNT_EXPIRE) &&
		 (m == t->fs->root.mnt ||
		  (flags & (LINUX_MNT_FORCE | LINUX_MNT_DETACH))))
		err = -EINVAL;
	else if (m == t->fs->root.mnt && !(flags & LINUX_MNT_DETACH))
		err = umount_root(m);
	else if (!m->parent)
		err = -EINVAL; /* the sandbox root cannot be detached */
	else if (flags & LINUX_MNT_DETACH)
		vfs_umount_tree(m);
	else if (vfs_mount_busy(m))
		err = -EBUSY;
	else if (!(flags & LINUX_MNT_EXPIRE) || (m->flags & MNT_EXPIRED))
		err = vfs_umount(m);
	else {
		/* The first MNT_EXPIRE marks it; a second, with nothing
		 * using it between, unmounts it. */
		m->flags |= MNT_EXPIRED;
		err = -EAGAIN;
	}
	path_put(&p);
	return err;
}

/* chroot_fs_refs: every task whose root or cwd was the old root moves
 * to the new one (pivot_root). */
struct chroot_refs {
	struct path old, new;
};

static int move_refs(struct task *t, void *arg)
{
	struct chroot_refs *r = arg;

	if (!t->fs)
		return 0;
	if (path_equal(&t->fs->root, &r->old))
		fs_context_set_root(t->fs, &r->new);
	if (path_equal(&t->fs->cwd, &r->old))
		fs_context_set_cwd(t->fs, &r->new);
	return 0;
}

long kern_pivot_root(struct task *t, const struct pivot_root_args *a)
{
	char *path = malloc(LINUX_PATH_MAX);
	struct path new = {0}, old = {0};
	struct chroot_refs r;
	long err = path ? 0 : -ENOMEM;

	if (!err && !may_mount(t))
		err = -EPERM;
	if (!err && (err = fs_getname(t, a->new_root, path)) >= 0)
		err = vfs_lookup(t, LINUX_AT_FDCWD, path,
				 LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &new);
	if (!err && (err = fs_getname(t, a->put_old, path)) >= 0)
		err = vfs_lookup(t, LINUX_AT_FDCWD, path,
				 LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &old);
	free(path);
	if (!err) {
		r.old = t->fs->root;
		path_get(&r.old);
		err = vfs_pivot_root(&r.old, &new, &old);
		if (!err) {
			r.new = new;
			pidns_for_each_task(move_refs, &r);
		}
		path_put(&r.old);
	}
	path_put(&old);
	path_put(&new);
	return err;
}

long kern_chroot(struct task *t, const struct chroot_args *a)
{
	char path[LINUX_PATH_MAX];
	struct path p;
	long err = fs_getname(t, a->path, path);

	if (err < 0)
		return err;
	err = vfs_lookup(t, LINUX_AT_FDCWD, path,
			 LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		return err;
	err = vfs_permission(p.mnt, p.dentry->inode, MAY_EXEC | MAY_CHDIR,
			     t->creds);
	if (!err && !creds_capable(t->creds, LINUX_CAP_SYS_CHROOT))
		err = -EPERM;
	if (!err)
		fs_context_set_root(t->fs, &p);
	path_put(&p);
	return err;
}
